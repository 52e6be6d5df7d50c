"""What is wrong with a database file, in words, without changing it (``actionplan check``).

The file is opened with a plain connection (no migration, no mark, no WAL switch) and every
check runs on its own, so a damage that stops one check does not hide what the others find:
SQLite's integrity and foreign-key checks, the header's mark and schema version, the tables,
columns, indexes and triggers the migrations create, the search index, and the values of every
task row (a flipped byte inside a date is invisible to SQLite but breaks the program).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

from actionplan.core.i18n import _
from actionplan.core.model import TaskStatus
from actionplan.store import schema
from actionplan.store.connection import APPLICATION_ID
from actionplan.store.identity import OUR_TABLES

#: At most this many findings of one kind are listed; the rest are counted.
MAX_LISTED = 20


def expected_schema(version: int) -> dict[str, tuple[str, str]]:
    """``name -> (type, columns or SQL)`` of every table, index and trigger the migrations up to *version* create."""
    import sqlite_utils

    conn = sqlite3.connect(":memory:")
    try:
        db = sqlite_utils.Database(conn, execute_plugins=False)
        for number in range(1, min(version, schema.SCHEMA_VERSION) + 1):
            schema.MIGRATIONS[number - 1](db)
        return _schema_of(conn)
    finally:
        conn.close()


def _schema_of(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%'"
    ).fetchall():
        detail = ""
        if kind == "table":
            detail = ",".join(r[1] for r in conn.execute(f'PRAGMA table_xinfo("{name}")').fetchall())
        found[name] = (kind, detail)
    return found


def schema_version_of(path: str | Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def diagnose(path: str | Path) -> list[str]:
    """Every problem found in the database at *path*, in words (empty when it is healthy)."""
    label = str(path)
    try:
        conn = sqlite3.connect(label, isolation_level=None)
    except sqlite3.Error as e:
        return [_("cannot open the file:") + f" {e}"]
    problems: list[str] = []
    try:
        header = _header(conn, problems)
        if header is None:
            return problems
        version = header
        steps = (_integrity, _foreign_keys, lambda c, p: _structure(c, p, version), _search_index, _texts, _task_values)
        for step in steps:
            try:
                step(conn, problems)
            except sqlite3.DatabaseError as e:
                problems.append(_("SQLite cannot read part of the file:") + f" {e}")
    finally:
        conn.close()
    return problems


def _header(conn: sqlite3.Connection, problems: list[str]) -> int | None:
    """The schema version, after checking the mark; None when the file cannot be read at all."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    except sqlite3.DatabaseError as e:
        problems.append(_("SQLite cannot read the file's first page (the header or the table list):") + f" {e}")
        return None
    if app_id not in (0, APPLICATION_ID):
        problems.append(_("the file is marked as another program's database (application_id") + f" {app_id:#x})")
    if app_id == 0 and not (OUR_TABLES & tables):
        problems.append(_("the file has no actionplan mark (application_id 0) and none of its tables"))
    if version == 0:
        problems.append(_("the schema version is 0: the file was never made an actionplan database"))
    elif version > schema.SCHEMA_VERSION:
        problems.append(
            _("the schema version is")
            + f" {version}, "
            + _("newer than this actionplan knows")
            + f" ({schema.SCHEMA_VERSION}): "
            + _("upgrade actionplan")
        )
    return version


def _integrity(conn: sqlite3.Connection, problems: list[str]) -> None:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check(100)").fetchall() if r[0] != "ok"]
    problems.extend(_("SQLite integrity check:") + f" {row}" for row in rows)


def _foreign_keys(conn: sqlite3.Connection, problems: list[str]) -> None:
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    for r in rows[:MAX_LISTED]:
        problems.append(f"{r[0]} " + _("row") + f" {r[1]} " + _("refers to a missing row in") + f" {r[2]}")
    if len(rows) > MAX_LISTED:
        problems.append(f"… {len(rows) - MAX_LISTED} " + _("more rows refer to missing rows"))


def _structure(conn: sqlite3.Connection, problems: list[str], version: int) -> None:
    if not 1 <= version <= schema.SCHEMA_VERSION:
        return
    expected = expected_schema(version)
    actual = _schema_of(conn)
    words = {"table": _("table"), "index": _("index"), "trigger": _("trigger")}
    for name, (kind, columns) in sorted(expected.items()):
        if name not in actual:
            problems.append(_("missing") + f" {words[kind]} {name} (" + _("schema") + f" {version})")
        elif kind == "table" and actual[name][1] != columns:
            missing = [c for c in columns.split(",") if c not in actual[name][1].split(",")]
            problems.append(
                _("table")
                + f" {name}: "
                + (_("missing columns") + " " + ", ".join(missing) if missing else _("its columns differ"))
            )


def _search_index(conn: sqlite3.Connection, problems: list[str]) -> None:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'tasks_fts'").fetchone():
        return
    conn.execute("BEGIN")
    try:  # rank 1: compare the index with the tasks' text too
        conn.execute("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.OperationalError as e:
        if "readonly" not in str(e):  # a read-only file cannot run the check: not a finding
            problems.append(_("the search index cannot be checked:") + f" {e}")
    except sqlite3.DatabaseError:
        problems.append(_("the search index does not match the tasks' text (searches may miss tasks)"))
    finally:
        conn.execute("ROLLBACK")


def _texts(conn: sqlite3.Connection, problems: list[str]) -> None:
    """Text that is not UTF-8 (a damaged byte inside a row): SQLite does not notice, reading it fails."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'tasks_fts%'"
        ).fetchall()
    ]
    conn.text_factory = bytes
    found = 0
    try:
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")').fetchall()]
            for row in conn.execute(f'SELECT rowid, * FROM "{table}"'):
                for name, value in zip(["rowid", *columns], row):
                    if isinstance(value, bytes):
                        try:
                            value.decode("utf-8")
                        except UnicodeDecodeError:
                            found += 1
                            if found <= MAX_LISTED:
                                problems.append(
                                    f"{table} "
                                    + _("row")
                                    + f" {row[0]} {name}: "
                                    + _("the text is not UTF-8 (damaged)")
                                )
        if found > MAX_LISTED:
            problems.append(f"… {found - MAX_LISTED} " + _("more damaged texts"))
    finally:
        conn.text_factory = str


def _is_date(text: object) -> bool:
    if text is None:
        return True
    try:
        date.fromisoformat(str(text))
    except ValueError:
        return False
    return len(str(text)) == 10


_TASK_RULES: list[tuple[str, Callable[[object], bool], str]] = [
    ("deadline", _is_date, "not a date"),
    ("start", _is_date, "not a date"),
    ("completed_on", _is_date, "not a date"),
    ("status", lambda v: v in set(TaskStatus), "not a status"),
    ("progress", lambda v: isinstance(v, int) and 0 <= v <= 100, "not a progress from 0 to 100"),
    ("version", lambda v: isinstance(v, int) and v >= 1, "not a version number"),
]


def _task_values(conn: sqlite3.Connection, problems: list[str]) -> None:
    """Values SQLite keeps without complaint but the program cannot read (a damaged byte inside a row)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'tasks'").fetchone():
        return
    names = [r[1] for r in conn.execute("PRAGMA table_info(tasks)").fetchall()]
    rules = [rule for rule in _TASK_RULES if rule[0] in names]
    if "key" not in names or not rules:
        return
    conn.text_factory = bytes  # text that is not UTF-8 is itself a finding, not a crash
    found = 0
    try:
        columns = ", ".join(["key"] + [r[0] for r in rules])
        for row in conn.execute(f"SELECT {columns} FROM tasks ORDER BY id"):
            key = row[0].decode("utf-8", "replace") if isinstance(row[0], bytes) else row[0]
            for (name, ok, what), raw in zip(rules, row[1:]):
                try:
                    value = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                except UnicodeDecodeError:
                    value, good = raw, False
                else:
                    good = ok(value)
                if not good:
                    found += 1
                    if found <= MAX_LISTED:
                        problems.append(_("task") + f" {key} {name}: {_(what)} ({value!r})")
        if found > MAX_LISTED:
            problems.append(f"… {found - MAX_LISTED} " + _("more damaged task values"))
    finally:
        conn.text_factory = str
