"""The quarterly report as a workbook (openpyxl): one sheet per section.

Dates are real dates and counts real numbers, each sheet's header row is frozen and
filtered, and column widths fit their contents.  Text from users stays text: a cell
that starts like a formula (``=``, ``+``, ``-``, ``@``) is written as a string with
Excel's quote prefix, so no spreadsheet evaluates it, and characters XML cannot hold
are dropped.  The sheets are streamed (openpyxl's write-only mode) for speed.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from actionplan.core.i18n import _
from actionplan.digest.report_data import Report
from actionplan.digest.report_rows import (
    Value,
    kpi_headers,
    kpi_row,
    move_headers,
    move_rows,
    summary_headers,
    summary_row,
    task_headers,
    task_row,
    title_lines,
    xml_safe,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
LINE_HEIGHT = 15  # points: one line of the default 11 pt font


def render_report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    title = [[label, value] for label, value in title_lines(report)]
    _sheet(wb, _("Report"), [_("Item"), _("Value")], title)
    summary = [summary_row(s.figures) for s in report.agencies] + [summary_row(report.totals)]
    _sheet(wb, _("Summary"), summary_headers(), summary)
    tasks = [task_row(line) for s in report.agencies for line in s.tasks]
    _sheet(wb, _("Tasks"), task_headers(), tasks)
    _sheet(wb, _("Deadline changes"), move_headers(), move_rows(report))
    _sheet(wb, _("KPIs"), kpi_headers(), [kpi_row(k) for k in report.kpis])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet(wb: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[Value]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(xml_safe(title)[:31])
    widths = _widths(headers, rows)
    for n, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    bold = Font(bold=True)
    head = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=xml_safe(h))
        cell.font = bold
        head.append(cell)
    ws.append(head)
    # Styling a cell goes through openpyxl's style registry (most of the time on 10,000 rows):
    # the wrapped cells copy the style array of one styled cell instead.
    wrapped = WriteOnlyCell(ws, value="")
    wrapped.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = [w >= MAX_WIDTH for w in widths]
    for row_number, values in enumerate(rows, 2):
        lines = max((_lines(v, widths[n]) for n, v in enumerate(values) if wrap[n]), default=1)
        if lines > 1:  # spreadsheets do not grow a row for wrapped text on their own when printing
            ws.row_dimensions[row_number].height = LINE_HEIGHT * lines
        line: list[Any] = []
        for n, value in enumerate(values):
            if isinstance(value, str):
                value = xml_safe(value)
                if wrap[n] or value.startswith(FORMULA_START):
                    value = _text_cell(ws, value, wrapped if wrap[n] else None, WriteOnlyCell)
            line.append(value)  # numbers, and dates (openpyxl gives them a date format)
        ws.append(line)


def _text_cell(ws: Any, text: str, styled: Any, make: Any) -> Any:
    """A cell that holds *text* as text even when it looks like a formula."""
    cell = make(ws, value=None)
    if styled is not None:
        cell._style = copy.copy(styled._style)
    cell.value = text
    cell.data_type = "s"  # openpyxl would take "=..." for a formula
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True  # and a spreadsheet would, on editing the cell
    return cell


def _lines(value: Value, width: float) -> int:
    """About how many lines *value* takes wrapped in a column *width* characters wide."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(1, int(width) - 2)
    return sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Value]]) -> list[float]:
    """Each column as wide as its longest line (dates 11), within 6..MAX_WIDTH characters."""
    widths = [float(len(h)) + 2 for h in headers]
    for values in rows:
        for n, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, date):
                size = 10
            elif isinstance(value, str):
                size = max((len(part) for part in value.split("\n")), default=0)
            else:
                size = len(str(value))
            if size + 2 > widths[n]:
                widths[n] = size + 2
    return [max(6.0, min(float(MAX_WIDTH), w)) for w in widths]
