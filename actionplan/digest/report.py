"""The quarterly report as a file: build it, render it as DOCX, XLSX or Markdown, write it whole.

Every front end (the ``report`` command, the UI's palette and digest preview) saves
reports through :func:`save_report`, so they write the same file for the same options.
python-docx and openpyxl are imported only when a file of their format is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from actionplan.digest.report_data import Report, ReportOptions, build_report
from actionplan.services.reports import format_for, write_bytes

if TYPE_CHECKING:  # pragma: no cover - typing only
    from actionplan.store import Store


def render_report(report: Report, fmt: str) -> bytes:
    """The report as the bytes of a file in *fmt* (docx, xlsx or md)."""
    if fmt == "docx":
        from actionplan.digest.report_docx import render_report_docx

        return render_report_docx(report)
    if fmt == "xlsx":
        from actionplan.digest.report_xlsx import render_report_xlsx

        return render_report_xlsx(report)
    from actionplan.digest.report_md import render_report_markdown

    return render_report_markdown(report).encode("utf-8")


def save_report(store: Store, options: ReportOptions, path: str | Path, fmt: str | None = None) -> Report:
    """Build the report and write it to *path* whole (a failed write leaves no half file)."""
    fmt = format_for(path, fmt)
    report = build_report(store, options)
    write_bytes(Path(path), render_report(report, fmt))
    return report
