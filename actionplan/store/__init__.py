"""SQLite storage through sqlite-utils: schema, migrations, queries, history, search.

All SQL of the program lives in this module.  Every write runs in one
``BEGIN IMMEDIATE`` transaction, records who changed what in ``history``
and bumps the row's version; an edit that carries a stale version is
refused with :class:`ConflictError` and writes nothing.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, fields as dc_fields, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence


from actionplan.core import model
from actionplan.core.i18n import _
from actionplan.core.model import (
    CLOSED_STATUSES,
    KPI,
    Change,
    Org,
    OrgScore,
    Plan,
    PlanSummary,
    ProgressUpdate,
    Task,
    TaskStatus,
)
from actionplan.core.query import TaskFilter
from actionplan.core.text import clean, clean_line, fold, key_sort

if TYPE_CHECKING:  # sqlite-utils is imported only to create or migrate the schema (it costs 0.1 s)
    import sqlite_utils

SCHEMA_VERSION = 2
SEP = "\x1f"


class StoreError(Exception):
    """A problem the user can fix; the message says what and where."""


class NotFoundError(StoreError):
    pass


class ValidationError(StoreError):
    """A value that breaks a rule; ``field`` names the field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


class ConflictError(StoreError):
    """Somebody else saved the row since it was read; nothing was written."""

    def __init__(self, message: str, theirs: Task | None = None, yours: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.theirs = theirs
        self.yours = yours or {}


def default_actor() -> str:
    """``$ACTIONPLAN_USER``, else the OS user."""
    env = os.environ.get("ACTIONPLAN_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database in some containers
        return "unknown"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- schema and migrations -------------------------------------------------------------


def _migrate_1(db: "sqlite_utils.Database") -> None:
    """The first released schema: plans, orgs, tasks, links, updates, history."""
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, reference TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL, issuer TEXT NOT NULL DEFAULT '', issued_on TEXT, period TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'active', reminders TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1, updated_at TEXT);
        CREATE TABLE orgs (
            id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
            short_name TEXT NOT NULL DEFAULT '', parent_id INTEGER REFERENCES orgs(id),
            head TEXT NOT NULL DEFAULT '', head_title TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',
            search TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1, updated_at TEXT);
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            key TEXT NOT NULL, parent_id INTEGER REFERENCES tasks(id),
            title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
            lead_id INTEGER NOT NULL REFERENCES orgs(id), accountable TEXT NOT NULL DEFAULT '',
            start TEXT, deadline TEXT, deadline_text TEXT NOT NULL DEFAULT '', recurrence TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'not started', progress INTEGER NOT NULL DEFAULT 0,
            priority TEXT NOT NULL DEFAULT 'normal', output TEXT NOT NULL DEFAULT '',
            kpi_metric TEXT, kpi_target REAL, kpi_current REAL, kpi_unit TEXT, kpi_baseline REAL,
            evidence TEXT NOT NULL DEFAULT '', completed_on TEXT, blocked_reason TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '', search_text TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1, created_at TEXT, updated_at TEXT,
            UNIQUE (plan_id, key));
        CREATE INDEX idx_tasks_deadline ON tasks(deadline);
        CREATE INDEX idx_tasks_status ON tasks(status);
        CREATE INDEX idx_tasks_lead ON tasks(lead_id);
        CREATE INDEX idx_tasks_parent ON tasks(parent_id);
        CREATE TABLE task_coordinators (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            org_id INTEGER NOT NULL REFERENCES orgs(id), position INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (task_id, org_id));
        CREATE INDEX idx_coord_org ON task_coordinators(org_id);
        CREATE TABLE task_dependencies (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            depends_on_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (task_id, depends_on_id));
        CREATE TABLE task_tags (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            tag TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (task_id, tag));
        CREATE INDEX idx_tags_tag ON task_tags(tag);
        CREATE TABLE updates (
            id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            on_date TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, progress INTEGER,
            created_at TEXT NOT NULL);
        CREATE INDEX idx_updates_task ON updates(task_id);
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '', undo_of INTEGER, undone_by INTEGER);
        CREATE TABLE history (
            id INTEGER PRIMARY KEY, change_id INTEGER NOT NULL REFERENCES changes(id),
            entity TEXT NOT NULL, entity_id INTEGER NOT NULL, ref TEXT NOT NULL,
            field TEXT NOT NULL, old TEXT, new TEXT);
        CREATE INDEX idx_history_entity ON history(entity, entity_id);
        CREATE INDEX idx_history_change ON history(change_id);
        CREATE INDEX idx_history_field ON history(field);
        """
    )
    db["tasks"].enable_fts(["search_text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2")


def _migrate_2(db: "sqlite_utils.Database") -> None:
    """Digests on record, cached iCal events and calendar feed subscriptions."""
    db.executescript(
        """
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, since TEXT, created_at TEXT NOT NULL,
            actor TEXT NOT NULL, params TEXT NOT NULL DEFAULT '{}');
        CREATE TABLE ical_cache (
            task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            options TEXT NOT NULL, version INTEGER NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (task_id, options));
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL DEFAULT '',
            scope_kind TEXT NOT NULL, scope_value TEXT NOT NULL, options TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL, created_by TEXT NOT NULL, revoked_at TEXT);
        """
    )


MIGRATIONS: list[Callable[["sqlite_utils.Database"], None]] = [_migrate_1, _migrate_2]
assert len(MIGRATIONS) == SCHEMA_VERSION


# --- row <-> object ---------------------------------------------------------------------

_TASK_SELECT = f"""
SELECT t.*, p.key AS plan_key, o.key AS lead_key, o.name AS lead_name, pt.key AS parent_key,
  (SELECT group_concat(k, '{SEP}') FROM (SELECT o2.key AS k FROM task_coordinators c
      JOIN orgs o2 ON o2.id = c.org_id WHERE c.task_id = t.id ORDER BY c.position)) AS coord_keys,
  (SELECT group_concat(k, '{SEP}') FROM (SELECT d.key AS k FROM task_dependencies x
      JOIN tasks d ON d.id = x.depends_on_id WHERE x.task_id = t.id ORDER BY x.position)) AS dep_keys,
  (SELECT group_concat(tag, '{SEP}') FROM (SELECT tag FROM task_tags g
      WHERE g.task_id = t.id ORDER BY g.position)) AS tag_list
FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id
LEFT JOIN tasks pt ON pt.id = t.parent_id
"""


def _json_list(select: str) -> str:
    return f"json(coalesce((SELECT json_group_array(k) FROM ({select})), '[]'))"


# A task's stored fields as a JSON object, in the order of Task's fields (without id); see
# Store.tasks_as_json.  tests/test_cli.py holds it equal to cli_support.task_json.
_TASK_JSON_SELECT = f"""
SELECT json_object('plan', p.key, 'key', t.key, 'title', t.title, 'lead', o.key, 'description', t.description,
  'parent', coalesce(pt.key, ''), 'accountable', t.accountable,
  'coordinating', {_json_list("SELECT o2.key AS k FROM task_coordinators c JOIN orgs o2 ON o2.id = c.org_id "
                              "WHERE c.task_id = t.id ORDER BY c.position")},
  'start', t.start, 'deadline', t.deadline, 'deadline_text', t.deadline_text, 'recurrence', t.recurrence,
  'status', t.status, 'progress', t.progress, 'priority', t.priority, 'output', t.output,
  'kpi', CASE WHEN coalesce(t.kpi_metric, '') != '' THEN json_object('metric', t.kpi_metric, 'target', t.kpi_target,
    'current', t.kpi_current, 'unit', coalesce(t.kpi_unit, ''), 'baseline', t.kpi_baseline) END,
  'evidence', t.evidence, 'completed_on', t.completed_on, 'blocked_reason', t.blocked_reason,
  'depends_on', {_json_list("SELECT d.key AS k FROM task_dependencies x JOIN tasks d ON d.id = x.depends_on_id "
                            "WHERE x.task_id = t.id ORDER BY x.position")},
  'tags', {_json_list("SELECT tag AS k FROM task_tags g WHERE g.task_id = t.id ORDER BY g.position")},
  'source', t.source, 'version', t.version, 'lead_name', o.name, 'updated_at', coalesce(t.updated_at, ''),
  'ref', p.key || '/' || t.key),
  t.status, t.deadline, t.completed_on
FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id
LEFT JOIN tasks pt ON pt.id = t.parent_id
"""


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _split(value: str | None) -> list[str]:
    return value.split(SEP) if value else []


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _task_from_row(row: sqlite3.Row) -> Task:
    kpi = None
    if row["kpi_metric"]:
        kpi = KPI(metric=row["kpi_metric"], target=_num(row["kpi_target"]), current=_num(row["kpi_current"]),
                  unit=row["kpi_unit"] or "", baseline=_num(row["kpi_baseline"]))
    return Task(
        id=row["id"], plan=row["plan_key"], key=row["key"], title=row["title"], lead=row["lead_key"],
        lead_name=row["lead_name"], description=row["description"], parent=row["parent_key"] or "",
        accountable=row["accountable"], coordinating=_split(row["coord_keys"]), start=_d(row["start"]),
        deadline=_d(row["deadline"]), deadline_text=row["deadline_text"], recurrence=row["recurrence"],
        status=row["status"], progress=row["progress"], priority=row["priority"], output=row["output"],
        kpi=kpi, evidence=row["evidence"], completed_on=_d(row["completed_on"]),
        blocked_reason=row["blocked_reason"], depends_on=_split(row["dep_keys"]), tags=_split(row["tag_list"]),
        source=row["source"], version=row["version"], updated_at=row["updated_at"] or "",
    )


def _plan_from_row(row: sqlite3.Row) -> Plan:
    return Plan(id=row["id"], key=row["key"], title=row["title"], reference=row["reference"],
                issuer=row["issuer"], issued_on=_d(row["issued_on"]), period=row["period"],
                status=row["status"], version=row["version"])


def _org_from_row(row: sqlite3.Row) -> Org:
    return Org(id=row["id"], key=row["key"], name=row["name"], short_name=row["short_name"],
               parent=row["parent_key"] or "", head=row["head"], head_title=row["head_title"],
               email=row["email"], version=row["version"])


# Task fields as history records them (text), in a stable order.
TASK_FIELDS: tuple[str, ...] = (
    "title", "description", "parent", "lead", "accountable", "coordinating", "start", "deadline",
    "deadline_text", "recurrence", "status", "progress", "priority", "output", "kpi_metric", "kpi_target",
    "kpi_current", "kpi_unit", "kpi_baseline", "evidence", "completed_on", "blocked_reason", "depends_on",
    "tags", "source",
)
LIST_FIELDS = ("coordinating", "depends_on", "tags")


def task_field_text(task: Task, name: str) -> str | None:
    """The value of a task field as history stores it."""
    if name.startswith("kpi_"):
        if task.kpi is None:
            return None
        value = getattr(task.kpi, name[4:])
        return None if value in (None, "") else str(_num(value) if isinstance(value, float) else value)
    value = getattr(task, name)
    if isinstance(value, list):
        return ", ".join(value) if value else None
    if isinstance(value, date):
        return value.isoformat()
    if value in (None, ""):
        return None
    return str(value)


def task_field_values(task: Task) -> dict[str, str | None]:
    return {name: task_field_text(task, name) for name in TASK_FIELDS}


def _search_text(task: Task, org_words: str = "") -> str:
    """Folded words of a task for full-text search, with its lead agency's names."""
    parts = [task.key, task.title, task.description, task.output, " ".join(task.tags), task.lead, org_words,
             task.accountable, task.source]
    return fold(" ".join(p for p in parts if p))


def _parents_first(keys: Sequence[str], parent_of: Mapping[str, str]) -> list[int]:
    """The positions of *keys*, reordered so that a key comes after its parent's key (file order
    otherwise); *parent_of* maps a key to its parent ("" for none) and has no cycles."""
    depth: dict[str, int] = {}

    def depth_of(key: str) -> int:
        chain = [key]  # up to the first ancestor whose depth is known, or the root
        while chain[-1] not in depth and parent_of.get(chain[-1]) and len(chain) <= len(parent_of):
            chain.append(parent_of[chain[-1]])
        below = depth[chain.pop()] if chain[-1] in depth else -1
        for k in reversed(chain):
            below = depth[k] = below + 1
        return depth[key]

    return sorted(range(len(keys)), key=lambda i: (depth_of(keys[i]), i))


#: FTS5's own merge settings (its defaults), restored after an import paused them.
FTS_AUTOMERGE, FTS_CRISISMERGE = 4, 16
#: An import adding this many tasks merges the search index into one segment at its end.
BULK_TASKS = 1000


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    plan: str
    plan_added: bool = False
    plan_changed: bool = False
    orgs_added: list[str] = field(default_factory=list)
    orgs_changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)


# --- the store ---------------------------------------------------------------------------


class Store:
    """One database file: open it, read plans and tasks, and change them safely."""

    def __init__(self, path: str | Path, *, actor: str | None = None,
                 clock: Callable[[], datetime] = _utcnow, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.actor = actor or default_actor()
        self.clock = clock
        self._org_words_cache: dict[str, str] | None = None
        conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        self._conn = conn
        self._db: "sqlite_utils.Database | None" = None
        conn.create_function("key_order", 1, key_order_text, deterministic=True)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = %d" % int(timeout * 1000))
        try:
            self._migrate()
        except BaseException:  # not a database, or a newer schema: do not leave the file open
            conn.close()
            raise

    # connection ------------------------------------------------------------------------

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

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: " + _("the database was written by a newer actionplan (schema")
                + f" {version} > {SCHEMA_VERSION}); " + _("upgrade actionplan")
            )
        if version == 0:
            mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal" and str(self.path) != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
        if version < SCHEMA_VERSION:
            with self.write():
                # re-read inside the lock: another process may have migrated meanwhile
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                for number in range(version + 1, SCHEMA_VERSION + 1):
                    MIGRATIONS[number - 1](self.db)
                    self.conn.execute(f"PRAGMA user_version = {number}")
                if version == 0:
                    self.conn.execute("INSERT INTO meta(key, value) VALUES ('db_id', ?), ('timezone', ?)",
                                      (uuid.uuid4().hex[:12], "Asia/Ho_Chi_Minh"))

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

    def _now(self) -> str:
        return self.clock().astimezone(timezone.utc).isoformat(timespec="seconds")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # settings --------------------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.write():
            old = self.get_setting(key)
            self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
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

    # history ---------------------------------------------------------------------------

    def _begin_change(self, action: str, summary: str = "", undo_of: int | None = None) -> int:
        cur = self.conn.execute(
            "INSERT INTO changes(at, actor, action, summary, undo_of) VALUES (?, ?, ?, ?, ?)",
            (self._now(), self.actor, action, summary, undo_of))
        return int(cur.lastrowid)

    def _record(self, change_id: int, entity: str, entity_id: int, ref: str, name: str,
                old: str | None, new: str | None) -> None:
        self.conn.execute(
            "INSERT INTO history(change_id, entity, entity_id, ref, field, old, new) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (change_id, entity, entity_id, ref, name, old, new))

    def history(self, ref: str | None = None, *, since: str | None = None, fields: Sequence[str] = (),
                limit: int | None = None, plan: str | None = None) -> list[Change]:
        """Changes, newest last; for one task (``PLAN/KEY``), since a timestamp or date, or of some fields."""
        where, params = [], []
        if ref:
            task = self.get_task(ref)
            where.append("h.entity = 'task' AND h.entity_id = ?")
            params.append(task.id)
        if plan:
            where.append("(h.ref = ? OR h.ref LIKE ?)")
            params += [plan, plan + "/%"]
        if since:
            where.append("c.at >= ?")
            params.append(since)
        if fields:
            where.append("h.field IN (%s)" % ",".join("?" * len(fields)))
            params += list(fields)
        sql = ("SELECT h.*, c.at, c.actor, c.action, c.undone_by, c.undo_of FROM history h "
               "JOIN changes c ON c.id = h.change_id"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY h.id")
        if limit:
            sql = f"SELECT * FROM ({sql.replace(' ORDER BY h.id', ' ORDER BY h.id DESC')} LIMIT {int(limit)}) ORDER BY id"
        return [Change(change_id=r["change_id"], at=r["at"], actor=r["actor"], action=r["action"],
                       entity=r["entity"], ref=r["ref"], field=r["field"], old=r["old"], new=r["new"],
                       undone=r["undone_by"] is not None, undo_of=r["undo_of"])
                for r in self._q(sql, params)]

    def last_change(self, actor: str | None = None) -> dict[str, Any] | None:
        """The newest change that can still be undone (optionally by one actor)."""
        sql = "SELECT * FROM changes WHERE undone_by IS NULL AND undo_of IS NULL AND action != 'setting'"
        params: list[Any] = []
        if actor:
            sql += " AND actor = ?"
            params.append(actor)
        row = self._one(sql + " ORDER BY id DESC LIMIT 1", params)
        return dict(row) if row else None

    # plans -------------------------------------------------------------------------------

    def list_plans(self) -> list[Plan]:
        return [_plan_from_row(r) for r in self._q("SELECT * FROM plans ORDER BY key")]

    def get_plan(self, key: str) -> Plan:
        row = self._one("SELECT * FROM plans WHERE key = ?", (key,))
        if row is None:
            known = ", ".join(p.key for p in self.list_plans()) or _("none yet")
            raise NotFoundError(_("no plan") + f' "{key}" (' + _("known plans: ") + known + ")")
        return _plan_from_row(row)

    def plan_reminders(self, key: str) -> str:
        row = self._one("SELECT reminders FROM plans WHERE key = ?", (key,))
        return row["reminders"] if row else ""

    # orgs --------------------------------------------------------------------------------

    _ORG_SELECT = "SELECT o.*, p.key AS parent_key FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id"

    def list_orgs(self) -> list[Org]:
        return [_org_from_row(r) for r in self._q(self._ORG_SELECT + " ORDER BY o.key")]

    def get_org(self, key: str) -> Org:
        row = self._one(self._ORG_SELECT + " WHERE o.key = ? COLLATE NOCASE", (key,))
        if row is None:
            raise NotFoundError(_("unknown agency") + f' "{key}" (' + _("see `actionplan orgs`") + ")")
        return _org_from_row(row)

    def find_orgs(self, term: str) -> list[Org]:
        """Orgs whose key equals *term*, or whose names contain it (accents optional)."""
        exact = self._q(self._ORG_SELECT + " WHERE o.key = ? COLLATE NOCASE", (term,))
        if exact:
            return [_org_from_row(r) for r in exact]
        like = "%" + fold(term).replace("%", "").replace("_", "") + "%"
        return [_org_from_row(r) for r in self._q(self._ORG_SELECT + " WHERE o.search LIKE ? ORDER BY o.key", (like,))]

    def resolve_org(self, term: str, field_name: str = "lead") -> Org:
        """Exactly one org for *term*, else a ValidationError naming the field."""
        found = self.find_orgs(term.strip())
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(_("unknown agency") + f' "{term}" (' + _("see `actionplan orgs`") + ")", field_name)
        raise ValidationError(f'"{term}" ' + _("matches several agencies: ")
                              + ", ".join(o.key for o in found[:8]), field_name)

    def _org_words(self) -> dict[str, str]:
        """Folded names of each org (key -> words), cached per transaction."""
        if self._org_words_cache is None:
            self._org_words_cache = {r["key"]: r["search"] for r in self._q("SELECT key, search FROM orgs")}
        return self._org_words_cache

    def _org_ids(self) -> dict[str, int]:
        return {r["key"]: r["id"] for r in self._q("SELECT id, key FROM orgs")}

    def _variable_limit(self) -> int:
        """How many ``?`` one statement may hold (999 in old SQLite builds, 32766 or more since 3.32)."""
        return self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)

    def _org_rows(self) -> dict[str, sqlite3.Row]:
        """Every org's row by key (read once per imported file, not once per org)."""
        return {r["key"]: r for r in self._q(self._ORG_SELECT)}

    def _upsert_org(self, org: Org, cid: int, report: ImportReport | None = None,
                    rows: dict[str, sqlite3.Row] | None = None, ids: dict[str, int] | None = None) -> None:
        """Add or update *org*; *rows* and *ids* (from ``_org_rows``/``_org_ids``, kept up to date
        here) spare a bulk import two queries per org."""
        ids = self._org_ids() if ids is None else ids
        parent_id = ids.get(org.parent) if org.parent else None
        search = fold(" ".join([org.key, org.name, org.short_name]))
        row = self._one(self._ORG_SELECT + " WHERE o.key = ?", (org.key,)) if rows is None else rows.get(org.key)
        values = {"name": org.name, "short_name": org.short_name, "head": org.head,
                  "head_title": org.head_title, "email": org.email}
        if row is None:
            self._org_words_cache = None
            cur = self.conn.execute(
                "INSERT INTO orgs(key, name, short_name, parent_id, head, head_title, email, search, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (org.key, org.name, org.short_name, parent_id, org.head, org.head_title, org.email, search,
                 self._now()))
            ids[org.key] = int(cur.lastrowid)
            self._record(cid, "org", int(cur.lastrowid), org.key, "*created*", None, org.name)
            if report:
                report.orgs_added.append(org.key)
            return
        old = _org_from_row(row)
        diffs = {k: (getattr(old, k), v) for k, v in values.items() if getattr(old, k) != v}
        if old.parent != org.parent:
            diffs["parent"] = (old.parent, org.parent)
        if not diffs:
            return
        self._org_words_cache = None
        self.conn.execute(
            "UPDATE orgs SET name=?, short_name=?, parent_id=?, head=?, head_title=?, email=?, search=?, "
            "version=version+1, updated_at=? WHERE id=?",
            (org.name, org.short_name, parent_id, org.head, org.head_title, org.email, search, self._now(), old.id))
        for name, (a, b) in diffs.items():
            self._record(cid, "org", old.id or 0, org.key, name, a or None, b or None)
        if report:
            report.orgs_changed.append(org.key)
        if search != row["search"]:
            self._renew_search_of_lead(old.id or 0)

    def _renew_search_of_lead(self, org_id: int) -> None:
        """Tasks carry their lead agency's names in their search text: renew it after a rename."""
        self._org_words_cache = None
        words = self._org_words()
        tasks = [_task_from_row(r) for r in self._q(_TASK_SELECT + " WHERE t.lead_id = ?", (org_id,))]
        self.conn.executemany("UPDATE tasks SET search_text = ? WHERE id = ?",
                              [(_search_text(t, words.get(t.lead, "")), t.id) for t in tasks])

    def save_org(self, org: Org) -> None:
        """Add or update one org (by key)."""
        if not model.ORG_KEY_RE.match(org.key):
            raise ValidationError(_("org key must be upper-case letters, digits and dashes, like MPS"), "key")
        if not org.name.strip():
            raise ValidationError(_("an org needs a name"), "name")
        with self.write():
            if org.parent and org.parent not in self._org_ids():
                raise ValidationError(_("unknown agency") + f' "{org.parent}"', "parent")
            parents = {o.key: o.parent for o in self.list_orgs()} | {org.key: org.parent}
            cycle = model.find_cycle({k: [v] if v else [] for k, v in parents.items()})
            if cycle:
                raise ValidationError(_("org parent cycle: ") + " -> ".join(cycle), "parent")
            cid = self._begin_change("org", org.key)
            self._upsert_org(replace(org, name=clean(org.name)), cid)

    # tasks: reading ------------------------------------------------------------------------

    def get_task(self, ref: str) -> Task:
        """The task ``PLAN/KEY``; NotFoundError names what exists."""
        plan_key, sep, key = ref.partition("/")
        if not sep or not plan_key or not key:
            raise NotFoundError(f'"{ref}": ' + _("a task is named PLAN/KEY, for example cyber-2026/2.3"))
        row = self._one(_TASK_SELECT + " WHERE p.key = ? AND t.key = ?", (plan_key, key))
        if row is None:
            self.get_plan(plan_key)
            raise NotFoundError(_("no task") + f' "{key}" ' + _("in plan") + f' "{plan_key}"')
        return _task_from_row(row)

    def get_task_by_id(self, task_id: int) -> Task:
        row = self._one(_TASK_SELECT + " WHERE t.id = ?", (task_id,))
        if row is None:
            raise NotFoundError(_("the task no longer exists"))
        return _task_from_row(row)

    def _filter_sql(self, f: TaskFilter, today: date) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if f.plans:
            where.append("p.key IN (%s)" % ",".join("?" * len(f.plans)))
            params += f.plans
        for terms, column in ((f.leads, "lead"), (f.coordinating, "coord"), (f.involving, "org")):
            if not terms:
                continue
            ids: list[int] = []
            for term in terms:
                ids += [o.id for o in self.find_orgs(term) if o.id is not None]
            marks = ",".join("?" * len(ids)) or "NULL"
            lead_sql = f"t.lead_id IN ({marks})"
            coord_sql = f"EXISTS (SELECT 1 FROM task_coordinators c WHERE c.task_id = t.id AND c.org_id IN ({marks}))"
            if column == "lead":
                where.append(lead_sql)
                params += ids
            elif column == "coord":
                where.append(coord_sql)
                params += ids
            else:
                where.append(f"({lead_sql} OR {coord_sql})")
                params += ids + ids
        if f.accountable:
            if f.accountable_exact:  # a feed or export for one person: that person only
                where.append("t.accountable = ? COLLATE NOCASE")
                params.append(f.accountable)
            else:  # the filter language's who:NAME finds the name inside the field; % and _ are literal
                escaped = f.accountable.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                where.append("t.accountable LIKE ? ESCAPE '\\'")
                params.append(f"%{escaped}%")
        closed = sorted(CLOSED_STATUSES)
        if f.open_only:
            where.append("t.status NOT IN (?, ?)")
            params += closed
        if f.closed_only:
            where.append("t.status IN (?, ?)")
            params += closed
        if f.statuses:
            where.append("t.status IN (%s)" % ",".join("?" * len(f.statuses)))
            params += f.statuses
        for tag in f.tags:
            where.append("EXISTS (SELECT 1 FROM task_tags g WHERE g.task_id = t.id AND g.tag = ?)")
            params.append(tag)
        if f.priorities:
            where.append("t.priority IN (%s)" % ",".join("?" * len(f.priorities)))
            params += f.priorities
        if f.due_before:
            where.append("t.deadline < ?")
            params.append(f.due_before.isoformat())
        if f.due_after:
            where.append("t.deadline > ?")
            params.append(f.due_after.isoformat())
        if f.overdue:  # model.is_overdue, as SQL
            where.append("t.deadline < ? AND t.status NOT IN (?, ?)")
            params += [today.isoformat()] + closed
        if f.due_within is not None:  # model.is_due_soon, as SQL
            from datetime import timedelta

            where.append("t.deadline >= ? AND t.deadline <= ? AND t.status NOT IN (?, ?)")
            params += [today.isoformat(), (today + timedelta(days=f.due_within)).isoformat()] + closed
        if f.top_level_only:
            where.append("t.parent_id IS NULL")
        # clean() drops control characters: a NUL ends FTS5's query text early ("unterminated string")
        words = [fold(clean(w)) for w in f.words if fold(clean(w)).strip('"* ')]
        if words:
            match = " ".join('"' + w.replace('"', "") + '"*' for w in words)
            where.append("t.id IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?)")
            params.append(match)
        return (" WHERE " + " AND ".join(where)) if where else "", params

    _ORDERS = {
        "deadline": "t.status IN ('done', 'cancelled'), t.deadline IS NULL, t.deadline, p.key, t.id",
        "key": "p.key, key_order(t.key), t.id",
        "plan": "p.key, key_order(t.key), t.id",
        "lead": "o.key, t.deadline IS NULL, t.deadline, t.id",
        "status": "t.status, t.deadline IS NULL, t.deadline, t.id",
        "progress": "t.progress, t.deadline IS NULL, t.deadline, t.id",
    }

    def _selection(self, f: TaskFilter | None, today: date, order: str, limit: int | None,
                   offset: int) -> tuple[str, list[Any]]:
        """WHERE ... ORDER BY ... [LIMIT] of a task listing, and its parameters."""
        where, params = self._filter_sql(f or TaskFilter(), today)
        sql = where + " ORDER BY " + self._ORDERS.get(order, self._ORDERS["deadline"])
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return sql, params

    def list_tasks(self, f: TaskFilter | None = None, *, today: date | None = None, order: str = "deadline",
                   limit: int | None = None, offset: int = 0) -> list[Task]:
        """Tasks matching the filter; ``order`` is deadline, key, plan or lead."""
        sql, params = self._selection(f, today or self.today(), order, limit, offset)
        return [_task_from_row(r) for r in self._q(_TASK_SELECT + sql, params)]

    def tasks_as_json(self, f: TaskFilter | None = None, *, today: date | None = None, order: str = "deadline",
                      limit: int | None = None) -> list[tuple[str, Task]]:
        """``list_tasks`` as JSON objects written by SQLite, for exporting many tasks fast.

        Each item is the task's stored fields as a JSON object (the fields of
        :class:`~actionplan.core.model.Task` in their order, as ``cli_support.task_json`` gives
        them) and a light Task holding what the derived fields are judged on (status,
        deadline, completion date).  Speed (issue 7): building every Task in Python and
        encoding it took 0.5 s of ``list --json`` on 10,000 tasks.
        """
        sql, params = self._selection(f, today or self.today(), order, limit, 0)
        cur = self.conn.cursor()
        cur.row_factory = None
        fromiso = date.fromisoformat
        return [(text, Task(plan="", key="", title="", lead="", status=status,
                            deadline=fromiso(deadline) if deadline else None,
                            completed_on=fromiso(done) if done else None))
                for text, status, deadline, done in cur.execute(_TASK_JSON_SELECT + sql, params)]

    def count_tasks(self, f: TaskFilter | None = None, *, today: date | None = None) -> int:
        today = today or self.today()
        where, params = self._filter_sql(f or TaskFilter(), today)
        sql = ("SELECT count(*) FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id"
               + where)
        return int(self._one(sql, params)[0])

    def brief_tasks(self, plans: Sequence[str] = (), leads: Sequence[str] = ()) -> list[Task]:
        """Every task with only the columns the roll-ups read (plan, key, parent, lead, status,
        progress, deadline, completed on): the fast path for 10,000s of tasks."""
        sql = ("SELECT p.key, t.key, pt.key, o.key, t.status, t.progress, t.deadline, t.completed_on "
               "FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id "
               "LEFT JOIN tasks pt ON pt.id = t.parent_id")
        where, params = [], []
        if plans:
            where.append("p.key IN (%s)" % ",".join("?" * len(plans)))
            params += list(plans)
        if leads:
            where.append("o.key IN (%s)" % ",".join("?" * len(leads)))
            params += list(leads)
        if where:
            sql += " WHERE " + " AND ".join(where)
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: much cheaper than sqlite3.Row for this many rows
        fromiso = date.fromisoformat
        return [Task(plan=r[0], key=r[1], title="", parent=r[2] or "", lead=r[3], status=r[4], progress=r[5],
                     deadline=fromiso(r[6]) if r[6] else None, completed_on=fromiso(r[7]) if r[7] else None)
                for r in cur.execute(sql, params).fetchall()]

    def plan_summaries(self, today: date | None = None, horizon: int = model.DEFAULT_HORIZON_DAYS,
                       plans: Sequence[str] = ()) -> list[PlanSummary]:
        """Per-plan counts and rolled-up progress, using the rules in model.py."""
        today = today or self.today()
        by_plan: dict[str, list[Task]] = {}
        for t in self.brief_tasks(plans):
            by_plan.setdefault(t.plan, []).append(t)
        return [model.summarise_plan(plan, by_plan.get(plan.key, []), today, horizon)
                for plan in self.list_plans() if not plans or plan.key in plans]

    def progress_by_ref(self, plans: Sequence[str] = ()) -> dict[str, float]:
        return model.rollup_progress(self.brief_tasks(plans))

    def accountability(self, today: date | None = None, plans: Sequence[str] = (),
                       leads: Sequence[str] = ()) -> list[OrgScore]:
        """One row per lead org, the worst first (model.score_orgs)."""
        today = today or self.today()
        names = {o.key: o.name for o in self.list_orgs()}
        return model.score_orgs(self.brief_tasks(plans, leads), today, names)

    def subtasks(self, ref: str) -> list[Task]:
        task = self.get_task(ref)
        rows = self._q(_TASK_SELECT + " WHERE t.parent_id = ?", (task.id,))
        return sorted((_task_from_row(r) for r in rows), key=lambda t: key_sort(t.key))

    def dependents(self, ref: str) -> list[str]:
        task = self.get_task(ref)
        rows = self._q("SELECT t.key FROM task_dependencies x JOIN tasks t ON t.id = x.task_id "
                       "WHERE x.depends_on_id = ?", (task.id,))
        return sorted((r["key"] for r in rows), key=key_sort)

    def task_keys(self, plan: str) -> list[str]:
        rows = self._q("SELECT t.key FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.key = ?", (plan,))
        return sorted((r["key"] for r in rows), key=key_sort)

    def tags(self) -> list[str]:
        return [r["tag"] for r in self._q("SELECT DISTINCT tag FROM task_tags ORDER BY tag")]

    def list_updates(self, ref: str) -> list[ProgressUpdate]:
        task = self.get_task(ref)
        rows = self._q("SELECT * FROM updates WHERE task_id = ? ORDER BY on_date, id", (task.id,))
        return [ProgressUpdate(id=r["id"], task=ref, on=date.fromisoformat(r["on_date"]), author=r["author"],
                               text=r["text"], progress=r["progress"]) for r in rows]

    def last_updates(self, task_ids: Sequence[int]) -> dict[int, ProgressUpdate]:
        """The newest progress note of each of the given tasks."""
        result: dict[int, ProgressUpdate] = {}
        ids = list(task_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rows = self._q(
                "SELECT u.* FROM updates u WHERE u.id IN (SELECT max(id) FROM updates WHERE task_id IN (%s) "
                "GROUP BY task_id)" % ",".join("?" * len(chunk)), chunk)
            for r in rows:
                result[r["task_id"]] = ProgressUpdate(id=r["id"], task="", on=date.fromisoformat(r["on_date"]),
                                                      author=r["author"], text=r["text"], progress=r["progress"])
        return result

    # tasks: writing ------------------------------------------------------------------------

    def _check_task(self, task: Task, plan_id: int, org_ids: dict[str, int]) -> None:
        problems = model.validate_task_fields(task)
        if problems:
            name, message = problems[0]
            raise ValidationError(message, name)
        if task.lead not in org_ids:
            raise ValidationError(_("unknown agency") + f' "{task.lead}" (' + _("see `actionplan orgs`") + ")", "lead")
        for key in task.coordinating:
            if key not in org_ids:
                raise ValidationError(_("unknown agency") + f' "{key}"', "coordinating")
        keys = {r["key"]: r["id"] for r in self._q("SELECT id, key FROM tasks WHERE plan_id = ?", (plan_id,))}
        if task.parent and task.parent not in keys:
            raise ValidationError(_("no task") + f' "{task.parent}" ' + _("in this plan"), "parent")
        for key in task.depends_on:
            if key not in keys:
                raise ValidationError(_("no task") + f' "{key}" ' + _("in this plan"), "depends_on")
        if task.recurrence:
            from actionplan.core.recurrence import RecurrenceError, validate_rrule

            try:
                validate_rrule(task.recurrence)
            except RecurrenceError as e:
                raise ValidationError(str(e), "recurrence") from None
        # cycles through the new parent / dependencies
        parents = {r["key"]: r["parent_key"] for r in self._q(
            "SELECT t.key, pt.key AS parent_key FROM tasks t LEFT JOIN tasks pt ON pt.id = t.parent_id "
            "WHERE t.plan_id = ?", (plan_id,))}
        parents[task.key] = task.parent or None
        cycle = model.find_cycle({k: [v] if v else [] for k, v in parents.items()})
        if cycle:
            raise ValidationError(_("parent cycle: ") + " -> ".join(cycle), "parent")
        deps: dict[str, list[str]] = {}
        for r in self._q("SELECT a.key AS a, b.key AS b FROM task_dependencies x JOIN tasks a ON a.id = x.task_id "
                         "JOIN tasks b ON b.id = x.depends_on_id WHERE a.plan_id = ?", (plan_id,)):
            deps.setdefault(r["a"], []).append(r["b"])
        deps[task.key] = list(task.depends_on)
        cycle = model.find_cycle(deps)
        if cycle:
            raise ValidationError(_("dependency cycle: ") + " -> ".join(cycle), "depends_on")

    def _task_columns(self, task: Task, plan_id: int, org_ids: dict[str, int], parent_id: int | None) -> dict[str, Any]:
        kpi = task.kpi
        return {
            "plan_id": plan_id, "key": task.key, "parent_id": parent_id, "title": clean_line(task.title),
            "description": clean(task.description), "lead_id": org_ids[task.lead],
            "accountable": clean_line(task.accountable), "start": _iso(task.start), "deadline": _iso(task.deadline),
            "deadline_text": task.deadline_text, "recurrence": task.recurrence, "status": str(task.status),
            "progress": task.progress, "priority": str(task.priority), "output": clean(task.output),
            "kpi_metric": clean(kpi.metric) if kpi else None, "kpi_target": kpi.target if kpi else None,
            "kpi_current": kpi.current if kpi else None, "kpi_unit": kpi.unit if kpi else None,
            "kpi_baseline": kpi.baseline if kpi else None, "evidence": clean(task.evidence),
            "completed_on": _iso(task.completed_on), "blocked_reason": clean(task.blocked_reason),
            "source": clean_line(task.source), "search_text": _search_text(task, self._org_words().get(task.lead, "")),
        }

    def _write_links(self, task_id: int, task: Task, org_ids: dict[str, int], key_ids: dict[str, int],
                     replace_existing: bool = True) -> None:
        if replace_existing:
            for table in ("task_coordinators", "task_dependencies", "task_tags"):
                self.conn.execute(f"DELETE FROM {table} WHERE task_id = ?", (task_id,))
        self.conn.executemany("INSERT INTO task_coordinators(task_id, org_id, position) VALUES (?, ?, ?)",
                              [(task_id, org_ids[k], i) for i, k in enumerate(dict.fromkeys(task.coordinating))])
        self.conn.executemany("INSERT INTO task_dependencies(task_id, depends_on_id, position) VALUES (?, ?, ?)",
                              [(task_id, key_ids[k], i) for i, k in enumerate(dict.fromkeys(task.depends_on))])
        self.conn.executemany("INSERT INTO task_tags(task_id, tag, position) VALUES (?, ?, ?)",
                              [(task_id, clean(k), i) for i, k in enumerate(dict.fromkeys(task.tags))])

    def add_task(self, task: Task) -> Task:
        """Add a new task to its plan; returns it as stored."""
        with self.write():
            plan = self.get_plan(task.plan)
            if self._one("SELECT 1 FROM tasks WHERE plan_id = ? AND key = ?", (plan.id, task.key)):
                raise ValidationError(_("a task with this key already exists in the plan") + f': "{task.key}"', "key")
            org_ids = self._org_ids()
            self._check_task(task, plan.id, org_ids)
            key_ids = {r["key"]: r["id"] for r in self._q("SELECT id, key FROM tasks WHERE plan_id = ?", (plan.id,))}
            cols = self._task_columns(task, plan.id, org_ids, key_ids.get(task.parent))
            now = self._now()
            cols.update(created_at=now, updated_at=now, version=1)
            cur = self.conn.execute("INSERT INTO tasks(%s) VALUES (%s)" % (",".join(cols), ",".join("?" * len(cols))),
                                    list(cols.values()))
            task_id = int(cur.lastrowid)
            self._write_links(task_id, task, org_ids, key_ids, replace_existing=False)
            cid = self._begin_change("add", f"{task.ref} {task.title}")
            self._record(cid, "task", task_id, task.ref, "*created*", None, task.title)
            return self.get_task_by_id(task_id)

    def update_task(self, ref: str, changes: dict[str, Any], expected_version: int, *, action: str = "edit",
                    summary: str = "", undo_of: int | None = None) -> Task:
        """Change fields of a task read at ``expected_version``.

        ``changes`` maps Task attribute names (and ``kpi``) to typed values.
        Raises ConflictError when the task was saved by someone else since,
        ValidationError for a broken rule; in both cases nothing is written.
        """
        unknown = set(changes) - {f.name for f in dc_fields(Task)} - {"kpi"}
        if unknown or {"plan", "key", "id", "version"} & set(changes):
            bad = sorted(unknown | ({"plan", "key", "id", "version"} & set(changes)))
            raise ValidationError(_("cannot change field") + " " + ", ".join(bad), bad[0])
        with self.write():
            current = self.get_task(ref)
            if current.version != expected_version:
                raise ConflictError(
                    f"{ref}: " + _("changed by someone else since you read it")
                    + f" (" + _("your version") + f" {expected_version}, " + _("now") + f" {current.version}); "
                    + _("nothing was saved: reload and apply your change again"),
                    theirs=current, yours=changes)
            new = replace(current, **changes)
            new = model.apply_status_rules(current, new, self.today())
            plan = self.get_plan(current.plan)
            org_ids = self._org_ids()
            self._check_task(new, plan.id, org_ids)
            old_values, new_values = task_field_values(current), task_field_values(new)
            diffs = [(k, old_values[k], new_values[k]) for k in TASK_FIELDS if old_values[k] != new_values[k]]
            if not diffs:
                return current
            key_ids = {r["key"]: r["id"] for r in self._q("SELECT id, key FROM tasks WHERE plan_id = ?", (plan.id,))}
            cols = self._task_columns(new, plan.id, org_ids, key_ids.get(new.parent))
            cols["updated_at"] = self._now()
            sets = ", ".join(f"{c} = ?" for c in cols)
            cur = self.conn.execute(f"UPDATE tasks SET {sets}, version = version + 1 WHERE id = ? AND version = ?",
                                    list(cols.values()) + [current.id, expected_version])
            if cur.rowcount != 1:  # pragma: no cover - guarded by BEGIN IMMEDIATE above
                raise ConflictError(f"{ref}: " + _("changed by someone else since you read it"), theirs=current)
            if any(k in LIST_FIELDS for k, _o, _n in diffs):
                self._write_links(current.id, new, org_ids, key_ids)
            cid = self._begin_change(action, summary or f"{ref}: " + ", ".join(k for k, _o, _n in diffs), undo_of)
            for name, old, value in diffs:
                self._record(cid, "task", current.id, ref, name, old, value)
            return self.get_task_by_id(current.id)

    def mark_done(self, ref: str, evidence: str, expected_version: int, on: date | None = None) -> Task:
        """Close a task with its completion evidence.

        A recurring duty is not closed: the period is recorded as a progress
        note and the deadline moves to the next occurrence.
        """
        if not evidence.strip():
            raise ValidationError(_("give the completion evidence (what was delivered, where)"), "evidence")
        on = on or self.today()
        with self.write():
            task = self.get_task(ref)
            if task.status == TaskStatus.DONE and task.version == expected_version:
                raise ValidationError(_("the task is already done") + f" ({task.completed_on}); "
                                      + _("reopen it first by changing its status"), "status")
            if task.recurrence and task.deadline:
                from actionplan.core.recurrence import next_occurrence
                from datetime import timedelta

                start = task.start or task.deadline
                nxt = next_occurrence(task.recurrence, start, task.deadline + timedelta(days=1))
                if nxt is not None:
                    new = self.update_task(ref, {"deadline": nxt, "deadline_text": "", "evidence": clean(evidence),
                                                 "progress": 0}, expected_version, action="done",
                                           summary=f"{ref}: " + _("period done, next deadline") + f" {nxt}")
                    # the period's note belongs to the same change, so undo removes it too
                    note = _("Done for the period due") + f" {task.deadline.isoformat()}: {evidence}"
                    note_id = self._add_note(task, note, None, on)
                    cid = self._one("SELECT max(id) FROM changes")[0]
                    self._record(cid, "task", task.id, ref, "note", None, str(note_id))
                    return new
            return self.update_task(ref, {"status": TaskStatus.DONE, "evidence": clean(evidence), "completed_on": on,
                                          "progress": 100}, expected_version, action="done", summary=f"{ref}: done")

    def _add_note(self, task: Task, text: str, progress: int | None, on: date) -> int:
        cur = self.conn.execute(
            "INSERT INTO updates(task_id, on_date, author, text, progress, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (task.id, on.isoformat(), self.actor, clean(text), progress, self._now()))
        return int(cur.lastrowid)

    def add_note(self, ref: str, text: str, progress: int | None = None, *, on: date | None = None,
                 expected_version: int | None = None) -> Task:
        """Record a dated progress note; with ``progress`` the task's % changes too."""
        if not text.strip():
            raise ValidationError(_("a progress note needs some text"), "text")
        on = on or self.today()
        with self.write():
            task = self.get_task(ref)
            if expected_version is not None and task.version != expected_version:
                raise ConflictError(f"{ref}: " + _("changed by someone else since you read it")
                                    + "; " + _("nothing was saved: reload and apply your change again"), theirs=task)
            note_id = self._add_note(task, text, progress, on)
            cid = self._begin_change("note", f"{ref}: {text[:60]}")
            self._record(cid, "task", task.id, ref, "note", None, str(note_id))
            if progress is not None and progress != task.progress:
                changes: dict[str, Any] = {"progress": progress}
                if task.status == TaskStatus.NOT_STARTED and progress > 0:
                    changes["status"] = TaskStatus.IN_PROGRESS
                new = model.apply_status_rules(task, replace(task, **changes), self.today())
                self.conn.execute("UPDATE tasks SET progress = ?, status = ?, version = version + 1, updated_at = ? "
                                  "WHERE id = ?", (new.progress, str(new.status), self._now(), task.id))
                self._record(cid, "task", task.id, ref, "progress", str(task.progress), str(new.progress))
                if new.status != task.status:
                    self._record(cid, "task", task.id, ref, "status", str(task.status), str(new.status))
            return self.get_task_by_id(task.id)

    def delete_task(self, ref: str, expected_version: int) -> None:
        """Remove a task that nothing depends on and that has no subtasks."""
        with self.write():
            task = self.get_task(ref)
            if task.version != expected_version:
                raise ConflictError(f"{ref}: " + _("changed by someone else since you read it"), theirs=task)
            if self._one("SELECT 1 FROM tasks WHERE parent_id = ?", (task.id,)):
                raise ValidationError(_("the task has subtasks; delete or move them first"), "key")
            if self._one("SELECT 1 FROM task_dependencies WHERE depends_on_id = ?", (task.id,)):
                raise ValidationError(_("other tasks depend on this one"), "key")
            cid = self._begin_change("delete", f"{ref} {task.title}")
            for name, value in task_field_values(task).items():
                if value is not None:
                    self._record(cid, "task", task.id, ref, name, value, None)
            self._record(cid, "task", task.id, ref, "*deleted*", task.title, None)
            self.conn.execute("DELETE FROM tasks WHERE id = ?", (task.id,))

    # undo ------------------------------------------------------------------------------------

    def undo(self, actor: str | None = None) -> str:
        """Undo the newest change (of *actor*, if given); returns what was undone."""
        with self.write():
            change = self.last_change(actor)
            if change is None:
                raise StoreError(_("nothing to undo"))
            rows = self._q("SELECT * FROM history WHERE change_id = ? ORDER BY id DESC", (change["id"],))
            tasks = {r["entity_id"] for r in rows if r["entity"] == "task"}
            if any(r["entity"] != "task" for r in rows) or len(tasks) != 1:
                raise StoreError(_("the last change") + f' ("{change["summary"]}") '
                                 + _("cannot be undone here; edit the plan file and import it again"))
            task_id = tasks.pop()
            fields_ = {r["field"] for r in rows}
            # later changes that were undone, and the undos themselves, no longer stand in the way
            later = self._one("SELECT 1 FROM history h JOIN changes c ON c.id = h.change_id WHERE h.entity = 'task' "
                              "AND h.entity_id = ? AND h.change_id > ? AND c.undone_by IS NULL "
                              "AND c.undo_of IS NULL", (task_id, change["id"]))
            if later:
                raise ConflictError(_("the task was changed again since; undo that change first"))
            if "*created*" in fields_:
                task = self.get_task_by_id(task_id)
                if self._one("SELECT 1 FROM tasks WHERE parent_id = ?", (task_id,)) or self._one(
                        "SELECT 1 FROM task_dependencies WHERE depends_on_id = ?", (task_id,)):
                    raise StoreError(_("other tasks refer to this task; it cannot be removed"))
                cid = self._begin_change("undo", _("undo: ") + change["summary"], undo_of=change["id"])
                self._record(cid, "task", task_id, task.ref, "*deleted*", task.title, None)
                self.conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
            elif "*deleted*" in fields_:
                raise StoreError(_("a deleted task cannot be brought back by undo; import it again"))
            else:
                task = self.get_task_by_id(task_id)
                notes = [r for r in rows if r["field"] == "note"]
                typed = {r["field"]: self._typed(r["field"], r["old"]) for r in rows if r["field"] != "note"}
                changes = _fold_kpi(task, typed)
                before = self._one("SELECT max(id) FROM changes")[0]
                if changes:
                    task = self.update_task(task.ref, changes, task.version, action="undo",
                                            summary=_("undo: ") + change["summary"], undo_of=change["id"])
                cid = self._one("SELECT max(id) FROM changes")[0]
                if cid == before:  # nothing to set back (or only notes): the undo is a change of its own
                    cid = self._begin_change("undo", _("undo: ") + change["summary"], undo_of=change["id"])
                for r in notes:
                    self.conn.execute("DELETE FROM updates WHERE id = ?", (int(r["new"]),))
                    self._record(cid, "task", task_id, task.ref, "note", r["new"], None)
            self.conn.execute("UPDATE changes SET undone_by = ? WHERE id = ?", (cid, change["id"]))
            return change["summary"]

    def _typed(self, name: str, text: str | None) -> Any:
        if name in LIST_FIELDS:
            return [p.strip() for p in text.split(",")] if text else []
        if name in ("start", "deadline", "completed_on"):
            return _d(text)
        if name == "progress":
            return int(text) if text else 0
        if name in ("kpi_target", "kpi_current", "kpi_baseline"):
            return _num(float(text)) if text else None
        if name in ("status", "priority") and not text:
            return TaskStatus.NOT_STARTED if name == "status" else model.Priority.NORMAL
        return text or ""

    # digests, iCal cache and feeds --------------------------------------------------------------

    def record_digest(self, as_of: date, since: str | None, params: dict[str, Any]) -> None:
        with self.write():
            self.conn.execute("INSERT INTO digests(as_of, since, created_at, actor, params) VALUES (?, ?, ?, ?, ?)",
                              (as_of.isoformat(), since, self._now(), self.actor, json.dumps(params, sort_keys=True)))

    def last_digest(self, before: date | None = None) -> dict[str, Any] | None:
        sql, params = "SELECT * FROM digests", []
        if before:
            sql += " WHERE as_of < ?"
            params.append(before.isoformat())
        row = self._one(sql + " ORDER BY as_of DESC, id DESC LIMIT 1", params)
        return dict(row) if row else None

    # --- digest queries (issue 6) ------------------------------------------------------------

    def _scoped_sql(self, plans: Sequence[str], leads: Sequence[str],
                    conditions: Sequence[str]) -> tuple[str, list[Any]]:
        """WHERE clause for tasks of some plans / lead orgs plus extra *conditions*."""
        # no date-dependent filter here, so the day passed does not matter
        where, params = self._filter_sql(TaskFilter(plans=list(plans), leads=list(leads)), date.min)
        extra = " AND ".join(f"({c})" for c in conditions)
        if extra:
            where = f"{where} AND {extra}" if where else f" WHERE {extra}"
        return where, params

    _BARE_TASK_SELECT = ("SELECT t.*, p.key AS plan_key, o.key AS lead_key, o.name AS lead_name, "
                         "pt.key AS parent_key, NULL AS coord_keys, NULL AS dep_keys, NULL AS tag_list "
                         "FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id "
                         "LEFT JOIN tasks pt ON pt.id = t.parent_id")

    def list_bare_tasks(self, f: TaskFilter, *, today: date | None = None) -> list[Task]:
        """Like ``list_tasks`` (deadline order) but without coordinating orgs, dependencies and tags.

        Those lists stay empty: for reports that never show them (the digest),
        where reading them for thousands of tasks is the slow part.
        """
        today = today or self.today()
        where, params = self._filter_sql(f, today)
        sql = self._BARE_TASK_SELECT + where + " ORDER BY t.deadline IS NULL, t.deadline, p.key, t.id"
        return [_task_from_row(r) for r in self._q(sql, params)]

    def count_by_plan(self, f: TaskFilter, *, today: date | None = None) -> dict[str, int]:
        """How many tasks match the filter in each plan (plan key -> count; plans with none left out)."""
        today = today or self.today()
        where, params = self._filter_sql(f, today)
        sql = ("SELECT p.key AS plan, count(*) AS n FROM tasks t JOIN plans p ON p.id = t.plan_id "
               "JOIN orgs o ON o.id = t.lead_id" + where + " GROUP BY p.key")
        return {r["plan"]: int(r["n"]) for r in self._q(sql, params)}

    def completed_between(self, start_at: str, end_at: str, first_day: date, last_day: date,
                          plans: Sequence[str] = (), leads: Sequence[str] = ()) -> list[Task]:
        """Done tasks (bare: see ``list_bare_tasks``) completed from *first_day* to *last_day*, or recorded then.

        A task counts when its completion date falls in the days, or when the
        completion was recorded (history of ``completed_on``) between the UTC
        timestamps *start_at* (inclusive) and *end_at* (exclusive), so a
        completion entered late with an earlier date is not lost.
        """
        where, params = self._scoped_sql(plans, leads, [
            "t.status = ?",
            "t.completed_on <= ?",
            "t.completed_on >= ? OR t.id IN (SELECT h.entity_id FROM history h JOIN changes c ON c.id = h.change_id "
            "WHERE h.field = 'completed_on' AND h.entity = 'task' AND h.new IS NOT NULL AND c.at >= ? AND c.at < ?)",
        ])
        params += [str(TaskStatus.DONE), last_day.isoformat(), first_day.isoformat(), start_at, end_at]
        rows = self._q(self._BARE_TASK_SELECT + where + " ORDER BY t.completed_on, p.key, t.id", params)
        return [_task_from_row(r) for r in rows]

    def rollups(self, today: date, horizon: int = model.DEFAULT_HORIZON_DAYS, plans: Sequence[str] = (),
                leads: Sequence[str] = ()) -> tuple[list[PlanSummary], list[OrgScore]]:
        """``plan_summaries(today, horizon, plans)`` and ``accountability(today, plans, leads)`` at once.

        The same figures, from one read of the task briefs (the digest needs
        both, and on 10,000 tasks reading them twice shows).
        """
        tasks = self.brief_tasks(plans)
        by_plan: dict[str, list[Task]] = {}
        for t in tasks:
            by_plan.setdefault(t.plan, []).append(t)
        summaries = [model.summarise_plan(plan, by_plan.get(plan.key, []), today, horizon)
                     for plan in self.list_plans() if not plans or plan.key in plans]
        led = [t for t in tasks if t.lead in leads] if leads else tasks
        names = {o.key: o.name for o in self.list_orgs()}
        return summaries, model.score_orgs(led, today, names)

    def kpi_tasks(self, plans: Sequence[str] = (), leads: Sequence[str] = ()) -> list[Task]:
        """Tasks that carry a KPI, in plan and key order (bare: see ``list_bare_tasks``)."""
        where, params = self._scoped_sql(plans, leads, ["t.kpi_metric IS NOT NULL AND t.kpi_metric != ''"])
        tasks = [_task_from_row(r) for r in self._q(self._BARE_TASK_SELECT + where, params)]
        return sorted(tasks, key=lambda t: (t.plan, key_sort(t.key)))

    def tasks_by_refs(self, refs: Iterable[str]) -> dict[str, Task]:
        """The tasks named ``PLAN/KEY`` that still exist, by ref (unknown refs are left out)."""
        by_plan: dict[str, set[str]] = {}
        for ref in refs:
            plan, sep, key = ref.partition("/")
            if sep:
                by_plan.setdefault(plan, set()).add(key)
        result: dict[str, Task] = {}
        for plan, keys in sorted(by_plan.items()):
            ordered = sorted(keys)
            for i in range(0, len(ordered), 500):
                chunk = ordered[i:i + 500]
                rows = self._q(_TASK_SELECT + " WHERE p.key = ? AND t.key IN (%s)" % ",".join("?" * len(chunk)),
                               [plan, *chunk])
                for r in rows:
                    task = _task_from_row(r)
                    result[task.ref] = task
        return result

    def cached_events(self, task_ids: Sequence[int], options: str) -> dict[int, tuple[int, str]]:
        """Serialised iCal events by task id: (task version, text)."""
        result: dict[int, tuple[int, str]] = {}
        ids = list(task_ids)
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            for r in self._q("SELECT task_id, version, body FROM ical_cache WHERE options = ? AND task_id IN (%s)"
                             % ",".join("?" * len(chunk)), [options] + chunk):
                result[r["task_id"]] = (r["version"], r["body"])
        return result

    def store_events(self, options: str, events: Iterable[tuple[int, int, str]]) -> None:
        """Keep serialised events (task id, version, text) for the next export."""
        with self.write():
            self.conn.executemany("INSERT OR REPLACE INTO ical_cache(task_id, options, version, body) VALUES (?, ?, ?, ?)",
                                  [(tid, options, ver, body) for tid, ver, body in events])

    # --- issue 5: iCal export -------------------------------------------------------------------

    def task_versions(self, f: TaskFilter | None = None, *,
                      today: date | None = None) -> list[tuple[int, int, str, str]]:
        """(task id, version, plan key, task key) of the tasks matching *f*, without loading them.

        Cheap for 10,000 tasks: the iCal export checks its cache with these and
        loads whole tasks (:meth:`tasks_by_ids`) only for events it must rebuild.
        """
        today = today or self.today()
        where, params = self._filter_sql(f or TaskFilter(), today)
        sql = ("SELECT t.id, t.version, p.key AS plan_key, t.key FROM tasks t JOIN plans p ON p.id = t.plan_id "
               "JOIN orgs o ON o.id = t.lead_id" + where)
        return [(r[0], r[1], r[2], r[3]) for r in self._q(sql, params)]

    def tasks_by_ids(self, task_ids: Sequence[int]) -> dict[int, Task]:
        """Whole tasks by id (ids that no longer exist are left out)."""
        result: dict[int, Task] = {}
        ids = list(task_ids)
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            for r in self._q(_TASK_SELECT + " WHERE t.id IN (%s)" % ",".join("?" * len(chunk)), chunk):
                result[r["id"]] = _task_from_row(r)
        return result

    def set_plan_reminders(self, key: str, reminders: str) -> None:
        """Set a plan's own reminder offsets (e.g. "P14D,P3D"; "" falls back to the database's)."""
        with self.write():
            plan = self.get_plan(key)
            old = self.plan_reminders(key)
            # a new version: the plan's calendar events change (their alarms), so must their SEQUENCE
            self.conn.execute("UPDATE plans SET reminders = ?, version = version + 1, updated_at = ? WHERE id = ?",
                              (reminders, self._now(), plan.id))
            cid = self._begin_change("setting", f"{key} reminders = {reminders}")
            self._record(cid, "plan", plan.id or 0, key, "reminders", old or None, reminders or None)

    def data_stamp(self) -> str:
        """Changes whenever any task, plan or org changes (for ETags and caches)."""
        row = self._one("SELECT (SELECT max(id) FROM changes) AS c, (SELECT count(*) FROM tasks) AS n")
        return f"{row['c'] or 0}-{row['n']}"

    def event_revisions(self) -> tuple[dict[str, tuple[int, str | None]], int, str | None]:
        """What besides a task goes into its calendar events, as counters that only go up.

        Each plan's (version, last change); and, for the agencies' names and the settings
        (default reminders), the sum of the agencies' versions plus the number of settings
        ever changed, with the latest of those changes.  See ical_events.sequence.
        """
        plans = {r["key"]: (int(r["version"]), r["updated_at"]) for r in self._q(
            "SELECT key, version, updated_at FROM plans")}
        row = self._one("SELECT (SELECT coalesce(sum(version), 0) FROM orgs) + "
                        "(SELECT count(*) FROM history WHERE entity = 'setting') AS revision, "
                        "max(coalesce((SELECT max(updated_at) FROM orgs), ''), coalesce((SELECT max(c.at) "
                        "FROM changes c JOIN history h ON h.change_id = c.id WHERE h.entity = 'setting'), '')) AS at")
        return plans, int(row["revision"]), row["at"] or None

    def last_change_at(self) -> str | None:
        row = self._one("SELECT max(at) AS at FROM changes")
        return row["at"] if row else None

    def add_feed(self, token: str, scope_kind: str, scope_value: str, label: str = "",
                 options: dict[str, Any] | None = None) -> int:
        with self.write():
            cur = self.conn.execute(
                "INSERT INTO feeds(token_hash, label, scope_kind, scope_value, options, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (hash_token(token), clean(label), scope_kind, scope_value, json.dumps(options or {}, sort_keys=True),
                 self._now(), self.actor))
            return int(cur.lastrowid)

    def list_feeds(self, include_revoked: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT id, label, scope_kind, scope_value, options, created_at, created_by, revoked_at FROM feeds"
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        return [dict(r) for r in self._q(sql + " ORDER BY id")]

    def revoke_feed(self, feed_id: int) -> None:
        with self.write():
            cur = self.conn.execute("UPDATE feeds SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                                    (self._now(), feed_id))
            if cur.rowcount != 1:
                raise NotFoundError(_("no active feed with id") + f" {feed_id}")

    def feed_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM feeds WHERE token_hash = ? AND revoked_at IS NULL", (token_hash,))
        return dict(row) if row else None

    def active_feed_hashes(self) -> list[tuple[str, int]]:
        return [(r["token_hash"], r["id"]) for r in self._q("SELECT token_hash, id FROM feeds WHERE revoked_at IS NULL")]

    # maintenance -----------------------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """Integrity and foreign-key problems, in words (empty when healthy)."""
        problems = [r[0] for r in self._q("PRAGMA integrity_check") if r[0] != "ok"]
        for r in self._q("PRAGMA foreign_key_check"):
            problems.append(f"{r[0]} row {r[1]} " + _("refers to a missing row in") + f" {r[2]}")
        if not problems:  # the search index against the tasks' text (rank 1: with the content table)
            try:
                self.conn.execute("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('integrity-check', 1)")
            except sqlite3.OperationalError:  # cannot run here (a read-only database): not a finding
                pass
            except sqlite3.DatabaseError:  # SQLITE_CORRUPT_VTAB: the index and the text differ
                problems.append(_("the search index does not match the tasks' text (searches may miss tasks)"))
        return problems

    def backup(self, target: str | Path) -> None:
        """A consistent copy made with SQLite's online backup API."""
        dest = sqlite3.connect(str(target))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    def counts(self) -> dict[str, int]:
        return {t: int(self._one(f"SELECT count(*) FROM {t}")[0]) for t in ("plans", "orgs", "tasks", "updates", "history")}

    # import / export -----------------------------------------------------------------------------

    def apply_plan(self, plan: Plan, orgs: Sequence[Org], tasks: Sequence[Task], *, prune: bool = False,
                   dry_run: bool = False) -> ImportReport:
        """Bring the store in line with a validated plan file, in one transaction.

        Updates by key; never duplicates.  Tasks missing from the file are
        listed, and deleted only with ``prune``.  With ``dry_run`` the
        transaction is rolled back and the report says what would happen.
        """
        return self.apply_plans([(plan, orgs, tasks)], prune=prune, dry_run=dry_run)[0]

    def apply_plans(self, items: Iterable[tuple[Plan, Sequence[Org], Sequence[Task]]], *, prune: bool = False,
                    dry_run: bool = False) -> list[ImportReport]:
        """Several plan files in one transaction: all land, or none.

        ``items`` may be a generator (a large import applies each file while the next ones
        are still being read); whatever it raises rolls the whole transaction back.
        """
        reports: list[ImportReport] = []
        self.conn.execute("BEGIN IMMEDIATE")
        self._org_words_cache = None
        try:
            self._search_index_merging(False)
            indexed_up_to = int(self._one("SELECT coalesce(max(id), 0) FROM tasks")[0])
            index_trigger = self._pause_indexing_of_new_tasks()
            for plan, orgs, tasks in items:
                reports.append(ImportReport(plan=plan.key))
                self._apply_plan(plan, orgs, tasks, prune, reports[-1])
            if index_trigger is not None:  # every new task into the search index, in one statement
                self.conn.execute("INSERT INTO tasks_fts(rowid, search_text) SELECT id, search_text FROM tasks "
                                  "WHERE id > ?", (indexed_up_to,))
                self.conn.execute(index_trigger)
            self._search_index_merging(True, optimize=sum(len(r.added) for r in reports) >= BULK_TASKS)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("ROLLBACK" if dry_run else "COMMIT")
        return reports

    def _pause_indexing_of_new_tasks(self) -> str | None:
        """Drop the trigger that indexes each new task for search; return its SQL (None if absent).

        For an import, which then indexes all its new tasks in one statement (speed, issue 7:
        the index took 1.5 s of a 100k-task import, fed plan by plan; 0.8 s in one go) and
        creates the trigger again.  Schema changes are transactional in SQLite: a rollback,
        or a process killed before the commit, leaves the trigger as it was, and other
        connections keep seeing it until the import commits.
        """
        row = self._one("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'tasks_ai'")
        if row is None:
            return None
        self.conn.execute('DROP TRIGGER "tasks_ai"')
        return str(row["sql"])

    def _search_index_merging(self, on: bool, optimize: bool = False) -> None:
        """Pause (or resume) FTS5's merging of index segments during an import.

        Every INSERT statement adds a segment to the search index, and FTS5 merges them
        as they come (automerge, crisismerge); an import of many plans merged the same
        entries again and again (speed, issue 7: 1.5 s of a 100k-task import).  Paused,
        the segments pile up, and a bulk import merges them once at the end ("optimize":
        one segment, the best for searching); a small one leaves them to the next writes.
        The settings live in the database, inside this transaction: a rollback restores them.
        """
        automerge, crisismerge = (FTS_AUTOMERGE, FTS_CRISISMERGE) if on else (0, 64)
        self.conn.execute("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('automerge', ?)", (automerge,))
        self.conn.execute("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('crisismerge', ?)", (crisismerge,))
        if optimize:
            self.conn.execute("INSERT INTO tasks_fts(tasks_fts) VALUES ('optimize')")

    def _apply_plan(self, plan: Plan, orgs: Sequence[Org], tasks: Sequence[Task], prune: bool,
                    report: ImportReport) -> None:
        cid = self._begin_change("import", f"import {plan.key}")
        # orgs: parents first
        pending = list(orgs)
        org_rows, org_ids = self._org_rows(), self._org_ids()
        known = set(org_ids)
        for _round in range(len(pending) + 1):
            rest = []
            for org in pending:
                if org.parent and org.parent not in known and any(o.key == org.parent for o in pending):
                    rest.append(org)
                    continue
                self._upsert_org(org, cid, report, org_rows, org_ids)
                known.add(org.key)
            if not rest:
                break
            pending = rest
        # plan
        row = self._one("SELECT * FROM plans WHERE key = ?", (plan.key,))
        plan_cols = {"reference": plan.reference, "title": plan.title, "issuer": plan.issuer,
                     "issued_on": _iso(plan.issued_on), "period": plan.period, "status": str(plan.status)}
        if row is None:
            cur = self.conn.execute("INSERT INTO plans(key, %s, updated_at) VALUES (?, %s, ?)"
                                    % (",".join(plan_cols), ",".join("?" * len(plan_cols))),
                                    [plan.key, *plan_cols.values(), self._now()])
            plan_id = int(cur.lastrowid)
            report.plan_added = True
            self._record(cid, "plan", plan_id, plan.key, "*created*", None, plan.title)
        else:
            plan_id = row["id"]
            diffs = [(k, row[k], v) for k, v in plan_cols.items() if (row[k] or None) != (v or None)]
            if diffs:
                self.conn.execute("UPDATE plans SET %s, version = version + 1, updated_at = ? WHERE id = ?"
                                  % ", ".join(f"{k} = ?" for k in plan_cols), [*plan_cols.values(), self._now(), plan_id])
                report.plan_changed = True
                for k, a, b in diffs:
                    self._record(cid, "plan", plan_id, plan.key, k, a, b)
        # tasks
        existing = {t.key: t for t in (_task_from_row(r) for r in self._q(_TASK_SELECT + " WHERE t.plan_id = ?",
                                                                             (plan_id,)))}
        key_ids = {k: t.id for k, t in existing.items()}
        now = self._now()
        file_keys = set()
        links_to_write: list[tuple[int, Task, bool]] = []
        history_rows: list[tuple] = []
        # Speed (issue 7): new tasks get their ids up front (this transaction holds the write
        # lock) and are inserted all at once, each row complete with its parent (a second
        # UPDATE would index the row for search twice); their links are written with three
        # executemany calls per plan.
        next_id = int(self._one("SELECT coalesce(max(id), 0) FROM tasks")[0]) + 1
        for task in tasks:
            if task.key not in key_ids:
                key_ids[task.key] = next_id
                next_id += 1
        new_columns: list[str] = []
        new_rows: list[list[Any]] = []
        new_keys: list[str] = []
        link_rows: tuple[list, list, list] = ([], [], [])
        for task in tasks:
            file_keys.add(task.key)
            old = existing.get(task.key)
            cols = self._task_columns(task, plan_id, org_ids, None)
            cols.pop("parent_id")
            if old is None:
                task_id = key_ids[task.key]
                parent_id = key_ids[task.parent] if task.parent else None  # checked at the statement's end
                cols.update(id=task_id, parent_id=parent_id, created_at=now, updated_at=now, version=1)
                new_columns = new_columns or list(cols)
                new_rows.append(list(cols.values()))
                new_keys.append(task.key)
                report.added.append(task.key)
                history_rows.append((cid, "task", task_id, task.ref, "*created*", None, task.title))
                link_rows[0].extend((task_id, org_ids[k], i) for i, k in enumerate(dict.fromkeys(task.coordinating)))
                link_rows[1].extend((task_id, key_ids[k], i) for i, k in enumerate(dict.fromkeys(task.depends_on)))
                link_rows[2].extend((task_id, clean(k), i) for i, k in enumerate(dict.fromkeys(task.tags)))
                continue
            old_values, new_values = task_field_values(old), task_field_values(task)
            diffs = [(k, old_values[k], new_values[k]) for k in TASK_FIELDS if old_values[k] != new_values[k]]
            if not diffs:
                report.unchanged.append(task.key)
                continue
            cols["updated_at"] = now
            self.conn.execute("UPDATE tasks SET %s, version = version + 1 WHERE id = ?"
                              % ", ".join(f"{c} = ?" for c in cols), [*cols.values(), old.id])
            report.changed.append(task.key)
            history_rows += [(cid, "task", old.id, task.ref, k, a, b) for k, a, b in diffs]
            if any(k in LIST_FIELDS for k, _a, _b in diffs):
                links_to_write.append((old.id, task, True))
        if new_rows:
            # many rows per INSERT statement: the search index (FTS5) writes a segment at the
            # end of every statement, and a segment per task made bulk imports ten times slower
            # parents first: a foreign key is checked at the end of each statement, and a file
            # may list a subtask before its parent, hundreds of rows (statements) earlier
            new_rows = [new_rows[i] for i in _parents_first(new_keys, {t.key: t.parent for t in tasks})]
            row_marks = "(" + ",".join("?" * len(new_columns)) + ")"
            per_statement = max(1, min(500, self._variable_limit() // len(new_columns)))
            for at in range(0, len(new_rows), per_statement):
                chunk = new_rows[at: at + per_statement]
                self.conn.execute("INSERT INTO tasks(%s) VALUES %s" % (",".join(new_columns),
                                                                       ",".join([row_marks] * len(chunk))),
                                  [value for row in chunk for value in row])
        # parents and links once every task of the file has an id
        self.conn.executemany("UPDATE tasks SET parent_id = ? WHERE id = ? AND parent_id IS NOT ?",
                              [(key_ids[t.parent] if t.parent else None, key_ids[t.key],
                                key_ids[t.parent] if t.parent else None)
                               for t in tasks if t.key in existing])
        self.conn.executemany("INSERT INTO task_coordinators(task_id, org_id, position) VALUES (?, ?, ?)", link_rows[0])
        self.conn.executemany("INSERT INTO task_dependencies(task_id, depends_on_id, position) VALUES (?, ?, ?)",
                              link_rows[1])
        self.conn.executemany("INSERT INTO task_tags(task_id, tag, position) VALUES (?, ?, ?)", link_rows[2])
        for task_id, task, replace_existing in links_to_write:
            self._write_links(task_id, task, org_ids, key_ids, replace_existing)
        self.conn.executemany("INSERT INTO history(change_id, entity, entity_id, ref, field, old, new) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)", history_rows)
        missing = sorted(set(existing) - file_keys, key=key_sort)
        report.missing = missing
        if prune and missing:
            ids = [existing[k].id for k in missing]
            for k in missing:
                self._record(cid, "task", existing[k].id, existing[k].ref, "*deleted*", existing[k].title, None)
            self.conn.executemany("UPDATE tasks SET parent_id = NULL WHERE parent_id = ?", [(i,) for i in ids])
            self.conn.executemany("DELETE FROM tasks WHERE id = ?", [(i,) for i in ids])
            report.pruned = missing
        if not (report.added or report.changed or report.pruned or report.plan_added or report.plan_changed
                or report.orgs_added or report.orgs_changed):
            self.conn.execute("DELETE FROM changes WHERE id = ?", (cid,))

    def export_plan(self, key: str) -> tuple[Plan, list[Org], list[Task]]:
        """A plan, the orgs its tasks name (with their parents), and its tasks in key order."""
        plan = self.get_plan(key)
        tasks = self.list_tasks(TaskFilter(plans=[key]), order="key")
        orgs = {o.key: o for o in self.list_orgs()}
        wanted: set[str] = set()
        for t in tasks:
            wanted.add(t.lead)
            wanted.update(t.coordinating)
        stack = list(wanted)
        while stack:
            k = stack.pop()
            parent = orgs[k].parent if k in orgs else ""
            if parent and parent not in wanted:
                wanted.add(parent)
                stack.append(parent)
        return plan, [orgs[k] for k in sorted(wanted) if k in orgs], tasks


def _fold_kpi(task: Task, typed: dict[str, Any]) -> dict[str, Any]:
    """Turn kpi_* history fields back into a KPI value for update_task."""
    changes = {k: v for k, v in typed.items() if not k.startswith("kpi_")}
    kpi_fields = {k[4:]: v for k, v in typed.items() if k.startswith("kpi_")}
    if kpi_fields:
        base = task.kpi or KPI(metric="")
        kpi = replace(base, **{k: (v if v is not None else ("" if k in ("metric", "unit") else None))
                                for k, v in kpi_fields.items()})
        changes["kpi"] = kpi if kpi.metric else None
    return changes


def key_order_text(key: str | None) -> str:
    """Task keys as text that sorts like key_sort (1, 1.2, 1.10, 2), for ORDER BY before LIMIT."""
    if not key:
        return ""
    return ".".join(part.zfill(8) if part.isdigit() else "~" + part for part in key.split("."))


def hash_token(token: str) -> str:
    """How feed tokens are kept: only their SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
