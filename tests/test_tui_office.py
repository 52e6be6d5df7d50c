"""The UI in an office that works together, driven with Pilot as secretaries would.

Exact agency input at any typing speed, screens that follow edits made by another
connection, undo with redo, keys people expect, dialogs, and search that means what
the CLI means.
"""

from __future__ import annotations

from datetime import date

from textual import events
from textual.widgets import Button, DataTable, Input, Label, RadioSet, Tree
from textual.widgets._footer import FooterKey

from actionplan.core.model import Task, TaskStatus
from actionplan.core.query import TaskFilter, parse_query, query_text
from actionplan.store import Store
from actionplan.tui.app import ActionPlanApp
from actionplan.tui.screens.dialogs import ConfirmDialog, ConflictDialog, EvidenceDialog, StatusDialog
from actionplan.tui.screens.editor import TaskEditor, widget_id
from actionplan.tui.screens.plan_chooser import PlanChooser
from actionplan.tui.widgets.task_detail import status_text

TODAY = date(2026, 11, 26)
REF = "cyber-2026/2.3"


def table_refs(app: ActionPlanApp) -> list[str]:
    return [str(row.key.value) for row in app.screen.query_one("#table", DataTable).ordered_rows]


def field(screen, name: str) -> Input:
    return screen.query_one(f"#{widget_id(name)}", Input)


def hint(screen, name: str) -> str:
    label = screen.query_one(f"#hint-{widget_id(name)[2:]}", Label)
    return "" if label.has_class("-empty") else str(label.render())


async def open_task(app: ActionPlanApp, pilot, ref: str) -> None:
    app.show_tasks(task_ref=ref)
    await pilot.pause()
    assert app.screen.current is not None and app.screen.current.ref == ref


def burst(app: ActionPlanApp, keys: list[str]) -> None:
    """Keys as a terminal delivers a paste or a fast typist: all queued before the first is handled.

    (pilot.press waits for each key to be handled; the driver does not.)
    """
    names = {"/": "slash", " ": "space", "\t": "tab", ":": "colon"}
    for key in keys:
        char = key if len(key) == 1 else None
        app.post_message(events.Key(names.get(key, key), "\t" if key == "tab" else char))


async def new_subtask_form(app: ActionPlanApp, pilot) -> TaskEditor:
    await open_task(app, pilot, "cyber-2026/2")
    await pilot.press("s")
    await pilot.pause()
    editor = app.screen
    assert isinstance(editor, TaskEditor)
    field(editor, "title").value = "Collect comments on the draft decree"
    return editor


# --- 1. the lead agency is exactly what was typed ------------------------------------------


async def test_a_burst_of_keys_selects_exactly_that_agency(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await new_subtask_form(app, pilot)
        field(editor, "accountable").value = ""
        await pilot.press("tab", *"MPS")  # one burst, no pause between the keys
        await pilot.pause()
        assert field(editor, "lead").value == "MPS"
        assert editor._check().values["lead"] == {"lead": "MPS"}
        assert hint(editor, "lead").startswith("→ MPS · Ministry of Public Security")
        assert field(editor, "accountable").value == "Minister of Public Security"
        assert "filled in" in hint(editor, "accountable") and "empty" in hint(editor, "accountable")
        await pilot.press("ctrl+s")
        await pilot.pause()
    added = [t for t in sample_store.list_tasks(TaskFilter(plans=["cyber-2026"])) if t.parent == "2"]
    assert {t.lead for t in added if t.title == "Collect comments on the draft decree"} == {"MPS"}


async def test_a_true_burst_from_title_through_tab_lands_in_the_lead_field(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await new_subtask_form(app, pilot)
        field(editor, "title").value = ""
        burst(app, [*"Hold a drill", "tab", *"MPS"])
        await pilot.pause()
        await pilot.pause()
        assert field(editor, "title").value == "Hold a drill"
        assert field(editor, "lead").value == "MPS"


async def test_a_true_burst_after_slash_goes_into_the_filter(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        burst(app, [*"/overdue"])  # "e" and "v" must not reach the table (edit, tree view)
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#filter", Input).value == "overdue"
        assert screen.view == "table" and screen.filter.overdue


async def test_a_true_burst_after_the_key_that_opens_a_form_lands_in_its_first_field(sample_store: Store) -> None:
    """n, s, e, x: the text typed in the same burst goes into the form's first field, none onto the table."""
    for opener, first, before in (("n", "title", ""), ("s", "title", ""), ("e", "title", None), ("x", "evidence", "")):
        app = ActionPlanApp(sample_store, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_task(app, pilot, "cyber-2026/2")
            table = app.screen.query_one("#table", DataTable)
            row, title = table.cursor_row, sample_store.get_task("cyber-2026/2").title
            burst(app, [opener, *"jj kv"])  # j, k, v and the space are table keys if they reach it
            await pilot.pause()
            await pilot.pause()
            form = app.screen
            if opener == "x":
                assert isinstance(form, EvidenceDialog)
                value = form.query_one("#evidence", Input).value
            else:
                assert isinstance(form, TaskEditor)
                value = field(form, first).value
            assert value == (title if before is None else before) + "jj kv", opener
            assert table.cursor_row == row and app.screen_stack[-2].view == "table"


async def test_a_paste_selects_that_agency_and_unknown_text_selects_none(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await new_subtask_form(app, pilot)
        lead = field(editor, "lead")
        lead.focus()
        lead.value = ""
        lead.post_message(events.Paste("MOJ"))
        await pilot.pause()
        assert lead.value == "MOJ" and editor._check().values["lead"] == {"lead": "MOJ"}
        lead.value = ""
        await pilot.press(*"MXX")
        await pilot.pause()
        check = editor._check()
        assert "lead" in check.errors and "lead" not in check.values
        assert editor.query_one("#save", Button).disabled


async def test_a_typed_accountable_person_is_never_replaced(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await new_subtask_form(app, pilot)
        field(editor, "accountable").value = "Deputy Director Nguyen"
        field(editor, "lead").focus()
        await pilot.press(*"MIC")
        await pilot.pause()
        assert field(editor, "accountable").value == "Deputy Director Nguyen"
        assert "filled in" not in hint(editor, "accountable")


# --- 2. live data --------------------------------------------------------------------------


async def test_an_edit_by_another_connection_shows_without_moving_the_cursor(db_path, sample_store, clock) -> None:
    other = Store(db_path, actor="second secretary", clock=clock)
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_task(app, pilot, REF)
        table = app.screen.query_one("#table", DataTable)
        row = table.cursor_row
        task = other.get_task(REF)
        other.update_task(REF, {"title": "Draft the decree (revised by the second secretary)"}, task.version)
        app.poll_database()  # what the app's timer does every POLL_SECONDS
        await pilot.pause()
        assert table.cursor_row == row and app.screen.current.ref == REF
        assert "revised by the second secretary" in str(table.get_row(REF)[1])
        # a dialog opens on the current version
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, TaskEditor)
        assert app.screen.original.version == other.get_task(REF).version
    other.close()


def test_data_version_changes_only_for_other_connections(db_path, sample_store, clock) -> None:
    seen = sample_store.data_version()
    task = sample_store.get_task(REF)
    sample_store.update_task(REF, {"progress": 45}, task.version)
    assert sample_store.data_version() == seen  # the app refreshes its own writes itself
    other = Store(db_path, actor="second secretary", clock=clock)
    other.update_task(REF, {"progress": 50}, other.get_task(REF).version)
    assert sample_store.data_version() != seen
    other.close()


async def test_a_refused_progress_note_is_kept_and_can_be_applied_again(db_path, sample_store, clock) -> None:
    other = Store(db_path, actor="second secretary", clock=clock)
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, REF)
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#note", Input).value = "Draft sent to MOJ for appraisal"
        app.screen.query_one("#percent", Input).value = "86"
        other.update_task(REF, {"progress": 50}, other.get_task(REF).version)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#note", Input).value == "Draft sent to MOJ for appraisal"
        assert dialog.query_one("#percent", Input).value == "86"
        assert dialog.plan_task.progress == 50  # their version: "now 50 %"
        assert "second secretary" in str(dialog.query_one("#notice", Label).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert sample_store.get_task(REF).progress == 86
    assert sample_store.list_updates(REF)[-1].text == "Draft sent to MOJ for appraisal"
    other.close()


async def test_the_conflict_dialog_says_who_saved_first(db_path, sample_store, clock) -> None:
    other = Store(db_path, actor="second secretary", clock=clock)
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(app, pilot, REF)
        await pilot.press("e")
        await pilot.pause()
        field(app.screen, "title").value = "Draft the decree, my wording"
        other.update_task(REF, {"title": "Draft the decree, their wording"}, other.get_task(REF).version)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        hint = next(
            str(label.render()) for label in app.screen.query(Label) if "second secretary" in str(label.render())
        )
        assert hint.count(other.get_task(REF).updated_at.replace("T", " ")[:16]) == 1  # when, said once
    other.close()


# --- 3. undo with redo ---------------------------------------------------------------------


async def test_undo_asks_before_removing_a_task(sample_store: Store) -> None:
    sample_store.add_task(Task(plan="cyber-2026", key="9", title="Publish the annual cyber report", lead="MIC"))
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "u")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "cyber-2026/9" in dialog.message and "removes the task" in dialog.message
        assert "ctrl+y" in dialog.message and "brings it back" in dialog.message  # and it does: see below
        await pilot.press("n")
        await pilot.pause()
        assert "9" in sample_store.task_keys("cyber-2026")
        await pilot.press("u", "y")
        await pilot.pause()
        assert "9" not in sample_store.task_keys("cyber-2026")


async def test_ctrl_y_redoes_what_u_undid(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, REF)
        task = sample_store.get_task(REF)
        app.write(lambda: sample_store.update_task(REF, {"title": "Draft the decree, second reading"}, task.version))
        await pilot.press("u")  # an edit, not a new task: no question asked
        await pilot.pause()
        assert sample_store.get_task(REF).title == task.title
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert sample_store.get_task(REF).title == "Draft the decree, second reading"
        assert "second reading" in str(app.screen.query_one("#table", DataTable).get_row(REF)[1])


async def test_ctrl_y_brings_back_the_task_u_removed(sample_store: Store) -> None:
    sample_store.add_task(Task(plan="cyber-2026", key="9", title="Publish the annual cyber report", lead="MIC"))
    sample_store.add_note("cyber-2026/9", "Outline agreed with the office", 10)
    sample_store.undo()  # the note first: then the undo that removes the whole task is the UI's
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "u", "y")
        await pilot.pause()
        assert "9" not in sample_store.task_keys("cyber-2026")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert sample_store.get_task("cyber-2026/9").title == "Publish the annual cyber report"
        table = app.screen.query_one("#table", DataTable)
        assert "cyber report" in str(table.get_row("cyber-2026/9")[1])


async def test_redo_asks_before_removing_a_task_again(sample_store: Store) -> None:
    from actionplan.services import tasks

    sample_store.add_task(Task(plan="cyber-2026", key="9", title="Publish the annual cyber report", lead="MIC"))
    tasks.delete_task(sample_store, "cyber-2026/9")
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "u")  # undoing the removal brings the task back: nothing to ask
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert "9" in sample_store.task_keys("cyber-2026")
        await pilot.press("ctrl+y")  # redoing the removal takes it away again: asked first
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "cyber-2026/9" in dialog.message and "Undo (u) brings it back" in dialog.message
        await pilot.press("n")
        await pilot.pause()
        assert "9" in sample_store.task_keys("cyber-2026")
        await pilot.press("ctrl+y", "y")
        await pilot.pause()
        assert "9" not in sample_store.task_keys("cyber-2026")


# --- 4. tables that use the terminal -------------------------------------------------------


async def test_columns_grow_with_the_width_and_keys_and_due_are_never_cut(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        table = app.screen.query_one("#table", DataTable)
        widths = {str(c.key.value): c.width for c in table.columns.values()}
        assert "accountable" in widths and widths["title"] >= 30  # one plan at 160 columns: room for it
        app.screen.show_plan("")  # every plan: the keys are PLAN/KEY
        await pilot.pause()
        widths = {str(c.key.value): c.width for c in table.columns.values()}
        for task in app.screen.loaded:
            assert len(task.ref) <= widths["key"] and len(task.lead) <= widths["lead"]
            assert len(app.screen._due_text(task, TODAY)) <= widths["due"]
        assert widths["title"] >= 30
    async with ActionPlanApp(sample_store, today=TODAY).run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        table = pilot.app.screen.query_one("#table", DataTable)
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80 - 2


async def test_tree_shows_deadline_and_status_whole(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "v")
        await pilot.pause()
        tree = app.screen.query_one("#tree", Tree)
        for line in range(tree.last_line + 1):
            node = tree.get_node_at_line(line)
            if node is None or not node.data:
                continue
            task = sample_store.get_task(node.data)
            label = node.label.plain
            if task.deadline:
                assert task.deadline.isoformat() in label
            guides = 4 * (task.key.count(".") + 1) + 2
            assert guides + len(label) <= 80 - 2, label
            assert label.endswith(str(status_text(task, TODAY).plain)), label


# --- 5. keys -------------------------------------------------------------------------------


async def test_q_quits_from_a_main_screen(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "q")
        await pilot.pause()
        assert app._exit


async def test_escape_goes_back_from_agencies_and_timeline(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "3", "escape")
        await pilot.pause()
        assert app.current_mode == "tasks"
        await pilot.press("4", "escape")
        await pilot.pause()
        assert app.current_mode == "tasks"


async def test_home_and_end_in_the_task_table(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "end")
        await pilot.pause()
        table = app.screen.query_one("#table", DataTable)
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0


async def test_p_offers_all_plans_at_once(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "p")
        await pilot.pause()
        assert isinstance(app.screen, PlanChooser)
        await pilot.press("home", "enter")  # "All plans" is first in the list
        await pilot.pause()
        assert app.screen.plan == ""
        plans = {p.key for p in sample_store.list_plans()}
        assert {ref.split("/")[0] for ref in table_refs(app)} == plans
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"All plans", "enter")
        await pilot.pause()
        assert app.screen.plan == ""


async def test_the_footer_shows_only_whole_keys_at_80_columns(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        for screen_key in ("1", "2", "3", "4"):
            await pilot.press(screen_key)
            await pilot.pause()
            await pilot.pause()
            keys = [k for k in app.screen.query(FooterKey) if k.display]
            palette = [k for k in keys if k.has_class("-command-palette")]
            others = [k for k in keys if not k.has_class("-command-palette")]
            assert palette and others
            right = palette[0].region.x
            for key in others:
                assert key.region.right <= right, (screen_key, key.description)
                assert key.region.width >= len(key.key_display) + len(key.description)


async def test_ctrl_c_shows_no_raw_markup(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages and not any("[b]" in m or "[/b]" in m for m in messages)
        assert any("ctrl+q" in m for m in messages)


# --- 6. dialogs ----------------------------------------------------------------------------


async def test_status_dialog_starts_on_the_current_status_and_blocked_takes_the_reason(sample_store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, REF)
        assert sample_store.get_task(REF).status == TaskStatus.IN_PROGRESS
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StatusDialog)
        radios = dialog.query_one("#status", RadioSet)
        assert radios._selected == radios.pressed_index == StatusDialog.STATUSES.index(TaskStatus.IN_PROGRESS)
        await pilot.press("down", "enter", *"waiting for MOJ", "ctrl+s")  # one burst
        await pilot.pause()
    task = sample_store.get_task(REF)
    assert task.status == TaskStatus.BLOCKED and task.blocked_reason == "waiting for MOJ"


async def test_after_s_in_the_tree_the_highlight_is_on_the_new_subtask(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(app, pilot, "cyber-2026/2")
        await pilot.press("v", "s")
        await pilot.pause()
        editor = app.screen
        field(editor, "title").value = "Hold a hearing on the draft"
        field(editor, "lead").value = "MPS"
        key = field(editor, "key").value
        await pilot.press("ctrl+s")
        await pilot.pause()
        tree = app.screen.query_one("#tree", Tree)
        assert tree.cursor_node is not None and tree.cursor_node.data == f"cyber-2026/{key}"
        assert app.screen.current.ref == f"cyber-2026/{key}"


async def test_every_dialog_puts_the_action_first_and_cancel_last(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_task(app, pilot, REF)
        for key in ("x", "r", "c", "e", "delete"):
            await pilot.press(key)
            await pilot.pause()
            buttons = [b for b in app.screen.query(Button) if b.display]
            assert len(buttons) >= 2, key
            assert buttons[-1].id in ("cancel", "back"), (key, [b.id for b in buttons])
            assert buttons[0].id in ("confirm", "save", "ok", "reload"), (key, [b.id for b in buttons])
            app.screen.dismiss(None)
            await pilot.pause()


# --- 7. search -----------------------------------------------------------------------------


async def test_unquoted_words_in_the_ui_find_what_the_cli_finds(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        app.screen.show_plan("")
        await pilot.press("slash", *"bo cong an")
        await pilot.pause()
        cli = sample_store.list_tasks(parse_query(query_text(["bo", "cong", "an"])), today=TODAY)
        assert cli and sorted(table_refs(app)) == sorted(t.ref for t in cli)
        loose = sample_store.list_tasks(TaskFilter(words=["bo", "cong", "an"]), today=TODAY)
        assert len(loose) >= len(cli)


# --- 8. small things -----------------------------------------------------------------------


async def test_one_task_is_one_task(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "slash", *"consistency with the Hanoi")
        await pilot.pause()
        assert len(table_refs(app)) == 1
        status = str(app.screen.query_one("#filter-status").render())
        assert "1 task ·" in status and "1 tasks" not in status


async def test_the_last_period_of_a_recurring_duty_finishes_it(sample_store: Store) -> None:
    sample_store.add_task(
        Task(
            plan="cyber-2026",
            key="9",
            title="Monthly report to the Committee",
            lead="OFFICE",
            deadline=date(2026, 12, 31),
            start=date(2026, 1, 31),
            recurrence="FREQ=MONTHLY;UNTIL=20261231",
        )
    )
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_task(app, pilot, "cyber-2026/9")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, EvidenceDialog)
        text = " ".join(str(label.render()) for label in app.screen.query(".hint"))
        assert "finishes the task" in text and "moves to the next one" not in text


async def test_the_timeline_month_strip_fits_60_columns_with_its_counts(sample_store: Store) -> None:
    from actionplan.tui.widgets.timeline_widgets import MonthStrip

    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        strip = app.screen.query_one(MonthStrip)
        years, names, counts = strip.render().plain.split("\n")
        width = strip.content_region.width
        assert len(names) <= width and len(counts) <= width  # one line each: nothing wraps
        assert "Nov" in names and any(c.isdigit() for c in counts)
        assert "▼today" in years


async def test_the_headline_fits_80_columns_with_large_numbers(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dashboard = app.screen
        dashboard._totals = (100, 10_000, 1_042, 119)
        dashboard._show_headline()
        await pilot.pause()
        line = str(dashboard.query_one("#headline").render())
        assert len(line) <= 78 and "119 due" in line and "1042 overdue" in line


async def test_the_digest_preview_says_it_is_coming_before_it_is_drawn(sample_store: Store) -> None:
    from actionplan.tui.screens.digest_preview import DigestPreview

    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(160, 45)) as pilot:
        preview = DigestPreview()
        await app.push_screen(preview)
        assert preview.query_one("#digest-scroll").loading  # the first frame: a loading indicator
        for _ in range(5):
            await pilot.pause()
        assert not preview.query_one("#digest-scroll").loading
        assert preview.text
