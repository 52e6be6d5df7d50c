"""Our iCal writer (actionplan.calendar.text, ical_events) writes exactly what icalendar writes.

The export writes each task's events itself because icalendar's serialiser
is too slow for 10,000 tasks.  Calendar programs must not see a difference:
these tests compare our text byte for byte with the same components built
and serialised by icalendar (tests/ical_reference.py), for hostile text and
every option, and read it back with icalendar.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import ical_reference
import icalendar
import pytest
from conftest import NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from actionplan.calendar import events as ical_events
from actionplan.calendar.events import EventContext, description, event_summary, summary, task_components, task_uid
from actionplan.calendar.ical import IcalOptions, _contexts
from actionplan.calendar.text import date_value, duration_value, escape_text, fold, utc_value
from actionplan.core.model import KPI, Priority, Task, TaskStatus
from actionplan.core.query import TaskFilter
from actionplan.core.text import clean

# --- the writer's pieces against icalendar's ---------------------------------------------------------

#: Characters that escaping or folding treat specially, and characters of every UTF-8 width.
HOSTILE = [
    "\\",
    "^",
    ";",
    ",",
    ":",
    '"',
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\\N",
    "\\n",
    "N",
    " ",
    "a",
    "é",
    "ộ",
    "Đ",
    "€",
    "😀",
    "\u2028",
    "=",
    "'",
]
hostile_text = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=3), max_size=40).map("".join)
#: Text that ends near the 75-octet fold with a backslash or caret.
near_fold = st.builds(
    lambda n, c, end: c * n + end,
    st.integers(20, 80),
    st.sampled_from(["a", "é", "ộ", "😀"]),
    st.sampled_from(["", "\\", "^", "\\\\", "\\;", ";", ",", "\n", "ộ\\"]),
)
user_text = hostile_text | near_fold | st.text(max_size=200)


def icalendar_fold(line: str) -> str:
    return Contentline(line).to_ical().decode("utf-8")


def icalendar_escape(text: str) -> str:
    with ical_reference.rfc_text_escaping():
        return icalendar.vText(text).to_ical().decode("utf-8")


@settings(max_examples=400)
@given(user_text)
def test_text_is_escaped_as_icalendar_escapes_it(text):
    assert escape_text(text) == icalendar_escape(text)


@settings(max_examples=400)
@given(user_text)
def test_text_reads_back_as_it_was_written(text):
    """Every reader gets the text back, a literal backslash-N included; only line endings become LF."""
    cal = icalendar.Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
        + fold("SUMMARY:" + escape_text(text))
        + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert str(cal.walk("VEVENT")[0]["SUMMARY"]) == read_back(text)


def test_a_literal_backslash_n_is_not_a_line_break():
    assert escape_text("Report \\N draft") == "Report \\\\N draft"
    assert escape_text("line\nbreak") == "line\\nbreak"


@settings(max_examples=400)
@given(st.text(min_size=0, max_size=5), user_text)
def test_lines_are_folded_as_icalendar_folds_them(name, text):
    line = "X" + name.replace("\n", "").replace("\r", "") + ":" + escape_text(text)
    assert fold(line) == icalendar_fold(line)


@pytest.mark.parametrize("width_char", ["a", "é", "ộ", "😀"])
@pytest.mark.parametrize("end", ["", "\\", "^", "\\\\", "a\\", "é^", "\\,"])
def test_lines_of_73_to_77_octets_fold_like_icalendar(width_char, end):
    """Every octet length around the limit, every character width at the cut, escapes at the cut."""
    lengths = set()
    for pad in range(4):
        for n in range(90):
            line = "P" * pad + width_char * n + end
            if 68 <= len(line.encode()) <= 160:
                lengths.add(len(line.encode()))
                folded = fold(line)
                assert folded == icalendar_fold(line), line
                assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
                assert folded.replace("\r\n ", "") == line
    assert set(range(73, 78)) <= lengths


@pytest.mark.parametrize(
    "delta",
    [
        timedelta(hours=9) - timedelta(days=7),
        timedelta(hours=-15),
        timedelta(hours=9),
        timedelta(days=-1),
        timedelta(days=-13, hours=-15, minutes=-30),
        timedelta(0),
        timedelta(days=-999, hours=23, minutes=59),
        timedelta(minutes=5),
        timedelta(hours=1, seconds=1),
        timedelta(days=2),
    ],
)
def test_durations_dates_and_stamps_as_icalendar_writes_them(delta):
    assert duration_value(delta) == icalendar.vDuration(delta).to_ical().decode()
    for day in (date(2026, 12, 31), date(1, 1, 1), date(999, 3, 4), date(9999, 12, 31)):
        assert date_value(day) == icalendar.vDate(day).to_ical().decode()
    moment = datetime(2026, 11, 26, 3, 4, 5, 123456, tzinfo=UTC)
    assert utc_value(moment) == icalendar.vDatetime(moment).to_ical().decode() == "20261126T030405Z"


# --- whole components: random tasks and options ------------------------------------------------------

RULES = [
    "",
    "FREQ=MONTHLY;INTERVAL=3;COUNT=3",
    "FREQ=YEARLY;UNTIL=20301215",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=MONTHLY;INTERVAL=3;UNTIL=20270401T000000Z",
    "FREQ=DAILY;INTERVAL=10;COUNT=5",
]
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
# keys and org keys are not cleaned on the way out: hostile ones reach the writer as they are
keys = st.sampled_from(["1", "2.3", "10.4.1", "x;y", "a,b\\c", "k\r1", "k\r\n2\\N"]) | st.text(min_size=1, max_size=12)
org_keys = st.sampled_from(["MPS", "MOJ", "SUB-TECH", "PROV-HCM", "E;VIL", "CR\rLF\n"])
stamps = st.sampled_from(
    ["", "not a time", "2026-11-26T07:16:56", "2026-11-26T07:16:56.123456+00:00", "2026-01-31T23:59:59+07:00"]
)
kpis = st.none() | st.builds(KPI, metric=user_text, target=st.none() | st.floats(0, 100), unit=user_text)


@st.composite
def tasks(draw) -> Task:
    deadline = draw(st.none() | days)
    recurrence = draw(st.sampled_from(RULES))
    start = draw(st.none() | days) if recurrence else None
    return Task(
        plan=draw(st.sampled_from(["cyber-2026", "strategy-2030", "p"])),
        key=draw(keys),
        title=draw(user_text),
        lead=draw(org_keys),
        lead_name=draw(user_text),
        description=draw(user_text),
        accountable=draw(user_text),
        coordinating=draw(st.lists(org_keys, max_size=4)),
        start=start,
        deadline=deadline,
        deadline_text=draw(user_text),
        recurrence=recurrence,
        status=draw(st.sampled_from(list(TaskStatus))),
        progress=draw(st.integers(-5, 120)),
        priority=draw(st.sampled_from(list(Priority))),
        output=draw(user_text),
        kpi=draw(kpis),
        blocked_reason=draw(user_text),
        tags=draw(st.lists(user_text, max_size=4)),
        source=draw(user_text),
        version=draw(st.integers(-1, 2**31 - 1)),
        updated_at=draw(stamps),
        completed_on=draw(st.none() | days),
    )


contexts = st.builds(
    EventContext,
    db_id=st.sampled_from(["abc91537d045", "x;y/z"]),
    plan_title=user_text,
    plan_reference=user_text,
    org_names=st.dictionaries(org_keys, user_text, max_size=5),
    reminder_days=st.lists(st.integers(0, 999), max_size=3).map(tuple),
    reminder_time=st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    reminder_events=st.booleans(),
    todo=st.booleans(),
    fallback_stamp=st.none()
    | st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
    # hostile names (quotes, ^, commas, colons, line breaks) in the ORGANIZER's CN parameter
    organizers=st.dictionaries(
        org_keys,
        st.tuples(
            (user_text | st.sampled_from(['A "quoted", ^odd; name: x', "Bộ Công an"])).map(clean).filter(bool),
            st.just("a@b.vn"),
        ),
    ),
    classification=st.sampled_from(["PUBLIC", "PRIVATE", "CONFIDENTIAL"]),
    today=st.none() | days,
    window=st.tuples(st.none() | days, st.none() | days),
    published=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)).map(
        lambda d: d.replace(microsecond=0)
    ),
    zone=st.sampled_from(["Asia/Ho_Chi_Minh", "Europe/Paris", "UTC"]),
)


def read_back(text: str) -> str:
    """What a reader gets for *text*: CR LF and a lone CR become line breaks, a literal \\N stays."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks(), contexts)
def test_components_are_byte_identical_to_icalendar_s(task, ctx):
    ours = task_components(task, ctx)
    theirs = ical_reference.task_components(task, ctx)
    assert ours == theirs, "\n".join(difflib.unified_diff(theirs.split("\r\n"), ours.split("\r\n"), lineterm=""))
    series = ical_events.task_series(task, ctx)
    if not ours:
        assert (task.deadline is None and not (task.recurrence and task.start)) or (
            series is not None and series.start is None and not series.done and not series.late
        )
        return
    cal = icalendar.Calendar.from_ical("BEGIN:VCALENDAR\r\n" + ours + "END:VCALENDAR\r\n")
    assert all(component.errors == [] for component in cal.walk())
    event = [e for e in cal.walk("VEVENT") if str(e["UID"]) == task_uid(task, ctx.db_id)]
    assert len(event) == (0 if series is not None and (series.start is None or not series.rrule) else 1)
    for found in event:
        assert str(found["SUMMARY"]) in (read_back(summary(task)), read_back(event_summary(task, ctx)))
        assert str(found["DESCRIPTION"]) == read_back(description(task, ctx))
    assert all(len(line.encode()) <= 75 for line in ours.split("\r\n"))


def test_sample_plans_with_every_option_are_byte_identical(sample_store):
    """The real sample tasks (recurring duties, done, blocked, cancelled ones), every export option."""
    store = sample_store
    tasks_ = store.tasks_by_ids([r[0] for r in store.task_versions(TaskFilter(), today=NOW.date())]).values()
    assert len(tasks_) > 40
    for options in (
        IcalOptions(),
        IcalOptions(reminder_events=True, todo=True, reminders=("2w", "0d", "1d")),
        IcalOptions(reminders=(), reminder_time="23:59"),
    ):
        ctxs, _stamps = _contexts(store, options, {t.plan for t in tasks_}, NOW, NOW.date())
        for task in tasks_:
            ctx = replace(ctxs[task.plan], published=NOW)
            assert task_components(task, ctx) == ical_reference.task_components(task, ctx)


def test_the_export_s_narrow_read_gives_the_events_of_whole_tasks(sample_store):
    """The export reads only what events show (tasks_for_events): the same text as from whole tasks."""
    store = sample_store
    ref = "cyber-2026/1.1"
    store.update_task(
        ref, {"tags": ["khẩn", "b", "a"], "coordinating": ["MOJ", "MIC", "MOF"]}, store.get_task(ref).version
    )
    ids = [r[0] for r in store.task_versions(TaskFilter(), today=NOW.date())]
    whole, narrow = store.tasks_by_ids(ids), store.tasks_for_events(ids)
    assert narrow.keys() == whole.keys()
    assert any(t.tags and len(t.coordinating) > 1 for t in narrow.values())
    assert any(t.recurrence for t in narrow.values()) and any(t.completed_on for t in narrow.values())
    options = IcalOptions(reminder_events=True, todo=True)
    ctxs, _stamps = _contexts(store, options, {t.plan for t in whole.values()}, NOW, NOW.date())
    for task_id, task in whole.items():
        assert task_components(narrow[task_id], ctxs[task.plan]) == task_components(task, ctxs[task.plan])
        assert replace(narrow[task_id], parent="", depends_on=[], kpi=None, evidence="") == replace(
            task, parent="", depends_on=[], kpi=None, evidence=""
        )


def test_one_event_as_a_calendar_program_receives_it():
    """Escaped text, all-day dates, the UTC stamp and icalendar's property order, written out."""
    task = Task(
        plan="p",
        key="1",
        title="Báo cáo; tổng kết, \\ năm",
        lead="MPS",
        deadline=date(2026, 12, 31),
        updated_at="2026-11-26T03:00:00+00:00",
        version=2,
    )
    published = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    text = ical_events.task_components(task, EventContext(db_id="db", published=published))
    assert text.startswith(
        "BEGIN:VEVENT\r\nSUMMARY:1 Báo cáo\\; tổng kết\\, \\\\ năm — MPS\r\n"
        "DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n"
        "DTSTAMP:20261127T010000Z\r\nUID:p.1.db@actionplan\r\nSEQUENCE:2\r\n"
        "CATEGORIES:p\r\nCLASS:PUBLIC\r\n"
    )
    assert "\r\nLAST-MODIFIED:20261126T030000Z\r\n" in text  # the last revision; DTSTAMP is the publication
    assert "TRIGGER:-P6DT15H\r\n" in text and text.endswith("END:VALARM\r\nEND:VEVENT\r\n")
    cached = ical_events.task_components(task, EventContext(db_id="db"))  # as the cache keeps it
    assert "\r\nDTSTAMP:*\r\n" in cached and ical_events.stamp_events(cached, published) == text


@settings(max_examples=100, deadline=None)
@given(
    name=user_text,
    caption=st.one_of(st.just(""), user_text),
    zone=st.sampled_from(
        [
            "Asia/Ho_Chi_Minh",
            "UTC",
            "Asia/Kathmandu",
            "America/St_Johns",
            "Europe/Berlin",
            "Pacific/Chatham",
            "Asia/Bangkok",
        ]
    ),
)
def test_the_calendar_header_and_time_zone_are_icalendar_s(name, caption, zone):
    """The calendar's frame (name, caption, refresh, VTIMEZONE) is what icalendar writes,
    for zones with and without daylight saving, whole and half-hour offsets."""
    from actionplan.calendar.ical import calendar_frame

    assert calendar_frame(name, zone, caption) == ical_reference.calendar_frame(name, zone, caption)


@pytest.mark.parametrize(
    "offset, text",
    [
        (timedelta(hours=7), "+0700"),
        (timedelta(hours=-3, minutes=-30), "-0330"),
        (timedelta(hours=5, minutes=45, seconds=30), "+054530"),
        (timedelta(0), "+0000"),
    ],
)
def test_utc_offsets_as_icalendar_writes_them(offset, text):
    from actionplan.calendar.text import utc_offset_value

    assert utc_offset_value(offset) == text == icalendar.vUTCOffset(offset).to_ical()
