"""Snapshot tests: what a secretary sees, at 80x24 and 120x40, on a fixed day.

Regenerate after a deliberate change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs (``snapshot_report.html`` shows the differences).
"""

from __future__ import annotations

from datetime import date

import pytest

from actionplan.tui.app import ActionPlanApp

TODAY = date(2026, 11, 26)
SIZES = [(80, 24), (120, 40)]
#: The task table and tree also at a wide terminal, where the columns must use the room.
TABLE_SIZES = [*SIZES, (160, 45)]


def make_app(store) -> ActionPlanApp:
    return ActionPlanApp(store, today=TODAY)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard(snap_compare, sample_store, size) -> None:
    assert snap_compare(make_app(sample_store), terminal_size=size)


@pytest.mark.parametrize("size", TABLE_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_plan_view(snap_compare, sample_store, size) -> None:
    assert snap_compare(make_app(sample_store), press=["2", "down", "down"], terminal_size=size)


@pytest.mark.parametrize("size", TABLE_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_plan_view_filtered_tree(snap_compare, sample_store, size) -> None:
    assert snap_compare(make_app(sample_store), press=["2", "slash", *"lead:MPS", "escape", "v"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_accountability_board(snap_compare, sample_store, size) -> None:
    assert snap_compare(make_app(sample_store), press=["3"], terminal_size=size)


@pytest.mark.parametrize("size", [*SIZES, (60, 20), (160, 45)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_timeline(snap_compare, sample_store, size) -> None:
    assert snap_compare(make_app(sample_store), press=["4"], terminal_size=size)


async def settle(pilot) -> None:
    """Stop cursors blinking (a blink would make the picture depend on timing) and let layout settle."""
    from textual.widgets import Input, TextArea

    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    for widget in pilot.app.screen.query(TextArea):
        widget.cursor_blink = False
    for _ in range(3):
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_task_editor(snap_compare, sample_store, size) -> None:
    async def open_editor(pilot) -> None:
        await pilot.press("2", "e")
        await settle(pilot)

    assert snap_compare(make_app(sample_store), run_before=open_editor, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_new_task_editor(snap_compare, sample_store, size) -> None:
    async def type_deadline(pilot) -> None:
        await pilot.press("2", "n")
        await pilot.pause()
        editor = pilot.app.screen
        editor.query_one("#f-title").value = "Draft decree on administrative sanctions"
        editor.query_one("#f-deadline").value = "end of April 2026"
        await settle(pilot)  # the live checks (resolved date, Save state) and the relayout they cause

    assert snap_compare(make_app(sample_store), run_before=type_deadline, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, sample_store, size) -> None:
    assert snap_compare(make_app(sample_store), press=["question_mark"], terminal_size=size)
