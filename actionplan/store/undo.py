"""Undo, built on the history."""

from typing import TYPE_CHECKING, Any

from actionplan.core import model
from actionplan.core.i18n import _
from actionplan.core.model import (
    TaskStatus,
)

if TYPE_CHECKING:
    pass
from actionplan.core.errors import ConflictError, StoreError
from actionplan.store.rows import LIST_FIELDS, _d, _fold_kpi, _num
from actionplan.store.writes import Writes


class Undo(Writes):
    """Undoing a change, built on the history."""

    def undo(self, actor: str | None = None) -> str:
        """Undo the newest change (of *actor*, if given); returns what was undone."""
        with self.write():
            change = self.last_change(actor)
            if change is None:
                raise StoreError(_("nothing to undo"))
            rows = self._q("SELECT * FROM history WHERE change_id = ? ORDER BY id DESC", (change["id"],))
            tasks = {r["entity_id"] for r in rows if r["entity"] == "task"}
            if any(r["entity"] != "task" for r in rows) or len(tasks) != 1:
                raise StoreError(
                    _("the last change")
                    + f' ("{change["summary"]}") '
                    + _("cannot be undone here; edit the plan file and import it again")
                )
            task_id = tasks.pop()
            fields_ = {r["field"] for r in rows}
            # later changes that were undone, and the undos themselves, no longer stand in the way
            later = self._one(
                "SELECT 1 FROM history h JOIN changes c ON c.id = h.change_id WHERE h.entity = 'task' "
                "AND h.entity_id = ? AND h.change_id > ? AND c.undone_by IS NULL "
                "AND c.undo_of IS NULL",
                (task_id, change["id"]),
            )
            if later:
                raise ConflictError(_("the task was changed again since; undo that change first"))
            if "*created*" in fields_:
                task = self.get_task_by_id(task_id)
                if self._one("SELECT 1 FROM tasks WHERE parent_id = ?", (task_id,)) or self._one(
                    "SELECT 1 FROM task_dependencies WHERE depends_on_id = ?", (task_id,)
                ):
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
                    task = self.update_task(
                        task.ref,
                        changes,
                        task.version,
                        action="undo",
                        summary=_("undo: ") + change["summary"],
                        undo_of=change["id"],
                    )
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
