"""The timeline's widgets and how its lines read.

``MonthStrip`` counts the deadlines of every month of the window at a glance;
``TimelineList`` lists the months and their tasks.  The functions above them
draw one line of the list each (a month header, a task, the today marker, the
deadlines before and after the window).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from actionplan.core import model
from actionplan.core.dates import short_relative
from actionplan.core.i18n import _
from actionplan.core.model import Task, TaskStatus, status_label
from actionplan.tui.timeline_data import (
    MAX_TASKS_PER_MONTH,
    MONTH_ABBR,
    WINDOW_MONTHS,
    MonthFigures,
    Row,
    Timeline,
    TimelineMonth,
    add_months,
    day_label,
    month_label,
)

# --- how the lines of the list read --------------------------------------------------------


def status_cell(task: Task, today: date, done_late: bool = False) -> tuple[str, str]:
    """A short status for the task line, and its style: done, late, cancelled or the open status.

    *done_late*: finished after its committed deadline (Timeline.done_late), even when its
    deadline was moved past the completion since.
    """
    if task.status == TaskStatus.DONE:
        if done_late or model.done_on_time(task) is False:
            return _("✓ done late"), "$warning"
        return _("✓ done"), "$success"
    if task.status == TaskStatus.CANCELLED:
        return _("✗ cancelled"), "$text-muted"
    if model.is_overdue(task, today) and task.deadline is not None:
        return "! " + short_relative(task.deadline, today), "bold $error"
    if task.status == TaskStatus.BLOCKED:
        return _("blocked"), "$warning"
    return status_label(task.status), ""


def fit(text: str, width: int) -> str:
    """*text* cut to *width* cells with an ellipsis, or padded to it."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


@dataclass
class LineLayout:
    """Column widths of the task lines, fitted to the list's width."""

    width: int
    ref: int
    lead: int
    status: int = 11

    @property
    def title(self) -> int:
        # " DD Mon  ref title lead  status"
        return max(8, self.width - (1 + 6 + 2 + self.ref + 1 + 1 + self.lead + 2 + self.status))


def line_layout(timeline: Timeline, width: int, show_plan: bool, today: date) -> LineLayout:
    tasks = [t for m in timeline.months for t in m.tasks[:MAX_TASKS_PER_MONTH]]
    ref = max((cell_len(t.ref if show_plan else t.key) for t in tasks), default=4)
    lead = min(10, max((cell_len(t.lead) for t in tasks), default=4))
    status = max([11] + [cell_len(status_cell(t, today, t.ref in timeline.done_late)[0]) for t in tasks])
    return LineLayout(width=width, ref=min(ref, 24), lead=lead, status=status)


def task_line(task: Task, today: date, layout: LineLayout, show_plan: bool, done_late: bool = False) -> Content:
    status, status_style = status_cell(task, today, done_late)
    late = model.is_overdue(task, today)
    closed = not task.is_open
    day = day_label(task.deadline) if task.deadline else "      "
    return Content.assemble(
        " ",
        (day, "bold $error" if late else ("$text-muted" if closed else "")),
        "  ",
        (fit(task.ref if show_plan else task.key, layout.ref), "bold"),
        " ",
        (fit(task.title, layout.title), "$text-muted" if closed else ""),
        " ",
        (fit(task.lead, layout.lead), "$text-muted" if closed else "$accent"),
        "  ",
        (fit(status, layout.status), status_style),
    )


def month_bar(figures: MonthFigures, room: int) -> Content:
    """One block per deadline: done green, overdue red, open plain, cancelled dim (capped at *room*)."""
    parts: list[tuple[str, str]] = [
        ("■" * figures.done, "$success"),
        ("■" * figures.overdue, "$error"),
        ("■" * (figures.open - figures.overdue), "$foreground"),
        ("□" * figures.cancelled, "$text-muted"),
    ]
    bar = Content.assemble(*[p for p in parts if p[0]])
    if bar.cell_length > room:
        bar = bar.truncate(max(0, room - 1)).append("+")
    return bar


def month_summary(figures: MonthFigures) -> list[tuple[str, str]]:
    """The figures of a month header: deadlines, done, overdue, open, cancelled."""
    if not figures.deadlines:
        return [(_("no deadlines"), "$text-muted")]
    noun = _("deadline") if figures.deadlines == 1 else _("deadlines")
    parts: list[tuple[str, str]] = [(f"{figures.deadlines} {noun}", "bold")]
    if figures.done:
        parts.append((f"{figures.done} " + _("done"), "$success"))
    if figures.overdue:
        parts.append((f"{figures.overdue} " + _("overdue"), "bold $error"))
    still_open = figures.open - figures.overdue
    if still_open:
        parts.append((f"{still_open} " + _("open"), ""))
    if figures.cancelled:
        parts.append((f"{figures.cancelled} " + _("cancelled"), "$text-muted"))
    return parts


def today_mark(today: date) -> str:
    return "▶ " + _("today") + f" {today.day} {MONTH_ABBR[today.month]}"


def month_line(month: TimelineMonth, today: date, width: int) -> Content:
    is_today = month.contains(today)
    pieces: list[tuple[str, str] | str] = [(f" {month.label} ", "bold reverse $accent" if is_today else "bold $accent")]
    if is_today:
        pieces += [" ", (today_mark(today), "bold $accent")]
    for i, part in enumerate(month_summary(month.figures)):
        pieces += [" · " if i else "  ", part]
    head = Content.assemble(*pieces)
    if head.cell_length > width:
        return head.truncate(width, ellipsis=True)
    room = width - head.cell_length - 2
    if room >= 4 and month.figures.deadlines:
        bar = month_bar(month.figures, room)
        head = head.append(" " * (width - head.cell_length - bar.cell_length)).append(bar)
    return head


def today_line(today: date, width: int) -> Content:
    mark = f" {today_mark(today)} "
    rule = max(0, width - cell_len(mark) - 10)
    return Content.assemble(("─" * 9, "$accent"), (mark, "bold $accent"), ("─" * rule, "$accent"))


def outside_line(row: Row, timeline: Timeline) -> Content:
    if row.kind == "earlier":
        text = f" ◀ {timeline.earlier} " + _("deadlines before") + f" {month_label(timeline.start)}"
        parts: list[tuple[str, str] | str] = [(text, "bold")]
        if timeline.earlier_overdue:
            parts += [" · ", (f"{timeline.earlier_overdue} " + _("overdue"), "bold $error")]
        parts.append((" · " + _("[ shows them"), "$text-muted"))
        return Content.assemble(*parts)
    if row.kind == "later":
        text = f" ▶ {timeline.later} " + _("deadlines after") + f" {month_label(add_months(timeline.end, -1))}"
        return Content.assemble((text, "bold"), (" · " + _("] shows them"), "$text-muted"))
    if row.kind == "more" and row.month is not None:
        hidden = row.month.figures.deadlines - min(len(row.month.tasks), MAX_TASKS_PER_MONTH)
        return Content.assemble(
            ("   … " + _("{n} more in {month}: enter lists them").format(n=hidden, month=row.month.label), "italic")
        )
    return Content(" " + _("No deadlines in these months."))


# --- widgets -------------------------------------------------------------------------------


class MonthStrip(Widget):
    """Every month of the window in one glance: the count of deadlines, today's month marked.

    Counts are red when a deadline of the month is overdue, green when all are done.
    Clicking a month jumps to it in the list.
    """

    DEFAULT_CSS = """
    MonthStrip {
        height: 3;
        padding: 0 1;
        background: $boost;
    }
    """

    class Picked(Message):
        """A month of the strip was clicked."""

        def __init__(self, month: date) -> None:
            super().__init__()
            self.month = month

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.tooltip = _("Deadlines per month: red = some overdue, green = all done. Click a month to jump to it.")

    def show(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.refresh()

    def cell_width(self) -> int:
        count = len(self.timeline.months) if self.timeline else WINDOW_MONTHS
        return max(4, min(6, (self.content_region.width or 72) // count))

    def shown_months(self) -> tuple[int, int]:
        """(first, count) of the months that fit whole; when not all do, today's month stays in view."""
        months = self.timeline.months if self.timeline else []
        fit = max(1, (self.content_region.width or 72) // self.cell_width())
        if fit >= len(months):
            return 0, len(months)
        today = next((i for i, m in enumerate(months) if self.timeline and m.contains(self.timeline.today)), 0)
        first = max(0, min(today - fit // 3, len(months) - fit))
        return first, fit

    def render(self) -> Content:
        timeline = self.timeline
        if timeline is None:
            return Content("")
        cell = self.cell_width()
        today = timeline.today
        first, count = self.shown_months()
        months = timeline.months[first : first + count]
        total = cell * len(months)
        years = [" "] * total
        names: list[tuple[str, str]] = []
        counts: list[tuple[str, str]] = []

        def put(text: str, at: int) -> bool:
            """Write a label on the year line, only where it keeps a blank on each side."""
            end = at + len(text)
            if at < 0 or end > total or any(c != " " for c in years[max(0, at - 1) : end + 1]):
                return False
            years[at:end] = list(text)
            return True

        for i, month in enumerate(months):
            if i == 0 or month.start.month == 1:
                put(str(month.start.year), i * cell)
        for i, month in enumerate(months):
            is_today = month.contains(today)
            if is_today and not put("▼" + _("today"), i * cell):
                put("▼", i * cell + cell - 2)
            name = MONTH_ABBR[month.start.month].rjust(cell - 1) + " "
            names.append((name, "bold reverse $accent" if is_today else "bold"))
            f = month.figures
            if not f.deadlines:
                counts.append(("·".rjust(cell - 1) + " ", "$text-muted"))
            else:
                style = "bold $error" if f.overdue else ("$success" if f.done + f.cancelled == f.deadlines else "bold")
                counts.append((str(f.deadlines).rjust(cell - 1) + " ", style))
        return Content.assemble(("".join(years), "$text-muted"), "\n", *names, "\n", *counts)

    def on_click(self, event: events.Click) -> None:
        if self.timeline is None:
            return
        first, count = self.shown_months()
        index = (event.x - self.styles.padding.left) // self.cell_width()
        if 0 <= index < count:
            self.post_message(self.Picked(self.timeline.months[first + index].start))


class TimelineList(OptionList):
    """The months and their tasks; enter or a click opens the line under the cursor."""

    DEFAULT_CSS = """
    TimelineList {
        height: 1fr;
        max-height: 100%;
        scrollbar-gutter: stable;
        & > .option-list--option-disabled { color: $foreground; }
    }
    """

    BINDINGS = [
        Binding("enter", "select", _("Open"), tooltip=_("Open the task, or the month's tasks")),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.rows: list[Row] = []
        self._render_row: Callable[[Row, int], Content] | None = None
        self._width = 0

    def content_width(self) -> int:
        width = self.scrollable_content_region.width
        return width if width > 0 else max(20, self.app.size.width - 2)

    def show_rows(self, rows: list[Row], render_row: Callable[[Row, int], Content], keep: str | None = None) -> None:
        """Replace the lines; keep the cursor on the line with id *keep* when it still exists."""
        self.rows = rows
        self._render_row = render_row
        self._rebuild(keep)

    def _rebuild(self, keep: str | None) -> None:
        assert self._render_row is not None
        width = self._width = self.content_width()
        self.set_options(
            Option(
                self._render_row(row, width),
                id=row.id,
                disabled=row.kind in ("today", "empty")
                or (row.kind == "month" and row.month is not None and not row.month.tasks),
            )
            for row in self.rows
        )
        if keep is not None:
            self.highlight_id(keep)

    def highlight_id(self, option_id: str, top: bool = False) -> bool:
        """Put the cursor on a line by id (True if found)."""
        try:
            index = self.get_option_index(option_id)
        except Exception:
            return False
        if self.options[index].disabled:
            return False
        self.highlighted = index
        self.scroll_to_highlight(top=top)
        return True

    def on_resize(self, _event: events.Resize) -> None:
        if self._render_row is not None and self.content_width() != self._width:
            keep = self.highlighted_option.id if self.highlighted_option else None
            self._rebuild(keep)

    @property
    def highlighted_row(self) -> Row | None:
        index = self.highlighted
        return self.rows[index] if index is not None and 0 <= index < len(self.rows) else None
