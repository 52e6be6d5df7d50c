"""The store's connection, transactions, settings and change record."""

import getpass
import math
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from actionplan.core.i18n import _

if TYPE_CHECKING:
    import sqlite_utils
from actionplan.core.errors import DatabaseLockedError, StoreError
from actionplan.store import identity, schema
from actionplan.store.connection import APPLICATION_ID
from actionplan.store.rows import key_order_text


def default_actor() -> str:
    """``$ACTIONPLAN_USER``, else the OS user."""
    env = os.environ.get("ACTIONPLAN_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database in some containers
        return "unknown"


def rowid(cur: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just added."""
    assert cur.lastrowid is not None, "not after an INSERT"
    return cur.lastrowid


#: How long a writer waits for another writer's lock before giving up (seconds; ``$ACTIONPLAN_LOCK_WAIT``).
DEFAULT_LOCK_WAIT = 60.0
#: After this long without the lock, the writer says it is waiting.
WAIT_NOTICE_AFTER = 1.0


def lock_wait_from_env() -> float:
    """``$ACTIONPLAN_LOCK_WAIT`` in seconds (a number from 0 to 86400), else :data:`DEFAULT_LOCK_WAIT`."""
    text = os.environ.get("ACTIONPLAN_LOCK_WAIT", "").strip()
    if not text:
        return DEFAULT_LOCK_WAIT
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 86400:
        raise StoreError(
            "ACTIONPLAN_LOCK_WAIT: " + _("must be a number of seconds from 0 to 86400") + f', not "{text[:40]}"'
        )
    return value


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    """The connection, transactions, settings and the change record every write shares.

    *lock_wait* is how long a write waits for another writer (default ``$ACTIONPLAN_LOCK_WAIT``
    or 60 s); *on_wait* is called with a message once the wait has lasted a moment, so a front
    end can say so.  *adopt_empty* lets a 0-byte file or an SQLite file without any table become
    a new database (only ``init`` asks for it); otherwise such a file, and any file another
    program made, is refused untouched.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        actor: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
        lock_wait: float | None = None,
        on_wait: Callable[[str], None] | None = None,
        adopt_empty: bool = False,
    ) -> None:
        from actionplan.core.text import clean_line

        self.path = Path(path)
        # a name reaches the terminal through show and history: cleaned as every other text
        self.actor = clean_line(actor or default_actor()).strip() or "unknown"
        self.clock = clock
        self.lock_wait = lock_wait_from_env() if lock_wait is None else max(0.0, lock_wait)
        self.on_wait = on_wait
        self._org_words_cache: dict[str, str] | None = None
        self._busy_ms = int(min(self.lock_wait, WAIT_NOTICE_AFTER) * 1000)
        self._conn = identity.open_connection(self.path, adopt_empty, self._busy_ms / 1000)
        self._db: sqlite_utils.Database | None = None
        conn = self._conn
        try:
            conn.create_function("key_order", 1, key_order_text, deterministic=True)
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except BaseException:  # not a database, or a newer schema: do not leave the file open
            conn.close()
            raise

    @property
    def conn(self) -> sqlite3.Connection:
        return self._conn

    @property
    def db(self) -> "sqlite_utils.Database":
        """The sqlite-utils view of the connection (schema work: tables, FTS, migrations)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self._conn, execute_plugins=False)
        return self._db

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version == schema.SCHEMA_VERSION and self.conn.execute("PRAGMA application_id").fetchone()[0] == 0:
            identity.mark_ours(self)
        if version > schema.SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: "
                + _("the database was written by a newer actionplan (schema")
                + f" {version} > {schema.SCHEMA_VERSION}); "
                + _("upgrade actionplan")
            )
        if version == 0:
            mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal" and str(self.path) != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
        if version < schema.SCHEMA_VERSION:
            with self.write():
                # re-read inside the lock: another process may have migrated meanwhile
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                for number in range(version + 1, schema.SCHEMA_VERSION + 1):
                    schema.MIGRATIONS[number - 1](self.db)
                    self.conn.execute(f"PRAGMA user_version = {number}")
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                if version == 0:
                    self.conn.execute(
                        "INSERT INTO meta(key, value) VALUES ('db_id', ?), ('timezone', ?)",
                        (uuid.uuid4().hex[:12], "Asia/Ho_Chi_Minh"),
                    )

    @contextmanager
    def write(self, *, wait: bool = True) -> Iterator[None]:
        """One write transaction: all of it lands, or none of it.

        ``wait=False`` gives up at once (DatabaseLockedError) when another writer holds the
        lock: for writes that may be skipped, such as filling a cache.
        """
        if self.conn.in_transaction:
            yield
            return
        if wait:
            self._begin_immediate()
        else:
            self.conn.execute("PRAGMA busy_timeout = 0")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        self._org_words_cache = None
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def _begin_immediate(self) -> None:
        """Take the write lock, waiting up to :attr:`lock_wait` for another writer (and saying so)."""
        started = time.monotonic()
        told = False
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                if told:
                    self.conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
                return
            except DatabaseLockedError:
                waited = time.monotonic() - started
                if waited >= self.lock_wait:
                    raise DatabaseLockedError(
                        _("another program held the write lock for {seconds:g} s; nothing was changed").format(
                            seconds=round(waited, 1)
                        )
                        + " ("
                        + _("try again later, or wait longer with ACTIONPLAN_LOCK_WAIT=SECONDS")
                        + ")",
                        str(self.path),
                    ) from None
                if not told and self.on_wait is not None:
                    self.on_wait(
                        _("waiting for another writer... (up to {seconds} s)").format(seconds=f"{self.lock_wait:g}")
                    )
                # the next attempt waits at most what is left of the allowance
                told = True
                left = max(0.001, min(WAIT_NOTICE_AFTER, self.lock_wait - waited))
                self.conn.execute(f"PRAGMA busy_timeout = {int(left * 1000)}")

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def _scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first column of the first row (aggregates: count, max)."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.write():
            old = self.get_setting(key)
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            cid = self._begin_change("setting", f"{key} = {value}")
            self._record(cid, "setting", 0, key, key, old, value)

    @property
    def db_id(self) -> str:
        return self.get_setting("db_id") or "local"

    @property
    def timezone(self) -> str:
        return self.get_setting("timezone") or "Asia/Ho_Chi_Minh"

    def set_timezone(self, name: str) -> None:
        from actionplan.core.dates import get_zone

        get_zone(name)  # raises DateError for an unknown zone
        self.set_setting("timezone", name)

    def today(self) -> date:
        """Today's date in the committee's time zone, from the store's clock."""
        from actionplan.core.dates import today_in

        return today_in(self.timezone, self.clock())

    def _begin_change(self, action: str, summary: str = "", undo_of: int | None = None, reason: str = "") -> int:
        cur = self.conn.execute(
            "INSERT INTO changes(at, actor, action, summary, undo_of, reason) VALUES (?, ?, ?, ?, ?, ?)",
            (self._now(), self.actor, action, summary, undo_of, reason),
        )
        return rowid(cur)

    def _record(
        self, change_id: int, entity: str, entity_id: int, ref: str, name: str, old: str | None, new: str | None
    ) -> None:
        self.conn.execute(
            "INSERT INTO history(change_id, entity, entity_id, ref, field, old, new) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (change_id, entity, entity_id, ref, name, old, new),
        )

    def _variable_limit(self) -> int:
        """How many ``?`` one statement may hold (999 in old SQLite builds, 32766 or more since 3.32)."""
        return self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
