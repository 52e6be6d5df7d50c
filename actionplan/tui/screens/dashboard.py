"""Dashboard: every plan with its progress and counts, and the next deadlines."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from actionplan.core import model
from actionplan.core.dates import short_relative
from actionplan.core.i18n import _, language, pgettext
from actionplan.core.l10n import iso_or_day
from actionplan.core.model import status_label
from actionplan.core.query import TaskFilter
from actionplan.tui.base import ActionPlanScreen
from actionplan.tui.widgets.footer import FittingFooter
from actionplan.tui.widgets.tables import RowTable
from actionplan.tui.widgets.task_detail import progress_bar

UPCOMING_LIMIT = 60


class DashboardScreen(ActionPlanScreen[None]):
    """Plans with progress bars and counts; overdue and upcoming deadlines across plans."""

    BINDINGS = [
        Binding("enter", "open", _("Open"), show=False),
        Binding("tab", "focus_next", _("Next pane"), show=False),
        Binding("o", "overdue", _("Overdue tasks")),
        Binding("q", "app.quit_app", _("Quit"), show=False),
        Binding("r", "reload", _("Reload"), show=False),
        Binding("j", "cursor('down')", _("Down"), show=False),
        Binding("k", "cursor('up')", _("Up"), show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dash"):
            yield Static(id="headline")
            yield OptionList(id="plans")
            yield Static(_("Overdue first, then the next deadlines"), classes="section-title")
            yield RowTable(id="upcoming", cursor_type="row", zebra_stripes=True)
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        self._stamp: tuple | None = None
        self._tasks: list = []
        self._width = 0
        self._totals = (0, 0, 0, 0)
        self._summaries: list = []
        self._columns()
        self.watch(self.app, "data_version", self._data_changed, init=False)
        self.reload()
        self.query_one("#plans", OptionList).focus()

    def _data_changed(self, _version: int) -> None:
        if self.is_current:  # else on_screen_resume reloads when the user comes back
            self.reload()

    def on_screen_resume(self) -> None:
        # coming back: read again only if the database (or the day) changed meanwhile
        if self._stamp != (self.app.store.data_stamp(), self.app.today):
            self.reload()

    def on_resize(self) -> None:
        if self.size.width != self._width:  # new column widths; the rows are redrawn, not read again
            self._columns()
            self._fill_upcoming()
            self._fill_plans()
            self._show_headline()

    def _columns(self) -> None:
        """Columns sized to the screen so deadlines are never cut off."""
        table = self.query_one("#upcoming", DataTable)
        width = self._width = self.size.width or 80
        ref_w = max([len(p.key) for p in self.app.store.list_plans()] + [8]) + 5
        due_w = 12 if language() == "vi" else 9  # "còn 35 ngày" / "35d left"
        lead, lead_w = pgettext("column", "Lead"), max(6, len(pgettext("column", "Lead")))
        fixed = 10 + due_w + ref_w + lead_w + 2 * 6 + 4
        table.clear(columns=True)
        table.add_column(pgettext("column", "Deadline"), key="deadline", width=10)
        table.add_column(pgettext("column", "Due"), key="due", width=due_w)
        table.add_column(pgettext("column", "Task"), key="task", width=ref_w)
        table.add_column(lead, key="lead", width=lead_w)
        table.add_column(pgettext("column", "Title"), key="title", width=max(12, width - fixed))

    def reload(self, *_args: object) -> None:
        store = self.app.store
        today = self.app.today
        self._stamp = (store.data_stamp(), today)
        self._summaries = store.plan_summaries(today)
        self._fill_plans()
        self._totals = (
            len(self._summaries),
            sum(s.open for s in self._summaries),
            sum(s.overdue for s in self._summaries),
            sum(s.due_soon for s in self._summaries),
        )
        self._show_headline()

        overdue = store.list_tasks(TaskFilter(overdue=True), today=today, limit=UPCOMING_LIMIT)
        upcoming = store.list_tasks(
            TaskFilter(open_only=True, due_after=today - _one_day()),
            today=today,
            limit=max(10, UPCOMING_LIMIT - len(overdue)),
        )
        self._tasks = overdue + upcoming
        self._fill_upcoming()

    def _fill_plans(self) -> None:
        """One card per plan (from what reload() read), its figures fitted to the width."""
        plans = self.query_one("#plans", OptionList)
        highlighted = plans.highlighted
        plans.clear_options()
        width = plans.scrollable_content_region.width or (self.size.width or 80) - 4
        for s in self._summaries:
            line = Text(f"{s.plan.key}", style="bold")
            if s.plan.reference:
                line.append(f"  {s.plan.reference}", style="dim")
            line.append(f"  [{status_label(s.plan.status)}]", style="dim")
            line.append("\n")
            line.append(s.plan.title[:120])
            line.append("\n")
            bar = progress_bar(s.progress, 20).append(f" {s.progress:3.0f}%")
            line.append_text(bar)
            figures = [
                (f"{s.open} " + _("open"), ""),
                (f"{s.overdue} " + _("overdue"), "bold red" if s.overdue else "dim"),
                (f"{s.due_soon} " + _("due in 14 d"), "yellow" if s.due_soon else "dim"),
                (f"{s.done} " + _("done"), "green"),
            ]
            line.append_text(_between_figures(figures, width - bar.cell_len, width))
            plans.add_option(Option(line, id=s.plan.key))
        if not self._summaries:
            plans.add_option(
                Option(Text(_("No plans yet: import a plan file (ctrl+p, Import)."), style="dim"), disabled=True)
            )
        else:
            plans.highlighted = min(highlighted or 0, len(self._summaries) - 1)

    def _show_headline(self) -> None:
        """The day and the totals; shorter words when the full line would not fit the width."""
        plans, total_open, total_overdue, total_soon = self._totals
        for long_form in (True, False):
            headline = Text(_("Today") + f" {iso_or_day(self.app.today)}   " if long_form else "", style="bold")
            headline.append(f"{plans} " + _("plans") + f" · {total_open} " + _("open") + " · ")
            headline.append(f"{total_overdue} " + _("overdue"), style="bold red" if total_overdue else "")
            headline.append(" · ")
            soon = _("due within 14 days") if long_form else _("due in 14 d")
            headline.append(f"{total_soon} {soon}", style="yellow" if total_soon else "")
            if headline.cell_len <= (self.size.width or 80) - 2:
                break
        self.query_one("#headline", Static).update(headline)

    def _fill_upcoming(self) -> None:
        """Overdue first, then the next deadlines (from what reload() read)."""
        today = self.app.today
        table = self.query_one("#upcoming", DataTable)
        cursor = table.cursor_row
        table.clear()
        for task in self._tasks:
            late = model.is_overdue(task, today)
            style = "bold red" if late else ("yellow" if model.is_due_soon(task, today) else "")
            table.add_row(
                iso_or_day(task.deadline) if task.deadline else "—",
                Text(short_relative(task.deadline, today), style=style) if task.deadline else "",
                Text(task.ref),
                Text(task.lead),
                Text(task.title),  # Text, not str: a title is never read as markup
                key=task.ref,
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.show_tasks(plan=event.option.id, query="")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.show_tasks(task_ref=str(event.row_key.value))

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.row_count:
            key = focused.coordinate_to_cell_key(focused.cursor_coordinate).row_key
            self.app.show_tasks(task_ref=str(key.value))

    def action_cursor(self, direction: str) -> None:
        """j/k move like the arrow keys in the focused list."""
        widget = self.focused
        if widget is not None and hasattr(widget, f"action_cursor_{direction}"):
            getattr(widget, f"action_cursor_{direction}")()

    def action_overdue(self) -> None:
        self.app.show_tasks(query="overdue", plan="")

    def action_reload(self) -> None:
        self.reload()


def _one_day():
    from datetime import timedelta

    return timedelta(days=1)


def _between_figures(figures: list[tuple[str, str]], room: int, width: int) -> Text:
    """Figures two spaces apart, a line broken between two figures rather than inside one
    ("11 done" stays whole: a phrase cut in two reads as two figures, in Vietnamese more so)."""
    text = Text()
    for words, style in figures:
        piece = Text(words, style=style)
        if piece.cell_len + 2 > room:
            text.append("\n")
            room = width
        else:
            text.append("  ")
            room -= 2
        text.append_text(piece)
        room -= piece.cell_len
    return text
