"""The accountability figures, computed once for every front end.

The digest (text, Markdown, HTML), the agencies board, the CLI and the reports
read these functions, so they cannot disagree.  Every figure is defined in
docs/digest.md; the rules in short:

* A task is judged against its **committed** deadline: the plan's baseline when one
  is passed in, else the first deadline the history records for it (for a recurring
  duty: the first deadline of the current period).  Moving or removing a deadline
  never erases lateness; the **current** deadline is shown beside it.
* A **delivery** is a done task, or one period of a recurring duty, dated by its
  completion date (``done --on``), on time when that date is on or before the
  deadline it is judged against.  A delivery with no deadline at all is not judged.
* Percentages are rounded half up (87.5 % -> 88 %), averages to one decimal half up;
  "—" means there is nothing to count (no judged delivery, no late task), never zero.

The functions are pure over tasks and :class:`~actionplan.core.timeline.TaskEvent`
lists; ``Store.accountability_figures`` (and :func:`actionplan.digest.figures.figures_at`)
reads what they need, rebuilding the past from the history when the as-of date is not today.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from actionplan.core.model import Task, TaskStatus
from actionplan.core.text import key_sort
from actionplan.core.timeline import TaskEvent

#: What "—" stands for: nothing to count.
NOTHING = "—"


# --- rounding and cells: one rule for every front end ----------------------------------------


def round_half_up(value: float, digits: int = 0) -> float:
    """*value* rounded half away from zero at *digits* decimals (87.5 -> 88, 92.5 -> 93)."""
    exponent = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def percent_text(value: float | None) -> str:
    """``88%``, or "—" when there is nothing to take a share of."""
    return NOTHING if value is None else f"{round_half_up(value):.0f}%"


def average_text(value: float | None) -> str:
    """``47.0`` (days, one decimal; ``47,0`` in Vietnamese), or "—" when no task was late."""
    from actionplan.core.l10n import number

    return NOTHING if value is None else number(round_half_up(value, 1), 1)


def end_of_day(day: date, zone_name: str) -> str:
    """The UTC timestamp (as history stores them) where *day* ends in the committee's zone."""
    from actionplan.core.dates import get_zone

    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=get_zone(zone_name))
    return end.astimezone(UTC).isoformat(timespec="seconds")


def local_day(at: str, zone_name: str) -> date:
    """The committee's calendar day of a UTC history timestamp."""
    from actionplan.core.dates import get_zone

    return datetime.fromisoformat(at).astimezone(get_zone(zone_name)).date()


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# --- committed deadlines ---------------------------------------------------------------------


def committed_deadlines(
    tasks: Iterable[Task],
    events: Sequence[TaskEvent],
    moment: str,
    baselines: Mapping[str, date | None] | None = None,
) -> dict[str, date | None]:
    """Each task's committed deadline (by ref) as it stood at *moment* (UTC).

    The baseline's deadline wins when *baselines* has the task.  Otherwise it is the
    first deadline on record: the deadline before the first recorded change (or the
    current one when it never changed), skipping "none"; a recurring duty starts a
    new commitment with each period it closes.  Undone changes do not commit.
    """
    result = {t.ref: t.deadline for t in tasks}
    seen: dict[str, list[date | None]] = {}
    for e in events:
        if e.field != "deadline" or e.ref not in result or e.at >= moment:
            continue
        values = seen.setdefault(e.ref, [_day(e.old)])
        if not e.stands_at(moment) or e.undo_of is not None:
            continue
        if e.action == "done":  # a period closed: the next period is a new commitment
            values[:] = [_day(e.new)]
        else:
            values.append(_day(e.new))
    for ref, values in seen.items():
        result[ref] = next((v for v in values if v is not None), None)
    for ref, deadline in (baselines or {}).items():
        if ref in result:
            result[ref] = deadline
    return result


# --- one task's lateness ---------------------------------------------------------------------


@dataclass(frozen=True)
class TaskLateness:
    """A task's lateness against its committed deadline and its current one, side by side.

    Open: days past the deadline as of the as-of date (running).  Done: days past it at
    completion (final).  Cancelled: days past it on the day it was cancelled.
    """

    ref: str
    status: str
    committed: date | None
    current: date | None
    end: date  # as-of date, completion date or cancellation date
    days_late: int  # against the committed deadline
    days_late_now: int | None  # against the current deadline (None: it has none)

    @property
    def deadline_removed(self) -> bool:
        return self.current is None and self.committed is not None


def _late(deadline: date | None, end: date) -> int:
    return 0 if deadline is None else max(0, (end - deadline).days)


def task_lateness(task: Task, committed: date | None, as_of: date, ended_on: date | None = None) -> TaskLateness:
    """Lateness of *task* as of *as_of*; *ended_on* is the cancellation day of a cancelled task."""
    if task.status == TaskStatus.DONE:
        end = task.completed_on or as_of
    elif task.status == TaskStatus.CANCELLED:
        end = ended_on or as_of
    else:
        end = as_of
    return TaskLateness(
        ref=task.ref,
        status=str(task.status),
        committed=committed,
        current=task.deadline,
        end=end,
        days_late=_late(committed, end),
        days_late_now=None if task.deadline is None else _late(task.deadline, end),
    )


def is_overdue(task: Task, committed: date | None, as_of: date) -> bool:
    """Open and past its current deadline, or without one now and past the committed one.

    Removing the deadline of a late task is a slip, not a way out of the overdue list.
    """
    if not task.is_open:
        return False
    deadline = task.deadline if task.deadline is not None else committed
    return deadline is not None and deadline < as_of


# --- deliveries and cancellations --------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """A done task, or one period of a recurring duty, judged against its deadlines."""

    ref: str
    lead: str
    done_on: date
    due: date | None  # the committed deadline (a period: the committed deadline of that period)
    due_now: date | None  # the deadline at completion (a period) or now (a task)
    recorded_at: str  # UTC timestamp of the recording ("" when the history does not have it)
    period: bool = False

    @property
    def judged(self) -> bool:
        return self.due is not None

    @property
    def on_time(self) -> bool | None:
        return None if self.due is None else self.done_on <= self.due

    @property
    def on_time_now(self) -> bool | None:
        return None if self.due_now is None else self.done_on <= self.due_now

    @property
    def days_late(self) -> int:
        return _late(self.due, self.done_on)

    @property
    def days_late_now(self) -> int | None:
        return None if self.due_now is None else _late(self.due_now, self.done_on)


def deliveries(
    tasks: Iterable[Task],
    events: Sequence[TaskEvent],
    committed: Mapping[str, date | None],
    moment: str,
    zone: str,
) -> list[Delivery]:
    """Every delivery standing at *moment*: done tasks, and the periods recurring duties closed."""
    by_ref = {t.ref: t for t in tasks}
    recorded: dict[str, str] = {}
    result: list[Delivery] = []
    period_commitment: dict[str, date | None] = {}
    for e in events:
        if e.ref not in by_ref or e.at >= moment:
            continue
        if e.field == "completed_on" and e.new and e.stands_at(moment):
            recorded[e.ref] = e.at
        if e.field != "deadline":
            continue
        if e.ref not in period_commitment:
            period_commitment[e.ref] = _day(e.old)
        if not e.stands_at(moment) or e.undo_of is not None:
            continue
        if e.action == "done" and e.old:
            due_now = _day(e.old)
            due = period_commitment[e.ref] or due_now
            done_on = e.note_on or local_day(e.at, zone)
            task = by_ref[e.ref]
            result.append(Delivery(e.ref, task.lead, done_on, due, due_now, e.at, period=True))
            period_commitment[e.ref] = _day(e.new)
        elif period_commitment[e.ref] is None:
            period_commitment[e.ref] = _day(e.new)
    for t in by_ref.values():
        if t.status == TaskStatus.DONE and t.completed_on is not None:
            result.append(
                Delivery(t.ref, t.lead, t.completed_on, committed.get(t.ref), t.deadline, recorded.get(t.ref, ""))
            )
    result.sort(key=lambda d: (d.done_on, d.ref.split("/", 1)[0], key_sort(d.ref.split("/", 1)[-1])))
    return result


@dataclass(frozen=True)
class Cancellation:
    """A task cancelled (from the history), with who cancelled it and how late it was then."""

    ref: str
    lead: str
    by: str
    at: str  # UTC
    on: date  # the committee's day
    committed: date | None
    days_late: int  # past the committed deadline on the day it was cancelled
    undone_on: date | None = None  # taken back by an undo recorded before the moment


def cancellations(
    events: Sequence[TaskEvent], committed: Mapping[str, date | None], moment: str, zone: str, start: str = ""
) -> list[Cancellation]:
    """Cancellations recorded from *start* to *moment* (UTC), undone ones included and marked."""
    result = []
    for e in events:
        if e.field != "status" or e.new != TaskStatus.CANCELLED or e.undo_of is not None:
            continue
        if not start <= e.at < moment:
            continue
        on = local_day(e.at, zone)
        undone = local_day(e.undone_at, zone) if e.undone_at and e.undone_at < moment else None
        deadline = committed.get(e.ref)
        result.append(Cancellation(e.ref, e.lead, e.actor, e.at, on, deadline, _late(deadline, on), undone))
    return result


def cancelled_on(events: Sequence[TaskEvent], moment: str, zone: str) -> dict[str, date]:
    """The day each task was last cancelled (standing at *moment*), by ref."""
    return {
        e.ref: local_day(e.at, zone)
        for e in events
        if e.field == "status" and e.new == TaskStatus.CANCELLED and e.stands_at(moment)
    }


# --- the agency table ------------------------------------------------------------------------


@dataclass
class AgencyFigures:
    """How one lead agency stands, all time up to the as-of date."""

    org: str
    name: str
    assigned: int = 0  # tasks led, cancelled ones included
    open: int = 0
    overdue: int = 0
    cancelled: int = 0
    delivered: int = 0  # done tasks and recurring periods done
    judged: int = 0  # deliveries with a committed deadline
    on_time: int = 0  # ... delivered on or before it
    judged_now: int = 0  # deliveries with a current deadline
    on_time_now: int = 0  # ... delivered on or before it
    late_open: list[int] = field(default_factory=list)  # running days late of open tasks past the committed deadline
    late_done: list[int] = field(default_factory=list)  # final days late of late deliveries

    @property
    def on_time_pct(self) -> float | None:
        return None if self.judged == 0 else 100.0 * self.on_time / self.judged

    @property
    def on_time_now_pct(self) -> float | None:
        return None if self.judged_now == 0 else 100.0 * self.on_time_now / self.judged_now

    @property
    def avg_late_open(self) -> float | None:
        return None if not self.late_open else sum(self.late_open) / len(self.late_open)

    @property
    def avg_late_done(self) -> float | None:
        return None if not self.late_done else sum(self.late_done) / len(self.late_done)


def agency_rank(a: AgencyFigures) -> tuple:
    """Sort key putting the agency in the worst standing first."""
    on_time = a.on_time_pct if a.on_time_pct is not None else 100.0
    return (-a.overdue, -(a.avg_late_open or 0.0), on_time, -(a.avg_late_done or 0.0), a.org)


def agency_figures(
    tasks: Iterable[Task],
    committed: Mapping[str, date | None],
    delivered: Iterable[Delivery],
    as_of: date,
    names: Mapping[str, str] | None = None,
) -> list[AgencyFigures]:
    """One row per lead agency with a task (cancelled tasks keep it in the table), worst first."""
    rows: dict[str, AgencyFigures] = {}

    def row(org: str, fallback: str = "") -> AgencyFigures:
        if org not in rows:
            rows[org] = AgencyFigures(org=org, name=(names or {}).get(org) or fallback or org)
        return rows[org]

    for t in tasks:
        a = row(t.lead, t.lead_name)
        a.assigned += 1
        deadline = committed.get(t.ref)
        if t.status == TaskStatus.CANCELLED:
            a.cancelled += 1
        elif t.is_open:
            a.open += 1
            a.overdue += is_overdue(t, deadline, as_of)
            late = _late(deadline, as_of)
            if late:
                a.late_open.append(late)
    for d in delivered:
        if d.done_on > as_of:
            continue
        a = row(d.lead)
        a.delivered += 1
        if d.judged:
            a.judged += 1
            a.on_time += bool(d.on_time)
            if d.days_late:
                a.late_done.append(d.days_late)
        if d.due_now is not None:
            a.judged_now += 1
            a.on_time_now += bool(d.on_time_now)
    return sorted(rows.values(), key=agency_rank)


# --- everything at once, from the store --------------------------------------------------------


@dataclass
class AccountabilityFigures:
    """The figures of some plans (and lead agencies) as of a date, with what they were made from."""

    as_of: date
    moment: str  # the end of the as-of day, UTC
    tasks: list[Task]
    events: list[TaskEvent]
    committed: dict[str, date | None]
    deliveries: list[Delivery]
    agencies: list[AgencyFigures]

    def lateness(self, task: Task, ended_on: date | None = None) -> TaskLateness:
        return task_lateness(task, self.committed.get(task.ref), self.as_of, ended_on)
