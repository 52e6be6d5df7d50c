"""When a task can have been completed: the one rule every write path asks."""

from __future__ import annotations

from datetime import date

from actionplan.core import l10n
from actionplan.core.errors import ValidationError
from actionplan.core.i18n import _


def completion_date_problem(completed_on: date | None, start: date | None, today: date) -> str | None:
    """Why *completed_on* cannot be a completion date (None when it can).

    Work is not finished before it starts, and nothing is finished later than
    today: a future date would count a task as done that nobody has delivered.
    """
    if completed_on is None:
        return None
    if completed_on > today:
        return _("the completion date {date} is after today ({today})").format(
            date=l10n.day(completed_on), today=l10n.day(today)
        )
    if start is not None and completed_on < start:
        return _("the completion date {date} is before the task's start ({start})").format(
            date=l10n.day(completed_on), start=l10n.day(start)
        )
    return None


def check_completion_date(
    completed_on: date | None, start: date | None, today: date, field: str = "completed_on"
) -> None:
    """Raise ValidationError naming *field* when *completed_on* is impossible."""
    problem = completion_date_problem(completed_on, start, today)
    if problem:
        raise ValidationError(problem, field)
