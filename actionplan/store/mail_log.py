"""The send log of mail, and the few reads that mail needs and nothing else does.

Each message delivered is recorded once, keyed by its kind, recipient and what it
covers (a stable text such as ``digest:MPS:2026-11-19:2026-11-26``).  A message is
recorded only after the server accepted it, so a failed delivery is tried again by
the next run, and a run repeated from cron sends nothing twice.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from actionplan.core.model import CLOSED_STATUSES
from actionplan.store.base import StoreBase


class MailLog(StoreBase):
    """The send log (``mail_log``), mail settings, and counts per agency for digests by mail."""

    def mail_sent(self, kind: str) -> set[tuple[str, str]]:
        """(recipient, covers) of every message of *kind* on record."""
        rows = self._q("SELECT recipient, covers FROM mail_log WHERE kind = ?", (kind,))
        return {(r["recipient"], r["covers"]) for r in rows}

    def record_mail(
        self, kind: str, recipient: str, covers: str, message_id: str, *, org: str, as_of: date, subject: str
    ) -> None:
        """One message accepted by the server.  Recording it twice keeps the first record."""
        with self.write():
            self.conn.execute(
                "INSERT INTO mail_log(kind, recipient, covers, org, as_of, subject, message_id, sent_at, actor) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(kind, recipient, covers) DO NOTHING",
                (kind, recipient, covers, org, as_of.isoformat(), subject, message_id, self._now(), self.actor),
            )

    def mail_log(self, kind: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """The log, the latest first."""
        sql, params = "SELECT * FROM mail_log", []
        if kind:
            sql += " WHERE kind = ?"
            params.append(kind)
        sql += " ORDER BY sent_at DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [dict(r) for r in self._q(sql, params)]

    def last_mail_digests(self, before: date) -> dict[str, date]:
        """Per agency key ("" for the whole digest): the as-of date of the latest digest mailed before *before*."""
        rows = self._q(
            "SELECT org, max(as_of) AS last FROM mail_log WHERE kind = 'digest' AND as_of < ? GROUP BY org",
            (before.isoformat(),),
        )
        return {r["org"]: date.fromisoformat(r["last"]) for r in rows}

    def settings_starting(self, prefix: str) -> dict[str, str]:
        """Every setting whose key starts with *prefix* (key without the prefix -> value)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._q("SELECT key, value FROM meta WHERE key LIKE ? ESCAPE '\\' ORDER BY key", (escaped + "%",))
        return {r["key"][len(prefix) :]: r["value"] for r in rows}

    def delete_setting(self, key: str) -> None:
        with self.write():
            old = self.get_setting(key)
            if old is None:
                return
            self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            cid = self._begin_change("setting", f"{key} removed")
            self._record(cid, "setting", 0, key, key, old, None)

    def coordinators_by_task(self) -> dict[int, list[str]]:
        """Task id -> keys of its coordinating agencies (tasks without any left out)."""
        cur = self.conn.cursor()
        cur.row_factory = None
        rows = cur.execute(
            "SELECT c.task_id, o.key FROM task_coordinators c JOIN orgs o ON o.id = c.org_id "
            "ORDER BY c.task_id, c.position"
        ).fetchall()
        out: dict[int, list[str]] = {}
        for task_id, key in rows:
            out.setdefault(task_id, []).append(key)
        return out

    def open_counts_by_org(
        self, plans: Sequence[str] = ()
    ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
        """Open tasks per agency and plan: (led: org -> plan -> n, coordinated: org -> plan -> n)."""
        closed = sorted(CLOSED_STATUSES)
        scope, params = "", list(closed)
        if plans:
            scope = " AND p.key IN ({})".format(",".join("?" * len(plans)))
            params += list(plans)
        led_sql = (
            "SELECT o.key, p.key, count(*) FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id "
            "WHERE t.status NOT IN (?, ?)" + scope + " GROUP BY o.key, p.key"
        )
        coord_sql = (
            "SELECT o.key, p.key, count(*) FROM task_coordinators c JOIN tasks t ON t.id = c.task_id "
            "JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = c.org_id "
            "WHERE t.status NOT IN (?, ?)" + scope + " GROUP BY o.key, p.key"
        )
        result: list[dict[str, dict[str, int]]] = []
        for sql in (led_sql, coord_sql):
            cur = self.conn.cursor()
            cur.row_factory = None
            counts: dict[str, dict[str, int]] = {}
            for org, plan, n in cur.execute(sql, params).fetchall():
                counts.setdefault(org, {})[plan] = int(n)
            result.append(counts)
        return result[0], result[1]
