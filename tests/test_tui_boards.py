"""The accountability board, the timeline and the help screen, driven with Pilot.

Figures are compared with what the store computes (store.accountability,
store.list_tasks), never with numbers written into the test.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date, timedelta

import pytest
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from actionplan.core import model
from actionplan.core.accountability import AgencyFigures
from actionplan.core.dates import ACCEPTED_FORMS
from actionplan.core.model import Task
from actionplan.core.query import TaskFilter
from actionplan.store import Store
from actionplan.tui.app import ActionPlanApp
from actionplan.tui.screens.accountability import AccountabilityScreen, AgencyTable
from actionplan.tui.screens.dashboard import DashboardScreen
from actionplan.tui.screens.help import HelpScreen
from actionplan.tui.screens.tasks import TasksScreen
from actionplan.tui.screens.timeline import TimelineScreen
from actionplan.tui.timeline_data import build_timeline, timeline_rows
from actionplan.tui.widgets.plan_picker import PlanPicker
from actionplan.tui.widgets.timeline_widgets import MonthStrip, TimelineList, outside_line

TODAY = date(2026, 11, 26)
SIZES = [(80, 24), (120, 40)]


def screen_text(app: ActionPlanApp) -> str:
    """What the terminal shows right now, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def expected_cells(score: AgencyFigures) -> list[str]:
    def pct(value: float | None) -> str:
        return "—" if value is None else f"{int(value + 0.5)}%"  # half up, like every figure

    def avg(days: list[int]) -> str:
        return "—" if not days else f"{int(10 * sum(days) / len(days) + 0.5) / 10:.1f}"

    return [
        str(score.assigned),
        str(score.delivered),
        pct(score.on_time_pct),
        str(score.open),
        str(score.overdue),
        avg(score.late_open),
        avg(score.late_done),
        str(score.cancelled),
    ]


def spy_navigation(app: ActionPlanApp) -> list[dict]:
    """Record every app.show_tasks call (and still let it run)."""
    calls: list[dict] = []
    original = app.show_tasks

    def show_tasks(query=None, plan=None, task_ref=None):
        calls.append({"query": query, "plan": plan, "task_ref": task_ref})
        original(query=query, plan=plan, task_ref=task_ref)

    app.show_tasks = show_tasks  # type: ignore[method-assign]
    return calls


def tasks_due(store: Store, first: date, months: int = 1, plans: list[str] | None = None) -> list[Task]:
    index = first.year * 12 + first.month - 1 + months
    end = date(index // 12, index % 12 + 1, 1)
    return store.list_tasks(
        TaskFilter(plans=plans or [], due_after=first - timedelta(days=1), due_before=end), today=TODAY
    )


# --- accountability board ------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_board_shows_each_lead_agency_with_the_store_figures(sample_store: Store, size) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("3")
        await pilot.pause()
        assert app.current_mode == "agencies"
        board = app.screen
        assert isinstance(board, AccountabilityScreen)
        scores = sample_store.accountability(TODAY)
        rows = board.visible_rows()
        # one row per lead org, the worst first, as the store ranks them
        assert [row[0].split()[0] for row in rows] == [s.org for s in scores]
        for row, score in zip(rows, scores):
            assert row[1:] == expected_cells(score), score.org
        # the agency with the most overdue tasks heads the board
        assert scores[0].overdue == max(s.overdue for s in scores) > 0
        shown = screen_text(app)
        for header in ("Agency", "Led", "Done", "On time", "Open", "Overdue", "Late open", "Late done", "Cancelled"):
            assert header in shown, f"column {header!r} cut off at {size}"
        # the worst agency's row is on screen whole: key and every figure
        first_line = next(line for line in shown.splitlines() if line.strip().startswith(scores[0].org + " "))
        assert first_line.split()[-8:] == expected_cells(scores[0])


@pytest.mark.parametrize("size", SIZES)
async def test_enter_on_the_first_row_opens_the_tasks_that_agency_leads(sample_store: Store, size) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("3")
        await pilot.pause()
        calls = spy_navigation(app)
        worst = sample_store.accountability(TODAY)[0].org
        await pilot.press("enter")
        await pilot.pause()
        assert calls == [{"query": f"lead:{worst}", "plan": "", "task_ref": None}]
        assert app.current_mode == "tasks"
        tasks = app.screen
        assert isinstance(tasks, TasksScreen)
        assert tasks.query_one("#filter", Input).value == f"lead:{worst}"
        assert tasks.filter.leads == [worst]


async def test_a_click_opens_an_agencys_tasks_and_c_the_tasks_it_coordinates(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        calls = spy_navigation(app)
        scores = sample_store.accountability(TODAY)
        # the table's header is line 0, so the third agency is on line 3
        await pilot.click(AgencyTable, offset=(2, 3))
        await pilot.pause()
        assert calls[-1]["query"] == f"lead:{scores[2].org}"
        assert app.current_mode == "tasks"

        await pilot.press("3")
        await pilot.pause()
        assert app.screen.current_org() == scores[2].org  # the board kept its cursor
        await pilot.press("up", "c")
        await pilot.pause()
        assert calls[-1]["query"] == f"coord:{scores[1].org}"
        assert app.current_mode == "tasks"
        assert app.screen.filter.coordinating == [scores[1].org]


async def test_p_narrows_the_board_to_one_plan(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        first_plan = sample_store.list_plans()[0].key
        await pilot.press("p", "down", "enter")  # p lists "All plans" and the plans
        await pilot.pause()
        board = app.screen
        assert board.query_one(PlanPicker).value == first_plan
        scores = sample_store.accountability(TODAY, plans=[first_plan])
        assert scores != sample_store.accountability(TODAY), "the plan filter must change something"
        assert [row[0].split()[0] for row in board.visible_rows()] == [s.org for s in scores]
        assert [row[1:] for row in board.visible_rows()] == [expected_cells(s) for s in scores]
        # drilling down keeps the plan
        calls = spy_navigation(app)
        await pilot.press("enter")
        await pilot.pause()
        assert calls[-1] == {"query": f"lead:{scores[0].org}", "plan": first_plan, "task_ref": None}


async def test_s_sorts_and_the_board_reloads_after_a_write(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        board = app.screen
        await pilot.press("s")  # by agency key
        await pilot.pause()
        orgs = [row[0].split()[0] for row in board.visible_rows()]
        assert orgs == sorted(orgs)
        # an overdue task of the worst agency is closed elsewhere in the app: the board follows
        worst = sample_store.accountability(TODAY)[0]
        late = sample_store.list_tasks(TaskFilter(leads=[worst.org], overdue=True), today=TODAY)[0]
        app.write(lambda: sample_store.mark_done(late.ref, "report filed", late.version, on=TODAY))
        await pilot.pause()
        after = {s.org: s for s in sample_store.accountability(TODAY)}
        assert after[worst.org].overdue == worst.overdue - 1
        shown = {row[0].split()[0]: row[1:] for row in board.visible_rows()}
        assert shown == {org: expected_cells(s) for org, s in after.items()}


# --- timeline ------------------------------------------------------------------------------


def rows_of_month(screen: TimelineScreen, label: str) -> list[str]:
    """The lines under a month header, up to the next header."""
    texts = screen.row_texts()
    kinds = [row.kind for row in screen.month_list.rows]
    start = next(i for i, t in enumerate(texts) if kinds[i] == "month" and t.strip().startswith(label))
    end = next((i for i in range(start + 1, len(texts)) if kinds[i] in ("month", "later")), len(texts))
    return texts[start:end]


@pytest.mark.parametrize("size", SIZES)
async def test_timeline_shows_april_2026_and_march_2027_and_marks_today(sample_store: Store, size) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("4")
        await pilot.pause()
        assert app.current_mode == "timeline"
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        for first in (date(2026, 4, 1), date(2027, 3, 1)):
            due = tasks_due(sample_store, first)
            assert due, f"the sample plans have deadlines in {first:%B %Y}"
            lines = rows_of_month(screen, first.strftime("%b %Y"))
            noun = "deadline" if len(due) == 1 else "deadlines"
            assert f"{len(due)} {noun}" in lines[0]
            done = sum(t.status == model.TaskStatus.DONE for t in due)
            if done:
                assert f"{done} done" in lines[0]
            for task in due:
                line = next(line for line in lines[1:] if f" {task.ref} " in line)
                assert f"{task.deadline.day} {first:%b}" in line and task.lead in line
                assert task.title[:12] in line
        # today's month is marked in its header and a marker sits among its tasks by date
        november = rows_of_month(screen, "Nov 2026")
        assert "▶ today 26 Nov" in november[0]
        marker = next(i for i, line in enumerate(november) if i and "▶ today 26 Nov" in line)
        nov_tasks = tasks_due(sample_store, date(2026, 11, 1))
        before = [t for t in nov_tasks if t.deadline < TODAY]
        assert marker == 1 + len(before)
        # at a glance: the strip on screen counts April 2026 and March 2027 deadlines
        strip = screen.query_one(MonthStrip)
        years, names, counts = strip.render().plain.splitlines()
        shown = screen_text(app)
        assert names.strip() in shown and counts.strip() in shown and "▼today" in shown
        months = names.split()
        assert months[:4] == ["Jan", "Feb", "Mar", "Apr"] and len(months) == 18
        assert counts.split()[3] == str(len(tasks_due(sample_store, date(2026, 4, 1))))
        assert counts.split()[14] == str(len(tasks_due(sample_store, date(2027, 3, 1))))
        assert "2026" in years and "2027" in years
        # the cursor starts on today's month
        assert screen.month_list.highlighted_row.month.start == date(2026, 11, 1)


async def test_overdue_deadlines_say_how_late_they_are(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        september = rows_of_month(app.screen, "Sep 2026")
        due = tasks_due(sample_store, date(2026, 9, 1))
        overdue = [t for t in due if model.is_overdue(t, TODAY)]
        assert overdue
        assert f"{len(overdue)} overdue" in september[0]
        for task in overdue:
            line = next(line for line in september if f" {task.ref} " in line)
            assert f"{model.days_late(task, TODAY)}d late" in line


async def test_a_task_done_after_its_committed_deadline_reads_done_late_though_the_deadline_moved(
    sample_store: Store,
) -> None:
    """The timeline judges a completion as the digest does: against the committed deadline."""
    from actionplan.digest.figures import lateness_of
    from actionplan.services import tasks as task_service

    task = next(t for t in tasks_due(sample_store, date(2026, 10, 1)) if t.is_open and t.deadline < TODAY)
    committed = task.deadline
    task_service.change_task(sample_store, task.ref, {"deadline": date(2026, 12, 20)}, reason="late opinion")
    task_service.mark_done(sample_store, task.ref, "decision signed", on=TODAY)  # before the new deadline
    assert lateness_of(sample_store, sample_store.get_task(task.ref), TODAY).days_late == (TODAY - committed).days
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        line = next(line for line in rows_of_month(app.screen, "Dec 2026") if f" {task.ref} " in line)
        assert "✓ done late" in line


async def test_enter_or_a_click_on_a_task_opens_it(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        calls = spy_navigation(app)
        nxt = sample_store.list_tasks(TaskFilter(due_after=TODAY - timedelta(days=1)), today=TODAY)[0]
        await pilot.press("down")  # from today's month header past the today marker to the next deadline
        await pilot.pause()
        assert app.screen.month_list.highlighted_row.task.ref == nxt.ref
        await pilot.press("enter")
        await pilot.pause()
        assert calls[-1] == {"query": None, "plan": None, "task_ref": nxt.ref}
        assert app.current_mode == "tasks"
        assert app.screen.current is not None and app.screen.current.ref == nxt.ref

        await pilot.press("4")
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        listing = app.screen.query_one(TimelineList)
        rows = listing.rows
        top, height = listing.scroll_offset.y, listing.size.height
        index = next(
            i for i, r in enumerate(rows) if r.kind == "task" and i != listing.highlighted and top <= i < top + height
        )
        await pilot.click(TimelineList, offset=(10, index - listing.scroll_offset.y))
        await pilot.pause()
        assert calls[-1]["task_ref"] == rows[index].task.ref
        assert app.current_mode == "tasks"


async def test_enter_on_a_month_lists_its_tasks(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        calls = spy_navigation(app)
        await pilot.press("enter")  # the cursor starts on today's month
        await pilot.pause()
        assert calls[-1]["query"] == "due>=2026-11-01 due<2026-12-01"
        assert app.current_mode == "tasks"


def test_a_crowded_month_lists_its_first_tasks_and_offers_the_rest(sample_store: Store) -> None:
    timeline = build_timeline(sample_store, TODAY, date(2026, 1, 1), limit=2)
    december = timeline.month_of(date(2026, 12, 1))
    due = tasks_due(sample_store, date(2026, 12, 1))
    assert len(due) > 2
    assert december.figures.deadlines == len(due) and len(december.tasks) == 2
    shown = {t.ref for t in december.tasks}
    # the earliest deadlines come first
    assert max(t.deadline for t in december.tasks) <= min(t.deadline for t in due if t.ref not in shown)
    rows = timeline_rows(timeline, limit=2)
    more = next(r for r in rows if r.kind == "more" and r.month is december)
    assert f"{len(due) - 2} more in Dec 2026" in outside_line(more, timeline).plain


async def test_brackets_shift_the_window_and_t_comes_back(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        screen = app.screen
        assert (screen.timeline.start, screen.timeline.end) == (date(2026, 1, 1), date(2027, 7, 1))
        before = sample_store.count_tasks(TaskFilter(due_before=date(2026, 1, 1)), today=TODAY)
        assert before and f"◀ {before} deadlines before Jan 2026" in screen.row_texts()[0]
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.timeline.start == date(2025, 10, 1)
        december = rows_of_month(screen, "Dec 2025")
        assert f"{len(tasks_due(sample_store, date(2025, 12, 1)))} deadlines" in december[0]
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert screen.timeline.start == date(2026, 4, 1)
        assert screen.timeline.months[-1].start == date(2027, 9, 1)
        await pilot.press("t")
        await pilot.pause()
        assert screen.timeline.start == date(2026, 4, 1)  # today is in the window: it stays
        assert screen.month_list.highlighted_row.month.start == date(2026, 11, 1)
        for _ in range(4):
            await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.timeline.month_of(TODAY) is None
        await pilot.press("t")
        await pilot.pause()
        assert screen.timeline.start == date(2026, 1, 1)


async def test_timeline_plan_picker_shows_one_plan(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        screen = app.screen
        plan = sample_store.list_plans()[0].key
        await pilot.press("p", "down", "enter")  # p lists "All plans" and the plans
        await pilot.pause()
        assert screen.plans == [plan]
        shown = [r.task for r in screen.month_list.rows if r.kind == "task"]
        assert sorted(t.ref for t in shown) == sorted(
            t.ref for t in tasks_due(sample_store, date(2026, 1, 1), 18, plans=[plan])
        )
        assert [t.deadline for t in shown] == sorted(t.deadline for t in shown)
        assert any(t.plan != plan for t in tasks_due(sample_store, date(2026, 1, 1), 18))


async def test_timeline_reloads_after_a_write(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        late = [t for t in tasks_due(sample_store, date(2026, 10, 1)) if model.is_overdue(t, TODAY)]
        assert "2 overdue" in rows_of_month(app.screen, "Oct 2026")[0] and len(late) == 2
        app.write(lambda: sample_store.mark_done(late[0].ref, "done", late[0].version, on=TODAY))
        await pilot.pause()
        header = rows_of_month(app.screen, "Oct 2026")[0]
        assert "1 overdue" in header and "1 done" in header


# --- help ----------------------------------------------------------------------------------


def declared_bindings() -> list[tuple[str, Binding]]:
    """(class name, binding) for every binding the app's classes declare themselves."""
    classes: list[type] = [
        ActionPlanApp,
        DashboardScreen,
        TasksScreen,
        AccountabilityScreen,
        AgencyTable,
        TimelineScreen,
        TimelineList,
        HelpScreen,
    ]
    import actionplan.tui.screens as screens

    for info in pkgutil.iter_modules(screens.__path__):  # the editor, the dialogs and any screen added later
        name = f"actionplan.tui.screens.{info.name}"
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        classes += [
            c
            for _n, c in inspect.getmembers(module, inspect.isclass)
            if c.__module__ == name and issubclass(c, Screen) and c.__dict__.get("BINDINGS")
        ]
    found = []
    for cls in dict.fromkeys(classes):
        for b in cls.__dict__.get("BINDINGS", ()):
            found.append((cls.__name__, b if isinstance(b, Binding) else Binding(*b)))
    return found


@pytest.mark.parametrize("size", SIZES)
async def test_help_lists_every_binding_of_every_screen(sample_store: Store, size) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = help_screen.plain_text()
        bindings = declared_bindings()
        assert len(bindings) > 20
        for owner, binding in bindings:
            assert binding.description, f"{owner} binding {binding.key} has no description"
            assert binding.description in text, f"{owner}: {binding.description!r} missing from help"
        for title in ("Everywhere", "Dashboard", "Tasks", "Agencies", "Timeline"):
            assert title in text
        for keys in ("ctrl+z", "ctrl+p", "[", "]", "? / f1"):
            assert keys in text
        assert "lead:ORG" in text and "coord:ORG" in text
        assert all(form in text for form in ACCEPTED_FORMS)
        # it scrolls to the end and closes with escape
        await pilot.press("end")
        await pilot.pause()
        assert "năm 2030" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_closes_with_q_and_question_mark(sample_store: Store) -> None:
    app = ActionPlanApp(sample_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        for key in ("q", "question_mark"):
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, TimelineScreen)
