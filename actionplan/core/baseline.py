"""Baselines: a plan's promises (deadline, output, lead of each task) frozen under a name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class BaselineTask:
    """One task as it stood when the baseline was saved."""

    key: str
    title: str
    lead: str
    deadline: date | None
    deadline_text: str = ""
    output: str = ""


@dataclass(frozen=True)
class Baseline:
    """A named, never-changed record of a plan's tasks (for example "approved 2026-04-28")."""

    plan: str
    name: str
    saved_at: str
    saved_by: str
    source: str = ""
    task_count: int = 0
    after_change: int = 0  # the newest change in the history when it was saved
    tasks: tuple[BaselineTask, ...] = field(default=())
    id: int | None = None

    def by_key(self) -> dict[str, BaselineTask]:
        return {t.key: t for t in self.tasks}


@dataclass(frozen=True)
class DeadlineMove:
    """One standing change of a task's deadline, from the history, with the reason given."""

    key: str
    change_id: int
    at: str  # UTC timestamp, as the history keeps it
    actor: str
    action: str
    old: date | None
    new: date | None
    reason: str = ""

    @property
    def days(self) -> int | None:
        """How far the deadline moved (later is positive); None when set or removed."""
        if self.old is None or self.new is None:
            return None
        return (self.new - self.old).days
