"""Hostile input: plan files, dates, recurrence rules and command lines from broken scripts and tired fingers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplan.core.dates import DateError, parse_deadline
from actionplan.core.recurrence import RecurrenceError, validate_rrule
from actionplan.core.text import fold
from actionplan.store import Store
from tests.processes import content_digest, copy_of, run_cli

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


def test_a_literal_backslash_n_in_a_title_reaches_calendars_as_typed(template_db: Path, tmp_path: Path) -> None:
    """RFC 5545 reads ``\\N`` as a line break: a title holding those two characters must not get one."""
    import icalendar
    from ical.calendar_stream import IcsCalendarStream

    db = tmp_path / "n.db"
    copy_of(template_db, db)
    title = "Publish C:\\New\\Nightly report, \\N final; and\\nmore"
    assert run_cli("--db", str(db), "set", "cyber-2026/2", f"title={title}").exit_code == 0
    out = tmp_path / "n.ics"
    result = run_cli("--db", str(db), "ics", "--plan", "cyber-2026", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    by_icalendar = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")]
    by_ical = [e.summary for e in IcsCalendarStream.calendar_from_ics(text).events]
    for summaries in (by_icalendar, by_ical):
        mine = [s for s in summaries if s.startswith("2 Publish")]
        assert mine and all(title in s and "\n" not in s for s in mine), mine
