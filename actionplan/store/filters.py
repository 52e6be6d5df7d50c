"""The filter language turned into SQL."""

from datetime import date
from typing import TYPE_CHECKING, Any

from actionplan.core.i18n import _
from actionplan.core.model import (
    CLOSED_STATUSES,
)
from actionplan.core.query import TaskFilter
from actionplan.core.text import clean, fold

if TYPE_CHECKING:
    from actionplan.core.model import Org
from actionplan.store.base import StoreBase


class TaskFilters(StoreBase):
    """The filter language turned into SQL."""

    if TYPE_CHECKING:  # defined by Reads, the part built on this one

        def find_orgs(self, term: str) -> list[Org]: ...

        def removed_deadline_overdue(self, today: date) -> dict[int, date]: ...  # defined by Timeline

    _ORDERS = {
        "deadline": "t.status IN ('done', 'cancelled'), t.deadline IS NULL, t.deadline, p.key, t.id",
        "key": "p.key, key_order(t.key), t.id",
        "plan": "p.key, key_order(t.key), t.id",
        "lead": "o.key, t.deadline IS NULL, t.deadline, t.id",
        "status": "t.status, t.deadline IS NULL, t.deadline, t.id",
        "progress": "t.progress, t.deadline IS NULL, t.deadline, t.id",
    }

    def _filter_sql(self, f: TaskFilter, today: date) -> tuple[str, list[Any]]:
        from actionplan.core.limits import MAX_SOON_DAYS
        from actionplan.core.query import QueryError, check_size

        check_size(f)  # a filter merged from options and terms: still one SQLite can run
        if f.due_within is not None and not 0 <= f.due_within <= MAX_SOON_DAYS:
            raise QueryError(_("soon:N looks at most {days} days ahead").format(days=MAX_SOON_DAYS))
        where: list[str] = []
        params: list[Any] = []
        if f.plans:
            where.append("p.key IN ({})".format(",".join("?" * len(f.plans))))
            params += f.plans
        for terms, column in ((f.leads, "lead"), (f.coordinating, "coord"), (f.involving, "org")):
            if not terms:
                continue
            ids: list[int] = []
            for term in terms:
                ids += [o.id for o in self.find_orgs(term) if o.id is not None]
            marks = ",".join("?" * len(ids)) or "NULL"
            lead_sql = f"t.lead_id IN ({marks})"
            coord_sql = f"EXISTS (SELECT 1 FROM task_coordinators c WHERE c.task_id = t.id AND c.org_id IN ({marks}))"
            if column == "lead":
                where.append(lead_sql)
                params += ids
            elif column == "coord":
                where.append(coord_sql)
                params += ids
            else:
                where.append(f"({lead_sql} OR {coord_sql})")
                params += ids + ids
        if f.accountable:
            if f.accountable_exact:  # a feed or export for one person: that person only
                where.append("t.accountable = ? COLLATE NOCASE")
                params.append(f.accountable)
            else:  # the filter language's who:NAME finds the name inside the field; % and _ are literal
                escaped = f.accountable.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                where.append("t.accountable LIKE ? ESCAPE '\\'")
                params.append(f"%{escaped}%")
        closed = sorted(CLOSED_STATUSES)
        if f.open_only:
            where.append("t.status NOT IN (?, ?)")
            params += closed
        if f.closed_only:
            where.append("t.status IN (?, ?)")
            params += closed
        if f.statuses:
            where.append("t.status IN ({})".format(",".join("?" * len(f.statuses))))
            params += f.statuses
        for tag in f.tags:
            where.append("EXISTS (SELECT 1 FROM task_tags g WHERE g.task_id = t.id AND g.tag = ?)")
            params.append(tag)
        if f.priorities:
            where.append("t.priority IN ({})".format(",".join("?" * len(f.priorities))))
            params += f.priorities
        if f.due_before:
            where.append("t.deadline < ?")
            params.append(f.due_before.isoformat())
        if f.due_after:
            where.append("t.deadline > ?")
            params.append(f.due_after.isoformat())
        if f.overdue:  # core.accountability.is_overdue, as SQL: a removed deadline counts by the committed one
            removed = list(self.removed_deadline_overdue(today))
            late = "t.deadline < ?"
            if removed:
                late += " OR t.id IN ({})".format(",".join("?" * len(removed)))
            where.append(f"({late}) AND t.status NOT IN (?, ?)")
            params += [today.isoformat(), *removed] + closed
        if f.due_within is not None:  # model.is_due_soon, as SQL
            from datetime import timedelta

            where.append("t.deadline >= ? AND t.deadline <= ? AND t.status NOT IN (?, ?)")
            params += [today.isoformat(), (today + timedelta(days=f.due_within)).isoformat()] + closed
        if f.top_level_only:
            where.append("t.parent_id IS NULL")
        # clean() drops control characters: a NUL ends FTS5's query text early ("unterminated string")
        words = [fold(clean(w)) for w in f.words if fold(clean(w)).strip('"* ')]
        if words:
            match = " ".join('"' + w.replace('"', "") + '"*' for w in words)
            where.append("t.id IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ?)")
            params.append(match)
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def _selection(
        self, f: TaskFilter | None, today: date, order: str, limit: int | None, offset: int
    ) -> tuple[str, list[Any]]:
        """WHERE ... ORDER BY ... [LIMIT] of a task listing, and its parameters."""
        where, params = self._filter_sql(f or TaskFilter(), today)
        sql = where + " ORDER BY " + self._ORDERS.get(order, self._ORDERS["deadline"])
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return sql, params
