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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from actionplan.core import model
from actionplan.core.baseline import Baseline, DeadlineMove
from actionplan.core.errors import ValidationError
from actionplan.core.i18n import _
from actionplan.core.model import KPI, Org, Plan, ProgressUpdate, Task, TaskStatus
from actionplan.core.query import TaskFilter
from actionplan.core.text import key_sort

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


def standing(task: Task, as_of: date, horizon: int = model.DEFAULT_HORIZON_DAYS) -> Standing:
    """Done on time or late; open and past its deadline (late); blocked or due soon (at risk); on track.

    Judged against the current deadline with the rules of :mod:`actionplan.core.model`, as the
    digest and the agencies board judge it.
    """
    if task.status == TaskStatus.DONE:
        return Standing.DONE_LATE if model.done_on_time(task) is False else Standing.DONE_ON_TIME
    if model.is_overdue(task, as_of):
        return Standing.LATE
    if task.status == TaskStatus.BLOCKED or model.is_due_soon(task, as_of, horizon):
        return Standing.AT_RISK
    return Standing.ON_TRACK


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
        return f"{self.baseline.name} (" + _("saved") + f" {self.baseline.saved_at[:10]})"


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
    tasks: Sequence[Task], as_of: date, names: dict[str, str], horizon: int = model.DEFAULT_HORIZON_DAYS
) -> list[AgencyFigures]:
    """The summary rows, one per lead agency in the digest's order (worst first).

    Tasks, done on time and overdue are the digest's own figures (``model.score_orgs``);
    the standings split the rest.  Cancelled tasks are left out, as the digest leaves them.
    """
    rows: list[AgencyFigures] = []
    by_lead: dict[str, list[Task]] = {}
    for t in tasks:
        by_lead.setdefault(t.lead, []).append(t)
    for score in model.score_orgs(tasks, as_of, names):
        row = AgencyFigures(score.org, score.name, tasks=score.assigned, done_on_time=score.done_on_time)
        row.done_late = score.done - score.done_on_time
        row.overdue = score.overdue
        for t in by_lead[score.org]:
            if t.status == TaskStatus.CANCELLED:
                continue
            kind = standing(t, as_of, horizon)
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
    names = {k: o.name for k, o in orgs.items()}
    scope = TaskFilter(plans=[plan.key], leads=[lead.key] if lead else [])
    every = store.list_tasks(scope, today=as_of, order="key")
    tasks = [t for t in every if t.status != TaskStatus.CANCELLED]
    moves = _moves_by_key(store.deadline_moves(plan.key), store.timezone, as_of)
    notes = store.last_updates([t.id for t in tasks if t.id is not None])
    frozen = baseline.by_key() if baseline else {}
    since = baseline.after_change if baseline else 0

    sections: list[AgencySection] = []
    totals = AgencyFigures("", _("All agencies"))
    by_lead: dict[str, list[Task]] = {}
    for t in tasks:
        by_lead.setdefault(t.lead, []).append(t)
    # the agencies in the digest's and the board's order (core.accountability.agency_rank)
    board = store.accountability(as_of, [plan.key], [lead.key] if lead else [])
    rank = {a.org: i for i, a in enumerate(board)}
    rows = sorted(agency_figures(tasks, as_of, names, options.horizon), key=lambda r: rank.get(r.org, len(rank)))
    for row in rows:
        lines = [
            _task_line(
                t, as_of, options.horizon, orgs, frozen, baseline is not None, moves.get(t.key, []), since, notes
            )
            for t in sorted(by_lead[row.org], key=lambda t: key_sort(t.key))
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


def _task_line(
    task: Task,
    as_of: date,
    horizon: int,
    orgs: dict[str, Org],
    frozen: dict,
    has_baseline: bool,
    moves: list[tuple[int, Move]],
    since: int,
    notes: dict[int, ProgressUpdate],
) -> TaskLine:
    """One task against the baseline: with one, its saved deadline and the moves made after it was saved;
    without, the first deadline committed to (from the history) and every move."""
    if has_baseline:
        saved = frozen.get(task.key)
        base, in_baseline = (saved.deadline, True) if saved else (None, False)
        shown = [m for change, m in moves if change > since]
    else:
        base = _first_committed(moves, task.deadline)
        in_baseline = True
        shown = [m for _at, m in moves]
    kind = standing(task, as_of, horizon)
    return TaskLine(
        task=task,
        coordinating=[orgs[k].name if k in orgs else k for k in task.coordinating],
        baseline_deadline=base,
        in_baseline=in_baseline,
        standing=kind,
        days_late=model.days_late(task, as_of),
        last_note=notes.get(task.id) if task.id is not None else None,
        moves=shown,
    )


def _first_committed(moves: Sequence[tuple[int, Move]], current: date | None) -> date | None:
    """The deadline a task was first given: before its first standing move, else the current one."""
    if not moves:
        return current
    first = moves[0][1]
    return first.old if first.old is not None else first.new


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
