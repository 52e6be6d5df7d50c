"""Placeholder until the real screen lands (being written now)."""

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class TimelineScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("…")
        yield Footer()
