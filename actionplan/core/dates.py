"""Deadlines and the committee's time zone: parsing, formatting, relative days.

Committee documents write deadlines the way people speak: "April 2026", "end of Q3 2026",
"by March 2027", "tháng 4/2026", "quý III/2026".  :func:`parse_deadline` resolves each of
them to one calendar date (the last day of the named period) and :func:`describe_resolution`
shows the resolved date back, so nobody has to trust a silent guess.

Parsing is done by hand with regular expressions: it is faster to import than
``dateutil.parser`` and, more importantly, stricter — "30/4/2026" is always day first and
anything we cannot read is refused with a message listing the forms we do read.

Recurring tasks (RRULE validation, next occurrence, wording) are in
:mod:`actionplan.core.recurrence`, which builds on the helpers here.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo

from actionplan.core.errors import DateError
from actionplan.core.i18n import N_, _

__all__ = [
    "ACCEPTED_FORMS",
    "DEFAULT_TIMEZONE",
    "MONTH_ABBR",
    "WEEKDAY_ABBR",
    "DateError",
    "describe_resolution",
    "fold_phrase",
    "format_date",
    "format_date_long",
    "get_zone",
    "month_length",
    "parse_deadline",
    "parse_iso_date",
    "relative_days",
    "short_relative",
    "shown_in_message",
    "today_in",
]


MIN_YEAR = 1900
MAX_YEAR = 2200
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

#: Examples of every deadline form :func:`parse_deadline` reads, shown in error messages.
ACCEPTED_FORMS: tuple[str, ...] = (
    "2026-04-30",
    N_("30/4/2026 (day first)"),
    "30 April 2026",
    "April 2026",
    "end of April 2026",
    "by March 2027",
    "4/2026",
    "2026-04",
    "Q3 2026",
    "end of Q3 2026",
    "H1 2026",
    "first half of 2026",
    "2030",
    "end of 2030",
    "tháng 4/2026",
    "quý III/2026",
    "cuối quý 3/2026",
    "quý 1 năm 2027",
    "6 tháng đầu năm 2026",
    N_("trước 31/3/2027 (that day)"),
    "năm 2030",
)

_MONTH_NAMES = ("january february march april may june july august september october november december").split()
_MONTHS: dict[str, int] = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: i for i, name in enumerate(_MONTH_NAMES, start=1)})
_MONTHS["sept"] = 9
MONTH_ABBR = ("", *(name[:3].title() for name in _MONTH_NAMES))
WEEKDAY_ABBR = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_MAX_QUOTED = 80


class _Invalid(Exception):
    """Internal: the text has a known shape but names no real date (reason in args[0])."""


# --------------------------------------------------------------------------- formatting


def format_date(d: date) -> str:
    """Return *d* as ISO 8601, e.g. ``2026-04-30``."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def format_date_long(d: date) -> str:
    """Return *d* for reading, e.g. ``30 Apr 2026`` (independent of the locale)."""
    return f"{d.day} {MONTH_ABBR[d.month]} {d.year}"


def relative_days(deadline: date | None, today: date) -> str:
    """Say how far *deadline* is from *today*: "due today", "12 days left", "1 day late" ("" without one)."""
    if deadline is None:
        return ""
    days = (deadline - today).days
    if days == 0:
        return _("due today")
    if days == 1:
        return _("1 day left")
    if days > 1:
        return _("{n} days left").format(n=_count(days))
    if days == -1:
        return _("1 day late")
    return _("{n} days late").format(n=_count(-days))


def short_relative(deadline: date, today: date) -> str:
    """A compact form of relative_days for narrow tables: "today", "35d left", "9d late"."""
    days = (deadline - today).days
    if days == 0:
        return _("today")
    if days > 0:
        return _("{n}d left").format(n=_count(days))
    return _("{n}d late").format(n=_count(-days))


def _count(n: int) -> str:
    """A count of days as the reader writes it: ``1489`` in English output, ``1.489`` in Vietnamese."""
    from actionplan.core import l10n

    return l10n.number(n) if l10n.is_vietnamese() else str(n)


def describe_resolution(text: str | date) -> str:
    """Show how a deadline was read, e.g. ``"end of Q3 2026" → 2026-09-30 (Wed)``.

    Raises :class:`DateError` like :func:`parse_deadline`.
    """
    resolved = parse_deadline(text)
    shown = format_date(text) if isinstance(text, date) else " ".join(str(text).split())
    from actionplan.core import l10n

    if l10n.is_vietnamese():
        return _('"{text}" → {date} ({weekday})').format(
            text=shown, date=l10n.day(resolved), weekday=l10n.weekday(resolved)
        )
    return _('"{text}" → {date} ({weekday})').format(
        text=shown, date=format_date(resolved), weekday=_(WEEKDAY_ABBR[resolved.weekday()])
    )


# --------------------------------------------------------------------------- parsing


def check_date(value: date) -> date:
    """*value* if its year is between :data:`MIN_YEAR` and :data:`MAX_YEAR`, else :class:`DateError`.

    Every date that enters the program passes here, whatever form it came in (text, a TOML
    date, a date object): calendars add days and alarms to deadlines, and a year past 9998 or
    before 2 would overflow there.
    """
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DateError(
            f"{format_date(value)}: "
            + _("the year must be between {low} and {high}").format(low=MIN_YEAR, high=MAX_YEAR)
        )
    return value


def parse_iso_date(text: str) -> date:
    """Read a strict ISO date ``YYYY-MM-DD`` (surrounding blanks ignored).

    Raises :class:`DateError` quoting the text for anything else, including valid-looking
    but impossible dates such as ``2026-02-30``.
    """
    cleaned = text.strip() if isinstance(text, str) else ""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", cleaned)
    if match:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
        else:
            return check_date(day)
    raise DateError(_('not a date "{text}": write YYYY-MM-DD, e.g. 2026-04-30').format(text=shown_in_message(text)))


def parse_deadline(text: str | date) -> date:
    """Resolve a deadline as committee documents write it to one calendar date.

    A day is taken as is ("2026-04-30", "30/4/2026" — always day first — "30 April 2026");
    a period resolves to its last day: a month ("April 2026", "4/2026", "2026-04",
    "tháng 4/2026"), a quarter ("Q3 2026", "quý III/2026"), a half ("H1 2026", "first half of
    2026") or a year ("2030", "năm 2030").  "by", "end of", "by the end of" (and Vietnamese
    "cuối", "trong", "chậm nhất") may precede a period; "before" is refused as ambiguous.
    Case, blanks and Vietnamese diacritics do not matter.  Years run from 1900 to 2200.

    A ``date`` is returned as is (a ``datetime`` gives its date); an ``int`` is read as its
    digits, so a TOML ``deadline = 2030`` works.  Anything else raises :class:`DateError`
    quoting the input and listing :data:`ACCEPTED_FORMS`.
    """
    if isinstance(text, datetime):
        text = text.date()
    if isinstance(text, date):
        return check_date(text)
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise _deadline_error(text, _("expected text or a date"))
    try:
        return _resolve_text(text)
    except _Invalid as exc:
        raise _deadline_error(text, str(exc.args[0]) if exc.args else "") from None


@functools.lru_cache(maxsize=4096)
def _resolve_text(text: str) -> date:
    """:func:`_resolve` of the folded *text*, remembered: plan files repeat the same few deadline
    phrases thousands of times (speed).  A failure raises each time, uncached."""
    return _resolve(fold_phrase(text))


def fold_phrase(text: str) -> str:
    """NFC-normalise, lower-case, drop diacritics ("tháng" → "thang") and collapse blanks.

    The form in which written phrases (deadline forms, recurrence aliases) are matched.
    """
    text = unicodedata.normalize("NFC", text).lower()
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def shown_in_message(text: object) -> str:
    """The input as shown inside quotes in a message, shortened if very long."""
    shown = text if isinstance(text, str) else repr(text)
    return shown if len(shown) <= _MAX_QUOTED else shown[: _MAX_QUOTED - 1] + "…"


def _deadline_error(text: object, reason: str = "") -> DateError:
    """Build the one error message for an unreadable deadline."""
    forms = ", ".join(_(form) for form in ACCEPTED_FORMS)
    if reason:
        message = _('cannot read deadline "{text}": {reason}; use one of {forms}')
    else:
        message = _('cannot read deadline "{text}": use one of {forms}')
    return DateError(message.format(text=shown_in_message(text), reason=reason, forms=forms))


_AMBIGUOUS_RE = r"(?:before|prior to|truoc)(?: .*)?"
# Vietnamese documents write "trước ngày 31/3/2027" for "by 31/3/2027": a day is taken as is;
# "trước tháng 4/2026" (before April, or by April?) stays ambiguous like English "before".
_VN_BEFORE_DAY_RE = r"truoc (?:ngay )?(?P<day>[0-9].*)"
_PREFIX_RE = (
    r"(?:(?P<by>by|cham nhat(?: la)?|den) )?"
    r"(?:(?P<end>end of|the end of|cuoi|trong|het|den het|den cuoi) )?(?P<body>.*)"
)


def _resolve(folded: str) -> date:
    """Resolve folded text (see :func:`fold_phrase`) or raise :class:`_Invalid`."""
    if not folded:
        raise _Invalid(_("it is empty"))
    before_day = re.fullmatch(_VN_BEFORE_DAY_RE, folded)
    if before_day:
        body = before_day["day"]
        for pattern, is_period, build in _FORMS:
            match = re.fullmatch(pattern, body)
            if match and not is_period:
                return build(match)
    if re.fullmatch(_AMBIGUOUS_RE, folded):
        raise _Invalid(_('"before" is ambiguous: write the last day allowed, e.g. 31/3/2026'))
    prefix = re.fullmatch(_PREFIX_RE, folded)
    assert prefix is not None  # the pattern matches any text
    body = prefix["body"]
    for pattern, is_period, build in _FORMS:
        match = re.fullmatch(pattern, body)
        if match:
            if prefix["end"] and not is_period:
                raise _Invalid(_('"end of" needs a month, quarter, half or year, not a day'))
            return build(match)
    raise _Invalid("")


def month_length(year: int, month: int) -> int:
    """Number of days in *month* of *year* (Gregorian)."""
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Invalid(_("the year must be between {low} and {high}").format(low=MIN_YEAR, high=MAX_YEAR))
    return year


def _check_month(month: int) -> int:
    if not 1 <= month <= 12:
        raise _Invalid(_("there is no month {month}").format(month=month))
    return month


def _day(year: int, month: int, day: int) -> date:
    """The date, or :class:`_Invalid` naming what is wrong with it."""
    _check_year(year)
    _check_month(month)
    last = month_length(year, month)
    if not 1 <= day <= last:
        raise _Invalid(_("{month} {year} has no day {day}").format(month=_(MONTH_ABBR[month]), year=year, day=day))
    return date(year, month, day)


def _month_end(year: int, month: int) -> date:
    _check_year(year)
    _check_month(month)
    return date(year, month, month_length(year, month))


def _quarter_end(year: int, quarter: int) -> date:
    if not 1 <= quarter <= 4:
        raise _Invalid(_("there is no quarter {n}: write Q1 to Q4").format(n=quarter))
    return _month_end(year, quarter * 3)


def _half_end(year: int, half: int) -> date:
    if half not in (1, 2):
        raise _Invalid(_("there is no half {n}: write H1 or H2").format(n=half))
    return _month_end(year, half * 6)


def _int(match: re.Match[str], group: str) -> int:
    return int(match[group])


def _month_of(match: re.Match[str]) -> int:
    return _MONTHS[match["mon"]] if match.groupdict().get("mon") else _int(match, "m")


_Build = Callable[[re.Match[str]], date]
_MON = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_Y = "(?P<y>[0-9]{4})"
_D = "(?P<d>[0-9]{1,2})"
_M = "(?P<m>[0-9]{1,2})"
_SEP = "(?: ?[-/] ?| )"  # between Q3/H1 and the year: "Q3 2026", "Q3/2026", "Q3 - 2026"
_VN_SEP = "(?: ?[-/] ?| nam )"  # "tháng 4/2026", "tháng 4 năm 2026"


def _on_day(m: re.Match[str]) -> date:
    return _day(_int(m, "y"), _month_of(m), _int(m, "d"))


def _in_month(m: re.Match[str]) -> date:
    return _month_end(_int(m, "y"), _month_of(m))


def _in_quarter(m: re.Match[str]) -> date:
    q = m["q"]
    return _quarter_end(_int(m, "y"), _ROMAN[q] if q in _ROMAN else int(q))


_HALVES = {"first": 1, "1st": 1, "dau": 1, "second": 2, "2nd": 2, "cuoi": 2}


def _in_half(m: re.Match[str]) -> date:
    half = m["h"]
    return _half_end(_int(m, "y"), _HALVES[half] if half in _HALVES else int(half))


def _in_year(m: re.Match[str]) -> date:
    return date(_check_year(_int(m, "y")), 12, 31)


# (pattern, names a period, builder); matched against the text after any "by"/"end of".
# Patterns stay strings: ``re`` compiles and caches them on first use, keeping import fast.
_FORMS: tuple[tuple[str, bool, _Build], ...] = (
    (rf"{_Y}(?P<s>[-/.]){_M}(?P=s){_D}", False, _on_day),
    (rf"(?:ngay )?{_D}(?P<s>[-/.]){_M}(?P=s){_Y}", False, _on_day),
    (rf"(?:ngay )?{_D} thang {_M} nam {_Y}", False, _on_day),
    (rf"{_D} {_MON},? {_Y}", False, _on_day),
    (rf"{_MON} {_D},? {_Y}", False, _on_day),
    (rf"{_MON},? {_Y}", True, _in_month),
    (rf"{_M}[-/.]{_Y}", True, _in_month),
    (rf"{_Y}[-/]{_M}", True, _in_month),
    (rf"thang {_M}{_VN_SEP}{_Y}", True, _in_month),
    (rf"q(?P<q>[0-9]){_SEP}{_Y}", True, _in_quarter),
    (rf"{_Y}{_SEP}q(?P<q>[0-9])", True, _in_quarter),
    (rf"quy (?P<q>[0-9]|iv|i{{1,3}}){_VN_SEP}{_Y}", True, _in_quarter),
    (rf"h(?P<h>[0-9]){_SEP}{_Y}", True, _in_half),
    (rf"{_Y}{_SEP}h(?P<h>[0-9])", True, _in_half),
    (rf"(?P<h>first|second|1st|2nd) half(?: of)? {_Y}", True, _in_half),
    (rf"6 thang (?P<h>dau|cuoi) nam {_Y}", True, _in_half),
    (rf"(?:nam )?{_Y}", True, _in_year),
)


# --------------------------------------------------------------------------- time zone


def get_zone(name: str) -> tzinfo:
    """Return the IANA time zone *name* (e.g. ``Asia/Ho_Chi_Minh``); blanks are ignored.

    Raises :class:`DateError` ``unknown time zone "<name>"`` for anything else.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # lazily: not every command needs it

    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, TypeError, AttributeError, OSError):
        raise DateError(_('unknown time zone "{name}"').format(name=name)) from None


def today_in(zone_name: str, now: datetime | None = None) -> date:
    """The calendar date in time zone *zone_name* at instant *now*.

    *now* defaults to the current instant, ``datetime.now(timezone.utc)``; pass it to make
    the result independent of the clock.  A naive *now* is taken as UTC.
    """
    zone = get_zone(zone_name)
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(zone).date()
