"""Choose the plan to show, or every plan, from one list (type to narrow it)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from actionplan.core.i18n import _
from actionplan.core.model import Plan
from actionplan.core.text import fold
from actionplan.tui.widgets.plan_picker import ALL_PLANS

#: The id of the "All plans" option (an Option id cannot be empty).
ALL_ID = "*all*"


class PlanChooser(ModalScreen[str | None]):
    """ "All plans" first, then each plan; dismisses with a plan key, "" for all, None for cancel."""

    DEFAULT_CSS = """
    PlanChooser {
        align: center middle;
    }
    PlanChooser > Vertical {
        width: 70;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary 70%;
        background: $surface;
        padding: 0 1;
    }
    PlanChooser #chooser-title {
        text-style: bold;
        color: $text-primary;
    }
    PlanChooser OptionList {
        height: auto;
        max-height: 16;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", _("Cancel")),
        Binding("down", "down", _("Down"), show=False),
        Binding("up", "up", _("Up"), show=False),
        Binding("home", "first", _("First"), show=False, priority=True),
        Binding("end", "last", _("Last"), show=False, priority=True),
    ]

    def __init__(self, plans: Sequence[Plan], current: str = ALL_PLANS) -> None:
        super().__init__()
        self.plans = list(plans)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Show which plan?"), id="chooser-title")
            yield Input(placeholder=_("type to narrow the list; enter chooses"), id="chooser-filter", compact=True)
            yield OptionList(id="chooser-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#chooser-filter", Input).focus()

    def _fill(self, typed: str) -> None:
        options = self.query_one("#chooser-list", OptionList)
        options.clear_options()
        words = fold(typed).split()
        options.add_option(Option(Text(_("All plans"), style="bold"), id=ALL_ID))
        for plan in self.plans:
            label = f"{plan.key} · {plan.reference or plan.title}"
            if all(w in fold(f"{label} {plan.title}") for w in words):
                options.add_option(Option(Text(label, no_wrap=True, overflow="ellipsis"), id=plan.key))
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        wanted = (words and len(ids) > 1 and ids[1]) or (self.current if self.current in ids else ALL_ID)
        options.highlighted = ids.index(wanted) if wanted in ids else 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#chooser-list", OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        self.dismiss(ALL_PLANS if option_id in (None, ALL_ID) else option_id)

    def action_down(self) -> None:
        self.query_one("#chooser-list", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#chooser-list", OptionList).action_cursor_up()

    def action_first(self) -> None:
        self.query_one("#chooser-list", OptionList).action_first()

    def action_last(self) -> None:
        self.query_one("#chooser-list", OptionList).action_last()

    def action_cancel(self) -> None:
        self.dismiss(None)
