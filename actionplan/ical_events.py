"""The iCal components of one task: its deadline event, alarms, heads-up events and to-do.

:func:`task_components` turns one task into the serialised text of its
components (``BEGIN:VEVENT`` ... ``END:VEVENT``, CRLF line ends), built and
escaped by icalendar.  The text depends only on the task (its version), the
:class:`EventContext` and nothing else (no clock), so :mod:`actionplan.ical`
can keep it in the store's cache and concatenate it on the next export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping

from icalendar import Alarm, Event, Todo, vRecur

from actionplan.i18n import _
from actionplan.model import Task, TaskStatus
from actionplan.recurrence import validate_rrule
from actionplan.text import clean

UID_DOMAIN = "actionplan"
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")

_PRIORITY = {"critical": 1, "high": 3, "normal": 5, "low": 9}
_TODO_STATUS = {TaskStatus.NOT_STARTED: "NEEDS-ACTION", TaskStatus.IN_PROGRESS: "IN-PROCESS",
                TaskStatus.BLOCKED: "NEEDS-ACTION", TaskStatus.DONE: "COMPLETED", TaskStatus.CANCELLED: "CANCELLED"}


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


def safe_part(value: str) -> str:
    """*value* reduced to letters, digits and dashes (for UIDs)."""
    return _UNSAFE.sub("-", value).strip("-") or "x"


def task_uid(task: Task, db_id: str, suffix: str = "") -> str:
    """``<plan>.<key with dots as dashes>.<db id>[.<suffix>]@actionplan``, stable across edits."""
    parts = [safe_part(task.plan), safe_part(task.key.replace(".", "-")), safe_part(db_id)]
    if suffix:
        parts.append(safe_part(suffix))
    return ".".join(parts) + "@" + UID_DOMAIN


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


def _org_label(key: str, names: Mapping[str, str]) -> str:
    name = names.get(key, "")
    return f"{key} — {_text(name)}" if name else key


def description(task: Task, ctx: EventContext) -> str:
    """Lead, accountable head, coordinating orgs, output, status, progress, source and plan."""
    from actionplan.recurrence import describe_rrule

    lines = [
        _("Task") + f": {task.ref}",
        _("Lead") + f": {_org_label(task.lead, {task.lead: ctx.org_names.get(task.lead) or task.lead_name})}",
        _("Accountable") + f": {_text(task.accountable) or '-'}",
        _("Coordinating") + ": " + ("; ".join(_org_label(k, ctx.org_names) for k in task.coordinating) or "-"),
    ]
    if task.deadline:
        written = f' ("{_text(task.deadline_text)}")' if task.deadline_text else ""
        lines.append(_("Deadline") + f": {task.deadline.isoformat()}{written}")
    if task.recurrence:
        lines.append(_("Repeats") + f": {describe_rrule(task.recurrence)}")
    lines.append(_("Expected output") + f": {_text(task.output) or '-'}")
    lines.append(_("Status") + f": {task.status}, {task.progress}% " + _("done"))
    if task.status == TaskStatus.BLOCKED and task.blocked_reason:
        lines.append(_("Blocked by") + f": {_text(task.blocked_reason)}")
    if task.source:
        lines.append(_("Source") + f": {_text(task.source)}")
    plan = f"{task.plan} — {_text(ctx.plan_title)}" if ctx.plan_title else task.plan
    if ctx.plan_reference:
        plan += f" ({_text(ctx.plan_reference)})"
    lines.append(_("Plan") + f": {plan}")
    if task.description:
        lines += ["", _text(task.description).strip()]
    return "\n".join(lines)


def _stamp(task: Task, ctx: EventContext) -> datetime:
    """DTSTAMP and LAST-MODIFIED: the task's last change (UTC)."""
    if task.updated_at:
        try:
            moment = datetime.fromisoformat(task.updated_at)
            return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        except ValueError:
            pass
    moment = ctx.fallback_stamp or datetime(1970, 1, 1, tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def calendar_rule(rule: str, anchor: date) -> vRecur:
    """The task's recurrence as calendars must see it to produce the program's dates.

    Uses the same rule parts as :func:`actionplan.recurrence.next_occurrence` (a
    late-month start keeps to the month's end), and writes UNTIL as a date,
    the value type of an all-day DTSTART.
    """
    from actionplan.recurrence import month_end_parts, rule_parts

    pairs = rule_parts(validate_rrule(rule))
    pairs += month_end_parts(pairs, anchor)
    text = ";".join(f"{k}={v[:8] if k == 'UNTIL' else v}" for k, v in pairs)
    return vRecur.from_ical(text)


def _common(component, task: Task, ctx: EventContext, uid: str, title: str) -> None:
    stamp = _stamp(task, ctx)
    component.add("uid", uid)
    component.add("dtstamp", stamp)
    component.add("last-modified", stamp)
    component.add("sequence", max(0, task.version))
    component.add("summary", title)


def _all_day(event: Event, day: date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")


def trigger_for(days: int, at: time) -> timedelta:
    """TRIGGER of an alarm *days* before an all-day event, at local time *at* (7 days, 09:00 -> -P6DT15H)."""
    return timedelta(hours=at.hour, minutes=at.minute) - timedelta(days=days)


def _categories(task: Task) -> list[str]:
    cats = [_text(t) for t in task.tags if _text(t).strip()]
    return list(dict.fromkeys(cats + [task.plan]))


def deadline_event(task: Task, ctx: EventContext, anchor: date) -> Event:
    """The all-day event on the deadline (a series for a recurring duty), with its alarms."""
    event = Event()
    title = summary(task)
    _common(event, task, ctx, task_uid(task, ctx.db_id), title)
    _all_day(event, anchor)
    if task.recurrence:
        event.add("rrule", calendar_rule(task.recurrence, anchor))
    event.add("description", description(task, ctx))
    event.add("categories", _categories(task))
    event.add("priority", _PRIORITY.get(str(task.priority), 5))
    event.add("status", "CANCELLED" if task.status == TaskStatus.CANCELLED else "CONFIRMED")
    if task.is_open:
        for days in ctx.reminder_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{due_in(days)}: {title}")
            alarm.add("trigger", trigger_for(days, ctx.reminder_time))
            event.add_component(alarm)
    return event


def heads_up_events(task: Task, ctx: EventContext) -> list[Event]:
    """Short all-day events before the (current) deadline, which every calendar shows.

    A closed task keeps them, marked CANCELLED, so a re-import removes them.
    """
    if not ctx.reminder_events or task.deadline is None:
        return []
    events = []
    for days in ctx.reminder_days:
        if days == 0:
            continue
        event = Event()
        _common(event, task, ctx, task_uid(task, ctx.db_id, f"due-in-{days}d"), f"{due_in(days)}: {summary(task)}")
        _all_day(event, task.deadline - timedelta(days=days))
        event.add("description", description(task, ctx))
        event.add("categories", _categories(task))
        event.add("status", "CONFIRMED" if task.is_open else "CANCELLED")
        events.append(event)
    return events


def todo_item(task: Task, ctx: EventContext) -> Todo | None:
    """A VTODO due on the current deadline (no alarms: the event carries them)."""
    if not ctx.todo or task.deadline is None:
        return None
    todo = Todo()
    _common(todo, task, ctx, task_uid(task, ctx.db_id, "todo"), summary(task))
    todo.add("due", task.deadline)
    todo.add("description", description(task, ctx))
    todo.add("categories", _categories(task))
    todo.add("priority", _PRIORITY.get(str(task.priority), 5))
    todo.add("status", _TODO_STATUS.get(task.status, "NEEDS-ACTION"))
    todo.add("percent-complete", 100 if task.status == TaskStatus.DONE else max(0, min(100, task.progress)))
    return todo


def task_components(task: Task, ctx: EventContext) -> str:
    """The serialised components of one task ("" for a task without a date)."""
    anchor = task.start if (task.recurrence and task.start) else task.deadline
    if anchor is None:
        return ""
    parts = [deadline_event(task, ctx, anchor)]
    parts += heads_up_events(task, ctx)
    todo = todo_item(task, ctx)
    if todo is not None:
        parts.append(todo)
    return "".join(p.to_ical().decode("utf-8") for p in parts)
