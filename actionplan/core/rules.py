"""The rules a change to a task must follow, written once.

The services call :func:`check_change` before every write; the plan-file reader
calls :func:`change_problems` for every task of a file; the UI's dialogs and
editor call the same functions to show the problem before you save.  So every
front end gets the same verdict and the same message.

The store keeps the integrity checks (:func:`actionplan.core.model.validate_task_fields`,
known agencies and tasks, no cycles); these are the rules about *changing* a task.
"""

from __future__ import annotations

from datetime import date

from actionplan.core.completion import completion_date_problem
from actionplan.core.errors import ValidationError
from actionplan.core.i18n import _
from actionplan.core.model import PlanStatus, Task, TaskStatus


def evidence_needed() -> str:
    return _("give the completion evidence (what was delivered, where)")


def blocked_reason_needed() -> str:
    return _("say why the task is blocked")


def slip_reason_needed() -> str:
    return _("the plan is active: say why the deadline is moving (a reason)")


def note_text_needed() -> str:
    return _("a progress note needs some text")


def completion_problems(on: date | None, today: date, start: date | None = None) -> list[tuple[str, str]]:
    """A task cannot be completed after today, nor before it started (core.completion)."""
    problem = completion_date_problem(on, start, today)
    return [("completed_on", problem)] if problem else []


def note_problems(text: str) -> list[tuple[str, str]]:
    """A progress note says what happened (judged as stored: control characters removed)."""
    from actionplan.core.text import clean

    return [] if clean(text).strip() else [("text", note_text_needed())]


def status_problems(status: str, evidence: str, blocked_reason: str) -> list[tuple[str, str]]:
    """Done needs evidence, blocked needs a reason: (field, message) for what is missing."""
    if status == TaskStatus.DONE and not evidence.strip():
        return [("evidence", evidence_needed())]
    if status == TaskStatus.BLOCKED and not blocked_reason.strip():
        return [("blocked_reason", blocked_reason_needed())]
    return []


def is_slip(old: Task | None, new: Task, plan_status: str) -> bool:
    """A deadline that was set moves, on a plan that is running: the history must say why."""
    return (
        old is not None
        and plan_status == PlanStatus.ACTIVE
        and old.deadline is not None
        and new.deadline != old.deadline
    )


def change_problems(old: Task | None, new: Task, plan_status: str, reason: str = "") -> list[tuple[str, str]]:
    """What is wrong with changing *old* (None: a new task) into *new*, as (field, message).

    The status rules bind when the status is entered or the field they need is
    emptied, so an old record that lacks evidence can still be edited otherwise.
    """
    problems: list[tuple[str, str]] = []
    for name, message in status_problems(str(new.status), new.evidence, new.blocked_reason):
        had = old is not None and old.status == new.status and not str(getattr(old, name)).strip()
        if not had:
            problems.append((name, message))
    if is_slip(old, new, plan_status) and not reason.strip():
        problems.append(("deadline", slip_reason_needed()))
    return problems


def check_change(old: Task | None, new: Task, plan_status: str, reason: str = "") -> None:
    """Raise ValidationError (naming the field) for the first rule *new* breaks."""
    problems = change_problems(old, new, plan_status, reason)
    if problems:
        name, message = problems[0]
        raise ValidationError(message, name)
