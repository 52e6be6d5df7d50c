"""iCal export: what members get in their calendars, parsed back by two independent readers."""

from __future__ import annotations

import threading
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from click.testing import CliRunner
from conftest import NOW

from actionplan.calendar.events import trigger_for
from actionplan.calendar.ical import (
    IcalError,
    IcalOptions,
    build_calendar,
    calendar_name,
    export_calendar,
    parse_offset,
    store_cache_key,
)
from actionplan.cli.main import cli
from actionplan.core.model import Org, Task
from actionplan.core.query import TaskFilter
from actionplan.core.recurrence import occurrences
from actionplan.core.text import clean, clean_line

EVENT_PROPERTIES = {
    "UID",
    "DTSTAMP",
    "LAST-MODIFIED",
    "SEQUENCE",
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "TRANSP",
    "DESCRIPTION",
    "CATEGORIES",
    "PRIORITY",
    "STATUS",
    "RRULE",
    "RDATE",
    "CLASS",
    "ORGANIZER",
}
ALARM_PROPERTIES = {"ACTION", "DESCRIPTION", "TRIGGER"}
TODO_PROPERTIES = {
    "UID",
    "DTSTAMP",
    "LAST-MODIFIED",
    "SEQUENCE",
    "SUMMARY",
    "DUE",
    "DESCRIPTION",
    "CATEGORIES",
    "PRIORITY",
    "STATUS",
    "PERCENT-COMPLETE",
    "CLASS",
    "ORGANIZER",
    "COMPLETED",
}


def export(store, f: TaskFilter | None = None, options: IcalOptions | None = None, **kw) -> str:
    return export_calendar(store, f or TaskFilter(), options or IcalOptions(), now=NOW, **kw)


def parse(text: str) -> icalendar.Calendar:
    """Parse with icalendar and insist that every component parsed without error."""
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    cal = icalendar.Calendar.from_ical(text)
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    return cal


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(found) == len(cal.walk("VEVENT")), "UIDs must be unique"
    return found


def deadline_events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    """:func:`events` without the finished (or late) periods of recurring duties, which have their own UIDs."""
    return {u: e for u, e in events(cal).items() if ".period-" not in u}


def by_summary_prefix(cal: icalendar.Calendar, prefix: str) -> icalendar.Event:
    matches = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith(prefix)]
    assert len(matches) == 1, [str(e["SUMMARY"]) for e in matches]
    return matches[0]


def uid(store, ref: str, suffix: str = "") -> str:
    plan, key = ref.split("/")
    return f"{plan}.{key.replace('.', '-')}.{store.db_id}" + (f".{suffix}" if suffix else "") + "@actionplan"


def open_refs(store, f: TaskFilter | None = None) -> set[str]:
    """What the export should hold by default: every task with a deadline but the done ones."""
    return {t.ref for t in store.list_tasks(f or TaskFilter(), order="key") if t.deadline and t.status != "done"}


# --- the calendar and its events ------------------------------------------------------------------


def test_default_export_has_one_all_day_event_per_open_deadline(sample_store):
    cal = parse(export(sample_store))
    found = deadline_events(cal)
    assert set(found) == {uid(sample_store, ref) for ref in open_refs(sample_store)}
    for event in events(cal).values():
        start, end = event["DTSTART"], event["DTEND"]
        assert start.params.get("VALUE") == "DATE" and type(start.dt) is date
        assert end.dt - start.dt == timedelta(days=1)
        assert set(event) <= EVENT_PROPERTIES
    assert not cal.walk("VTODO")


def test_calendar_properties_for_importers_and_subscribers(sample_store):
    text = export(sample_store, TaskFilter(plans=["cyber-2026"], involving=["MPS"]))
    cal = parse(text)
    assert str(cal["VERSION"]) == "2.0" and "actionplan" in str(cal["PRODID"])
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in text
    assert "X-PUBLISHED-TTL:PT12H\r\n" in text
    assert "X-WR-TIMEZONE:Asia/Ho_Chi_Minh\r\n" in text
    name = "National Steering Committee for Cybersecurity: 2026 action plan — Ministry of Public Security"
    assert str(cal["X-WR-CALNAME"]) == name
    assert calendar_name(sample_store, TaskFilter(plans=["cyber-2026"], involving=["MPS"])) == name
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Ho_Chi_Minh"]
    assert zones[0].walk("STANDARD")[0]["TZOFFSETTO"].td == timedelta(hours=7)


def test_event_carries_the_task_details(sample_store):
    cal = parse(export(sample_store, TaskFilter(plans=["cyber-2026"])))
    event = events(cal)[uid(sample_store, "cyber-2026/2.3")]
    task = sample_store.get_task("cyber-2026/2.3")
    assert str(event["SUMMARY"]) == f"2.3 {task.title} — MPS"
    assert event["DTSTART"].dt == date(2026, 12, 31) and event["DTEND"].dt == date(2027, 1, 1)
    text = str(event["DESCRIPTION"])
    for expected in (
        "Lead: MPS — Ministry of Public Security",
        f"Accountable: {task.accountable}",
        "Coordinating: MIC — Ministry of Information and Communications; MOJ — Ministry of Justice",
        f"Expected output: {task.output}",
        f"Status: in progress, {task.progress}% done",
        f"Source: {task.source}",
        "Plan: cyber-2026 — National Steering Committee",
    ):
        assert expected in text
    assert [str(c) for c in event["CATEGORIES"].cats] == task.tags + ["cyber-2026"]
    assert str(event["STATUS"]) == "CONFIRMED"


def test_alarms_fire_seven_days_and_one_day_before_at_nine(sample_store):
    cal = parse(export(sample_store, TaskFilter(plans=["cyber-2026"])))
    event = events(cal)[uid(sample_store, "cyber-2026/2.3")]
    alarms = event.walk("VALARM")
    assert [a["TRIGGER"].to_ical() for a in alarms] == [b"-P6DT15H", b"-PT15H"]
    for alarm in alarms:
        assert str(alarm["ACTION"]) == "DISPLAY" and set(alarm) <= ALARM_PROPERTIES
    assert str(alarms[0]["DESCRIPTION"]).startswith("Due in 7 days: 2.3 ")
    assert str(alarms[1]["DESCRIPTION"]).startswith("Due tomorrow: 2.3 ")
    # the alarm moments really are 09:00 on the day, seven days and one day before
    start = datetime.combine(event["DTSTART"].dt, time())
    assert [start + a["TRIGGER"].dt for a in alarms] == [datetime(2026, 12, 24, 9), datetime(2026, 12, 30, 9)]


@pytest.mark.parametrize(
    "days, at, expected",
    [
        (7, time(9), "-P6DT15H"),
        (1, time(9), "-PT15H"),
        (0, time(9), "PT9H"),
        (14, time(8, 30), "-P13DT15H30M"),
        (1, time(0), "-P1D"),
    ],
)
def test_trigger_is_computed_from_offset_and_time(days, at, expected):
    assert icalendar.vDuration(trigger_for(days, at)).to_ical().decode() == expected


def test_reminders_per_export_per_plan_and_per_database(sample_store):
    def triggers(options=None):
        cal = parse(export(sample_store, TaskFilter(plans=["cyber-2026"]), options))
        return [a["TRIGGER"].to_ical() for a in events(cal)[uid(sample_store, "cyber-2026/2.3")].walk("VALARM")]

    assert triggers() == [b"-P6DT15H", b"-PT15H"]
    sample_store.set_setting("reminders", "P3D")
    assert triggers() == [b"-P2DT15H"]
    sample_store.set_plan_reminders("cyber-2026", "P14D,P2D")
    assert triggers() == [b"-P13DT15H", b"-P1DT15H"]
    assert triggers(IcalOptions(reminders=("2w",), reminder_time="10:00")) == [b"-P13DT14H"]
    assert triggers(IcalOptions(reminders=("7d", "1d"), reminders_fixed=True)) == [b"-P6DT15H", b"-PT15H"]
    assert triggers(IcalOptions(reminders=())) == []
    sample_store.set_plan_reminders("cyber-2026", "none")
    assert triggers() == []


def test_options_normalise_reminders_and_refuse_nonsense():
    assert IcalOptions(reminders=("7d", "1 day", "P1D", "2w")).reminders == ("P7D", "P1D", "P14D")
    assert IcalOptions(reminders=("7d",)).cache_key() == IcalOptions(reminders=("P7D",)).cache_key()
    assert IcalOptions().cache_key() != IcalOptions(todo=True).cache_key()
    assert parse_offset("-P1W") == 7
    for bad in ("7x", "PT2H", "soon", "", "P9999D"):
        with pytest.raises(IcalError):
            IcalOptions(reminders=(bad,))
    for bad in ("9", "24:00", "9h"):
        with pytest.raises(IcalError, match="HH:MM"):
            IcalOptions(reminder_time=bad)


# --- identity across edits, cancellation, done ----------------------------------------------------


def test_uid_stays_and_sequence_rises_when_the_task_changes(sample_store, clock):
    ref = "cyber-2026/2.3"
    before = events(parse(export(sample_store)))[uid(sample_store, ref)]
    task = sample_store.get_task(ref)
    clock.now = NOW + timedelta(days=2)
    sample_store.update_task(ref, {"deadline": date(2027, 1, 31), "title": "Draft the sanctions decree"}, task.version)
    after = events(parse(export(sample_store)))[uid(sample_store, ref)]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1  # one edit of the task, nothing else
    assert after["DTSTART"].dt == date(2027, 1, 31)
    assert str(after["SUMMARY"]) == "2.3 Draft the sanctions decree — MPS"
    assert after["LAST-MODIFIED"].dt == clock.now
    assert after["DTSTAMP"].dt == NOW  # METHOD:PUBLISH: DTSTAMP is when the calendar was published (the export's now)
    assert before["LAST-MODIFIED"].dt < after["LAST-MODIFIED"].dt


def test_renaming_the_plan_or_an_agency_or_changing_reminders_raises_sequence_and_last_modified(sample_store, clock):
    """Re-imported files must replace the old text: every change that shows in a task's events
    (the plan's title, the lead's name, the reminders) raises SEQUENCE and LAST-MODIFIED."""
    from dataclasses import replace

    ref = "cyber-2026/2.3"  # led by MPS
    seen = [events(parse(export(sample_store)))[uid(sample_store, ref)]]
    plan, orgs, tasks = sample_store.export_plan("cyber-2026")

    def step(days: int, change) -> icalendar.Event:
        clock.now = NOW + timedelta(days=days)
        change()
        seen.append(events(parse(export(sample_store)))[uid(sample_store, ref)])
        return seen[-1]

    event = step(1, lambda: sample_store.apply_plans([(replace(plan, title="Cyber plan, renamed"), orgs, tasks)])[0])
    assert "Cyber plan, renamed" in str(event["DESCRIPTION"])
    event = step(2, lambda: sample_store.save_org(replace(sample_store.get_org("MPS"), name="Bộ Công an (renamed)")))
    assert "MPS — Bộ Công an (renamed)" in str(event["DESCRIPTION"])
    event = step(3, lambda: sample_store.set_plan_reminders("cyber-2026", "P14D"))
    assert [str(a["DESCRIPTION"]).split(":")[0] for a in event.walk("VALARM")] == ["Due in 14 days"]
    for before, after in zip(seen, seen[1:]):
        assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
        assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt and after["DTSTAMP"].dt == NOW
    assert seen[-1]["LAST-MODIFIED"].dt == clock.now
    unchanged = events(parse(export(sample_store)))[uid(sample_store, ref)]
    assert unchanged["SEQUENCE"] == seen[-1]["SEQUENCE"], "an export with nothing changed keeps SEQUENCE"


def test_uid_is_unique_per_database(sample_store, tmp_path):
    from actionplan.services.config import seed_samples
    from actionplan.store import Store

    other = Store(tmp_path / "other.db", actor="secretary")
    seed_samples(other)
    try:
        assert other.db_id != sample_store.db_id
        mine, theirs = set(events(parse(export(sample_store)))), set(events(parse(export(other))))
        assert mine and not mine & theirs
    finally:
        other.close()


def test_cancelled_task_goes_out_cancelled_without_alarms(sample_store):
    ref = "cyber-2026/2.3"
    sample_store.update_task(ref, {"status": "cancelled"}, sample_store.get_task(ref).version)
    cal = parse(export(sample_store, options=IcalOptions(reminder_events=True, todo=True)))
    found = events(cal)
    event = found[uid(sample_store, ref)]
    assert str(event["STATUS"]) == "CANCELLED" and event.walk("VALARM") == []
    assert str(found[uid(sample_store, ref, "due-in-7d")]["STATUS"]) == "CANCELLED"
    todo = [t for t in cal.walk("VTODO") if str(t["UID"]) == uid(sample_store, ref, "todo")]
    assert str(todo[0]["STATUS"]) == "CANCELLED"


def test_done_tasks_only_on_request(sample_store):
    done = uid(sample_store, "cyber-2026/2.1")
    assert done not in events(parse(export(sample_store)))
    for f in (TaskFilter(statuses=["done"]), TaskFilter(statuses=["done", "in progress"])):
        event = events(parse(export(sample_store, f)))[done]
        assert event.walk("VALARM") == [] and str(event["SUMMARY"]).endswith("[done]")


# --- filters --------------------------------------------------------------------------------------


def test_org_filter_takes_tasks_it_leads_and_tasks_it_coordinates(sample_store):
    f = TaskFilter(involving=["MOJ"])
    found = set(events(parse(export(sample_store, f))))
    expected = open_refs(sample_store, f)
    assert set(found) == {uid(sample_store, r) for r in expected}
    tasks = {t.ref: t for t in sample_store.list_tasks(order="key")}
    assert any(tasks[r].lead == "MOJ" for r in expected)  # led by MOJ ...
    assert any(tasks[r].lead != "MOJ" and "MOJ" in tasks[r].coordinating for r in expected)  # ... or coordinated
    assert all(tasks[r].lead == "MOJ" or "MOJ" in tasks[r].coordinating for r in expected)


def test_coordinating_accountable_and_date_range_filters(sample_store):
    only_coord = set(events(parse(export(sample_store, TaskFilter(coordinating=["MOJ"])))))
    assert uid(sample_store, "cyber-2026/7.2") not in only_coord  # MOJ leads 7.2, coordinates nothing there
    assert uid(sample_store, "cyber-2026/2.3") in only_coord
    within = TaskFilter(due_after=date(2026, 11, 30), due_before=date(2027, 1, 1), accountable="Minister")
    refs = {t.ref for t in sample_store.list_tasks(within) if t.status != "done"}
    assert refs and set(deadline_events(parse(export(sample_store, within)))) == {uid(sample_store, r) for r in refs}


# --- heads-up events, to-dos, recurrence ----------------------------------------------------------


def test_reminder_events_are_separate_all_day_events_with_their_own_uids(sample_store):
    cal = parse(export(sample_store, TaskFilter(plans=["cyber-2026"]), IcalOptions(reminder_events=True)))
    found = events(cal)
    week = found[uid(sample_store, "cyber-2026/2.3", "due-in-7d")]
    day = found[uid(sample_store, "cyber-2026/2.3", "due-in-1d")]
    title = sample_store.get_task("cyber-2026/2.3").title
    assert str(week["SUMMARY"]) == f"Due in 7 days: 2.3 {title} — MPS"
    assert str(day["SUMMARY"]) == f"Due tomorrow: 2.3 {title} — MPS"
    assert week["DTSTART"].dt == date(2026, 12, 24) and week["DTEND"].dt == date(2026, 12, 25)
    assert day["DTSTART"].dt == date(2026, 12, 30)
    assert week.walk("VALARM") == []
    assert len(deadline_events(cal)) == 3 * len(open_refs(sample_store, TaskFilter(plans=["cyber-2026"])))


def test_todo_is_due_on_the_deadline(sample_store):
    cal = parse(export(sample_store, TaskFilter(plans=["cyber-2026"]), IcalOptions(todo=True)))
    todos = {str(t["UID"]): t for t in cal.walk("VTODO")}
    todo = todos[uid(sample_store, "cyber-2026/2.3", "todo")]
    assert todo["DUE"].dt == date(2026, 12, 31) and str(todo["STATUS"]) == "IN-PROCESS"
    assert set(todo) <= TODO_PROPERTIES and todo.walk("VALARM") == []
    assert len(todos) == len(deadline_events(cal))


def _expanded(cal, ref_uid: str) -> list[date]:
    """The dates of a task's series and of its separate period events, expanded by recurring-ical-events."""
    found = recurring_ical_events.of(cal).between(date(2020, 1, 1), date(2032, 1, 1))
    period = ref_uid.replace("@actionplan", ".period-")
    return sorted(e["DTSTART"].dt for e in found if str(e["UID"]) == ref_uid or str(e["UID"]).startswith(period))


def test_recurring_duties_expand_to_the_program_s_own_dates(sample_store):
    cal = parse(export(sample_store))
    quarterly = sample_store.get_task("cyber-2026/8.3")  # FREQ=MONTHLY;INTERVAL=3;COUNT=3 from 2026-07-15
    assert _expanded(cal, uid(sample_store, quarterly.ref)) == [
        date(2026, 7, 15),
        date(2026, 10, 15),
        date(2027, 1, 15),
    ]
    yearly = sample_store.get_task("strategy-2030/3.4")  # FREQ=YEARLY;UNTIL=20301215 from 2023-12-15
    event = events(cal)[uid(sample_store, yearly.ref)]
    assert event["RRULE"]["UNTIL"] == [date(2030, 12, 15)]
    assert event["DTSTART"].dt == yearly.deadline  # the series starts at the current period
    assert _expanded(cal, uid(sample_store, yearly.ref)) == occurrences(
        yearly.recurrence, yearly.start, date(2031, 12, 31)
    )


def test_month_end_series_and_datetime_until_become_calendar_rules(sample_store):
    sample_store.add_task(
        Task(
            plan="cyber-2026",
            key="9",
            title="Quarterly report to the Committee",
            lead="OFFICE",
            start=date(2026, 3, 31),
            deadline=date(2026, 3, 31),
            recurrence="FREQ=MONTHLY;INTERVAL=3;UNTIL=20270401T000000Z",
        )
    )
    text = export(sample_store, TaskFilter(plans=["cyber-2026"]))
    cal = parse(text)
    # no plain rule gives these dates (the BYMONTHDAY/BYSETPOS forms clients read differently):
    # one event per period, which every client reads alike
    assert uid(sample_store, "cyber-2026/9") not in events(cal)
    periods = [
        e
        for u, e in events(cal).items()
        if u.startswith(uid(sample_store, "cyber-2026/9").replace("@actionplan", ".period-"))
    ]
    assert periods and all("RRULE" not in e and "RDATE" not in e for e in periods)
    expected = occurrences("FREQ=MONTHLY;INTERVAL=3;UNTIL=20270401T000000Z", date(2026, 3, 31), date(2031, 1, 1))
    assert expected == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31), date(2027, 3, 31)]
    assert _expanded(cal, uid(sample_store, "cyber-2026/9")) == expected


# --- text: injection, diacritics, folding ---------------------------------------------------------

INJECTIONS = [
    "Title;X=1:foo",
    "Evil\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nSUMMARY:injected\r\nEND:VEVENT",
    "Tail\nEND:VCALENDAR\nBEGIN:VCALENDAR",
    "Bell\x07 and\x00 nul, comma; semicolon \\ backslash\u2028line",
]


def test_user_text_cannot_inject_properties_or_components(sample_store):
    sample_store.save_org(Org(key="EVIL", name="Org\r\nBEGIN:VALARM\r\nACTION:AUDIO\r\nEND:VALARM;X=1:y"))
    for i, text in enumerate(INJECTIONS, start=1):
        sample_store.add_task(
            Task(
                plan="cyber-2026",
                key=f"9.{i}",
                title=text,
                description=text,
                lead="EVIL",
                accountable=text,
                coordinating=["EVIL"],
                output=text,
                source=text,
                tags=[f"t{i};x", text],
                deadline=date(2027, 2, i),
            )
        )
    f = TaskFilter(plans=["cyber-2026"])
    raw = export(sample_store, f, IcalOptions(reminder_events=True, todo=True), name=INJECTIONS[1])
    cal = parse(raw)
    n = len(open_refs(sample_store, f))
    assert len(deadline_events(cal)) == 3 * n and len(cal.walk("VTODO")) == n
    assert len(cal.walk("VCALENDAR")) == 1 and len(cal.walk("VALARM")) == 2 * n
    lines = raw.replace("\r\n ", "").split("\r\n")  # unfolded content lines
    begins = [line for line in lines if line.startswith("BEGIN:")]
    assert len(begins) == len(cal.walk())  # no line starts a component the parser did not count
    assert not [line for line in lines if line.startswith(("UID:evil", "ACTION:AUDIO", "SUMMARY:injected"))]
    assert lines.count("END:VCALENDAR") == 1
    for component in cal.walk("VEVENT"):
        assert set(component) <= EVENT_PROPERTIES
    for alarm in cal.walk("VALARM"):
        assert set(alarm) <= ALARM_PROPERTIES and str(alarm["ACTION"]) == "DISPLAY"
    found = events(cal)
    for i, text in enumerate(INJECTIONS, start=1):
        event = found[uid(sample_store, f"cyber-2026/9.{i}")]
        assert str(event["SUMMARY"]) == f"9.{i} {clean_line(text)} — EVIL"  # a title is one line
        assert clean(text) in str(event["DESCRIPTION"])
        assert f"t{i};x" in [str(c) for c in event["CATEGORIES"].cats]
    name_lines = [line for line in lines if line.startswith("X-WR-CALNAME:")]
    assert name_lines == ["X-WR-CALNAME:Evil\\nBEGIN:VEVENT\\nUID:evil@x\\nSUMMARY:injected\\nEND:VEVENT"]


def test_vietnamese_text_round_trips_nfc(sample_store):
    title = "Xây dựng Đề án bảo đảm an toàn thông tin mạng; rà soát, đánh giá"
    decomposed = unicodedata.normalize("NFD", title)
    sample_store.save_org(Org(key="BCA", name=unicodedata.normalize("NFD", "Bộ Công an")))
    sample_store.add_task(
        Task(
            plan="cyber-2026",
            key="9",
            title=decomposed,
            lead="BCA",
            accountable="Bộ trưởng Bộ Công an",
            deadline=date(2027, 3, 31),
        )
    )
    raw = export(sample_store, TaskFilter(plans=["cyber-2026"], leads=["BCA"]))
    assert unicodedata.is_normalized("NFC", raw)
    event = events(parse(raw))[uid(sample_store, "cyber-2026/9")]
    assert str(event["SUMMARY"]) == f"9 {title} — BCA"
    assert "Lead: BCA — Bộ Công an" in str(event["DESCRIPTION"])
    assert "Accountable: Bộ trưởng Bộ Công an" in str(event["DESCRIPTION"])


def test_long_lines_are_folded_at_75_octets(sample_store):
    title = "Rà soát, sửa đổi Bộ luật Hình sự; " * 12
    sample_store.add_task(
        Task(
            plan="cyber-2026",
            key="9",
            title=title.strip(),
            lead="MPS",
            description="ộ" * 500,
            deadline=date(2027, 3, 31),
        )
    )
    raw = export(sample_store, TaskFilter(plans=["cyber-2026"]), IcalOptions(reminder_events=True))
    lines = raw.split("\r\n")
    assert max(len(line.encode("utf-8")) for line in lines) <= 75
    assert "\n" not in raw.replace("\r\n", "")
    event = events(parse(raw))[uid(sample_store, "cyber-2026/9")]
    assert str(event["SUMMARY"]) == f"9 {title.strip()} — MPS"
    assert str(event["DESCRIPTION"]).endswith("ộ" * 500)


# --- determinism and the cache --------------------------------------------------------------------


def test_output_is_deterministic_for_a_fixed_now(sample_store):
    options = IcalOptions(reminder_events=True, todo=True)
    cold = export(sample_store, options=options)
    warm = export(sample_store, options=options)
    assert cold == warm
    sample_store.conn.execute("DELETE FROM ical_cache")  # rebuilt from scratch: the very same text
    assert export(sample_store, options=options) == cold
    refs = build_calendar(sample_store, TaskFilter(), options, now=NOW).refs
    assert refs == sorted(refs, key=lambda r: (r.split("/")[0], [int(p) for p in r.split("/")[1].split(".")]))


def test_an_edit_rebuilds_exactly_that_task_s_cached_event(sample_store):
    f, options = TaskFilter(), IcalOptions()
    first = build_calendar(sample_store, f, options, now=NOW)
    assert first.rebuilt == first.tasks > 0
    key = store_cache_key(sample_store, options)
    ids = [t.id for t in sample_store.list_tasks(order="key")]
    before = sample_store.cached_events(ids, key)
    assert build_calendar(sample_store, f, options, now=NOW).rebuilt == 0
    task = sample_store.get_task("cyber-2026/2.3")
    sample_store.update_task(task.ref, {"progress": 70}, task.version)
    again = build_calendar(sample_store, f, options, now=NOW)
    assert again.rebuilt == 1
    assert "Status: in progress, 70% done" in str(events(parse(again.text))[uid(sample_store, task.ref)]["DESCRIPTION"])
    after = sample_store.cached_events(ids, key)
    changed = {i for i in ids if before.get(i) != after.get(i)}
    assert changed == {task.id}


def test_events_cached_as_text_by_an_older_version_are_built_again(sample_store):
    """The cache keeps UTF-8 bytes; a row an older version kept as text is not trusted but replaced."""
    f, options = TaskFilter(), IcalOptions()
    fresh = build_calendar(sample_store, f, options, now=NOW)
    key = store_cache_key(sample_store, options)
    task = sample_store.get_task("cyber-2026/2.3")
    body = sample_store.cached_events([task.id], key)[task.id][1]
    sample_store.conn.execute(  # what the older version wrote: the same text, as TEXT
        "UPDATE ical_cache SET body = ? WHERE task_id = ? AND options = ?", (body.decode("utf-8"), task.id, key)
    )
    again = build_calendar(sample_store, f, options, now=NOW)
    assert again.rebuilt == 1 and again.text == fresh.text
    assert sample_store.cached_events([task.id], key)[task.id][1] == body


def test_renaming_an_org_refreshes_cached_events(sample_store):
    export(sample_store)
    org = sample_store.get_org("MOJ")
    sample_store.save_org(Org(key="MOJ", name="Ministry of Justice (renamed)"))
    event = events(parse(export(sample_store)))[uid(sample_store, "cyber-2026/2.3")]
    assert "MOJ — Ministry of Justice (renamed)" in str(event["DESCRIPTION"])
    assert org.name != "Ministry of Justice (renamed)"


# --- the command line -----------------------------------------------------------------------------


def _run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


@pytest.fixture
def cli_db(sample_store, db_path) -> Path:
    return db_path


def test_cli_writes_a_file_and_stdout(cli_db, tmp_path, sample_store):
    out = tmp_path / "mps.ics"
    result = _run(cli_db, "ics", "--org", "MPS", "--plan", "cyber-2026", "-o", str(out))
    assert result.exit_code == 0, result.output
    in_file = out.read_bytes().decode("utf-8")
    assert "\r\n" in in_file  # CRLF kept in the file
    found = deadline_events(parse(in_file))
    assert set(found) == {
        uid(sample_store, r) for r in open_refs(sample_store, TaskFilter(plans=["cyber-2026"], involving=["MPS"]))
    }
    stdout = _run(cli_db, "ics", "--org", "MPS", "--plan", "cyber-2026")
    assert stdout.exit_code == 0
    assert stdout.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")  # CRLF on standard output too
    assert set(deadline_events(parse(stdout.stdout_bytes.decode("utf-8")))) == set(found)


def test_cli_options_reach_the_calendar(cli_db, sample_store):
    result = _run(
        cli_db,
        "ics",
        "--plan",
        "cyber-2026",
        "--remind",
        "2w",
        "--remind",
        "1d",
        "--reminder-time",
        "08:00",
        "--reminder-events",
        "--todo",
        "--name",
        "MPS deadlines",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
    )
    assert result.exit_code == 0, result.output
    cal = parse(result.stdout_bytes.decode("utf-8"))
    assert str(cal["X-WR-CALNAME"]) == "MPS deadlines"
    event = events(cal)[uid(sample_store, "cyber-2026/2.3")]
    assert [a["TRIGGER"].to_ical() for a in event.walk("VALARM")] == [b"-P13DT16H", b"-PT16H"]
    assert cal.walk("VTODO")
    assert all(date(2026, 12, 1) <= e["DUE"].dt <= date(2026, 12, 31) for e in cal.walk("VTODO"))
    quiet = _run(cli_db, "ics", "--plan", "cyber-2026", "--no-alarms", "--all")
    assert "BEGIN:VALARM" not in quiet.stdout
    assert uid(sample_store, "cyber-2026/2.1") in quiet.stdout  # done, included by --all


@pytest.mark.parametrize(
    "args, message",
    [
        (["--remind", "7x"], "7x"),
        (["--remind", "7d", "--no-alarms"], "not both"),
        (["--reminder-time", "9am"], "HH:MM"),
        (["--org", "NO-SUCH-ORG"], "unknown agency"),
        (["--plan", "no-such-plan"], "no plan"),
        (["--from", "2027-01-01", "--to", "2026-01-01"], "before"),
        (["--status", "finished"], "unknown status"),
    ],
)
def test_cli_bad_values_give_a_clear_error(cli_db, args, message):
    result = _run(cli_db, "ics", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "BEGIN:VCALENDAR" not in result.output


def test_cli_reminders_setting(cli_db, sample_store):
    assert _run(cli_db, "reminders", "14d", "3d").exit_code == 0
    assert sample_store.get_setting("reminders") == "P14D,P3D"
    assert _run(cli_db, "reminders", "--plan", "cyber-2026", "none").exit_code == 0
    assert "BEGIN:VALARM" not in _run(cli_db, "ics", "--plan", "cyber-2026").stdout
    shown = _run(cli_db, "reminders").output
    assert "P14D,P3D" in shown and "cyber-2026: none" in shown
    bad = _run(cli_db, "reminders", "soon")
    assert bad.exit_code != 0 and "soon" in bad.output


def test_a_big_export_keeps_every_rebuilt_event_while_it_goes_on(sample_store, monkeypatch):
    """Chunk after chunk handed to the cache thread (more than it queues): all kept, then all read back."""
    monkeypatch.setattr("actionplan.calendar.ical.CHUNK", 3)
    monkeypatch.setattr("actionplan.store.cache_writer.QUEUE_DEPTH", 1)
    monkeypatch.setattr("actionplan.store.cache_writer.COMMIT_EVERY", 7)
    f, options = TaskFilter(), IcalOptions()
    cold = build_calendar(sample_store, f, options, now=NOW)
    assert cold.rebuilt == cold.tasks > 3 * 2
    warm = build_calendar(sample_store, f, options, now=NOW)
    assert warm.rebuilt == 0 and warm.text == cold.text


@pytest.mark.parametrize("damage", ["locked", "refused"])
def test_an_export_never_waits_on_an_event_cache_it_cannot_write(sample_store, monkeypatch, damage):
    """Another writer's lock, or a write SQLite refuses: the export is whole, nothing is kept, nothing hangs."""
    import sqlite3

    monkeypatch.setattr("actionplan.calendar.ical.CHUNK", 2)
    monkeypatch.setattr("actionplan.store.cache_writer.QUEUE_DEPTH", 1)
    f, options = TaskFilter(), IcalOptions()
    expected = build_calendar(sample_store, f, options, now=NOW).text
    sample_store.conn.execute("DELETE FROM ical_cache")
    other = sqlite3.connect(sample_store.path, isolation_level=None)
    if damage == "locked":
        other.execute("BEGIN IMMEDIATE")
    else:
        other.execute("CREATE TRIGGER refuse BEFORE INSERT ON ical_cache BEGIN SELECT RAISE(ABORT, 'refused'); END")
    try:
        done: list = []
        # in a thread of its own, so that an export that hung would fail this test, not stop the suite
        worker = threading.Thread(
            target=lambda: done.append(build_calendar(sample_store, f, options, now=NOW)), daemon=True
        )
        worker.start()
        worker.join(timeout=120)
        assert done and done[0].text == expected and done[0].rebuilt == done[0].tasks
    finally:
        if damage == "locked":
            other.execute("ROLLBACK")
        else:
            other.execute("DROP TRIGGER refuse")
        other.close()
    assert sample_store.conn.execute("SELECT count(*) FROM ical_cache").fetchone()[0] == 0


def _original_components():
    from actionplan.calendar import ical

    return ical._components


@pytest.mark.parametrize("side", ["builds", "fails", "dies"])
def test_a_side_process_changes_no_byte_of_the_export(sample_store, monkeypatch, side):
    """Events read and built on a second core are the serial export's bytes; when the side
    process fails or dies, this one builds its share: the same calendar either way."""
    import os

    from actionplan.calendar import side_builder
    from actionplan.calendar.side_process import SideProcess
    from actionplan.store import Store

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    monkeypatch.setattr("actionplan.calendar.ical.CHUNK", 3)
    monkeypatch.setattr("actionplan.calendar.ical.SIDE_MIN_TASKS", 1)
    f, options = TaskFilter(), IcalOptions(todo=True, reminder_events=True)
    serial = build_calendar(sample_store, f, options, now=NOW)
    sample_store.conn.execute("DELETE FROM ical_cache")
    parent, components = os.getpid(), _original_components()

    def in_the_child_only(*args):
        if os.getpid() != parent:
            if side == "dies":
                os._exit(3)
            raise ValueError("side process broken")
        return components(*args)

    if side != "builds":
        monkeypatch.setattr("actionplan.calendar.ical._components", in_the_child_only)
    sample_store.close()  # forked while this process has the database closed, as the CLI does
    helper = SideProcess(side_builder._work)
    store = Store(sample_store.path, actor="secretary", clock=sample_store.clock)
    try:
        export = build_calendar(store, f, options, now=NOW, side=helper)
        assert export.text == serial.text and export.rebuilt == serial.rebuilt
        assert (export.built_aside > 0) == (side == "builds")
        warm = build_calendar(store, f, options, now=NOW)  # everything it built was kept
        assert warm.rebuilt == 0 and warm.text == serial.text
    finally:
        helper.close()
        store.close()


def test_ics_on_two_cores_writes_the_file_one_process_writes(sample_store, monkeypatch, tmp_path):
    """`actionplan ics` forks its side process before it opens the database; the child reads the
    tasks it is sent with a connection of its own and builds them: the file is the same."""
    import os
    import re
    import sqlite3

    from actionplan.calendar import side_process

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    monkeypatch.setattr("actionplan.calendar.ical.CHUNK", 3)
    monkeypatch.setattr("actionplan.calendar.ical.SIDE_MIN_TASKS", 1)
    path = sample_store.path
    sample_store.close()
    built_by = tmp_path / "built-by"
    components = _original_components()

    def noting_the_process(*args):
        with open(built_by, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return components(*args)

    monkeypatch.setattr("actionplan.calendar.ical._components", noting_the_process)
    files = {}
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this process: the command does not fork then")
    for cores in (1, 2):
        monkeypatch.setattr(side_process, "cores", lambda cores=cores: cores)
        with sqlite3.connect(path) as conn:
            conn.execute("DELETE FROM ical_cache")  # cold, both times
        conn.close()
        out = tmp_path / f"{cores}.ics"
        result = _run(path, "ics", "--all", "--todo", "--as-of", "2026-11-26", "-o", str(out))
        assert result.exit_code == 0, result.output
        files[cores] = out.read_text(encoding="utf-8")
    stamp = re.compile(r"^DTSTAMP:.*$", re.M)
    assert stamp.sub("", files[1]) == stamp.sub("", files[2])
    assert files[2].count("BEGIN:VEVENT") > 10
    pids = set(built_by.read_text().split())
    assert str(os.getpid()) in pids and len(pids) == 2  # this process and its side process built
