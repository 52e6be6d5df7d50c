"""Dates, numbers and agency names as a reader of the current language writes them.

English output keeps its own forms (``30 Apr 2026``, ``1,234``, the agency's key); Vietnamese
writes ``30/4/2026``, ``thứ Năm``, ``quý III/2026``, ``1.234`` and the agency's Vietnamese
short name (``Bộ Công an``).  Babel names the Vietnamese weekdays; it is imported only here
and only for Vietnamese, so English commands never pay for it.
"""

from __future__ import annotations

from datetime import date

from actionplan.core import i18n

__all__ = [
    "day",
    "day_with_weekday",
    "history_moment",
    "history_value",
    "iso_or_day",
    "is_vietnamese",
    "month",
    "number",
    "org_name",
    "quarter",
    "weekday",
]

_ROMAN = ("", "I", "II", "III", "IV")
_MONTH_ABBR = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def is_vietnamese() -> bool:
    return i18n.language() == "vi"


def number(value: float | int, decimals: int | None = None) -> str:
    """``1,234`` / ``1.234``; *decimals* fixes the digits after the point (``12.5`` / ``12,5``).

    Vietnamese swaps the two separators (as Babel's ``format_decimal(..., locale="vi")`` writes
    them); done by hand because importing Babel's number module costs a digest 20 ms.
    """
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
    else:
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return text.translate(_VI_SEPARATORS) if is_vietnamese() else text


_VI_SEPARATORS = str.maketrans({",": ".", ".": ","})


def day(d: date) -> str:
    """A date for reading: ``30 Apr 2026`` / ``30/4/2026``."""
    if is_vietnamese():
        return f"{d.day}/{d.month}/{d.year}"
    return f"{d.day} {_MONTH_ABBR[d.month]} {d.year}"


def weekday(d: date) -> str:
    """``Thu`` / ``thứ Năm`` (``Chủ nhật`` for Sunday)."""
    if not is_vietnamese():
        return _WEEKDAY_ABBR[d.weekday()]
    from babel.dates import format_date

    if d.weekday() == 6:
        return "Chủ nhật"  # as Vietnamese documents write it (CLDR capitalises "Nhật")
    name = format_date(d, "EEEE", locale="vi")
    return name[0].lower() + name[1:]


def day_with_weekday(d: date) -> str:
    """``Thu 30 Apr 2026`` / ``thứ Năm, 30/4/2026``."""
    if is_vietnamese():
        return f"{weekday(d)}, {day(d)}"
    return f"{weekday(d)} {day(d)}"


def month(year: int, month_number: int) -> str:
    """``Apr 2026`` / ``tháng 4/2026``."""
    if is_vietnamese():
        return f"tháng {month_number}/{year}"
    return f"{_MONTH_ABBR[month_number]} {year}"


def quarter(year: int, number_of_quarter: int) -> str:
    """``Q3 2026`` / ``quý III/2026``."""
    if is_vietnamese():
        return f"quý {_ROMAN[number_of_quarter]}/{year}"
    return f"Q{number_of_quarter} {year}"


def org_name(key: str, short_name: str = "", name: str = "") -> str:
    """How output names an agency: its key in English (``MPS``), its Vietnamese short name in Vietnamese."""
    if is_vietnamese():
        return short_name or name or key
    return key


def iso_or_day(d: date) -> str:
    """Where English output shows ISO dates (``2026-04-30``), Vietnamese shows ``30/4/2026``."""
    return day(d) if is_vietnamese() else d.isoformat()


def history_moment(at: str) -> str:
    """A history timestamp (ISO, UTC) to the minute: ``2026-12-03 13:07`` / ``3/12/2026 13:07``."""
    shown = at.replace("T", " ")[:16]
    if not is_vietnamese():
        return shown
    try:
        return f"{day(date.fromisoformat(shown[:10]))}{shown[10:]}"
    except ValueError:
        return shown


def history_value(name: str, value: str | None) -> str | None:
    """A recorded value for reading: ISO dates of date fields as ``30/4/2026`` in Vietnamese, statuses and
    priorities in its words (the stored value stays English)."""
    if not value or not is_vietnamese():
        return value
    if name in _WORD_FIELDS:
        return i18n._(value)
    if name not in _DATE_FIELDS:
        return value
    try:
        return day(date.fromisoformat(value))
    except ValueError:
        return value


_DATE_FIELDS = frozenset({"deadline", "start", "completed_on"})
_WORD_FIELDS = frozenset({"status", "priority"})
