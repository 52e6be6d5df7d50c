"""Every change to a task, once: the CLI, the UI and scripts call these and nothing else.

Each use case reads the task, checks the rules of :mod:`actionplan.core.rules`
and writes through the store, in one transaction; a broken rule raises
:class:`~actionplan.core.errors.ValidationError` naming the field, and nothing
is written.  The store keeps the integrity checks (known agencies, no cycles,
versions).  No Textual, no icalendar here: ``actionplan set`` imports this.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from actionplan.core import model, rules
from actionplan.core.errors import ValidationError
from actionplan.core.i18n import _
from actionplan.core.l10n import iso_or_day
from actionplan.core.model import Task, TaskStatus

if TYPE_CHECKING:
    from actionplan.store import Store


def add_task(store: Store, task: Task) -> Task:
    """Add *task* to its plan; returns it as stored."""
    with store.write():
        plan = store.get_plan(task.plan)
        rules.check_change(None, task, plan.status)
        return store.add_task(task)


def change_task(
    store: Store, ref: str, changes: dict[str, Any], version: int | None = None, *, reason: str = ""
) -> Task:
    """Change fields of a task read at *version* (None: as it is now).

    A deadline moving on an active plan needs *reason*, which the history keeps.
    """
    with store.write():
        current = store.get_task(ref)
        version = current.version if version is None else version
        if version != current.version:  # the store refuses it as a conflict, before any rule
            return store.update_task(ref, changes, version)
        new = model.apply_status_rules(current, replace(current, **changes), store.today())
        rules.check_change(current, new, store.get_plan(current.plan).status, reason)
        return store.update_task(ref, changes, version, reason=reason)


def needs_reason(store: Store, ref: str, changes: dict[str, Any]) -> bool:
    """Whether saving *changes* moves a deadline on an active plan (the UI asks why first)."""
    current = store.get_task(ref)
    return rules.is_slip(current, replace(current, **changes), store.get_plan(current.plan).status)


def mark_done(store: Store, ref: str, evidence: str, version: int | None = None, on: date | None = None) -> Task:
    """Close a task with its completion evidence; a recurring duty moves to its next deadline."""
    for name, message in rules.status_problems(TaskStatus.DONE, evidence, ""):
        raise ValidationError(message, name)
    with store.write():
        task = store.get_task(ref)
        version = task.version if version is None else version
        if task.status == TaskStatus.DONE and task.version == version:
            on_day = iso_or_day(task.completed_on) if task.completed_on else "—"
            raise ValidationError(
                _("the task is already done ({date}); reopen it first by changing its status").format(date=on_day),
                "status",
            )
        for name, message in rules.completion_problems(on, store.today(), task.start):
            raise ValidationError(message, name)
        return store.mark_done(ref, evidence, version, on)


def record_progress(
    store: Store,
    ref: str,
    text: str,
    progress: int | str | None = None,
    *,
    on: date | None = None,
    version: int | None = None,
) -> Task:
    """A dated progress note, and the progress % if given (0 to 100)."""
    for name, message in rules.note_problems(text):
        raise ValidationError(message, name)
    percent: int | None = None
    if progress is not None and progress != "":
        try:
            percent = model.parse_progress(progress)
        except ValueError as e:
            raise ValidationError(str(e), "progress") from None
    return store.add_note(ref, text, percent, on=on, expected_version=version)


def change_status(store: Store, ref: str, status: str, version: int | None = None, reason: str = "") -> Task:
    """A new status; blocked needs *reason*, done its evidence (see :func:`mark_done`)."""
    changes: dict[str, Any] = {"status": status}
    if status == TaskStatus.BLOCKED:
        changes["blocked_reason"] = reason
    return change_task(store, ref, changes, version)


def cancel(store: Store, ref: str, version: int | None = None) -> Task:
    """Cancel a task: it stays on record and can be reopened."""
    return change_task(store, ref, {"status": TaskStatus.CANCELLED}, version)


def delete_task(store: Store, ref: str, version: int | None = None) -> None:
    """Remove a task that nothing depends on and that has no subtasks."""
    with store.write():
        store.delete_task(ref, store.get_task(ref).version if version is None else version)


def undo(store: Store, actor: str | None = None) -> str:
    """Undo the newest change of *actor* (everybody's with None); returns what was undone."""
    return store.undo(actor)


def redo(store: Store, actor: str | None = None) -> str:
    """Redo the newest undo of *actor*, unless an edit came after it; returns what was redone."""
    return store.redo(actor)
