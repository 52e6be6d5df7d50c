"""The committee's rules: overdue, due soon, days late, roll-ups, accountability, KPIs, cycles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from actionplan.core import model
from actionplan.core.model import KPI, OrgScore, Task, TaskStatus

TODAY = date(2026, 11, 26)


def task(
    key: str = "1",
    *,
    plan: str = "p",
    parent: str = "",
    lead: str = "MPS",
    status: str = "in progress",
    progress: int = 0,
    deadline: date | None = None,
    completed_on: date | None = None,
    **kw,
) -> Task:
    return Task(
        plan=plan,
        key=key,
        title=f"task {key}",
        parent=parent,
        lead=lead,
        status=status,
        progress=progress,
        deadline=deadline,
        completed_on=completed_on,
        **kw,
    )


# --- overdue, due soon, days late ---------------------------------------------------------------


@pytest.mark.parametrize("status", ["not started", "in progress", "blocked"])
def test_open_task_past_its_deadline_is_overdue(status):
    t = task(status=status, deadline=TODAY - timedelta(days=1))
    assert model.is_overdue(t, TODAY)
    assert model.days_late(t, TODAY) == 1
    assert model.days_left(t, TODAY) == -1


def test_task_due_today_is_not_overdue_but_due_soon():
    t = task(deadline=TODAY)
    assert not model.is_overdue(t, TODAY)
    assert model.is_due_soon(t, TODAY)
    assert model.days_late(t, TODAY) == 0
    assert model.days_left(t, TODAY) == 0


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_closed_task_is_never_overdue_nor_due_soon(status):
    late = task(status=status, deadline=TODAY - timedelta(days=30))
    near = task(status=status, deadline=TODAY + timedelta(days=2))
    assert not model.is_overdue(late, TODAY)
    assert not model.is_due_soon(near, TODAY)


def test_task_without_deadline_is_neither_overdue_nor_due_soon():
    t = task(deadline=None)
    assert not model.is_overdue(t, TODAY)
    assert not model.is_due_soon(t, TODAY)
    assert model.days_late(t, TODAY) == 0
    assert model.days_left(t, TODAY) is None


def test_due_soon_window_includes_its_last_day_only():
    assert model.is_due_soon(task(deadline=TODAY + timedelta(days=14)), TODAY)
    assert not model.is_due_soon(task(deadline=TODAY + timedelta(days=15)), TODAY)
    assert model.is_due_soon(task(deadline=TODAY + timedelta(days=30)), TODAY, days=30)
    assert not model.is_due_soon(task(deadline=TODAY - timedelta(days=1)), TODAY), "late is not 'soon'"


def test_done_task_late_is_judged_at_completion_not_today():
    t = task(status="done", deadline=date(2026, 9, 30), completed_on=date(2026, 10, 9))
    assert model.days_late(t, TODAY) == 9
    assert model.days_late(t, date(2030, 1, 1)) == 9, "a closed task stops getting later"
    assert model.done_on_time(t) is False


def test_done_on_time_and_early():
    assert model.done_on_time(task(status="done", deadline=date(2026, 9, 30), completed_on=date(2026, 9, 30)))
    early = task(status="done", deadline=date(2026, 9, 30), completed_on=date(2026, 5, 1))
    assert model.done_on_time(early) is True
    assert model.days_late(early, TODAY) == 0


def test_done_on_time_is_unknown_for_open_tasks_or_without_deadline():
    assert model.done_on_time(task(status="in progress", deadline=TODAY)) is None
    assert model.done_on_time(task(status="done", deadline=None, completed_on=TODAY)) is None
    assert model.done_on_time(task(status="cancelled", deadline=TODAY)) is None


def test_cancelled_task_is_never_late():
    assert model.days_late(task(status="cancelled", deadline=date(2025, 1, 1)), TODAY) == 0


# --- progress roll-up ------------------------------------------------------------------------------


def test_parent_progress_is_the_mean_of_its_subtasks():
    tasks = [
        task("2", progress=5),
        task("2.1", parent="2", progress=100, status="done"),
        task("2.2", parent="2", progress=20),
        task("2.3", parent="2", progress=60),
    ]
    rolled = model.rollup_progress(tasks)
    assert rolled["p/2"] == pytest.approx((100 + 20 + 60) / 3)
    assert rolled["p/2.2"] == 20


def test_cancelled_subtasks_do_not_count_in_the_roll_up():
    tasks = [task("2"), task("2.1", parent="2", progress=80), task("2.2", parent="2", progress=0, status="cancelled")]
    assert model.rollup_progress(tasks)["p/2"] == 80


def test_roll_up_goes_through_every_level():
    tasks = [
        task("1"),
        task("1.1", parent="1", progress=100, status="done"),
        task("1.2", parent="1"),
        task("1.2.1", parent="1.2", progress=50),
        task("1.2.2", parent="1.2", progress=0),
    ]
    rolled = model.rollup_progress(tasks)
    assert rolled["p/1.2"] == 25
    assert rolled["p/1"] == pytest.approx((100 + 25) / 2)


def test_done_task_counts_as_complete_whatever_its_subtasks_say():
    tasks = [task("1", status="done", progress=100), task("1.1", parent="1", progress=10)]
    assert model.rollup_progress(tasks)["p/1"] == 100
    # and a done leaf counts 100 even when its progress field was left behind
    assert model.rollup_progress([task("1", status="done", progress=40)])["p/1"] == 100


def test_parent_whose_subtasks_are_all_cancelled_keeps_its_own_progress():
    tasks = [task("1", progress=30), task("1.1", parent="1", status="cancelled", progress=90)]
    assert model.rollup_progress(tasks)["p/1"] == 30


def test_same_keys_in_two_plans_do_not_mix():
    tasks = [
        task("1", plan="a"),
        task("1.1", plan="a", parent="1", progress=100, status="done"),
        task("1", plan="b"),
        task("1.1", plan="b", parent="1", progress=0),
    ]
    rolled = model.rollup_progress(tasks)
    assert rolled["a/1"] == 100 and rolled["b/1"] == 0


def test_plan_progress_is_the_mean_of_top_level_tasks_without_cancelled_ones():
    tasks = [
        task("1", progress=0),
        task("1.1", parent="1", progress=100, status="done"),
        task("2", progress=50),
        task("3", status="cancelled", progress=0),
    ]
    assert model.plan_progress(tasks) == pytest.approx((100 + 50) / 2)
    assert model.plan_progress([]) == 0.0


# --- accountability -------------------------------------------------------------------------------


def test_accountability_counts_each_lead_agency():
    tasks = [
        task("1", lead="MIC", deadline=date(2026, 9, 30), status="in progress"),  # 57 days late
        task("2", lead="MIC", deadline=date(2026, 6, 30), status="done", completed_on=date(2026, 7, 10)),
        task("3", lead="MIC", deadline=date(2026, 12, 31), status="not started"),
        task("4", lead="MIC", deadline=date(2026, 1, 31), status="cancelled"),
    ]
    (mic,) = model.score_orgs(tasks, TODAY, {"MIC": "Ministry of Information and Communications"})
    assert mic.name == "Ministry of Information and Communications"
    assert (mic.assigned, mic.done, mic.done_on_time, mic.open, mic.overdue) == (3, 1, 0, 2, 1)
    assert mic.late_count == 2 and mic.days_late_total == 57 + 10
    assert mic.average_days_late == pytest.approx(33.5)
    assert mic.done_on_time_pct == 0.0


def test_accountability_puts_the_worst_agency_first():
    late = TODAY - timedelta(days=40)
    tasks = [
        # GOOD: everything done on time
        task("1", lead="GOOD", deadline=late, status="done", completed_on=late),
        # SLOW: nothing overdue, but finished late
        task("2", lead="SLOW", deadline=late, status="done", completed_on=late + timedelta(days=20)),
        # ONE: one overdue task, 5 days late
        task("3", lead="ONE", deadline=TODAY - timedelta(days=5)),
        # TWO: two overdue tasks
        task("4", lead="TWO", deadline=TODAY - timedelta(days=1)),
        task("5", lead="TWO", deadline=TODAY - timedelta(days=2)),
        # ONE-LATER: one overdue task, much later than ONE
        task("6", lead="ONE-LATER", deadline=TODAY - timedelta(days=50)),
    ]
    order = [s.org for s in model.score_orgs(tasks, TODAY)]
    assert order == ["TWO", "ONE-LATER", "ONE", "SLOW", "GOOD"]


def test_accountability_breaks_ties_by_share_done_on_time_then_key():
    d = TODAY - timedelta(days=100)
    tasks = [
        task("1", lead="B", deadline=d, status="done", completed_on=d),
        task("2", lead="A", deadline=d, status="done", completed_on=d),
        # E and F: same average lateness (2 days), E never on time, F half the time
        task("3", lead="F", deadline=d, status="done", completed_on=d + timedelta(days=2)),
        task("4", lead="F", deadline=d, status="done", completed_on=d),
        task("5", lead="E", deadline=d, status="done", completed_on=d + timedelta(days=2)),
        task("6", lead="E", deadline=d, status="done", completed_on=d + timedelta(days=2)),
    ]
    order = [s.org for s in model.score_orgs(tasks, TODAY)]
    assert order == ["E", "F", "A", "B"]


def test_org_with_nothing_done_yet_is_not_ranked_as_late():
    s = OrgScore(org="X", name="X", assigned=2, open=2)
    assert s.done_on_time_pct is None
    assert s.average_days_late == 0.0


# --- KPIs --------------------------------------------------------------------------------------------


def test_kpi_share_of_way_from_zero():
    assert KPI("professionals", target=10_000, current=2_500).share_of_way() == pytest.approx(0.25)
    assert KPI("professionals", target=10_000, current=12_000).share_of_way() == 1.0


def test_kpi_lower_is_better_is_measured_from_the_baseline():
    # GCI rank: from 50 down to a target of 30
    assert KPI("GCI rank", target=30, current=40, baseline=50).share_of_way() == pytest.approx(0.5)
    assert KPI("GCI rank", target=30, current=25, baseline=50).share_of_way() == 1.0
    assert KPI("GCI rank", target=30, current=60, baseline=50).share_of_way() == 0.0, "worse than the start"


def test_kpi_with_baseline_higher_is_better():
    assert KPI("share %", target=70, current=55, baseline=40).share_of_way() == pytest.approx(0.5)


def test_kpi_share_unknown_without_target_or_current():
    assert KPI("x", target=None, current=3).share_of_way() is None
    assert KPI("x", target=3, current=None).share_of_way() is None


def test_kpi_whose_target_is_its_starting_point():
    assert KPI("x", target=5, current=5, baseline=5).share_of_way() == 1.0
    assert KPI("x", target=0, current=3).share_of_way() == 0.0


# --- cycles ------------------------------------------------------------------------------------------


def test_find_cycle_none_in_a_tree_or_dag():
    assert model.find_cycle({}) is None
    assert model.find_cycle({"2.1": ["2"], "2.2": ["2"], "2": []}) is None
    assert model.find_cycle({"a": ["b", "c"], "b": ["c"], "c": []}) is None


def test_find_cycle_returns_the_loop_with_its_first_node_repeated():
    cycle = model.find_cycle({"1": ["2"], "2": ["3"], "3": ["1"], "4": ["1"]})
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"1", "2", "3"} and len(cycle) == 4


def test_find_cycle_self_loop_and_nodes_only_seen_as_successors():
    assert model.find_cycle({"a": ["a"]}) == ["a", "a"]
    assert model.find_cycle({"a": ["zzz"]}) is None


def test_find_cycle_on_a_long_chain_does_not_overflow_the_stack():
    n = 5000
    chain = {str(i): [str(i + 1)] for i in range(n)}
    assert model.find_cycle(chain) is None
    chain[str(n)] = ["0"]
    cycle = model.find_cycle(chain)
    assert cycle is not None and len(cycle) == n + 2


# --- status rules and parsing ---------------------------------------------------------------------------


def test_marking_done_sets_full_progress_and_completion_date():
    old = task(status="in progress", progress=40)
    new = model.apply_status_rules(old, task(status="done", progress=40), TODAY)
    assert (new.status, new.progress, new.completed_on) == ("done", 100, TODAY)


def test_marking_done_keeps_a_given_completion_date():
    old = task(status="in progress")
    new = model.apply_status_rules(old, task(status="done", completed_on=date(2026, 11, 1)), TODAY)
    assert new.completed_on == date(2026, 11, 1)


def test_reopening_clears_the_completion_date_but_keeps_the_evidence():
    old = task(status="done", progress=100, completed_on=date(2026, 5, 1), evidence="Decision 12")
    new = model.apply_status_rules(
        old, task(status="in progress", progress=100, completed_on=date(2026, 5, 1), evidence="Decision 12"), TODAY
    )
    assert new.completed_on is None
    assert new.evidence == "Decision 12"


def test_other_changes_pass_through_status_rules_untouched():
    old = task(status="in progress", progress=10)
    new = task(status="blocked", progress=10, blocked_reason="waiting")
    assert model.apply_status_rules(old, new, TODAY) == new


@pytest.mark.parametrize(
    "text, expected",
    [
        ("done", "done"),
        ("Done", "done"),
        ("in-progress", "in progress"),
        ("in_progress", "in progress"),
        ("todo", "not started"),
        ("completed", "done"),
        ("canceled", "cancelled"),
        ("  BLOCKED ", "blocked"),
    ],
)
def test_status_accepts_what_people_type(text, expected):
    assert model.parse_status(text) == expected


def test_unknown_status_error_quotes_it_and_lists_the_choices():
    with pytest.raises(ValueError) as e:
        model.parse_status("finished-ish")
    assert '"finished-ish"' in str(e.value)
    assert all(s in str(e.value) for s in TaskStatus)


@pytest.mark.parametrize("text, expected", [("40", 40), ("40%", 40), (" 0 ", 0), (100, 100)])
def test_progress_parsing(text, expected):
    assert model.parse_progress(text) == expected


@pytest.mark.parametrize("text", ["101", "-5", "forty", "4.5", True, ""])
def test_bad_progress_is_refused(text):
    with pytest.raises(ValueError):
        model.parse_progress(text)


def test_priority_parsing():
    assert model.parse_priority("HIGH") == "high"
    with pytest.raises(ValueError, match='"urgent"'):
        model.parse_priority("urgent")


def test_field_level_problems_of_a_task():
    problems = dict(
        model.validate_task_fields(
            Task(
                plan="p", key="1 2", title=" ", lead="", progress=120, start=date(2026, 5, 1), deadline=date(2026, 4, 1)
            )
        )
    )
    assert set(problems) == {"key", "title", "lead", "progress", "start"}
    assert model.validate_task_fields(task("2.3", deadline=TODAY)) == []
    assert dict(model.validate_task_fields(task("2", parent="2")))["parent"]
    assert dict(model.validate_task_fields(task("2", depends_on=["2"])))["depends_on"]


def test_a_task_sent_to_another_process_arrives_whole() -> None:
    """Large imports send tasks from reader processes to the writer by pickle (speed)."""
    import pickle

    task = Task(
        plan="cyber-2026",
        key="2.3",
        title="Dự thảo nghị định",
        lead="MPS",
        coordinating=["MOJ", "MIC"],
        start=date(2026, 1, 1),
        deadline=date(2026, 12, 31),
        deadline_text="end of 2026",
        recurrence="FREQ=YEARLY",
        status=TaskStatus.IN_PROGRESS,
        progress=40,
        kpi=KPI(metric="m", target=5),
        depends_on=["2.1"],
        tags=["legal"],
        version=3,
        id=8,
        updated_at="2026-11-26T03:00:00+00:00",
    )
    received = pickle.loads(pickle.dumps(task))
    assert received == task and received.ref == "cyber-2026/2.3" and received.coordinating is not task.coordinating
