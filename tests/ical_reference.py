"""The oracle for actionplan.calendar.events: one task's components built and serialised by icalendar.

This is the builder the export used before it got its own writer
(actionplan.calendar.text, for speed).  The words (summary, description, UIDs,
stamps, rules, triggers) come from actionplan.calendar.events; only the
serialisation is icalendar's, so a test comparing
``ical_events.task_components`` with :func:`task_components` here checks
that our writer escapes, folds, orders and formats exactly as icalendar does.

One deliberate difference: icalendar turns the two characters ``\\N`` of a
value into a line break before escaping, so a title that holds them would
reach calendars with a line break in it.  The oracle serialises with that one
step removed (:func:`rfc_text_escaping`), the rest of icalendar's escaping
unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import icalendar.prop.text
from icalendar import Alarm, Event, Todo, vCalAddress, vRecur
from icalendar.parser.string import _escape_char

from actionplan.calendar.events import (
    PRIORITY,
    TODO_STATUS,
    EventContext,
    categories,
    completed_at,
    description,
    due_in,
    event_summary,
    last_change,
    organizer,
    period_description,
    period_uid,
    sequence,
    summary,
    task_anchor,
    task_series,
    task_uid,
    trigger_for,
)
from actionplan.core.model import Task, TaskStatus


def rfc_escape(text: str | bytes) -> str:
    """icalendar's TEXT escaping, with each literal ``\\N`` written as an escaped backslash and an N."""
    value = text.decode("utf-8") if isinstance(text, bytes) else text
    return "\\\\N".join(_escape_char(part) for part in value.split("\\N"))


@contextmanager
def rfc_text_escaping() -> Iterator[None]:
    """icalendar's vText escaping, with a literal ``\\N`` kept as text, while the block runs."""
    original = icalendar.prop.text._escape_char
    icalendar.prop.text._escape_char = rfc_escape
    try:
        yield
    finally:
        icalendar.prop.text._escape_char = original


def _common(component, task: Task, ctx: EventContext, uid: str, title: str) -> None:
    assert ctx.published is not None, "the reference writes the DTSTAMP of a published calendar"
    component.add("uid", uid)
    component.add("dtstamp", ctx.published)
    component.add("last-modified", last_change(task, ctx))
    component.add("sequence", sequence(task, ctx))
    component.add("summary", title)
    component.add("class", ctx.classification)
    who = organizer(task, ctx)
    if who:
        address = vCalAddress("mailto:" + who[1])
        address.params["CN"] = who[0]
        component.add("organizer", address)


def _all_day(event: Event, day: date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")


def period_events(task: Task, ctx: EventContext, series) -> list[Event]:
    """A recurring duty's finished periods (marked done) and its late current period; no alarms."""
    found = []
    plain = summary(task)
    for day, done in [(d, True) for d in series.done] + ([(series.late, False)] if series.late else []):
        event = Event()
        if done:
            title = plain if task.status == TaskStatus.DONE else f"{plain} [done]"
        else:
            title = event_summary(task, ctx)
        _common(event, task, ctx, period_uid(task_uid(task, ctx.db_id), day), title)
        _all_day(event, day)
        event.add("description", period_description(task, ctx, day, done))
        event.add("categories", categories(task))
        event.add("priority", PRIORITY.get(str(task.priority), 5))
        event.add("status", "CONFIRMED")
        found.append(event)
    return found


def deadline_event(task: Task, ctx: EventContext, anchor: date) -> list[Event]:
    """The all-day event on the deadline (a series for a recurring duty), with its alarms,
    after a recurring duty's period events."""
    title = event_summary(task, ctx)
    series = task_series(task, ctx)
    before = []
    uid = task_uid(task, ctx.db_id)
    if series is not None:
        before = period_events(task, ctx, series)
        if series.start is None:
            return before
        anchor = series.start
        if series.late:
            title = summary(task)
        if not series.rrule:  # one event per period
            days = [anchor, *series.rdates]
            return before + [_deadline(task, ctx, day, period_uid(uid, day), title, None) for day in days]
    return before + [_deadline(task, ctx, anchor, uid, title, series.rrule if series else None)]


def _deadline(task: Task, ctx: EventContext, anchor: date, uid: str, title: str, rrule: str | None) -> Event:
    event = Event()
    _common(event, task, ctx, uid, title)
    _all_day(event, anchor)
    if rrule:
        event.add("rrule", vRecur.from_ical(rrule))
    event.add("description", description(task, ctx))
    event.add("categories", categories(task))
    event.add("priority", PRIORITY.get(str(task.priority), 5))
    event.add("status", "CANCELLED" if task.status == TaskStatus.CANCELLED else "CONFIRMED")
    if task.is_open:
        for days in ctx.reminder_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{due_in(days)}: {summary(task)}")
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
    _common(todo, task, ctx, task_uid(task, ctx.db_id, "todo"), event_summary(task, ctx))
    finished = completed_at(task, ctx)
    if finished:
        todo.add("completed", finished)
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
    parts = deadline_event(task, ctx, anchor)
    parts += heads_up_events(task, ctx)
    todo = todo_item(task, ctx)
    if todo is not None:
        parts.append(todo)
    with rfc_text_escaping():
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
    with rfc_text_escaping():
        text = cal.to_ical().decode("utf-8")
    footer = "END:VCALENDAR\r\n"
    return text[: -len(footer)] + zone_text(zone), footer
