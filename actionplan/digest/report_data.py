"""The quarterly report as data: each lead agency's tasks against the approved baseline.

:func:`build_report` gathers, for one plan and one reporting period, a summary per
lead agency and each task's baseline deadline, current deadline, completion, standing
in words, progress, last note and every deadline change with who made it and why; then
the KPI targets.  It formats nothing: :mod:`actionplan.digest.report_md`,
:mod:`~actionplan.digest.report_docx` and :mod:`~actionplan.digest.report_xlsx` do.

The counts the digest also shows (tasks, done on time, overdue) come from the same rules
(:func:`agency_figures`), so the report, the digest and the agencies board agree.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from actionplan.core import model
from actionplan.core.baseline import Baseline, DeadlineMove
from actionplan.core.errors import ValidationError
from actionplan.core.i18n import _
from actionplan.core.l10n import iso_or_day
from actionplan.core.model import KPI, Org, Plan, ProgressUpdate, Task, TaskStatus
from actionplan.core.query import TaskFilter
from actionplan.core.text import key_sort
from actionplan.digest import figures as fig
from actionplan.digest.figures import AccountabilityFigures, TaskLateness

if TYPE_CHECKING:  # pragma: no cover - typing only
    from actionplan.store import Store


# --- the reporting period -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A reporting period: a quarter (2026-Q4), a half (2026-H2), a month (2026-11) or a year."""

    label: str
    first: date
    last: date


_PERIOD_RES = (
    (re.compile(r"^(\d{4})-?q([1-4])$"), "q"),
    (re.compile(r"^q([1-4])[ /-]?(\d{4})$"), "qr"),
    (re.compile(r"^(\d{4})-?h([12])$"), "h"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "m"),
    (re.compile(r"^(\d{4})$"), "y"),
)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> Period:
    """The period named like 2026-Q4, Q4 2026, 2026-H2, 2026-11 or 2026; else a clear error."""
    norm = text.strip().lower()
    for pattern, kind in _PERIOD_RES:
        m = pattern.match(norm)
        if not m:
            continue
        if kind == "qr":
            year, n = int(m.group(2)), int(m.group(1))
            kind = "q"
        elif kind == "y":
            year, n = int(m.group(1)), 0
        else:
            year, n = int(m.group(1)), int(m.group(2))
        if not 1900 <= year <= 2999:
            break
        if kind == "q":
            return Period(f"{year}-Q{n}", date(year, 3 * n - 2, 1), _month_end(year, 3 * n))
        if kind == "h":
            return Period(f"{year}-H{n}", date(year, 6 * n - 5, 1), _month_end(year, 6 * n))
        if kind == "m" and 1 <= n <= 12:
            return Period(f"{year}-{n:02d}", date(year, n, 1), _month_end(year, n))
        if kind == "y":
            return Period(str(year), date(year, 1, 1), date(year, 12, 31))
        break
    raise ValidationError(f'"{text}": ' + _("write the period as 2026-Q4, 2026-H2, 2026-11 or 2026"), "--period")


# --- a task's standing ----------------------------------------------------------------------


class Standing(StrEnum):
    """Where a task stands on the as-of date (each task has exactly one)."""

    ON_TRACK = "on track"
    AT_RISK = "at risk"
    LATE = "late"
    DONE_ON_TIME = "done on time"
    DONE_LATE = "done late"
    DONE = "done"  # done, with no deadline to judge it by


def standing(task: Task, lateness: TaskLateness, as_of: date, horizon: int = model.DEFAULT_HORIZON_DAYS) -> Standing:
    """Done on time or late; open and overdue (late); blocked or due soon (at risk); on track.

    A done task is judged against its committed deadline (the baseline's, else the first on
    record), an open one is overdue past its current deadline, with the rules of
    :mod:`actionplan.digest.figures`, as the digest and the agencies board judge them.
    """
    if task.status == TaskStatus.DONE:
        if lateness.committed is None:
            return Standing.DONE
        return Standing.DONE_LATE if lateness.days_late > 0 else Standing.DONE_ON_TIME
    if fig.is_overdue(task, lateness.committed, as_of):
        return Standing.LATE
    if task.status == TaskStatus.BLOCKED or model.is_due_soon(task, as_of, horizon):
        return Standing.AT_RISK
    return Standing.ON_TRACK


def days_late(kind: Standing, lateness: TaskLateness) -> int:
    """The days the status words give: a delivery against its committed deadline, an open task
    against its current one (the committed one when its deadline was removed)."""
    if kind == Standing.LATE and lateness.days_late_now is not None:
        return lateness.days_late_now
    return lateness.days_late


def status_words(kind: Standing, days_late: int) -> str:
    """The standing as the report writes it: "late by 12 days", "done 3 days late", "on track"."""
    if kind == Standing.LATE:
        return _("late by {n} days").format(n=days_late) if days_late != 1 else _("late by 1 day")
    if kind == Standing.DONE_LATE:
        return _("done {n} days late").format(n=days_late) if days_late != 1 else _("done 1 day late")
    return {
        Standing.ON_TRACK: _("on track"),
        Standing.AT_RISK: _("at risk"),
        Standing.DONE_ON_TIME: _("done on time"),
        Standing.DONE: _("done (no deadline)"),
    }[kind]


# --- the report's parts ---------------------------------------------------------------------


@dataclass
class AgencyFigures:
    """One lead agency's row of the summary table; the first five standings add up to ``tasks``."""

    org: str
    name: str
    tasks: int = 0
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    at_risk: int = 0
    on_track: int = 0
    not_started: int = 0  # open tasks with no work recorded, whatever their standing

    def add(self, other: AgencyFigures) -> None:
        for name in ("tasks", "done_on_time", "done_late", "overdue", "at_risk", "on_track", "not_started"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Move:
    """One change of a task's deadline, as the report lists it."""

    on: date  # the day it was made, in the committee's time zone
    by: str
    old: date | None
    new: date | None
    reason: str
    action: str

    @property
    def days(self) -> int | None:
        return None if self.old is None or self.new is None else (self.new - self.old).days


@dataclass
class TaskLine:
    """One task of the report."""

    task: Task
    coordinating: list[str]  # agency names
    baseline_deadline: date | None
    in_baseline: bool
    standing: Standing
    days_late: int
    last_note: ProgressUpdate | None
    moves: list[Move] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        return status_words(self.standing, self.days_late)

    @property
    def moved_days(self) -> int | None:
        """Current deadline minus baseline deadline, in days (None when either is missing)."""
        if self.baseline_deadline is None or self.task.deadline is None:
            return None
        return (self.task.deadline - self.baseline_deadline).days


@dataclass
class AgencySection:
    org: Org
    figures: AgencyFigures
    tasks: list[TaskLine]


@dataclass
class KPILine:
    task: Task
    kpi: KPI
    share: float | None


@dataclass
class Report:
    """Everything the quarterly report shows, as data."""

    committee: str
    plan: Plan
    period: Period
    as_of: date
    zone: str
    baseline: Baseline | None  # None: no baseline saved, first committed deadlines used
    agencies: list[AgencySection]
    totals: AgencyFigures
    kpis: list[KPILine]
    lead: Org | None = None
    cancelled: int = 0

    @property
    def baseline_label(self) -> str:
        if self.baseline is None:
            return _("no baseline saved: each task's first committed deadline")
        saved = self.baseline.saved_at[:10]
        try:
            saved = iso_or_day(date.fromisoformat(saved))
        except ValueError:  # kept as stored
            pass
        return _("{name} (saved {day})").format(name=self.baseline.name, day=saved)


@dataclass
class ReportOptions:
    plan: str
    period: str
    as_of: date | None = None  # None: today, or the period's last day once it is over
    org: str | None = None
    baseline: str | None = None
    horizon: int = model.DEFAULT_HORIZON_DAYS


# --- figures ---------------------------------------------------------------------------------


def agency_figures(
    figs: AccountabilityFigures,
    tasks: Sequence[Task],
    horizon: int = model.DEFAULT_HORIZON_DAYS,
    lateness: dict[str, TaskLateness] | None = None,
) -> list[AgencyFigures]:
    """The summary rows, one per lead agency in the digest's order (worst first).

    Tasks (cancelled ones left out), done on time, done late and overdue are the digest's and
    the board's own figures (:mod:`actionplan.digest.figures`); the standings of *tasks* (as
    they stood on the as-of date) split the open ones into at risk and on track.
    """
    by_lead: dict[str, list[Task]] = {}
    for t in tasks:
        by_lead.setdefault(t.lead, []).append(t)
    rows: list[AgencyFigures] = []
    for a in figs.agencies:
        row = AgencyFigures(a.org, a.name, tasks=a.assigned - a.cancelled, done_on_time=a.on_time)
        row.done_late = a.judged - a.on_time
        row.overdue = a.overdue
        for t in by_lead.get(a.org, []):
            if t.status == TaskStatus.CANCELLED:
                continue
            kind = standing(t, lateness[t.ref] if lateness else figs.lateness(t), figs.as_of, horizon)
            row.at_risk += kind == Standing.AT_RISK
            row.on_track += kind == Standing.ON_TRACK
            row.not_started += t.status == TaskStatus.NOT_STARTED
        rows.append(row)
    return rows


# --- building ---------------------------------------------------------------------------------


def default_as_of(period: Period, today: date) -> date:
    """Today, or the period's last day when the period is over."""
    return min(today, period.last)


def build_report(store: Store, options: ReportOptions) -> Report:
    """Gather the report from the store (the data only, for any renderer)."""
    from actionplan.services.baselines import report_baseline

    period = parse_period(options.period)
    plan = store.get_plan(options.plan)
    as_of = options.as_of or default_as_of(period, store.today())
    if as_of < period.first:
        raise ValidationError(
            _("the as-of date") + f" {as_of.isoformat()} " + _("is before the period") + f" {period.label}", "--as-of"
        )
    lead = store.resolve_org(options.org, "--org") if options.org else None
    baseline = report_baseline(store, plan.key, options.baseline)
    orgs = {o.key: o for o in store.list_orgs()}
    leads = [lead.key] if lead else []
    frozen = baseline.by_key() if baseline else {}
    committed = {f"{plan.key}/{k}": line.deadline for k, line in frozen.items()} if baseline else None
    figs = fig.figures_at(store, as_of, [plan.key], leads, committed)
    then = {t.ref: t for t in figs.tasks}  # each task as it stood on the as-of date
    every = [
        _as_then(t, b)
        for t in store.list_tasks(TaskFilter(plans=[plan.key], leads=leads), today=as_of, order="key")
        if (b := then.get(t.ref)) is not None
    ]
    tasks = [t for t in every if t.status != TaskStatus.CANCELLED]
    moves = _moves_by_key(store.deadline_moves(plan.key), store.timezone, as_of)
    notes = store.last_updates([t.id for t in tasks if t.id is not None])
    since = baseline.after_change if baseline else 0

    sections: list[AgencySection] = []
    totals = AgencyFigures("", _("All agencies"))
    by_lead: dict[str, list[Task]] = {}
    for t in tasks:
        by_lead.setdefault(t.lead, []).append(t)
    lateness = {t.ref: figs.lateness(t) for t in tasks}
    for row in agency_figures(figs, tasks, options.horizon, lateness):
        lines = [
            _task_line(
                t, lateness[t.ref], as_of, options.horizon, orgs, frozen, baseline is not None, moves, since, notes
            )
            for t in sorted(by_lead.get(row.org, []), key=lambda t: key_sort(t.key))
        ]
        sections.append(AgencySection(orgs.get(row.org) or Org(key=row.org, name=row.name), row, lines))
        totals.add(row)
    kpis = [KPILine(t, t.kpi, t.kpi.share_of_way()) for t in tasks if t.kpi is not None]
    return Report(
        committee=plan.issuer,
        plan=plan,
        period=period,
        as_of=as_of,
        zone=store.timezone,
        baseline=baseline,
        agencies=sections,
        totals=totals,
        kpis=kpis,
        lead=lead,
        cancelled=len(every) - len(tasks),
    )


def _as_then(task: Task, then: Task) -> Task:
    """*task* with the status, progress, deadline and completion it had on the as-of date."""
    state = (then.status, then.progress, then.deadline, then.completed_on)
    if state == (task.status, task.progress, task.deadline, task.completed_on):
        return task
    return replace(
        task, status=then.status, progress=then.progress, deadline=then.deadline, completed_on=then.completed_on
    )


def _task_line(
    task: Task,
    lateness: TaskLateness,
    as_of: date,
    horizon: int,
    orgs: dict[str, Org],
    frozen: dict,
    has_baseline: bool,
    moves: dict[str, list[tuple[int, Move]]],
    since: int,
    notes: dict[int, ProgressUpdate],
) -> TaskLine:
    """One task against the baseline: with one, its saved deadline and the moves made after it was
    saved; without, the deadline first committed to (from the history) and every move."""
    mine = moves.get(task.key, [])
    if has_baseline:
        in_baseline = task.key in frozen
        shown = [m for change, m in mine if change > since]
    else:
        in_baseline = True
        shown = [m for _change, m in mine]
    kind = standing(task, lateness, as_of, horizon)
    return TaskLine(
        task=task,
        coordinating=[orgs[k].name if k in orgs else k for k in task.coordinating],
        baseline_deadline=lateness.committed if in_baseline else None,
        in_baseline=in_baseline,
        standing=kind,
        days_late=days_late(kind, lateness),
        last_note=notes.get(task.id) if task.id is not None else None,
        moves=shown,
    )


def _moves_by_key(changes: Iterable[DeadlineMove], zone_name: str, as_of: date) -> dict[str, list[tuple[int, Move]]]:
    """Deadline moves up to the end of the as-of day, by task key, each with its change number."""
    from actionplan.core.dates import get_zone

    zone = get_zone(zone_name)
    result: dict[str, list[tuple[int, Move]]] = {}
    for c in changes:
        if c.old == c.new:
            continue
        try:
            on = datetime.fromisoformat(c.at).astimezone(zone).date()
        except ValueError:
            on = datetime.now(UTC).date()
        if on > as_of or c.action == "done":  # a recurring duty's next period is a delivery, not a move
            continue
        result.setdefault(c.key, []).append((c.change_id, Move(on, c.actor, c.old, c.new, c.reason, c.action)))
    return result
