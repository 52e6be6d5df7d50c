"""Screens that know their app: ``self.app`` is the :class:`ActionPlanApp` (with its store, today, write)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen, Screen

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
