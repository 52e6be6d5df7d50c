"""The report's tables as rows of values (dates as dates, numbers as numbers), shared by its renderers.

Each renderer (Markdown, DOCX, XLSX) lays out the same columns; the cell text is made
safe here for the XML formats (characters XML cannot hold are dropped).
"""

from __future__ import annotations

import re
from datetime import date

from actionplan.core.i18n import _
from actionplan.core.model import ProgressUpdate
from actionplan.digest.report_data import AgencyFigures, KPILine, Move, Report, TaskLine

Value = str | int | float | date | None

# Characters XML 1.0 cannot hold (DOCX and XLSX are XML): C0 controls but tab, newline and
# carriage return; lone surrogates; U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """*text* without the characters an XML file cannot hold."""
    return _XML_ILLEGAL.sub("", text) if _XML_ILLEGAL.search(text) else text


def day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def summary_headers() -> list[str]:
    return [
        _("Lead agency"),
        _("Tasks"),
        _("Done on time"),
        _("Done late"),
        _("Overdue"),
        _("At risk"),
        _("On track"),
        _("Not started"),
    ]


def summary_row(f: AgencyFigures) -> list[Value]:
    name = f"{f.org} — {f.name}" if f.org else f.name
    return [name, f.tasks, f.done_on_time, f.done_late, f.overdue, f.at_risk, f.on_track, f.not_started]


def task_headers() -> list[str]:
    return [
        _("Key"),
        _("Task"),
        _("Lead agency"),
        _("Coordinating agencies"),
        _("Expected output"),
        _("Baseline deadline"),
        _("Current deadline"),
        _("Completed on"),
        _("Status"),
        _("Progress %"),
        _("Last progress note"),
        _("Deadline changes"),
    ]


def task_row(line: TaskLine) -> list[Value]:
    t = line.task
    return [
        t.key,
        t.title,
        t.lead,
        "; ".join(line.coordinating),
        t.output,
        line.baseline_deadline if line.in_baseline else None,
        t.deadline,
        t.completed_on if t.status == "done" else None,
        line.status_text,
        100 if t.status == "done" else t.progress,
        note_text(line.last_note),
        "\n".join(move_text(m) for m in line.moves),
    ]


def deadline_cell(line: TaskLine) -> str:
    """Baseline deadline → current deadline → completed on, in one line."""
    base = day(line.baseline_deadline) if line.in_baseline else _("not in the baseline")
    text = f"{base} → {day(line.task.deadline)}"
    if line.task.status == "done":
        text += " → " + _("done") + f" {day(line.task.completed_on)}"
    return text


def note_text(note: ProgressUpdate | None) -> str:
    if note is None:
        return ""
    return f"{note.on.isoformat()} ({note.author}): {note.text}"


def move_text(m: Move) -> str:
    """ "2026-11-20, secretary: 2026-09-30 → 2026-12-31 (+92 days) — reason"."""
    days = m.days
    shift = f" ({days:+d} " + _("days") + ")" if days else ""
    why = m.reason or (_("imported from a plan file") if m.action == "import" else _("no reason recorded"))
    return f"{m.on.isoformat()}, {m.by}: {day(m.old)} → {day(m.new)}{shift} — {why}"


def move_headers() -> list[str]:
    return [
        _("Key"),
        _("Task"),
        _("Lead agency"),
        _("Changed on"),
        _("By"),
        _("From"),
        _("To"),
        _("Days"),
        _("Reason"),
    ]


def move_rows(report: Report) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for section in report.agencies:
        for line in section.tasks:
            for m in line.moves:
                why = m.reason or (_("imported from a plan file") if m.action == "import" else "")
                rows.append([line.task.key, line.task.title, line.task.lead, m.on, m.by, m.old, m.new, m.days, why])
    return rows


def kpi_headers() -> list[str]:
    return [
        _("Key"),
        _("Task"),
        _("Indicator"),
        _("Unit"),
        _("Baseline"),
        _("Target"),
        _("Current"),
        _("Share of the way %"),
    ]


def kpi_row(k: KPILine) -> list[Value]:
    share = None if k.share is None else round(100 * k.share)
    return [k.task.key, k.task.title, k.kpi.metric, k.kpi.unit, k.kpi.baseline, k.kpi.target, k.kpi.current, share]


def title_lines(report: Report) -> list[tuple[str, str]]:
    """The title block as (label, value) pairs."""
    plan = report.plan
    lines = [
        (_("Committee"), report.committee or "—"),
        (_("Plan"), f"{plan.reference} — {plan.title}" if plan.reference else plan.title),
        (_("Period"), f"{report.period.label} ({report.period.first.isoformat()} – {report.period.last.isoformat()})"),
        (_("As of"), report.as_of.isoformat()),
        (_("Baseline"), report.baseline_label),
    ]
    if report.lead:
        lines.append((_("Lead agency"), f"{report.lead.key} — {report.lead.name}"))
    return lines


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"
