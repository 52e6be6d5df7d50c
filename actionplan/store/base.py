"""The store's connection, transactions, settings and change record."""

import getpass
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from actionplan.core.i18n import _

if TYPE_CHECKING:
    import sqlite_utils
from actionplan.core.errors import StoreError
from actionplan.store import schema
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


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    """The connection, transactions, settings and the change record every write shares."""

    def __init__(
        self,
        path: str | Path,
        *,
        actor: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
        timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self.actor = actor or default_actor()
        self.clock = clock
        self._org_words_cache: dict[str, str] | None = None
        conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        self._conn = conn
        self._db: sqlite_utils.Database | None = None
        conn.create_function("key_order", 1, key_order_text, deterministic=True)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        try:
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
                if version == 0:
                    self.conn.execute(
                        "INSERT INTO meta(key, value) VALUES ('db_id', ?), ('timezone', ?)",
                        (uuid.uuid4().hex[:12], "Asia/Ho_Chi_Minh"),
                    )

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction: all of it lands, or none of it."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._org_words_cache = None
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

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
