"""Bulk import of plan files, and export."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from actionplan.core.i18n import _
from actionplan.core.model import (
    ImportReport,
    Org,
    Plan,
    Task,
    TaskStatus,
)
from actionplan.core.query import TaskFilter
from actionplan.core.text import clean, key_sort

if TYPE_CHECKING:
    pass
from actionplan.store.base import rowid
from actionplan.store.rows import _TASK_SELECT, LIST_FIELDS, TASK_FIELDS, _id, _iso, _task_from_row, task_field_values
from actionplan.store.writes import Writes


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


class Imports(Writes):
    """Bulk import of plan files, and export."""

    def apply_plans(
        self,
        items: Iterable[tuple[Plan, Sequence[Org], Sequence[Task]]],
        *,
        prune: bool = False,
        dry_run: bool = False,
        reasons: Mapping[str, str] | None = None,
    ) -> list[ImportReport]:
        """Bring the store in line with validated plan files, in one transaction: all land, or none.

        Updates by key; never duplicates.  Tasks missing from a file are
        listed, and deleted only with ``prune``.  With ``dry_run`` the
        transaction is rolled back and the reports say what would happen.

        ``items`` may be a generator (a large import applies each file while the next ones
        are still being read); whatever it raises rolls the whole transaction back.
        ``reasons`` (plan key -> text, read as each plan is applied) goes into the history.
        """
        reports: list[ImportReport] = []
        self.conn.execute("BEGIN IMMEDIATE")
        self._org_words_cache = None
        try:
            self._search_index_merging(False)
            indexed_up_to = int(self._scalar("SELECT coalesce(max(id), 0) FROM tasks"))
            index_trigger = self._pause_indexing_of_new_tasks()
            for plan, orgs, tasks in items:
                reports.append(ImportReport(plan=plan.key))
                self._apply_plan(plan, orgs, tasks, prune, reports[-1], (reasons or {}).get(plan.key, ""))
            if index_trigger is not None:  # every new task into the search index, in one statement
                self.conn.execute(
                    "INSERT INTO tasks_fts(rowid, search_text) SELECT id, search_text FROM tasks WHERE id > ?",
                    (indexed_up_to,),
                )
                self.conn.execute(index_trigger)
            self._search_index_merging(True, optimize=sum(len(r.added) for r in reports) >= BULK_TASKS)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("ROLLBACK" if dry_run else "COMMIT")
        return reports

    def _pause_indexing_of_new_tasks(self) -> str | None:
        """Drop the trigger that indexes each new task for search; return its SQL (None if absent).

        For an import, which then indexes all its new tasks in one statement (speed:
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
        entries again and again (speed: 1.5 s of a 100k-task import).  Paused,
        the segments pile up, and a bulk import merges them once at the end ("optimize":
        one segment, the best for searching); a small one leaves them to the next writes.
        The settings live in the database, inside this transaction: a rollback restores them.
        """
        automerge, crisismerge = (FTS_AUTOMERGE, FTS_CRISISMERGE) if on else (0, 64)
        self.conn.execute("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('automerge', ?)", (automerge,))
        self.conn.execute("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('crisismerge', ?)", (crisismerge,))
        if optimize:
            self.conn.execute("INSERT INTO tasks_fts(tasks_fts) VALUES ('optimize')")

    def _apply_plan(
        self,
        plan: Plan,
        orgs: Sequence[Org],
        tasks: Sequence[Task],
        prune: bool,
        report: ImportReport,
        reason: str = "",
    ) -> None:
        cid = self._begin_change("import", f"import {plan.key}", reason=reason)
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
        plan_cols = {
            "reference": plan.reference,
            "title": plan.title,
            "issuer": plan.issuer,
            "issued_on": _iso(plan.issued_on),
            "period": plan.period,
            "status": str(plan.status),
        }
        if row is None:
            cur = self.conn.execute(
                "INSERT INTO plans(key, {}, updated_at) VALUES (?, {}, ?)".format(
                    ",".join(plan_cols), ",".join("?" * len(plan_cols))
                ),
                [plan.key, *plan_cols.values(), self._now()],
            )
            plan_id = rowid(cur)
            report.plan_added = True
            self._record(cid, "plan", plan_id, plan.key, "*created*", None, plan.title)
        else:
            plan_id = row["id"]
            diffs = [(k, row[k], v) for k, v in plan_cols.items() if (row[k] or None) != (v or None)]
            if diffs:
                self.conn.execute(
                    "UPDATE plans SET {}, version = version + 1, updated_at = ? WHERE id = ?".format(
                        ", ".join(f"{k} = ?" for k in plan_cols)
                    ),
                    [*plan_cols.values(), self._now(), plan_id],
                )
                report.plan_changed = True
                for k, a, b in diffs:
                    self._record(cid, "plan", plan_id, plan.key, k, a, b)
        # tasks
        existing = {
            t.key: t for t in (_task_from_row(r) for r in self._q(_TASK_SELECT + " WHERE t.plan_id = ?", (plan_id,)))
        }
        key_ids = {k: _id(t) for k, t in existing.items()}
        now = self._now()
        file_keys = set()
        links_to_write: list[tuple[int, Task, bool]] = []
        history_rows: list[tuple] = []
        # Speed: new tasks get their ids up front (this transaction holds the write
        # lock) and are inserted all at once, each row complete with its parent (a second
        # UPDATE would index the row for search twice); their links are written with three
        # executemany calls per plan.
        next_id = int(self._scalar("SELECT coalesce(max(id), 0) FROM tasks")) + 1
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
            task = self._keep_closure(old, task, report)
            cols = self._task_columns(task, plan_id, org_ids, None)
            cols.pop("parent_id")
            old_values, new_values = task_field_values(old), task_field_values(task)
            diffs = [(k, old_values[k], new_values[k]) for k in TASK_FIELDS if old_values[k] != new_values[k]]
            if not diffs:
                report.unchanged.append(task.key)
                continue
            cols["updated_at"] = now
            self.conn.execute(
                "UPDATE tasks SET {}, version = version + 1 WHERE id = ?".format(", ".join(f"{c} = ?" for c in cols)),
                [*cols.values(), old.id],
            )
            report.changed.append(task.key)
            history_rows += [(cid, "task", old.id, task.ref, k, a, b) for k, a, b in diffs]
            if any(k in LIST_FIELDS for k, _a, _b in diffs):
                links_to_write.append((_id(old), task, True))
        if new_rows:
            # many rows per INSERT statement: the search index (FTS5) writes a segment at the
            # end of every statement, and a segment per task made bulk imports ten times slower
            # parents first: a foreign key is checked at the end of each statement, and a file
            # may list a subtask before its parent, hundreds of rows (statements) earlier
            new_rows = [new_rows[i] for i in _parents_first(new_keys, {t.key: t.parent for t in tasks})]
            row_marks = "(" + ",".join("?" * len(new_columns)) + ")"
            per_statement = max(1, min(500, self._variable_limit() // len(new_columns)))
            for at in range(0, len(new_rows), per_statement):
                chunk = new_rows[at : at + per_statement]
                self.conn.execute(
                    "INSERT INTO tasks({}) VALUES {}".format(",".join(new_columns), ",".join([row_marks] * len(chunk))),
                    [value for row in chunk for value in row],
                )
        # parents and links once every task of the file has an id
        self.conn.executemany(
            "UPDATE tasks SET parent_id = ? WHERE id = ? AND parent_id IS NOT ?",
            [
                (key_ids[t.parent] if t.parent else None, key_ids[t.key], key_ids[t.parent] if t.parent else None)
                for t in tasks
                if t.key in existing
            ],
        )
        self.conn.executemany("INSERT INTO task_coordinators(task_id, org_id, position) VALUES (?, ?, ?)", link_rows[0])
        self.conn.executemany(
            "INSERT INTO task_dependencies(task_id, depends_on_id, position) VALUES (?, ?, ?)", link_rows[1]
        )
        self.conn.executemany("INSERT INTO task_tags(task_id, tag, position) VALUES (?, ?, ?)", link_rows[2])
        for task_id, task, replace_existing in links_to_write:
            self._write_links(task_id, task, org_ids, key_ids, replace_existing)
        self.conn.executemany(
            "INSERT INTO history(change_id, entity, entity_id, ref, field, old, new) VALUES (?, ?, ?, ?, ?, ?, ?)",
            history_rows,
        )
        missing = sorted(set(existing) - file_keys, key=key_sort)
        report.missing = missing
        if prune and missing:
            ids = [existing[k].id for k in missing]
            for k in missing:
                # the fields go on record, so the state before the deletion can be rebuilt
                for name, value in task_field_values(existing[k]).items():
                    if value is not None:
                        self._record(cid, "task", _id(existing[k]), existing[k].ref, name, value, None)
                self._record(cid, "task", _id(existing[k]), existing[k].ref, "*deleted*", existing[k].title, None)
            self.conn.executemany("UPDATE tasks SET parent_id = NULL WHERE parent_id = ?", [(i,) for i in ids])
            self.conn.executemany("DELETE FROM tasks WHERE id = ?", [(i,) for i in ids])
            report.pruned = missing
        if not (
            report.added
            or report.changed
            or report.pruned
            or report.plan_added
            or report.plan_changed
            or report.orgs_added
            or report.orgs_changed
        ):
            self.conn.execute("DELETE FROM changes WHERE id = ?", (cid,))

    @staticmethod
    def _keep_closure(old: Task, task: Task, report: ImportReport) -> Task:
        """A recorded completion or cancellation survives a plan file that lists the task as open.

        A plan file is usually older than the work recorded since: re-importing it must
        not reopen what was delivered or revive what was dropped.  The report lists every
        task kept so (``--dry-run`` shows it first); reopening is a deliberate
        ``set TASK status=...``, recorded in the history like any edit.
        """
        closed = (TaskStatus.DONE, TaskStatus.CANCELLED)
        if old.status not in closed or task.status in closed:
            return task
        report.kept_closed.append(f"{task.key} ({old.status}; " + _("the file says") + f" {task.status})")
        return replace(
            task,
            status=old.status,
            completed_on=old.completed_on,
            evidence=task.evidence or old.evidence,
            progress=old.progress,
            blocked_reason=old.blocked_reason,
        )

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
