"""The accountability figures for the digest, the board, the CLI and the reports.

The rules live in :mod:`actionplan.core.accountability` (pure functions, defined in
docs/digest.md); the store reads what they need.  This module is the one entry point
front ends and reports call, so their figures cannot disagree::

    figs = figures_at(store, as_of, plans=["cyber-2026"], baselines={"cyber-2026/3": date(2026, 9, 30)})
    figs.agencies          # the agency table, worst first
    figs.deliveries        # every done task and recurring period, judged
    figs.lateness(task)    # one task against its committed and its current deadline
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from actionplan.core.accountability import (
    NOTHING,
    AccountabilityFigures,
    AgencyFigures,
    Cancellation,
    Delivery,
    TaskLateness,
    agency_figures,
    agency_rank,
    average_text,
    cancellations,
    committed_deadlines,
    deliveries,
    end_of_day,
    is_overdue,
    local_day,
    percent_text,
    round_half_up,
    task_lateness,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from actionplan.core.model import Task
    from actionplan.store import Store

__all__ = [
    "NOTHING",
    "AccountabilityFigures",
    "AgencyFigures",
    "Cancellation",
    "Delivery",
    "TaskLateness",
    "agency_figures",
    "agency_rank",
    "average_text",
    "cancellations",
    "committed_deadlines",
    "deliveries",
    "end_of_day",
    "figures_at",
    "is_overdue",
    "local_day",
    "percent_text",
    "round_half_up",
    "task_lateness",
    "lateness_of",
    "lateness_of_tasks",
]


def figures_at(
    store: Store,
    as_of: date,
    plans: Sequence[str] = (),
    leads: Sequence[str] = (),
    baselines: Mapping[str, date | None] | None = None,
) -> AccountabilityFigures:
    """The accountability figures as of *as_of* (the past rebuilt from the history).

    *baselines* maps task refs to their deadline in the plan's baseline, which then
    wins over the first recorded deadline.  Raises StoreError when a past date
    cannot be rebuilt.
    """
    return store.accountability_figures(as_of, plans, leads, baselines)


def lateness_of(store: Store, task: Task, as_of: date) -> TaskLateness:
    """One task against its committed deadline (the first on record) and its current one, as of *as_of*.

    For one task's page: reads only its history, not every figure of the plan.
    """
    return lateness_of_tasks(store, [task], as_of)[task.ref]


def lateness_of_tasks(store: Store, tasks: Sequence[Task], as_of: date) -> dict[str, TaskLateness]:
    """:func:`lateness_of` for a few tasks (a screen's worth), by ref, reading only their history."""
    moment = end_of_day(as_of, store.timezone)
    found: dict[str, TaskLateness] = {}
    listed = list(tasks)
    for i in range(0, len(listed), 900):
        chunk = listed[i : i + 900]
        refs = {t.ref for t in chunk}
        ids = [t.id for t in chunk if t.id is not None]  # a task not yet stored has no history
        events = [e for e in store.task_events(until=moment, task_ids=ids) if e.ref in refs] if ids else []
        committed = committed_deadlines(chunk, events, moment)
        found.update((t.ref, task_lateness(t, committed.get(t.ref), as_of)) for t in chunk)
    return found
