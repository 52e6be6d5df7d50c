"""Rebuilt calendar events go into the event cache from a thread of their own while the export goes on.

A cold export of 10,000 tasks spends a sixth of its time in SQLite keeping what it built (the
inserts, the commits' disk syncs and checkpoints).  SQLite does that work without Python's
global lock, so a second connection in a thread does it while the export builds the next
tasks.  Each batch is one multi-row INSERT: the thread needs the global lock only to bind a
statement, not once per row (the export holds that lock most of the time, and a thread that
asks for it once per row spends more time waiting than writing).

A cache: when another writer holds the lock, on a read-only file, or on any SQLite error,
events are simply not kept and the next export builds them again; the export never waits
for the lock nor fails because of the cache.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

#: Rows per transaction.  Small: the thread's commits (and the checkpoints SQLite runs with them)
#: then go on while the export builds, and little is left for the last one, which the export
#: waits for (1,000 measured 25 ms faster than 5,000 on a cold 10k export).
COMMIT_EVERY = 1000
#: Batches the export may hand over before it waits for the thread (each at most one chunk of events).
QUEUE_DEPTH = 4

_INSERT = "INSERT OR REPLACE INTO ical_cache(task_id, options, version, body) VALUES "


class EventCacheWriter:
    """Writes (task id, version, UTF-8 text) rows for one cache key; :meth:`close` waits until they are in."""

    def __init__(self, path: Path, options: str) -> None:
        self._path = path
        self._options = options
        self._ended = False  # the export said it is done (set by the thread only)
        self._queue: queue.Queue[Sequence[tuple[int, int, bytes]] | None] = queue.Queue(maxsize=QUEUE_DEPTH)
        self._thread: threading.Thread | None = None  # started by the first rows: a warm export needs none

    def add(self, rows: Sequence[tuple[int, int, bytes]]) -> None:
        """Hand over rows to keep (waits only while the thread is QUEUE_DEPTH batches behind)."""
        if not rows:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="actionplan-event-cache", daemon=True)
            self._thread.start()
        self._queue.put(rows)

    def close(self) -> None:
        """Commit what was handed over and end the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, timeout=0, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("PRAGMA foreign_keys = ON")  # a row for a task removed meanwhile is refused
                self._keep_all(conn, max(1, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // 4))
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                conn.close()
        except sqlite3.Error:
            pass  # not kept: the next export builds these events again
        finally:
            while not self._ended:  # take what the export still hands over, so that it never waits
                self._ended = self._queue.get() is None

    def _keep_all(self, conn: sqlite3.Connection, per_statement: int) -> None:
        pending = 0
        while (rows := self._queue.get()) is not None:
            if not conn.in_transaction:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:  # locked by another writer, or read-only: skip this batch
                    continue
            for i in range(0, len(rows), per_statement):
                part = rows[i : i + per_statement]
                values = [v for task_id, version, body in part for v in (task_id, self._options, version, body)]
                conn.execute(_INSERT + ",".join(["(?, ?, ?, ?)"] * len(part)), values)
            pending += len(rows)
            if pending >= COMMIT_EVERY:
                conn.execute("COMMIT")
                pending = 0
        self._ended = True
        if conn.in_transaction:
            conn.execute("COMMIT")
