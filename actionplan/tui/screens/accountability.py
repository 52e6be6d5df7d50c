"""Accountability board: how each lead agency is doing on the tasks it leads.

One row per lead org (``store.accountability``, the figures of
``core.accountability``, the worst first, the same the digest shows): tasks led,
deliveries, on time % against the committed deadline, open, overdue, the average
days late of open tasks and of late deliveries, and cancelled tasks.  Enter or a click on a row opens the tasks that org leads;
``c`` the tasks it coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Header, Label, Static

from actionplan.core.accountability import AgencyFigures, average_text, percent_text
from actionplan.core.i18n import _, pgettext
from actionplan.tui.screens.plan_board import PlanBoardScreen
from actionplan.tui.widgets.footer import FittingFooter
from actionplan.tui.widgets.plan_picker import PlanPicker
from actionplan.tui.widgets.tables import RowTable

#: (column key, header, width) of the figure columns; the Agency column takes the rest.
_FIGURE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("assigned", pgettext("column", "Led"), 3),
    ("done", pgettext("column", "Done"), 4),
    ("on_time", pgettext("column", "On time"), 7),
    ("open", pgettext("column", "Open"), 4),
    ("overdue", pgettext("column", "Overdue"), 7),
    ("late", pgettext("column", "Late open"), 9),
    ("late_done", pgettext("column", "Late done"), 9),
    ("cancelled", pgettext("column", "Cancelled"), 9),
)
#: Each column at least as wide as its (translated) heading.
FIGURE_COLUMNS = tuple((key, header, max(width, len(header))) for key, header, width in _FIGURE_COLUMNS)
AGENCY_MIN_WIDTH = 10
CELL_PADDING = 1  # DataTable default: one cell of padding each side

#: Sort orders offered by ``s`` (and by clicking a column header): name, key function.
SORTS: dict[str, tuple[str, Callable[[AgencyFigures], Any] | None]] = {
    "worst": (_("worst first"), None),  # the store's order (agency_rank)
    "agency": (_("agency"), lambda s: s.org),
    "assigned": (_("most led"), lambda s: (-s.assigned, s.org)),
    "done": (_("most delivered"), lambda s: (-s.delivered, s.org)),
    "on_time": (
        _("lowest on time %"),
        lambda s: (s.on_time_pct if s.on_time_pct is not None else 101.0, s.org),
    ),
    "open": (_("most open"), lambda s: (-s.open, s.org)),
    "overdue": (_("most overdue"), lambda s: (-s.overdue, -(s.avg_late_open or 0.0), s.org)),
    "late": (_("most days late, open"), lambda s: (-(s.avg_late_open or 0.0), s.org)),
    "late_done": (_("most days late, done"), lambda s: (-(s.avg_late_done or 0.0), s.org)),
    "cancelled": (_("most cancelled"), lambda s: (-s.cancelled, s.org)),
}


def agency_cell(score: AgencyFigures, width: int) -> Text:
    """Org key (always whole) then its name, the name cut first when space is short."""
    text = Text(score.org, style="bold")
    room = width - cell_len(score.org) - 1
    name = score.name if score.name != score.org else ""
    if name and room >= 2:
        text.append(" ")
        text.append(name if cell_len(name) <= room else set_cell_size(name, room - 1) + "…")
    return text


def figure_cells(score: AgencyFigures) -> list[str]:
    """The figures of one row as the digest writes them (same rounding, same "—")."""
    return [
        str(score.assigned),
        str(score.delivered),
        percent_text(score.on_time_pct),
        str(score.open),
        str(score.overdue),
        average_text(score.avg_late_open),
        average_text(score.avg_late_done),
        str(score.cancelled),
    ]


class AgencyTable(RowTable):
    """The board's table: one click on a row opens it (no second click needed)."""

    BINDINGS = [
        Binding("enter", "select_cursor", _("Tasks led"), tooltip=_("Open the tasks this agency leads")),
    ]

    async def _on_click(self, event: events.Click) -> None:
        # Runs before DataTable._on_click: put the cursor on the clicked cell first, so
        # DataTable treats the click as a click on the cursor and posts RowSelected.
        meta = event.style.meta
        row, column = meta.get("row"), meta.get("column")
        if isinstance(row, int) and isinstance(column, int) and row >= 0 and column >= 0:
            self.cursor_coordinate = Coordinate(row, column)


class AccountabilityScreen(PlanBoardScreen):
    """One row per lead agency, the worst first; drill down into its tasks."""

    HELP_TITLE = _("Agencies (accountability board)")
    AUTO_FOCUS = "#agencies-table"
    PICKER_ID = "agencies-plan"

    DEFAULT_CSS = """
    AccountabilityScreen #agencies-table {
        height: 1fr;
    }
    AccountabilityScreen #agencies-summary {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("c", "coordinated", _("Coordinated"), tooltip=_("Tasks this agency coordinates")),
        Binding("p", "next_plan", _("Plan"), tooltip=_("All plans, or one plan from the list")),
        Binding("s", "next_sort", _("Sort"), tooltip=_("Worst first, agency, assigned, ... (or click a header)")),
        Binding("r", "reload", _("Reload"), show=False),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name, id, classes)
        self.scores: list[AgencyFigures] = []
        self.sort = "worst"

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="agencies-bar", classes="board-bar"):
            yield Label(_("Plan"))
            yield PlanPicker(self.app.store.list_plans(), id="agencies-plan")
            yield Static(id="agencies-sort", classes="board-bar-note")
        yield AgencyTable(id="agencies-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="agencies-summary")
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        self.follow_data()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        self._fill_table(event.size.width, event.size.height)

    # --- data ----------------------------------------------------------------------------

    @property
    def table(self) -> AgencyTable:
        return self.query_one("#agencies-table", AgencyTable)

    def read_and_draw(self) -> None:
        """Read the scores again from the store and redraw."""
        self.scores = self.app.store.accountability(self.app.today, plans=self.plans)
        self._fill_table()

    def sorted_scores(self) -> list[AgencyFigures]:
        """The scores in the chosen order (the store's worst-first order by default)."""
        key = SORTS[self.sort][1]
        return list(self.scores) if key is None else sorted(self.scores, key=key)

    def _agency_width(self, width: int, height: int) -> int:
        """What is left for the Agency column once the figures have their room."""
        figures = sum(w for _k, _h, w in FIGURE_COLUMNS)
        padding = 2 * CELL_PADDING * (len(FIGURE_COLUMNS) + 1)
        rows_visible = height - 6  # header, plan bar, table header, summary (2), footer
        scrollbar = 2 if len(self.scores) > rows_visible else 0
        return max(AGENCY_MIN_WIDTH, width - figures - padding - scrollbar)

    def _fill_table(self, width: int = 0, height: int = 0) -> None:
        table = self.table
        current = self.current_org()
        agency_width = self._agency_width(width or self.size.width or 80, height or self.size.height or 24)
        table.clear(columns=True)
        table.add_column(_("Agency"), key="agency", width=agency_width)
        for key, header, width in FIGURE_COLUMNS:
            table.add_column(Text(header, justify="right"), key=key, width=width)
        error = self.app.theme_variables.get("error", "red")
        for score in self.sorted_scores():
            late = score.overdue > 0
            agency = agency_cell(score, agency_width)
            if late:
                agency.stylize(f"bold {error}", 0, len(score.org))
            cells = [Text(c, justify="right") for c in figure_cells(score)]
            cells[4].stylize(f"bold reverse {error}" if late else "dim")
            if late:
                cells[5].stylize(error)
            table.add_row(agency, *cells, key=score.org)
        if current is not None and current in {s.org for s in self.scores}:
            table.move_cursor(row=table.get_row_index(current))
        self._summarise()

    def _summarise(self) -> None:
        scores = self.scores
        assigned = sum(s.assigned for s in scores)
        done = sum(s.delivered for s in scores)
        judged, on_time = sum(s.judged for s in scores), sum(s.on_time for s in scores)
        judged_now, on_time_now = sum(s.judged_now for s in scores), sum(s.on_time_now for s in scores)
        overdue = sum(s.overdue for s in scores)
        lagging = sum(1 for s in scores if s.overdue)
        if not scores:
            self.query_one("#agencies-summary", Static).update(
                _("No tasks here yet: import a plan file (ctrl+p, Import) or pick another plan (p).")
            )
            return
        line = Text(f"{len(scores)} " + _("agencies") + f" · {assigned} " + _("tasks") + f" · {done} " + _("done"))
        if judged:
            line.append(f", {percent_text(100.0 * on_time / judged)} " + _("on time"))
        if judged_now:
            line.append(
                f" ({percent_text(100.0 * on_time_now / judged_now)} " + _("against the current deadline") + ")"
            )
        line.append(" · ")
        late_text = f"{overdue} " + _("overdue")
        if lagging:
            late_text += f" ({lagging} " + _("agencies") + ")"
        line.append(late_text, style="bold" if overdue else "")
        line.append(
            "\n" + _("All time, against the committed deadline. Late open / done: average days late."),
            style="dim",
        )
        self.query_one("#agencies-summary", Static).update(line)
        self.query_one("#agencies-sort", Static).update(_("sorted") + ": " + SORTS[self.sort][0])

    def current_org(self) -> str | None:
        """Key of the agency under the cursor (None on an empty board)."""
        table = self.table
        if not table.row_count:
            return None
        row = min(max(table.cursor_row, 0), table.row_count - 1)
        return str(table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value)

    # --- actions -------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.app.show_tasks(query=f"lead:{event.row_key.value}", plan=self.plan_arg())

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        self.sort = "worst" if self.sort == key or key not in SORTS else key
        self._fill_table()

    def action_coordinated(self) -> None:
        org = self.current_org()
        if org:
            self.app.show_tasks(query=f"coord:{org}", plan=self.plan_arg())

    def action_next_sort(self) -> None:
        names = list(SORTS)
        self.sort = names[(names.index(self.sort) + 1) % len(names)]
        self._fill_table()

    def visible_rows(self) -> list[list[str]]:
        """The board as the plain text of its cells, row by row (for tests and debugging)."""
        table = self.table
        return [[getattr(cell, "plain", str(cell)) for cell in table.get_row_at(i)] for i in range(table.row_count)]
