"""What the history says happened to a task, as the accountability figures read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TaskEvent:
    """One recorded change of a task field that accountability reads (deadline, status, completion).

    ``at`` and ``undone_at`` are UTC timestamps as history stores them; ``note_on`` is the
    date of the progress note recorded with the change (a recurring period's completion date).
    """

    change_id: int
    at: str
    actor: str
    action: str
    ref: str
    lead: str
    field: str
    old: str | None
    new: str | None
    undo_of: int | None = None
    undone_at: str | None = None
    note_on: date | None = None
    undoes: str | None = None  # for an undo: the action of the change it took back

    def stands_at(self, moment: str) -> bool:
        """Recorded before *moment* and not taken back by an undo recorded before it either."""
        return self.at < moment and (self.undone_at is None or self.undone_at >= moment)
