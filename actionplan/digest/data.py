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
from actionplan.core.model import KPI, Org, OrgScore, Plan, PlanSummary, ProgressUpdate, Task, TaskStatus
from actionplan.core.query import TaskFilter
from actionplan.core.text import key_sort

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
    SET = "set"
    REMOVED = "removed"


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
    slipped_since: int = 0


@dataclass
class PlanFigures:
    plan: Plan
    figures: Figures


@dataclass
class OverdueItem:
    """An open task past its deadline, with who answers for it."""

    task: Task
    days_late: int
    accountable: str
    last_note: ProgressUpdate | None = None


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
    on_time: bool
    days_late: int
    evidence: str
    period_due: date | None = None  # set for a period of a recurring duty


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
    accountability: list[OrgScore] = field(default_factory=list)
    previous_digest_on: date | None = None
    #: How many more tasks each list has than it shows (by section key), when limited.
    more: dict[str, int] = field(default_factory=dict)
    limit: int | None = None
    #: Set when the digest covers the tasks one agency coordinates (the mailed digests' second part).
    coordinating: Org | None = None

    def count(self, section: str) -> int:
        """How many tasks a list section ("overdue", "due", ...) has, shown or not."""
        lists: dict[str, Sequence[object]] = {
            "overdue": self.overdue,
            "due": self.due_soon,
            "completed": self.completed,
            "changes": self.deadline_changes,
            "blocked": self.blocked,
            "kpis": self.kpis,
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

    Raises DigestError for contradictory options, and the store's
    NotFoundError/ValidationError for an unknown plan or agency.
    """
    if options.horizon < 0:
        raise DigestError(_("the horizon must be zero or more days"))
    if options.limit is not None and options.limit < 1:
        raise DigestError(_("the limit must be one task or more (or none)"))
    as_of = options.as_of
    since, basis, previous_on = resolve_since(store, options)
    zone = store.timezone
    start_at, end_at = day_bounds(since, as_of, zone)

    # an unknown plan key raises NotFoundError, which names the known plans
    plans = [store.get_plan(k) for k in dict.fromkeys(options.plans)] if options.plans else store.list_plans()
    plan_keys = [p.key for p in plans] if options.plans else []
    lead = store.resolve_org(options.lead, "lead") if options.lead else None
    leads = [lead.key] if lead else []
    orgs = {o.key: o for o in store.list_orgs()}

    def accountable(task: Task) -> str:
        if task.accountable:
            return task.accountable
        org = orgs.get(task.lead)
        if org and org.head:
            return f"{org.head}, {org.head_title}" if org.head_title else org.head
        return ""

    scope = TaskFilter(plans=plan_keys, leads=leads)

    # overdue: the store's SQL form of model.is_overdue, each one checked again with the rule
    overdue_tasks = [
        t for t in store.list_bare_tasks(replace(scope, overdue=True), today=as_of) if model.is_overdue(t, as_of)
    ]
    blocked_tasks = store.list_bare_tasks(replace(scope, statuses=[TaskStatus.BLOCKED.value]), today=as_of)
    notes = store.last_updates([t.id for t in overdue_tasks + blocked_tasks if t.id is not None])
    overdue = [OverdueItem(t, model.days_late(t, as_of), accountable(t), notes.get(t.id or 0)) for t in overdue_tasks]
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

    completed = [
        _completed_item(t, as_of) for t in store.completed_between(start_at, end_at, since, as_of, plan_keys, leads)
    ]
    changes, periods = _deadline_changes(store, start_at, end_at, zone, plan_keys, leads)
    completed += periods
    completed.sort(key=lambda i: (i.completed_on, i.task.plan, key_sort(i.task.key)))

    kpis = [KPIItem(t, t.kpi, t.kpi.share_of_way()) for t in store.kpi_tasks(plan_keys, leads) if t.kpi]
    progress, scores = store.rollups(as_of, options.horizon, plan_keys, leads) if plans else ([], [])

    open_counts = store.count_by_plan(replace(scope, open_only=True), today=as_of)
    sections: tuple[Sequence[Any], ...] = (overdue, due, completed, changes)
    by_plan: dict[str, tuple[list, ...]] = {p.key: tuple([] for _s in sections) for p in plans}
    for n, items in enumerate(sections):
        for item in items:
            if item.task.plan in by_plan:
                by_plan[item.task.plan][n].append(item)
    per_plan = [PlanFigures(p, _figures(open_counts.get(p.key, 0), *by_plan[p.key])) for p in plans]
    totals = _figures(sum(open_counts.get(p.key, 0) for p in plans), overdue, due, completed, changes)
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
        accountability=scores,
        previous_digest_on=previous_on,
        more=more,
        limit=options.limit,
    )


def _figures(
    open_: int,
    overdue: Sequence[OverdueItem],
    due: Sequence[DueItem],
    completed: Sequence[CompletedItem],
    changes: Sequence[DeadlineChange],
) -> Figures:
    """Headline counts; "slipped" counts tasks whose deadline moved later, however often."""
    slipped = {c.task.ref for c in changes if c.kind == ChangeKind.SLIPPED}
    return Figures(
        open=open_, overdue=len(overdue), due_soon=len(due), done_since=len(completed), slipped_since=len(slipped)
    )


def _completed_item(task: Task, as_of: date) -> CompletedItem:
    on_time = model.done_on_time(task)
    return CompletedItem(
        task=task,
        completed_on=task.completed_on or as_of,
        on_time=on_time is not False,
        days_late=model.days_late(task, as_of),
        evidence=task.evidence,
    )


def _deadline_changes(
    store: Store, start_at: str, end_at: str, zone_name: str, plans: Sequence[str], leads: Sequence[str]
) -> tuple[list[DeadlineChange], list[CompletedItem]]:
    """Deadline changes in the window, and the recurring periods closed in it.

    ``mark_done`` on a recurring duty moves its deadline to the next period;
    that move is a completion, not a slip, and is returned as such.
    """
    from actionplan.core.dates import get_zone

    zone = get_zone(zone_name)
    history = store.history(fields=("deadline",), since=start_at, plan=plans[0] if len(plans) == 1 else None)
    end = datetime.fromisoformat(end_at)
    # an undone change and the undo that took it back cancel out: neither is reported
    rows = [c for c in history if c.entity == "task" and c.stands and datetime.fromisoformat(c.at) < end]
    if plans:
        rows = [c for c in rows if c.ref.split("/", 1)[0] in plans]
    tasks = store.tasks_by_refs(c.ref for c in rows)
    changes: list[DeadlineChange] = []
    periods: list[CompletedItem] = []
    for c in rows:
        task = tasks.get(c.ref)
        if task is None or (leads and task.lead not in leads):
            continue  # deleted since, or led by another agency
        old, new = _day(c.old), _day(c.new)
        at = datetime.fromisoformat(c.at).astimezone(zone)
        if c.action == "done" and old is not None:
            done = replace(task, status=TaskStatus.DONE, deadline=old, completed_on=at.date())
            periods.append(
                CompletedItem(
                    task=task,
                    completed_on=at.date(),
                    on_time=model.done_on_time(done) is not False,
                    days_late=model.days_late(done, at.date()),
                    evidence=task.evidence,
                    period_due=old,
                )
            )
            continue
        if old is None and new is None:
            continue
        if old is None:
            kind, days = ChangeKind.SET, 0
        elif new is None:
            kind, days = ChangeKind.REMOVED, 0
        elif new > old:
            kind, days = ChangeKind.SLIPPED, (new - old).days
        elif new < old:
            kind, days = ChangeKind.BROUGHT_FORWARD, (old - new).days
        else:
            continue
        changes.append(
            DeadlineChange(task=task, old=old, new=new, kind=kind, days=days, by=c.actor, at=at, action=c.action)
        )
    changes.sort(key=lambda c: (c.at, c.task.plan, key_sort(c.task.key)))
    return changes, periods


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
