"""The iCal components of one task: its deadline event, alarms, heads-up events and to-do.

:func:`task_components` turns one task into the serialised text of its
components (``BEGIN:VEVENT`` ... ``END:VEVENT``, CRLF line ends).  The text
depends only on the task (its version), the :class:`EventContext` and
nothing else (no clock), so :mod:`actionplan.calendar.ical` can keep it in the
store's cache and concatenate it on the next export.

The text is written by :mod:`actionplan.calendar.text`, not by icalendar, whose
serialiser manages about 2,000 events a second (5 s for 10,000 tasks).  It is
byte for byte what icalendar writes for the same components, property order
included (VEVENT: icalendar's ``Event.canonical_order`` first, then the rest
alphabetically; VALARM and VTODO: alphabetically); tests/ical_reference.py
builds the same components with icalendar and the tests compare the two.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, overload
from unicodedata import is_normalized as _is_normalized

from actionplan.calendar.text import (
    date_value,
    duration_value,
    escape_text,
    fold,
    line,
    param_value,
    text_list,
    utc_value,
)
from actionplan.core import l10n
from actionplan.core.i18n import _, language
from actionplan.core.model import CLOSED_STATUSES, Task, TaskStatus, status_label
from actionplan.core.recurrence import describe_rrule, occurrences, rule_parts, validate_rrule
from actionplan.core.text import clean

if TYPE_CHECKING:  # pragma: no cover - typing only
    pass

#: Statuses as plain strings for the comparisons made for every task (an enum member's lookup
#: costs six times a module name's); CLOSED_STATUSES is what Task.is_open asks, without the call.
_DONE, _BLOCKED, _CANCELLED = str(TaskStatus.DONE), str(TaskStatus.BLOCKED), str(TaskStatus.CANCELLED)

UID_DOMAIN = "actionplan"
_UID_END = "@" + UID_DOMAIN
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")

#: PRIORITY by task priority (RFC 5545: 1 highest, 9 lowest).
PRIORITY = {"critical": 1, "high": 3, "normal": 5, "low": 9}
#: A VTODO's STATUS by task status.
TODO_STATUS: dict[str, str] = {
    TaskStatus.NOT_STARTED: "NEEDS-ACTION",
    TaskStatus.IN_PROGRESS: "IN-PROCESS",
    TaskStatus.BLOCKED: "NEEDS-ACTION",
    TaskStatus.DONE: "COMPLETED",
    TaskStatus.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True)
class EventContext:
    """Everything besides the task that goes into its components."""

    db_id: str
    plan_title: str = ""
    plan_reference: str = ""
    org_names: Mapping[str, str] = field(default_factory=dict)
    reminder_days: tuple[int, ...] = (7, 1)
    reminder_time: time = time(9, 0)
    reminder_events: bool = False
    todo: bool = False
    fallback_stamp: datetime | None = None  # DTSTAMP for a task without updated_at
    #: Changes to what besides the task goes into its events (the plan, the agencies' names,
    #: the settings), as a counter that only goes up, and when the latest happened (UTC).
    revision: int = 0
    revised_at: datetime | None = None
    #: ORGANIZER by lead org key: (common name, email address); a lead missing here has none.
    organizers: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    classification: str = "PUBLIC"
    #: The day the export is as of: an open task due before it is late (its text says by how much).
    today: date | None = None
    #: Dates the export covers (None: open-ended): past periods and RDATEs are written within it.
    window: tuple[date | None, date | None] = (None, None)
    #: DTSTAMP, the moment the calendar is published; None writes STAMP_PLACEHOLDER (see stamp_events).
    published: datetime | None = None
    zone: str = "Asia/Ho_Chi_Minh"  # for COMPLETED, the start of the completion day


@lru_cache(maxsize=4096)
def safe_part(value: str) -> str:
    """*value* reduced to letters, digits and dashes (for UIDs)."""
    return _UNSAFE.sub("-", value).strip("-") or "x"


def task_uid(task: Task, db_id: str, suffix: str = "") -> str:
    """``<plan>.<key with dots as dashes>.<db id>[.<suffix>]@actionplan``, stable across edits."""
    parts = [safe_part(task.plan), safe_part(task.key.replace(".", "-")), safe_part(db_id)]
    if suffix:
        parts.append(safe_part(suffix))
    return ".".join(parts) + _UID_END


def _text(value: object) -> str:
    """User text as it may go out: NFC, no control characters but newline and tab."""
    if isinstance(value, str) and value.isprintable() and (value.isascii() or _is_normalized("NFC", value)):
        return value  # what clean() would return as it is (most text: it was cleaned on the way in)
    return clean(str(value or ""))


def summary(task: Task, lead: str = "") -> str:
    """``2.3 Draft the sanctions decree — MPS`` (``[done]`` added for a done task).

    *lead* names the lead agency instead of its key (Vietnamese output: its short name).
    """
    text = f"{task.key} {_text(task.title)} — {_text(lead) or task.lead}"
    if task.status == _DONE:
        text += " [" + _("done") + "]"
    return text


def late_days(task: Task, today: date | None) -> int:
    """Days an open task is past its (current) deadline as of *today*; 0 when it is not late."""
    if today is None or task.deadline is None or task.status in CLOSED_STATUSES or task.deadline >= today:
        return 0
    return (today - task.deadline).days


def late_words(days: int) -> str:
    """ "Late by 1 day", "Late by 63 days"."""
    return _("Late by 1 day") if days == 1 else _("Late by {n} days").format(n=days)


def event_summary(task: Task, ctx: EventContext, lead: str = "") -> str:
    """:func:`summary`, with "Late by 63 days: " in front when the task is late as of ctx.today."""
    days = late_days(task, ctx.today)
    return f"{late_words(days)}: {summary(task, lead)}" if days else summary(task, lead)


def due_in(days: int) -> str:
    """The words in front of a heads-up: "Due today", "Due tomorrow", "Due in 7 days"."""
    if days == 0:
        return _("Due today")
    if days == 1:
        return _("Due tomorrow")
    return _("Due in {n} days").format(n=days)


@lru_cache(maxsize=4096)
def _org_label(key: str, name: str | None) -> str:
    """``MOJ — Ministry of Justice`` (the key alone for an org without a name); the same few repeat."""
    return f"{key} — {_text(name)}" if name else key


@lru_cache(maxsize=256)
def _plan_label(plan: str, title: str, reference: str) -> str:
    """``cyber-2026 — <title> (<reference>)``."""
    label = f"{plan} — {_text(title)}" if title else plan
    if reference:
        label += f" ({_text(reference)})"
    return label


@lru_cache(maxsize=2)
def _labels(lang: str) -> dict[str, str]:
    """The description's translated line labels, looked up once per language."""
    labels = {
        "Task": _("Task"),
        "Lead": _("Lead"),
        "Accountable": _("Accountable"),
        "Coordinating": _("Coordinating"),
        "Deadline": _("Deadline"),
        "Repeats": _("Repeats"),
        "Expected output": _("Expected output"),
        "Status": _("Status"),
        "Blocked by": _("Blocked by"),
        "Source": _("Source"),
        "Plan": _("Plan"),
    }
    return {key: f"{word}: " for key, word in labels.items()}


def description(task: Task, ctx: EventContext) -> str:
    """Lead, accountable head, coordinating orgs, output, status, progress, source and plan."""
    lang = language()
    names, label = ctx.org_names, _labels(lang)
    lines = [
        f"{label['Task']}{task.plan}/{task.key}",
        f"{label['Lead']}{_org_label(task.lead, names.get(task.lead) or task.lead_name)}",
        f"{label['Accountable']}{_text(task.accountable) or '-'}",
        label["Coordinating"] + ("; ".join([_org_label(k, names.get(k, "")) for k in task.coordinating]) or "-"),
    ]
    if task.deadline:
        written = f' ("{_text(task.deadline_text)}")' if task.deadline_text else ""
        shown = task.deadline.isoformat() if lang == "en" else l10n.day(task.deadline)
        lines.append(f"{label['Deadline']}{shown}{written}")
    if task.recurrence:
        lines.append(f"{label['Repeats']}{describe_rrule(task.recurrence)}")
    lines.append(f"{label['Expected output']}{_text(task.output) or '-'}")
    lines.append(
        label["Status"]
        + _("{status}, {progress}% done").format(status=_status_words(task.status, lang), progress=task.progress)
    )
    late = late_days(task, ctx.today)
    if late and task.deadline and ctx.today:
        lines.append(
            _("{late} (deadline {deadline}, as of {today})").format(
                late=late_words(late), deadline=l10n.iso_or_day(task.deadline), today=l10n.iso_or_day(ctx.today)
            )
        )
    if task.status == _BLOCKED and task.blocked_reason:
        lines.append(f"{label['Blocked by']}{_text(task.blocked_reason)}")
    if task.source:
        lines.append(f"{label['Source']}{_text(task.source)}")
    lines.append(f"{label['Plan']}{_plan_label(task.plan, ctx.plan_title, ctx.plan_reference)}")
    if task.description:
        lines += ["", _text(task.description).strip()]
    return "\n".join(lines)


@lru_cache(maxsize=64)
def _status_words(status: str, lang: str) -> str:
    """:func:`status_label` in *lang* (looked up once per status, not once per task)."""
    return status_label(status)


def last_change(task: Task, ctx: EventContext) -> datetime:
    """DTSTAMP and LAST-MODIFIED: the last change to the task or to what else its events
    show (its plan's title, an agency's name, the reminders), in UTC."""
    return _last_change(task.updated_at, ctx.fallback_stamp, ctx.revised_at)


@lru_cache(maxsize=1024)
def _last_change(updated_at: str, fallback: datetime | None, revised_at: datetime | None) -> datetime:
    moment = None
    if updated_at:
        try:
            moment = datetime.fromisoformat(updated_at)
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        except ValueError:
            moment = None
    if moment is None:
        moment = (fallback or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
        moment = moment.replace(microsecond=0)
    return max(moment, revised_at) if revised_at else moment


@lru_cache(maxsize=1024)
def _stamp_value(updated_at: str, fallback: datetime | None, revised_at: datetime | None) -> str:
    """LAST-MODIFIED's value (tasks imported or edited together share it)."""
    return utc_value(_last_change(updated_at, fallback, revised_at))


def sequence(task: Task, ctx: EventContext) -> int:
    """SEQUENCE: goes up with every change to the task (its version) and to what else its
    events show (ctx.revision), so calendar apps that re-import a file take the new text."""
    return max(0, task.version) + ctx.revision


#: Rule parts some clients expand differently (ical.js and calcurse read BYSETPOS their own
#: way; calcurse ignores BYYEARDAY and BYWEEKNO): such series are written as RDATEs.
UNEVEN_PARTS = ("BYSETPOS", "BYYEARDAY", "BYWEEKNO")
#: How far ahead an open-ended export writes the periods of a series without a plain rule, and checks one.
RDATE_YEARS = 2
CHECK_YEARS = 4
#: At most this many past periods are written (the latest ones), however long the duty ran.
MAX_PAST_PERIODS = 400


@dataclass(frozen=True)
class Series:
    """How a recurring duty goes out: its finished periods, a late current one, and the series."""

    done: tuple[date, ...] = ()  # finished periods (separate events marked done, no alarms)
    late: date | None = None  # the current period when it is overdue (a separate event, no alarms)
    start: date | None = None  # DTSTART of the series (the first period still ahead), None: no series
    rrule: str = ""  # a plain RRULE every client expands the same way, or ""
    rdates: tuple[date, ...] = ()  # else the further periods within the window (each its own event)


#: The order icalendar's vRecur writes rule parts in (its canonical_order), kept without importing it.
_RULE_ORDER = (
    "RSCALE",
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYWEEKDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
    "SKIP",
)


def _years_later(day: date, years: int) -> date:
    return date(min(day.year + years, 9999), day.month, 28 if day.month == 2 else min(day.day, 30))


def _plain_rule(rule: str, skipped: int) -> str | None:
    """The task's rule as RFC 5545 text from a later DTSTART, *skipped* periods on (None: no such rule)."""
    parts = rule_parts(validate_rrule(rule))
    if any(key in UNEVEN_PARTS for key, _v in parts):
        return None
    out = []
    for key, value in sorted(parts, key=lambda kv: _RULE_ORDER.index(kv[0])):
        if key == "UNTIL":
            value = value[:8]  # a DATE, the value type of an all-day DTSTART
        elif key == "COUNT":
            value = str(int(value) - skipped)
        out.append(f"{key}={value}")
    return ";".join(out)


def rfc_dates(text: str, start: date, until: date, limit: int = 2000) -> list[date]:
    """The dates RFC 5545 gives for rule *text* from DTSTART *start* up to *until* (plain dateutil)."""
    from dateutil.rrule import rrulestr

    parts = rule_parts(text)
    stop = next((value for key, value in parts if key == "UNTIL"), None)
    rule = rrulestr(";".join(f"{k}={v}" for k, v in parts if k != "UNTIL"), dtstart=datetime.combine(start, time()))
    if stop is not None:
        rule = rule.replace(until=datetime(int(stop[:4]), int(stop[4:6]), int(stop[6:8])))
    found: list[date] = []
    for moment in rule:
        if moment.date() > until or len(found) >= limit:
            break
        found.append(moment.date())
    return found


@lru_cache(maxsize=1024)
def plan_series(task_rule: str, first: date, current: date, done: bool, late: bool, window: tuple) -> Series:
    """The periods of a duty with rule *task_rule* from *first*, whose current period is due *current*.

    Periods before *current* (and *current* itself once *done*) are finished.  The series
    starts at the first period still ahead and is written as a plain RRULE when plain
    RFC 5545 expansion gives exactly the dates :mod:`actionplan.core.recurrence` gives
    (what ``done`` moves along), else as one event per period within *window* (RDATE
    would do, but calcurse 4.7 ignores it).
    """
    lo, hi = window
    finished = occurrences(task_rule, first, current if done else current - _ONE_DAY, limit=100_000)
    shown = tuple(d for d in finished if (lo is None or d >= lo) and (hi is None or d <= hi))[-MAX_PAST_PERIODS:]
    if done:
        return Series(done=shown)
    ahead = current
    if late:
        following = occurrences(task_rule, first, _years_later(current, CHECK_YEARS), limit=100_000)
        ahead = next((d for d in following if d > current), None)  # type: ignore[assignment]
        if ahead is None:
            return Series(done=shown, late=current)
    skipped = len(finished) + (1 if late else 0)
    horizon = _years_later(ahead, CHECK_YEARS)
    expected = [d for d in occurrences(task_rule, first, horizon, limit=100_000) if d >= ahead]
    plain = _plain_rule(task_rule, skipped)
    if plain is not None and "COUNT=0" not in plain and rfc_dates(plain, ahead, horizon) == expected:
        return Series(done=shown, late=current if late else None, start=ahead, rrule=plain)
    end = hi if hi is not None else _years_later(ahead, RDATE_YEARS)
    further = tuple(d for d in occurrences(task_rule, first, end, limit=100_000) if d > ahead)
    return Series(done=shown, late=current if late else None, start=ahead, rdates=further)


def task_series(task: Task, ctx: EventContext) -> Series | None:
    """:func:`plan_series` for *task* (None for a task that does not recur or has no date)."""
    first = task.start or task.deadline
    if not task.recurrence or first is None:
        return None
    current = task.deadline or first
    late = late_days(task, ctx.today) > 0
    return plan_series(task.recurrence, first, current, task.status == TaskStatus.DONE, late, ctx.window)


def trigger_for(days: int, at: time) -> timedelta:
    """TRIGGER of an alarm *days* before an all-day event, at local time *at* (7 days, 09:00 -> -P6DT15H)."""
    return timedelta(hours=at.hour, minutes=at.minute) - timedelta(days=days)


def categories(task: Task) -> list[str]:
    """CATEGORIES: the task's tags, then its plan, each once."""
    return list(_categories(tuple(task.tags), task.plan))


@lru_cache(maxsize=1024)
def _categories(tags: tuple[str, ...], plan: str) -> tuple[str, ...]:
    cats = [tag for tag in map(_tag, tags) if tag.strip()]
    return tuple(dict.fromkeys(cats + [plan]))


@lru_cache(maxsize=16384)
def _categories_line(tags: tuple[str, ...], plan: str) -> str:
    """The whole CATEGORIES line (the same few sets of tags repeat over thousands of tasks)."""
    return line("CATEGORIES", text_list(_categories(tags, plan)))


@lru_cache(maxsize=4096)
def _tag(value: str) -> str:
    """A tag as it goes out (the same few tags repeat over thousands of tasks)."""
    return _text(value)


def task_anchor(task: Task) -> date | None:
    """The deadline event's date: a recurring duty's start (the series' first date), else the deadline."""
    return task.start if (task.recurrence and task.start) else task.deadline


_ONE_DAY = timedelta(days=1)


#: DTSTAMP of a cached component: the export puts the moment it publishes in its place.
STAMP_PLACEHOLDER = "*"
_STAMP_LINE = f"\r\nDTSTAMP:{STAMP_PLACEHOLDER}\r\n"


_STAMP_LINE_UTF8 = _STAMP_LINE.encode("ascii")


@overload
def stamp_events(text: str, published: datetime) -> str: ...
@overload
def stamp_events(text: bytes, published: datetime) -> bytes: ...
def stamp_events(text: str | bytes, published: datetime) -> str | bytes:
    """Components written with ``published=None`` (as text or UTF-8), with DTSTAMP set to *published* (UTC).

    User text never holds a bare CR LF (it is escaped), so the placeholder line is ours.
    """
    line = f"\r\nDTSTAMP:{utc_value(published)}\r\n"
    if isinstance(text, bytes):
        return text.replace(_STAMP_LINE_UTF8, line.encode("ascii"))
    return text.replace(_STAMP_LINE, line)


def organizer(task: Task, ctx: EventContext) -> tuple[str, str] | None:
    """(common name, email) of the task's ORGANIZER: its lead agency, as the export resolved it."""
    return ctx.organizers.get(task.lead)


def completed_at(task: Task, ctx: EventContext) -> datetime | None:
    """COMPLETED of a done to-do: the start of its completion day in the committee's zone, in UTC."""
    if task.status != TaskStatus.DONE or task.completed_on is None:
        return None
    from actionplan.core.dates import get_zone

    return datetime.combine(task.completed_on, time(), get_zone(ctx.zone)).astimezone(UTC)


class _Shared:
    """What every component of one task repeats, written once (values in iCal form)."""

    __slots__ = ("stamp", "dtstamp", "sequence", "description", "categories", "summary", "uid", "extra", "plain")

    def __init__(self, task: Task, ctx: EventContext) -> None:
        self.stamp = _stamp_value(task.updated_at, ctx.fallback_stamp, ctx.revised_at)  # LAST-MODIFIED
        self.dtstamp = utc_value(ctx.published) if ctx.published else STAMP_PLACEHOLDER
        self.sequence = str(sequence(task, ctx))
        self.description = line("DESCRIPTION", escape_text(description(task, ctx)))  # the whole line
        self.categories = _categories_line(tuple(task.tags), task.plan)  # the whole line
        lead = ctx.org_names.get(task.lead, "") if language() == "vi" else ""
        plain = summary(task, lead)
        self.plain = escape_text(plain)  # without the lateness words
        days = late_days(task, ctx.today)  # the summary is event_summary's, escaped, not folded
        self.summary = escape_text(f"{late_words(days)}: {plain}") if days else self.plain
        self.uid = task_uid(task, ctx.db_id)
        who = organizer(task, ctx)
        # CLASS goes before DESCRIPTION, ORGANIZER after LAST-MODIFIED (alphabetical order)
        self.extra = (_class_line(ctx.classification), _organizer_line(*who) if who else "")


@lru_cache(maxsize=8)
def _class_line(classification: str) -> str:
    return line("CLASS", classification)


@lru_cache(maxsize=1024)
def _organizer_line(name: str, email: str) -> str:
    """The ORGANIZER line of an agency (the same few leads over thousands of tasks)."""
    return line("ORGANIZER;CN=" + param_value(name), "mailto:" + email)


def _with_suffix(uid: str, suffix: str) -> str:
    """:func:`task_uid` with a suffix, from the UID without one."""
    return f"{uid[: -len(_UID_END)]}.{safe_part(suffix)}{_UID_END}"


def _due_prefix(days: int) -> str:
    """The escaped words and colon in front of a heads-up's or an alarm's summary ("Due in 7 days: ")."""
    return _due_prefix_in(days, language())


@lru_cache(maxsize=256)
def _due_prefix_in(days: int, lang: str) -> str:
    return escape_text(due_in(days)) + ": "


@lru_cache(maxsize=256)
def _trigger(days: int, at: time) -> str:
    """The TRIGGER value of an alarm *days* before at *at*."""
    return duration_value(trigger_for(days, at))


def _all_day_event(
    summary_text: str, day: date, uid: str, shared: _Shared, rrule: str, tail: str, description_line: str = ""
) -> str:
    """A VEVENT in icalendar's property order (Event.canonical_order, then alphabetical).

    *summary_text* is escaped; *rrule* holds the RRULE or RDATE line or ""; *tail* holds what
    follows ORGANIZER; *description_line* replaces the task's DESCRIPTION line when given.
    """
    return (
        f"BEGIN:VEVENT\r\n{fold('SUMMARY:' + summary_text)}\r\n{_day_lines(day)}"
        f"DTSTAMP:{shared.dtstamp}\r\n{fold('UID:' + uid)}\r\nSEQUENCE:{shared.sequence}\r\n"
        f"{rrule}{shared.categories}{shared.extra[0]}{description_line or shared.description}"
        f"LAST-MODIFIED:{shared.stamp}\r\n{shared.extra[1]}{tail}"
    )


@lru_cache(maxsize=4096)
def _day_lines(day: date) -> str:
    """DTSTART and DTEND of an all-day event on *day* (deadlines of many tasks fall on the same days)."""
    return f"DTSTART;VALUE=DATE:{date_value(day)}\r\nDTEND;VALUE=DATE:{date_value(day + _ONE_DAY)}\r\n"


def period_uid(uid: str, day: date) -> str:
    """The UID of one period of a duty, kept as the period goes from late to done."""
    return _with_suffix(uid, f"period-{date_value(day)}")


def period_description(task: Task, ctx: EventContext, day: date, done: bool) -> str:
    """A finished (or late) period's notes: what it was, then the task's own notes."""
    head = _("Done for the period due {date}") if done else _("Period due {date}, not yet done")
    return head.format(date=l10n.iso_or_day(day)) + "\n\n" + description(task, ctx)


def period_events(task: Task, ctx: EventContext, series: Series, shared: _Shared) -> str:
    """One event per finished period (marked done) and for a late current period; none has alarms."""
    priority = f"PRIORITY:{PRIORITY.get(str(task.priority), 5)}\r\n"
    tail = f"{priority}STATUS:CONFIRMED\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
    lead = ctx.org_names.get(task.lead, "") if language() == "vi" else ""
    done_title = escape_text(f"{summary(task, lead)} [{_('done')}]") if task.status != TaskStatus.DONE else shared.plain
    parts = [
        _all_day_event(
            done_title,
            day,
            period_uid(shared.uid, day),
            shared,
            "",
            tail,
            line("DESCRIPTION", escape_text(period_description(task, ctx, day, True))),
        )
        for day in series.done
    ]
    if series.late is not None:
        text = line("DESCRIPTION", escape_text(period_description(task, ctx, series.late, False)))
        parts.append(
            _all_day_event(shared.summary, series.late, period_uid(shared.uid, series.late), shared, "", tail, text)
        )
    return "".join(parts)


def series_lines(series: Series) -> str:
    """The RRULE line of a series ("" when its periods go out one by one)."""
    return line("RRULE", series.rrule) if series.rrule else ""


def deadline_event(task: Task, ctx: EventContext, anchor: date, shared: _Shared | None = None) -> str:
    """The all-day event on the deadline (a series for a recurring duty), with its alarms.

    A recurring duty's finished periods and a late current period go out as their own
    events (:func:`period_events`); the series starts at the first period still ahead.
    """
    shared = shared or _Shared(task, ctx)
    series = task_series(task, ctx) if task.recurrence else None
    rrule = ""
    title = shared.summary
    before = ""
    dates = [anchor]
    uids = [shared.uid]
    if series is not None:
        before = period_events(task, ctx, series, shared)
        if series.start is None:
            return before
        anchor, rrule = series.start, series_lines(series)
        title = shared.plain if series.late else shared.summary  # the periods ahead are not late
        dates = [anchor]
        if not rrule:  # no plain rule gives the dates: each period is its own event, read alike everywhere
            dates += list(series.rdates)
            uids = [period_uid(shared.uid, day) for day in dates]
    status = "CANCELLED" if task.status == _CANCELLED else "CONFIRMED"
    tail = f"PRIORITY:{PRIORITY.get(str(task.priority), 5)}\r\nSTATUS:{status}\r\nTRANSP:TRANSPARENT\r\n"
    if task.status not in CLOSED_STATUSES:  # open: it reminds
        plain = shared.plain
        tail += "".join(
            [
                f"{head}{fold(words + plain)}{trigger}"
                for head, words, trigger in _alarm_parts(ctx.reminder_days, ctx.reminder_time, language())
            ]
        )
    tail += "END:VEVENT\r\n"
    if len(dates) == 1:
        return before + _all_day_event(title, anchor, uids[0], shared, rrule, tail)
    return before + "".join([_all_day_event(title, day, uid, shared, rrule, tail) for day, uid in zip(dates, uids)])


@lru_cache(maxsize=16)
def _alarm_parts(reminder_days: tuple[int, ...], at: time, lang: str) -> tuple[tuple[str, str, str], ...]:
    """Each alarm as (its first lines, the start of its DESCRIPTION, the rest), for the
    summary to go between (the same alarms end every event of a plan)."""
    return tuple(
        (
            "BEGIN:VALARM\r\nACTION:DISPLAY\r\n",
            "DESCRIPTION:" + _due_prefix(days),
            f"\r\nTRIGGER:{_trigger(days, at)}\r\nEND:VALARM\r\n",
        )
        for days in reminder_days
    )


def heads_up_events(task: Task, ctx: EventContext, shared: _Shared | None = None) -> str:
    """Short all-day events before the (current) deadline, which every calendar shows.

    A closed task keeps them, marked CANCELLED, so a re-import removes them.
    """
    if not ctx.reminder_events or task.deadline is None:
        return ""
    shared = shared or _Shared(task, ctx)
    tail = f"STATUS:{'CONFIRMED' if task.is_open else 'CANCELLED'}\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
    return "".join(
        _all_day_event(
            _due_prefix(days) + shared.plain,
            task.deadline - timedelta(days=days),
            _with_suffix(shared.uid, f"due-in-{days}d"),
            shared,
            "",
            tail,
        )
        for days in ctx.reminder_days
        if days != 0
    )


def todo_item(task: Task, ctx: EventContext, shared: _Shared | None = None) -> str:
    """A VTODO due on the current deadline (no alarms: the event carries them); properties alphabetical."""
    if not ctx.todo or task.deadline is None:
        return ""
    shared = shared or _Shared(task, ctx)
    status = TODO_STATUS.get(task.status, "NEEDS-ACTION")
    done = 100 if task.status == TaskStatus.DONE else max(0, min(100, task.progress))
    finished = completed_at(task, ctx)
    completed = f"COMPLETED:{utc_value(finished)}\r\n" if finished else ""
    return (
        f"BEGIN:VTODO\r\n{shared.categories}{shared.extra[0]}{completed}{shared.description}"
        f"DTSTAMP:{shared.dtstamp}\r\n"
        f"DUE;VALUE=DATE:{date_value(task.deadline)}\r\nLAST-MODIFIED:{shared.stamp}\r\n{shared.extra[1]}"
        f"PERCENT-COMPLETE:{done}\r\nPRIORITY:{PRIORITY.get(str(task.priority), 5)}\r\n"
        f"SEQUENCE:{shared.sequence}\r\nSTATUS:{status}\r\n{fold('SUMMARY:' + shared.summary)}\r\n"
        f"{fold('UID:' + _with_suffix(shared.uid, 'todo'))}\r\nEND:VTODO\r\n"
    )


def task_components(task: Task, ctx: EventContext) -> str:
    """The serialised components of one task ("" for a task without a date)."""
    anchor = task_anchor(task)
    if anchor is None:
        return ""
    shared = _Shared(task, ctx)
    text = deadline_event(task, ctx, anchor, shared)
    if ctx.reminder_events:
        text += heads_up_events(task, ctx, shared)
    if ctx.todo:
        text += todo_item(task, ctx, shared)
    return text
