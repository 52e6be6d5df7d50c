"""One error hierarchy: every problem a user can cause, with the place it names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from actionplan.core.model import Task


class StoreError(Exception):
    """A problem the user can fix; the message says what and where."""


class NotFoundError(StoreError):
    pass


class ValidationError(StoreError):
    """A value that breaks a rule; ``field`` names the field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.reason = message


class ConflictError(StoreError):
    """Somebody else saved the row since it was read; nothing was written."""

    def __init__(self, message: str, theirs: Task | None = None, yours: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.theirs = theirs
        self.yours = yours or {}
