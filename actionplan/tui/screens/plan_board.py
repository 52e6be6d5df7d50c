"""What the agencies board and the timeline share: figures over the plans chosen in a picker.

Both screens show figures read from the store for one plan or every plan (a
:class:`PlanPicker` in their top bar, ``p`` to go through the plans).  They read the
store again when the data changes while they are shown, when the user comes back to
them after a change or on another day, and when another plan is picked; never on a
mere resize or return.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Select

from actionplan.core.i18n import _
from actionplan.tui.base import ActionPlanScreen
from actionplan.tui.widgets.plan_picker import PlanPicker

#: What the figures on screen were read for: the store's data stamp, the day, the plans.
Freshness = tuple[str, date, tuple[str, ...]]


class PlanBoardScreen(ActionPlanScreen[None]):
    """A screen of figures over the plans chosen in its picker (``#<PICKER_ID>``).

    A subclass composes the picker in a ``.board-bar`` (with a ``.board-bar-note``), calls :meth:`follow_data` when mounted, and defines
    ``read_and_draw()``: read its figures from the store for :attr:`plans` and redraw.
    """

    PICKER_ID: ClassVar[str] = "plan-picker"

    BINDINGS = [
        Binding("escape", "app.go_back", _("Back"), show=False),
        Binding("q", "app.quit_app", _("Quit"), show=False),
    ]

    DEFAULT_CSS = """
    PlanBoardScreen .board-bar {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    PlanBoardScreen .board-bar Label {
        width: auto;
        padding-right: 1;
        text-style: bold;
    }
    PlanBoardScreen .board-bar-note {
        width: auto;
        padding-left: 2;
        color: $text-muted;
    }
    """

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        self._loaded: Freshness | None = None
        self._focus_after_pick: Widget | None = None

    def follow_data(self) -> None:
        """Reload when the app's data changes (from now on)."""
        self.watch(self.app, "data_version", self._data_changed, init=False)

    @property
    def picker(self) -> PlanPicker:
        return self.query_one(f"#{self.PICKER_ID}", PlanPicker)

    @property
    def plans(self) -> list[str]:
        """The plans shown ([] = every plan)."""
        return self.picker.plans

    def plan_arg(self) -> str:
        """The plan to open the task screen on: the one shown, or "" for every plan."""
        return self.plans[0] if self.plans else ""

    def _freshness(self) -> Freshness:
        return self.app.store.data_stamp(), self.app.today, tuple(self.plans)

    #: Read this board's figures for :attr:`plans` from the store and redraw them.
    read_and_draw: Callable[[], None]

    def reload(self) -> None:
        """Read the figures again from the store and redraw."""
        self._loaded = self._freshness()
        self.read_and_draw()

    def _data_changed(self, _version: int) -> None:
        self.picker.set_plans(self.app.store.list_plans())
        if self.is_current:
            self.reload()
        # else: on_screen_resume reloads when the user comes back

    def on_screen_resume(self) -> None:
        if self._loaded != self._freshness():
            self.reload()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self._loaded is None or self._loaded[2] != tuple(self.plans):
            self.reload()
        back, self._focus_after_pick = self._focus_after_pick, None
        if back is not None and back.is_attached:
            back.focus()  # after p and a choice, the keys act on the board again

    def action_next_plan(self) -> None:
        """p: open the list of plans ("All plans" first) instead of stepping through them."""
        self._focus_after_pick = self.focused
        self.picker.focus()
        self.picker.action_show_overlay()

    def action_reload(self) -> None:
        self.picker.set_plans(self.app.store.list_plans())
        self.reload()
