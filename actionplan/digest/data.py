"""Status digests as data: what is overdue, what falls due, what was done, what slipped.

:func:`build_digest` gathers every section of a digest from the store into
plain dataclasses, judged with the rules in :mod:`actionplan.core.model` only; it
formats nothing.  :mod:`actionplan.digest.render` turns a :class:`Digest` into
text, Markdown or HTML, and the UI can show the same data in a preview.

The "since" sections (completed, deadline changes) cover the days from the
*since* date through the as-of date, both included, in the committee's time
zone.  Without a since date they cover the 7 days before the as-of date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from actionplan.core import model
from actionplan.core.errors import DigestError
from actionplan.core.i18n import _
from actionplan.core.model import KPI, Org, Plan, PlanSummary, ProgressUpdate, Task
from actionplan.core.query import TaskFilter
from actionplan.core.text import key_sort
from actionplan.core.timeline import TaskEvent
from actionplan.digest import figures as fig
from actionplan.digest.figures import AgencyFigures

if TYPE_CHECKING:  # pragma: no cover - typing only
    from actionplan.store import Store

#: Days the "since" sections cover when no since date is given.
DEFAULT_SINCE_DAYS = 7


class SinceBasis(StrEnum):
    """Where the start of the "since" window came from."""

    GIVEN = "given"  # --since DATE
    PREVIOUS_DIGEST = "previous digest"  # --since-last, a digest was on record
    NO_PREVIOUS_DIGEST = "no previous digest"  # --since-last, none on record: last 7 days
    DEFAULT = "default"  # nothing asked: last 7 days


class ChangeKind(StrEnum):
    """How a deadline moved."""

    SLIPPED = "slipped"
    BROUGHT_FORWARD = "brought forward"
    RESTORED = "restored"  # moved back to the committed deadline
    SET = "set"
    REMOVED = "removed"  # a slip too: the task stays judged against its committed deadline


#: How many tasks each list of a digest shows unless asked otherwise: a digest is read, and
#: 1,500 overdue tasks are a listing, not a digest (the figures always count them all).
DEFAULT_LIMIT = 25


@dataclass
class DigestOptions:
    """What a digest covers.  ``since_last`` takes the since date from the previous digest."""

    as_of: date
    since: date | None = None
    plans: tuple[str, ...] = ()
    lead: str | None = None
    horizon: int = model.DEFAULT_HORIZON_DAYS
    since_last: bool = False
    #: At most this many tasks in each list (overdue, due soon, ...); None: every one.
    limit: int | None = None


@dataclass
class Figures:
    """The headline counts, for one plan or for all of them."""

    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    done_since: int = 0
    #: deadline changes in the window that slipped or removed a deadline (undos not counted)
    slipped_since: int = 0
    cancelled_since: int = 0


@dataclass
class PlanFigures:
    plan: Plan
    figures: Figures


@dataclass
class OverdueItem:
    """An open task past its deadline, with who answers for it."""

    task: Task
    days_late: int  # against the current deadline (the committed one when it was removed)
    accountable: str
    last_note: ProgressUpdate | None = None
    committed: date | None = None
    days_late_committed: int = 0


@dataclass
class DueItem:
    """An open task due within the horizon."""

    task: Task
    days_left: int
    accountable: str


@dataclass
class CompletedItem:
    """A task (or one period of a recurring duty) completed in the window."""

    task: Task
    completed_on: date
    on_time: bool | None  # against the committed deadline; None: no deadline to judge
    days_late: int  # against the committed deadline
    evidence: str
    period_due: date | None = None  # set for a period of a recurring duty
    due: date | None = None  # the committed deadline
    due_now: date | None = None  # the current deadline (a period: its deadline when done)
    days_late_now: int | None = None


@dataclass
class CancelledItem:
    """A task cancelled in the window: who cancelled it and how late it was then."""

    task: Task
    by: str
    on: date
    committed: date | None
    days_late: int
    undone_on: date | None = None


@dataclass
class DeadlineChange:
    """One change of a task's deadline, from the history."""

    task: Task
    old: date | None
    new: date | None
    kind: ChangeKind
    days: int  # how far the deadline moved (0 when set or removed)
    by: str
    at: datetime  # when, in the committee's time zone
    action: str  # edit, import, undo...
    reversal: bool = False  # this change is an undo of an earlier one
    undone_on: date | None = None  # taken back by an undo on that day (within the digest's dates)


@dataclass
class BlockedItem:
    task: Task
    reason: str
    accountable: str
    last_note: ProgressUpdate | None = None


@dataclass
class KPIItem:
    task: Task
    kpi: KPI
    share: float | None  # 0..1 of the way from baseline to target (KPI.share_of_way)


@dataclass
class Digest:
    """Everything a digest shows, as data (no formatting)."""

    as_of: date
    since: date
    since_basis: SinceBasis
    horizon: int
    zone: str
    plans: list[Plan]
    plans_filtered: bool
    lead: Org | None
    totals: Figures
    plan_figures: list[PlanFigures]
    overdue: list[OverdueItem] = field(default_factory=list)
    due_soon: list[DueItem] = field(default_factory=list)
    completed: list[CompletedItem] = field(default_factory=list)
    deadline_changes: list[DeadlineChange] = field(default_factory=list)
    blocked: list[BlockedItem] = field(default_factory=list)
    kpis: list[KPIItem] = field(default_factory=list)
    progress: list[PlanSummary] = field(default_factory=list)
    accountability: list[AgencyFigures] = field(default_factory=list)
    cancelled: list[CancelledItem] = field(default_factory=list)
    previous_digest_on: date | None = None
    #: How many more tasks each list has than it shows (by section key), when limited.
    more: dict[str, int] = field(default_factory=dict)
    limit: int | None = None
    #: Set when the digest covers the tasks one agency coordinates (the mailed digests' second part).
    coordinating: Org | None = None
    #: Each agency's Vietnamese short name by key (Vietnamese output names agencies by it).
    short_names: dict[str, str] = field(default_factory=dict)

    def count(self, section: str) -> int:
        """How many tasks a list section ("overdue", "due", ...) has, shown or not."""
        lists: dict[str, Sequence[object]] = {
            "overdue": self.overdue,
            "due": self.due_soon,
            "completed": self.completed,
            "changes": self.deadline_changes,
            "blocked": self.blocked,
            "kpis": self.kpis,
            "cancelled": self.cancelled,
        }
        return len(lists[section]) + self.more.get(section, 0)

    @property
    def is_empty(self) -> bool:
        """No plan in scope at all (an empty database, or plans without tasks)."""
        return not self.plans


# --- building ---------------------------------------------------------------------------


def resolve_since(store: Store, options: DigestOptions) -> tuple[date, SinceBasis, date | None]:
    """The first day of the "since" window, where it came from, and the previous digest's date."""
    if options.since is not None and options.since_last:
        raise DigestError(_("give either --since or --since-last, not both"))
    if options.since is not None:
        if options.since > options.as_of:
            raise DigestError(
                _("--since")
                + f" {options.since.isoformat()} "
                + _("is after the as-of date")
                + f" {options.as_of.isoformat()}"
            )
        return options.since, SinceBasis.GIVEN, None
    default = options.as_of - timedelta(days=DEFAULT_SINCE_DAYS)
    if options.since_last:
        previous = store.last_digest(before=options.as_of)
        if previous is None:
            return default, SinceBasis.NO_PREVIOUS_DIGEST, None
        on = date.fromisoformat(previous["as_of"])
        return on, SinceBasis.PREVIOUS_DIGEST, on
    return default, SinceBasis.DEFAULT, None


def day_bounds(first: date, last: date, zone_name: str) -> tuple[str, str]:
    """UTC timestamps (as history stores them) of the start of *first* and the end of *last*."""
    from actionplan.core.dates import get_zone

    zone = get_zone(zone_name)
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def build_digest(store: Store, options: DigestOptions) -> Digest:
    """Gather a digest from the store; the data only, for any renderer.

    A digest as of a past date reads the tasks as they stood at the end of that
    day, rebuilt from the history, and only what was recorded up to then: re-run
    later, it says the same thing.

    Raises DigestError for contradictory options, and the store's
    NotFoundError/ValidationError for an unknown plan or agency (StoreError when
    the past cannot be rebuilt).
    """
    if options.horizon < 0:
        raise DigestError(_("the horizon must be zero or more days"))
    if options.limit is not None and options.limit < 1:
        raise DigestError(_("the limit must be one task or more (or none)"))
    since, basis, previous_on = resolve_since(store, options)
    start_at, end_at = day_bounds(since, options.as_of, store.timezone)
    with store.state_at(end_at):
        return _build(store, options, since, basis, previous_on, start_at, end_at)


def _build(
    store: Store,
    options: DigestOptions,
    since: date,
    basis: SinceBasis,
    previous_on: date | None,
    start_at: str,
    end_at: str,
) -> Digest:
    as_of = options.as_of
    zone = store.timezone
    # an unknown plan key raises NotFoundError, which names the known plans
    plans = [store.get_plan(k) for k in dict.fromkeys(options.plans)] if options.plans else store.list_plans()
    plan_keys = [p.key for p in plans] if options.plans else []
    lead = store.resolve_org(options.lead, "lead") if options.lead else None
    leads = [lead.key] if lead else []
    orgs = {o.key: o for o in store.list_orgs()}
    figs = fig.figures_at(store, as_of, plan_keys, leads)

    def accountable(task: Task) -> str:
        if task.accountable:
            return task.accountable
        org = orgs.get(task.lead)
        if org and org.head:
            return f"{org.head}, {org.head_title}" if org.head_title else org.head
        return ""

    scope = TaskFilter(plans=plan_keys, leads=leads)
    overdue_tasks = store.list_bare_tasks(replace(scope, overdue=True), today=as_of)
    listed = {t.ref for t in overdue_tasks}  # the filter lists removed deadlines too; the figures have the last word
    removed = [
        t.ref
        for t in figs.tasks
        if t.deadline is None and t.ref not in listed and fig.is_overdue(t, figs.committed.get(t.ref), as_of)
    ]
    overdue_tasks += store.tasks_by_refs(removed).values()
    overdue_tasks = [t for t in overdue_tasks if fig.is_overdue(t, figs.committed.get(t.ref), as_of)]
    blocked_tasks = store.list_bare_tasks(replace(scope, statuses=["blocked"]), today=as_of)
    notes = store.last_updates([t.id for t in overdue_tasks + blocked_tasks if t.id is not None])
    overdue = [_overdue_item(t, figs, accountable(t), notes.get(t.id or 0)) for t in overdue_tasks]
    overdue.sort(key=lambda i: (-i.days_late, i.task.plan, key_sort(i.task.key)))
    blocked = [BlockedItem(t, t.blocked_reason, accountable(t), notes.get(t.id or 0)) for t in blocked_tasks]
    blocked.sort(key=lambda i: (i.task.deadline or date.max, i.task.plan, key_sort(i.task.key)))

    due_tasks = [
        t
        for t in store.list_bare_tasks(replace(scope, due_within=options.horizon), today=as_of)
        if model.is_due_soon(t, as_of, options.horizon)
    ]
    due = [DueItem(t, model.days_left(t, as_of) or 0, accountable(t)) for t in due_tasks]
    due.sort(key=lambda i: (i.task.deadline or date.max, i.task.plan, key_sort(i.task.key)))

    window = [e for e in figs.events if start_at <= e.at < end_at]
    in_window = [
        d
        for d in figs.deliveries
        if since <= d.done_on <= as_of or (d.recorded_at and start_at <= d.recorded_at < end_at)
    ]
    cancels = fig.cancellations(window, figs.committed, end_at, zone, start_at)
    full = store.tasks_by_refs({d.ref for d in in_window} | {e.ref for e in window})
    completed = [_completed_item(full[d.ref], d) for d in in_window if d.ref in full]
    changes = _deadline_changes(window, full, figs.committed, end_at, zone)
    cancelled = [
        CancelledItem(full[c.ref], c.by, c.on, c.committed, c.days_late, c.undone_on) for c in cancels if c.ref in full
    ]

    kpis = [KPIItem(t, t.kpi, t.kpi.share_of_way()) for t in store.kpi_tasks(plan_keys, leads) if t.kpi]
    progress = _plan_progress(store, figs, plans, leads, as_of, options.horizon) if plans else []

    open_counts = store.count_by_plan(replace(scope, open_only=True), today=as_of)
    sections: tuple[Sequence[Any], ...] = (overdue, due, completed, changes, cancelled)
    by_plan: dict[str, tuple[list, ...]] = {p.key: tuple([] for _s in sections) for p in plans}
    for n, items in enumerate(sections):
        for item in items:
            if item.task.plan in by_plan:
                by_plan[item.task.plan][n].append(item)
    per_plan = [PlanFigures(p, _figures(open_counts.get(p.key, 0), *by_plan[p.key])) for p in plans]
    totals = _figures(sum(open_counts.get(p.key, 0) for p in plans), overdue, due, completed, changes, cancelled)
    more: dict[str, int] = {}

    def first(section: str, items: list) -> list:
        """The first options.limit items (figures above count them all)."""
        if options.limit is None or len(items) <= options.limit:
            return items
        more[section] = len(items) - options.limit
        return items[: options.limit]

    return Digest(
        as_of=as_of,
        since=since,
        since_basis=basis,
        horizon=options.horizon,
        zone=zone,
        plans=plans,
        plans_filtered=bool(options.plans),
        lead=lead,
        totals=totals,
        plan_figures=per_plan,
        overdue=first("overdue", overdue),
        due_soon=first("due", due),
        completed=first("completed", completed),
        deadline_changes=first("changes", changes),
        blocked=first("blocked", blocked),
        kpis=first("kpis", kpis),
        progress=progress,
        accountability=figs.agencies,
        cancelled=first("cancelled", cancelled),
        previous_digest_on=previous_on,
        more=more,
        limit=options.limit,
        short_names={o.key: o.short_name for o in store.list_orgs() if o.short_name},
    )


def _plan_progress(
    store: Store, figs: fig.AccountabilityFigures, plans: Sequence[Plan], leads: list[str], as_of: date, horizon: int
) -> list[PlanSummary]:
    """Each plan's roll-up; for whole plans from the tasks the figures read, overdue by the overdue list's rule."""
    keys = {p.key for p in plans}
    if leads:  # the figures read one agency's tasks; a plan's roll-up needs them all
        return store.plan_summaries(as_of, horizon, sorted(keys))
    plans = [p for p in store.list_plans() if p.key in keys]  # in the order plan_summaries gives
    by_plan: dict[str, list[Task]] = {p.key: [] for p in plans}
    overdue = dict.fromkeys(by_plan, 0)
    for t in figs.tasks:
        if t.plan in by_plan:
            by_plan[t.plan].append(t)
            overdue[t.plan] += fig.is_overdue(t, figs.committed.get(t.ref), as_of)
    summaries = [model.summarise_plan(p, by_plan[p.key], as_of, horizon) for p in plans]
    for summary in summaries:
        summary.overdue = overdue[summary.plan.key]
    return summaries


def _figures(
    open_: int,
    overdue: Sequence[OverdueItem],
    due: Sequence[DueItem],
    completed: Sequence[CompletedItem],
    changes: Sequence[DeadlineChange],
    cancelled: Sequence[CancelledItem],
) -> Figures:
    """Headline counts; "slipped" counts the slips among the deadline changes listed (the same unit)."""
    slips = [c for c in changes if c.kind in (ChangeKind.SLIPPED, ChangeKind.REMOVED) and not c.reversal]
    return Figures(
        open=open_,
        overdue=len(overdue),
        due_soon=len(due),
        done_since=len(completed),
        slipped_since=len(slips),
        cancelled_since=len(cancelled),
    )


def _overdue_item(
    task: Task, figs: fig.AccountabilityFigures, accountable: str, note: ProgressUpdate | None
) -> OverdueItem:
    late = figs.lateness(task)
    now = late.days_late_now if late.days_late_now is not None else late.days_late
    return OverdueItem(task, now, accountable, note, late.committed, late.days_late)


def _completed_item(task: Task, d: fig.Delivery) -> CompletedItem:
    return CompletedItem(
        task=task,
        completed_on=d.done_on,
        on_time=d.on_time,
        days_late=d.days_late,
        evidence=task.evidence,
        period_due=d.due_now if d.period else None,
        due=d.due,
        due_now=d.due_now,
        days_late_now=d.days_late_now,
    )


def _deadline_changes(
    events: Sequence[TaskEvent],
    tasks: dict[str, Task],
    committed: dict[str, date | None],
    moment: str,
    zone_name: str,
) -> list[DeadlineChange]:
    """Every deadline change recorded in the window, undone ones and the undos included.

    A past window must read the same whenever it is re-run: an undo recorded later
    changes nothing in it, and is reported in its own window as a reversal.  A
    recurring duty's move to its next period is a delivery, not a change.
    """
    from actionplan.core.dates import get_zone

    zone = get_zone(zone_name)
    changes: list[DeadlineChange] = []
    for e in events:
        task = tasks.get(e.ref)
        if e.field != "deadline" or "done" in (e.action, e.undoes) or task is None:
            continue
        old, new = _day(e.old), _day(e.new)
        if old is None and new is None:
            continue
        if old is None:
            kind, days = ChangeKind.SET, 0
        elif new is None:
            kind, days = ChangeKind.REMOVED, 0
        elif new > old:
            kind, days = ChangeKind.SLIPPED, (new - old).days
        elif new < old:
            restored = new == committed.get(e.ref) and e.undo_of is None
            kind, days = (ChangeKind.RESTORED if restored else ChangeKind.BROUGHT_FORWARD), (old - new).days
        else:
            continue
        undone = fig.local_day(e.undone_at, zone_name) if e.undone_at and e.undone_at < moment else None
        at = datetime.fromisoformat(e.at).astimezone(zone)
        changes.append(
            DeadlineChange(
                task=task,
                old=old,
                new=new,
                kind=kind,
                days=days,
                by=e.actor,
                at=at,
                action=e.action,
                reversal=e.undo_of is not None,
                undone_on=undone,
            )
        )
    changes.sort(key=lambda c: (c.at, c.task.plan, key_sort(c.task.key)))
    return changes


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
