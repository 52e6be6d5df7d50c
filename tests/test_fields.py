"""Task fields as people type them (``set field=value``, ``add``, the UI editor)."""

from __future__ import annotations

from datetime import date

import pytest

from actionplan.core.fields import FIELD_HELP, FieldError, canonical, next_task_key, parse_assignments, parse_field
from actionplan.core.model import KPI, Task

ORGS = {"MPS": "MPS", "bo cong an": "MPS", "MOJ": "MOJ", "MIC": "MIC"}


def resolve(text: str, field: str) -> str:
    """A stand-in for store.resolve_org: known names, else an error naming the field."""
    try:
        return ORGS[text]
    except KeyError:
        raise FieldError(field, f'unknown agency "{text}"') from None


def parse(name: str, text: str, task: Task | None = None) -> dict:
    return parse_field(name, text, resolve, task)


# --- every field -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["title", "description", "accountable", "output", "evidence", "blocked_reason", "source"]
)
def test_text_fields_are_cleaned(name):
    assert parse(name, "  Bo\u0323\u0302 Co\u0302ng an\x07 report ") == {name: "Bộ Công an report"}


def test_title_cannot_be_empty():
    with pytest.raises(FieldError) as e:
        parse("title", "   ")
    assert e.value.field == "title"


def test_lead_is_resolved_and_required():
    assert parse("lead", "bo cong an") == {"lead": "MPS"}
    with pytest.raises(FieldError) as e:
        parse("lead", "")
    assert e.value.field == "lead"
    with pytest.raises(FieldError) as e:
        parse("lead", "Ministry of Magic")
    assert e.value.field == "lead" and "Ministry of Magic" in str(e.value)


def test_coordinating_is_a_comma_list_of_resolved_orgs_without_repeats():
    assert parse("coordinating", "MOJ, MIC;MPS, MOJ") == {"coordinating": ["MOJ", "MIC", "MPS"]}
    assert parse("coord", "") == {"coordinating": []}
    with pytest.raises(FieldError) as e:
        parse("coordinating", "MOJ, NOPE")
    assert e.value.field == "coordinating"


def test_tags_and_dependencies_are_lists():
    assert parse("tags", "legal, urgent,legal") == {"tags": ["legal", "urgent"]}
    assert parse("depends_on", "2.1, 2.2") == {"depends_on": ["2.1", "2.2"]}
    assert parse("deps", "") == {"depends_on": []}


def test_parent_is_a_key_or_empty():
    assert parse("parent", " 2 ") == {"parent": "2"}
    assert parse("parent", "") == {"parent": ""}


@pytest.mark.parametrize(
    "text, when, written",
    [
        ("end of April 2026", date(2026, 4, 30), "end of April 2026"),
        ("30/4/2026", date(2026, 4, 30), "30/4/2026"),
        ("2026-04-30", date(2026, 4, 30), ""),
        ("Q3 2026", date(2026, 9, 30), "Q3 2026"),
        ("", None, ""),
    ],
)
def test_deadline_keeps_what_was_written_and_the_resolved_date(text, when, written):
    assert parse("deadline", text) == {"deadline": when, "deadline_text": written}
    assert parse("due", text) == parse("deadline", text)


@pytest.mark.parametrize("name", ["deadline", "start", "completed_on"])
def test_bad_date_names_the_field_and_quotes_the_input(name):
    with pytest.raises(FieldError) as e:
        parse(name, "Aprill 2026")
    assert e.value.field == name
    assert str(e.value).startswith(f"{name}: ") and '"Aprill 2026"' in str(e.value)


def test_start_and_completion_dates():
    assert parse("start", "H1 2026") == {"start": date(2026, 6, 30)}
    assert parse("done_on", "2026-11-20") == {"completed_on": date(2026, 11, 20)}


def test_recurrence_is_validated_and_can_be_cleared():
    assert parse("recurrence", "FREQ=MONTHLY;INTERVAL=3")["recurrence"].startswith("FREQ=MONTHLY")
    assert parse("recurrence", "") == {"recurrence": ""}
    with pytest.raises(FieldError) as e:
        parse("rrule", "FREQ=SOMETIMES")
    assert e.value.field == "recurrence" and "FREQ=SOMETIMES" in str(e.value)


def test_status_priority_and_progress():
    assert parse("status", "in-progress") == {"status": "in progress"}
    assert parse("priority", "HIGH") == {"priority": "high"}
    assert parse("progress", "40%") == {"progress": 40}
    for name, text in [("status", "finished"), ("priority", "urgent"), ("progress", "forty"), ("progress", "101")]:
        with pytest.raises(FieldError) as e:
            parse(name, text)
        assert e.value.field == name and text in str(e.value)


def test_kpi_fields_amend_the_tasks_kpi():
    task = Task(
        plan="p",
        key="1",
        title="t",
        lead="MPS",
        kpi=KPI(metric="GCI rank", target=30, current=40, unit="rank", baseline=50),
    )
    assert parse("kpi.current", "25", task) == {"kpi": KPI("GCI rank", 30, 25, "rank", 50)}
    assert parse("kpi_target", "1,000", task)["kpi"].target == 1000
    assert parse("kpi.current", "12.5", task)["kpi"].current == 12.5
    assert parse("kpi.metric", "", task) == {"kpi": None}, "an empty metric removes the KPI"


def test_kpi_needs_a_metric_and_numbers():
    with pytest.raises(FieldError) as e:
        parse("kpi.target", "100")
    assert e.value.field == "kpi.metric"
    with pytest.raises(FieldError) as e:
        parse("kpi.target", "a hundred", Task(plan="p", key="1", title="t", kpi=KPI("m")))
    assert e.value.field == "kpi.target" and '"a hundred"' in str(e.value)


def test_unknown_field_names_it_and_lists_the_known_ones():
    with pytest.raises(FieldError) as e:
        parse("dealine", "April 2026")
    assert e.value.field == "dealine" and "deadline" in str(e.value)


def test_every_documented_field_can_be_parsed():
    task = Task(plan="p", key="1", title="t", lead="MPS", kpi=KPI("m", 1, 0))
    samples = {
        "lead": "MPS",
        "coordinating": "MOJ",
        "status": "done",
        "priority": "low",
        "progress": "5",
        "recurrence": "FREQ=YEARLY",
        "kpi.metric": "m",
        "kpi.unit": "%",
    }
    for name in FIELD_HELP:
        text = samples.get(
            name,
            "2026-04-30" if name in ("start", "deadline", "completed_on") else "3" if name.startswith("kpi.") else "x",
        )
        assert parse(name, text, task), name
        assert canonical(name.upper()) == name


# --- several at once -------------------------------------------------------------------------------------


def test_assignments_combine_and_kpi_parts_build_on_each_other():
    changes = parse_assignments(
        ["status=blocked", "blocked_reason=waiting for MOJ", "kpi.metric=Articles", "kpi.target=40", "kpi.current=12"],
        resolve,
    )
    assert changes["status"] == "blocked" and changes["blocked_reason"] == "waiting for MOJ"
    assert changes["kpi"] == KPI("Articles", 40, 12)


def test_assignment_keeps_equals_signs_in_the_value():
    assert parse_assignments(["title=a=b"], resolve) == {"title": "a=b"}


def test_assignment_without_equals_sign_explains_the_form():
    with pytest.raises(FieldError) as e:
        parse_assignments(["deadline"], resolve)
    assert e.value.field == "deadline" and "field=value" in str(e.value)


# --- next key -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "existing, parent, expected",
    [
        ([], "", "1"),
        (["1", "2", "2.1", "10"], "", "11"),
        (["1", "2", "2.1", "2.2", "2.10"], "2", "2.11"),
        (["1", "2"], "2", "2.1"),
        (["2.1", "2.1.1", "2.a"], "2.1", "2.1.2"),
        (["3", "A"], "", "4"),
    ],
)
def test_next_task_key(existing, parent, expected):
    assert next_task_key(existing, parent) == expected
