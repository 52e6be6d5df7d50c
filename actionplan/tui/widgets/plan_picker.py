"""A one-line plan selector shared by the accountability board and the timeline.

Its value is a plan key, or ``""`` for every plan at once.  ``cycle()``
moves to the next choice (the screens bind it to ``p``); a change posts the
usual ``Select.Changed``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Select

from actionplan.core.i18n import _
from actionplan.core.model import Plan

ALL_PLANS = ""


def plan_label(plan: Plan) -> Text:
    """How a plan reads in the picker: key and reference (title when no reference), one line."""
    detail = plan.reference or plan.title
    label = Text(plan.key, style="bold")
    if detail:
        label.append(f" · {detail}")
    label.no_wrap = True
    label.overflow = "ellipsis"
    return label


class PlanPicker(Select[str]):
    """Pick one plan or all of them; compact (one line high)."""

    DEFAULT_CSS = """
    PlanPicker {
        width: 1fr;
        height: 1;
        & > SelectCurrent { height: 1; }
        & > SelectOverlay { max-height: 10; }
    }
    """

    def __init__(self, plans: Sequence[Plan] = (), value: str = ALL_PLANS, *, id: str | None = None) -> None:
        self._plan_keys = [p.key for p in plans]
        super().__init__(
            self._plan_options(plans),
            value=value if value in self._plan_keys else ALL_PLANS,
            allow_blank=False,
            compact=True,
            id=id,
            prompt=_("Plan"),
            tooltip=_("Show one plan or every plan (p cycles)"),
        )

    @staticmethod
    def _plan_options(plans: Sequence[Plan]) -> list[tuple[Text | str, str]]:
        everything = Text(_("All plans"), style="bold", no_wrap=True, overflow="ellipsis")
        options: list[tuple[Text | str, str]] = [(everything, ALL_PLANS)]
        return options + [(plan_label(p), p.key) for p in plans]

    @property
    def plan_keys(self) -> list[str]:
        """The keys of the plans on offer, in order."""
        return list(self._plan_keys)

    @property
    def plans(self) -> list[str]:
        """The selection as a list for store calls: ``[]`` means every plan."""
        value = self.value
        return [value] if isinstance(value, str) and value else []

    def set_plans(self, plans: Sequence[Plan]) -> None:
        """Offer a new list of plans, keeping the current choice when it still exists."""
        keys = [p.key for p in plans]
        if keys == self._plan_keys:
            return
        current = self.value if isinstance(self.value, str) else ALL_PLANS
        self._plan_keys = keys
        with self.prevent(Select.Changed):
            self.set_options(self._plan_options(plans))
            self.value = current if current in keys else ALL_PLANS

    def choose(self, key: str) -> None:
        """Select a plan by key (unknown keys select every plan)."""
        self.value = key if key in self._plan_keys else ALL_PLANS

    def cycle(self) -> str:
        """Move to the next choice (all plans, then each plan in turn) and return it."""
        choices = [ALL_PLANS] + self._plan_keys
        current = self.value if isinstance(self.value, str) else ALL_PLANS
        position = choices.index(current) if current in choices else 0
        self.value = choices[(position + 1) % len(choices)]
        return self.value
