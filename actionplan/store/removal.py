"""Removing a whole task so that it can be brought back exactly (delete, undo of an add, and their redo)."""

import json
from typing import Any

from actionplan.core.errors import ConflictError, StoreError, ValidationError
from actionplan.core.i18n import _
from actionplan.core.model import Task
from actionplan.store.rows import _id, _search_text, task_field_values
from actionplan.store.writes import Writes

#: The history field holding a removed task's row, links and notes (JSON); :meth:`Reads.history` leaves it out.
SNAPSHOT = "*snapshot*"
_LINKS = (
    ("task_coordinators", "org_id"),
    ("task_dependencies", "depends_on_id"),
    ("task_tags", "tag"),
)


class Removal(Writes):
    """A task's removal on record: every field (for the history and past states) and a snapshot to restore."""

    def delete_task(self, ref: str, expected_version: int) -> None:
        """Remove a task that nothing depends on and that has no subtasks (undo brings it back)."""
        with self.write():
            task = self.get_task(ref)
            if task.version != expected_version:
                raise ConflictError(f"{ref}: " + _("changed by someone else since you read it"), theirs=task)
            if self._one("SELECT 1 FROM tasks WHERE parent_id = ?", (task.id,)):
                raise ValidationError(_("the task has subtasks; delete or move them first"), "key")
            if self._one("SELECT 1 FROM task_dependencies WHERE depends_on_id = ?", (task.id,)):
                raise ValidationError(_("other tasks depend on this one"), "key")
            cid = self._begin_change("delete", f"{ref} {task.title}")
            self._remove_task(cid, task)

    def _remove_task(self, cid: int, task: Task) -> None:
        """Delete *task* within change *cid*, recording its fields, a snapshot and ``*deleted*``."""
        task_id = _id(task)
        for name, value in task_field_values(task).items():
            if value is not None:
                self._record(cid, "task", task_id, task.ref, name, value, None)
        self._record(cid, "task", task_id, task.ref, SNAPSHOT, json.dumps(self._snapshot(task_id)), None)
        self._record(cid, "task", task_id, task.ref, "*deleted*", task.title, None)
        self.conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))

    def _snapshot(self, task_id: int) -> dict[str, Any]:
        row = dict(self._one("SELECT * FROM tasks WHERE id = ?", (task_id,)) or {})
        row.pop("search_text", None)  # made again on restore, from the agency's names of that day
        snap: dict[str, Any] = {"task": row}
        for table, column in _LINKS:
            snap[table] = [
                [r[column], r["position"]]
                for r in self._q(
                    f"SELECT {column}, position FROM {table} WHERE task_id = ? ORDER BY position", (task_id,)
                )
            ]
        snap["updates"] = [dict(r) for r in self._q("SELECT * FROM updates WHERE task_id = ? ORDER BY id", (task_id,))]
        return snap

    def _restore_task(self, cid: int, removal_change: int, task_id: int, ref: str) -> Task:
        """Put back the task removed by change *removal_change*, with its id, links and notes, within *cid*."""
        row = self._one(
            "SELECT old FROM history WHERE change_id = ? AND entity = 'task' AND entity_id = ? AND field = ?",
            (removal_change, task_id, SNAPSHOT),
        )
        if row is None:  # removed by a version that kept no snapshot
            raise StoreError(_("a deleted task cannot be brought back by undo or redo; import it again"))
        snap = json.loads(row["old"])
        cols: dict[str, Any] = snap["task"]
        self._check_restorable(ref, cols, snap)
        cols["search_text"] = ""
        self.conn.execute(
            "INSERT INTO tasks({}) VALUES ({})".format(",".join(cols), ",".join("?" * len(cols))), list(cols.values())
        )
        for table, column in _LINKS:
            self.conn.executemany(
                f"INSERT INTO {table}(task_id, {column}, position) VALUES (?, ?, ?)",
                [(task_id, value, position) for value, position in snap[table]],
            )
        for note in snap["updates"]:
            self.conn.execute(
                "INSERT INTO updates({}) VALUES ({})".format(",".join(note), ",".join("?" * len(note))),
                list(note.values()),
            )
        task = self.get_task_by_id(task_id)
        search = _search_text(task, self._org_words().get(task.lead, ""))
        self.conn.execute("UPDATE tasks SET search_text = ? WHERE id = ?", (search, task_id))
        self._record(cid, "task", task_id, ref, "*created*", None, task.title)
        return task

    def _check_restorable(self, ref: str, cols: dict[str, Any], snap: dict[str, Any]) -> None:
        """Refuse, naming why, a restore whose plan, key, parent, agencies or dependencies are gone or taken."""
        if self._one(
            "SELECT 1 FROM tasks WHERE id = ? OR (plan_id = ? AND key = ?)", (cols["id"], cols["plan_id"], cols["key"])
        ):
            raise ValidationError(f"{ref}: " + _("a task with this key already exists in the plan"), "key")
        if not self._one("SELECT 1 FROM plans WHERE id = ?", (cols["plan_id"],)):
            raise StoreError(f"{ref}: " + _("its plan no longer exists"))
        if cols["parent_id"] is not None and not self._one("SELECT 1 FROM tasks WHERE id = ?", (cols["parent_id"],)):
            raise ValidationError(f"{ref}: " + _("its parent task no longer exists"), "parent")
        orgs = {cols["lead_id"], *(org for org, _pos in snap["task_coordinators"])}
        known = {r["id"] for r in self._q("SELECT id FROM orgs")}
        if orgs - known:
            raise ValidationError(f"{ref}: " + _("an agency it names no longer exists"), "lead")
        for dep, _pos in snap["task_dependencies"]:
            if not self._one("SELECT 1 FROM tasks WHERE id = ?", (dep,)):
                raise ValidationError(f"{ref}: " + _("a task it depends on no longer exists"), "depends_on")
