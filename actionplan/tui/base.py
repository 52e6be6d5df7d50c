"""Screens that know their app: ``self.app`` is the :class:`ActionPlanApp` (with its store, today, write)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea

from actionplan.core.i18n import _

if TYPE_CHECKING:
    from textual import getters

    from actionplan.tui.app import ActionPlanApp

ResultT = TypeVar("ResultT")


class ActionPlanScreen(Screen[ResultT]):
    """A screen of the actionplan app."""

    if TYPE_CHECKING:  # as Textual declares ``app`` itself; at run time its own property
        app = getters.app(ActionPlanApp)


class ActionPlanModal(ModalScreen[ResultT]):
    """A modal screen (dialog, editor) of the actionplan app."""

    # priority: the next field has the focus before the keys typed right after Tab arrive
    # (a paste or a fast typist: "title<Tab>MPS" must not put MPS in the title)
    BINDINGS = [
        Binding("tab", "app.focus_next", _("Next field"), show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", _("Previous field"), show=False, priority=True),
    ]

    if TYPE_CHECKING:
        app = getters.app(ActionPlanApp)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._early_keys: list[str] = []
        self._early_keys_settled = False

    def on_key(self, event: events.Key) -> None:
        """A character typed in the same burst as the key that opened this screen reaches the screen
        before the first field has the focus (it moves there once the screen is mounted; until then
        the screen or its scrolling form has it): the character waits for that field."""
        if not event.is_printable or not event.character:
            return
        focused = self.focused
        if self._type_into(focused, event.character):
            event.stop()
        elif not self._early_keys_settled and self.query("Input, TextArea"):
            self._early_keys.append(event.character)
            event.stop()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self._early_keys_settled or isinstance(event.widget, ScrollableContainer):
            return
        self._early_keys_settled = True  # the first field has the focus: from now on keys go to it
        early, self._early_keys = "".join(self._early_keys), []
        if early:
            self._type_into(event.widget, early)

    @staticmethod
    def _type_into(widget: object, text: str) -> bool:
        if isinstance(widget, Input):
            widget.insert_text_at_cursor(text)
        elif isinstance(widget, TextArea):
            widget.insert(text)
        else:
            return False
        return True
