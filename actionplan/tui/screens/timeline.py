"""Timeline: deadlines by month, with today marked.

The window shows 18 months, from January of today's year to June of the next
(2026-01 .. 2027-06 for the sample plans seen on 26 Nov 2026); ``[`` and ``]``
shift it by three months and ``t`` comes back to today.  A strip at the top
counts the deadlines of every month at a glance; below it, each month has a
header line (its figures and a bar) and the tasks due in it.  Enter or a
click on a task opens it in the task screen; on a month header, that month's
tasks.

The window's data is built in ``actionplan.tui.timeline_data``; the strip, the
list and how its lines read are in ``actionplan.tui.widgets.timeline_widgets``.
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Header, Label, OptionList, Static

from actionplan.core.i18n import _
from actionplan.tui.screens.plan_board import PlanBoardScreen
from actionplan.tui.timeline_data import (
    Row,
    Timeline,
    add_months,
    build_timeline,
    default_start,
    first_of_month,
    month_label,
    timeline_rows,
)
from actionplan.tui.widgets.footer import FittingFooter
from actionplan.tui.widgets.plan_picker import PlanPicker
from actionplan.tui.widgets.timeline_widgets import (
    LineLayout,
    MonthStrip,
    TimelineList,
    line_layout,
    month_line,
    outside_line,
    task_line,
    today_line,
)

# --- the screen ----------------------------------------------------------------------------


class TimelineScreen(PlanBoardScreen):
    """Deadlines by month across 18 months, today marked; enter opens a task or a month."""

    HELP_TITLE = _("Timeline")
    AUTO_FOCUS = "#timeline-list"
    PICKER_ID = "timeline-plan"

    BINDINGS = [
        Binding(
            "left_square_bracket",
            "shift(-3)",
            _("Earlier"),
            key_display="[",
            tooltip=_("Move the window three months back"),
        ),
        Binding(
            "right_square_bracket",
            "shift(3)",
            _("Later"),
            key_display="]",
            tooltip=_("Move the window three months on"),
        ),
        Binding("t", "today", _("Today"), tooltip=_("Back to today's month")),
        Binding("p", "next_plan", _("Plan"), tooltip=_("All plans, or one plan from the list")),
        Binding("left", "month(-1)", _("Previous month"), show=False),
        Binding("right", "month(1)", _("Next month"), show=False),
        Binding("r", "reload", _("Reload"), show=False),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        self.start: date | None = None
        self.timeline: Timeline | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="timeline-bar", classes="board-bar"):
            yield Label(_("Plan"))
            yield PlanPicker(self.app.store.list_plans(), id="timeline-plan")
            yield Static(id="timeline-window", classes="board-bar-note")
        yield MonthStrip(id="timeline-strip")
        yield TimelineList(id="timeline-list")
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        self.follow_data()
        self.start = default_start(self.app.today)
        self.reload()
        self.call_after_refresh(self.action_today)

    # --- data ----------------------------------------------------------------------------

    @property
    def month_list(self) -> TimelineList:
        return self.query_one("#timeline-list", TimelineList)

    def read_and_draw(self) -> None:
        """Read the window again from the store and redraw, keeping the cursor where it was."""
        today = self.app.today
        if self.start is None:
            self.start = default_start(today)
        timeline = self.timeline = build_timeline(self.app.store, today, self.start, self.plans)
        show_plan = not self.plans
        layout_cache: dict[int, LineLayout] = {}

        def render_row(row: Row, width: int) -> Content:
            if row.kind == "month" and row.month is not None:
                return month_line(row.month, today, width)
            if row.kind == "task" and row.task is not None:
                if width not in layout_cache:
                    layout_cache[width] = line_layout(timeline, width, show_plan, today)
                return task_line(row.task, today, layout_cache[width], show_plan, row.task.ref in timeline.done_late)
            if row.kind == "today":
                return today_line(today, width)
            return outside_line(row, timeline).truncate(width, ellipsis=True)

        listing = self.month_list
        keep = listing.highlighted_option.id if listing.highlighted_option else None
        listing.show_rows(timeline_rows(timeline), render_row, keep=keep)
        self.query_one("#timeline-strip", MonthStrip).show(timeline)
        self.query_one("#timeline-window", Static).update(
            f"{month_label(timeline.start)} – {month_label(add_months(timeline.end, -1))}"
        )

    def row_texts(self) -> list[str]:
        """The plain text of every line of the month list (for tests and debugging)."""
        return [str(getattr(o.prompt, "plain", o.prompt)) for o in self.month_list.options]

    # --- events and actions --------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = self.month_list.rows[event.option_index]
        timeline = self.timeline
        if row.kind == "task" and row.task is not None:
            self.app.show_tasks(task_ref=row.task.ref)
        elif row.kind in ("month", "more") and row.month is not None:
            self.app.show_tasks(
                query=f"due>={row.month.start.isoformat()} due<{row.month.end.isoformat()}", plan=self.plan_arg()
            )
        elif row.kind == "earlier" and timeline is not None:
            self.app.show_tasks(query=f"due<{timeline.start.isoformat()}", plan=self.plan_arg())
        elif row.kind == "later" and timeline is not None:
            self.app.show_tasks(query=f"due>={timeline.end.isoformat()}", plan=self.plan_arg())

    def on_month_strip_picked(self, event: MonthStrip.Picked) -> None:
        self.jump_to(event.month)

    def jump_to(self, month: date) -> None:
        """Scroll the list so *month* is at the top, the cursor on its first line that can be opened."""
        listing = self.month_list
        key = first_of_month(month).strftime("%Y-%m")
        if not listing.highlight_id(f"month:{key}", top=True):
            # an empty month: go to the next line that can be opened, and show the month itself
            index = next((i for i, r in enumerate(listing.rows) if r.id == f"month:{key}"), None)
            if index is None:
                return
            following = next((i for i in range(index, len(listing.rows)) if not listing.options[i].disabled), None)
            if following is not None:
                listing.highlighted = following
            listing.scroll_to(y=index, animate=False, immediate=True)  # every line is one option
        listing.focus()

    def action_shift(self, months: int) -> None:
        """Move the window; show the months that came into view."""
        old_end = self.timeline.end if self.timeline else None
        self.start = add_months(self.start or default_start(self.app.today), months)
        self.reload()
        if months < 0 or old_end is None:
            self.jump_to(self.start)
        else:
            self.jump_to(add_months(old_end, -1))

    def action_today(self) -> None:
        today = self.app.today
        if self.timeline is None or self.timeline.month_of(today) is None:
            self.start = default_start(today)
            self.reload()
        self.jump_to(today)

    def action_month(self, step: int) -> None:
        """Cursor to the header of the previous or next month that has deadlines."""
        listing = self.month_list
        current = listing.highlighted or 0
        indexes = [i for i, r in enumerate(listing.rows) if r.kind == "month" and not listing.options[i].disabled]
        if step > 0:
            target = next((i for i in indexes if i > current), None)
        else:
            target = next((i for i in reversed(indexes) if i < current), None)
        if target is not None:
            listing.highlighted = target
            listing.scroll_to_highlight(top=True)
