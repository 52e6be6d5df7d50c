"""Undo, built on the history."""

from typing import Any

from actionplan.core import model
from actionplan.core.errors import ConflictError, StoreError
from actionplan.core.i18n import _
from actionplan.core.model import (
    TaskStatus,
)
from actionplan.store.removal import Removal
from actionplan.store.rows import LIST_FIELDS, _d, _fold_kpi, _num


class Undo(Removal):
    """Undoing a change, built on the history."""

    def undo_preview(self, actor: str | None = None) -> tuple[str, str | None] | None:
        """What :meth:`undo` would take back: (summary, ref of the task it would remove, if any)."""
        change = self.last_change(actor)
        if change is None:
            return None
        return change["summary"], self._created_by(change)

    def redo_preview(self, actor: str | None = None) -> tuple[str, str | None] | None:
        """What :meth:`redo` would do again: (summary, ref of the task it would remove, if any)."""
        change = self.last_undo(actor)
        if change is None:
            return None
        return str(change["summary"]).removeprefix(_("undo: ")), self._created_by(change)

    def _created_by(self, change: dict[str, Any]) -> str | None:
        """The ref of the task *change* brought into being (taking it back removes that task), if any."""
        created = self._one(
            "SELECT ref FROM history WHERE change_id = ? AND entity = 'task' AND field = '*created*'", (change["id"],)
        )
        return str(created["ref"]) if created else None

    def undo(self, actor: str | None = None) -> str:
        """Undo the newest change (of *actor*, if given); returns what was undone."""
        with self.write():
            change = self.last_change(actor)
            if change is None:
                raise StoreError(_("nothing to undo"))
            self._take_back(change, "undo", _("undo: "))
            return str(change["summary"])

    def redo(self, actor: str | None = None) -> str:
        """Redo the newest undo (of *actor*, if given) that no new edit has overtaken; returns what was redone."""
        with self.write():
            change = self.last_undo(actor)
            if change is None:
                raise StoreError(_("nothing to redo"))
            self._take_back(change, "redo", _("redo: "))
            return str(change["summary"]).removeprefix(_("undo: "))

    def last_undo(self, actor: str | None = None) -> dict[str, Any] | None:
        """The newest undo not redone yet, unless a new edit came after it (that ends the redo chain)."""
        sql = "SELECT * FROM changes WHERE action != 'setting'"
        params: list[Any] = []
        if actor:
            sql += " AND actor = ?"
            params.append(actor)
        for row in self._q(sql + " ORDER BY id DESC", params):
            if row["action"] == "redo" or (row["undo_of"] is not None and row["undone_by"] is not None):
                continue  # a redo, or an undo already redone: look further back
            if row["undo_of"] is not None:
                return dict(row)
            if row["undone_by"] is None:
                return None  # a new edit since the last undo
        return None

    def _take_back(self, change: dict[str, Any], action: str, label: str) -> None:
        """Set back what *change* set (an undo; or, for an undo, a redo) as a change of its own."""
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
        summary = label + str(change["summary"]).removeprefix(_("undo: "))
        # later changes that were undone, and the undos themselves, no longer stand in the way
        # (redoing, earlier redos do not either: they come back in order)
        later = self._one(
            "SELECT 1 FROM history h JOIN changes c ON c.id = h.change_id WHERE h.entity = 'task' "
            "AND h.entity_id = ? AND h.change_id > ? AND c.undone_by IS NULL "
            "AND c.undo_of IS NULL" + (" AND c.action != 'redo'" if action == "redo" else ""),
            (task_id, change["id"]),
        )
        if later:
            raise ConflictError(_("the task was changed again since; undo that change first"))
        undo_of = change["id"] if action == "undo" else None  # a redo is a change that stands (undo can take it back)
        if "*created*" in fields_:
            task = self.get_task_by_id(task_id)
            if self._one("SELECT 1 FROM tasks WHERE parent_id = ?", (task_id,)) or self._one(
                "SELECT 1 FROM task_dependencies WHERE depends_on_id = ?", (task_id,)
            ):
                raise StoreError(_("other tasks refer to this task; it cannot be removed"))
            cid = self._begin_change(action, summary, undo_of=undo_of)
            self._remove_task(cid, task)
        elif "*deleted*" in fields_:
            ref = next(r["ref"] for r in rows if r["field"] == "*deleted*")
            cid = self._begin_change(action, summary, undo_of=undo_of)
            self._restore_task(cid, int(change["id"]), task_id, ref)
        else:
            task = self.get_task_by_id(task_id)
            notes = [r for r in rows if r["field"] == "note"]
            if action == "redo" and any(r["new"] is None for r in notes):
                raise StoreError(_("a progress note taken back by undo cannot be redone; record it again"))
            typed = {r["field"]: self._typed(r["field"], r["old"]) for r in rows if r["field"] != "note"}
            changes = _fold_kpi(task, typed)
            before = self._scalar("SELECT max(id) FROM changes")
            if changes:
                task = self.update_task(
                    task.ref,
                    changes,
                    task.version,
                    action=action,
                    summary=summary,
                    undo_of=undo_of,
                )
            cid = self._scalar("SELECT max(id) FROM changes")
            if cid == before:  # nothing to set back (or only notes): the undo is a change of its own
                cid = self._begin_change(action, summary, undo_of=undo_of)
            for r in notes:
                self.conn.execute("DELETE FROM updates WHERE id = ?", (int(r["new"]),))
                self._record(cid, "task", task_id, task.ref, "note", r["new"], None)
        self.conn.execute("UPDATE changes SET undone_by = ? WHERE id = ?", (cid, change["id"]))

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
