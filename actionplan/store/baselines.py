"""Baselines (a plan's tasks frozen under a name) and the deadline history reports read."""

from __future__ import annotations

import sqlite3
from datetime import date

from actionplan.core.baseline import Baseline, BaselineTask, DeadlineMove
from actionplan.core.errors import NotFoundError, ValidationError
from actionplan.core.i18n import _
from actionplan.core.text import key_sort
from actionplan.store.reads import Reads


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


class Baselines(Reads):
    """Saving, listing and reading baselines; a saved one is never changed (the schema's triggers)."""

    _BASELINE_SELECT = (
        "SELECT b.*, p.key AS plan_key, (SELECT count(*) FROM baseline_tasks x WHERE x.baseline_id = b.id) AS n "
        "FROM baselines b JOIN plans p ON p.id = b.plan_id"
    )

    def save_baseline(self, plan_key: str, name: str, source: str = "") -> Baseline:
        """Freeze every task of the plan under *name*; a name already saved for the plan is refused."""
        with self.write():
            plan = self.get_plan(plan_key)
            if self._one("SELECT 1 FROM baselines WHERE plan_id = ? AND name = ?", (plan.id, name)):
                raise ValidationError(
                    _("plan")
                    + f' "{plan_key}" '
                    + _("already has a baseline named")
                    + f' "{name}"; '
                    + _("a saved baseline is never changed: save the new one under another name"),
                    "baseline",
                )
            try:
                cur = self.conn.execute(
                    "INSERT INTO baselines(plan_id, name, saved_at, saved_by, source, after_change) "
                    "VALUES (?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM changes))",
                    (plan.id, name, self._now(), self.actor, source),
                )
                self.conn.execute(
                    "INSERT INTO baseline_tasks(baseline_id, task_key, title, lead, deadline, deadline_text, output) "
                    "SELECT ?, t.key, t.title, o.key, t.deadline, t.deadline_text, t.output "
                    "FROM tasks t JOIN orgs o ON o.id = t.lead_id WHERE t.plan_id = ?",
                    (cur.lastrowid, plan.id),
                )
            except sqlite3.IntegrityError as e:  # another process saved the same name meanwhile
                raise ValidationError(str(e), "baseline") from None
        return self.get_baseline(plan_key, name)

    def list_baselines(self, plan_key: str | None = None) -> list[Baseline]:
        """Saved baselines (without their tasks), oldest first; of one plan or of all."""
        sql, params = self._BASELINE_SELECT, []
        if plan_key:
            self.get_plan(plan_key)
            sql += " WHERE p.key = ?"
            params.append(plan_key)
        rows = self._q(sql + " ORDER BY b.saved_at, b.id", params)
        return [self._baseline_from_row(r) for r in rows]

    def get_baseline(self, plan_key: str, name: str) -> Baseline:
        """The baseline *name* of the plan with its tasks in key order; NotFoundError names the saved ones."""
        row = self._one(self._BASELINE_SELECT + " WHERE p.key = ? AND b.name = ?", (plan_key, name))
        if row is None:
            known = ", ".join(f'"{b.name}"' for b in self.list_baselines(plan_key)) or _("none saved yet")
            raise NotFoundError(
                _("no baseline") + f' "{name}" ' + _("for plan") + f' "{plan_key}" (' + _("saved: ") + known + ")"
            )
        lines = [
            BaselineTask(
                key=r["task_key"],
                title=r["title"],
                lead=r["lead"],
                deadline=_day(r["deadline"]),
                deadline_text=r["deadline_text"],
                output=r["output"],
            )
            for r in self._q("SELECT * FROM baseline_tasks WHERE baseline_id = ?", (row["id"],))
        ]
        lines.sort(key=lambda t: key_sort(t.key))
        return self._baseline_from_row(row, tuple(lines))

    def first_baseline(self, plan_key: str) -> Baseline | None:
        """The earliest baseline saved for the plan, with its tasks (None if there is none)."""
        saved = self.list_baselines(plan_key)
        return self.get_baseline(plan_key, saved[0].name) if saved else None

    @staticmethod
    def _baseline_from_row(row: sqlite3.Row, tasks: tuple[BaselineTask, ...] = ()) -> Baseline:
        return Baseline(
            plan=row["plan_key"],
            name=row["name"],
            saved_at=row["saved_at"],
            saved_by=row["saved_by"],
            source=row["source"],
            task_count=int(row["n"]),
            after_change=int(row["after_change"]),
            tasks=tasks,
            id=row["id"],
        )

    def deadline_moves(self, plan_key: str) -> list[DeadlineMove]:
        """Every standing change of a task's deadline in the plan, oldest first, with its reason.

        A change taken back by an undo, and the undo itself, are left out: the deadline
        is where it was.
        """
        prefix = plan_key + "/"
        return [
            DeadlineMove(
                key=c.ref[len(prefix) :],
                change_id=c.change_id,
                at=c.at,
                actor=c.actor,
                action=c.action,
                old=_day(c.old),
                new=_day(c.new),
                reason=c.reason or "",
            )
            for c in self.history(fields=("deadline",), plan=plan_key)
            if c.entity == "task" and c.stands and c.ref.startswith(prefix)
        ]
