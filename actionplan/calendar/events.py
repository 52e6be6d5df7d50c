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
from typing import TYPE_CHECKING

from actionplan.calendar.text import date_value, duration_value, escape_text, fold, line, text_list, utc_value
from actionplan.core.i18n import _
from actionplan.core.model import Task, TaskStatus
from actionplan.core.recurrence import describe_rrule, validate_rrule
from actionplan.core.text import clean

if TYPE_CHECKING:  # pragma: no cover - typing only
    from icalendar import vRecur

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
    return clean(str(value or ""))


def summary(task: Task) -> str:
    """``2.3 Draft the sanctions decree — MPS`` (``[done]`` added for a done task)."""
    text = f"{task.key} {_text(task.title)} — {task.lead}"
    if task.status == TaskStatus.DONE:
        text += " [" + _("done") + "]"
    return text


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


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    """The description's translated line labels, looked up once (the catalogue is fixed per process)."""
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
    return {**{key: f"{word}: " for key, word in labels.items()}, "done": "% " + _("done")}


def description(task: Task, ctx: EventContext) -> str:
    """Lead, accountable head, coordinating orgs, output, status, progress, source and plan."""
    names, label = ctx.org_names, _labels()
    lines = [
        f"{label['Task']}{task.ref}",
        f"{label['Lead']}{_org_label(task.lead, names.get(task.lead) or task.lead_name)}",
        f"{label['Accountable']}{_text(task.accountable) or '-'}",
        label["Coordinating"] + ("; ".join(_org_label(k, names.get(k, "")) for k in task.coordinating) or "-"),
    ]
    if task.deadline:
        written = f' ("{_text(task.deadline_text)}")' if task.deadline_text else ""
        lines.append(f"{label['Deadline']}{task.deadline.isoformat()}{written}")
    if task.recurrence:
        lines.append(f"{label['Repeats']}{describe_rrule(task.recurrence)}")
    lines.append(f"{label['Expected output']}{_text(task.output) or '-'}")
    lines.append(f"{label['Status']}{task.status}, {task.progress}{label['done']}")
    if task.status == TaskStatus.BLOCKED and task.blocked_reason:
        lines.append(f"{label['Blocked by']}{_text(task.blocked_reason)}")
    if task.source:
        lines.append(f"{label['Source']}{_text(task.source)}")
    lines.append(f"{label['Plan']}{_plan_label(task.plan, ctx.plan_title, ctx.plan_reference)}")
    if task.description:
        lines += ["", _text(task.description).strip()]
    return "\n".join(lines)


def last_change(task: Task, ctx: EventContext) -> datetime:
    """DTSTAMP and LAST-MODIFIED: the last change to the task or to what else its events
    show (its plan's title, an agency's name, the reminders), in UTC."""
    moment = None
    if task.updated_at:
        try:
            moment = datetime.fromisoformat(task.updated_at)
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        except ValueError:
            moment = None
    if moment is None:
        moment = (ctx.fallback_stamp or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
        moment = moment.replace(microsecond=0)
    return max(moment, ctx.revised_at) if ctx.revised_at else moment


def sequence(task: Task, ctx: EventContext) -> int:
    """SEQUENCE: goes up with every change to the task (its version) and to what else its
    events show (ctx.revision), so calendar apps that re-import a file take the new text."""
    return max(0, task.version) + ctx.revision


def calendar_rule(rule: str, anchor: date) -> vRecur:
    """The task's recurrence as calendars must see it to produce the program's dates.

    Uses the same rule parts as :func:`actionplan.core.recurrence.next_occurrence` (a
    late-month start keeps to the month's end), and writes UNTIL as a date,
    the value type of an all-day DTSTART.
    """
    from icalendar import vRecur

    from actionplan.core.recurrence import month_end_parts, rule_parts

    pairs = rule_parts(validate_rrule(rule))
    pairs += month_end_parts(pairs, anchor)
    text = ";".join(f"{k}={v[:8] if k == 'UNTIL' else v}" for k, v in pairs)
    return vRecur.from_ical(text)


def trigger_for(days: int, at: time) -> timedelta:
    """TRIGGER of an alarm *days* before an all-day event, at local time *at* (7 days, 09:00 -> -P6DT15H)."""
    return timedelta(hours=at.hour, minutes=at.minute) - timedelta(days=days)


def categories(task: Task) -> list[str]:
    """CATEGORIES: the task's tags, then its plan, each once."""
    cats = [tag for tag in map(_tag, task.tags) if tag.strip()]
    return list(dict.fromkeys(cats + [task.plan]))


@lru_cache(maxsize=4096)
def _tag(value: str) -> str:
    """A tag as it goes out (the same few tags repeat over thousands of tasks)."""
    return _text(value)


def task_anchor(task: Task) -> date | None:
    """The deadline event's date: a recurring duty's start (the series' first date), else the deadline."""
    return task.start if (task.recurrence and task.start) else task.deadline


_ONE_DAY = timedelta(days=1)


class _Shared:
    """What every component of one task repeats, written once (values in iCal form)."""

    __slots__ = ("stamp", "sequence", "description", "categories", "summary", "uid")

    def __init__(self, task: Task, ctx: EventContext) -> None:
        self.stamp = utc_value(last_change(task, ctx))  # DTSTAMP and LAST-MODIFIED
        self.sequence = str(sequence(task, ctx))
        self.description = line("DESCRIPTION", escape_text(description(task, ctx)))  # the whole line
        self.categories = line("CATEGORIES", text_list(categories(task)))  # the whole line
        self.summary = escape_text(summary(task))  # escaped, not folded
        self.uid = task_uid(task, ctx.db_id)


def _with_suffix(uid: str, suffix: str) -> str:
    """:func:`task_uid` with a suffix, from the UID without one."""
    return f"{uid[: -len(_UID_END)]}.{safe_part(suffix)}{_UID_END}"


@lru_cache(maxsize=256)
def _due_prefix(days: int) -> str:
    """The escaped words and colon in front of a heads-up's or an alarm's summary ("Due in 7 days: ")."""
    return escape_text(due_in(days)) + ": "


@lru_cache(maxsize=256)
def _trigger(days: int, at: time) -> str:
    """The TRIGGER value of an alarm *days* before at *at*."""
    return duration_value(trigger_for(days, at))


def _all_day_event(summary_text: str, day: date, uid: str, shared: _Shared, rrule: str, tail: str) -> str:
    """A VEVENT in icalendar's property order (Event.canonical_order, then alphabetical).

    *summary_text* is escaped; *rrule* is the RRULE line or ""; *tail* holds what follows LAST-MODIFIED.
    """
    return (
        f"BEGIN:VEVENT\r\n{fold('SUMMARY:' + summary_text)}\r\n"
        f"DTSTART;VALUE=DATE:{date_value(day)}\r\nDTEND;VALUE=DATE:{date_value(day + _ONE_DAY)}\r\n"
        f"DTSTAMP:{shared.stamp}\r\n{fold('UID:' + uid)}\r\nSEQUENCE:{shared.sequence}\r\n"
        f"{rrule}{shared.categories}{shared.description}LAST-MODIFIED:{shared.stamp}\r\n{tail}"
    )


def deadline_event(task: Task, ctx: EventContext, anchor: date, shared: _Shared | None = None) -> str:
    """The all-day event on the deadline (a series for a recurring duty), with its alarms."""
    shared = shared or _Shared(task, ctx)
    rrule = line("RRULE", calendar_rule(task.recurrence, anchor).to_ical().decode("utf-8")) if task.recurrence else ""
    status = "CANCELLED" if task.status == TaskStatus.CANCELLED else "CONFIRMED"
    tail = f"PRIORITY:{PRIORITY.get(str(task.priority), 5)}\r\nSTATUS:{status}\r\nTRANSP:TRANSPARENT\r\n"
    if task.is_open:
        for days in ctx.reminder_days:
            tail += (
                f"BEGIN:VALARM\r\nACTION:DISPLAY\r\n{fold('DESCRIPTION:' + _due_prefix(days) + shared.summary)}"
                f"\r\nTRIGGER:{_trigger(days, ctx.reminder_time)}\r\nEND:VALARM\r\n"
            )
    return _all_day_event(shared.summary, anchor, shared.uid, shared, rrule, tail + "END:VEVENT\r\n")


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
            _due_prefix(days) + shared.summary,
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
    return (
        f"BEGIN:VTODO\r\n{shared.categories}{shared.description}DTSTAMP:{shared.stamp}\r\n"
        f"DUE;VALUE=DATE:{date_value(task.deadline)}\r\nLAST-MODIFIED:{shared.stamp}\r\n"
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
    return deadline_event(task, ctx, anchor, shared) + heads_up_events(task, ctx, shared) + todo_item(task, ctx, shared)
