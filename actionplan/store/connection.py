"""The SQLite connection: every sqlite3 error that is about the file becomes one of the program's errors here.

A damaged page, a missing table, a read-only file or a lock held too long would otherwise reach
the user as a Python traceback from whichever statement met it first.  :class:`Connection` turns
them into :mod:`actionplan.core.errors` classes at the one place all SQL passes through.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from actionplan.core.errors import (
    DatabaseDamagedError,
    DatabaseError,
    DatabaseLockedError,
    ReadOnlyDatabaseError,
)
from actionplan.core.i18n import _

#: ``PRAGMA application_id`` of every actionplan database ("APLN" in ASCII), so that the program
#: recognises its own files and refuses other programs' SQLite files.
APPLICATION_ID = 0x41504C4E

_DAMAGED = (
    "malformed",
    "file is not a database",
    "no such table",
    "no such column",
    "no such index",
    "no such trigger",
    "corrupt",
    "disk i/o error",
    "could not decode",
)


def damaged_message() -> str:
    return _("the database is damaged: run actionplan check")


def translate(exc: sqlite3.Error, path: str = "") -> DatabaseError | None:
    """The program's error for a sqlite3 error about the file, or None for anything else (a bug)."""
    text = str(exc)
    low = text.lower()
    if "unable to open database" in low:
        return DatabaseError(_("cannot open the database file") + f" ({text})", path)
    if "readonly" in low or "read-only" in low:
        return ReadOnlyDatabaseError(
            _("the database cannot be written (a read-only file or folder); nothing was changed") + f" ({text})",
            path,
        )
    if "database is locked" in low or "database table is locked" in low or "database is busy" in low:
        return DatabaseLockedError(
            _("another program is writing to the database; nothing was changed, try again later"), path
        )
    if any(word in low for word in _DAMAGED) or isinstance(exc, sqlite3.DatabaseError) and "vtable" in low:
        return DatabaseDamagedError(damaged_message() + f" ({text})", path)
    return None


def _raise_translated(exc: sqlite3.Error, path: str) -> None:
    mapped = translate(exc, path)
    if mapped is not None:
        raise mapped from exc


class Cursor(sqlite3.Cursor):
    """A cursor whose statements and fetches report file problems as the program's errors."""

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.DatabaseError as e:
            _raise_translated(e, getattr(self.connection, "label", ""))
            raise

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.DatabaseError as e:
            _raise_translated(e, getattr(self.connection, "label", ""))
            raise

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as e:
            _raise_translated(e, getattr(self.connection, "label", ""))
            raise

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as e:
            _raise_translated(e, getattr(self.connection, "label", ""))
            raise


class Connection(sqlite3.Connection):
    """``sqlite3.connect(..., factory=Connection)``; ``label`` is the file's name for messages."""

    label = ""

    def cursor(self, factory: Any = Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script: str, /) -> Any:
        try:
            return super().executescript(script)
        except sqlite3.DatabaseError as e:
            _raise_translated(e, self.label)
            raise
