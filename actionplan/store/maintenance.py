"""Integrity checks, backups and counts."""

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from actionplan.core.errors import DatabaseDamagedError
from actionplan.core.i18n import _

if TYPE_CHECKING:
    pass
from actionplan.store.base import StoreBase


class Maintenance(StoreBase):
    """Integrity checks, backups and counts."""

    def integrity_problems(self) -> list[str]:
        """Every problem :func:`~actionplan.store.diagnosis.diagnose` finds, in words (empty when healthy)."""
        if str(self.path) != ":memory:":
            from actionplan.store.diagnosis import diagnose

            return diagnose(self.path)
        problems = [r[0] for r in self._q("PRAGMA integrity_check") if r[0] != "ok"]
        for r in self._q("PRAGMA foreign_key_check"):
            problems.append(f"{r[0]} row {r[1]} " + _("refers to a missing row in") + f" {r[2]}")
        if not problems:  # the search index against the tasks' text (rank 1: with the content table)
            try:
                self.conn.execute("INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('integrity-check', 1)")
            except sqlite3.OperationalError:  # cannot run here (a read-only database): not a finding
                pass
            except (sqlite3.DatabaseError, DatabaseDamagedError):  # SQLITE_CORRUPT_VTAB: the index and the text differ
                problems.append(_("the search index does not match the tasks' text (searches may miss tasks)"))
        return problems

    def backup(self, target: str | Path) -> None:
        """A consistent copy made with SQLite's online backup API."""
        dest = sqlite3.connect(str(target))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    def counts(self) -> dict[str, int]:
        return {
            t: int(self._scalar(f"SELECT count(*) FROM {t}")) for t in ("plans", "orgs", "tasks", "updates", "history")
        }
