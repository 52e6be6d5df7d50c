"""The dashboard and the task screen, driven as a secretary would (Pilot)."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, OptionList

from actionplan.core import model
from actionplan.core.query import TaskFilter
from actionplan.store import Store
from actionplan.tui.app import ActionPlanApp
from actionplan.tui.screens.tasks import TasksScreen
from actionplan.tui.widgets.task_detail import TaskDetail

TODAY = date(2026, 11, 26)


def table_refs(app: ActionPlanApp) -> list[str]:
    table = app.screen.query_one("#table", DataTable)
    return [str(row.key.value) for row in table.ordered_rows]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_dashboard_shows_every_plan_and_overdue_first(sample_store: Store, size) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        plans = app.screen.query_one("#plans", OptionList)
        assert plans.option_count == len(sample_store.list_plans())
        table = app.screen.query_one("#upcoming", DataTable)
        refs = [str(r.key.value) for r in table.ordered_rows]
        overdue = {t.ref for t in sample_store.list_tasks(TaskFilter(overdue=True), today=TODAY)}
        assert overdue, "the sample plans have overdue tasks"
        assert set(refs[: len(overdue)]) == overdue
        # the first task after the overdue ones is the next deadline from today on
        nxt = refs[len(overdue)]
        assert sample_store.get_task(nxt).deadline >= TODAY


async def test_selecting_a_plan_opens_its_tasks(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)
        second_plan = sample_store.list_plans()[1].key
        assert app.screen.plan == second_plan
        assert all(ref.startswith(second_plan + "/") for ref in table_refs(app))
        assert len(table_refs(app)) == sample_store.count_tasks(TaskFilter(plans=[second_plan]), today=TODAY)


async def test_filter_is_live_and_uses_the_store(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("slash")
        await pilot.press(*"lead:MPS overdue")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#filter", Input).value == "lead:MPS overdue"
        expected = sample_store.list_tasks(TaskFilter(plans=[screen.plan], leads=["MPS"], overdue=True), today=TODAY)
        assert sorted(table_refs(app)) == sorted(t.ref for t in expected)
        status = str(screen.query_one("#filter-status").render())
        assert "lead MPS" in status and "overdue" in status
        # accents are optional in words
        screen.query_one("#filter", Input).value = ""
        await pilot.press(*"bo cong an")
        await pilot.pause()
        refs = table_refs(app)
        assert refs
        assert set(refs) == {
            t.ref for t in sample_store.list_tasks(TaskFilter(plans=[screen.plan], words=["bo cong an"]), today=TODAY)
        }  # words side by side are one phrase, as `actionplan list "bo cong an"` reads them


async def test_bad_filter_term_is_shown_and_a_good_one_applies(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("slash", *"colour:red")
        await pilot.pause()
        status = str(app.screen.query_one("#filter-status").render())
        assert "colour" in status and "unknown filter" in status
        app.screen.query_one("#filter", Input).value = ""
        await pilot.press(*"tag:legal")
        await pilot.pause()
        expected = sample_store.list_tasks(TaskFilter(plans=[app.screen.plan], tags=["legal"]), today=TODAY)
        assert expected and sorted(table_refs(app)) == sorted(t.ref for t in expected)


async def test_detail_pane_shows_deadline_lead_and_notes(sample_store: Store) -> None:
    ref = "cyber-2026/2"
    sample_store.add_note(ref, "Draft sent to the Ministry of Justice", 60)
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        app.show_tasks(task_ref=ref)
        await pilot.pause()
        detail = app.screen.query_one("#detail", TaskDetail)
        assert detail.task_ref == ref
        text = detail.plain_text()
        task = sample_store.get_task(ref)
        assert task.deadline.isoformat() in text
        assert f"{(task.deadline - TODAY).days} days left" in text
        assert "Ministry of Public Security" in text
        assert "Draft sent to the Ministry of Justice" in text


async def test_undo_reverts_the_last_change(sample_store: Store) -> None:
    ref = "cyber-2026/2"
    before = sample_store.get_task(ref)
    sample_store.update_task(ref, {"progress": 90}, before.version)
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert sample_store.get_task(ref).progress == before.progress
        assert sample_store.history(ref)[-1].action == "undo"


async def test_sort_and_plan_keys(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        screen = app.screen
        assert screen.sort == "deadline"
        refs = table_refs(app)
        open_deadlines = [sample_store.get_task(r).deadline for r in refs if sample_store.get_task(r).is_open]
        assert open_deadlines == sorted(open_deadlines)
        await pilot.press("o")
        await pilot.pause()
        assert screen.sort == "key"
        await pilot.press("p", "enter")  # p opens the list of plans; enter takes the highlighted one
        await pilot.pause()
        plans = [p.key for p in sample_store.list_plans()]
        assert screen.plan in [""] + plans
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#tree").display and not screen.query_one("#table").display


async def test_two_instances_conflict_and_nothing_is_lost(db_path, sample_store: Store, clock) -> None:
    """Instance A shows a task; instance B saves it first; A's save is refused, not overwritten."""
    ref = "cyber-2026/2.3"
    other = Store(db_path, actor="other secretary", clock=clock)
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        app.show_tasks(task_ref=ref)
        await pilot.pause()
        shown = app.screen.current
        assert shown is not None and shown.ref == ref
        other.update_task(ref, {"progress": 77}, shown.version)
        # A records a status change based on the version it shows
        result = app.write(
            lambda: sample_store.update_task(
                ref, {"status": model.TaskStatus.BLOCKED, "blocked_reason": "x"}, shown.version
            )
        )
        await pilot.pause()
        assert result is None
        task = sample_store.get_task(ref)
        assert task.progress == 77 and task.status != model.TaskStatus.BLOCKED
        # the screen reloaded: it now shows the other secretary's version
        assert app.screen.current.version == task.version
    other.close()


# --- quick actions through the real app, as a secretary presses them ------------------------


async def open_task(app: ActionPlanApp, pilot, ref: str) -> None:
    app.show_tasks(task_ref=ref)
    await pilot.pause()
    assert app.screen.current is not None and app.screen.current.ref == ref


async def test_mark_done_asks_for_evidence_and_closes_the_task(sample_store: Store) -> None:
    ref = "cyber-2026/2.3"
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, ref)
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#evidence", Input).value = "Draft decree submitted, ref 12/TTr-BCA"
        await pilot.press("ctrl+s")
        await pilot.pause()
    task = sample_store.get_task(ref)
    assert task.status == model.TaskStatus.DONE and task.completed_on == TODAY
    assert task.evidence == "Draft decree submitted, ref 12/TTr-BCA"
    assert sample_store.history(ref)[-1].action == "done"


async def test_record_progress_adds_a_dated_note(sample_store: Store) -> None:
    ref = "cyber-2026/2.3"
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, ref)
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#note", Input).value = "Sent to the Ministry of Justice for appraisal"
        app.screen.query_one("#percent", Input).value = "65"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Sent to the Ministry of Justice" in app.screen.query_one("#detail", TaskDetail).plain_text()
    notes = sample_store.list_updates(ref)
    assert notes[-1].text == "Sent to the Ministry of Justice for appraisal" and notes[-1].on == TODAY
    assert sample_store.get_task(ref).progress == 65


async def test_change_status_to_blocked_records_the_reason(sample_store: Store) -> None:
    ref = "cyber-2026/2.3"
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, ref)
        await pilot.press("c")
        await pilot.pause()
        await pilot.click("#status-blocked")
        app.screen.query_one("#reason", Input).value = "waiting for the MOJ opinion"
        await pilot.press("ctrl+s")
        await pilot.pause()
    task = sample_store.get_task(ref)
    assert task.status == model.TaskStatus.BLOCKED and task.blocked_reason == "waiting for the MOJ opinion"


async def test_cancel_asks_for_confirmation(sample_store: Store) -> None:
    ref = "cyber-2026/2.3"
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, ref)
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("n")  # changed my mind
        await pilot.pause()
        assert sample_store.get_task(ref).status != model.TaskStatus.CANCELLED
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert sample_store.get_task(ref).status == model.TaskStatus.CANCELLED


async def test_two_app_instances_on_one_database(db_path, sample_store: Store, clock) -> None:
    """Two secretaries have the same task open; the second save is refused, nothing is lost.

    The second app runs inside the first one's session (Textual keeps one active app
    per task, so the two take turns, as two people at two terminals would).
    """
    from actionplan.tui.screens.dialogs import EvidenceDialog

    ref = "cyber-2026/2.3"
    other_store = Store(db_path, actor="second secretary", clock=clock)
    first = ActionPlanApp(sample_store, today=TODAY)
    async with first.run_test(size=(80, 24)) as p1:
        await open_task(first, p1, ref)
        # the first secretary starts marking the task done...
        await p1.press("x")
        await p1.pause()
        first.screen.query_one("#evidence", Input).value = "Submitted"
        second = ActionPlanApp(other_store, today=TODAY)
        async with second.run_test(size=(80, 24)) as p2:
            await open_task(second, p2, ref)
            await p2.press("r")
            await p2.pause()
            second.screen.query_one("#note", Input).value = "Comments received from MIC"
            second.screen.query_one("#percent", Input).value = "70"
            await p2.press("ctrl+s")
            await p2.pause()
        assert sample_store.get_task(ref).progress == 70
        # ...and saves after the second one did: refused, and what was typed is still there
        await p1.press("ctrl+s")
        await p1.pause()
        task = sample_store.get_task(ref)
        assert task.status != model.TaskStatus.DONE, "a stale save must be refused"
        assert task.progress == 70 and sample_store.list_updates(ref)[-1].text == "Comments received from MIC"
        dialog = first.screen
        assert isinstance(dialog, EvidenceDialog) and dialog.plan_task.version == task.version
        assert dialog.query_one("#evidence", Input).value == "Submitted"
        assert "second secretary" in str(dialog.query_one("#notice").render())
        await p1.press("ctrl+s")  # apply it again, on their version
        await p1.pause()
        assert sample_store.get_task(ref).status == model.TaskStatus.DONE
    other_store.close()
