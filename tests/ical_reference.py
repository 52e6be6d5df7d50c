"""The oracle for actionplan.calendar.events: one task's components built and serialised by icalendar.

This is the builder the export used before it got its own writer
(actionplan.calendar.text, for speed).  The words (summary, description, UIDs,
stamps, rules, triggers) come from actionplan.calendar.events; only the
serialisation is icalendar's, so a test comparing
``ical_events.task_components`` with :func:`task_components` here checks
that our writer escapes, folds, orders and formats exactly as icalendar does.
"""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Alarm, Event, Todo

from actionplan.calendar.events import (
    PRIORITY,
    TODO_STATUS,
    EventContext,
    calendar_rule,
    categories,
    description,
    due_in,
    last_change,
    sequence,
    summary,
    task_anchor,
    task_uid,
    trigger_for,
)
from actionplan.core.model import Task, TaskStatus


def _common(component, task: Task, ctx: EventContext, uid: str, title: str) -> None:
    stamp = last_change(task, ctx)
    component.add("uid", uid)
    component.add("dtstamp", stamp)
    component.add("last-modified", stamp)
    component.add("sequence", sequence(task, ctx))
    component.add("summary", title)


def _all_day(event: Event, day: date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")


def deadline_event(task: Task, ctx: EventContext, anchor: date) -> Event:
    """The all-day event on the deadline (a series for a recurring duty), with its alarms."""
    event = Event()
    title = summary(task)
    _common(event, task, ctx, task_uid(task, ctx.db_id), title)
    _all_day(event, anchor)
    if task.recurrence:
        event.add("rrule", calendar_rule(task.recurrence, anchor))
    event.add("description", description(task, ctx))
    event.add("categories", categories(task))
    event.add("priority", PRIORITY.get(str(task.priority), 5))
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
    """Short all-day events before the (current) deadline; CANCELLED for a closed task."""
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
        event.add("categories", categories(task))
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
    todo.add("categories", categories(task))
    todo.add("priority", PRIORITY.get(str(task.priority), 5))
    todo.add("status", TODO_STATUS.get(task.status, "NEEDS-ACTION"))
    todo.add("percent-complete", 100 if task.status == TaskStatus.DONE else max(0, min(100, task.progress)))
    return todo


def task_components(task: Task, ctx: EventContext) -> str:
    """The components of one task serialised by icalendar ("" for a task without a date)."""
    anchor = task_anchor(task)
    if anchor is None:
        return ""
    parts = [deadline_event(task, ctx, anchor)]
    parts += heads_up_events(task, ctx)
    todo = todo_item(task, ctx)
    if todo is not None:
        parts.append(todo)
    return "".join(p.to_ical().decode("utf-8") for p in parts)


# --- the calendar's header and time zone, as icalendar built them ------------------------------------


def zone_text(zone: str) -> str:
    """The VTIMEZONE of *zone* as the export built it with icalendar."""
    from datetime import datetime

    from icalendar import Timezone, TimezoneStandard

    from actionplan.calendar.ical import ZONE_RANGE, fixed_offset
    from actionplan.core.dates import get_zone

    first, last = ZONE_RANGE
    if fixed_offset(zone) is None:  # which zones keep daylight saving is not what this checks
        return Timezone.from_tzinfo(get_zone(zone), zone, first, last).to_ical().decode("utf-8")
    offset, tzname = fixed_offset(zone)
    tz = Timezone()
    tz.add("tzid", zone)
    tz.add("comment", f"This timezone only works from {first} to {last}.")
    part = TimezoneStandard()
    part.add("dtstart", datetime(first.year, first.month, first.day))
    part.add("tzname", tzname or str(offset))
    part.add("tzoffsetfrom", offset)
    part.add("tzoffsetto", offset)
    tz.add_component(part)
    return tz.to_ical().decode("utf-8")


def calendar_frame(name: str, zone: str, caption: str = "") -> tuple[str, str]:
    """Header and footer of the calendar, every value through icalendar's types."""
    from icalendar import Calendar, vText

    from actionplan.calendar.ical import PRODID, REFRESH_HOURS
    from actionplan.core.text import clean

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal["NAME"] = vText(clean(name))
    cal["X-WR-CALNAME"] = vText(clean(name))
    if caption:
        cal["X-WR-CALDESC"] = vText(clean(caption))
    cal["X-WR-TIMEZONE"] = vText(zone)
    cal.add("refresh-interval", timedelta(hours=REFRESH_HOURS), parameters={"VALUE": "DURATION"})
    cal["X-PUBLISHED-TTL"] = vText(f"PT{REFRESH_HOURS}H")
    text = cal.to_ical().decode("utf-8")
    footer = "END:VCALENDAR\r\n"
    return text[: -len(footer)] + zone_text(zone), footer
