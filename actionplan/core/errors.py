"""One error hierarchy: every problem a user can cause, with the place it names.

Every error the program raises on purpose derives from :class:`ActionPlanError`,
which carries the ``field`` it is about and/or the ``place`` (``file:line``).  The
front ends show them in one place each (the CLI's ``_handle``, the UI's
``ActionPlanApp.write``).  Errors about text people type also derive from
``ValueError``, as parsers are expected to raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from actionplan.core.model import Task


class ActionPlanError(Exception):
    """A problem the user can fix; the message says what and where.

    ``reason`` is the message alone; ``str()`` puts the place and the field before it.
    """

    def __init__(self, message: str = "", *, field: str = "", place: str = "") -> None:
        self.reason = message
        self.field = field
        self.place = place
        prefix = "".join(f"{part}: " for part in (place, field) if part)
        super().__init__(prefix + message)


class StoreError(ActionPlanError):
    """The database refused or cannot do what was asked."""


class NotFoundError(StoreError):
    """No plan, task or agency by that name."""


class ValidationError(StoreError):
    """A value that breaks a rule; ``field`` names the field."""

    def __init__(self, message: str, field: str = "", *, place: str = "") -> None:
        super().__init__(message, field=field, place=place)


class ConflictError(StoreError):
    """Somebody else saved the row since it was read; nothing was written."""

    def __init__(self, message: str, theirs: Task | None = None, yours: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.theirs = theirs
        self.yours = yours or {}


class FieldError(ValidationError, ValueError):
    """Bad input for one field; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field)


class DateError(ActionPlanError, ValueError):
    """A date, deadline or time zone the user wrote cannot be read."""


class RecurrenceError(ActionPlanError, ValueError):
    """A recurrence rule (RRULE text or alias) cannot be used for deadlines."""


class QueryError(ActionPlanError, ValueError):
    """A filter term that cannot be understood; names the term."""


class IcalError(ActionPlanError, ValueError):
    """A reminder offset, time or setting that cannot be understood; the message says which."""


class DigestError(ActionPlanError, ValueError):
    """Options that cannot make a digest (the message says which)."""


@dataclass
class Problem:
    """One problem in a plan file, at its line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PlanFileError(ActionPlanError):
    """One or more problems in plan files; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        unique = {(p.file, p.line, p.message): p for p in problems}  # the same problem once
        self.problems = sorted(unique.values(), key=lambda p: (p.file, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))
        if self.problems:  # each problem names its own place; this is the first one's
            self.place = f"{self.problems[0].file}:{self.problems[0].line}"


class DatabaseError(StoreError):
    """The database file itself is the problem (not a value in it); ``path`` names the file."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message, place=path)
        self.path = path


class DatabaseDamagedError(DatabaseError):
    """SQLite reports a malformed file, or tables the program needs are missing."""


class ForeignDatabaseError(DatabaseError):
    """The file is not an actionplan database (another program's, or not SQLite); it was left untouched."""


class DatabaseLockedError(DatabaseError):
    """Another writer held the write lock for longer than the wait allowed; nothing was written."""


class ReadOnlyDatabaseError(DatabaseError):
    """The file (or its folder) cannot be written; nothing was changed."""


class OutputError(ActionPlanError):
    """An output path that cannot be written (a NUL in the name, a folder, no such folder)."""
