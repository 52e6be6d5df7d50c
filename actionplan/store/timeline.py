"""The past from the history: task events for the figures, and the state of every task at a moment.

:meth:`Timeline.state_at` rebuilds the tasks (and their notes) as they stood at a
moment by replaying the history backwards from the current rows, into TEMP tables
that shadow ``tasks`` and ``updates`` for the duration: every read of the store
(lists, JSON, the digest's queries) then sees that past without a second code path.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from actionplan.core import accountability as acc
from actionplan.core.errors import StoreError
from actionplan.core.i18n import _
from actionplan.core.model import CLOSED_STATUSES, Task
from actionplan.core.timeline import TaskEvent
from actionplan.store.reads import Reads

#: History fields the figures read (not creations: an import records one for each of its tasks).
EVENT_FIELDS = ("deadline", "status", "completed_on")

#: History fields that are a column of ``tasks`` of the same name.
_PLAIN_COLUMNS = (
    "title",
    "description",
    "accountable",
    "start",
    "deadline",
    "deadline_text",
    "recurrence",
    "status",
    "progress",
    "priority",
    "output",
    "kpi_metric",
    "kpi_target",
    "kpi_current",
    "kpi_unit",
    "kpi_baseline",
    "evidence",
    "completed_on",
    "blocked_reason",
    "source",
)


class Timeline(Reads):
    """Reading the past: task events, and the tasks as they stood at a moment."""

    _rebuilt_at: str | None = None  # the moment the TEMP tables hold, while they exist

    def task_events(
        self, until: str | None = None, plans: Sequence[str] = (), task_ids: Sequence[int] = ()
    ) -> list[TaskEvent]:
        """Deadline, status and completion changes of tasks recorded before *until* (UTC), oldest first.

        Undone changes and the undos themselves are included (each says when it was
        undone): a figure for a past moment must not change when a later undo arrives.
        *plans* or *task_ids* (at most 900) narrow it to those plans' or tasks' changes.
        """
        where: list[str] = ["h.entity = 'task'", "h.field IN ({})".format(",".join("?" * len(EVENT_FIELDS)))]
        params: list[str | int] = [*EVENT_FIELDS]
        if until:
            where.append("c.at < ?")
            params.append(until)
        if plans:
            where.append("(" + " OR ".join("h.ref LIKE ?" for _p in plans) + ")")
            params += [p + "/%" for p in plans]
        if task_ids:
            where.append("h.entity_id IN ({})".format(",".join("?" * len(task_ids))))
            params += list(task_ids)
        sql = (
            "SELECT h.change_id, c.at, c.actor, c.action, h.ref, h.field, h.old, h.new, c.undo_of, "
            "u.at AS undone_at, uo.action AS undoes, o.key AS lead, "
            # only a "done" change carries the note whose date a recurring period is done on; asking
            # every row would scan a large import's change once per task it created
            "CASE WHEN c.action = 'done' THEN (SELECT n.on_date FROM history hn "
            " JOIN updates n ON n.id = CAST(hn.new AS INTEGER) "
            " WHERE hn.change_id = h.change_id AND hn.field = 'note' LIMIT 1) END AS note_on "
            "FROM history h JOIN changes c ON c.id = h.change_id LEFT JOIN changes u ON u.id = c.undone_by "
            "LEFT JOIN changes uo ON uo.id = c.undo_of "
            "LEFT JOIN tasks t ON t.id = h.entity_id LEFT JOIN orgs o ON o.id = t.lead_id "
            "WHERE " + " AND ".join(where) + " ORDER BY h.id"
        )
        return [
            TaskEvent(
                change_id=r["change_id"],
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                ref=r["ref"],
                lead=r["lead"] or "",
                field=r["field"],
                old=r["old"],
                new=r["new"],
                undo_of=r["undo_of"],
                undone_at=r["undone_at"],
                note_on=date.fromisoformat(r["note_on"]) if r["note_on"] else None,
                undoes=r["undoes"],
            )
            for r in self._q(sql, params)
        ]

    def removed_deadline_overdue(self, today: date) -> dict[int, date]:
        """Open tasks without a deadline now whose committed deadline is before *today*: id -> that deadline.

        Removing the deadline of a late task is a slip, not a way out of the overdue list
        (core.accountability.is_overdue); the overdue filter reads this, so lists and the
        digest agree.  Only tasks whose deadline history exists are judged.
        """
        rows = self._q(
            "SELECT t.id, p.key AS plan, t.key, t.status FROM tasks t JOIN plans p ON p.id = t.plan_id "
            "WHERE t.deadline IS NULL AND t.status NOT IN (?, ?) AND EXISTS (SELECT 1 FROM history h "
            "WHERE h.entity = 'task' AND h.entity_id = t.id AND h.field = 'deadline')",
            sorted(CLOSED_STATUSES),
        )
        if not rows:
            return {}
        moment = acc.end_of_day(today, self.timezone)
        tasks = {r["id"]: Task(plan=r["plan"], key=r["key"], title="", status=r["status"]) for r in rows}
        events = self.task_events(until=moment, plans=sorted({t.plan for t in tasks.values()}))
        committed = acc.committed_deadlines(tasks.values(), events, moment)
        return {
            task_id: deadline
            for task_id, t in tasks.items()
            if (deadline := committed.get(t.ref)) is not None and acc.is_overdue(t, deadline, today)
        }

    def changed_since(self, moment: str) -> bool:
        """Whether anything was recorded at or after *moment* (UTC)."""
        return self._one("SELECT 1 FROM changes WHERE at >= ? LIMIT 1", (moment,)) is not None

    @contextmanager
    def state_at(self, moment: str) -> Iterator[bool]:
        """Within the block, tasks and notes read as they stood just before *moment* (UTC).

        Yields whether anything had to be rebuilt.  Raises StoreError when the history
        cannot rebuild that past (a task deleted later without its fields on record).
        Read only inside the block: writes would go to the rebuilt copy.
        """
        if not self.changed_since(moment) or self._rebuilt_at:
            yield False
            return
        self._rebuilt_at = moment
        try:
            self._copy_to_temp("tasks", "SELECT * FROM main.tasks", ())
            self._copy_to_temp("updates", "SELECT * FROM main.updates WHERE created_at < ?", (moment,))
            self._replay_back_to(moment)
            yield True
        finally:
            self._rebuilt_at = None
            self.conn.execute("DROP TABLE IF EXISTS temp.tasks")
            self.conn.execute("DROP TABLE IF EXISTS temp.updates")

    def _copy_to_temp(self, table: str, select: str, params: tuple) -> None:
        """A TEMP copy of *table* that shadows it, keyed on id and with the same indexes.

        The replay looks rows up by id and the readers filter on deadline, status and
        lead: without the key and the indexes each of those statements scans the copy.
        """
        columns = self._q(f"PRAGMA main.table_info({table})")
        defs = ", ".join(
            "id INTEGER PRIMARY KEY" if c["name"] == "id" else f'"{c["name"]}" {c["type"]}' for c in columns
        )
        self.conn.execute(f"CREATE TEMP TABLE {table} ({defs})")
        self.conn.execute(f"INSERT INTO temp.{table} {select}", params)
        for index in self._q(f"PRAGMA main.index_list({table})"):
            if index["origin"] == "pk":
                continue
            # not UNIQUE: a read-only copy needs the lookups, and a past with a key reused must not fail
            names = [r["name"] for r in self._q(f"PRAGMA main.index_info({index['name']})")]
            self.conn.execute(f"CREATE INDEX temp.past_{index['name']} ON {table}({', '.join(names)})")

    def _replay_back_to(self, moment: str) -> None:
        """Take back, in the TEMP copy, every task field change recorded at or after *moment*.

        The changes are folded newest first into what each task looked like before the
        oldest of them (:class:`_PastRows`), then written in a few statements.
        """
        rows = self._q(
            "SELECT h.entity_id, h.ref, h.field, h.old FROM changes c JOIN history h ON h.change_id = c.id "
            "WHERE c.at >= ? AND h.entity = 'task' ORDER BY h.id DESC",
            (moment,),
        )
        # Before the first record there is no past to rebuild: tasks stay as first entered
        # (a demo's --as-of before the day the plans were imported), changes are still taken back.
        row = self._one("SELECT min(at) FROM changes")
        first = row[0] if row else None
        past = _PastRows(keep_created=first is not None and moment <= first)
        for r in rows:
            past.take_back(r["entity_id"], r["ref"], r["field"], r["old"])
        self._write_past(past)

    def _write_past(self, past: "_PastRows") -> None:
        """Write the folded past into the TEMP copy: rows removed, rows restored, fields set back."""
        conn = self.conn
        plan_ids = {r["key"]: r["id"] for r in self._q("SELECT id, key FROM plans")}
        org_ids = self._org_ids()
        gone = [(i,) for i in past.absent | set(past.restored)]
        conn.executemany("DELETE FROM temp.tasks WHERE id = ?", gone)
        conn.executemany(
            "INSERT INTO temp.tasks(id, plan_id, key, title, status, progress, priority, description, "
            "accountable, deadline_text, recurrence, output, evidence, blocked_reason, source, search_text, "
            "version) VALUES (?, ?, ?, ?, 'not started', 0, 'normal', '', '', '', '', '', '', '', '', '', 1)",
            [
                (task_id, plan_ids.get(ref.partition("/")[0]), ref.partition("/")[2], title)
                for task_id, (ref, title) in past.restored.items()
            ],
        )
        for name, values in past.columns().items():
            if name == "lead":
                conn.executemany(
                    "UPDATE temp.tasks SET lead_id = ? WHERE id = ?",
                    [(org_ids.get(old or ""), i) for i, old in values],
                )
            elif name == "parent":
                conn.executemany(
                    "UPDATE temp.tasks SET parent_id = (SELECT p.id FROM temp.tasks p WHERE p.plan_id = "
                    "(SELECT plan_id FROM temp.tasks WHERE id = ?) AND p.key = ?) WHERE id = ?",
                    [(i, old, i) for i, old in values],
                )
            else:
                conn.executemany(
                    f"UPDATE temp.tasks SET {name} = ? WHERE id = ?",
                    [(self._column_value(name, old), i) for i, old in values],
                )
        for task_id, (ref, _title) in past.restored.items():
            row = self._one("SELECT lead_id, plan_id FROM temp.tasks WHERE id = ?", (task_id,))
            if row is None or row["lead_id"] is None or row["plan_id"] is None:
                raise StoreError(
                    _("cannot rebuild the state at that date from the history")
                    + f": {ref} "
                    + _("was deleted later without its fields on record")
                )

    @staticmethod
    def _column_value(name: str, text: str | None) -> Any:
        if name == "progress":
            return int(text) if text else 0
        if name in ("kpi_target", "kpi_current", "kpi_baseline"):
            return float(text) if text else None
        if name in ("start", "deadline", "completed_on", "kpi_metric", "kpi_unit"):
            return text or None
        if name == "status":
            return text or "not started"
        if name == "priority":
            return text or "normal"
        return text or ""


class _PastRows:
    """Task changes taken back newest first, folded into what to write to the TEMP copy.

    Taking back a creation removes the row (and what was set on it since); taking back a
    deletion restores a bare row, which older changes then fill in.  A field taken back
    several times keeps the value before the oldest change.
    """

    def __init__(self, keep_created: bool) -> None:
        self.keep_created = keep_created
        self.absent: set[int] = set()  # rows that did not exist yet
        self.restored: dict[int, tuple[str, str]] = {}  # id -> (ref, title) of rows deleted since
        self.fields: dict[int, dict[str, str | None]] = {}  # id -> field -> value to write back

    def take_back(self, task_id: int, ref: str, name: str, old: str | None) -> None:
        if name == "*created*":
            if not self.keep_created:
                self.absent.add(task_id)
                self.restored.pop(task_id, None)
                self.fields.pop(task_id, None)
        elif name == "*deleted*":
            self.absent.discard(task_id)
            self.restored[task_id] = (ref, old or "")
            self.fields.pop(task_id, None)
        elif task_id not in self.absent and (name in _PLAIN_COLUMNS or name in ("lead", "parent")):
            self.fields.setdefault(task_id, {})[name] = old

    def columns(self) -> dict[str, list[tuple[int, str | None]]]:
        """For each field, the (id, value) pairs to write; parents last (they look up restored keys)."""
        by_name: dict[str, list[tuple[int, str | None]]] = {}
        for task_id, values in self.fields.items():
            for name, old in values.items():
                by_name.setdefault(name, []).append((task_id, old))
        return dict(sorted(by_name.items(), key=lambda item: item[0] == "parent"))
