"""Timeline: deadlines by month, with today marked.

The window shows 18 months, from January of today's year to June of the next
(2026-01 .. 2027-06 for the sample plans seen on 26 Nov 2026); ``[`` and ``]``
shift it by three months and ``t`` comes back to today.  A strip at the top
counts the deadlines of every month at a glance; below it, each month has a
header line (its figures and a bar) and the tasks due in it.  Enter or a
click on a task opens it in the task screen; on a month header, that month's
tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Sequence

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from actionplan import model
from actionplan.dates import short_relative
from actionplan.i18n import _
from actionplan.model import Task, TaskStatus
from actionplan.query import TaskFilter
from actionplan.store import Store, TaskBrief
from actionplan.text import key_sort
from actionplan.tui.widgets.plan_picker import PlanPicker

WINDOW_MONTHS = 18
SHIFT_MONTHS = 3
#: A month with more deadlines than this lists the first ones and offers the rest in the task screen.
MAX_TASKS_PER_MONTH = 40
MONTH_ABBR = ("", _("Jan"), _("Feb"), _("Mar"), _("Apr"), _("May"), _("Jun"),
              _("Jul"), _("Aug"), _("Sep"), _("Oct"), _("Nov"), _("Dec"))


# --- months --------------------------------------------------------------------------------


def first_of_month(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The first day of the month *n* months after (or before) the month of *d*."""
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def default_start(today: date) -> date:
    """First month of the default window: January of today's year."""
    return date(today.year, 1, 1)


def month_label(d: date) -> str:
    return f"{MONTH_ABBR[d.month]} {d.year}"


def day_label(d: date) -> str:
    return f"{d.day:2d} {MONTH_ABBR[d.month]}"


# --- the data behind the screen ------------------------------------------------------------


@dataclass
class MonthFigures:
    """What a month header counts (overdue comes from model.is_overdue)."""

    deadlines: int = 0
    done: int = 0
    overdue: int = 0
    open: int = 0
    cancelled: int = 0


def month_figures(tasks: Sequence[Task], today: date) -> MonthFigures:
    figures = MonthFigures(deadlines=len(tasks))
    for task in tasks:
        if task.status == TaskStatus.DONE:
            figures.done += 1
        elif task.status == TaskStatus.CANCELLED:
            figures.cancelled += 1
        else:
            figures.open += 1
        figures.overdue += model.is_overdue(task, today)
    return figures


@dataclass
class TimelineMonth:
    """One month of the window: its figures and (the first of) the tasks due in it, by deadline."""

    start: date
    tasks: list[Task] = field(default_factory=list)
    figures: MonthFigures = field(default_factory=MonthFigures)

    @property
    def end(self) -> date:
        """First day of the next month."""
        return add_months(self.start, 1)

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def label(self) -> str:
        return month_label(self.start)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


@dataclass
class Timeline:
    """Deadlines of a window of months, and how many fall before and after it."""

    today: date
    months: list[TimelineMonth]
    earlier: int = 0
    earlier_overdue: int = 0
    later: int = 0

    @property
    def start(self) -> date:
        return self.months[0].start

    @property
    def end(self) -> date:
        """First day after the window."""
        return self.months[-1].end

    def month_of(self, day: date) -> TimelineMonth | None:
        return next((m for m in self.months if m.contains(day)), None)


def _as_task(brief: TaskBrief) -> Task:
    """A TaskBrief as a Task, enough for the rules in model.py."""
    return Task(plan=brief.plan, key=brief.key, title="", parent=brief.parent, lead=brief.lead,
                status=brief.status, progress=brief.progress, deadline=brief.deadline,
                completed_on=brief.completed_on)


def build_timeline(store: Store, today: date, start: date, plans: Sequence[str] = (),
                   months: int = WINDOW_MONTHS, limit: int = MAX_TASKS_PER_MONTH) -> Timeline:
    """The deadlines of *months* months from *start*, and the counts before and after.

    Figures come from the light task briefs (one query); each month then loads
    at most *limit* full tasks, so a database of 10,000 tasks opens at once.
    """
    start = first_of_month(start)
    slots = [TimelineMonth(add_months(start, i)) for i in range(months)]
    end = slots[-1].end
    in_window: dict[date, list[Task]] = {slot.start: [] for slot in slots}
    timeline = Timeline(today=today, months=slots)
    for brief in store.briefs(list(plans)):
        if brief.deadline is None:
            continue
        if brief.deadline < start:
            timeline.earlier += 1
            timeline.earlier_overdue += model.is_overdue(_as_task(brief), today)
        elif brief.deadline >= end:
            timeline.later += 1
        else:
            in_window[first_of_month(brief.deadline)].append(_as_task(brief))
    for slot in slots:
        slot.figures = month_figures(in_window[slot.start], today)
        if slot.figures.deadlines:
            slot.tasks = store.list_tasks(
                TaskFilter(plans=list(plans), due_after=slot.start - timedelta(days=1), due_before=slot.end),
                today=today, limit=limit)
            slot.tasks.sort(key=lambda t: (t.deadline, t.plan, key_sort(t.key)))
    return timeline


# --- rows of the list and how they read ----------------------------------------------------


@dataclass(frozen=True, eq=False)
class Row:
    """One line of the month list: earlier, month, task, today, more, later or empty."""

    kind: str
    month: TimelineMonth | None = None
    task: Task | None = None

    @property
    def id(self) -> str:
        if self.kind == "task" and self.task is not None:
            return f"task:{self.task.ref}"
        if self.month is not None:
            return f"{self.kind}:{self.month.key}"
        return self.kind


def timeline_rows(timeline: Timeline, limit: int = MAX_TASKS_PER_MONTH) -> list[Row]:
    """The lines of the list, in order, with the today marker among today's month's tasks."""
    rows: list[Row] = []
    if timeline.earlier:
        rows.append(Row("earlier"))
    today = timeline.today
    for month in timeline.months:
        rows.append(Row("month", month))
        marked = not month.contains(today)
        for task in month.tasks[:limit]:
            if not marked and task.deadline is not None and task.deadline >= today:
                rows.append(Row("today", month))
                marked = True
            rows.append(Row("task", month, task))
        if month.figures.deadlines > min(len(month.tasks), limit):
            rows.append(Row("more", month))
        if not marked:
            rows.append(Row("today", month))
    if timeline.later:
        rows.append(Row("later"))
    if not any(m.tasks for m in timeline.months) and not timeline.earlier and not timeline.later:
        rows.append(Row("empty"))
    return rows


def status_cell(task: Task, today: date) -> tuple[str, str]:
    """A short status for the task line, and its style: done, late, cancelled or the open status."""
    if task.status == TaskStatus.DONE:
        if model.done_on_time(task) is False:
            return _("✓ done late"), "$warning"
        return _("✓ done"), "$success"
    if task.status == TaskStatus.CANCELLED:
        return _("✗ cancelled"), "$text-muted"
    if model.is_overdue(task, today) and task.deadline is not None:
        return "! " + short_relative(task.deadline, today), "bold $error"
    if task.status == TaskStatus.BLOCKED:
        return _("blocked"), "$warning"
    return str(task.status), ""


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
    status = max([11] + [cell_len(status_cell(t, today)[0]) for t in tasks])
    return LineLayout(width=width, ref=min(ref, 24), lead=lead, status=status)


def task_line(task: Task, today: date, layout: LineLayout, show_plan: bool) -> Content:
    status, status_style = status_cell(task, today)
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
        return Content.assemble(("   … " + _("{n} more in {month}: enter lists them").format(
            n=hidden, month=row.month.label), "italic"))
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

    def render(self) -> Content:
        timeline = self.timeline
        if timeline is None:
            return Content("")
        cell = self.cell_width()
        today = timeline.today
        total = cell * len(timeline.months)
        years = [" "] * total
        names: list[tuple[str, str]] = []
        counts: list[tuple[str, str]] = []

        def put(text: str, at: int) -> bool:
            if at < 0 or at + len(text) > total or any(c != " " for c in years[at:at + len(text)]):
                return False
            years[at:at + len(text)] = list(text)
            return True

        for i, month in enumerate(timeline.months):
            if i == 0 or month.start.month == 1:
                put(str(month.start.year), i * cell)
        for i, month in enumerate(timeline.months):
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
        index = (event.x - self.styles.padding.left) // self.cell_width()
        if 0 <= index < len(self.timeline.months):
            self.post_message(self.Picked(self.timeline.months[index].start))


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
            Option(self._render_row(row, width), id=row.id, disabled=row.kind in ("today", "empty")
                   or (row.kind == "month" and row.month is not None and not row.month.tasks))
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


# --- the screen ----------------------------------------------------------------------------


class TimelineScreen(Screen):
    """Deadlines by month across 18 months, today marked; enter opens a task or a month."""

    HELP_TITLE = _("Timeline")
    AUTO_FOCUS = "#timeline-list"

    DEFAULT_CSS = """
    TimelineScreen #timeline-bar {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    TimelineScreen #timeline-bar Label {
        width: auto;
        padding-right: 1;
        text-style: bold;
    }
    TimelineScreen #timeline-window {
        width: auto;
        padding-left: 2;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("left_square_bracket", "shift(-3)", _("Earlier"), key_display="[",
                tooltip=_("Move the window three months back")),
        Binding("right_square_bracket", "shift(3)", _("Later"), key_display="]",
                tooltip=_("Move the window three months on")),
        Binding("t", "today", _("Today"), tooltip=_("Back to today's month")),
        Binding("p", "next_plan", _("Next plan"), tooltip=_("All plans, then each plan in turn")),
        Binding("left", "month(-1)", _("Previous month"), show=False),
        Binding("right", "month(1)", _("Next month"), show=False),
        Binding("r", "reload", _("Reload"), show=False),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.start: date | None = None
        self.timeline: Timeline | None = None
        self._loaded: tuple[str, date, tuple[str, ...]] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="timeline-bar"):
            yield Label(_("Plan"))
            yield PlanPicker(self.app.store.list_plans(), id="timeline-plan")
            yield Static(id="timeline-window")
        yield MonthStrip(id="timeline-strip")
        yield TimelineList(id="timeline-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.watch(self.app, "data_version", self._data_changed, init=False)
        self.start = default_start(self.app.today)
        self.reload()
        self.call_after_refresh(self.action_today)

    def on_screen_resume(self) -> None:
        if self._loaded != self._freshness():
            self.reload()

    # --- data ----------------------------------------------------------------------------

    @property
    def picker(self) -> PlanPicker:
        return self.query_one("#timeline-plan", PlanPicker)

    @property
    def month_list(self) -> TimelineList:
        return self.query_one("#timeline-list", TimelineList)

    @property
    def plans(self) -> list[str]:
        """The plans shown ([] = every plan)."""
        return self.picker.plans

    def _freshness(self) -> tuple[str, date, tuple[str, ...]]:
        """What the shown figures depend on: the data, the day and the plans."""
        return self.app.store.data_stamp(), self.app.today, tuple(self.plans)

    def _data_changed(self, _version: int) -> None:
        self.picker.set_plans(self.app.store.list_plans())
        if self.is_current:
            self.reload()
        # else: on_screen_resume reloads when the user comes back

    def reload(self) -> None:
        """Read the window again from the store and redraw, keeping the cursor where it was."""
        today = self.app.today
        self._loaded = self._freshness()
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
                return task_line(row.task, today, layout_cache[width], show_plan)
            if row.kind == "today":
                return today_line(today, width)
            return outside_line(row, timeline).truncate(width, ellipsis=True)

        listing = self.month_list
        keep = listing.highlighted_option.id if listing.highlighted_option else None
        listing.show_rows(timeline_rows(timeline), render_row, keep=keep)
        self.query_one("#timeline-strip", MonthStrip).show(timeline)
        self.query_one("#timeline-window", Static).update(
            f"{month_label(timeline.start)} – {month_label(add_months(timeline.end, -1))}")

    def row_texts(self) -> list[str]:
        """The plain text of every line of the month list (for tests and debugging)."""
        return [str(getattr(o.prompt, "plain", o.prompt)) for o in self.month_list.options]

    # --- events and actions --------------------------------------------------------------

    def _plan_arg(self) -> str:
        return self.plans[0] if self.plans else ""

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = self.month_list.rows[event.option_index]
        timeline = self.timeline
        if row.kind == "task" and row.task is not None:
            self.app.show_tasks(task_ref=row.task.ref)
        elif row.kind in ("month", "more") and row.month is not None:
            self.app.show_tasks(query=f"due>={row.month.start.isoformat()} due<{row.month.end.isoformat()}",
                                plan=self._plan_arg())
        elif row.kind == "earlier" and timeline is not None:
            self.app.show_tasks(query=f"due<{timeline.start.isoformat()}", plan=self._plan_arg())
        elif row.kind == "later" and timeline is not None:
            self.app.show_tasks(query=f"due>={timeline.end.isoformat()}", plan=self._plan_arg())

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self._loaded is None or self._loaded[2] != tuple(self.plans):
            self.reload()

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

    def action_next_plan(self) -> None:
        self.picker.cycle()

    def action_reload(self) -> None:
        self.picker.set_plans(self.app.store.list_plans())
        self.reload()
