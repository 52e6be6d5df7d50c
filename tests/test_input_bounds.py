"""What a user types or a file holds: dates in every TOML form, huge numbers, long filters, deep
nesting, non-regular plan files, control characters in names, NUL bytes and devices as output
paths.  Each gets a clear message naming the place, a non-zero exit and an unchanged database,
or the correct behaviour.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from datetime import date, datetime, time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplan.cli.main import cli
from actionplan.core.dates import MAX_YEAR, MIN_YEAR, DateError, parse_deadline
from actionplan.core.errors import OutputError, PlanFileError, RecurrenceError
from actionplan.core.limits import MAX_FILTER_TERMS, MAX_NUMBER, MAX_SOON_DAYS
from actionplan.core.model import Task, rollup_progress
from actionplan.core.query import QueryError, parse_query
from actionplan.core.recurrence import validate_rrule
from actionplan.services import output
from actionplan.services.config import seed_samples
from actionplan.services.planfile import parse_plan_text, read_plan_file
from actionplan.store import Store

HEAD = (
    '[plan]\nkey = "hostile"\ntitle = "Hostile input"\n\n[[orgs]]\nkey = "MPS"\nname = "Ministry of Public Security"\n'
)
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "ical_cache" not in line]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    with Store(path, actor="secretary") as s:
        seed_samples(s)
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "committee.db"
    shutil.copyfile(template, target)
    return target


def task_with(fields: str) -> str:
    return HEAD + f'\n[[tasks]]\nkey = "1"\ntitle = "A task"\nlead = "MPS"\n{fields}\n'


def problems_of(text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(text, "hostile.toml")
    return [str(p) for p in caught.value.problems]


# --- dates: every form goes through the same year check ------------------------------------------------

out_of_range_years = st.integers(1, 9999).filter(lambda y: not MIN_YEAR <= y <= MAX_YEAR)


@SETTINGS
@given(year=out_of_range_years, field=st.sampled_from(["deadline", "start", "completed_on"]))
def test_an_unquoted_toml_date_outside_the_years_is_refused_like_a_written_one(year: int, field: str) -> None:
    written = f"{year:04d}-06-30"
    found = problems_of(task_with(f"{field} = {written}"))
    assert found == [f"hostile.toml:13: task 1 {field}: {written}: the year must be between 1900 and 2200"]
    quoted = problems_of(task_with(f'{field} = "{written}"'))
    assert len(quoted) == 1 and "the year must be between 1900 and 2200" in quoted[0]


@SETTINGS
@given(value=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)) | st.times())
def test_toml_datetimes_and_local_times_are_not_dates(value: datetime | time) -> None:
    found = problems_of(task_with(f"deadline = {value.isoformat()}"))
    assert found == ["hostile.toml:13: task 1 deadline: must be a date like 2026-04-30"]


@SETTINGS
@given(day=st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31)))
def test_dates_inside_the_years_are_read_in_every_form(day: date) -> None:
    for written in (day.isoformat(), f'"{day.isoformat()}"'):
        pf = parse_plan_text(task_with(f"deadline = {written}"), "ok.toml")
        assert pf.tasks[0].deadline == day
    assert parse_deadline(day) == day


@pytest.mark.parametrize("value", [date(9999, 12, 31), date(1, 1, 1), datetime(9999, 12, 31, 23, 59)])
def test_a_date_object_outside_the_years_is_refused(value: date) -> None:
    with pytest.raises(DateError, match="the year must be between 1900 and 2200"):
        parse_deadline(value)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "31/12/9999", "December 9999"])
def test_set_refuses_a_deadline_outside_the_years_and_changes_nothing(db: Path, value: str) -> None:
    before = dump(db)
    result = run("--db", str(db), "set", "cyber-2026/2", f"deadline={value}")
    assert result.exit_code == 1 and "the year must be between 1900 and 2200" in result.output
    assert dump(db) == before


def _by_hand(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_a_date_at_the_calendars_end_already_stored_breaks_neither_calendar_nor_done(db: Path, tmp_path) -> None:
    """A database written before the bounds: ics, feeds and done still answer; export names the task."""
    _by_hand(db, "UPDATE tasks SET deadline = '9999-12-31' WHERE key = '8.3'")  # a quarterly duty
    result = run("--db", str(db), "ics", "--all", "-o", str(tmp_path / "all.ics"))
    assert result.exit_code == 0, result.output
    assert "BEGIN:VCALENDAR" in (tmp_path / "all.ics").read_text(encoding="utf-8")
    result = run("--db", str(db), "export", "cyber-2026", "-o", str(tmp_path / "plan.toml"))
    assert result.exit_code == 1
    assert "task 8.3 deadline: 9999-12-31: the year must be between 1900 and 2200" in result.output
    assert not (tmp_path / "plan.toml").exists()  # export writes only what import accepts
    result = run("--db", str(db), "done", "cyber-2026/8.3", "--evidence", "Report sent")
    assert result.exit_code == 0 and "Done: cyber-2026/8.3" in result.output


def test_one_task_with_a_broken_date_does_not_take_a_feed_down(db: Path) -> None:
    from datetime import UTC

    from actionplan.calendar.feed_server import FeedService, StorePool
    from actionplan.services.feeds import FeedScope, create_feed

    with Store(db, actor="secretary") as s:
        created = create_feed(s, FeedScope("org", "OFFICE"), label="office")
    _by_hand(db, "UPDATE tasks SET deadline = '9999-12-31', start = NULL WHERE key = '8.3'")
    service = FeedService(StorePool(lambda: Store(db, actor="feeds", clock=lambda: datetime(2026, 11, 26, tzinfo=UTC))))
    outcome = service.answer(created.token, {})
    assert outcome.status == 200
    body = outcome.body.decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR") and body.rstrip().endswith("END:VCALENDAR")
    assert "SUMMARY:8.2 " in body  # the office's other tasks are all there


# --- numbers -----------------------------------------------------------------------------------------

huge = st.one_of(
    st.floats(min_value=MAX_NUMBER * 1.0001, max_value=1e308),
    st.integers(min_value=MAX_NUMBER + 1, max_value=10**30),
).flatmap(lambda v: st.sampled_from([v, -v]))


@SETTINGS
@given(value=huge)
def test_a_huge_kpi_value_in_a_plan_file_is_refused_with_the_bound(value: float | int) -> None:
    found = problems_of(task_with(f'kpi = {{ metric = "m", target = {value!r} }}'))
    assert found == ["hostile.toml:13: task 1 kpi target: must be between -1e15 and 1e15"]


@pytest.mark.parametrize("value", ["1e20", "1e308", "99999999999999999999", "-1e19", "1e400", "nan"])
def test_set_refuses_a_huge_kpi_value_and_changes_nothing(db: Path, value: str) -> None:
    before = dump(db)
    result = run("--db", str(db), "set", "cyber-2026/2", "kpi.metric=m", f"kpi.target={value}")
    assert result.exit_code == 1, result.output
    assert "kpi.target: must be" in result.output
    assert dump(db) == before


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.one_of(
        st.integers(-MAX_NUMBER, MAX_NUMBER),
        st.floats(-MAX_NUMBER, MAX_NUMBER, allow_nan=False, allow_infinity=False),
    )
)
def test_kpi_values_within_the_bound_round_trip_through_export_and_import(template: Path, tmp_path_factory, value):
    folder = tmp_path_factory.mktemp("roundtrip")
    db = folder / "c.db"
    shutil.copyfile(template, db)
    assert run("--db", str(db), "set", "cyber-2026/2", "kpi.metric=Articles", f"kpi.target={value!r}").exit_code == 0
    exported = run("--db", str(db), "export", "cyber-2026")
    assert exported.exit_code == 0
    with Store(db) as s:
        orgs = [o.key for o in s.list_orgs()]
    pf = parse_plan_text(exported.output, "exported.toml", known_orgs=orgs)
    target = next(t for t in pf.tasks if t.key == "2").kpi.target
    assert target == pytest.approx(float(value), rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("term", [f"soon:{MAX_SOON_DAYS + 1}", "soon:3000000", "soon:2147483648", "soon:" + "9" * 40])
def test_soon_beyond_a_hundred_years_is_refused(db: Path, term: str) -> None:
    result = run("--db", str(db), "list", term)
    assert result.exit_code == 1 and f"soon:N looks at most {MAX_SOON_DAYS} days ahead" in result.output


@SETTINGS
@given(count=st.integers(MAX_FILTER_TERMS + 1, 2000), kind=st.sampled_from(["tag", "lead", "plan", "word"]))
def test_a_filter_with_too_many_terms_is_refused(count: int, kind: str) -> None:
    terms = " ".join(f"w{i}" if kind == "word" else f"{kind}:x{i}" for i in range(count))
    with pytest.raises(QueryError, match=f"at most {MAX_FILTER_TERMS} terms, this one has {count}"):
        parse_query(terms)


def test_a_thousand_tag_terms_on_the_command_line_give_a_clear_message(db: Path) -> None:
    result = run("--db", str(db), "list", *[f"tag:t{i}" for i in range(1000)])
    assert result.exit_code == 1 and "at most 200 terms, this one has 1000" in result.output


def test_a_thousand_comma_separated_tags_are_counted_too(db: Path) -> None:
    result = run("--db", str(db), "list", "tag:" + ",".join(f"t{i}" for i in range(1000)))
    assert result.exit_code == 1 and "at most 200 terms" in result.output


# --- nesting and unbounded reads ------------------------------------------------------------------------


@SETTINGS
@given(depth=st.integers(410, 3000), opener=st.sampled_from(["[", "{ a = ", "[1, "]))
def test_deep_nesting_is_a_plan_file_error(depth: int, opener: str) -> None:
    closer = {"[": "]", "{ a = ": "}", "[1, ": "]"}[opener]
    text = "x = " + opener * depth + "1" * (opener != "[") + closer * depth + "\n" + HEAD
    found = problems_of(text)
    assert len(found) == 1 and "nested hundreds of levels deep: not a plan file" in found[0]


def test_five_hundred_nested_arrays_on_the_command_line(db: Path, tmp_path: Path) -> None:
    plan = tmp_path / "deep.toml"
    plan.write_text("x = " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    before = dump(db)
    result = run("--db", str(db), "import", str(plan))
    assert result.exit_code == 1
    assert "deep.toml:1: arrays or tables nested hundreds of levels deep: not a plan file" in result.output
    assert dump(db) == before


def test_a_fifo_is_refused_without_waiting_for_a_writer(db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "plan.toml"
    os.mkfifo(fifo)
    before = dump(db)
    result = run("--db", str(db), "import", str(fifo))
    assert result.exit_code == 1 and "it is not a regular file (a device or a pipe)" in result.output
    assert dump(db) == before


def test_a_device_is_refused(db: Path) -> None:
    with pytest.raises(PlanFileError, match="not a regular file"):
        read_plan_file("/dev/zero")


def test_a_plan_file_above_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from actionplan.services import planfile

    monkeypatch.setattr(planfile, "MAX_PLAN_FILE_BYTES", 1024)
    big = tmp_path / "big.toml"
    big.write_text(task_with("") + "# padding\n" * 200, encoding="utf-8")
    with pytest.raises(PlanFileError, match="larger than 0 MB: split the plan"):
        read_plan_file(big)


# --- control characters in user names ---------------------------------------------------------------


@pytest.mark.parametrize("how", ["--as", "env"])
def test_control_characters_in_a_user_name_are_cleaned_before_they_are_stored(db: Path, how: str) -> None:
    name = "Lan\x1b[2J\x07 Secretary\r\n"
    args = ["--as", name + "\x00"] if how == "--as" else []  # (an environment variable cannot hold a NUL)
    env = {"ACTIONPLAN_USER": name} if how == "env" else None
    assert run("--db", str(db), *args, "note", "cyber-2026/2", "Draft sent", env=env).exit_code == 0
    shown = run("--db", str(db), "show", "cyber-2026/2").output + run("--db", str(db), "history", "cyber-2026/2").output
    assert "\x1b" not in shown and "\x07" not in shown and "\x00" not in shown
    assert "Lan[2J Secretary" in shown
    conn = sqlite3.connect(db)
    authors = {r[0] for r in conn.execute("SELECT author FROM updates")} | {
        r[0] for r in conn.execute("SELECT actor FROM changes")
    }
    conn.close()
    assert not any(ch in a for a in authors for ch in "\x1b\x07\x00\r\n")


# --- NUL in an output path, and devices, FIFOs and symlinks as targets -------------------------------------

OUTPUT_COMMANDS = {
    "export": ["export", "cyber-2026", "-o"],
    "ics": ["ics", "--all", "-o"],
    "digest": ["digest", "--as-of", "2026-11-26", "--no-record", "-o"],
    "backup": ["backup", "-o"],
}


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_a_nul_in_an_output_path_is_a_clear_error_everywhere(db: Path, command: str, tmp_path: Path) -> None:
    before = dump(db)
    result = run("--db", str(db), *OUTPUT_COMMANDS[command], str(tmp_path / "out\x00.txt"))
    assert result.exit_code == 1, result.output
    assert "not a usable file name" in result.output
    assert dump(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["committee.db"] + (
        ["committee.db-shm", "committee.db-wal"] if (tmp_path / "committee.db-wal").exists() else []
    )


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
@pytest.mark.parametrize("name", ["x" * 300, "loop"])
def test_a_name_too_long_or_a_loop_of_links_is_a_clear_error_everywhere(
    db: Path, command: str, name: str, tmp_path: Path
) -> None:
    if name == "loop":
        (tmp_path / "loop").symlink_to(tmp_path / "loop2")
        (tmp_path / "loop2").symlink_to(tmp_path / "loop")
    before = dump(db)
    result = run("--db", str(db), *OUTPUT_COMMANDS[command], str(tmp_path / name))
    assert result.exit_code == 1, result.output
    assert "cannot write" in result.output and ("too long" in result.output or "symbolic links" in result.output)
    assert dump(db) == before


def _read_fifo(fifo: Path, into: list[bytes]) -> threading.Thread:
    def reader() -> None:
        with open(fifo, "rb") as fh:
            into.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


def _release(fifo: Path) -> None:
    """If the command never opened the FIFO, let the waiting reader end (it reads nothing)."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # no reader waits any more
        pass


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_a_fifo_as_output_is_written_in_place_not_replaced(db: Path, command: str, tmp_path: Path) -> None:
    fifo = tmp_path / "out.pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _read_fifo(fifo, got)
    try:
        result = run("--db", str(db), *OUTPUT_COMMANDS[command], str(fifo))
    finally:
        _release(fifo)
        thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert fifo.is_fifo()  # still the FIFO: nothing was renamed over it
    head = {"export": b"# ", "ics": b"BEGIN:VCALENDAR", "digest": b"", "backup": b"SQLite format 3"}[command]
    assert got and got[0].lstrip().startswith(head) and len(got[0]) > 100
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".actionplan-")]


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_a_symlink_as_output_is_followed_and_stays_a_link(db: Path, command: str, tmp_path: Path) -> None:
    real = tmp_path / "shared" / "real.out"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.out"
    link.symlink_to(real)
    result = run("--db", str(db), *OUTPUT_COMMANDS[command], str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() != b"old" and len(real.read_bytes()) > 100


def test_a_dash_writes_to_standard_output(db: Path) -> None:
    result = run("--db", str(db), "export", "cyber-2026", "-o", "-")
    assert result.exit_code == 0 and "[plan]" in result.output
    assert not Path("-").exists()


def test_a_regular_file_is_replaced_whole_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "plan.toml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    output.write_text(target, "new text")
    assert target.read_text(encoding="utf-8") == "new text" and (target.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a\x00b", "not a usable file name"),
        ("", "an empty output file name"),
        ("no/such/folder/x.ics", "no such folder"),
    ],
)
def test_output_paths_that_cannot_be_written_are_refused(name: str, message: str) -> None:
    with pytest.raises(OutputError, match=message):
        output.write_text(name, "text")


def test_a_folder_as_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        output.write_text(tmp_path, "text")


# --- the smaller ones -------------------------------------------------------------------------------------


def test_a_kpi_baseline_without_a_metric_is_refused_like_a_target(db: Path) -> None:
    before = dump(db)
    for field in ("kpi.baseline=5", "kpi.target=5", "kpi.current=5"):
        result = run("--db", str(db), "set", "cyber-2026/1.1", field)
        assert result.exit_code == 1 and "kpi.metric: name the KPI metric first" in result.output, field
    assert dump(db) == before


@SETTINGS
@given(depth=st.integers(30, 1500))
def test_progress_rolls_up_through_chains_of_any_depth(depth: int) -> None:
    tasks = [Task(plan="p", key=f"k{i}", title="t", parent=f"k{i - 1}" if i else "") for i in range(depth)]
    tasks[-1].progress = 60
    rolled = rollup_progress(tasks)
    assert rolled["p/k0"] == 60.0


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=2",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYMONTH=4;BYYEARDAY=1",
    ],
)
def test_a_recurrence_that_never_falls_due_is_refused(rule: str) -> None:
    with pytest.raises(RecurrenceError):
        validate_rrule(rule)


@pytest.mark.parametrize(
    "rule", ["FREQ=YEARLY;BYYEARDAY=366", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=MONTHLY;BYMONTHDAY=-1"]
)
def test_recurrences_that_fall_due_only_in_some_years_are_kept(rule: str) -> None:
    assert validate_rrule(rule) == rule


@pytest.mark.parametrize("text", ["\x00", "\x00\x01\x1b", " \x07 "])
def test_a_note_of_only_control_characters_is_refused(db: Path, text: str) -> None:
    before = dump(db)
    result = run("--db", str(db), "note", "cyber-2026/2", text)
    assert result.exit_code == 1 and "a progress note needs some text" in result.output
    assert dump(db) == before


def test_a_calendar_built_while_another_writer_holds_the_lock_does_not_wait(db: Path) -> None:
    """The event cache is filled only when the lock is free: the feed answers from the data at once."""
    from actionplan.calendar.ical import IcalOptions, build_calendar
    from actionplan.core.query import TaskFilter

    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Store(db, actor="feeds", lock_wait=3600) as s:
            said: list[str] = []
            s.on_wait = said.append
            export = build_calendar(s, TaskFilter(), IcalOptions(), now=datetime(2026, 11, 26, 3, 0))
        assert export.rebuilt == export.tasks > 0 and not said  # built, and never waited for the lock
    finally:
        other.execute("ROLLBACK")
        other.close()
