"""Read models for digests, the boards and plan summaries."""

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from actionplan.core import accountability as acc
from actionplan.core import model
from actionplan.core.accountability import AccountabilityFigures, AgencyFigures
from actionplan.core.model import (
    PlanSummary,
    Task,
    TaskStatus,
)
from actionplan.core.query import TaskFilter
from actionplan.core.text import key_sort

if TYPE_CHECKING:
    pass
from actionplan.store.rows import _task_from_row
from actionplan.store.timeline import Timeline


class Reporting(Timeline):
    """Read models for digests, the boards and plan summaries."""

    _BARE_TASK_SELECT = (
        "SELECT t.*, p.key AS plan_key, o.key AS lead_key, o.name AS lead_name, "
        "pt.key AS parent_key, NULL AS coord_keys, NULL AS dep_keys, NULL AS tag_list "
        "FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id "
        "LEFT JOIN tasks pt ON pt.id = t.parent_id"
    )

    def plan_summaries(
        self, today: date | None = None, horizon: int = model.DEFAULT_HORIZON_DAYS, plans: Sequence[str] = ()
    ) -> list[PlanSummary]:
        """Per-plan counts and rolled-up progress, using the rules in model.py."""
        today = today or self.today()
        by_plan: dict[str, list[Task]] = {}
        for t in self.brief_tasks(plans):
            by_plan.setdefault(t.plan, []).append(t)
        return [
            model.summarise_plan(plan, by_plan.get(plan.key, []), today, horizon)
            for plan in self.list_plans()
            if not plans or plan.key in plans
        ]

    def accountability(
        self, today: date | None = None, plans: Sequence[str] = (), leads: Sequence[str] = ()
    ) -> list[AgencyFigures]:
        """One row per lead org, the worst first (core.accountability.agency_figures)."""
        return self.accountability_figures(today or self.today(), plans, leads).agencies

    def accountability_figures(
        self,
        as_of: date,
        plans: Sequence[str] = (),
        leads: Sequence[str] = (),
        baselines: Mapping[str, date | None] | None = None,
    ) -> AccountabilityFigures:
        """The figures as of *as_of*: tasks and history read as they stood at the end of that day."""
        zone = self.timezone
        moment = acc.end_of_day(as_of, zone)
        with self.state_at(moment):
            tasks = self.brief_tasks(plans, leads)
            events = self.task_events(until=moment, plans=plans)
        names = {o.key: o.name for o in self.list_orgs()}
        if leads:
            events = [e for e in events if e.lead in leads]
        committed = acc.committed_deadlines(tasks, events, moment, baselines)
        delivered = acc.deliveries(tasks, events, committed, moment, zone)
        agencies = acc.agency_figures(tasks, committed, delivered, as_of, names)
        return AccountabilityFigures(as_of, moment, tasks, events, committed, delivered, agencies)

    def record_digest(self, as_of: date, since: str | None, params: dict[str, Any]) -> None:
        with self.write():
            self.conn.execute(
                "INSERT INTO digests(as_of, since, created_at, actor, params) VALUES (?, ?, ?, ?, ?)",
                (as_of.isoformat(), since, self._now(), self.actor, json.dumps(params, sort_keys=True)),
            )

    def last_digest(self, before: date | None = None) -> dict[str, Any] | None:
        sql, params = "SELECT * FROM digests", []
        if before:
            sql += " WHERE as_of < ?"
            params.append(before.isoformat())
        row = self._one(sql + " ORDER BY as_of DESC, id DESC LIMIT 1", params)
        return dict(row) if row else None

    def _scoped_sql(
        self, plans: Sequence[str], leads: Sequence[str], conditions: Sequence[str]
    ) -> tuple[str, list[Any]]:
        """WHERE clause for tasks of some plans / lead orgs plus extra *conditions*."""
        # no date-dependent filter here, so the day passed does not matter
        where, params = self._filter_sql(TaskFilter(plans=list(plans), leads=list(leads)), date.min)
        extra = " AND ".join(f"({c})" for c in conditions)
        if extra:
            where = f"{where} AND {extra}" if where else f" WHERE {extra}"
        return where, params

    def list_bare_tasks(self, f: TaskFilter, *, today: date | None = None) -> list[Task]:
        """Like ``list_tasks`` (deadline order) but without coordinating orgs, dependencies and tags.

        Those lists stay empty: for reports that never show them (the digest),
        where reading them for thousands of tasks is the slow part.
        """
        today = today or self.today()
        where, params = self._filter_sql(f, today)
        sql = self._BARE_TASK_SELECT + where + " ORDER BY t.deadline IS NULL, t.deadline, p.key, t.id"
        return [_task_from_row(r) for r in self._q(sql, params)]

    def count_by_plan(self, f: TaskFilter, *, today: date | None = None) -> dict[str, int]:
        """How many tasks match the filter in each plan (plan key -> count; plans with none left out)."""
        today = today or self.today()
        where, params = self._filter_sql(f, today)
        sql = (
            "SELECT p.key AS plan, count(*) AS n FROM tasks t JOIN plans p ON p.id = t.plan_id "
            "JOIN orgs o ON o.id = t.lead_id" + where + " GROUP BY p.key"
        )
        return {r["plan"]: int(r["n"]) for r in self._q(sql, params)}

    def completed_between(
        self,
        start_at: str,
        end_at: str,
        first_day: date,
        last_day: date,
        plans: Sequence[str] = (),
        leads: Sequence[str] = (),
    ) -> list[Task]:
        """Done tasks (bare: see ``list_bare_tasks``) completed from *first_day* to *last_day*, or recorded then.

        A task counts when its completion date falls in the days, or when the
        completion was recorded (history of ``completed_on``) between the UTC
        timestamps *start_at* (inclusive) and *end_at* (exclusive), so a
        completion entered late with an earlier date is not lost.
        """
        where, params = self._scoped_sql(
            plans,
            leads,
            [
                "t.status = ?",
                "t.completed_on <= ?",
                "t.completed_on >= ? OR t.id IN (SELECT h.entity_id FROM history h JOIN changes c ON c.id = h.change_id "
                "WHERE h.field = 'completed_on' AND h.entity = 'task' AND h.new IS NOT NULL AND c.at >= ? AND c.at < ?)",
            ],
        )
        params += [str(TaskStatus.DONE), last_day.isoformat(), first_day.isoformat(), start_at, end_at]
        rows = self._q(self._BARE_TASK_SELECT + where + " ORDER BY t.completed_on, p.key, t.id", params)
        return [_task_from_row(r) for r in rows]

    def rollups(
        self,
        today: date,
        horizon: int = model.DEFAULT_HORIZON_DAYS,
        plans: Sequence[str] = (),
        leads: Sequence[str] = (),
    ) -> tuple[list[PlanSummary], list[AgencyFigures]]:
        """``plan_summaries(today, horizon, plans)`` and ``accountability(today, plans, leads)`` at once.

        The same figures, from one read of the task briefs (the digest needs
        both, and on 10,000 tasks reading them twice shows).
        """
        tasks = self.brief_tasks(plans)
        by_plan: dict[str, list[Task]] = {}
        for t in tasks:
            by_plan.setdefault(t.plan, []).append(t)
        summaries = [
            model.summarise_plan(plan, by_plan.get(plan.key, []), today, horizon)
            for plan in self.list_plans()
            if not plans or plan.key in plans
        ]
        return summaries, self.accountability(today, plans, leads)

    def kpi_tasks(self, plans: Sequence[str] = (), leads: Sequence[str] = ()) -> list[Task]:
        """Tasks that carry a KPI, in plan and key order (bare: see ``list_bare_tasks``)."""
        where, params = self._scoped_sql(plans, leads, ["t.kpi_metric IS NOT NULL AND t.kpi_metric != ''"])
        tasks = [_task_from_row(r) for r in self._q(self._BARE_TASK_SELECT + where, params)]
        return sorted(tasks, key=lambda t: (t.plan, key_sort(t.key)))
