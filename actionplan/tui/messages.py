"""Messages the app's screens exchange."""

from __future__ import annotations

from textual.message import Message


class NavigationRequested(Message):
    """The task screen should read ``app.navigation`` again."""
