"""The filter language: every term, its errors, and that the store applies it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import TODAY

from actionplan.core.query import QueryError, TaskFilter, describe_filter, parse_query
from actionplan.core.text import fold


@pytest.fixture
def everything(sample_store):
    """All tasks, to compute what each filter should select, in plain Python."""
    return sample_store.list_tasks(order="key")


def selected(store, text: str, today: date = TODAY) -> set[str]:
    return {t.ref for t in store.list_tasks(parse_query(text), today=today)}


def where(tasks, predicate) -> set[str]:
    return {t.ref for t in tasks if predicate(t)}


def is_open(t) -> bool:
    return t.status not in ("done", "cancelled")


# --- parsing -----------------------------------------------------------------------------------------


def test_empty_query_is_the_empty_filter():
    assert parse_query("") == TaskFilter()
    assert parse_query("   ").is_empty()
    assert describe_filter(TaskFilter()) == "all tasks"


def test_every_term_is_parsed():
    f = parse_query(
        "plan:cyber-2026 lead:MPS coord:MOJ org:MIC who:Minister status:open tag:legal "
        "priority:high,critical due<2027-01-01 due>=2026-10-01 overdue soon:30 gap review"
    )
    assert f.plans == ["cyber-2026"] and f.leads == ["MPS"] and f.coordinating == ["MOJ"]
    assert f.involving == ["MIC"] and f.accountable == "Minister" and f.open_only
    assert f.tags == ["legal"] and f.priorities == ["high", "critical"]
    assert f.due_before == date(2027, 1, 1) and f.due_after == date(2026, 9, 30)
    assert f.overdue and f.due_within == 30 and f.words == ["gap review"]  # words side by side: one phrase
    text = describe_filter(f)
    for part in (
        "plan cyber-2026",
        "lead MPS",
        "coordinated by MOJ",
        "involving MIC",
        "open",
        "tag legal",
        "overdue",
        "due within 30 days",
        '"gap review"',
    ):
        assert part in text


@pytest.mark.parametrize(
    "text, before, after",
    [
        ("due<2026-05-01", date(2026, 5, 1), None),
        ("due<=2026-04-30", date(2026, 5, 1), None),
        ("due>2026-04-30", None, date(2026, 4, 30)),
        ("due>=2026-05-01", None, date(2026, 4, 30)),
        ("due:2026-04-30", date(2026, 5, 1), date(2026, 4, 29)),
        ('due<"end of Q3 2026"', date(2026, 9, 30), None),
        ("due<Q3-2026", date(2026, 9, 30), None),
        ("deadline<=April-2026", date(2026, 5, 1), None),
    ],
)
def test_deadline_comparisons_accept_every_deadline_form(text, before, after):
    f = parse_query(text)
    assert (f.due_before, f.due_after) == (before, after)


@pytest.mark.parametrize(
    "text, statuses, open_only, closed_only",
    [
        ("status:open", [], True, False),
        ("status:closed", [], False, True),
        ("status:in-progress", ["in progress"], False, False),
        ("status:not-started,blocked", ["not started", "blocked"], False, False),
        ("status:DONE", ["done"], False, False),
    ],
)
def test_status_terms(text, statuses, open_only, closed_only):
    f = parse_query(text)
    assert (f.statuses, f.open_only, f.closed_only) == (statuses, open_only, closed_only)


def test_quoted_values_keep_their_spaces():
    f = parse_query('lead:"Bộ Công an" who:"Chief of Office" "exact phrase"')
    assert f.leads == ["Bộ Công an"] and f.accountable == "Chief of Office" and f.words == ["exact phrase"]


def test_unclosed_quote_while_typing_is_not_an_error():
    assert parse_query('lead:MPS "half typed').words == ["half typed"]  # side by side: one phrase


def test_words_side_by_side_are_one_phrase_as_in_the_cli():
    from actionplan.core.query import query_text

    typed = parse_query("bo cong an")
    assert typed.words == ["bo cong an"]
    assert parse_query(query_text(["bo", "cong", "an"])) == typed  # actionplan list bo cong an
    assert parse_query(query_text(["bo cong an"])) == typed  # actionplan list "bo cong an"
    split = parse_query("decree overdue data protection")
    assert split.overdue and split.words == ["decree", "data protection"]


def test_soon_without_number_uses_the_default_horizon():
    assert parse_query("soon").due_within == 14
    assert parse_query("overdue soon:7").due_within == 7


@pytest.mark.parametrize(
    "text, term",
    [
        ("status:finished", "status:finished"),
        ("priority:urgent", "priority:urgent"),
        ("due<someday", "due<someday"),
        ("due>=31/02/2026", "due>=31/02/2026"),
        ("soon:two", "soon:two"),
        ("colour:red", "colour:red"),
        ("lead:", "lead:"),
    ],
)
def test_error_names_the_bad_term(text, term):
    with pytest.raises(QueryError) as e:
        parse_query(f"tag:legal {text} overdue")
    assert str(e.value).startswith(term + ":")


def test_unknown_filter_lists_the_known_ones():
    with pytest.raises(QueryError) as e:
        parse_query("colour:red")
    assert '"colour"' in str(e.value) and "lead:" in str(e.value) and "overdue" in str(e.value)


def test_bad_date_error_quotes_the_date_and_the_accepted_forms():
    with pytest.raises(QueryError) as e:
        parse_query("due<Aprril-2026")
    assert "Aprril" in str(e.value) and "end of Q3 2026" in str(e.value)


def test_merged_filters_narrow_both_ways():
    f = parse_query("due<2027-01-01 tag:legal").merged(parse_query("due<2026-12-01 lead:MPS"))
    assert f.due_before == date(2026, 12, 1) and f.tags == ["legal"] and f.leads == ["MPS"]


# --- the store applies every term ----------------------------------------------------------------------


def test_plan_term(sample_store, everything):
    assert selected(sample_store, "plan:strategy-2030") == where(everything, lambda t: t.plan == "strategy-2030")


def test_lead_term_by_key_or_name(sample_store, everything):
    led = where(everything, lambda t: t.lead == "MPS")
    assert led
    assert selected(sample_store, "lead:MPS") == led
    assert selected(sample_store, "lead:mps") == led
    assert selected(sample_store, 'lead:"Ministry of Public Security"') == led
    assert selected(sample_store, 'lead:"bo cong an"') == led
    assert selected(sample_store, "lead:MPS,MOJ") == where(everything, lambda t: t.lead in ("MPS", "MOJ"))


def test_lead_term_for_an_unknown_agency_selects_nothing(sample_store):
    assert selected(sample_store, "lead:NOBODY") == set()


def test_coord_and_org_terms(sample_store, everything):
    coord = where(everything, lambda t: "MOJ" in t.coordinating)
    assert coord and selected(sample_store, "coord:MOJ") == coord
    involving = where(everything, lambda t: t.lead == "MOJ" or "MOJ" in t.coordinating)
    assert involving > coord
    assert selected(sample_store, "org:MOJ") == involving


def test_who_term(sample_store, everything):
    chief = where(everything, lambda t: "chief of the committee office" in t.accountable.lower())
    assert chief and selected(sample_store, 'who:"Chief of the Committee Office"') == chief
    assert selected(sample_store, "who:chief") == where(everything, lambda t: "chief" in t.accountable.lower())


@pytest.mark.parametrize(
    "text, predicate",
    [
        ("status:open", is_open),
        ("status:closed", lambda t: not is_open(t)),
        ("status:done", lambda t: t.status == "done"),
        ("status:blocked,not-started", lambda t: t.status in ("blocked", "not started")),
        ("tag:legal", lambda t: "legal" in t.tags),
        ("tag:legal tag:planning", lambda t: "legal" in t.tags and "planning" in t.tags),
        ("priority:critical", lambda t: t.priority == "critical"),
        ("priority:low,normal", lambda t: t.priority in ("low", "normal")),
        ("due<2026-10-01", lambda t: t.deadline is not None and t.deadline < date(2026, 10, 1)),
        ("due<=2026-09-30", lambda t: t.deadline is not None and t.deadline <= date(2026, 9, 30)),
        ("due>=2027-03-31", lambda t: t.deadline is not None and t.deadline >= date(2027, 3, 31)),
        ("due>2027-03-31", lambda t: t.deadline is not None and t.deadline > date(2027, 3, 31)),
        ("due:2026-09-30", lambda t: t.deadline == date(2026, 9, 30)),
        ("overdue", lambda t: is_open(t) and t.deadline is not None and t.deadline < TODAY),
        ("soon", lambda t: is_open(t) and t.deadline is not None and TODAY <= t.deadline <= TODAY + timedelta(14)),
        ("soon:45", lambda t: is_open(t) and t.deadline is not None and TODAY <= t.deadline <= TODAY + timedelta(45)),
        ("top", lambda t: not t.parent),
        (
            "lead:MPS status:open due<2027-01-01",
            lambda t: t.lead == "MPS" and is_open(t) and t.deadline is not None and t.deadline < date(2027, 1, 1),
        ),
    ],
)
def test_store_applies_the_term(sample_store, everything, text, predicate):
    expected = where(everything, predicate)
    assert expected, f"the sample data should exercise {text}"
    assert selected(sample_store, text) == expected
    assert sample_store.count_tasks(parse_query(text), today=TODAY) == len(expected)


def test_overdue_depends_on_the_day_given(sample_store, everything):
    earlier = date(2026, 6, 1)
    assert selected(sample_store, "overdue", today=earlier) == where(
        everything, lambda t: is_open(t) and t.deadline is not None and t.deadline < earlier
    )
    assert selected(sample_store, "overdue", today=earlier) != selected(sample_store, "overdue")


def test_words_search_title_description_output_and_tags(sample_store, everything):
    found = selected(sample_store, "handbook")
    assert "cyber-2026/3.1" in found
    for ref in found:
        t = next(x for x in everything if x.ref == ref)
        assert "handbook" in fold(" ".join([t.title, t.description, t.output, " ".join(t.tags), t.source]))


def test_words_combine_with_other_terms(sample_store, everything):
    assert selected(sample_store, "lead:MIC handbook") == {"cyber-2026/3.1"}
    assert selected(sample_store, "lead:MPS handbook") == set()


def test_word_prefixes_match(sample_store):
    assert "cyber-2026/3.1" in selected(sample_store, "handb")


def test_results_are_ordered_by_deadline_then_limited(sample_store):
    tasks = sample_store.list_tasks(parse_query("status:open"), today=TODAY)
    deadlines = [t.deadline for t in tasks if t.deadline]
    assert deadlines == sorted(deadlines)
    assert [t.ref for t in sample_store.list_tasks(parse_query("status:open"), today=TODAY, limit=3)] == [
        t.ref for t in tasks[:3]
    ]
