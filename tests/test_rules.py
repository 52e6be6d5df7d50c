"""Every rule of a change, through every front end: the same verdict and the same message.

One table: for each rule, what a secretary types on the command line, does in the
terminal UI (Pilot: open the dialog or the editor, type, confirm) and writes in a
plan file.  Each way must refuse with the rule's message and change nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input, Label

from actionplan.cli.main import cli
from actionplan.core import rules
from actionplan.core.errors import PlanFileError
from actionplan.services.planfile import parse_plan_text
from actionplan.store import Store
from actionplan.tui.app import ActionPlanApp
from actionplan.tui.screens.prompt import TextPrompt
from tests.conftest import TODAY

UiSteps = Callable[[ActionPlanApp, object], Awaitable[str]]

PLAN_FILE = """
[plan]
key = "rules"
title = "Rules"
status = "active"

[[orgs]]
key = "MPS"
name = "Ministry of Public Security"

[[tasks]]
key = "1"
title = "Review the Criminal Code"
lead = "MPS"
deadline = "2026-12-31"
{first}

[[tasks]]
key = "2"
title = "Draft the decree"
lead = "MPS"
{second}
"""


def label_text(app: ActionPlanApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


async def open_task(app: ActionPlanApp, pilot, ref: str, key: str) -> None:
    app.show_tasks(task_ref=ref)
    await pilot.pause()
    assert app.screen.current is not None and app.screen.current.ref == ref
    await pilot.press(key)
    await pilot.pause()


async def type_into(app: ActionPlanApp, pilot, values: dict[str, str]) -> None:
    for selector, value in values.items():
        app.screen.query_one(selector, Input).value = value
    await pilot.pause()


async def confirm(pilot) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause()


def ui_done_without_evidence(ref: str) -> UiSteps:
    async def steps(app: ActionPlanApp, pilot) -> str:
        await open_task(app, pilot, ref, "x")
        await type_into(app, pilot, {"#evidence": "  "})
        await confirm(pilot)
        return label_text(app, "#evidence-error")

    return steps


def ui_blocked_without_reason(ref: str) -> UiSteps:
    async def steps(app: ActionPlanApp, pilot) -> str:
        await open_task(app, pilot, ref, "c")
        await pilot.click("#status-blocked")
        await type_into(app, pilot, {"#reason": ""})
        await confirm(pilot)
        return label_text(app, "#reason-error")

    return steps


def ui_progress(ref: str, percent: str) -> UiSteps:
    async def steps(app: ActionPlanApp, pilot) -> str:
        await open_task(app, pilot, ref, "r")
        await type_into(app, pilot, {"#note": "Draft sent", "#percent": percent})
        await confirm(pilot)
        return label_text(app, "#percent-error")

    return steps


def ui_edit(ref: str, field: str, text: str) -> UiSteps:
    """Edit one field in the task editor and save; the message shown at that field."""

    async def steps(app: ActionPlanApp, pilot) -> str:
        await open_task(app, pilot, ref, "e")
        suffix = field.replace(".", "-").replace("_", "-")
        await type_into(app, pilot, {f"#f-{suffix}": text})
        await confirm(pilot)
        return label_text(app, f"#error-{suffix}")

    return steps


def ui_move_deadline(ref: str, text: str) -> UiSteps:
    """Move the deadline in the editor, save, and give no reason when asked why."""

    async def steps(app: ActionPlanApp, pilot) -> str:
        await open_task(app, pilot, ref, "e")
        await type_into(app, pilot, {"#f-deadline": text})
        await confirm(pilot)
        assert isinstance(app.screen, TextPrompt), "the editor asks why the deadline is moving"
        await pilot.press("escape")
        await pilot.pause()
        return label_text(app, "#editor-status")

    return steps


@dataclass
class Rule:
    name: str
    message: str  # what every front end says
    ref: str  # the sample task the CLI and the UI try it on
    cli: list[str]
    ui: UiSteps
    plan_file: dict[str, str]  # TOML lines for the file's first and second task


RULES = [
    Rule(
        "done needs evidence",
        rules.evidence_needed(),
        "cyber-2026/3.2",
        ["set", "cyber-2026/3.2", "status=done"],
        ui_done_without_evidence("cyber-2026/3.2"),
        {"first": 'status = "done"\ncompleted_on = "2026-11-20"'},
    ),
    Rule(
        "blocked needs a reason",
        rules.blocked_reason_needed(),
        "cyber-2026/3.2",
        ["set", "cyber-2026/3.2", "status=blocked"],
        ui_blocked_without_reason("cyber-2026/3.2"),
        {"first": 'status = "blocked"'},
    ),
    Rule(
        "progress is 0 to 100",
        "must be a whole number from 0 to 100",
        "cyber-2026/3.2",
        ["set", "cyber-2026/3.2", "progress=150"],
        ui_progress("cyber-2026/3.2", "150"),
        {"first": "progress = 150"},
    ),
    Rule(
        "unknown agency",
        'unknown agency "NOBODY"',
        "cyber-2026/3.2",
        ["set", "cyber-2026/3.2", "coordinating=NOBODY"],
        ui_edit("cyber-2026/3.2", "coordinating", "NOBODY"),
        {"first": 'coordinating = ["NOBODY"]'},
    ),
    Rule(
        "no dependency cycle",
        "dependency cycle: ",
        "cyber-2026/2.1",
        ["set", "cyber-2026/2.1", "depends_on=2.2"],
        ui_edit("cyber-2026/2.1", "depends_on", "2.2"),
        {"first": 'depends_on = ["2"]', "second": 'depends_on = ["1"]'},
    ),
    Rule(
        "a deadline moving on an active plan needs a reason",
        rules.slip_reason_needed(),
        "cyber-2026/3.2",
        ["set", "cyber-2026/3.2", "deadline=end of March 2027"],
        ui_move_deadline("cyber-2026/3.2", "end of March 2027"),
        {},  # a plan file gives its own name as the reason: see test_an_import_names_its_file_as_the_reason
    ),
]


def state(store: Store, ref: str) -> tuple[int, int]:
    return store.get_task(ref).version, len(store.history())


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_the_command_line_refuses(rule: Rule, sample_store: Store, db_path: Path) -> None:
    before = state(sample_store, rule.ref)
    result = CliRunner().invoke(cli, ["--db", str(db_path), *rule.cli])
    assert result.exit_code == 1, result.output
    assert rule.message in result.stderr
    assert state(sample_store, rule.ref) == before


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
async def test_the_terminal_ui_refuses(rule: Rule, sample_store: Store) -> None:
    before = state(sample_store, rule.ref)
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        shown = await rule.ui(app, pilot)
    assert rule.message in shown
    assert state(sample_store, rule.ref) == before


@pytest.mark.parametrize("rule", [r for r in RULES if r.plan_file], ids=[r.name for r in RULES if r.plan_file])
def test_a_plan_file_is_refused(rule: Rule) -> None:
    text = PLAN_FILE.format(first=rule.plan_file.get("first", ""), second=rule.plan_file.get("second", ""))
    with pytest.raises(PlanFileError) as e:
        parse_plan_text(text, "rules.toml")
    assert any(rule.message in p.message for p in e.value.problems), e.value.problems
    assert all(p.file == "rules.toml" and p.line > 0 for p in e.value.problems)


def test_a_moved_deadline_keeps_its_reason_in_the_history(sample_store: Store, db_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--db", str(db_path), "set", "cyber-2026/3.2", "deadline=end of March 2027", "--reason", "MOJ opinion late"],
    )
    assert result.exit_code == 0, result.output
    changes = [c for c in sample_store.history("cyber-2026/3.2") if c.field == "deadline"]
    assert changes[-1].new == "2027-03-31" and changes[-1].reason == "MOJ opinion late"
    shown = CliRunner().invoke(cli, ["--db", str(db_path), "history", "cyber-2026/3.2"])
    assert "WHY" in shown.output and "MOJ opinion late" in shown.output


async def test_the_editor_saves_a_moved_deadline_with_the_reason_given(sample_store: Store) -> None:
    ref = "cyber-2026/3.2"
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(app, pilot, ref, "e")
        await type_into(app, pilot, {"#f-deadline": "end of March 2027"})
        await confirm(pilot)
        assert isinstance(app.screen, TextPrompt)
        await type_into(app, pilot, {"#answer": "waiting for the MOJ opinion"})
        await pilot.press("enter")
        await pilot.pause()
    change = [c for c in sample_store.history(ref) if c.field == "deadline"][-1]
    assert (change.new, change.reason) == ("2027-03-31", "waiting for the MOJ opinion")


def test_an_import_names_its_file_as_the_reason(sample_store: Store, tmp_path: Path) -> None:
    from actionplan.services.planfile import export_plan_text, import_plan_files

    text = export_plan_text(sample_store, "cyber-2026")
    moved = text.replace('deadline = "end of September 2026"', 'deadline = "end of March 2027"', 1)
    assert moved != text
    path = tmp_path / "cyber-2026.toml"
    path.write_text(moved, encoding="utf-8")
    import_plan_files(sample_store, [path])
    changes = [c for c in sample_store.history(plan="cyber-2026") if c.field == "deadline"]
    assert changes and changes[-1].reason == "plan file cyber-2026.toml"


def test_redo_brings_back_what_undo_took_back(sample_store: Store, db_path: Path) -> None:
    invoke = lambda *args: CliRunner().invoke(cli, ["--db", str(db_path), "--as", "secretary", *args])  # noqa: E731
    assert invoke("set", "cyber-2026/3.2", "progress=90", "title=Clear level-3 systems").exit_code == 0
    assert invoke("set", "cyber-2026/3.2", "progress=95").exit_code == 0
    assert invoke("undo").exit_code == 0
    assert invoke("undo").exit_code == 0
    assert sample_store.get_task("cyber-2026/3.2").progress == 88
    first = invoke("redo")
    assert first.exit_code == 0 and "Redone:" in first.output
    assert sample_store.get_task("cyber-2026/3.2").progress == 90
    assert invoke("redo").exit_code == 0
    assert sample_store.get_task("cyber-2026/3.2").progress == 95
    nothing = invoke("redo")
    assert nothing.exit_code == 1 and "nothing to redo" in nothing.stderr
    assert invoke("undo").exit_code == 0  # a redo can be undone again
    assert sample_store.get_task("cyber-2026/3.2").progress == 90


def test_a_new_edit_ends_the_redo_chain(sample_store: Store, db_path: Path) -> None:
    invoke = lambda *args: CliRunner().invoke(cli, ["--db", str(db_path), "--as", "secretary", *args])  # noqa: E731
    assert invoke("set", "cyber-2026/3.2", "progress=90").exit_code == 0
    assert invoke("undo").exit_code == 0
    assert invoke("set", "cyber-2026/3.2", "priority=high").exit_code == 0
    result = invoke("redo")
    assert result.exit_code == 1 and "nothing to redo" in result.stderr
    assert sample_store.get_task("cyber-2026/3.2").progress == 88


def _whole(store: Store, ref: str) -> tuple:
    """Everything a secretary sees of a task: its fields, links and notes."""
    t = store.get_task(ref)
    notes = [(n.on, n.author, n.text, n.progress) for n in store.list_updates(ref)]
    return (t.id, t.title, t.lead, t.accountable, t.coordinating, t.tags, t.depends_on, t.deadline, t.version, notes)


def test_redo_brings_back_a_task_that_undo_removed(sample_store: Store, db_path: Path) -> None:
    invoke = lambda *args: CliRunner().invoke(cli, ["--db", str(db_path), "--as", "secretary", *args])  # noqa: E731
    added = invoke(
        "add", "cyber-2026", "--key", "9", "--title", "Audit the ministries' backups", "--lead", "MPS",
        "--deadline", "end of March 2027", "--coordinating", "MOJ,MIC", "--tag", "audit", "--depends-on", "2",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    before = _whole(sample_store, "cyber-2026/9")
    assert invoke("undo").exit_code == 0
    assert invoke("show", "cyber-2026/9").exit_code == 1
    redone = invoke("redo")
    assert redone.exit_code == 0 and "Redone:" in redone.output, redone.output
    assert _whole(sample_store, "cyber-2026/9") == before
    shown = invoke("history", "cyber-2026/9")
    assert shown.exit_code == 0 and "snapshot" not in shown.output
    assert invoke("undo").exit_code == 0  # the redo is a change of its own: undo removes the task again
    assert not [t for t in sample_store.list_tasks() if t.ref == "cyber-2026/9"]
    assert invoke("redo").exit_code == 0
    assert _whole(sample_store, "cyber-2026/9") == before


def test_undo_brings_back_a_deleted_task_with_its_notes_and_links(sample_store: Store) -> None:
    from actionplan.core.model import Task
    from actionplan.core.query import parse_query
    from actionplan.services import tasks as service

    ref = "cyber-2026/9"
    service.add_task(sample_store, Task(plan="cyber-2026", key="9", title="Check the log retention", lead="MPS"))
    sample_store.add_note(ref, "Asked three ministries for their retention rules", 20)
    service.change_task(sample_store, ref, {"coordinating": ["MOJ"], "tags": ["logs"]})
    before = _whole(sample_store, ref)
    service.delete_task(sample_store, ref)
    assert not [t for t in sample_store.list_tasks() if t.ref == ref]
    sample_store.undo()
    assert _whole(sample_store, ref) == before
    sample_store.redo()
    assert not [t for t in sample_store.list_tasks() if t.ref == ref]
    sample_store.undo()
    assert _whole(sample_store, ref) == before
    found = sample_store.list_tasks(parse_query("retention"))
    assert [t.ref for t in found] == [ref]  # back in the search index too
