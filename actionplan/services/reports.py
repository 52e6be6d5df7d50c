"""The quarterly report: build it for a plan and a period, render it as DOCX, XLSX or Markdown, save it.

Every front end (the ``report`` command, the UI's palette and digest preview) saves
reports through :func:`save_report`, so they write the same file for the same options.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from actionplan.core.errors import ValidationError
from actionplan.core.i18n import _
from actionplan.digest.report_data import Report, ReportOptions, build_report
from actionplan.store import Store

FORMATS = ("docx", "xlsx", "md")
_SUFFIXES = {".docx": "docx", ".xlsx": "xlsx", ".md": "md", ".markdown": "md"}


def current_quarter(today: date) -> str:
    """The quarter *today* falls in, as the report's --period writes it (2026-Q4)."""
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The format asked for, else the one the file name ends with; a clear error otherwise."""
    if fmt:
        if fmt not in FORMATS:
            raise ValidationError(_("the report's format is one of") + " " + ", ".join(FORMATS), "--format")
        return fmt
    found = _SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise ValidationError(
            f"{path}: " + _("name the format with --format, or end the file name with .docx, .xlsx or .md"), "--format"
        )
    return found


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


def write_bytes(target: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename it over *target*."""
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".actionplan-")
    except OSError as e:
        raise ValidationError(f"{target}: " + _("cannot write:") + f" {e.strerror or e}", "-o") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ValidationError(f"{target}: " + _("cannot write:") + f" {e.strerror or e}", "-o") from None
