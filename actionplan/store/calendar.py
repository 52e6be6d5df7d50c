"""The iCal event cache and what decides when events change."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date

from actionplan.core.model import Task
from actionplan.core.query import TaskFilter
from actionplan.store.cache_writer import EventCacheWriter
from actionplan.store.reads import Reads
from actionplan.store.rows import _d

#: The columns of a task its calendar events show (not its parent, dependencies, KPI or evidence).
_EVENT_SELECT = (
    "SELECT t.id, p.key, t.key, t.title, o.key, o.name, t.description, t.accountable, t.start, t.deadline, "
    "t.deadline_text, t.recurrence, t.status, t.progress, t.priority, t.output, t.completed_on, "
    "t.blocked_reason, t.source, t.version, t.updated_at "
    "FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id WHERE t.id IN ({})"
)
_EVENT_COORDINATORS = (
    "SELECT c.task_id, o.key FROM task_coordinators c JOIN orgs o ON o.id = c.org_id "
    "WHERE c.task_id IN ({}) ORDER BY c.task_id, c.position"
)
_EVENT_TAGS = "SELECT task_id, tag FROM task_tags WHERE task_id IN ({}) ORDER BY task_id, position"


#: (coordinating org keys, tags, task columns) as :meth:`CalendarCache.event_rows` reads them.
EventRows = tuple[list[tuple[int, str]], list[tuple[int, str]], list[tuple]]


def event_tasks(raw: EventRows) -> dict[int, Task]:
    """The tasks of :meth:`CalendarCache.event_rows` by id (no database needed)."""
    coordinators, tags, rows = raw
    links: dict[int, tuple[list[str], list[str]]] = {}
    for task_id, org in coordinators:
        links.setdefault(task_id, ([], []))[0].append(org)
    for task_id, tag in tags:
        links.setdefault(task_id, ([], []))[1].append(tag)
    result: dict[int, Task] = {}
    for r in rows:
        coordinating, task_tags = links.get(r[0]) or ([], [])
        result[r[0]] = Task(
            id=r[0],
            plan=r[1],
            key=r[2],
            title=r[3],
            lead=r[4],
            lead_name=r[5],
            description=r[6],
            accountable=r[7],
            coordinating=coordinating,
            start=_d(r[8]),
            deadline=_d(r[9]),
            deadline_text=r[10],
            recurrence=r[11],
            status=r[12],
            progress=r[13],
            priority=r[14],
            output=r[15],
            completed_on=_d(r[16]),
            blocked_reason=r[17],
            tags=task_tags,
            source=r[18],
            version=r[19],
            updated_at=r[20] or "",
        )
    return result


def _event_rows(conn: sqlite3.Connection, task_ids: Sequence[int]) -> EventRows:
    coordinators: list[tuple[int, str]] = []
    tags: list[tuple[int, str]] = []
    rows: list[tuple] = []
    ids = list(task_ids)
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: no name lookups per column
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        marks = ",".join("?" * len(chunk))
        coordinators += cursor.execute(_EVENT_COORDINATORS.format(marks), chunk).fetchall()
        tags += cursor.execute(_EVENT_TAGS.format(marks), chunk).fetchall()
        rows += cursor.execute(_EVENT_SELECT.format(marks), chunk).fetchall()
    return coordinators, tags, rows


class EventRowReader:
    """A read-only connection of its own to the database file at *path* that reads what
    :meth:`CalendarCache.event_rows` reads (for the side process of an export)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA query_only = ON")

    def event_rows(self, task_ids: Sequence[int]) -> EventRows:
        return _event_rows(self.conn, task_ids)

    def close(self) -> None:
        self.conn.close()


class CalendarCache(Reads):
    """The iCal event cache and what decides when events change."""

    def cached_events(self, task_ids: Sequence[int], options: str) -> dict[int, tuple[int, bytes]]:
        """Serialised iCal events by task id: (task version, UTF-8 text)."""
        result: dict[int, tuple[int, bytes]] = {}
        ids = list(task_ids)
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            for r in self._q(
                "SELECT task_id, version, body FROM ical_cache "
                "WHERE options = ? AND typeof(body) = 'blob' AND task_id IN ({})".format(",".join("?" * len(chunk))),
                [options] + chunk,
            ):
                result[r["task_id"]] = (r["version"], r["body"])
        return result

    def tasks_for_events(self, task_ids: Sequence[int]) -> dict[int, Task]:
        """The tasks by id with what their calendar events show (ids that no longer exist are left out).

        Narrower than :meth:`tasks_by_ids` (parent, dependencies, KPI and evidence stay empty) and
        three plain queries per 900 ids instead of a subquery per task and link: a cold export of
        10,000 tasks reads them in half the time.
        """
        return event_tasks(self.event_rows(task_ids))

    def event_rows(self, task_ids: Sequence[int]) -> EventRows:
        """What :meth:`tasks_for_events` reads, as plain rows (:func:`event_tasks` makes the tasks)."""
        return _event_rows(self.conn, task_ids)

    def readable_elsewhere(self) -> bool:
        """Whether another connection sees what this one does: a database file, no transaction open here."""
        return str(self.path) != ":memory:" and not self.conn.in_transaction

    def store_events(self, options: str, events: Iterable[tuple[int, int, bytes]]) -> None:
        """Keep serialised events (task id, version, UTF-8 text) for the next export.

        A cache: while another writer holds the lock, or on a read-only file, the events are
        not kept (the next export builds them again) rather than the export waiting or failing.
        """
        from actionplan.core.errors import DatabaseLockedError, ReadOnlyDatabaseError

        rows = [(tid, options, ver, body) for tid, ver, body in events]
        try:
            with self.write(wait=False):
                self.conn.executemany(
                    "INSERT OR REPLACE INTO ical_cache(task_id, options, version, body) VALUES (?, ?, ?, ?)", rows
                )
        except (DatabaseLockedError, ReadOnlyDatabaseError):
            pass

    def event_cache_writer(self, options: str) -> EventCacheWriter | _InlineCacheWriter:
        """Where an export hands the events it rebuilt: a thread of its own keeps them while the
        export goes on (see :mod:`actionplan.store.cache_writer`), or, for a database in memory
        or inside a caller's transaction, this connection at the end."""
        if not self.readable_elsewhere():
            return _InlineCacheWriter(self, options)
        return EventCacheWriter(self.path, options)

    def task_versions(
        self,
        f: TaskFilter | None = None,
        *,
        today: date | None = None,
        default_statuses: Sequence[str] | None = None,
        window: tuple[date | None, date | None] | None = None,
    ) -> list[tuple[int, int, str, str, int, int]]:
        """(task id, version, plan key, task key, late, recurring) of the tasks matching *f*,
        without loading them; late is 1 for an open task due before *today*.

        Cheap for 100,000 tasks: the iCal export checks its cache with these and
        loads tasks (:meth:`tasks_for_events`) only for events it must rebuild.
        *default_statuses*: the tasks in these statuses, and the done recurring duties.
        *window* (a feed's): deadlines within it, and open tasks due before it (they are late).
        """
        today = today or self.today()
        where, params = self._filter_sql(f or TaskFilter(), today)
        extra: list[str] = []
        if default_statuses:
            marks = ",".join("?" * len(default_statuses))
            extra.append(f"(t.status IN ({marks}) OR (t.status = 'done' AND t.recurrence != ''))")
            params += list(default_statuses)
        if window is not None and window[0] is not None:
            extra.append("(t.deadline >= ? OR t.status NOT IN ('done', 'cancelled'))")
            params.append(window[0].isoformat())
        if window is not None and window[1] is not None:
            extra.append("t.deadline <= ?")
            params.append(window[1].isoformat())
        if extra:
            where = (where + " AND " if where else " WHERE ") + " AND ".join(extra)
        sql = (
            "SELECT t.id, t.version, p.key AS plan_key, t.key, "
            "(t.deadline < ? AND t.status NOT IN ('done', 'cancelled')) AS late, t.recurrence != '' AS recurring "
            "FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id" + where
        )
        return [(r[0], r[1], r[2], r[3], r[4] or 0, r[5]) for r in self._q(sql, [today.isoformat()] + params)]

    def set_plan_reminders(self, key: str, reminders: str) -> None:
        """Set a plan's own reminder offsets (e.g. "P14D,P3D"; "" falls back to the database's)."""
        with self.write():
            plan = self.get_plan(key)
            old = self.plan_reminders(key)
            # a new version: the plan's calendar events change (their alarms), so must their SEQUENCE
            self.conn.execute(
                "UPDATE plans SET reminders = ?, version = version + 1, updated_at = ? WHERE id = ?",
                (reminders, self._now(), plan.id),
            )
            cid = self._begin_change("setting", f"{key} reminders = {reminders}")
            self._record(cid, "plan", plan.id or 0, key, "reminders", old or None, reminders or None)

    def data_stamp(self) -> str:
        """Changes whenever any task, plan or org changes (for ETags and caches)."""
        row = self._one("SELECT (SELECT max(id) FROM changes) AS c, (SELECT count(*) FROM tasks) AS n")
        assert row is not None  # an aggregate always has a row
        return f"{row['c'] or 0}-{row['n']}"

    def event_revisions(self) -> tuple[dict[str, tuple[int, str | None]], int, str | None]:
        """What besides a task goes into its calendar events, as counters that only go up.

        Each plan's (version, last change); and, for the agencies' names and the settings
        (default reminders), the sum of the agencies' versions plus the number of settings
        ever changed, with the latest of those changes.  See ical_events.sequence.
        """
        plans = {
            r["key"]: (int(r["version"]), r["updated_at"])
            for r in self._q("SELECT key, version, updated_at FROM plans")
        }
        row = self._one(
            "SELECT (SELECT coalesce(sum(version), 0) FROM orgs) + "
            "(SELECT count(*) FROM history WHERE entity = 'setting') AS revision, "
            "max(coalesce((SELECT max(updated_at) FROM orgs), ''), coalesce((SELECT max(c.at) "
            "FROM changes c JOIN history h ON h.change_id = c.id WHERE h.entity = 'setting'), '')) AS at"
        )
        assert row is not None
        return plans, int(row["revision"]), row["at"] or None

    def last_change_at(self) -> str | None:
        row = self._one("SELECT max(at) AS at FROM changes")
        return row["at"] if row else None


class _InlineCacheWriter:
    """:class:`EventCacheWriter`'s interface on the store's own connection (one write at :meth:`close`)."""

    def __init__(self, store: CalendarCache, options: str) -> None:
        self._store = store
        self._options = options
        self._rows: list[tuple[int, int, bytes]] = []

    def add(self, rows: Sequence[tuple[int, int, bytes]]) -> None:
        self._rows += rows

    def close(self) -> None:
        import sqlite3

        from actionplan.core.errors import StoreError

        try:
            self._store.store_events(self._options, self._rows)
        except (sqlite3.Error, StoreError):  # a cache: not kept
            pass
        self._rows = []
