"""The quarterly report as a Word document (python-docx), laid out as administrative documents are.

A4, Times New Roman 14 pt (13 pt in tables), numbered headings; the title block and
the summary on portrait pages, the task and KPI tables on landscape pages.  Every
table is a real table whose header row repeats at the top of each page (``w:tblHeader``).
Long tables are written as XML text and parsed at once: python-docx's own ``add_row``
and ``cells`` take minutes on 10,000 rows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from actionplan.core.i18n import _
from actionplan.digest.report_data import Report, TaskLine
from actionplan.digest.report_rows import (
    Value,
    day,
    deadline_cell,
    kpi_headers,
    kpi_row,
    move_text,
    note_text,
    number,
    summary_headers,
    summary_row,
    title_lines,
    xml_safe,
)

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 13


def render_report_docx(report: Report) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = docx.Document()
    _styles(doc, Pt)
    section = doc.sections[0]
    _page(section, Mm, landscape=False, orient=WD_ORIENT)

    for text in (report.committee.upper(), report.plan.reference):
        if text:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(xml_safe(text)).bold = True
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(xml_safe(_("QUARTERLY REPORT") + f" {report.period.label}"))
    run.bold = True
    run.font.size = Pt(BODY_PT + 2)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(xml_safe(report.plan.title)).italic = True
    for label, value in title_lines(report):
        p = doc.add_paragraph()
        p.add_run(xml_safe(label) + ": ").bold = True
        p.add_run(xml_safe(value))

    doc.add_heading(_("1. Summary by lead agency"), level=1)
    if report.agencies:
        summary = [summary_row(s.figures) for s in report.agencies] + [summary_row(report.totals)]
        _table(doc, summary_headers(), [[_text(c) for c in r] for r in summary], widths=[60] + [15] * 7, mm=Mm)
    else:
        doc.add_paragraph(_("No task in this report."))
    if report.cancelled:
        doc.add_paragraph(_("Cancelled tasks, not counted:") + f" {report.cancelled}.")

    wide = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(wide, Mm, landscape=True, orient=WD_ORIENT)
    doc.add_heading(_("2. Tasks by lead agency"), level=1)
    headers = [
        _("Key"),
        _("Task, coordinating agencies, expected output"),
        _("Deadline: baseline → current → completed"),
        _("Status"),
        _("Progress %"),
        _("Last progress note"),
        _("Deadline changes: date, who, why"),
    ]
    for n, s in enumerate(report.agencies, 1):
        doc.add_heading(xml_safe(f"2.{n}. {s.org.key} — {s.org.name}"), level=2)
        _table(doc, headers, [_task_cells(line) for line in s.tasks], widths=[12, 68, 36, 24, 16, 42, 54], mm=Mm)

    doc.add_heading(_("3. KPI targets"), level=1)
    if report.kpis:
        kpi_cells = [[_text(c) for c in kpi_row(k)] for k in report.kpis]
        _table(doc, kpi_headers(), kpi_cells, widths=[12, 70, 60, 20, 22, 22, 22, 24], mm=Mm)
    else:
        doc.add_paragraph(_("No task of this report carries a KPI."))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _text(value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return number(value)
    if hasattr(value, "isoformat"):
        return day(value)  # type: ignore[arg-type]
    return str(value)


def _task_cells(line: TaskLine) -> list[str]:
    t = line.task
    what = [f"{t.title}"]
    if line.coordinating:
        what.append(_("Coordinating:") + " " + "; ".join(line.coordinating))
    if t.output:
        what.append(_("Output:") + " " + t.output)
    return [
        t.key,
        "\n".join(what),
        deadline_cell(line),
        line.status_text,
        str(100 if t.status == "done" else t.progress),
        note_text(line.last_note),
        "\n".join(move_text(m) for m in line.moves),
    ]


def _styles(doc: Any, pt: Any) -> None:
    """Times New Roman everywhere (also for the East Asian and complex-script slots Word falls back to)."""
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    for name, size in (("Normal", BODY_PT), ("Heading 1", BODY_PT), ("Heading 2", BODY_PT), ("Title", BODY_PT + 2)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = pt(size)
        if name.startswith("Heading"):
            style.font.bold = True
            style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(slot), FONT)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)


def _page(section: Any, mm: Any, *, landscape: bool, orient: Any) -> None:
    """A4; margins of administrative documents (top and bottom 20 mm, left 30 mm, right 15 mm)."""
    short, long = mm(210), mm(297)
    section.orientation = orient.LANDSCAPE if landscape else orient.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = section.bottom_margin = mm(20)
    section.left_margin, section.right_margin = mm(30), mm(15)


def _table(doc: Any, headers: Sequence[str], rows: Sequence[Sequence[str]], *, widths: Sequence[int], mm: Any) -> None:
    """A grid table: the header row bold and repeated on every page, then one row per item."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = mm(width)  # the grid: LibreOffice lays the table out by it, Word by the cells
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text, width in zip(header.cells, headers, widths):
        cell.width = mm(width)
        run = cell.paragraphs[0].add_run(xml_safe(text))
        run.bold = True
        run.font.size = Pt(TABLE_PT)
    if not rows:
        return
    # The body rows are written as XML text and parsed at once: building them element by
    # element (python-docx's add_row and cells) takes minutes on 10,000 rows.
    from docx.oxml.parser import parse_xml

    twips = [int(mm(w).twips) for w in widths]
    size = f'<w:rPr><w:sz w:val="{TABLE_PT * 2}"/><w:szCs w:val="{TABLE_PT * 2}"/></w:rPr>'
    body = "".join(_row_xml(values, twips, size) for values in rows)
    parsed = parse_xml(f'<w:tbl xmlns:w="{_W}">{body}</w:tbl>')
    table._tbl.extend(list(parsed))


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _row_xml(values: Sequence[str], twips: Sequence[int], size: str) -> str:
    """One table row kept whole on a page; each cell one paragraph per line of its text."""
    cells = []
    for value, width in zip(values, twips):
        lines = xml_safe(value).split("\n") if value else [""]
        paragraphs = "".join(
            f'<w:p><w:r>{size}<w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for line in lines
        )
        cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraphs}</w:tc>')
    return "<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cells) + "</w:tr>"
