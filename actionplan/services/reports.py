"""The quarterly report's file rules: which formats, the format a file name asks for, the default
period, and writing a file whole.  Building and rendering the report is the digest layer's
(:mod:`actionplan.digest.report`), which every front end calls.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from actionplan.core.errors import ValidationError
from actionplan.core.i18n import _

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


def write_bytes(target: Path, data: bytes) -> None:
    """Write the file whole, as every output is written (:mod:`actionplan.services.output`)."""
    from actionplan.services import output

    output.write_bytes(target, data)
