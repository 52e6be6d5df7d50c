"""A one-line question: a file path, a name."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from actionplan.core.i18n import _


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; returns it, or None when cancelled."""

    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical { width: 70; max-width: 100%; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
    TextPrompt Label.title { text-style: bold; margin-bottom: 1; }
    TextPrompt Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    TextPrompt Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, label: str, value: str = "", ok: str = "OK") -> None:
        super().__init__()
        self.title_text = title
        self.label_text = label
        self.value = value
        self.ok = ok

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Label(self.label_text)
            yield Input(value=self.value, id="answer")
            with Horizontal():
                yield Button(self.ok, id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._finish()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._finish()
        else:
            self.dismiss(None)

    def _finish(self) -> None:
        value = self.query_one("#answer", Input).value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
