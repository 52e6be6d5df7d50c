"""Tests for actionplan.core.recurrence: RRULE validation, occurrences and their wording.

No test reads the clock: every start and "after" date is passed in.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionplan.core.recurrence import (
    RecurrenceError,
    describe_rrule,
    next_occurrence,
    occurrences,
    validate_rrule,
)

D = date

# --------------------------------------------------------------------------- RRULE validation


@pytest.mark.parametrize(
    ("alias", "rule"),
    [
        ("monthly", "FREQ=MONTHLY"),
        ("Quarterly", "FREQ=MONTHLY;INTERVAL=3"),
        ("yearly", "FREQ=YEARLY"),
        ("annually", "FREQ=YEARLY"),
        ("weekly", "FREQ=WEEKLY"),
        ("daily", "FREQ=DAILY"),
        ("half-yearly", "FREQ=MONTHLY;INTERVAL=6"),
        ("semiannually", "FREQ=MONTHLY;INTERVAL=6"),
        (" hằng quý ", "FREQ=MONTHLY;INTERVAL=3"),
        ("hàng tháng", "FREQ=MONTHLY"),
        ("hằng năm", "FREQ=YEARLY"),
    ],
)
def test_validate_rrule_aliases(alias: str, rule: str) -> None:
    assert validate_rrule(alias) == rule


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("FREQ=MONTHLY;INTERVAL=3", "FREQ=MONTHLY;INTERVAL=3"),
        ("RRULE:FREQ=MONTHLY;INTERVAL=3", "FREQ=MONTHLY;INTERVAL=3"),
        ("rrule:freq=weekly;count=4", "FREQ=WEEKLY;COUNT=4"),
        ("INTERVAL=2;FREQ=WEEKLY", "INTERVAL=2;FREQ=WEEKLY"),  # order kept
        ("FREQ=MONTHLY;UNTIL=20271231", "FREQ=MONTHLY;UNTIL=20271231"),
        ("FREQ=MONTHLY;UNTIL=20271231T235959Z", "FREQ=MONTHLY;UNTIL=20271231T235959Z"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("FREQ=WEEKLY;BYDAY=MO, FR;", "FREQ=WEEKLY;BYDAY=MO,FR"),
        ("FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"),
    ],
)
def test_validate_rrule_normalises(text: str, normalised: str) -> None:
    assert validate_rrule(text) == normalised
    assert validate_rrule(normalised) == normalised


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FREQ=SOMETIMES", "FREQ must be"),
        ("FREQ=HOURLY", "finer than a day"),
        ("FREQ=MINUTELY", "finer than a day"),
        ("FREQ=SECONDLY", "finer than a day"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=MONTHLY", "DTSTART"),
        ("FREQ=MONTHLY;DTSTART=20260101", "DTSTART"),
        ("", "empty"),
        ("RRULE:", "empty"),
        ("sometimes", "NAME=VALUE"),
        ("INTERVAL=2", "FREQ is missing"),
        ("FREQ=DAILY;BYHOUR=9", "time of day"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", "twice"),
        ("FREQ=MONTHLY;COLOUR=RED", "unknown part COLOUR"),
        ("FREQ=MONTHLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=MONTHLY;INTERVAL=-1", "INTERVAL"),
        ("FREQ=MONTHLY;COUNT=x", "COUNT"),
        ("FREQ=MONTHLY;COUNT=3;UNTIL=20271231", "not both"),
        ("FREQ=MONTHLY;UNTIL=2027-12-31", "UNTIL"),
        ("FREQ=MONTHLY;UNTIL=20270231", "UNTIL"),
        ("FREQ=MONTHLY;BYDAY=XX", "BYDAY"),
        ("FREQ=MONTHLY;BYDAY=9MO", "BYDAY"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no day 30"),
        ("FREQ=WEEKLY;WKST=XX", "WKST"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS needs"),  # RFC 5545; dateutil allows it
        ("FREQ=MONTHLY\nFREQ=WEEKLY", "one RRULE line"),
        ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2", "BYSETPOS=2 asks for more than the 1 dates"),
        ("FREQ=DAILY;BYDAY=MO;BYSETPOS=366", "BYSETPOS=366"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15;BYSETPOS=3", "BYSETPOS=3"),
        ("FREQ=DAILY;BYWEEKNO=20", "BYWEEKNO cannot be used with FREQ=DAILY"),
        ("FREQ=MONTHLY;BYYEARDAY=100", "BYYEARDAY cannot be used"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY cannot be used"),
    ],
)
def test_validate_rrule_rejects(text: str, reason: str) -> None:
    with pytest.raises(RecurrenceError) as caught:
        validate_rrule(text)
    message = str(caught.value)
    assert f'"{text}"' in message
    assert reason in message


def test_recurrence_error_is_a_value_error() -> None:
    """Callers that catch ValueError catch a bad rule too, with the rule named."""
    with pytest.raises(ValueError) as caught:
        validate_rrule("every blue moon")
    assert isinstance(caught.value, RecurrenceError) and "every blue moon" in str(caught.value)


def test_validate_rrule_rejects_non_text() -> None:
    with pytest.raises(RecurrenceError):
        validate_rrule(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- occurrences

QUARTER_ENDS_2026 = [D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30), D(2026, 12, 31)]


def test_quarterly_from_a_quarter_end_stays_on_quarter_ends() -> None:
    assert occurrences("quarterly", D(2026, 3, 31), D(2026, 12, 31)) == QUARTER_ENDS_2026


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (D(2026, 1, 1), D(2026, 3, 31)),  # before the start: the start itself
        (D(2026, 3, 31), D(2026, 3, 31)),  # on or after
        (D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 12, 31)),
        (D(2027, 1, 1), D(2027, 3, 31)),
    ],
)
def test_next_occurrence_quarterly_from_march_31(after: date, expected: date) -> None:
    assert next_occurrence("FREQ=MONTHLY;INTERVAL=3", D(2026, 3, 31), after) == expected


def test_monthly_from_the_30th_falls_back_to_a_short_months_last_day() -> None:
    assert occurrences("monthly", D(2026, 1, 30), D(2026, 4, 30)) == [
        D(2026, 1, 30),
        D(2026, 2, 28),
        D(2026, 3, 30),
        D(2026, 4, 30),
    ]


def test_monthly_from_a_month_end_stays_on_month_ends() -> None:
    assert occurrences("monthly", D(2026, 4, 30), D(2026, 7, 31)) == [
        D(2026, 4, 30),
        D(2026, 5, 31),
        D(2026, 6, 30),
        D(2026, 7, 31),
    ]


def test_monthly_from_the_28th_stays_on_the_28th() -> None:
    assert occurrences("monthly", D(2026, 2, 28), D(2026, 4, 30)) == [
        D(2026, 2, 28),
        D(2026, 3, 28),
        D(2026, 4, 28),
    ]


def test_yearly_from_29_february() -> None:
    assert occurrences("yearly", D(2028, 2, 29), D(2032, 12, 31)) == [
        D(2028, 2, 29),
        D(2029, 2, 28),
        D(2030, 2, 28),
        D(2031, 2, 28),
        D(2032, 2, 29),
    ]


def test_explicit_by_parts_are_kept() -> None:
    rule = "FREQ=MONTHLY;BYDAY=-1FR"  # the last Friday of each month
    assert occurrences(rule, D(2026, 1, 1), D(2026, 3, 31)) == [
        D(2026, 1, 30),
        D(2026, 2, 27),
        D(2026, 3, 27),
    ]


def test_last_working_day_of_each_month() -> None:
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
    assert occurrences(rule, D(2026, 1, 1), D(2026, 5, 31)) == [
        D(2026, 1, 30),
        D(2026, 2, 27),
        D(2026, 3, 31),
        D(2026, 4, 30),
        D(2026, 5, 29),
    ]


def test_next_occurrence_is_none_when_the_rule_has_ended() -> None:
    assert next_occurrence("FREQ=MONTHLY;COUNT=2", D(2026, 1, 15), D(2026, 3, 1)) is None
    assert next_occurrence("FREQ=YEARLY;UNTIL=20271231", D(2026, 6, 30), D(2028, 1, 1)) is None


def test_until_with_a_time_includes_that_day() -> None:
    rule = "FREQ=MONTHLY;UNTIL=20261231T235959Z"
    assert next_occurrence(rule, D(2026, 1, 31), D(2026, 12, 1)) == D(2026, 12, 31)
    assert next_occurrence(rule, D(2026, 1, 31), D(2027, 1, 1)) is None


def test_weekly_count() -> None:
    assert occurrences("FREQ=WEEKLY;COUNT=4", D(2026, 4, 6), D(2030, 1, 1)) == [
        D(2026, 4, 6),
        D(2026, 4, 13),
        D(2026, 4, 20),
        D(2026, 4, 27),
    ]


def test_occurrences_limit_and_empty_ranges() -> None:
    assert occurrences("daily", D(2026, 1, 1), D(2030, 1, 1), limit=3) == [
        D(2026, 1, 1),
        D(2026, 1, 2),
        D(2026, 1, 3),
    ]
    assert len(occurrences("daily", D(2026, 1, 1), D(2030, 1, 1))) == 1000
    assert occurrences("daily", D(2026, 1, 1), D(2025, 1, 1)) == []
    assert occurrences("daily", D(2026, 1, 1), D(2026, 2, 1), limit=0) == []


def test_occurrences_reject_a_bad_rule() -> None:
    with pytest.raises(RecurrenceError):
        occurrences("FREQ=HOURLY", D(2026, 1, 1), D(2026, 2, 1))
    with pytest.raises(RecurrenceError):
        next_occurrence("fortnightly-ish", D(2026, 1, 1), D(2026, 2, 1))


# --------------------------------------------------------------------------- describe_rrule


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("quarterly", "every 3 months"),
        ("yearly", "every year"),
        ("monthly", "every month"),
        ("FREQ=DAILY;INTERVAL=2", "every 2 days"),
        ("FREQ=MONTHLY;UNTIL=20271231", "every month until 2027-12-31"),
        ("FREQ=MONTHLY;UNTIL=20271231T235959Z", "every month until 2027-12-31"),
        ("FREQ=WEEKLY;COUNT=4", "every week, 4 times"),
        ("FREQ=YEARLY;COUNT=1", "every year, once"),
        ("FREQ=WEEKLY;BYDAY=MO,FR", "every week on Mon, Fri"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Fri"),
        ("FREQ=MONTHLY;BYDAY=1MO", "every month on the 1st Mon"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "every month on day 15"),
        ("FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1", "every year on the last day in Jun, Dec"),
    ],
)
def test_describe_rrule(rule: str, words: str) -> None:
    assert describe_rrule(rule) == words


def test_describe_rrule_rejects_a_bad_rule() -> None:
    with pytest.raises(RecurrenceError, match="SOMETIMES"):
        describe_rrule("FREQ=SOMETIMES")


# --------------------------------------------------------------------------- import cost


def test_importing_recurrence_loads_neither_rrule_nor_parser() -> None:
    code = (
        "import sys, actionplan.core.recurrence as d; "
        "assert 'dateutil.rrule' not in sys.modules; "
        "d.validate_rrule('FREQ=MONTHLY;UNTIL=20271231'); "
        "d.next_occurrence('FREQ=MONTHLY;UNTIL=20271231', d.date(2026, 1, 1), d.date(2026, 2, 1)); "
        "assert 'dateutil.rrule' in sys.modules; "
        "assert 'dateutil.parser' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- properties

valid_dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))


@given(st.text())
@settings(max_examples=300)
def test_validate_rrule_only_raises_recurrence_error(text: str) -> None:
    try:
        result = validate_rrule(text)
    except RecurrenceError:
        pass
    else:
        assert validate_rrule(result) == result


rule_like = st.builds(
    lambda parts: ";".join(parts),
    st.lists(
        st.sampled_from(
            [
                "FREQ=DAILY",
                "FREQ=WEEKLY",
                "FREQ=MONTHLY",
                "FREQ=YEARLY",
                "FREQ=HOURLY",
                "INTERVAL=2",
                "INTERVAL=0",
                "COUNT=3",
                "UNTIL=20271231",
                "UNTIL=20270230",
                "BYDAY=MO",
                "BYDAY=-1FR",
                "BYDAY=2TU",
                "BYMONTHDAY=-1",
                "BYMONTHDAY=31",
                "BYMONTH=2",
                "BYMONTH=12",
                "BYSETPOS=1",
                "BYSETPOS=-1",
                "BYWEEKNO=20",
                "BYYEARDAY=100",
                "WKST=SU",
                "BYHOUR=9",
                "X=1",
                "=",
                "",
            ]
        ),
        max_size=5,
    ),
)


@given(rule_like, valid_dates)
@settings(max_examples=300, deadline=None)
def test_rule_like_text_validates_or_raises_and_then_evaluates(text: str, start: date) -> None:
    try:
        rule = validate_rrule(text)
    except RecurrenceError:
        return
    assert isinstance(describe_rrule(rule), str)
    found = occurrences(rule, start, start + timedelta(days=800), limit=20)
    assert found == sorted(set(found))
    assert all(start <= d for d in found)
    if found:
        assert next_occurrence(rule, start, found[0]) == found[0]
