"""Writes: tasks and agencies, with their rules, versions and history."""

import sqlite3
from dataclasses import fields as dc_fields
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from actionplan.core import model
from actionplan.core.i18n import _
from actionplan.core.model import (
    ImportReport,
    Org,
    Task,
    TaskStatus,
)
from actionplan.core.text import clean, clean_line, fold

if TYPE_CHECKING:
    pass
from actionplan.core.completion import check_completion_date
from actionplan.core.errors import ConflictError, ValidationError
from actionplan.store.base import rowid
from actionplan.store.reads import Reads
from actionplan.store.rows import (
    _TASK_SELECT,
    LIST_FIELDS,
    TASK_FIELDS,
    _id,
    _iso,
    _org_from_row,
    _search_text,
    _task_from_row,
    task_field_values,
)


class Writes(Reads):
    """Changing tasks and agencies, with their rules, versions and history."""

    def _upsert_org(
        self,
        org: Org,
        cid: int,
        report: ImportReport | None = None,
        rows: dict[str, sqlite3.Row] | None = None,
        ids: dict[str, int] | None = None,
    ) -> None:
        """Add or update *org*; *rows* and *ids* (from ``_org_rows``/``_org_ids``, kept up to date
        here) spare a bulk import two queries per org."""
        ids = self._org_ids() if ids is None else ids
        parent_id = ids.get(org.parent) if org.parent else None
        search = fold(" ".join([org.key, org.name, org.short_name]))
        row = self._one(self._ORG_SELECT + " WHERE o.key = ?", (org.key,)) if rows is None else rows.get(org.key)
        values = {
            "name": org.name,
            "short_name": org.short_name,
            "head": org.head,
            "head_title": org.head_title,
            "email": org.email,
        }
        if row is None:
            self._org_words_cache = None
            cur = self.conn.execute(
                "INSERT INTO orgs(key, name, short_name, parent_id, head, head_title, email, search, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    org.key,
                    org.name,
                    org.short_name,
                    parent_id,
                    org.head,
                    org.head_title,
                    org.email,
                    search,
                    self._now(),
                ),
            )
            ids[org.key] = rowid(cur)
            self._record(cid, "org", rowid(cur), org.key, "*created*", None, org.name)
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
            (org.name, org.short_name, parent_id, org.head, org.head_title, org.email, search, self._now(), old.id),
        )
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
        self.conn.executemany(
            "UPDATE tasks SET search_text = ? WHERE id = ?",
            [(_search_text(t, words.get(t.lead, "")), t.id) for t in tasks],
        )

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
        parents = {
            r["key"]: r["parent_key"]
            for r in self._q(
                "SELECT t.key, pt.key AS parent_key FROM tasks t LEFT JOIN tasks pt ON pt.id = t.parent_id "
                "WHERE t.plan_id = ?",
                (plan_id,),
            )
        }
        parents[task.key] = task.parent or None
        cycle = model.find_cycle({k: [v] if v else [] for k, v in parents.items()})
        if cycle:
            raise ValidationError(_("parent cycle: ") + " -> ".join(cycle), "parent")
        deps: dict[str, list[str]] = {}
        for r in self._q(
            "SELECT a.key AS a, b.key AS b FROM task_dependencies x JOIN tasks a ON a.id = x.task_id "
            "JOIN tasks b ON b.id = x.depends_on_id WHERE a.plan_id = ?",
            (plan_id,),
        ):
            deps.setdefault(r["a"], []).append(r["b"])
        deps[task.key] = list(task.depends_on)
        cycle = model.find_cycle(deps)
        if cycle:
            raise ValidationError(_("dependency cycle: ") + " -> ".join(cycle), "depends_on")

    def _task_columns(self, task: Task, plan_id: int, org_ids: dict[str, int], parent_id: int | None) -> dict[str, Any]:
        kpi = task.kpi
        return {
            "plan_id": plan_id,
            "key": task.key,
            "parent_id": parent_id,
            "title": clean_line(task.title),
            "description": clean(task.description),
            "lead_id": org_ids[task.lead],
            "accountable": clean_line(task.accountable),
            "start": _iso(task.start),
            "deadline": _iso(task.deadline),
            "deadline_text": task.deadline_text,
            "recurrence": task.recurrence,
            "status": str(task.status),
            "progress": task.progress,
            "priority": str(task.priority),
            "output": clean(task.output),
            "kpi_metric": clean(kpi.metric) if kpi else None,
            "kpi_target": kpi.target if kpi else None,
            "kpi_current": kpi.current if kpi else None,
            "kpi_unit": kpi.unit if kpi else None,
            "kpi_baseline": kpi.baseline if kpi else None,
            "evidence": clean(task.evidence),
            "completed_on": _iso(task.completed_on),
            "blocked_reason": clean(task.blocked_reason),
            "source": clean_line(task.source),
            "search_text": _search_text(task, self._org_words().get(task.lead, "")),
        }

    def _write_links(
        self, task_id: int, task: Task, org_ids: dict[str, int], key_ids: dict[str, int], replace_existing: bool = True
    ) -> None:
        if replace_existing:
            for table in ("task_coordinators", "task_dependencies", "task_tags"):
                self.conn.execute(f"DELETE FROM {table} WHERE task_id = ?", (task_id,))
        self.conn.executemany(
            "INSERT INTO task_coordinators(task_id, org_id, position) VALUES (?, ?, ?)",
            [(task_id, org_ids[k], i) for i, k in enumerate(dict.fromkeys(task.coordinating))],
        )
        self.conn.executemany(
            "INSERT INTO task_dependencies(task_id, depends_on_id, position) VALUES (?, ?, ?)",
            [(task_id, key_ids[k], i) for i, k in enumerate(dict.fromkeys(task.depends_on))],
        )
        self.conn.executemany(
            "INSERT INTO task_tags(task_id, tag, position) VALUES (?, ?, ?)",
            [(task_id, clean(k), i) for i, k in enumerate(dict.fromkeys(task.tags))],
        )

    def add_task(self, task: Task) -> Task:
        """Add a new task to its plan; returns it as stored."""
        with self.write():
            plan = self.get_plan(task.plan)
            if self._one("SELECT 1 FROM tasks WHERE plan_id = ? AND key = ?", (plan.id, task.key)):
                raise ValidationError(_("a task with this key already exists in the plan") + f': "{task.key}"', "key")
            org_ids = self._org_ids()
            self._check_task(task, _id(plan), org_ids)
            key_ids = {r["key"]: r["id"] for r in self._q("SELECT id, key FROM tasks WHERE plan_id = ?", (plan.id,))}
            cols = self._task_columns(task, _id(plan), org_ids, key_ids.get(task.parent))
            now = self._now()
            cols.update(created_at=now, updated_at=now, version=1)
            cur = self.conn.execute(
                "INSERT INTO tasks({}) VALUES ({})".format(",".join(cols), ",".join("?" * len(cols))),
                list(cols.values()),
            )
            task_id = rowid(cur)
            self._write_links(task_id, task, org_ids, key_ids, replace_existing=False)
            cid = self._begin_change("add", f"{task.ref} {task.title}")
            self._record(cid, "task", task_id, task.ref, "*created*", None, task.title)
            return self.get_task_by_id(task_id)

    def update_task(
        self,
        ref: str,
        changes: dict[str, Any],
        expected_version: int,
        *,
        action: str = "edit",
        summary: str = "",
        undo_of: int | None = None,
        reason: str = "",
    ) -> Task:
        """Change fields of a task read at ``expected_version``; ``reason`` goes into the history.

        ``changes`` maps Task attribute names (and ``kpi``) to typed values.
        Raises ConflictError when the task was saved by someone else since,
        ValidationError for a broken integrity check; in both cases nothing is written.
        The rules of a change (done needs evidence, ...) are the services' (actionplan.core.rules).
        """
        unknown = set(changes) - {f.name for f in dc_fields(Task)} - {"kpi"}
        if unknown or {"plan", "key", "id", "version"} & set(changes):
            bad = sorted(unknown | ({"plan", "key", "id", "version"} & set(changes)))
            raise ValidationError(_("cannot change field") + " " + ", ".join(bad), bad[0])
        with self.write():
            current = self.get_task(ref)
            if current.version != expected_version:
                raise ConflictError(
                    f"{ref}: "
                    + _("changed by someone else since you read it")
                    + " ("
                    + _("your version")
                    + f" {expected_version}, "
                    + _("now")
                    + f" {current.version}); "
                    + _("nothing was saved: reload and apply your change again"),
                    theirs=current,
                    yours=changes,
                )
            new = replace(current, **changes)
            new = model.apply_status_rules(current, new, self.today())
            if new.completed_on != current.completed_on or new.start != current.start:
                check_completion_date(new.completed_on, new.start, self.today())
            plan = self.get_plan(current.plan)
            org_ids = self._org_ids()
            self._check_task(new, _id(plan), org_ids)
            old_values, new_values = task_field_values(current), task_field_values(new)
            diffs = [(k, old_values[k], new_values[k]) for k in TASK_FIELDS if old_values[k] != new_values[k]]
            if not diffs:
                return current
            key_ids = {r["key"]: r["id"] for r in self._q("SELECT id, key FROM tasks WHERE plan_id = ?", (plan.id,))}
            cols = self._task_columns(new, _id(plan), org_ids, key_ids.get(new.parent))
            cols["updated_at"] = self._now()
            sets = ", ".join(f"{c} = ?" for c in cols)
            cur = self.conn.execute(
                f"UPDATE tasks SET {sets}, version = version + 1 WHERE id = ? AND version = ?",
                list(cols.values()) + [current.id, expected_version],
            )
            if cur.rowcount != 1:  # pragma: no cover - guarded by BEGIN IMMEDIATE above
                raise ConflictError(f"{ref}: " + _("changed by someone else since you read it"), theirs=current)
            if any(k in LIST_FIELDS for k, _o, _n in diffs):
                self._write_links(_id(current), new, org_ids, key_ids)
            cid = self._begin_change(
                action, summary or f"{ref}: " + ", ".join(k for k, _o, _n in diffs), undo_of, reason.strip()
            )
            for name, old, value in diffs:
                self._record(cid, "task", _id(current), ref, name, old, value)
            return self.get_task_by_id(_id(current))

    def mark_done(self, ref: str, evidence: str, expected_version: int, on: date | None = None) -> Task:
        """Close a task with its completion evidence (the services check the rules first).

        A recurring duty is not closed: the period is recorded as a progress
        note and the deadline moves to the next occurrence.
        """
        on = on or self.today()
        with self.write():
            task = self.get_task(ref)
            check_completion_date(on, task.start, self.today())
            if task.recurrence and task.deadline:
                from actionplan.core.recurrence import next_period_deadline

                nxt = next_period_deadline(task.recurrence, task.start, task.deadline)
                if nxt is not None:
                    new = self.update_task(
                        ref,
                        {"deadline": nxt, "deadline_text": "", "evidence": clean(evidence), "progress": 0},
                        expected_version,
                        action="done",
                        summary=f"{ref}: " + _("period done, next deadline") + f" {nxt}",
                    )
                    # the period's note belongs to the same change, so undo removes it too
                    note = _("Done for the period due") + f" {task.deadline.isoformat()}: {evidence}"
                    note_id = self._add_note(task, note, None, on)
                    cid = self._scalar("SELECT max(id) FROM changes")
                    self._record(cid, "task", _id(task), ref, "note", None, str(note_id))
                    return new
            return self.update_task(
                ref,
                {"status": TaskStatus.DONE, "evidence": clean(evidence), "completed_on": on, "progress": 100},
                expected_version,
                action="done",
                summary=f"{ref}: done",
            )

    def _add_note(self, task: Task, text: str, progress: int | None, on: date) -> int:
        cur = self.conn.execute(
            "INSERT INTO updates(task_id, on_date, author, text, progress, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (task.id, on.isoformat(), self.actor, clean(text), progress, self._now()),
        )
        return rowid(cur)

    def add_note(
        self,
        ref: str,
        text: str,
        progress: int | None = None,
        *,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Task:
        """Record a dated progress note; with ``progress`` the task's % changes too."""
        on = on or self.today()
        with self.write():
            task = self.get_task(ref)
            if expected_version is not None and task.version != expected_version:
                raise ConflictError(
                    f"{ref}: "
                    + _("changed by someone else since you read it")
                    + "; "
                    + _("nothing was saved: reload and apply your change again"),
                    theirs=task,
                )
            note_id = self._add_note(task, text, progress, on)
            cid = self._begin_change("note", f"{ref}: {text[:60]}")
            self._record(cid, "task", _id(task), ref, "note", None, str(note_id))
            if progress is not None and progress != task.progress:
                changes: dict[str, Any] = {"progress": progress}
                if task.status == TaskStatus.NOT_STARTED and progress > 0:
                    changes["status"] = TaskStatus.IN_PROGRESS
                new = model.apply_status_rules(task, replace(task, **changes), self.today())
                self.conn.execute(
                    "UPDATE tasks SET progress = ?, status = ?, version = version + 1, updated_at = ? WHERE id = ?",
                    (new.progress, str(new.status), self._now(), task.id),
                )
                self._record(cid, "task", _id(task), ref, "progress", str(task.progress), str(new.progress))
                if new.status != task.status:
                    self._record(cid, "task", _id(task), ref, "status", str(task.status), str(new.status))
            return self.get_task_by_id(_id(task))
