"""The command line, as a secretary uses it (click's CliRunner on a temporary database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.core.query import parse_query
from actionplan.services.planfile import dump_plan
from actionplan.store import Store

AS_OF = ["--as-of", "2026-11-26"]
TODAY = date(2026, 11, 26)

SMALL_PLAN = """\
[plan]
key = "small"
title = "Small plan"

[[orgs]]
key = "MPS"
name = "Ministry of Public Security"
short_name = "Bộ Công an"

[[tasks]]
key = "1"
title = "Review the Criminal Code"
lead = "MPS"
deadline = "end of Q3 2026"

[[tasks]]
key = "1.1"
parent = "1"
title = "List the gaps"
lead = "MPS"
"""


class Cli:
    """Runs actionplan commands against one database file."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0, actor: str | None = None) -> click.testing.Result:
        head = ["--db", str(self.db)] + (["--as", actor] if actor else [])
        result = self.runner.invoke(cli, head + list(args), catch_exceptions=False)
        assert result.exit_code == code, f"exit {result.exit_code}\n{result.output}\n{result.stderr}"
        return result

    def store(self) -> Store:
        return Store(self.db, actor="reader")

    def state(self) -> tuple:
        with self.store() as s:
            return (s.data_stamp(), s.counts(), [dump_plan(*s.export_plan(p.key)) for p in s.list_plans()])


@pytest.fixture
def run(tmp_path) -> Cli:
    return Cli(tmp_path / "committee.db")


@pytest.fixture
def seeded(run) -> Cli:
    result = run("init")
    assert "cyber-2026" in result.output and "strategy-2030" in result.output
    return run


def all_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


# --- help --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("words", list(all_commands()), ids=" ".join)
def test_every_command_help_shows_an_example(words):
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_top_level_help_lists_the_commands():
    output = CliRunner().invoke(cli, ["--help"]).output
    for name in ("init", "import", "export", "list", "show", "add", "set", "done", "note", "history", "orgs", "undo"):
        assert name in output


# --- init, import, export ---------------------------------------------------------------------------------


def test_init_loads_the_sample_plans(seeded):
    with seeded.store() as s:
        assert [p.key for p in s.list_plans()] == ["cyber-2026", "strategy-2030"]
        assert s.count_tasks() > 40


def test_init_twice_keeps_the_database(seeded):
    before = seeded.state()
    assert "already exists" in seeded("init").output
    assert seeded.state() == before


def test_init_empty_with_a_time_zone(run):
    assert "empty" in run("init", "--empty", "--timezone", "Europe/Paris").output
    with run.store() as s:
        assert s.list_plans() == [] and s.timezone == "Europe/Paris"


@pytest.mark.parametrize("command", ["init", "list", "plans"])
def test_a_file_that_is_not_a_database_is_refused_cleanly(tmp_path, command):
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the meeting\n" * 50, encoding="utf-8")
    result = Cli(notes)(command, code=1)
    assert f"{notes}: file is not a database" in result.stderr
    assert notes.read_text(encoding="utf-8") == "minutes of the meeting\n" * 50


def test_import_reports_and_reimport_is_idempotent(run, tmp_path):
    plan = tmp_path / "small.toml"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    assert "Imported small (new plan): 2 added, 0 changed, 0 unchanged" in run("import", str(plan)).output
    before = run.state()
    assert "Imported small (plan unchanged): 0 added, 0 changed, 2 unchanged" in run("import", str(plan)).output
    assert run.state() == before


def test_import_lists_tasks_missing_from_the_file_and_prunes_on_request(run, tmp_path):
    plan = tmp_path / "small.toml"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    run("import", str(plan))
    plan.write_text(SMALL_PLAN.split('[[tasks]]\nkey = "1.1"')[0], encoding="utf-8")
    output = run("import", str(plan)).output
    assert "not in the file (kept; use --prune to delete): 1.1" in output
    with run.store() as s:
        assert s.task_keys("small") == ["1", "1.1"]
    assert "deleted: 1.1" in run("import", "--prune", str(plan)).output
    with run.store() as s:
        assert s.task_keys("small") == ["1"]


def test_bad_import_exits_1_with_file_line_messages_and_writes_nothing(seeded, tmp_path):
    plan = tmp_path / "bad.toml"
    text = SMALL_PLAN.replace(
        'title = "Review the Criminal Code"\nlead = "MPS"', 'title = "Review the Criminal Code"\nlead = "NOBODY"'
    ).replace("end of Q3 2026", "end of Q5 2026")
    assert text.splitlines()[12:14] == ['lead = "NOBODY"', 'deadline = "end of Q5 2026"']
    plan.write_text(text, encoding="utf-8")
    before = seeded.state()
    result = seeded("import", str(plan), code=1)
    lines = result.stderr.splitlines()
    assert (
        lines[0] == f'error: {plan}:13: task 1 lead: unknown agency "NOBODY" (define it in [[orgs]] or import it first)'
    )
    assert lines[1].startswith(f"error: {plan}:14: task 1 deadline: ") and '"end of Q5 2026"' in lines[1]
    assert lines[2] == "Nothing was imported (2 problem(s))."
    assert result.stdout == ""
    assert seeded.state() == before


def test_import_dry_run_writes_nothing(seeded, tmp_path):
    plan = tmp_path / "small.toml"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    before = seeded.state()
    assert "Would import small (new plan): 2 added" in seeded("import", "--dry-run", str(plan)).output
    assert seeded.state() == before


def test_export_then_import_round_trips(seeded, tmp_path):
    out = tmp_path / "cyber.toml"
    seeded("export", "cyber-2026", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert text == seeded("export", "cyber-2026").stdout, "file and standard output agree"
    before = seeded.state()
    result = seeded("import", str(out))
    assert "0 added, 0 changed, 30 unchanged" in result.output
    assert seeded.state() == before
    # into a fresh database too
    fresh = Cli(tmp_path / "fresh.db")
    fresh("init", "--empty")
    fresh("import", str(out))
    fresh("export", "cyber-2026", "-o", str(tmp_path / "again.toml"))
    assert (tmp_path / "again.toml").read_text(encoding="utf-8") == text


def test_export_of_unknown_plan_names_it(seeded):
    result = seeded("export", "cyber-2099", code=1)
    assert '"cyber-2099"' in result.stderr and "cyber-2026" in result.stderr


# --- reading ------------------------------------------------------------------------------------------------------


def listed(run: Cli, *args: str) -> set[str]:
    result = run("list", "--json", *AS_OF, *args)
    return {item["ref"] for item in json.loads(result.stdout)}


def expected(run: Cli, query: str, today: date = TODAY) -> set[str]:
    with run.store() as s:
        return {t.ref for t in s.list_tasks(parse_query(query), today=today)}


def test_list_table_shows_overdue_tasks_with_days_late(seeded):
    result = seeded("list", "--overdue", *AS_OF)
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["TASK", "DEADLINE", "DUE", "STATUS", "DONE", "LEAD", "TITLE"]
    assert rows and all("OVERDUE" in row and "late" in row for row in rows)
    assert f"{len(rows)} task(s); as of 2026-11-26" in result.stderr


def test_list_json_carries_the_derived_state(seeded):
    items = json.loads(seeded("list", "--json", *AS_OF, "--plan", "cyber-2026").stdout)
    by_ref = {i["ref"]: i for i in items}
    late = by_ref["cyber-2026/3"]
    assert late["overdue"] is True and late["days_late"] == 57 and late["days_left"] == -57
    assert late["deadline"] == "2026-09-30" and late["lead"] == "MIC"
    assert by_ref["cyber-2026/1.1"]["overdue"] is False, "done tasks are not overdue"


def test_list_json_is_one_task_per_line_for_grep_and_an_empty_array_for_none(seeded):
    lines = seeded("list", "--json", *AS_OF, "--plan", "cyber-2026").stdout.splitlines()
    assert len(lines) == 30 and lines[0].startswith("[{") and lines[-1].endswith("}]")
    tasks = [json.loads(line.lstrip("[ ").rstrip(",]")) for line in lines]
    assert {t["ref"] for t in tasks} == expected(seeded, "plan:cyber-2026")
    assert json.loads(seeded("list", "--json", *AS_OF, "no-such-words-anywhere").stdout) == []


def test_list_json_gives_each_task_exactly_as_task_json_does_even_hostile_text(seeded):
    """list --json is written by SQLite (speed); it must say what task_json says."""
    from actionplan.cli.support import task_json

    hostile = 'Quote " back\\slash \\n tab\t line\nbreak 🙂 Bộ Công an </script> \u2028'
    with seeded.store() as s:
        t = s.get_task("strategy-2030/1")
        s.update_task(t.ref, {"description": hostile, "tags": ['a"b', "c\\d"]}, t.version)
    # as of today: a past --as-of would show the tasks as they were before this edit
    with seeded.store() as s:
        today = s.today()
    items = json.loads(seeded("list", "--json", "--as-of", today.isoformat()).stdout)
    with seeded.store() as s:
        expected_items = [task_json(t, today) for t in s.list_tasks(today=today)]
    assert items == expected_items
    hostile_task = {i["ref"]: i for i in items}["strategy-2030/1"]
    assert hostile_task["tags"] == ['a"b', "c\\d"] and '" back\\slash' in hostile_task["description"]
    assert "🙂" in hostile_task["description"] and any(i["kpi"] for i in items)


def test_list_as_of_changes_what_is_overdue(seeded):
    assert listed(seeded, "--overdue") == expected(seeded, "overdue")
    result = seeded("list", "--json", "--overdue", "--as-of", "2026-06-01")
    earlier = {item["ref"] for item in json.loads(result.stdout)}
    assert earlier == expected(seeded, "overdue", date(2026, 6, 1))
    assert earlier != listed(seeded, "--overdue")


@pytest.mark.parametrize(
    "args, query",
    [
        (["--plan", "strategy-2030"], "plan:strategy-2030"),
        (["--lead", "MPS"], "lead:MPS"),
        (["--lead", "bo cong an"], "lead:MPS"),
        (["--org", "MOJ"], "org:MOJ"),
        (["--status", "open"], "status:open"),
        (["--status", "done", "--status", "blocked"], "status:done,blocked"),
        (["--tag", "legal"], "tag:legal"),
        (["--soon", "30"], "soon:30"),
        (["--due-before", "end of Q3 2026"], "due<2026-09-30"),
        (["--due-after", "2027-01-01"], "due>2027-01-01"),
        (["--search", "criminal code"], "criminal code"),
        (["--search", "bo cong an"], "bo cong an"),
        (["lead:MPS", "status:open", "due<end of Q1 2027"], "lead:MPS status:open due<2027-03-31"),
        (['lead:MPS status:open due<"end of Q1 2027"'], "lead:MPS status:open due<2027-03-31"),
        (["who:Chief of the Committee Office"], 'who:"Chief of the Committee Office"'),
        (["criminal code", "tag:legal"], "criminal code tag:legal"),
        (["tag:legal", "--lead", "MPS"], "tag:legal lead:MPS"),
    ],
)
def test_list_filters(seeded, args, query):
    want = expected(seeded, query)
    assert want, "the sample data should exercise this filter"
    assert listed(seeded, *args) == want


def test_list_limit(seeded):
    assert len(json.loads(seeded("list", "--json", "--limit", "3", *AS_OF).stdout)) == 3
    for bad in ("0", "-1", "99999999999999999999999"):
        assert "--limit" in seeded("list", "--limit", bad, code=2).stderr


def test_list_with_nothing_to_show(seeded):
    assert "No tasks match." in seeded("list", *AS_OF, "zzyzx-no-such-word").output


def test_list_errors_name_the_bad_term_or_plan(seeded):
    assert "colour:red" in seeded("list", "colour:red", code=1).stderr
    assert '"nope-plan"' in seeded("list", "--plan", "nope-plan", code=1).stderr
    result = seeded("list", "--as-of", "someday", code=2)
    assert '"someday"' in result.stderr and "--as-of" in result.stderr


def test_show_a_task_in_full(seeded):
    output = seeded("show", "cyber-2026/2.2", *AS_OF).stdout
    assert "cyber-2026/2.2  Draft amendments to the Criminal Code provisions on cybercrime" in output
    assert "MPS — Ministry of Public Security" in output
    assert 'Deadline      2027-03-31 (written "by March 2027") — 125 days left' in output
    assert "Depends on    2.1" in output and "Parent        cyber-2026/2" in output
    assert "Version       1" in output


def test_show_kpi_and_json(seeded):
    output = seeded("show", "strategy-2030/1.1", *AS_OF).stdout
    assert "KPI" in output and "of the way" in output
    data = json.loads(seeded("show", "cyber-2026/3", "--json", *AS_OF).stdout)
    assert data["ref"] == "cyber-2026/3" and data["overdue"] is True and data["notes"] == []


@pytest.mark.parametrize(
    "command",
    [
        ["show"],
        ["history"],
        ["set", "--", "{ref}", "progress=5"],
        ["done", "--evidence", "x", "{ref}"],
        ["note", "{ref}", "text"],
    ],
)
def test_unknown_task_reference_is_named(seeded, command):
    args = [a.replace("{ref}", "cyber-2026/99") for a in command]
    if "{ref}" not in command:
        args.append("cyber-2026/99")
    result = seeded(*args, code=1)
    assert 'no task "99" in plan "cyber-2026"' in result.stderr


def test_task_reference_without_plan_explains_the_form(seeded):
    assert "PLAN/KEY" in seeded("show", "2.3", code=1).stderr


def test_orgs(seeded):
    output = seeded("orgs").stdout
    assert "MPS" in output and "Bộ Công an" in output
    data = {o["key"]: o for o in json.loads(seeded("orgs", "--json").stdout)}
    assert data["OFFICE"]["parent"] == "NSC"
    assert data["MPS"]["short_name"] == "Bộ Công an"


def test_plans_show_progress_and_counts_as_of_a_day(seeded):
    output = seeded("plans", *AS_OF).stdout
    header, *rows = output.splitlines()
    columns = ["PLAN", "REFERENCE", "STATUS", "DONE", "OPEN", "OVERDUE", "CLOSED", "TITLE"]
    starts = [header.index(c) for c in columns]
    cells = [[row[a:b].strip() for a, b in zip(starts, starts[1:] + [None])] for row in rows]
    with seeded.store() as s:
        summaries = s.plan_summaries(TODAY)
    assert [c[0] for c in cells] == [x.plan.key for x in summaries]
    for c, x in zip(cells, summaries):
        assert c[3:7] == [f"{x.progress:.0f}%", str(x.open), str(x.overdue), str(x.done + x.cancelled)]
    later = seeded("plans", "--as-of", "2030-12-31").stdout
    assert later != output, "more is overdue later"


# --- writing ---------------------------------------------------------------------------------------------------


def test_add_shows_the_resolved_deadline(seeded):
    result = seeded(
        "add",
        "cyber-2026",
        "--title",
        "Draft decree on sanctions",
        "--lead",
        "bo cong an",
        "--deadline",
        "end of April 2026",
        "--parent",
        "2",
        "--coordinating",
        "MOJ,MIC",
        "--tag",
        "legal",
        "--tag",
        "decree",
    )
    assert "Added cyber-2026/2.4: Draft decree on sanctions" in result.output
    assert '"end of April 2026" → 2026-04-30' in result.output
    with seeded.store() as s:
        t = s.get_task("cyber-2026/2.4")
    assert (t.lead, t.parent, t.deadline, t.deadline_text, t.coordinating, t.tags) == (
        "MPS",
        "2",
        date(2026, 4, 30),
        "end of April 2026",
        ["MOJ", "MIC"],
        ["legal", "decree"],
    )


def test_add_next_top_level_key(seeded):
    assert "Added cyber-2026/9:" in seeded("add", "cyber-2026", "--title", "New", "--lead", "MIC").output


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--deadline", "end of Aprill 2026"], '"end of Aprill 2026"'),
        (["--lead", "Ministry of Magic"], '"Ministry of Magic"'),
        (["--priority", "urgent"], '"urgent"'),
        (["--parent", "77"], '"77"'),
    ],
)
def test_add_refuses_bad_input_and_writes_nothing(seeded, extra, words):
    before = seeded.state()
    args = ["add", "cyber-2026", "--title", "Bad", "--lead", "MPS", *extra]
    result = seeded(*args, code=1)
    assert words in result.stderr
    assert seeded.state() == before


def test_set_fields(seeded):
    result = seeded(
        "set",
        "cyber-2026/2.3",
        "deadline=end of Q1 2027",
        "status=blocked",
        "blocked_reason=waiting for the MOJ opinion",
        "progress=45%",
        "--reason",
        "the MOJ opinion is late",  # the plan is active: a deadline moves with a reason
    )
    assert "Saved cyber-2026/2.3 (version 2)" in result.output
    assert "deadline 2027-03-31" in result.output
    with seeded.store() as s:
        t = s.get_task("cyber-2026/2.3")
    assert (t.status, t.blocked_reason, t.progress, t.deadline_text) == (
        "blocked",
        "waiting for the MOJ opinion",
        45,
        "end of Q1 2027",
    )


def test_set_without_change(seeded):
    assert "Nothing changed" in seeded("set", "cyber-2026/2.3", "progress=40").output


def test_set_with_a_stale_version_is_a_conflict(seeded):
    seeded("set", "cyber-2026/2.3", "progress=45")
    before = seeded.state()
    result = seeded("set", "cyber-2026/2.3", "progress=50", "--if-version", "1", code=1)
    assert "changed by someone else since you read it" in result.stderr
    assert "your version 1, now 2" in result.stderr and "nothing was saved" in result.stderr
    assert seeded.state() == before


@pytest.mark.parametrize(
    "assignment, words",
    [
        ("deadline=Aprill 2026", 'deadline: cannot read deadline "Aprill 2026"'),
        ("dealine=April 2026", "dealine: unknown field"),
        ("progress=lots", 'progress: progress must be a whole number from 0 to 100: "lots"'),
        ("lead=NOBODY", 'lead: unknown agency "NOBODY"'),
        ("parent=2.3", "parent: a task cannot be its own parent"),
        ("depends_on=2.3", "depends_on: a task cannot depend on itself"),
        ("status", "write field=value"),
    ],
)
def test_set_errors_name_the_field_and_write_nothing(seeded, assignment, words):
    before = seeded.state()
    result = seeded("set", "cyber-2026/2.3", assignment, code=1)
    assert words in result.stderr
    assert seeded.state() == before


def test_dependency_cycle_is_refused(seeded):
    before = seeded.state()
    result = seeded("set", "cyber-2026/2.1", "depends_on=2.2", code=1)
    assert "depends_on: dependency cycle: 2.1 -> 2.2 -> 2.1" in result.stderr
    assert seeded.state() == before


def test_done_with_evidence(seeded):
    result = seeded("done", "cyber-2026/2.3", "--evidence", "Draft sent to MOJ, letter 45/BCA", "--on", "2026-11-20")
    assert "Done: cyber-2026/2.3 (2026-11-20)" in result.output
    with seeded.store() as s:
        t = s.get_task("cyber-2026/2.3")
    assert (t.status, t.progress, t.evidence, t.completed_on) == (
        "done",
        100,
        "Draft sent to MOJ, letter 45/BCA",
        date(2026, 11, 20),
    )


def test_done_needs_evidence(seeded):
    result = seeded("done", "cyber-2026/2.3", code=2)
    assert "--evidence" in result.stderr


def test_done_on_a_recurring_duty_moves_its_deadline(seeded):
    result = seeded("done", "strategy-2030/3.4", "--evidence", "2026 report", "--on", "2026-11-26")
    assert "next deadline 2027-12-15" in result.output


def test_note_with_progress_and_history(seeded):
    result = seeded(
        "note",
        "cyber-2026/2",
        "Draft sent to the Ministry of Justice",
        "--progress",
        "60",
        "--on",
        "2026-11-26",
        actor="Secretary Lan",
    )
    assert "Noted cyber-2026/2 (60%)" in result.output
    shown = seeded("show", "cyber-2026/2", *AS_OF).stdout
    assert "2026-11-26  Secretary Lan [60%]: Draft sent to the Ministry of Justice" in shown
    history = seeded("history", "cyber-2026/2").stdout
    rows = [row.split() for row in history.splitlines()]
    assert rows[0][:4] == ["WHEN", "(UTC)", "WHO", "FIELD"]
    assert any(row[-4:] == ["Lan", "progress", "55", "60"] for row in rows)
    assert any("note" in row and "added" in row for row in rows)
    assert "created (import)" in history


def test_note_progress_out_of_range(seeded):
    assert "101" in seeded("note", "cyber-2026/2", "x", "--progress", "101", code=2).stderr


def test_history_names_the_actor_from_the_environment(seeded):
    seeded("set", "cyber-2026/2.3", "progress=41")
    history = seeded("history", "cyber-2026/2.3").stdout
    assert any(row.split()[2:6] == ["tester", "progress", "40", "41"] for row in history.splitlines())


def test_undo_the_last_change(seeded):
    before = seeded.state()[2]
    seeded("set", "cyber-2026/2.3", "title=Renamed by mistake")
    assert "Undone: cyber-2026/2.3: title" in seeded("undo").output
    assert seeded.state()[2] == before


def test_undo_with_nothing_to_undo(run):
    run("init", "--empty")
    assert "nothing to undo" in run("undo", code=1).stderr


def test_someone_elses_change_is_not_mine_to_undo(seeded):
    seeded("set", "cyber-2026/2.3", "progress=41", actor="alice")
    before = seeded.state()
    result = seeded("undo", actor="bob", code=1)
    assert "nothing to undo" in result.stderr, "alice's change is hers to undo"
    assert seeded.state() == before


# --- speed: commands that do not open the UI do not import Textual -------------------------------------------------


def test_list_does_not_import_textual_or_other_heavy_modules(seeded):
    code = (
        "import sys\n"
        "from actionplan.cli.main import main\n"
        f"sys.argv = ['actionplan', '--db', {str(seeded.db)!r}, 'list', '--as-of', '2026-11-26']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('textual', 'icalendar', 'jinja2', 'starlette', 'uvicorn') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    env = {**os.environ, "ACTIONPLAN_USER": "tester"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "cyber-2026/" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_a_mistyped_database_path_is_not_created(run):
    result = run("list", code=1)
    assert "no database there" in result.output and "init" in result.output
    assert not run.db.exists()


def test_import_may_create_a_new_database(run, tmp_path):
    plan = tmp_path / "small.toml"
    plan.write_text(SMALL_PLAN, encoding="utf-8")
    run("import", str(plan))
    assert listed(run, "--plan", "small") == {"small/1", "small/1.1"}


def test_list_names_an_unknown_agency_instead_of_an_empty_list(seeded):
    result = seeded("list", "--lead", "NOPE", code=1)
    assert 'unknown agency "NOPE"' in result.output
    result = seeded("list", "coord:NOPE", code=1)
    assert 'unknown agency "NOPE"' in result.output
    seeded("list", "--soon", "-5", code=2)
