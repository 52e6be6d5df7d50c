"""Calendars members can trust: finished periods stop reminding, every reader expands the same
dates, each event names who it is from, late is visible, big exports stream and warn.

Every calendar is read back by icalendar (with recurring-ical-events to expand series) and by
``ical``, a strict parser with its own recurrence code; khal and calcurse, real clients, read
the same file when they are installed.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from click.testing import CliRunner
from conftest import NOW
from ical.calendar_stream import IcsCalendarStream

from actionplan.calendar import ical as ical_module
from actionplan.calendar.ical import IcalOptions, build_calendar, export_calendar, write_calendar
from actionplan.cli.main import cli
from actionplan.core.model import Org, Task
from actionplan.core.query import TaskFilter
from actionplan.core.recurrence import next_occurrence, occurrences

DEC_2 = date(2026, 12, 2)
LO, HI = date(2026, 1, 1), date(2027, 12, 31)
#: Duties whose rules clients read differently when written as the program computes them
#: (month ends, BYSETPOS, 29 February), and plain ones.
DUTIES = {
    "m30": ("FREQ=MONTHLY", date(2026, 1, 30)),
    "q31": ("FREQ=MONTHLY;INTERVAL=3", date(2026, 3, 31)),
    "lastwd": ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", date(2026, 1, 30)),
    "fortnight": ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=8", date(2026, 1, 5)),
    "leap": ("FREQ=YEARLY", date(2024, 2, 29)),
    "mid": ("FREQ=MONTHLY;UNTIL=20261215", date(2026, 1, 15)),
}


def export(store, f: TaskFilter | None = None, options: IcalOptions | None = None, **kw) -> str:
    return export_calendar(store, f or TaskFilter(), options or IcalOptions(), now=NOW, **kw)


def parse(text: str) -> icalendar.Calendar:
    cal = icalendar.Calendar.from_ical(text)
    assert all(c.errors == [] for c in cal.walk())
    return cal


def strict(text: str):
    """The same text read by the ``ical`` package (strict RFC 5545 parsing, its own recurrence)."""
    return IcsCalendarStream.calendar_from_ics(text)


def uid(store, ref: str, suffix: str = "") -> str:
    plan, key = ref.split("/")
    return f"{plan}.{key.replace('.', '-')}.{store.db_id}" + (f".{suffix}" if suffix else "") + "@actionplan"


def of_task(cal: icalendar.Calendar, store, ref: str) -> dict[str, icalendar.Event]:
    """The task's events: its series and its period events."""
    main = uid(store, ref)
    period = main.replace("@actionplan", ".period-")
    return {
        str(e["UID"]): e for e in cal.walk("VEVENT") if str(e["UID"]) in (main,) or str(e["UID"]).startswith(period)
    }


def dates_by_icalendar(text: str, store, ref: str, lo: date = LO, hi: date = HI) -> list[date]:
    main = uid(store, ref)
    period = main.replace("@actionplan", ".period-")
    found = recurring_ical_events.of(parse(text)).between(lo, hi + timedelta(days=1))
    return sorted(e["DTSTART"].dt for e in found if str(e["UID"]) == main or str(e["UID"]).startswith(period))


def dates_by_ical(text: str, store, ref: str, lo: date = LO, hi: date = HI) -> list[date]:
    main = uid(store, ref)
    period = main.replace("@actionplan", ".period-")
    found = strict(text).timeline.included(lo, hi + timedelta(days=2))  # (its end bound excludes the last day)
    return sorted(e.dtstart for e in found if (e.uid == main or e.uid.startswith(period)) and e.dtstart <= hi)


def add_duties(store) -> None:
    for i, (name, (rule, start)) in enumerate(DUTIES.items(), start=1):
        store.add_task(
            Task(
                plan="cyber-2026",
                key=f"9.{i}",
                title=f"Duty {name}",
                lead="OFFICE",
                start=start,
                deadline=start,
                recurrence=rule,
            )
        )


# --- 1. a finished period stops reminding ---------------------------------------------------------


def test_a_done_period_has_no_reminder_and_stays_visible_as_done(sample_store, clock):
    ref = "strategy-2030/3.4"  # yearly on 15 Dec from 2023, current period due 2026-12-15
    task = sample_store.get_task(ref)
    clock.now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    sample_store.mark_done(ref, "Report sent", task.version, on=DEC_2)
    assert sample_store.get_task(ref).deadline == date(2027, 12, 15)
    text = export(sample_store, today=DEC_2)
    found = of_task(parse(text), sample_store, ref)
    delivered = found[uid(sample_store, ref, "period-20261215")]
    assert delivered.walk("VALARM") == [] and str(delivered["SUMMARY"]).endswith("[done]")
    assert "Done for the period due 2026-12-15" in str(delivered["DESCRIPTION"])
    series = found[uid(sample_store, ref)]
    assert series["DTSTART"].dt == date(2027, 12, 15)  # the series starts at the current period
    assert len(series.walk("VALARM")) == 2
    # no alarm of any event of the task fires for a finished period: every alarm is on the series
    alarmed = [e for e in found.values() if e.walk("VALARM")]
    assert alarmed == [series]
    # and the dates shown are the program's, finished and ahead, for both readers
    expected = occurrences(task.recurrence, task.start, date(2030, 12, 31))
    assert dates_by_icalendar(text, sample_store, ref, date(2023, 1, 1), date(2030, 12, 31)) == expected
    assert dates_by_ical(text, sample_store, ref, date(2023, 1, 1), date(2030, 12, 31)) == expected
    strict_events = {e.uid: e for e in strict(text).events}
    assert strict_events[uid(sample_store, ref, "period-20261215")].alarm == []


def test_finishing_the_last_period_keeps_the_past_periods_in_the_export_and_the_feed(sample_store, clock):
    from actionplan.calendar.feed_server import render_feed
    from actionplan.services.feeds import FeedScope, create_feed, find_feed

    ref = "cyber-2026/8.3"  # quarterly, COUNT=3, current (last) period due 2027-01-15
    task = sample_store.get_task(ref)
    clock.now = datetime(2026, 12, 2, 3, tzinfo=UTC)  # a completion is never in the future
    sample_store.mark_done(ref, "Q4 report sent", task.version, on=DEC_2)
    assert sample_store.get_task(ref).status == "done"
    new = create_feed(sample_store, FeedScope("plan", "cyber-2026"))
    feed = find_feed(sample_store, new.token)
    assert feed is not None
    periods = [date(2026, 7, 15), date(2026, 10, 15), date(2027, 1, 15)]
    # the feed shows what falls in its window (from 3 months back), the file every period
    for text, shown in (
        (export(sample_store, today=DEC_2), periods),
        (render_feed(sample_store, feed, NOW), periods[1:]),
    ):
        found = of_task(parse(text), sample_store, ref)
        assert sorted(e["DTSTART"].dt for e in found.values()) == shown
        assert all(e.walk("VALARM") == [] for e in found.values())
        assert uid(sample_store, ref) not in found  # no series left to remind
    # a plain done task is still left out of the default export
    plain_done = [t for t in sample_store.list_tasks() if t.status == "done" and not t.recurrence and t.deadline]
    assert plain_done and uid(sample_store, plain_done[0].ref) not in {
        str(e["UID"]) for e in parse(export(sample_store)).walk("VEVENT")
    }


# --- 2. recurrences every reader expands the same way ---------------------------------------------


def test_every_expander_gives_the_dates_done_moves_along(sample_store):
    add_duties(sample_store)
    text = export(sample_store, TaskFilter(plans=["cyber-2026"]), today=LO)
    assert "BYSETPOS" not in text and "BYMONTHDAY=30,-1" not in text and "RDATE" not in text
    for i, (name, (rule, start)) in enumerate(DUTIES.items(), start=1):
        ref = f"cyber-2026/9.{i}"
        ours = [d for d in occurrences(rule, start, HI) if d >= LO]
        # what `done` walks through, period by period
        walked, current = [], start
        while current is not None and current <= HI:
            if current >= LO:
                walked.append(current)
            current = next_occurrence(rule, start, current + timedelta(days=1))
        assert walked == ours, name
        assert dates_by_icalendar(text, sample_store, ref) == ours, name
        assert dates_by_ical(text, sample_store, ref) == ours, name


def test_a_plain_rule_stays_one_series(sample_store):
    add_duties(sample_store)
    cal = parse(export(sample_store, TaskFilter(plans=["cyber-2026"]), today=LO))
    events_ = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    fortnight = events_[uid(sample_store, "cyber-2026/9.4")]
    assert fortnight["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=8;INTERVAL=2;BYDAY=MO,TH"
    month_end = [u for u in events_ if u.startswith(uid(sample_store, "cyber-2026/9.1").replace("@actionplan", ""))]
    # one event per period, two years ahead of the current one (an export without --to)
    assert len(month_end) == 25 and all("RRULE" not in events_[u] for u in month_end)


def _khal_dates(tmp_path: Path, text: str) -> dict[str, list[date]]:
    (tmp_path / "khal" / "cal").mkdir(parents=True)
    conf = tmp_path / "khal.conf"
    conf.write_text(
        f"[calendars]\n[[cal]]\npath = {tmp_path / 'khal' / 'cal'}\ntype = calendar\n[locale]\n"
        "timeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "local_timezone = Asia/Ho_Chi_Minh\ndefault_timezone = Asia/Ho_Chi_Minh\n"
        f"[sqlite]\npath = {tmp_path / 'khal.db'}\n"
    )
    (tmp_path / "in.ics").write_text(text, newline="")
    run = {"capture_output": True, "text": True, "timeout": 120, "check": True}
    subprocess.run(["khal", "-c", str(conf), "import", "--batch", str(tmp_path / "in.ics")], **run)
    args = ["khal", "-c", str(conf), "list", str(LO), str(HI), "--day-format", "", "--format", "{start-date} {title}"]
    found = collections.defaultdict(list)
    for line in subprocess.run(args, **run).stdout.splitlines():
        match = re.match(r"(\d{4}-\d\d-\d\d) .*Duty (\w+)", line)
        if match:
            found[match[2]].append(date.fromisoformat(match[1]))
    return found


def _calcurse_dates(tmp_path: Path, text: str) -> dict[str, list[date]]:
    home = tmp_path / "calcurse"
    home.mkdir()
    (tmp_path / "in.ics").write_text(text, newline="")
    run = {"capture_output": True, "text": True, "timeout": 120, "check": True}
    subprocess.run(["calcurse", "-D", str(home), "-i", str(tmp_path / "in.ics")], **run)
    args = ["calcurse", "-D", str(home), "-Q", "--from", LO.strftime("%m/%d/%Y"), "--days", str((HI - LO).days + 1)]
    args += ["--format-event", " %m\n", "--format-recur-event", " %m\n"]
    found, day = collections.defaultdict(list), None
    for line in subprocess.run(args, **run).stdout.splitlines():
        header = re.match(r"(\d\d)/(\d\d)/(\d\d):", line)
        if header:
            day = date(2000 + int(header[3]), int(header[1]), int(header[2]))
        duty = re.search(r"Duty (\w+)", line)
        if duty and day:
            found[duty[1]].append(day)
    return found


def _radicale_dates(tmp_path: Path, text: str) -> dict[str, list[date]]:
    """Store each event in a Radicale server (started here, on loopback) through CalDAV, and let
    the server expand the series (a calendar-query REPORT with <expand>)."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    import caldav
    import radicale
    import radicale.config

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    conf = radicale.config.load()
    settings = {"auth": {"type": "none"}, "storage": {"filesystem_folder": str(tmp_path / "radicale")}}
    conf.update(settings, "test", privileged=True)
    server = make_server("127.0.0.1", 0, radicale.Application(conf), handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found = collections.defaultdict(list)
    try:
        client = caldav.DAVClient(f"http://127.0.0.1:{server.server_port}/", username="member", password="x")
        calendar = client.principal().make_calendar(name="deadlines")
        for event in parse(text).walk("VEVENT"):
            one = icalendar.Calendar()
            one.add("prodid", "-//test//EN")
            one.add("version", "2.0")
            one.add_component(event)
            calendar.save_event(one.to_ical().decode("utf-8"))
        start, end = datetime.combine(LO, dt.time()), datetime.combine(HI + timedelta(days=1), dt.time())
        for hit in calendar.search(start=start, end=end, event=True, expand=True, server_expand=True):
            for event in hit.icalendar_instance.walk("VEVENT"):
                duty = re.search(r"Duty (\w+)", str(event["SUMMARY"]))
                if duty:
                    found[duty[1]].append(event["DTSTART"].dt)
    finally:
        server.shutdown()
        thread.join()
    return found


@pytest.mark.parametrize(
    "client, reader", [("khal", _khal_dates), ("calcurse", _calcurse_dates), ("radicale", _radicale_dates)]
)
def test_real_clients_show_the_program_s_dates(sample_store, tmp_path, client, reader):
    if client != "radicale" and shutil.which(client) is None:
        pytest.skip(f"{client} is not installed")
    add_duties(sample_store)
    text = export(sample_store, TaskFilter(plans=["cyber-2026"], leads=["OFFICE"]), today=LO)
    shown = reader(tmp_path, text)
    for name, (rule, start) in DUTIES.items():
        assert sorted(shown[name]) == [d for d in occurrences(rule, start, HI) if d >= LO], (client, name)


# --- 3. who it is from, CLASS, COMPLETED, DTSTAMP -------------------------------------------------


def test_every_event_names_its_lead_agency_as_organizer(sample_store):
    sample_store.save_org(Org(key="NOMAIL", name="Agency without mail", parent="OFFICE"))
    sample_store.save_org(Org(key="ALONE", name="Agency, alone"))
    for key, lead in (("9.1", "NOMAIL"), ("9.2", "ALONE")):
        sample_store.add_task(Task(plan="cyber-2026", key=key, title="T", lead=lead, deadline=date(2027, 3, 1)))
    text = export(sample_store, options=IcalOptions(reminder_events=True, todo=True))
    cal = parse(text)
    by_uid = {str(c["UID"]): c for c in cal.walk() if c.name in ("VEVENT", "VTODO")}
    mps = by_uid[uid(sample_store, "cyber-2026/2.3")]
    assert str(mps["ORGANIZER"]) == "mailto:mps@example.gov.vn"
    assert mps["ORGANIZER"].params["CN"] == "Ministry of Public Security"
    assert str(by_uid[uid(sample_store, "cyber-2026/9.1")]["ORGANIZER"]) == "mailto:office@example.gov.vn"  # parent's
    assert "ORGANIZER" not in by_uid[uid(sample_store, "cyber-2026/9.2")]  # no address anywhere: none
    sample_store.set_setting("organizer", "office@example.gov.vn")
    again = {str(e["UID"]): e for e in parse(export(sample_store)).walk("VEVENT")}
    assert str(again[uid(sample_store, "cyber-2026/9.2")]["ORGANIZER"]) == "mailto:office@example.gov.vn"
    assert all(str(c["CLASS"]) == "PUBLIC" for c in by_uid.values())
    for event in strict(text).events:  # the strict reader sees the same organizer and class
        assert event.classification is not None
        if event.uid == uid(sample_store, "cyber-2026/2.3"):
            assert event.organizer.uri == "mailto:mps@example.gov.vn"
            assert event.organizer.common_name == "Ministry of Public Security"


def test_a_done_todo_says_when_it_was_completed(sample_store):
    done = next(t for t in sample_store.list_tasks() if t.status == "done" and t.deadline and t.completed_on)
    text = export(sample_store, TaskFilter(statuses=["done"]), IcalOptions(todo=True))
    todo = {str(t["UID"]): t for t in parse(text).walk("VTODO")}[uid(sample_store, done.ref, "todo")]
    local = datetime.combine(done.completed_on, dt.time(), dt.timezone(timedelta(hours=7)))
    assert todo["COMPLETED"].dt == local.astimezone(UTC) and str(todo["STATUS"]) == "COMPLETED"
    strict_todo = {t.uid: t for t in strict(text).todos}[uid(sample_store, done.ref, "todo")]
    assert strict_todo.completed == local.astimezone(UTC)


def test_dtstamp_is_the_publication_and_the_rest_is_byte_stable(sample_store):
    options = IcalOptions(reminder_events=True, todo=True)
    first = export(sample_store, options=options)
    later = export_calendar(sample_store, TaskFilter(), options, now=NOW + timedelta(hours=5), today=NOW.date())
    stamps = set(re.findall(r"\r\nDTSTAMP:(\S+)\r\n", first))
    assert stamps == {"20261126T030000Z"}  # every component: the moment the calendar was made
    assert later == first.replace("DTSTAMP:20261126T030000Z", "DTSTAMP:20261126T080000Z")
    assert export(sample_store, options=options) == first  # same data, same moment: same bytes


# --- 4. late is visible ---------------------------------------------------------------------------


def test_an_overdue_task_says_it_is_late_and_by_how_much(sample_store):
    late = next(t for t in sample_store.list_tasks() if t.is_open and t.deadline and t.deadline < NOW.date())
    days = (NOW.date() - late.deadline).days
    event = {str(e["UID"]): e for e in parse(export(sample_store)).walk("VEVENT")}[uid(sample_store, late.ref)]
    assert str(event["SUMMARY"]).startswith(f"Late by {days} days: {late.key} ")
    assert f"Late by {days} days (deadline {late.deadline.isoformat()}, as of {NOW.date().isoformat()})" in str(
        event["DESCRIPTION"]
    )
    on_time = next(t for t in sample_store.list_tasks() if t.is_open and t.deadline and t.deadline > NOW.date())
    other = {str(e["UID"]): e for e in parse(export(sample_store)).walk("VEVENT")}[uid(sample_store, on_time.ref)]
    assert "Late" not in str(other["SUMMARY"]) and "Late" not in str(other["DESCRIPTION"])


def test_the_cache_follows_the_day_only_for_events_that_depend_on_it(sample_store):
    f, options = TaskFilter(), IcalOptions()
    first = build_calendar(sample_store, f, options, now=NOW)
    assert first.rebuilt == first.tasks
    assert build_calendar(sample_store, f, options, now=NOW).rebuilt == 0
    tomorrow = NOW + timedelta(days=1)
    rows = sample_store.task_versions(
        f, today=tomorrow.date(), default_statuses=["not started", "in progress", "blocked", "cancelled"]
    )
    depends = sum(1 for r in rows if r[4] or r[5])  # late tasks, and recurring duties (late ones among them)
    late = sum(1 for r in rows if r[4])
    next_day = build_calendar(sample_store, f, options, now=tomorrow)
    assert 0 < late <= next_day.rebuilt <= depends and next_day.rebuilt < next_day.tasks
    fresh = next_day.text
    sample_store.conn.execute("DELETE FROM ical_cache")  # rebuilt from scratch: the very same text
    assert build_calendar(sample_store, f, options, now=tomorrow).text == fresh
    late_task = next(t for t in sample_store.list_tasks() if t.is_open and t.deadline and t.deadline < NOW.date())
    days = (tomorrow.date() - late_task.deadline).days
    assert f"Late by {days} days: {late_task.key} " in fresh.replace("\r\n ", "")


# --- 5. big exports stream ------------------------------------------------------------------------


def test_the_export_is_written_as_it_is_read(sample_store, monkeypatch):
    monkeypatch.setattr(ical_module, "CHUNK", 5)
    pieces: list[str] = []
    result = write_calendar(sample_store, TaskFilter(), IcalOptions(), pieces.append, now=NOW)
    assert len(pieces) >= 2 + result.tasks // 5  # header, one piece per chunk of 5 tasks, footer
    assert "".join(pieces) == export(sample_store)
    assert result.size == len("".join(pieces).encode("utf-8"))


# --- 6. size warnings and feed windows ------------------------------------------------------------


def test_a_big_file_warns_and_says_how_to_narrow_it(sample_store, db_path, tmp_path, monkeypatch):
    monkeypatch.setattr(ical_module, "SIZE_WARNING_BYTES", 10_000)
    out = tmp_path / "all.ics"
    result = CliRunner().invoke(cli, ["--db", str(db_path), "ics", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Google Calendar reads about 1 MB" in result.stderr and "--from/--to" in result.stderr
    small = CliRunner().invoke(cli, ["--db", str(db_path), "ics", "--org", "MOJ", "--to", "2026-12-31"])
    assert "Google Calendar reads about 1 MB" not in small.stderr


def test_feeds_show_a_window_of_dates_by_default(sample_store):
    from actionplan.calendar.feed_server import render_feed
    from actionplan.services.feeds import FeedScope, create_feed, feed_window, find_feed

    today = sample_store.today()
    for key, deadline, status in (
        ("9.1", today + timedelta(days=3 * 366), "not started"),  # beyond 18 months
        ("9.2", today - timedelta(days=200), "done"),  # done, before 3 months back
        ("9.3", today - timedelta(days=200), "in progress"),  # late long ago: still shown
        ("9.4", today + timedelta(days=30), "not started"),
    ):
        done_on = deadline if status == "done" else None
        sample_store.add_task(
            Task(
                plan="cyber-2026",
                key=key,
                title="W",
                lead="MPS",
                deadline=deadline,
                status=status,
                completed_on=done_on,
            )
        )
    new = create_feed(sample_store, FeedScope("plan", "cyber-2026"))
    feed = find_feed(sample_store, new.token)
    assert feed is not None
    lo, hi = feed_window(sample_store, feed, today)
    assert (lo, hi) == (date(2026, 8, 26), date(2028, 5, 26))  # 3 months back, 18 months ahead of 26 Nov 2026
    shown = {str(e["UID"]) for e in parse(render_feed(sample_store, feed, NOW)).walk("VEVENT")}
    assert uid(sample_store, "cyber-2026/9.4") in shown and uid(sample_store, "cyber-2026/9.3") in shown
    assert uid(sample_store, "cyber-2026/9.1") not in shown
    file_uids = {str(e["UID"]) for e in parse(export(sample_store, TaskFilter(plans=["cyber-2026"]))).walk("VEVENT")}
    assert uid(sample_store, "cyber-2026/9.1") in file_uids  # a file export has no default window
    # per feed and in the settings
    own = create_feed(sample_store, FeedScope("plan", "cyber-2026"), window=("all", "4y"))
    wide = find_feed(sample_store, own.token)
    assert wide is not None and feed_window(sample_store, wide, today) == (None, date(2030, 11, 26))
    assert uid(sample_store, "cyber-2026/9.1") in {
        str(e["UID"]) for e in parse(render_feed(sample_store, wide, NOW)).walk("VEVENT")
    }
    result = CliRunner().invoke(
        cli, ["--db", str(sample_store.path), "calendar-settings", "--feed-back", "1m", "--feed-ahead", "6m"]
    )
    assert result.exit_code == 0 and "1m back, 6m ahead" in result.output
    assert feed_window(sample_store, feed, today) == (date(2026, 10, 26), date(2027, 5, 26))


def test_a_feed_changes_its_etag_with_the_day(sample_store, clock):
    from actionplan.calendar.feed_server import FeedService, StorePool
    from actionplan.services.feeds import FeedScope, create_feed, find_feed

    new = create_feed(sample_store, FeedScope("plan", "cyber-2026"))
    service = FeedService(StorePool(lambda: sample_store))
    feed = find_feed(sample_store, new.token)
    assert feed is not None
    today = service.version(sample_store, feed)
    assert service.version(sample_store, feed).etag == today.etag
    clock.now = NOW + timedelta(days=1)
    tomorrow = service.version(sample_store, feed)
    assert tomorrow.etag != today.etag and tomorrow.last_modified > today.last_modified
