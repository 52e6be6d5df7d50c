"""Reliability: concurrent edits, a killed import, hostile input, old databases, backup and check.

Each test drives whole processes or the CLI, the way a committee office would meet the
problem: two secretaries saving the same task at once, a laptop dying in the middle of
a large import, a plan file from somebody's broken script, a database from last year's
release, a backup taken while colleagues keep working.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplan.cli.main import cli
from actionplan.core.dates import DateError, parse_deadline
from actionplan.core.model import Task
from actionplan.core.query import TaskFilter
from actionplan.core.recurrence import RecurrenceError, validate_rrule
from actionplan.core.text import fold
from actionplan.services.config import seed_samples
from actionplan.store import Store
from actionplan.store import imports as store_imports
from actionplan.store import schema as store_module

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ROOT / "benchmarks"))  # generate.py: the synthetic plans
sys.path.insert(0, str(FIXTURES))  # make_schema_fixtures.py: what each fixture must still hold

CONFLICT = "changed by someone else since you read it"


def run_cli(*args: str, input: str | None = None):
    """The CLI in this process; an unexpected exception fails the test instead of being caught."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, input=input)


def wait_until(condition, what: str, timeout: float = 30.0, every: float = 0.005) -> None:
    """Poll *condition* until it holds (a bounded loop: fails after *timeout* seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def content_digest(path: Path) -> str:
    """A digest of everything the database holds, except the iCal event cache (a cache)."""
    conn = sqlite3.connect(path)
    try:
        lines = [line for line in conn.iterdump() if "ical_cache" not in line]
    finally:
        conn.close()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def make_sample_db(path: Path) -> Path:
    s = Store(path, actor="secretary")
    seed_samples(s)
    s.close()
    return path


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plans in a database, made once; tests work on copies."""
    return make_sample_db(tmp_path_factory.mktemp("template") / "template.db")


def copy_of(template: Path, target: Path) -> Path:
    # a write-ahead log left by the previous example would not match the new copy: remove it first
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


# --- two processes edit the same task ---------------------------------------------------------------

# Loads the CLI, says it is ready, waits for the go signal (a file), then runs the command.
STARTER = r"""
import sys, time
from pathlib import Path
from actionplan.cli.main import cli
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.write_text("ready")
deadline = time.monotonic() + 30
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.0005)
cli.main(args=sys.argv[3:], prog_name="actionplan")
"""


def test_two_processes_saving_the_same_task_at_once_one_wins_and_nothing_is_lost(
    template_db: Path, tmp_path: Path
) -> None:
    db = copy_of(template_db, tmp_path / "committee.db")
    with Store(db) as s:
        before = s.get_task("cyber-2026/2")
        history_before = len(s.history("cyber-2026/2"))
    go = tmp_path / "go"
    procs = []
    for n, progress in enumerate((41, 77)):
        ready = tmp_path / f"ready-{n}"
        args = [
            "--db",
            str(db),
            "--as",
            f"secretary-{n}",
            "set",
            "cyber-2026/2",
            f"progress={progress}",
            "--if-version",
            str(before.version),
        ]
        procs.append(
            (
                progress,
                ready,
                subprocess.Popen(
                    [sys.executable, "-c", STARTER, str(ready), str(go), *args],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    wait_until(lambda: all(ready.exists() for _p, ready, _proc in procs), "both processes to be ready")
    go.write_text("go")  # both start saving now
    results = [(progress, proc.wait(timeout=60), *proc.communicate()) for progress, _ready, proc in procs]

    winners = [r for r in results if r[1] == 0]
    losers = [r for r in results if r[1] != 0]
    assert len(winners) == 1 and len(losers) == 1, results
    won_with, _rc, out, _err = winners[0]
    _p, rc, _out, err = losers[0]
    assert rc == 1 and CONFLICT in err and "nothing was saved" in err
    assert "Traceback" not in err + out
    with Store(db) as s:
        after = s.get_task("cyber-2026/2")
        history = s.history("cyber-2026/2")
    assert after.progress == won_with and after.version == before.version + 1
    changes = history[history_before:]
    assert [(c.field, c.old, c.new) for c in changes] == [("progress", str(before.progress), str(won_with))]


# --- a process killed in the middle of an import ------------------------------------------------------


def _processes_using(db: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(db).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc to find left-over processes")
def test_an_import_killed_midway_leaves_all_of_the_old_state_or_all_of_the_new(
    template_db: Path, tmp_path: Path
) -> None:
    import generate

    db = copy_of(template_db, tmp_path / "committee.db")
    old = Store(db).counts()
    stats = generate.generate(20000, tmp_path / "plans", seed=3)
    files = sorted(str(p) for p in (tmp_path / "plans").glob("plan-*.toml"))
    wal = Path(str(db) + "-wal")
    proc = subprocess.Popen(
        [sys.executable, "-m", "actionplan", "--db", str(db), "import", *files],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # the import is writing: its uncommitted pages already spill into the write-ahead log
    wait_until(
        lambda: proc.poll() is not None or (wal.exists() and wal.stat().st_size > 2_000_000),
        "the import to write",
        timeout=120,
    )
    assert proc.poll() is None, "the import ended before it could be killed: use more tasks"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    wait_until(lambda: not _processes_using(db), "the import's worker processes to end", timeout=10)

    result = run_cli("--db", str(db), "check")
    assert result.exit_code == 0 and "No problems found" in result.output
    with Store(db) as s:
        assert s.integrity_problems() == []
        counts = s.counts()
    if counts["tasks"] == old["tasks"]:  # killed before the commit: everything as it was
        assert counts == old
    else:  # killed after the commit, while it printed its report: all of the new state
        assert counts["tasks"] == old["tasks"] + stats.tasks
        assert counts["plans"] == old["plans"] + stats.plans


# --- large imports read files in worker processes: the same outcome as one by one -------------------


def _import_outcome(db: Path, files: list[Path]) -> tuple[str, object]:
    """What an import does, seen through the Store API: the problems, or what was stored."""
    from actionplan.services.planfile import PlanFileError, import_plan_files

    with Store(db, actor="secretary") as s:
        try:
            import_plan_files(s, files)
        except PlanFileError as e:
            return "refused", [str(p) for p in e.problems]
        tasks = [
            (t.ref, t.title, t.lead, t.parent, t.deadline, t.status, t.coordinating, t.depends_on, t.tags)
            for t in s.list_tasks(order="key")
        ]
        return "imported", (s.counts(), tasks, [o.key for o in s.list_orgs()])


@pytest.fixture(scope="module")
def many_plan_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    import generate

    folder = tmp_path_factory.mktemp("many")
    generate.generate(400, folder, seed=11)  # 20 files
    return sorted(folder.glob("plan-*.toml"))


def test_reading_files_in_worker_processes_gives_the_same_problems_and_the_same_data(
    many_plan_files: list[Path], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actionplan.services import planfile

    files = [tmp_path / p.name for p in many_plan_files]
    for src, dst in zip(many_plan_files, files):
        shutil.copyfile(src, dst)
    outcomes = {}
    for mode, workers in (("one by one", 0), ("workers", 2)):
        monkeypatch.setattr(planfile, "_worker_count", lambda paths, n=workers: n)
        outcomes[mode] = _import_outcome(copy_of(template_db, tmp_path / f"ok-{workers}.db"), files)
    assert outcomes["workers"][0] == "imported" and outcomes["workers"] == outcomes["one by one"]

    # an agency used two files before the file that defines it, and a bad deadline
    late = (
        files[9]
        .read_text(encoding="utf-8")
        .replace('[[orgs]]\nkey = "MPS"', '[[orgs]]\nkey = "LATE"\nname = "Cục Mới"\n\n[[orgs]]\nkey = "MPS"', 1)
    )
    files[9].write_text(late, encoding="utf-8")
    files[7].write_text(
        files[7].read_text(encoding="utf-8").replace('lead = "', 'lead = "LATE', 1).replace("LATE", 'LATE"\n#', 1),
        encoding="utf-8",
    )
    files[12].write_text(
        files[12]
        .read_text(encoding="utf-8")
        .replace('deadline = "', 'deadline = "31/2/2026', 1)
        .replace("31/2/2026", '31/2/2026"\n#', 1),
        encoding="utf-8",
    )
    for mode, workers in (("one by one", 0), ("workers", 2)):
        monkeypatch.setattr(planfile, "_worker_count", lambda paths, n=workers: n)
        db = copy_of(template_db, tmp_path / f"bad-{workers}.db")
        before = content_digest(db)
        outcomes[mode] = _import_outcome(db, files)
        assert content_digest(db) == before
    assert outcomes["workers"][0] == "refused" and outcomes["workers"] == outcomes["one by one"]
    problems = "\n".join(outcomes["workers"][1])
    assert 'unknown agency "LATE"' in problems and "31/2/2026" in problems


_DIE_READING: dict[str, str] = {}


def _read_or_die(path: str):
    """Stands in for planfile._read_any_orgs in a worker (module level, so it can be sent to one)."""
    from actionplan.services.planfile import EVERY_ORG, read_plan_file

    if path == _DIE_READING.get("path"):
        Path(_DIE_READING["marker"]).write_text("died")
        os._exit(9)  # as if the kernel had killed the worker
    return read_plan_file(path, EVERY_ORG)


def test_an_import_whose_worker_process_dies_still_lands_whole(
    many_plan_files: list[Path], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actionplan.services import planfile

    expected = _import_outcome(copy_of(template_db, tmp_path / "expected.db"), many_plan_files)
    monkeypatch.setitem(_DIE_READING, "path", str(many_plan_files[4]))
    monkeypatch.setitem(_DIE_READING, "marker", str(tmp_path / "died"))
    monkeypatch.setattr(planfile, "_read_any_orgs", _read_or_die)
    monkeypatch.setattr(planfile, "_worker_count", lambda paths: 2)
    assert _import_outcome(copy_of(template_db, tmp_path / "died.db"), many_plan_files) == expected
    assert (tmp_path / "died").exists(), "no worker died: nothing was tested"


# --- hostile input: plan files, dates, recurrence rules, command lines --------------------------------

hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\ufeff",
            "🙂",
            "Bộ Công an",
            "'",
            '"',
            "\\",
            "\n",
            "1e309",
            "-1",
            "101",
            "2026-02-30",
            "31/2/2026",
            "Q5 2026",
            "end of",
            "FREQ=HOURLY",
            "x" * 300,
            "[[tasks]]",
            "a.b",
            "NaN",
            "null",
            "true",
        ]
    ),
)
deadline_text = st.one_of(
    st.sampled_from(
        [
            "end of Q3 2026",
            "30/4/2026",
            "2026-04-30",
            "tháng 4/2026",
            "quý III/2026",
            "April 2026",
            "by March 2027",
            "H1 2026",
            "2030",
            "before May",
        ]
    ),
    hostile_text,
)
# For each field of a task: values that are right, and values that are wrong in every way we can think of.
TASK_VALUES = {
    "key": st.sampled_from(["1", "1.1", "2", "3", "", "bad key", "1..1", "x" * 80]),
    "title": st.one_of(st.sampled_from(["Xây dựng quy chế", "", " "]), hostile_text),
    "lead": st.sampled_from(["FZ", "MPS", "NOBODY", "", "fz", "Bộ Công an"]),
    "deadline": st.one_of(deadline_text, st.dates(), st.integers(-5, 3000)),
    "start": st.one_of(deadline_text, st.dates()),
    "parent": st.sampled_from(["", "1", "1.1", "2", "9"]),
    "depends_on": st.one_of(st.lists(st.sampled_from(["1", "1.1", "2", "9", ""]), max_size=3), hostile_text),
    "coordinating": st.one_of(st.lists(st.sampled_from(["FZ", "MIC", "NOBODY", "MPS"]), max_size=3), hostile_text),
    "status": st.sampled_from(["done", "in progress", "blocked", "cancelled", "bogus", "", "DONE", "todo"]),
    "progress": st.one_of(
        st.integers(-5, 105), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.just("50")
    ),
    "priority": st.sampled_from(["high", "critical", "urgent", ""]),
    "recurrence": st.one_of(
        st.sampled_from(
            [
                "quarterly",
                "FREQ=MONTHLY;INTERVAL=3",
                "FREQ=YEARLY;BYMONTH=12",
                "FREQ=HOURLY",
                "FREQ=DAILY;COUNT=0",
                "hằng quý",
            ]
        ),
        hostile_text,
    ),
    "tags": st.one_of(st.lists(st.sampled_from(["legal", "pháp-luật", "", "a b"]), max_size=3), st.integers()),
    "completed_on": st.one_of(deadline_text, st.dates()),
    "evidence": hostile_text,
    "kpi": st.one_of(
        st.fixed_dictionaries(
            {"metric": hostile_text},
            optional={
                "target": st.one_of(st.integers(), st.floats(), hostile_text),
                "current": st.floats(allow_nan=False),
            },
        ),
        hostile_text,
    ),
    "surprise": hostile_text,
}


@st.composite
def hostile_plan(draw) -> bytes:
    """A plan file: two tasks whose fields are drawn from right and wrong values, or plain garbage."""
    import tomli_w

    kind = draw(st.sampled_from(["fields"] * 6 + ["truncated", "garbage", "bytes"]))
    if kind == "garbage":
        return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    tasks = [
        {"key": "1", "title": "Xây dựng quy chế", "lead": "FZ", "deadline": "end of Q3 2026"},
        {"key": "1.1", "parent": "1", "title": "Dự thảo", "lead": "MPS", "deadline": "30/4/2026"},
    ]
    for task in tasks:
        for name in draw(st.lists(st.sampled_from(sorted(TASK_VALUES)), max_size=3, unique=True)):
            task[name] = draw(TASK_VALUES[name])
    doc = {
        "plan": {"key": draw(st.sampled_from(["fuzz-plan", "cyber-2026", "Bad Key", ""])), "title": "Kế hoạch thử"},
        "orgs": [
            {
                "key": "FZ",
                "name": draw(st.sampled_from(["Bộ Thử nghiệm", ""])),
                "parent": draw(st.sampled_from(["", "MPS", "FZ", "NOBODY"])),
            }
        ],
        "tasks": tasks,
    }
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):  # a value TOML cannot hold
        text = "[plan]\n"
    if kind == "truncated":
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode("utf-8", "surrogatepass")


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    if result.exit_code != 0:
        assert result.output.strip(), "an error must say what went wrong"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=hostile_plan())
def test_hostile_plan_files_import_whole_or_not_at_all(plan: bytes, template_db: Path, tmp_path: Path) -> None:
    db = copy_of(template_db, tmp_path / "fuzz.db")
    path = tmp_path / "hostile.toml"
    path.write_bytes(plan)
    before = content_digest(db)
    result = run_cli("--db", str(db), "import", str(path))
    _no_traceback(result)
    if result.exit_code != 0:
        assert "error" in result.output.lower()
        assert content_digest(db) == before, "a refused import must change nothing"
    else:
        from actionplan.services.planfile import read_plan_file

        written = read_plan_file(path, {"FZ", "MPS", "MIC"})
        with Store(db) as s:
            assert s.integrity_problems() == []
            assert {t.key for t in written.tasks} <= set(s.task_keys(written.plan.key))


@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_any_deadline_text_resolves_to_a_date_or_a_clear_error(text: str) -> None:
    try:
        resolved = parse_deadline(text)
    except DateError as e:
        assert str(e)
    else:
        assert isinstance(resolved, date)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        hostile_text,
        st.builds(
            lambda a, b: f"FREQ={a};{b}",
            st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "", "monthly"]),
            hostile_text,
        ),
    )
)
def test_any_recurrence_text_is_accepted_or_refused_with_a_reason(text: str) -> None:
    try:
        rule = validate_rrule(text)
    except RecurrenceError as e:
        assert str(e)
    else:
        assert rule == validate_rrule(rule)  # what is stored reads back the same


def _fold_by_definition(value: str) -> str:
    """text.fold as first written: NFD, drop every combining mark, special letters, casefold."""
    import unicodedata

    special = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "ø": "o", "ß": "ss"})
    decomposed = unicodedata.normalize("NFD", value.translate(special))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(special).casefold()


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(
        st.text(), st.text(alphabet="aăâeêioôơuưyđĐ àáảãạ\u0300\u0301\u0303\u0309\u0323\u034f–…İß"), hostile_text
    )
)
def test_search_folding_is_exactly_the_plain_definition(text: str) -> None:
    """The fast fold finds "Bộ Công an" by "bo cong an" exactly as the slow one did."""
    from actionplan.core.text import fold

    assert fold(text) == _fold_by_definition(text)


def _clean_by_definition(value: str) -> str:
    """text.clean by its definition: CR/CRLF to LF, control characters but tab and LF dropped, NFC."""
    import re
    import unicodedata

    value = re.sub(
        r"[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u2028\u2029]", "", value.replace("\r\n", "\n").replace("\r", "\n")
    )
    return unicodedata.normalize("NFC", value)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(), st.text(alphabet="aăâeêoôơuưđ\u0300\u0301\u0323\r\n\t\x00\x85\u2028 "), hostile_text))
def test_cleaning_is_exactly_the_plain_definition_and_idempotent(text: str) -> None:
    """The fast path of clean (text already clean is returned as is) changes nothing."""
    from actionplan.core.text import clean

    assert clean(text) == _clean_by_definition(text)
    assert clean(clean(text)) == clean(text)


REFS = ["cyber-2026/2", "cyber-2026/2.1", "strategy-2030/1", "cyber-2026/999", "nope/1", "cyber-2026", "", "/"]
ASSIGNMENTS = [
    "progress=150",
    "progress=50",
    "progress=abc",
    "deadline=30/2/2026",
    "deadline=end of Q3 2027",
    "status=bogus",
    "status=done",
    "status=blocked",
    "lead=NOBODY",
    "lead=MPS",
    "lead=bo cong an",
    "recurrence=FREQ=HOURLY",
    "recurrence=quarterly",
    "title=",
    "title=Tên mới",
    "kpi.target=abc",
    "kpi.target=10",
    "depends_on=2",
    "depends_on=2.1",
    "parent=2",
    "parent=2.1",
    "coordinating=MIC,NOBODY",
    "tags=a,b",
    "start=2030-01-01",
    "no-equals",
    "=5",
    "unknown=1",
    "version=7",
]
DAYS = ["2026-11-26", "2026-13-01", "30/4/2026", "end of Q3 2026", "tomorrow", ""]
EXTRA = ["--as-of", "--json", "--help", "-", "--", "", "\x00", "🙂", "x" * 200, "--if-version", "0", "--bogus"]


@st.composite
def command_line(draw, out_dir: str) -> list[str]:
    """A command as a secretary might type it (or mistype it), sometimes with stray words."""
    text, ref, day = draw(hostile_text), draw(st.sampled_from(REFS)), draw(st.sampled_from(DAYS))
    out = draw(st.sampled_from([f"{out_dir}/out.txt", f"{out_dir}/missing/out.ics", out_dir]))
    pick = lambda *options: draw(st.sampled_from(options))  # noqa: E731
    command = pick(
        "set",
        "note",
        "done",
        "add",
        "list",
        "show",
        "history",
        "ics",
        "digest",
        "export",
        "import",
        "undo",
        "check",
        "plans",
        "orgs",
        "reminders",
        "feeds",
    )
    args = {
        "set": lambda: (
            ["set", ref, *draw(st.lists(st.sampled_from(ASSIGNMENTS), min_size=1, max_size=3))]
            + (["--if-version", pick("1", "2", "0", "x")] if draw(st.booleans()) else [])
        ),
        "note": lambda: (
            ["note", ref, text]
            + (["--progress", pick("40", "101", "x")] if draw(st.booleans()) else [])
            + (["--on", day] if draw(st.booleans()) else [])
        ),
        "done": lambda: ["done", ref, "--evidence", text] + (["--on", day] if draw(st.booleans()) else []),
        "add": lambda: (
            ["add", pick("cyber-2026", "nope", ""), "--title", text, "--lead", pick("MPS", "NOBODY", "bo")]
            + (["--deadline", day] if draw(st.booleans()) else [])
            + (["--parent", pick("2", "9", "")] if draw(st.booleans()) else [])
            + (["--recurrence", pick("quarterly", "FREQ=HOURLY", text)] if draw(st.booleans()) else [])
        ),
        "list": lambda: [
            "list",
            *draw(
                st.lists(
                    st.sampled_from(
                        [
                            "overdue",
                            "lead:MPS",
                            "status:open",
                            "due<2027-01-01",
                            'due<"bogus"',
                            "soon:30",
                            "(",
                            "tag:legal",
                            text,
                        ]
                    ),
                    max_size=3,
                )
            ),
            "--as-of",
            day,
        ],
        "show": lambda: ["show", ref],
        "history": lambda: ["history", ref],
        "ics": lambda: [
            "ics",
            *pick([], ["--org", "MPS"], ["--plan", "nope"], ["--remind", pick("7d", "P1D", "0d", "x")]),
            "--as-of",
            day,
            "-o",
            out,
        ],
        "digest": lambda: [
            "digest",
            "--as-of",
            day,
            "--since",
            pick("2026-11-01", "x"),
            "--no-record",
            "--format",
            pick("text", "md", "html", "xml"),
            "-o",
            out,
        ],
        "export": lambda: ["export", pick("cyber-2026", "nope"), "-o", out],
        "import": lambda: ["import", pick(f"{out_dir}/hostile.toml", f"{out_dir}/missing.toml", out_dir)],
        "undo": lambda: ["undo"],
        "check": lambda: ["check"],
        "plans": lambda: ["plans"],
        "orgs": lambda: ["orgs"],
        "reminders": lambda: [
            "reminders",
            *draw(st.lists(st.sampled_from(["--plan", "cyber-2026", "7d", "x"]), max_size=3)),
        ],
        "feeds": lambda: [
            "feeds",
            pick("list", "revoke", "add"),
            *draw(st.lists(st.sampled_from(["1", "999", "--org", "MPS", "--plan", "nope"]), max_size=3)),
        ],
    }[command]()
    if draw(st.integers(0, 4)) == 0:  # a stray word somewhere
        args.insert(draw(st.integers(1, len(args))), draw(st.one_of(st.sampled_from(EXTRA), hostile_text)))
    return args


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_command_line_ends_in_success_or_a_clear_error_never_a_partial_write(
    data, template_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "cli.db"
    if not db.exists():
        copy_of(template_db, db)
    (tmp_path / "hostile.toml").write_text('[plan]\nkey = "x"\n[[tasks]]\nkey = 1\n', encoding="utf-8")
    args = data.draw(command_line(str(tmp_path)))
    assert "serve" not in args[:1] and "ui" not in args[:1]
    before = content_digest(db)
    result = run_cli("--db", str(db), "--as", "fuzzer", *args)
    _no_traceback(result)
    if result.exit_code != 0:
        assert content_digest(db) == before, f"{args} failed but changed the database"


# --- an old database migrates forward ----------------------------------------------------------------

FIXTURE_SCHEMAS = sorted(int(p.stem.split("-")[1]) for p in FIXTURES.glob("schema-*.db"))


def test_there_is_a_fixture_for_every_released_schema() -> None:
    assert FIXTURE_SCHEMAS == list(range(1, store_module.SCHEMA_VERSION + 1)), (
        "run tests/fixtures/make_schema_fixtures.py and commit the new schema-N.db (git add -f)"
    )


@pytest.mark.parametrize("schema", FIXTURE_SCHEMAS)
def test_a_database_of_an_older_schema_migrates_forward_without_loss(schema: int, tmp_path: Path) -> None:
    from make_schema_fixtures import expected_content

    db = tmp_path / f"old-{schema}.db"
    shutil.copyfile(FIXTURES / f"schema-{schema}.db", db)  # never touch the committed file
    expected = json.loads((FIXTURES / f"schema-{schema}.json").read_text(encoding="utf-8"))
    with Store(db, actor="secretary") as s:
        assert s.schema_version == store_module.SCHEMA_VERSION
        assert s.integrity_problems() == []
        assert expected_content(s) == expected
        # and the migrated database takes new work
        task = s.get_task("cyber-2026/2")
        s.add_note(task.ref, "after the upgrade", 65)
        s.record_digest(date(2026, 11, 26), None, {})
        assert s.last_digest() is not None
    result = run_cli("--db", str(db), "show", "cyber-2026/2")
    assert result.exit_code == 0 and "after the upgrade" in result.output


# --- backup while another process writes, and check ----------------------------------------------------

WRITER = r"""
import sys
from pathlib import Path
from actionplan.store import Store
db, started, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
s = Store(db, actor="writer")
for i in range(2000):
    s.add_note("cyber-2026/2", f"note {i}", i % 100)
    if i == 0:
        started.write_text("started")
    if stop.exists() and i > 0:
        break
s.close()
print(i + 1)
"""


def test_backup_while_another_process_keeps_writing_is_consistent(template_db: Path, tmp_path: Path) -> None:
    db = copy_of(template_db, tmp_path / "committee.db")
    started, stop = tmp_path / "started", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(started), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(started.exists, "the writer to start")
        result = subprocess.run(
            [sys.executable, "-m", "actionplan", "--db", str(db), "backup", "-o", str(tmp_path / "copy.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        still_writing = writer.poll() is None
    finally:
        stop.write_text("stop")
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert result.returncode == 0, result.stderr
    assert "passed the integrity check" in result.stdout
    assert still_writing, "the writer ended before the backup: nothing was tested"
    written = int(out)
    with Store(tmp_path / "copy.db") as copy:
        assert copy.integrity_problems() == []
        notes = [n for n in copy.list_updates("cyber-2026/2") if n.author == "writer"]
        recorded = [c for c in copy.history("cyber-2026/2", fields=["note"]) if c.actor == "writer"]
    # a snapshot between two saves: every note with its history row, none half-written
    assert 1 <= len(notes) == len(recorded) <= written
    assert [n.text for n in notes] == [f"note {i}" for i in range(len(notes))]


def test_backup_refuses_a_missing_database_and_does_not_create_one(tmp_path: Path) -> None:
    result = run_cli("--db", str(tmp_path / "none.db"), "backup", "-o", str(tmp_path / "copy.db"))
    assert result.exit_code == 1 and "no database here" in result.output
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "copy.db").exists()


def test_check_says_no_problems_on_a_healthy_database(template_db: Path, tmp_path: Path) -> None:
    db = copy_of(template_db, tmp_path / "committee.db")
    result = run_cli("--db", str(db), "check")
    assert result.exit_code == 0
    assert "No problems found" in result.output


def edited_by_hand(template: Path, target: Path, *statements: str) -> Path:
    """A copy of *template* changed by SQL run outside actionplan (a hand edit in another tool)."""
    db = copy_of(template, target)
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return db


def test_check_reports_broken_references_in_words(template_db: Path, tmp_path: Path) -> None:
    db = edited_by_hand(
        template_db,
        tmp_path / "broken.db",
        "PRAGMA foreign_keys = OFF",
        "UPDATE tasks SET lead_id = 9999 WHERE id = (SELECT min(id) FROM tasks)",
        "INSERT INTO task_tags(task_id, tag, position) VALUES (424242, 'orphan', 0)",
    )
    result = run_cli("--db", str(db), "check")
    assert result.exit_code == 1
    assert "2 problem(s) found" in result.output
    assert "tasks row" in result.output and "refers to a missing row in orgs" in result.output
    assert "task_tags row" in result.output and "refers to a missing row in tasks" in result.output
    assert "Traceback" not in result.output


def test_check_reports_a_search_index_that_no_longer_matches_the_tasks(template_db: Path, tmp_path: Path) -> None:
    db = edited_by_hand(
        template_db,
        tmp_path / "stale-index.db",
        "DROP TRIGGER tasks_au",  # bypasses the index
        "UPDATE tasks SET search_text = 'edited by hand' WHERE id = (SELECT min(id) FROM tasks)",
    )
    result = run_cli("--db", str(db), "check")
    assert result.exit_code == 1
    assert "the search index does not match the tasks' text" in result.output


@pytest.mark.parametrize("bulk", [False, True], ids=["small import", "bulk import"])
def test_an_import_leaves_the_search_index_whole_and_its_merging_back_on(
    bulk: bool, many_plan_files: list[Path], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imports pause the search index's merging (speed); afterwards it must be whole and on."""
    monkeypatch.setattr(store_imports, "BULK_TASKS", 100 if bulk else 10**9)  # 400 tasks: bulk or not
    db = copy_of(template_db, tmp_path / "search.db")
    assert run_cli("--db", str(db), "import", *map(str, many_plan_files)).exit_code == 0
    assert "No problems found" in run_cli("--db", str(db), "check").output  # index == tasks' text
    s = Store(db)
    try:
        found = s.list_tasks(TaskFilter(words=["Hoàn thiện"]))
        assert found and all("hoan thien" in fold(t.title + " " + t.description + " " + t.output) for t in found)
        merging = dict(s.conn.execute("SELECT k, v FROM tasks_fts_config WHERE k IN ('automerge', 'crisismerge')"))
        assert merging == {"automerge": store_imports.FTS_AUTOMERGE, "crisismerge": store_imports.FTS_CRISISMERGE}
        # the import indexed its tasks itself; a task added afterwards is indexed as always
        s.add_task(Task(plan="cyber-2026", key="99", title="Zebracrossing audit", lead="MPS"))
        assert [t.ref for t in s.list_tasks(TaskFilter(words=["zebracrossing"]))] == ["cyber-2026/99"]
    finally:
        s.close()


def test_check_on_a_file_that_is_not_a_database_says_so(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are meeting notes, not a database\n" * 200)
    result = run_cli("--db", str(junk), "check")
    assert result.exit_code == 1
    assert str(junk) in result.output and "Traceback" not in result.output
