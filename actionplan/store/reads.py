"""Reads: plans, agencies, tasks, notes and history."""

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from actionplan.core.i18n import _
from actionplan.core.model import (
    Change,
    Org,
    Plan,
    ProgressUpdate,
    Task,
)
from actionplan.core.query import TaskFilter
from actionplan.core.text import fold, key_sort

if TYPE_CHECKING:
    pass
from actionplan.core.errors import NotFoundError, ValidationError
from actionplan.store.filters import TaskFilters
from actionplan.store.rows import _TASK_JSON_SELECT, _TASK_SELECT, _org_from_row, _plan_from_row, _task_from_row


class Reads(TaskFilters):
    """Reading plans, agencies, tasks, notes and history."""

    _ORG_SELECT = "SELECT o.*, p.key AS parent_key FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id"

    def history(
        self,
        ref: str | None = None,
        *,
        since: str | None = None,
        fields: Sequence[str] = (),
        limit: int | None = None,
        plan: str | None = None,
    ) -> list[Change]:
        """Changes, newest last; for one task (``PLAN/KEY``), since a timestamp or date, or of some fields."""
        where: list[str] = ["h.field != '*snapshot*'"]  # a removed task's row, kept for undo: not a change to show
        params: list[Any] = []
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
            where.append("h.field IN ({})".format(",".join("?" * len(fields))))
            params += list(fields)
        sql = (
            "SELECT h.*, c.at, c.actor, c.action, c.undone_by, c.undo_of, c.reason FROM history h "
            "JOIN changes c ON c.id = h.change_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY h.id"
        )
        if limit:
            sql = (
                f"SELECT * FROM ({sql.replace(' ORDER BY h.id', ' ORDER BY h.id DESC')} LIMIT {int(limit)}) ORDER BY id"
            )
        return [
            Change(
                change_id=r["change_id"],
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                entity=r["entity"],
                ref=r["ref"],
                field=r["field"],
                old=r["old"],
                new=r["new"],
                undone=r["undone_by"] is not None,
                undo_of=r["undo_of"],
                reason=r["reason"],
            )
            for r in self._q(sql, params)
        ]

    def data_version(self) -> int:
        """SQLite's counter of commits made by *other* connections to this database.

        One cheap pragma (no table is read): a screen that polls it learns within a
        tick that another UI or the CLI saved something.
        """
        row = self._one("PRAGMA data_version")
        return int(row[0]) if row else 0

    def last_change(self, actor: str | None = None) -> dict[str, Any] | None:
        """The newest change that can still be undone (optionally by one actor)."""
        sql = "SELECT * FROM changes WHERE undone_by IS NULL AND undo_of IS NULL AND action != 'setting'"
        params: list[Any] = []
        if actor:
            sql += " AND actor = ?"
            params.append(actor)
        row = self._one(sql + " ORDER BY id DESC LIMIT 1", params)
        return dict(row) if row else None

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
        raise ValidationError(
            f'"{term}" ' + _("matches several agencies: ") + ", ".join(o.key for o in found[:8]), field_name
        )

    def _org_words(self) -> dict[str, str]:
        """Folded names of each org (key -> words), cached per transaction."""
        if self._org_words_cache is None:
            self._org_words_cache = {r["key"]: r["search"] for r in self._q("SELECT key, search FROM orgs")}
        return self._org_words_cache

    def _org_ids(self) -> dict[str, int]:
        return {r["key"]: r["id"] for r in self._q("SELECT id, key FROM orgs")}

    def _org_rows(self) -> dict[str, sqlite3.Row]:
        """Every org's row by key (read once per imported file, not once per org)."""
        return {r["key"]: r for r in self._q(self._ORG_SELECT)}

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

    def list_tasks(
        self,
        f: TaskFilter | None = None,
        *,
        today: date | None = None,
        order: str = "deadline",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Task]:
        """Tasks matching the filter; ``order`` is deadline, key, plan or lead."""
        sql, params = self._selection(f, today or self.today(), order, limit, offset)
        return [_task_from_row(r) for r in self._q(_TASK_SELECT + sql, params)]

    def tasks_as_json(
        self,
        f: TaskFilter | None = None,
        *,
        today: date | None = None,
        order: str = "deadline",
        limit: int | None = None,
    ) -> list[tuple[str, Task]]:
        """``list_tasks`` as JSON objects written by SQLite, for exporting many tasks fast.

        Each item is the task's stored fields as a JSON object (the fields of
        :class:`~actionplan.core.model.Task` in their order, as ``cli_support.task_json`` gives
        them) and a light Task holding what the derived fields are judged on (status,
        deadline, completion date).  Speed: building every Task in Python and
        encoding it took 0.5 s of ``list --json`` on 10,000 tasks.
        """
        sql, params = self._selection(f, today or self.today(), order, limit, 0)
        cur = self.conn.cursor()
        cur.row_factory = None
        fromiso = date.fromisoformat
        return [
            (
                text,
                Task(
                    plan="",
                    key="",
                    title="",
                    lead="",
                    status=status,
                    deadline=fromiso(deadline) if deadline else None,
                    completed_on=fromiso(done) if done else None,
                ),
            )
            for text, status, deadline, done in cur.execute(_TASK_JSON_SELECT + sql, params)
        ]

    def count_tasks(self, f: TaskFilter | None = None, *, today: date | None = None) -> int:
        today = today or self.today()
        where, params = self._filter_sql(f or TaskFilter(), today)
        sql = "SELECT count(*) FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id" + where
        return int(self._scalar(sql, params))

    def brief_tasks(self, plans: Sequence[str] = (), leads: Sequence[str] = ()) -> list[Task]:
        """Every task with only the columns the roll-ups read (plan, key, parent, lead, status,
        progress, deadline, completed on): the fast path for 10,000s of tasks."""
        sql = (
            "SELECT p.key, t.key, pt.key, o.key, t.status, t.progress, t.deadline, t.completed_on "
            "FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id "
            "LEFT JOIN tasks pt ON pt.id = t.parent_id"
        )
        where: list[str] = []
        params: list[Any] = []
        if plans:
            where.append("p.key IN ({})".format(",".join("?" * len(plans))))
            params += list(plans)
        if leads:
            where.append("o.key IN ({})".format(",".join("?" * len(leads))))
            params += list(leads)
        if where:
            sql += " WHERE " + " AND ".join(where)
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: much cheaper than sqlite3.Row for this many rows
        fromiso = date.fromisoformat
        return [
            Task(
                plan=r[0],
                key=r[1],
                title="",
                parent=r[2] or "",
                lead=r[3],
                status=r[4],
                progress=r[5],
                deadline=fromiso(r[6]) if r[6] else None,
                completed_on=fromiso(r[7]) if r[7] else None,
            )
            for r in cur.execute(sql, params).fetchall()
        ]

    def subtasks(self, ref: str) -> list[Task]:
        task = self.get_task(ref)
        rows = self._q(_TASK_SELECT + " WHERE t.parent_id = ?", (task.id,))
        return sorted((_task_from_row(r) for r in rows), key=lambda t: key_sort(t.key))

    def task_keys(self, plan: str) -> list[str]:
        rows = self._q("SELECT t.key FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.key = ?", (plan,))
        return sorted((r["key"] for r in rows), key=key_sort)

    def tags(self) -> list[str]:
        return [r["tag"] for r in self._q("SELECT DISTINCT tag FROM task_tags ORDER BY tag")]

    def list_updates(self, ref: str) -> list[ProgressUpdate]:
        task = self.get_task(ref)
        rows = self._q("SELECT * FROM updates WHERE task_id = ? ORDER BY on_date, id", (task.id,))
        return [
            ProgressUpdate(
                id=r["id"],
                task=ref,
                on=date.fromisoformat(r["on_date"]),
                author=r["author"],
                text=r["text"],
                progress=r["progress"],
            )
            for r in rows
        ]

    def last_updates(self, task_ids: Sequence[int]) -> dict[int, ProgressUpdate]:
        """The newest progress note of each of the given tasks."""
        result: dict[int, ProgressUpdate] = {}
        ids = list(task_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = self._q(
                "SELECT u.* FROM updates u WHERE u.id IN (SELECT max(id) FROM updates WHERE task_id IN ({}) "
                "GROUP BY task_id)".format(",".join("?" * len(chunk))),
                chunk,
            )
            for r in rows:
                result[r["task_id"]] = ProgressUpdate(
                    id=r["id"],
                    task="",
                    on=date.fromisoformat(r["on_date"]),
                    author=r["author"],
                    text=r["text"],
                    progress=r["progress"],
                )
        return result

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
                chunk = ordered[i : i + 500]
                rows = self._q(
                    _TASK_SELECT + " WHERE p.key = ? AND t.key IN ({})".format(",".join("?" * len(chunk))),
                    [plan, *chunk],
                )
                for r in rows:
                    task = _task_from_row(r)
                    result[task.ref] = task
        return result

    def tasks_by_ids(self, task_ids: Sequence[int]) -> dict[int, Task]:
        """Whole tasks by id (ids that no longer exist are left out)."""
        result: dict[int, Task] = {}
        ids = list(task_ids)
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            for r in self._q(_TASK_SELECT + " WHERE t.id IN ({})".format(",".join("?" * len(chunk))), chunk):
                result[r["id"]] = _task_from_row(r)
        return result
