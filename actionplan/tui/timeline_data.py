"""The data behind the timeline screen: a window of months and the deadlines in each.

``build_timeline`` reads the window from the store (no SQL here: it calls the
store), ``timeline_rows`` turns it into the lines of the month list.  No
Textual import: the widgets that draw these lines are in
``actionplan.tui.widgets.timeline_widgets``.  It lives under ``tui`` because
it carries the list's own choices (month labels, the today marker, the cap of
tasks listed per month).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from actionplan.core import model
from actionplan.core.i18n import _
from actionplan.core.model import Task, TaskStatus
from actionplan.core.query import TaskFilter
from actionplan.core.text import key_sort
from actionplan.digest.figures import lateness_of_tasks
from actionplan.store import Store

WINDOW_MONTHS = 18
SHIFT_MONTHS = 3
#: A month with more deadlines than this lists the first ones and offers the rest in the task screen.
MAX_TASKS_PER_MONTH = 40
MONTH_ABBR = (
    "",
    _("Jan"),
    _("Feb"),
    _("Mar"),
    _("Apr"),
    _("May"),
    _("Jun"),
    _("Jul"),
    _("Aug"),
    _("Sep"),
    _("Oct"),
    _("Nov"),
    _("Dec"),
)


# --- months --------------------------------------------------------------------------------


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The first day of the month *n* months after (or before) the month of *d*."""
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def default_start(today: date) -> date:
    """First month of the default window: January of today's year."""
    return date(today.year, 1, 1)


def month_label(d: date) -> str:
    return f"{MONTH_ABBR[d.month]} {d.year}"


def day_label(d: date) -> str:
    return f"{d.day:2d} {MONTH_ABBR[d.month]}"


# --- the data behind the screen ------------------------------------------------------------


@dataclass
class MonthFigures:
    """What a month header counts (overdue comes from model.is_overdue)."""

    deadlines: int = 0
    done: int = 0
    overdue: int = 0
    open: int = 0
    cancelled: int = 0


def month_figures(tasks: Sequence[Task], today: date) -> MonthFigures:
    figures = MonthFigures(deadlines=len(tasks))
    for task in tasks:
        if task.status == TaskStatus.DONE:
            figures.done += 1
        elif task.status == TaskStatus.CANCELLED:
            figures.cancelled += 1
        else:
            figures.open += 1
        figures.overdue += model.is_overdue(task, today)
    return figures


@dataclass
class TimelineMonth:
    """One month of the window: its figures and (the first of) the tasks due in it, by deadline."""

    start: date
    tasks: list[Task] = field(default_factory=list)
    figures: MonthFigures = field(default_factory=MonthFigures)

    @property
    def end(self) -> date:
        """First day of the next month."""
        return add_months(self.start, 1)

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def label(self) -> str:
        return month_label(self.start)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


@dataclass
class Timeline:
    """Deadlines of a window of months, and how many fall before and after it."""

    today: date
    months: list[TimelineMonth]
    earlier: int = 0
    earlier_overdue: int = 0
    later: int = 0
    #: Refs of the listed done tasks finished after their committed deadline (a slip does not erase it).
    done_late: frozenset[str] = frozenset()

    @property
    def start(self) -> date:
        return self.months[0].start

    @property
    def end(self) -> date:
        """First day after the window."""
        return self.months[-1].end

    def month_of(self, day: date) -> TimelineMonth | None:
        return next((m for m in self.months if m.contains(day)), None)


def build_timeline(
    store: Store,
    today: date,
    start: date,
    plans: Sequence[str] = (),
    months: int = WINDOW_MONTHS,
    limit: int = MAX_TASKS_PER_MONTH,
) -> Timeline:
    """The deadlines of *months* months from *start*, and the counts before and after.

    Figures come from the light task briefs (one query); each month then loads
    at most *limit* full tasks, so a database of 10,000 tasks opens at once.
    """
    start = first_of_month(start)
    slots = [TimelineMonth(add_months(start, i)) for i in range(months)]
    end = slots[-1].end
    in_window: dict[date, list[Task]] = {slot.start: [] for slot in slots}
    timeline = Timeline(today=today, months=slots)
    for task in store.brief_tasks(list(plans)):
        if task.deadline is None:
            continue
        if task.deadline < start:
            timeline.earlier += 1
            timeline.earlier_overdue += model.is_overdue(task, today)
        elif task.deadline >= end:
            timeline.later += 1
        else:
            in_window[first_of_month(task.deadline)].append(task)
    for slot in slots:
        slot.figures = month_figures(in_window[slot.start], today)
        if slot.figures.deadlines:
            slot.tasks = store.list_tasks(
                TaskFilter(plans=list(plans), due_after=slot.start - timedelta(days=1), due_before=slot.end),
                today=today,
                limit=limit,
            )
            slot.tasks.sort(key=lambda t: (t.deadline, t.plan, key_sort(t.key)))
    done = [t for slot in slots for t in slot.tasks if t.status == TaskStatus.DONE]
    if done:
        late = lateness_of_tasks(store, done, today)
        timeline.done_late = frozenset(ref for ref, judged in late.items() if judged.days_late > 0)
    return timeline


# --- rows of the list and how they read ----------------------------------------------------


@dataclass(frozen=True, eq=False)
class Row:
    """One line of the month list: earlier, month, task, today, more, later or empty."""

    kind: str
    month: TimelineMonth | None = None
    task: Task | None = None

    @property
    def id(self) -> str:
        if self.kind == "task" and self.task is not None:
            return f"task:{self.task.ref}"
        if self.month is not None:
            return f"{self.kind}:{self.month.key}"
        return self.kind


def timeline_rows(timeline: Timeline, limit: int = MAX_TASKS_PER_MONTH) -> list[Row]:
    """The lines of the list, in order, with the today marker among today's month's tasks."""
    rows: list[Row] = []
    if timeline.earlier:
        rows.append(Row("earlier"))
    today = timeline.today
    for month in timeline.months:
        rows.append(Row("month", month))
        marked = not month.contains(today)
        for task in month.tasks[:limit]:
            if not marked and task.deadline is not None and task.deadline >= today:
                rows.append(Row("today", month))
                marked = True
            rows.append(Row("task", month, task))
        if month.figures.deadlines > min(len(month.tasks), limit):
            rows.append(Row("more", month))
        if not marked:
            rows.append(Row("today", month))
    if timeline.later:
        rows.append(Row("later"))
    if not any(m.tasks for m in timeline.months) and not timeline.earlier and not timeline.later:
        rows.append(Row("empty"))
    return rows
