"""The program's bounds on what it reads: numbers, date spans, filter size, plan files.

Each bound is far beyond any real plan and well inside what SQLite, the calendar code and
Python's parsers handle, so a value past it is a typing slip or a hostile file: it is
refused with a message that states the bound, before anything is written.
"""

from __future__ import annotations

import math

from actionplan.core.i18n import _

#: Largest magnitude of a KPI value (target, current, baseline): a thousand million million.
#: SQLite's integers stop at 9.2e18, and floats past 2**53 no longer hold every whole number.
MAX_NUMBER = 10**15
#: Most days ``soon:N`` / ``--soon N`` may look ahead (a hundred years).
MAX_SOON_DAYS = 36_500
#: Most terms one filter may have (SQLite refuses expressions past about 1,000 terms).
MAX_FILTER_TERMS = 200
#: Largest plan file read (the biggest real plan file is a few megabytes).
MAX_PLAN_FILE_BYTES = 50 * 1024 * 1024
#: Deepest nesting of arrays and tables in a plan file (a plan file needs three levels).
MAX_PLAN_NESTING = 50


def number_problem(value: float | int) -> str | None:
    """Why *value* cannot be a KPI value, or None when it can."""
    if isinstance(value, float) and not math.isfinite(value):
        return _("must be a finite number") + f", not {value}"
    if abs(value) > MAX_NUMBER:
        return _("must be between -{bound} and {bound}").format(bound=f"{MAX_NUMBER:.0e}".replace("e+", "e"))
    return None
