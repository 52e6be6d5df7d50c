"""Which files are actionplan databases: opening refuses every other file before writing a byte.

An actionplan database carries :data:`~actionplan.store.connection.APPLICATION_ID` in its
header (``PRAGMA application_id``).  Databases made before the mark existed (schema 1 and 2)
have 0 there; they are recognised by their schema version and their tables, and marked the
next time they are written.  A 0-byte file, or an SQLite file without any table, becomes a
database only when the caller asks for it (``actionplan init``): a name the user mistyped must
not be taken over silently.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from actionplan.core.errors import DatabaseDamagedError, DatabaseError, ForeignDatabaseError
from actionplan.core.i18n import _
from actionplan.store.connection import APPLICATION_ID, Connection

if TYPE_CHECKING:
    from actionplan.store.base import StoreBase

#: Tables every actionplan schema has had since the first: how an unmarked old database is recognised.
OUR_TABLES = frozenset({"meta", "plans", "orgs", "tasks", "history", "changes"})


def _init_hint(path: Path) -> str:
    return _("to make it an actionplan database:") + f" actionplan --db {path} init"


def _refuse_unusable_file(path: Path, adopt_empty: bool) -> bool:
    """Refuse what cannot be a database file; True when the file exists already."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError as e:
        raise DatabaseError(_("cannot read the database file:") + f" {e.strerror or e}", str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise ForeignDatabaseError(_("is a folder, not a database file"), str(path))
    if not stat.S_ISREG(info.st_mode):
        raise ForeignDatabaseError(_("is not a regular file (a device or a pipe), not a database"), str(path))
    if info.st_size == 0 and not adopt_empty:
        raise ForeignDatabaseError(
            _("is an empty file, not an actionplan database;") + " " + _init_hint(path), str(path)
        )
    return True


def open_connection(path: Path, adopt_empty: bool, busy_seconds: float) -> Connection:
    """A connection to *path* once it is known to be ours (or new, or adoptable); nothing written yet."""
    label = str(path)
    memory = label == ":memory:"
    existed = False if memory else _refuse_unusable_file(path, adopt_empty)
    try:
        conn = sqlite3.connect(
            label, timeout=busy_seconds, isolation_level=None, check_same_thread=False, factory=Connection
        )
    except sqlite3.Error as e:
        raise DatabaseError(_("cannot open the database file") + f" ({e})", label) from None
    conn.label = label
    conn.row_factory = sqlite3.Row
    try:
        if existed:
            _check_identity(conn, path, adopt_empty)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_identity(conn: Connection, path: Path, adopt_empty: bool) -> None:
    label = str(path)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    except DatabaseDamagedError as e:
        if "file is not a database" in str(e.__cause__):
            raise ForeignDatabaseError(
                _("file is not a database (not an SQLite file, or its first page is damaged:")
                + " actionplan check "
                + _("tells which)"),
                label,
            ) from None
        raise
    if app_id == APPLICATION_ID:
        return
    if app_id != 0:
        raise ForeignDatabaseError(
            _("is another program's SQLite database (application_id")
            + f" {app_id:#x}); "
            + _("actionplan leaves it untouched"),
            label,
        )
    if version >= 1 and OUR_TABLES <= tables:
        return  # an actionplan database from before the mark: marked when next migrated
    if not tables and version == 0:
        if adopt_empty:
            return
        raise ForeignDatabaseError(_("is an SQLite file without any table;") + " " + _init_hint(path), label)
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    raise ForeignDatabaseError(
        _("is another program's SQLite database (tables:")
        + f" {shown or '-'}); "
        + _("actionplan leaves it untouched"),
        label,
    )


def mark_ours(store: StoreBase) -> None:
    """Put the mark on an unmarked actionplan database when that costs no wait (read-only: later)."""
    conn = store.conn
    busy = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    except DatabaseError:  # read-only, or another writer busy: the next write marks it
        pass
    finally:
        conn.execute(f"PRAGMA busy_timeout = {busy}")
