"""Fuzzing: generated plan files and command lines never end in a traceback.

Plan files go through the reader function directly (a PlanFile or a PlanFileError, nothing
else); command lines go through click's CliRunner in this process, each against its own copy
of a template database.  Both runs are deterministic (``derandomize=True``) and state their
example counts, so the suite always runs the same 2,000 + 2,000 cases.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplan.cli.main import cli
from actionplan.core.errors import PlanFileError
from actionplan.services.config import seed_samples
from actionplan.services.planfile import PlanFile, parse_plan_text, read_plan_file
from actionplan.store import Store

PLAN_FILE_EXAMPLES = 2000
COMMAND_LINE_EXAMPLES = 2000
FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


# --- values a hostile or careless file or user may hold ---------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\\N",
    "é",
    "Bộ Công an",
    "😀",
    "\u202e",
    "'",
    '"',
    "[",
    "]]",
    "{",
    ";",
    ",",
    "=",
    "<script>",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "end of Q3 2026",
    "1e308",
    "-1e19",
    "99999999999999999999",
    "nan",
    "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=2",
    "FREQ=MONTHLY",
    "quarterly",
    "MPS",
    "cyber-2026",
    "2.3",
]
text = st.lists(st.sampled_from(HOSTILE_TEXT) | st.text(max_size=8), max_size=5).map("".join)
numbers = st.one_of(
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 100, 101, -1, 2**63, 10**15, 10**15 + 1, 1e15, 1e20]),
)
toml_dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from([date(9999, 12, 31), date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date(2026, 4, 30)]),
)
scalars = st.one_of(text, numbers, toml_dates, st.datetimes(min_value=datetime(1, 1, 1)), st.times(), st.booleans())


def nested(depth: int) -> st.SearchStrategy[Any]:
    """Lists and tables nested up to *depth*, built without recursion limits in mind."""
    return st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=depth
    )


def field_value(name: str) -> st.SearchStrategy[Any]:
    likely = {
        "key": st.sampled_from(["1", "2.3", "10.4.1", "a b", "", "1..2"]) | text,
        "lead": st.sampled_from(["MPS", "MIC", "NOPE", ""]) | text,
        "deadline": toml_dates | text | numbers,
        "start": toml_dates | text,
        "completed_on": toml_dates | text,
        "progress": numbers,
        "status": st.sampled_from(["done", "in progress", "blocked", "cancelled", "not started", "open"]) | text,
        "recurrence": st.sampled_from(
            ["quarterly", "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=2"]
        )
        | text,
        "kpi": st.fixed_dictionaries(
            {}, optional={"metric": text, "target": numbers, "current": numbers, "baseline": numbers, "unit": text}
        )
        | nested(6),
        "parent": st.sampled_from(["1", "2", "2.3"]) | text,
        "depends_on": st.lists(st.sampled_from(["1", "2", "2.3"]) | text, max_size=3) | text,
        "tags": st.lists(text, max_size=4) | text,
        "coordinating": st.lists(st.sampled_from(["MPS", "MIC", "X"]), max_size=3) | text,
    }
    return likely.get(name, scalars) | nested(4)


TASK_FIELDS = [
    "key", "title", "lead", "deadline", "start", "completed_on", "progress", "status", "recurrence", "kpi",
    "parent", "depends_on", "tags", "coordinating", "evidence", "priority", "output", "accountable", "bogus",
]  # fmt: skip


def table(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)).flatmap(
        lambda names: st.fixed_dictionaries({n: field_value(n) for n in names})
    )


plan_documents = st.fixed_dictionaries(
    {},
    optional={
        "plan": table(["key", "title", "status", "issued_on", "reference", "bogus"]) | nested(3),
        "orgs": st.lists(table(["key", "name", "parent", "email", "head"]), max_size=3) | nested(3),
        "tasks": st.lists(table(TASK_FIELDS), max_size=5) | nested(3),
        "extra": nested(3),
    },
)


def as_toml(document: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):  # a NaN key, or a value TOML has no way to write: skip it
        return None


def mangled(text_: str, cut: int, insert: str) -> str:
    """Broken TOML: a slice cut out or something pasted in the middle."""
    at = cut % (len(text_) + 1)
    return text_[:at] + insert + text_[at + 5 :]


BASE = (
    '[plan]\nkey = "fuzz"\ntitle = "Fuzz"\n\n[[orgs]]\nkey = "MPS"\nname = "Ministry"\n\n'
    '[[tasks]]\nkey = "1"\ntitle = "One"\nlead = "MPS"\ndeadline = 2026-04-30\n'
)
raw_files = st.one_of(
    st.builds(mangled, st.just(BASE), st.integers(0, 10_000), st.sampled_from(HOSTILE_TEXT) | st.text(max_size=20)),
    st.integers(350, 2000).map(lambda n: "x = " + "[" * n + "]" * n),
    st.integers(350, 2000).map(lambda n: BASE + "[tasks.kpi]\nmetric = " + "{a=" * n + "1" + "}" * n),
    st.text(max_size=300),
)
plan_files = st.one_of(plan_documents.map(as_toml), raw_files)


@fuzz(PLAN_FILE_EXAMPLES)
@given(source=plan_files)
def test_generated_plan_files_give_a_plan_or_plan_file_errors_never_a_traceback(source: str | None) -> None:
    if source is None:
        return
    try:
        result = parse_plan_text(source, "fuzz.toml", known_orgs=["MIC"])
    except PlanFileError as e:
        assert e.problems and all(p.file == "fuzz.toml" and p.line >= 0 for p in e.problems)
        return
    assert isinstance(result, PlanFile)


@fuzz(200)
@given(data=st.binary(max_size=400) | plan_files.map(lambda s: (s or "").encode("utf-8", "surrogatepass")))
def test_generated_plan_file_bytes_are_read_or_refused(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "plan.toml"
    path.write_bytes(data)
    try:
        read_plan_file(path)
    except PlanFileError as e:
        assert e.problems


# --- command lines -----------------------------------------------------------------------------------------

TASKS = ["cyber-2026/2", "cyber-2026/8.3", "cyber-2026/1.1", "strategy-2030/1.3", "nope/1", "cyber-2026/99"]
FIELDS = [
    "progress", "deadline", "status", "kpi.target", "kpi.metric", "kpi.baseline", "title", "lead", "recurrence",
    "evidence", "completed_on", "start", "tags", "depends_on", "parent", "bogus",
]  # fmt: skip
value = st.sampled_from(HOSTILE_TEXT + ["12", "0", "100", "101", "-5", "2026-04-30", "done", "blocked"]) | text
assignment = st.builds(lambda f, v: f"{f}={v}", st.sampled_from(FIELDS), value)
filter_term = st.one_of(
    st.builds(lambda n, v: f"{n}:{v}", st.sampled_from(["lead", "tag", "plan", "status", "soon", "who", "org"]), value),
    st.builds(lambda op, v: f"due{op}{v}", st.sampled_from(["<", ">", "<=", ">=", "="]), value),
    st.sampled_from(["overdue", "soon", "soon:3000000", "soon:2147483648", "top"]),
    text,
)
out_name = st.sampled_from(["out.txt", "out\x00.txt", "", "-", "sub/none/x", ".", "plan.toml", "copy.db"])
as_of = st.sampled_from(["2026-11-26", "9999-12-31", "0001-01-01", "tomorrow", "2026-02-30", ""]) | text


def command(name: str, *parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    return st.tuples(*parts).map(lambda lists: [name] + [a for part in lists for a in part])


def opt(flag: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), values.map(lambda v: [flag, v]))


task = st.sampled_from(TASKS) | text
command_lines = st.one_of(
    command("set", task.map(lambda t: [t]), st.lists(assignment, min_size=1, max_size=4)),
    command(
        "list", st.lists(filter_term, max_size=6), opt("--as-of", as_of), opt("--soon", value), opt("--limit", value)
    ),
    command("list", st.integers(150, 1200).map(lambda n: [f"tag:t{i}" for i in range(n)])),
    command("show", task.map(lambda t: [t]), opt("--as-of", as_of)),
    command("history", task.map(lambda t: [t]), opt("--limit", value)),
    command("note", task.map(lambda t: [t]), value.map(lambda v: [v]), opt("--progress", value), opt("--on", as_of)),
    command("done", task.map(lambda t: [t]), opt("--evidence", value), opt("--on", as_of)),
    command(
        "add",
        st.sampled_from(["cyber-2026", "nope"]).map(lambda p: [p]),
        opt("--title", value),
        opt("--lead", value),
        opt("--deadline", value),
        opt("--recurrence", value),
        opt("--key", value),
    ),
    command("export", st.sampled_from(["cyber-2026", "nope", ""]).map(lambda p: [p]), opt("-o", out_name)),
    command(
        "ics",
        st.sampled_from([["--all"], ["--org", "MPS"], ["--plan", "cyber-2026"], []]),
        opt("-o", out_name),
        opt("--as-of", as_of),
        st.lists(filter_term, max_size=3),
    ),
    command(
        "digest",
        opt("--as-of", as_of),
        opt("--since", as_of),
        opt("--horizon", value),
        opt("-o", out_name),
        opt("--format", st.sampled_from(["text", "md", "html", "pdf"])),
        st.just(["--no-record"]),
    ),
    command("backup", opt("-o", out_name)),
    command("check"),
    command("undo"),
    command("redo"),
    command("plans", opt("--as-of", as_of)),
    command("orgs"),
    command("feeds", st.sampled_from([["list"], ["add", "--org", "MPS"], ["add", "--plan", "nope"], ["revoke", "1"]])),
    command("reminders", st.lists(value, max_size=2)),
    command("import", st.lists(st.sampled_from(["fuzz.toml", "none.toml", "", "\x00", "."]), min_size=1, max_size=2)),
    st.lists(value, max_size=4),  # anything at all after the program name (never empty: that opens the UI)
).filter(lambda args: bool(args) and args[0] not in ("ui", "serve"))
global_options = st.lists(
    st.sampled_from([["--as", "Lan\x1b[2J"], ["--as", ""], ["--db", ":memory:"], ["--db", ""]]), max_size=1
)


@pytest.fixture(scope="module")
def cli_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "template.db"
    with Store(path, actor="secretary") as s:
        seed_samples(s)
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@fuzz(COMMAND_LINE_EXAMPLES)
@given(args=command_lines, before=global_options, plan=plan_files)
def test_generated_command_lines_never_end_in_a_traceback(cli_template: Path, tmp_path_factory, args, before, plan):
    folder = tmp_path_factory.mktemp("run")
    db = folder / "committee.db"
    shutil.copyfile(cli_template, db)
    if plan is not None:
        (folder / "fuzz.toml").write_text(plan, encoding="utf-8", errors="replace")
    argv = ["--db", str(db), *[a for pair in before for a in pair], *args]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        result = CliRunner().invoke(cli, argv, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (argv, repr(result.exception))
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        conn = sqlite3.connect(db)  # a refused command leaves a readable database behind
        conn.execute("PRAGMA quick_check").fetchone()
        conn.close()
