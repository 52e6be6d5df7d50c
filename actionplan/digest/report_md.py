"""The quarterly report in Markdown, for email and git: tables for the figures, a list per agency."""

from __future__ import annotations

from collections.abc import Sequence

from actionplan.core.i18n import _
from actionplan.digest.render import md
from actionplan.digest.report_data import Report, TaskLine
from actionplan.digest.report_rows import (
    Value,
    deadline_cell,
    kpi_headers,
    kpi_row,
    move_text,
    note_text,
    number,
    summary_headers,
    summary_row,
    title_lines,
)


def _cell(value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return number(value)
    return md(str(value))


def _table(headers: Sequence[str], rows: Sequence[Sequence[Value]]) -> list[str]:
    out = ["| " + " | ".join(md(h) for h in headers) + " |", "|" + "|".join(" --- " for _h in headers) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _task_block(line: TaskLine) -> list[str]:
    t = line.task
    out = [f"- **{md(t.key)} {md(t.title)}** — {md(line.status_text)}"]
    if line.coordinating:
        out.append("  - " + _("Coordinating agencies") + ": " + md("; ".join(line.coordinating)))
    if t.output:
        out.append("  - " + _("Expected output") + ": " + md(t.output))
    out.append("  - " + _("Deadline (baseline → current → completed)") + ": " + md(deadline_cell(line)))
    out.append("  - " + _("Progress") + f": {100 if t.status == 'done' else t.progress} %")
    if line.last_note:
        out.append("  - " + _("Last progress note") + ": " + md(note_text(line.last_note)))
    if line.moves:
        out.append("  - " + _("Deadline changes") + ":")
        out += ["    - " + md(move_text(m)) for m in line.moves]
    return out


def render_report_markdown(report: Report) -> str:
    out = ["# " + md(_("Quarterly report") + f" {report.period.label}: {report.plan.title}"), ""]
    out += [f"- **{md(label)}**: {md(value)}" for label, value in title_lines(report)]
    out += ["", "## 1. " + _("Summary by lead agency"), ""]
    if report.agencies:
        rows = [summary_row(s.figures) for s in report.agencies] + [summary_row(report.totals)]
        out += _table(summary_headers(), rows)
    else:
        out.append(_("No task in this report."))
    if report.cancelled:
        out += ["", _("Cancelled tasks, not counted:") + f" {report.cancelled}."]
    out += ["", "## 2. " + _("Tasks by lead agency")]
    for n, section in enumerate(report.agencies, 1):
        out += ["", f"### 2.{n}. {md(section.org.key)} — {md(section.org.name)}", ""]
        for line in section.tasks:
            out += _task_block(line)
    out += ["", "## 3. " + _("KPI targets"), ""]
    if report.kpis:
        out += _table(kpi_headers(), [kpi_row(k) for k in report.kpis])
    else:
        out.append(_("No task of this report carries a KPI."))
    return "\n".join(out) + "\n"
