"""Recurring duties: RRULE validation, occurrences and their wording.

Recurring tasks (periodic reports) carry an RRULE text (RFC 5545) or a friendly alias
("quarterly", "hằng quý").  :func:`validate_rrule` checks and normalises it,
:func:`next_occurrence` and :func:`occurrences` compute deadlines from the task's start,
and :func:`describe_rrule` says it in words.  :func:`rule_parts` and
:func:`month_end_parts` give the rule parts these computations use, so that iCal
export (:mod:`actionplan.calendar.events`) hands calendars the same dates.

``dateutil.rrule`` is imported lazily, inside the recurrence functions, so that CLI
commands which never touch a recurrence do not pay for it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING, NoReturn

from actionplan.core.dates import (
    MONTH_ABBR,
    WEEKDAY_ABBR,
    fold_phrase,
    format_date,
    month_length,
    shown_in_message,
)
from actionplan.core.errors import RecurrenceError
from actionplan.core.i18n import N_, _, language

if TYPE_CHECKING:  # pragma: no cover - typing only
    from dateutil.rrule import rrule

__all__ = [
    "RecurrenceError",
    "describe_rrule",
    "month_end_parts",
    "next_occurrence",
    "occurrences",
    "rule_parts",
    "validate_rrule",
]


_ALIASES: dict[str, str] = {
    "daily": "FREQ=DAILY",
    "weekly": "FREQ=WEEKLY",
    "monthly": "FREQ=MONTHLY",
    "quarterly": "FREQ=MONTHLY;INTERVAL=3",
    "half-yearly": "FREQ=MONTHLY;INTERVAL=6",
    "half yearly": "FREQ=MONTHLY;INTERVAL=6",
    "semiannually": "FREQ=MONTHLY;INTERVAL=6",
    "semi-annually": "FREQ=MONTHLY;INTERVAL=6",
    "yearly": "FREQ=YEARLY",
    "annually": "FREQ=YEARLY",
    # Vietnamese, after diacritics are dropped ("hằng quý", "hàng tháng", "6 tháng"...)
    "hang tuan": "FREQ=WEEKLY",
    "hang thang": "FREQ=MONTHLY",
    "hang quy": "FREQ=MONTHLY;INTERVAL=3",
    "6 thang": "FREQ=MONTHLY;INTERVAL=6",
    "hang nam": "FREQ=YEARLY",
}
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_SUBDAILY = ("HOURLY", "MINUTELY", "SECONDLY")
_PARTS = (
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
)
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
# RFC 5545 limits (dateutil is laxer, and then may search up to the year 9999).
_BY_FREQS = {"BYWEEKNO": ("YEARLY",), "BYYEARDAY": ("YEARLY",), "BYMONTHDAY": ("DAILY", "MONTHLY", "YEARLY")}
_UNTIL_RE = r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})Z?)?"


def _rule_error(text: str, reason: str, **fields: object) -> RecurrenceError:
    """The error for rule *text*; *reason* (already translated) is filled from *fields*."""
    return RecurrenceError(
        _('cannot use recurrence "{text}": {reason}').format(
            text=shown_in_message(text), reason=reason.format(**fields) if fields else reason
        )
    )


def validate_rrule(text: str) -> str:
    """Check a recurrence rule and return it normalised.

    Accepts an RFC 5545 RRULE ("FREQ=MONTHLY;INTERVAL=3", with or without a leading
    ``RRULE:``) or a friendly alias: daily, weekly, monthly, quarterly, half-yearly /
    semiannually, yearly / annually (and Vietnamese "hằng tháng", "hằng quý", "hằng năm").
    The result is upper case, without ``RRULE:``, with the parts in the order written.
    Deadlines are dates, so frequencies finer than DAILY, BYHOUR/BYMINUTE/BYSECOND and a
    DTSTART inside the rule are refused; UNTIL may be a date (20271231) or a date-time.
    Raises :class:`RecurrenceError` quoting the text.
    """
    if not isinstance(text, str):
        raise _rule_error(repr(text), _("expected text"))
    return _validate_text(text)


@lru_cache(maxsize=512)
def _validate_text(text: str) -> str:
    """:func:`validate_rrule` for text, cached: digests check the same few rules often."""
    alias = _ALIASES.get(fold_phrase(text))
    if alias:
        return alias
    parts = _split_rule(text)
    _check_parts(text, parts)
    normalised = ";".join(f"{key}={value}" for key, value in parts)
    _check_with_dateutil(text, parts)
    return normalised


def _split_rule(text: str) -> list[tuple[str, str]]:
    """Split RRULE text into upper-case (name, value) pairs, or raise RecurrenceError."""
    body = unicodedata.normalize("NFC", text).strip().upper()
    if "DTSTART" in body:
        raise _rule_error(text, _("DTSTART does not belong in the rule: the task's start is used"))
    if body.startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if ":" in body or "\n" in body.strip():
        raise _rule_error(text, _("write one RRULE line only, e.g. FREQ=MONTHLY;INTERVAL=3"))
    body = "".join(body.split())  # blanks mean nothing in an RRULE: "BYDAY=MO, FR"
    if not body:
        raise _rule_error(text, _("it is empty; write e.g. FREQ=MONTHLY or monthly"))
    parts: list[tuple[str, str]] = []
    for chunk in filter(None, body.split(";")):
        key, sep, value = chunk.partition("=")
        if not sep or not key or not value:
            raise _rule_error(text, _('"{part}" is not NAME=VALUE'), part=chunk)
        parts.append((key, value))
    return parts


def _check_parts(text: str, parts: list[tuple[str, str]]) -> None:
    """Check names and the values dateutil accepts but deadlines cannot use."""
    names = [key for key, _value in parts]
    for key in names:
        if key in _TIME_PARTS:
            raise _rule_error(text, _("{part} is a time of day; deadlines are dates"), part=key)
        if key not in _PARTS:
            raise _rule_error(text, _("unknown part {part}"), part=key)
        if names.count(key) > 1:
            raise _rule_error(text, _("{part} is given twice"), part=key)
    values = dict(parts)
    freq = values.get("FREQ")
    if freq is None:
        raise _rule_error(text, _("FREQ is missing, e.g. FREQ=MONTHLY"))
    if freq in _SUBDAILY:
        reason = _("FREQ={freq} is finer than a day; deadlines are dates")
        raise _rule_error(text, reason, freq=freq)
    if freq not in _FREQS:
        raise _rule_error(text, _("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"))
    for key, allowed in _BY_FREQS.items():
        if key in values and freq not in allowed:
            reason = _("{part} cannot be used with FREQ={freq}")
            raise _rule_error(text, reason, part=key, freq=freq)
    if "BYSETPOS" in values and not any(k.startswith("BY") and k != "BYSETPOS" for k in values):
        raise _rule_error(text, _("BYSETPOS needs another BY part, e.g. BYDAY=MO,TU,WE,TH,FR"))
    if "COUNT" in values and "UNTIL" in values:
        raise _rule_error(text, _("give COUNT or UNTIL, not both"))
    for key in ("COUNT", "INTERVAL"):
        if key in values and not re.fullmatch(r"[1-9][0-9]{0,3}", values[key]):
            raise _rule_error(text, _("{part} must be a whole number from 1 to 9999"), part=key)
    if "UNTIL" in values:
        _until_date(text, values["UNTIL"])
    _check_by_values(text, values)


# RFC 5545 ranges; dateutil accepts some values outside them and then scans for ever.
_BY_RANGES = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
}
_BYDAY_RE = r"([+-]?)([0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)"


def _check_by_values(text: str, values: dict[str, str]) -> None:
    """Check BY* lists against RFC 5545 ranges (ordinal weekdays: 1-5 monthly, 1-53 yearly)."""
    for key, (low, high, signed) in _BY_RANGES.items():
        for item in values[key].split(",") if key in values else ():
            match = re.fullmatch(r"([+-]?)([0-9]{1,3})", item)
            if not match or not low <= int(match[2]) <= high or (match[1] == "-" and not signed):
                _raise_range(text, key, item)
    top = _byday_ordinal_limit(values)
    for item in values["BYDAY"].split(",") if "BYDAY" in values else ():
        match = re.fullmatch(_BYDAY_RE, item)
        if not match or (match[2] is not None and not 1 <= int(match[2]) <= top):
            _raise_range(text, "BYDAY", item)
    if "BYMONTH" in values and "BYMONTHDAY" in values:
        _check_month_days(text, values["BYMONTH"], values["BYMONTHDAY"])
    most = _period_size(values)
    for item in values["BYSETPOS"].split(",") if "BYSETPOS" in values else ():
        if abs(int(item)) > most:
            reason = _("BYSETPOS={value} asks for more than the {most} dates a period can have")
            raise _rule_error(text, reason, value=item, most=most)


def _period_size(values: dict[str, str]) -> int:
    """An upper bound on the dates one period (day, week, month, year) of the rule holds.

    A BYSETPOS beyond it can never match, and dateutil would search up to the year 9999.
    """
    freq = values["FREQ"]
    count = {key: len(values[key].split(",")) for key in values if key.startswith("BY")}
    if freq == "DAILY":
        return 1
    if freq == "WEEKLY":
        return count.get("BYDAY", 1)
    in_months = freq == "MONTHLY" or "BYMONTH" in values  # BYDAY=2MO counts within a month
    months = 1 if freq == "MONTHLY" else count.get("BYMONTH", 12)
    bounds = [31 * months]
    if "BYDAY" in values:
        nth, every = (months, 5 * months) if in_months else (1, 53)
        bounds.append(sum(nth if item[:-2] else every for item in values["BYDAY"].split(",")))
    if "BYMONTHDAY" in values:
        bounds.append(count["BYMONTHDAY"] * months)
    if "BYYEARDAY" in values:
        bounds.append(count["BYYEARDAY"])
    if "BYWEEKNO" in values:
        bounds.append(count["BYWEEKNO"] * 7)
    if len(bounds) == 1:  # dateutil's default: the start's day, in each BYMONTH month
        bounds.append(count.get("BYMONTH", 1))
    return min(bounds)


def _byday_ordinal_limit(values: dict[str, str]) -> int:
    """Largest n allowed in BYDAY=nMO: within a month 5, within a year 53, else none."""
    if values["FREQ"] == "MONTHLY" or (values["FREQ"] == "YEARLY" and "BYMONTH" in values):
        return 5
    return 53 if values["FREQ"] == "YEARLY" and "BYWEEKNO" not in values else 0


def _check_month_days(text: str, months: str, days: str) -> None:
    """Refuse a rule that can never match, like BYMONTH=2;BYMONTHDAY=30 (dateutil would
    search for it up to the year 9999)."""
    lengths = [month_length(2000, int(m)) for m in months.split(",")]
    if not any(abs(int(d)) <= length for d in days.split(",") for length in lengths):
        raise _rule_error(text, _("BYMONTH={months} has no day {days}"), months=months, days=days)


def _raise_range(text: str, key: str, item: str) -> NoReturn:
    raise _rule_error(text, _("{part} cannot be {value}"), part=key, value=item or '""')


def _until_date(text: str, value: str) -> date:
    """The calendar date of an UNTIL value (20271231 or 20271231T235959[Z])."""
    match = re.fullmatch(_UNTIL_RE, value)
    if match:
        try:
            hour, minute, second = (int(g) for g in match.groups("0")[3:])
            time(hour, minute, second)
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise _rule_error(text, _("UNTIL must be a date like 20271231, not {value}"), value=value)


def _check_with_dateutil(text: str, parts: list[tuple[str, str]]) -> None:
    """Let dateutil judge the remaining values (UNTIL is ours: see :func:`_build_rrule`)."""
    try:
        _build_rrule(parts, datetime(2000, 1, 1), None)
        ever = _ever_matches(parts)
    except (ValueError, KeyError, IndexError, TypeError, OverflowError) as exc:
        raise _rule_error(text, str(exc) or exc.__class__.__name__) from None
    if not ever:
        raise _rule_error(
            text, _("no date ever matches these BY parts (e.g. a 30 February): the duty would never fall due")
        )


def _ever_matches(parts: list[tuple[str, str]]) -> bool:
    """Whether any day passes the rule's BY filters (BYMONTH=2;BYMONTHDAY=30 never does).

    The filters are tried as a yearly rule over 2000-2031, which holds every leap-year and
    weekday arrangement: cheap whatever the rule's own frequency (a daily rule would be
    walked day by day).
    """
    from dateutil.rrule import rrulestr

    kept = [(k, v) for k, v in parts if k.startswith("BY") and k != "BYSETPOS"]
    if not kept:
        return True
    probe = rrulestr("FREQ=YEARLY;" + ";".join(f"{k}={v}" for k, v in kept), dtstart=datetime(2000, 1, 1), cache=False)
    return next(iter(probe.replace(until=datetime(2031, 12, 31))), None) is not None


def _build_rrule(parts: list[tuple[str, str]], start: datetime, until: date | None) -> rrule:
    """Compile parts with dateutil.

    UNTIL is applied with ``rrule.replace`` rather than in the text because ``rrulestr``
    reads UNTIL with ``dateutil.parser``, which this module does not load.
    """
    from dateutil.rrule import rrulestr

    text = ";".join(f"{key}={value}" for key, value in parts if key != "UNTIL")
    rule = rrulestr(text, dtstart=start, cache=False)
    if until is not None:
        rule = rule.replace(until=datetime.combine(until, time()))
    return rule


def month_end_parts(parts: list[tuple[str, str]], start: date) -> list[tuple[str, str]]:
    """Extra parts that keep a late-month start on the same day, or the month's end, each period.

    Plain dateutil skips the months that lack the start's day (a monthly rule from 31 Jan
    jumps to 31 Mar).  For a MONTHLY or YEARLY rule without BY* parts whose start is after
    the 28th: a start on a month's last day means "the last day of each month" (quarterly
    from 2026-03-31 gives 30 Jun, 30 Sep, 31 Dec); any other day d means "day d, or the
    month's last day when it is shorter" (monthly from 30 Jan gives 28 Feb, 30 Mar).

    *parts* are :func:`rule_parts` of a validated rule and *start* the series' start
    (DTSTART); append the result to *parts*.  No extra parts (``[]``) otherwise.
    """
    values = dict(parts)
    if values["FREQ"] not in ("MONTHLY", "YEARLY") or start.day <= 28:
        return []
    if any(key.startswith("BY") for key in values):
        return []
    extra = [("BYMONTH", str(start.month))] if values["FREQ"] == "YEARLY" else []
    if start.day == month_length(start.year, start.month):
        return extra + [("BYMONTHDAY", "-1")]
    return extra + [("BYMONTHDAY", f"{start.day},-1"), ("BYSETPOS", "1")]


def _compile(rule: str, start: date) -> rrule:
    """The dateutil rule for *rule* (text or alias) starting on *start*."""
    pairs = rule_parts(validate_rrule(rule))
    values = dict(pairs)
    until = _until_date(rule, values["UNTIL"]) if "UNTIL" in values else None
    pairs += month_end_parts(pairs, start)
    return _build_rrule(pairs, datetime.combine(start, time()), until)


def rule_parts(normalised: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of a rule already normalised by :func:`validate_rrule`.

    ``rule_parts("FREQ=MONTHLY;INTERVAL=3")`` is ``[("FREQ", "MONTHLY"), ("INTERVAL", "3")]``,
    in the order written.  With :func:`month_end_parts` these are the parts that
    :func:`next_occurrence` computes with.
    """
    return [(key, value) for key, _sep, value in (c.partition("=") for c in normalised.split(";"))]


def next_occurrence(rule: str, start: date, after: date) -> date | None:
    """The first occurrence of *rule* on or after *after*, or None once the rule has ended.

    The rule starts on *start* (its DTSTART); *start* itself is an occurrence when it
    matches the rule.  Late-month starts follow :func:`month_end_parts`.
    """
    found = _compile(rule, start).after(datetime.combine(after, time()), inc=True)
    return found.date() if found is not None else None


def next_period_deadline(rule: str, start: date | None, deadline: date) -> date | None:
    """The deadline a recurring duty moves to once the period due on *deadline* is done.

    None after the last period: marking that one done finishes the task.  A deadline at
    the calendar's end, or a next period past the years the program accepts, has none.
    """
    from datetime import timedelta

    from actionplan.core.dates import MAX_YEAR

    try:
        following = next_occurrence(rule, start or deadline, deadline + timedelta(days=1))
    except (OverflowError, ValueError):
        return None
    return None if following is None or following.year > MAX_YEAR else following


def occurrences(rule: str, start: date, until: date, limit: int = 1000) -> list[date]:
    """The occurrences of *rule* from *start* up to and including *until*, at most *limit*."""
    found: list[date] = []
    if limit <= 0 or until < start:
        return found
    for moment in _compile(rule, start):
        if moment.date() > until:
            break
        found.append(moment.date())
        if len(found) >= limit:
            break
    return found


_EVERY = {
    "DAILY": (N_("every day"), N_("every {n} days")),
    "WEEKLY": (N_("every week"), N_("every {n} weeks")),
    "MONTHLY": (N_("every month"), N_("every {n} months")),
    "YEARLY": (N_("every year"), N_("every {n} years")),
}
_DAY_NAMES = dict(zip(("MO", "TU", "WE", "TH", "FR", "SA", "SU"), WEEKDAY_ABBR))


def describe_rrule(rule: str) -> str:
    """Short English for a rule: "every 3 months", "every month until 2027-12-31",
    "every week, 4 times".  Raises :class:`RecurrenceError` for an invalid rule."""
    values = dict(rule_parts(validate_rrule(rule)))
    once, many = _EVERY[values["FREQ"]]
    interval = int(values.get("INTERVAL", "1"))
    words = [_(once) if interval == 1 else _(many).format(n=interval)]
    words += _describe_by_parts(values)
    text = " ".join(words)
    if "UNTIL" in values:
        until = format_date(_until_date(rule, values["UNTIL"]))
        text += " " + _("until {date}").format(date=until)
    if "COUNT" in values:
        count = int(values["COUNT"])
        text += ", " + (_("once") if count == 1 else _("{n} times").format(n=count))
    return text


def _describe_by_parts(values: dict[str, str]) -> list[str]:
    words: list[str] = []
    if "BYDAY" in values:
        days = ", ".join(_describe_weekday(item) for item in values["BYDAY"].split(","))
        words.append(_("on {days}").format(days=days))
    if "BYMONTHDAY" in values:
        words.append(_describe_monthdays(values["BYMONTHDAY"].split(",")))
    if "BYMONTH" in values:
        months = ", ".join(_(MONTH_ABBR[int(m)]) for m in values["BYMONTH"].split(","))
        words.append(_("in {months}").format(months=months))
    for key in ("BYYEARDAY", "BYWEEKNO", "BYSETPOS", "WKST"):
        if key in values:
            words.append(f"({key}={values[key]})")
    return words


def _ordinal(n: int) -> str:
    if language() == "vi":
        return f"thứ {n}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _describe_position(n: int) -> str:
    """1 → "1st", -1 → "last", -2 → "2nd last"."""
    if n > 0:
        return _ordinal(n)
    return _("last") if n == -1 else _("{nth} last").format(nth=_ordinal(-n))


def _describe_weekday(item: str) -> str:
    """ "MO" → "Mon", "1MO" → "the 1st Mon", "-1FR" → "the last Fri"."""
    name = _(_DAY_NAMES[item[-2:]])
    if len(item) == 2:
        return name
    return _("the {position} {day}").format(position=_describe_position(int(item[:-2])), day=name)


def _describe_monthdays(items: list[str]) -> str:
    days = [int(item) for item in items]
    if days == [-1]:
        return _("on the last day")
    shown = ", ".join(str(d) if d > 0 else _describe_position(d) for d in days)
    return (_("on day {days}") if len(days) == 1 else _("on days {days}")).format(days=shown)
