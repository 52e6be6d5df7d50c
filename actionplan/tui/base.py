"""Screens that know their app: ``self.app`` is the :class:`ActionPlanApp` (with its store, today, write)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

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

    if TYPE_CHECKING:
        app = getters.app(ActionPlanApp)
