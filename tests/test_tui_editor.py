"""Pilot tests of the task editor and the small dialogs, at 80x24.

A tiny host app stands in for ActionPlanApp: it holds the store, a fixed
"today", and records data_changed() calls and notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select

from actionplan.core.model import Task
from actionplan.store import Store
from actionplan.tui.screens.dialogs import (
    ConfirmDialog,
    ConflictDialog,
    EvidenceDialog,
    ProgressDialog,
    StatusDialog,
)
from actionplan.tui.screens.editor import ListSuggester, TaskEditor, widget_id
from tests.conftest import TODAY

SIZE = (80, 24)
REF = "cyber-2026/2"


class Host(App[None]):
    """Just enough of ActionPlanApp for the editor and the dialogs."""

    def __init__(self, store: Store, today: date = TODAY) -> None:
        super().__init__()
        self.store = store
        self.today = today
        self.changed = 0
        self.messages: list[str] = []
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Label("host")
        yield Footer()

    def data_changed(self) -> None:
        self.changed += 1

    def write(self, action: Callable[[], Any], *, success: str = "") -> Any:
        result = action()
        if success:
            self.notify(success)
        self.data_changed()
        return result

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.messages.append(message)
        super().notify(message, **kwargs)

    def open(self, screen: Screen) -> None:
        self.push_screen(screen, self.results.append)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


def value_of(screen: Screen, name: str) -> str:
    widget = screen.query_one(f"#{widget_id(name)}")
    return str(widget.value)


def error_of(screen: Screen, name: str) -> str:
    label = screen.query_one(f"#error-{widget_id(name)[2:]}", Label)
    return "" if label.has_class("-empty") else str(label.render())


def hint_of(screen: Screen, name: str) -> str:
    label = screen.query_one(f"#hint-{widget_id(name)[2:]}", Label)
    return "" if label.has_class("-empty") else str(label.render())


async def replace_text(pilot, screen: Screen, name: str, text: str) -> None:
    """Focus a field and put new text in it (as a paste would; typing is tested where it matters)."""
    fill(screen.query_one(f"#{widget_id(name)}", Input), text)
    await pilot.pause()


def fill(field: Input, text: str) -> None:
    field.focus()
    field.value = text
    field.cursor_position = len(text)


def assert_on_screen(screen: Screen, *selectors: str) -> None:
    """The widgets are fully inside the 80x24 terminal."""
    terminal = Region(0, 0, *SIZE)
    for selector in selectors:
        region = screen.query_one(selector).region
        assert region.area > 0 and terminal.contains_region(region), (selector, region)


# --- the editor ---------------------------------------------------------------------------


async def test_add_task_with_spoken_deadline(sample_store: Store) -> None:
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor = TaskEditor(plan="cyber-2026")
        app.open(editor)
        await pilot.pause()
        key = value_of(editor, "key")
        assert key not in sample_store.task_keys("cyber-2026")
        assert_on_screen(editor, "#save", "#cancel", "#editor-title")
        assert editor.query_one("#save", Button).disabled  # no lead yet

        fill(editor.query_one(f"#{widget_id('title')}", Input), "Draft the decree on data protection")
        await pilot.press("tab")  # to the lead agency
        await type_text(pilot, "MPS")
        await pilot.press("enter")
        await pilot.pause()
        assert value_of(editor, "lead") == "MPS"
        assert value_of(editor, "accountable") == "Minister of Public Security"  # the lead's head

        editor.query_one(f"#{widget_id('deadline')}", Input).focus()
        await type_text(pilot, "end of April")
        await pilot.pause()
        assert "cannot read deadline" in error_of(editor, "deadline")  # half typed, not a date yet
        await type_text(pilot, " 2026")
        await pilot.pause()
        assert error_of(editor, "deadline") == ""
        assert hint_of(editor, "deadline") == "→ 2026-04-30 (Thu) · 210 days late"
        assert not editor.query_one("#save", Button).disabled

        await pilot.press("ctrl+s")
        await pilot.pause()

    saved = sample_store.get_task(f"cyber-2026/{key}")
    assert saved.title == "Draft the decree on data protection"
    assert saved.lead == "MPS"
    assert saved.deadline == date(2026, 4, 30)
    assert saved.deadline_text == "end of April 2026"
    assert app.results == [saved]
    assert app.changed == 1
    assert any(saved.ref in m for m in app.messages)
    assert [c.field for c in sample_store.history(saved.ref)] == ["*created*"]


async def test_new_subtask_gets_next_key_under_parent(sample_store: Store) -> None:
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor = TaskEditor(plan="cyber-2026", parent="2")
        app.open(editor)
        await pilot.pause()
        existing = [k for k in sample_store.task_keys("cyber-2026") if k.startswith("2.")]
        assert value_of(editor, "parent") == "2"
        assert value_of(editor, "key") == f"2.{len(existing) + 1}"


async def test_bad_deadline_is_shown_and_not_saved(sample_store: Store) -> None:
    before = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor = TaskEditor(before, plan=before.plan)
        app.open(editor)
        await pilot.pause()
        await replace_text(pilot, editor, "deadline", "soonish")
        assert 'cannot read deadline "soonish"' in error_of(editor, "deadline")
        assert editor.query_one("#save", Button).disabled
        assert "deadline" in str(editor.query_one("#editor-status", Label).render())

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor  # still open
        assert any("deadline" in m for m in app.messages)
    after = sample_store.get_task(REF)
    assert after.version == before.version and after.deadline == before.deadline
    assert app.results == []


async def test_edit_title_saves_only_that_field(sample_store: Store) -> None:
    before = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor = TaskEditor(before, plan=before.plan)
        app.open(editor)
        await pilot.pause()
        assert_on_screen(editor, "#save", "#cancel")
        await replace_text(pilot, editor, "title", "Revise the Criminal Code")
        await pilot.click("#save")  # the mouse works too
        await pilot.pause()
    after = sample_store.get_task(REF)
    assert after.title == "Revise the Criminal Code"
    assert after.version == before.version + 1
    assert after.deadline == before.deadline and after.coordinating == before.coordinating
    assert [c.field for c in sample_store.history(REF)][-1:] == ["title"]
    assert app.results == [after] and app.changed == 1


async def test_store_refusal_is_shown_at_its_field(sample_store: Store) -> None:
    before = sample_store.get_task(REF)
    assert before.deadline is not None
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor = TaskEditor(before, plan=before.plan)
        app.open(editor)
        await pilot.pause()
        await replace_text(pilot, editor, "start", "2030-01-01")  # after the deadline
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        assert "start is after the deadline" in error_of(editor, "start")
        assert editor.focused is editor.query_one(f"#{widget_id('start')}")
        await replace_text(pilot, editor, "start", "2026-05-01")
        assert error_of(editor, "start") == ""
    assert sample_store.get_task(REF).version == before.version


async def test_unknown_agency_and_task_keys_are_refused_inline(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor = TaskEditor(task, plan=task.plan)
        app.open(editor)
        await pilot.pause()
        await replace_text(pilot, editor, "coordinating", "MOJ, NOPE")
        assert 'unknown agency "NOPE"' in error_of(editor, "coordinating")
        await replace_text(pilot, editor, "depends_on", "99")
        assert 'no task "99"' in error_of(editor, "depends_on")
        await replace_text(pilot, editor, "kpi.target", "lots")
        assert "must be a number" in error_of(editor, "kpi.target")
        assert editor.query_one("#save", Button).disabled


async def test_escape_asks_before_discarding_changes(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor = TaskEditor(task, plan=task.plan)
        app.open(editor)
        await pilot.pause()
        await replace_text(pilot, editor, "title", "Something else")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        # the footer names y by the button's word, not a bare "Yes"
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "y Discard" in shown and "y Yes" not in shown
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is editor and value_of(editor, "title") == "Something else"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is not editor
    assert app.results == [None]
    assert sample_store.get_task(REF).title == task.title


async def test_escape_without_changes_closes_at_once(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        app.open(TaskEditor(task, plan=task.plan))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# --- conflicts ----------------------------------------------------------------------------


async def _conflicting_save(app: Host, pilot, db_path: Path, clock) -> tuple[TaskEditor, Task]:
    """Open the editor, let a colleague save first, then save in the editor."""
    task = app.store.get_task(REF)
    editor = TaskEditor(task, plan=task.plan)
    app.open(editor)
    await pilot.pause()
    other = Store(db_path, actor="colleague", clock=clock)
    try:
        theirs = other.update_task(REF, {"title": "Their title"}, task.version)
    finally:
        other.close()
    await replace_text(pilot, editor, "title", "My title")
    await pilot.press("ctrl+s")
    await pilot.pause()
    return editor, theirs


async def test_conflict_reload_theirs_writes_nothing_of_mine(sample_store: Store, db_path: Path, clock) -> None:
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor, theirs = await _conflicting_save(app, pilot, db_path, clock)
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        assert dialog.fields == ["title"]
        row = dialog.query_one("#conflict-title")
        texts = [str(label.render()) for label in row.query(Label)]
        assert texts[1:] == ["Their title", "My title"]
        assert_on_screen(dialog, "#reload", "#overwrite", "#back")

        await pilot.click("#reload")
        await pilot.pause()
        assert app.screen is editor
        assert value_of(editor, "title") == "Their title"
        assert editor.dirty == []
        assert any("My title" in m for m in app.messages)  # what you had, to re-apply
    now = sample_store.get_task(REF)
    assert now.title == "Their title" and now.version == theirs.version
    assert app.results == [] and app.changed == 0


async def test_conflict_save_mine_over_theirs(sample_store: Store, db_path: Path, clock) -> None:
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor, theirs = await _conflicting_save(app, pilot, db_path, clock)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.click("#overwrite")
        await pilot.pause()
    now = sample_store.get_task(REF)
    assert now.title == "My title" and now.version == theirs.version + 1
    assert app.results == [now]


async def test_conflict_back_keeps_editing_then_reload_and_reapply(sample_store: Store, db_path: Path, clock) -> None:
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor, theirs = await _conflicting_save(app, pilot, db_path, clock)
        await pilot.press("escape")  # back to the form, mine still in it
        await pilot.pause()
        assert app.screen is editor and value_of(editor, "title") == "My title"
        await pilot.press("ctrl+s")  # still stale: asks again
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("r")
        await pilot.pause()
        await replace_text(pilot, editor, "title", "Agreed title")
        await pilot.press("ctrl+s")
        await pilot.pause()
    now = sample_store.get_task(REF)
    assert now.title == "Agreed title" and now.version == theirs.version + 1
    assert app.results == [now]


# --- dialogs ------------------------------------------------------------------------------


async def test_evidence_dialog_refuses_empty_evidence(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = EvidenceDialog(task, TODAY)
        app.open(dialog)
        await pilot.pause()
        assert_on_screen(dialog, "#confirm", "#cancel", "#evidence", "#completed-on")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and app.results == []
        assert "evidence" in str(dialog.query_one("#evidence-error", Label).render())

        await type_text(pilot, "Decree 13")
        fill(dialog.query_one("#completed-on", Input), "25/11/2026")
        await pilot.pause()
        assert "2026-11-25" in str(dialog.query_one("#completed-on-hint", Label).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [("Decree 13", date(2026, 11, 25))]


async def test_evidence_dialog_refuses_a_future_or_unreadable_date(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = EvidenceDialog(task, TODAY)
        app.open(dialog)
        await pilot.pause()
        fill(dialog.query_one("#evidence", Input), "Report sent")
        fill(dialog.query_one("#completed-on", Input), "2027-01-05")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "after today" in str(dialog.query_one("#completed-on-error", Label).render())
        fill(dialog.query_one("#completed-on", Input), "yesterday-ish")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and app.results == []
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_progress_dialog_returns_note_and_percent(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = ProgressDialog(task, TODAY)
        app.open(dialog)
        await pilot.pause()
        assert_on_screen(dialog, "#confirm", "#cancel")
        assert dialog.query_one("#percent", Input).value == str(task.progress)
        await pilot.press("ctrl+s")  # no note yet
        await pilot.pause()
        assert app.screen is dialog
        await type_text(pilot, "Draft sent")
        fill(dialog.query_one("#percent", Input), "140")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # 140 % refused
        assert "0 to 100" in str(dialog.query_one("#percent-error", Label).render())
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "70")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("Draft sent", 70)]


async def test_progress_dialog_unchanged_percent_is_none(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        app.open(ProgressDialog(task, TODAY))
        await pilot.pause()
        await type_text(pilot, "Met")
        await pilot.click("#confirm")
        await pilot.pause()
    assert app.results == [("Met", None)]


async def test_status_dialog_blocked_requires_a_reason(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    assert task.status == "in progress"
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = StatusDialog(task)
        app.open(dialog)
        await pilot.pause()
        assert "done" not in [b.id for b in dialog.query("RadioButton")]
        assert not dialog.query_one("#reason", Input).display
        await pilot.click("#status-blocked")
        await pilot.pause()
        assert dialog.query_one("#reason", Input).display
        assert_on_screen(dialog, "#confirm", "#cancel", "#reason")
        dialog.query_one("#reason", Input).value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and app.results == []
        assert "blocked" in str(dialog.query_one("#reason-error", Label).render())
        await type_text(pilot, "no MOJ")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("blocked", "no MOJ")]


async def test_status_dialog_offers_cancel_and_returns_it(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = StatusDialog(task)
        app.open(dialog)
        await pilot.pause()
        assert "confirmation" in str(dialog.query_one("#status-cancelled").label)
        await pilot.click("#status-cancelled")
        await pilot.click("#confirm")
        await pilot.pause()
    assert app.results == [("cancelled", "")]


@pytest.mark.parametrize("keys, expected", [(["y"], True), (["n"], False), (["escape"], False), (["enter"], False)])
async def test_confirm_dialog(sample_store: Store, keys: list[str], expected: bool) -> None:
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = ConfirmDialog("Cancel the task?", "cyber-2026/2 will be cancelled.", "Cancel task")
        app.open(dialog)
        await pilot.pause()
        assert_on_screen(dialog, "#confirm", "#cancel", "#message")
        await pilot.press(*keys)  # enter presses the focused "No"
        await pilot.pause()
    assert app.results == [expected]


async def test_user_text_is_not_read_as_markup(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        odd = Task(**{**task.__dict__, "title": "[bold]Law[/bold] [link=x]y"})
        dialog = ConfirmDialog("[b]Sure?", odd.title)
        app.open(dialog)
        await pilot.pause()
        assert str(dialog.query_one("#message", Label).render()) == "[bold]Law[/bold] [link=x]y"


async def test_setting_done_in_the_editor_asks_for_evidence(sample_store: Store) -> None:
    task = sample_store.get_task(REF)
    app = Host(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        editor = TaskEditor(task, plan=task.plan)
        app.open(editor)
        await pilot.pause()
        editor.query_one(f"#{widget_id('status')}", Select).value = "done"
        await pilot.pause()
        assert "evidence" in error_of(editor, "evidence")
        assert editor.query_one("#save", Button).disabled
        await replace_text(pilot, editor, "evidence", "Law passed on 20 Nov")
        await pilot.press("ctrl+s")
        await pilot.pause()
    done = sample_store.get_task(REF)
    assert done.status == "done" and done.completed_on == TODAY and done.evidence == "Law passed on 20 Nov"


async def test_list_suggester_completes_the_last_item() -> None:
    suggester = ListSuggester(["MIC", "MOJ", "MPS"])
    assert await suggester.get_suggestion("mo") == "MOJ"
    assert await suggester.get_suggestion("MOJ, m") == "MOJ, MIC"
    assert await suggester.get_suggestion("MIC, MOJ, mp") == "MIC, MOJ, MPS"
    assert await suggester.get_suggestion("MOJ, mo") is None  # already listed
    assert await suggester.get_suggestion("MOJ, ") is None


@pytest.mark.parametrize(
    "screen_class", [TaskEditor, ConfirmDialog, EvidenceDialog, ProgressDialog, StatusDialog, ConflictDialog]
)
def test_every_binding_is_described_for_the_footer(screen_class: type) -> None:
    for binding in screen_class.BINDINGS:
        assert binding.description and binding.show, binding


async def test_editor_in_the_real_app_refreshes_the_screens(sample_store: Store) -> None:
    from actionplan.tui.app import ActionPlanApp

    task = sample_store.get_task(REF)
    app = ActionPlanApp(sample_store, today=TODAY)
    results: list[Any] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.data_version
        editor = TaskEditor(task, plan=task.plan)
        app.push_screen(editor, results.append)
        await pilot.pause()
        assert hint_of(editor, "deadline").endswith("125 days left")  # judged by the app's today
        await replace_text(pilot, editor, "progress", "60")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.data_version == before + 1
    assert sample_store.get_task(REF).progress == 60
    assert results == [sample_store.get_task(REF)]
