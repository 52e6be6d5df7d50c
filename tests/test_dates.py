"""Tests for actionplan.dates: deadlines, formatting, time zone and recurrence.

No test reads the clock: every "today" and "now" is passed in.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionplan.dates import (
    ACCEPTED_FORMS,
    DEFAULT_TIMEZONE,
    DateError,
    RecurrenceError,
    describe_resolution,
    describe_rrule,
    format_date,
    format_date_long,
    get_zone,
    next_occurrence,
    occurrences,
    parse_deadline,
    parse_iso_date,
    relative_days,
    short_relative,
    today_in,
    validate_rrule,
)

D = date

# --------------------------------------------------------------------------- parse_deadline

ACCEPTED = [
    ("2026-04-30", D(2026, 4, 30)),
    ("2026-4-3", D(2026, 4, 3)),
    ("30/4/2026", D(2026, 4, 30)),
    ("30-4-2026", D(2026, 4, 30)),
    ("30.4.2026", D(2026, 4, 30)),
    ("01/02/2026", D(2026, 2, 1)),  # day first, always
    ("by 30/4/2026", D(2026, 4, 30)),
    ("30 April 2026", D(2026, 4, 30)),
    ("30 Apr 2026", D(2026, 4, 30)),
    ("April 30, 2026", D(2026, 4, 30)),
    ("April 2026", D(2026, 4, 30)),
    ("Apr 2026", D(2026, 4, 30)),
    ("APRIL 2026", D(2026, 4, 30)),
    ("april, 2026", D(2026, 4, 30)),
    ("end of April 2026", D(2026, 4, 30)),
    ("by April 2026", D(2026, 4, 30)),
    ("by end of April 2026", D(2026, 4, 30)),
    ("By the End of April 2026", D(2026, 4, 30)),
    ("by March 2027", D(2027, 3, 31)),
    ("Sept 2026", D(2026, 9, 30)),
    ("February 2028", D(2028, 2, 29)),
    ("Feb 2026", D(2026, 2, 28)),
    ("February 2100", D(2100, 2, 28)),  # not a leap year
    ("February 2000", D(2000, 2, 29)),
    ("4/2026", D(2026, 4, 30)),
    ("12/2026", D(2026, 12, 31)),
    ("2026-04", D(2026, 4, 30)),
    ("2026-02", D(2026, 2, 28)),
    ("Q1 2026", D(2026, 3, 31)),
    ("Q2 2026", D(2026, 6, 30)),
    ("Q3 2026", D(2026, 9, 30)),
    ("q4 2026", D(2026, 12, 31)),
    ("Q3/2026", D(2026, 9, 30)),
    ("2026-Q3", D(2026, 9, 30)),
    ("end of Q3 2026", D(2026, 9, 30)),
    ("by Q3 2026", D(2026, 9, 30)),
    ("H1 2026", D(2026, 6, 30)),
    ("H2 2026", D(2026, 12, 31)),
    ("first half of 2026", D(2026, 6, 30)),
    ("second half of 2026", D(2026, 12, 31)),
    ("end of H1 2026", D(2026, 6, 30)),
    ("2030", D(2030, 12, 31)),
    ("by 2030", D(2030, 12, 31)),
    ("end of 2030", D(2030, 12, 31)),
    ("1900", D(1900, 12, 31)),
    ("2200", D(2200, 12, 31)),
    ("tháng 4/2026", D(2026, 4, 30)),
    ("Tháng 4 năm 2026", D(2026, 4, 30)),
    ("tháng 02/2028", D(2028, 2, 29)),
    ("thang 4/2026", D(2026, 4, 30)),  # typed without diacritics
    ("quý 3/2026", D(2026, 9, 30)),
    ("quý III/2026", D(2026, 9, 30)),
    ("Quý IV năm 2026", D(2026, 12, 31)),
    ("quý I/2027", D(2027, 3, 31)),
    ("năm 2030", D(2030, 12, 31)),
    ("cuối năm 2030", D(2030, 12, 31)),
    ("trong tháng 4/2026", D(2026, 4, 30)),
    ("6 tháng đầu năm 2026", D(2026, 6, 30)),
    ("6 tháng cuối năm 2026", D(2026, 12, 31)),
    ("ngày 30/4/2026", D(2026, 4, 30)),
    ("ngày 30 tháng 4 năm 2026", D(2026, 4, 30)),
    ("  end   of\tQ3   2026  ", D(2026, 9, 30)),
    ("tha\u0301ng 4/2026", D(2026, 4, 30)),  # decomposed (NFD) input
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_parse_deadline_accepts(text: str, expected: date) -> None:
    assert parse_deadline(text) == expected


def test_parse_deadline_returns_a_date_unchanged() -> None:
    assert parse_deadline(D(2026, 4, 30)) == D(2026, 4, 30)


def test_parse_deadline_takes_the_date_of_a_datetime() -> None:
    result = parse_deadline(datetime(2026, 4, 30, 15, 0))
    assert result == D(2026, 4, 30)
    assert type(result) is date


def test_parse_deadline_reads_an_int_as_a_year() -> None:
    # TOML reads `deadline = 2030` as an integer
    assert parse_deadline(2030) == D(2030, 12, 31)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "example", [form.split(" (")[0] for form in ACCEPTED_FORMS], ids=lambda form: form
)
def test_every_advertised_form_is_accepted(example: str) -> None:
    assert isinstance(parse_deadline(example), date)


REJECTED = [
    "",
    "   ",
    "soonish",
    "31/2/2026",
    "29/2/2026",
    "2026-02-30",
    "13/2026",
    "2026-13",
    "0/2026",
    "Q5 2026",
    "Q0 2026",
    "H3 2026",
    "quý V/2026",
    "before April 2026",
    "Before 2030",
    "trước tháng 4/2026",
    "99999",
    "1899",
    "2201",
    "30/4/26",
    "end of 30/4/2026",
    "April",
    "2026-04-30T10:00",
    "next week",
    "Aprill 2026",
    "٢٠٣٠",  # Arabic-Indic digits are not read as a year
]


@pytest.mark.parametrize("text", REJECTED)
def test_parse_deadline_rejects(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_deadline(text)
    message = str(caught.value)
    assert f'"{text}"' in message
    assert "2026-04-30" in message and "Q3 2026" in message


def test_error_message_quotes_input_and_lists_every_form() -> None:
    with pytest.raises(DateError) as caught:
        parse_deadline("soonish")
    message = str(caught.value)
    assert message.startswith('cannot read deadline "soonish": use one of 2026-04-30, ')
    for form in ACCEPTED_FORMS:
        assert form in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/2/2026", "Feb 2026 has no day 31"),
        ("13/2026", "no month 13"),
        ("Q5 2026", "no quarter 5"),
        ("before April 2026", "ambiguous"),
        ("1899", "between 1900 and 2200"),
        ("", "empty"),
    ],
)
def test_error_message_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(DateError, match=reason):
        parse_deadline(text)


def test_date_error_is_a_value_error() -> None:
    assert issubclass(DateError, ValueError)
    with pytest.raises(ValueError):
        parse_deadline("soonish")


def test_parse_deadline_rejects_non_text() -> None:
    with pytest.raises(DateError):
        parse_deadline(None)  # type: ignore[arg-type]
    with pytest.raises(DateError):
        parse_deadline(True)  # type: ignore[arg-type]


def test_long_input_is_shortened_in_the_message() -> None:
    with pytest.raises(DateError) as caught:
        parse_deadline("x" * 1000)
    assert len(str(caught.value)) < 1000


# --------------------------------------------------------------------------- ISO and formatting


def test_parse_iso_date() -> None:
    assert parse_iso_date("2026-04-30") == D(2026, 4, 30)
    assert parse_iso_date(" 2026-04-30\n") == D(2026, 4, 30)


@pytest.mark.parametrize(
    "text", ["", "2026-4-30", "30/4/2026", "April 2026", "2026-02-30", "20260430", "2026-W18-4"]
)
def test_parse_iso_date_is_strict(text: str) -> None:
    with pytest.raises(DateError, match=f'"{text}"'):
        parse_iso_date(text)


def test_format_date() -> None:
    assert format_date(D(2026, 4, 30)) == "2026-04-30"
    assert format_date(D(2026, 1, 5)) == "2026-01-05"


def test_format_date_long() -> None:
    assert format_date_long(D(2026, 4, 30)) == "30 Apr 2026"
    assert format_date_long(D(2026, 9, 1)) == "1 Sep 2026"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("end of Q3 2026", '"end of Q3 2026" → 2026-09-30 (Wed)'),
        ("April 2026", '"April 2026" → 2026-04-30 (Thu)'),
        ("  by   March 2027 ", '"by March 2027" → 2027-03-31 (Wed)'),
        ("quý III/2026", '"quý III/2026" → 2026-09-30 (Wed)'),
    ],
)
def test_describe_resolution(text: str, shown: str) -> None:
    assert describe_resolution(text) == shown


def test_describe_resolution_raises_for_bad_text() -> None:
    with pytest.raises(DateError, match='"soonish"'):
        describe_resolution("soonish")


@pytest.mark.parametrize(
    ("offset", "wording"),
    [
        (0, "due today"),
        (1, "1 day left"),
        (12, "12 days left"),
        (-1, "1 day late"),
        (-9, "9 days late"),
        (400, "400 days left"),
    ],
)
def test_relative_days(offset: int, wording: str) -> None:
    today = D(2026, 4, 29)
    assert relative_days(today + timedelta(days=offset), today) == wording


@pytest.mark.parametrize(
    ("offset", "wording"), [(0, "today"), (1, "1d left"), (35, "35d left"), (-9, "9d late")]
)
def test_short_relative(offset: int, wording: str) -> None:
    today = D(2026, 4, 29)
    assert short_relative(today + timedelta(days=offset), today) == wording


# --------------------------------------------------------------------------- time zone


def test_default_timezone_is_known() -> None:
    assert DEFAULT_TIMEZONE == "Asia/Ho_Chi_Minh"
    assert get_zone(DEFAULT_TIMEZONE).utcoffset(datetime(2026, 4, 30)) == timedelta(hours=7)


def test_today_in_after_midnight_in_hanoi() -> None:
    now = datetime(2026, 4, 29, 18, 30, tzinfo=timezone.utc)  # 01:30 on 30 April in Hanoi
    assert today_in("Asia/Ho_Chi_Minh", now) == D(2026, 4, 30)
    assert today_in("UTC", now) == D(2026, 4, 29)


def test_today_in_just_before_midnight_in_hanoi() -> None:
    now = datetime(2026, 4, 29, 16, 59, tzinfo=timezone.utc)  # 23:59 on 29 April in Hanoi
    assert today_in(DEFAULT_TIMEZONE, now) == D(2026, 4, 29)


def test_today_in_takes_a_naive_now_as_utc() -> None:
    assert today_in(DEFAULT_TIMEZONE, datetime(2026, 4, 29, 18, 30)) == D(2026, 4, 30)


def test_today_in_other_zone_behind_utc() -> None:
    now = datetime(2026, 4, 30, 3, 0, tzinfo=timezone.utc)
    assert today_in("America/New_York", now) == D(2026, 4, 29)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "Asia", "../etc/passwd", "a\x00b"])
def test_bad_zone_name(name: str) -> None:
    with pytest.raises(DateError) as caught:
        get_zone(name)
    assert str(caught.value) == f'unknown time zone "{name}"'


def test_today_in_bad_zone() -> None:
    with pytest.raises(DateError, match="unknown time zone"):
        today_in("Hanoi", datetime(2026, 4, 29, tzinfo=timezone.utc))


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
        ("FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1",
         "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"),
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
    assert issubclass(RecurrenceError, ValueError)


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
        D(2026, 1, 30), D(2026, 2, 28), D(2026, 3, 30), D(2026, 4, 30),
    ]


def test_monthly_from_a_month_end_stays_on_month_ends() -> None:
    assert occurrences("monthly", D(2026, 4, 30), D(2026, 7, 31)) == [
        D(2026, 4, 30), D(2026, 5, 31), D(2026, 6, 30), D(2026, 7, 31),
    ]


def test_monthly_from_the_28th_stays_on_the_28th() -> None:
    assert occurrences("monthly", D(2026, 2, 28), D(2026, 4, 30)) == [
        D(2026, 2, 28), D(2026, 3, 28), D(2026, 4, 28),
    ]


def test_yearly_from_29_february() -> None:
    assert occurrences("yearly", D(2028, 2, 29), D(2032, 12, 31)) == [
        D(2028, 2, 29), D(2029, 2, 28), D(2030, 2, 28), D(2031, 2, 28), D(2032, 2, 29),
    ]


def test_explicit_by_parts_are_kept() -> None:
    rule = "FREQ=MONTHLY;BYDAY=-1FR"  # the last Friday of each month
    assert occurrences(rule, D(2026, 1, 1), D(2026, 3, 31)) == [
        D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 27),
    ]


def test_last_working_day_of_each_month() -> None:
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
    assert occurrences(rule, D(2026, 1, 1), D(2026, 5, 31)) == [
        D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 29),
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
        D(2026, 4, 6), D(2026, 4, 13), D(2026, 4, 20), D(2026, 4, 27),
    ]


def test_occurrences_limit_and_empty_ranges() -> None:
    assert occurrences("daily", D(2026, 1, 1), D(2030, 1, 1), limit=3) == [
        D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3),
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


def test_importing_dates_loads_neither_rrule_nor_parser() -> None:
    code = (
        "import sys, actionplan.dates as d; "
        "assert 'dateutil.rrule' not in sys.modules; "
        "d.validate_rrule('FREQ=MONTHLY;UNTIL=20271231'); "
        "d.next_occurrence('FREQ=MONTHLY;UNTIL=20271231', d.date(2026, 1, 1), d.date(2026, 2, 1)); "
        "assert 'dateutil.rrule' in sys.modules; "
        "assert 'dateutil.parser' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- properties

valid_dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))


@given(valid_dates)
def test_iso_round_trip(d: date) -> None:
    assert parse_deadline(d.isoformat()) == d
    assert parse_iso_date(format_date(d)) == d


@given(valid_dates)
def test_day_first_round_trip(d: date) -> None:
    assert parse_deadline(f"{d.day}/{d.month}/{d.year}") == d
    assert parse_deadline(f"{d.day:02d}.{d.month:02d}.{d.year}") == d


@given(valid_dates)
def test_long_format_round_trip(d: date) -> None:
    assert parse_deadline(format_date_long(d)) == d


@given(valid_dates)
def test_month_forms_give_the_last_day_of_the_month(d: date) -> None:
    resolved = parse_deadline(f"{d.month}/{d.year}")
    assert (resolved.year, resolved.month) == (d.year, d.month)
    assert (resolved + timedelta(days=1)).day == 1
    assert parse_deadline(f"tháng {d.month}/{d.year}") == resolved


@given(st.text())
@settings(max_examples=300)
def test_parse_deadline_only_raises_date_error(text: str) -> None:
    try:
        result = parse_deadline(text)
    except DateError as exc:
        assert "cannot read deadline" in str(exc)
    else:
        assert isinstance(result, date)
        assert 1900 <= result.year <= 2200


deadline_like = st.builds(
    lambda words: " ".join(words),
    st.lists(
        st.sampled_from(
            ["by", "end", "of", "the", "Q3", "H2", "quý", "III", "tháng", "năm", "April", "30",
             "4/2026", "2026", "/", "-", "first", "half", "99", "31/2/2026", "before", "cuối"]
        ),
        max_size=6,
    ),
)


@given(deadline_like)
def test_parse_deadline_near_misses_only_raise_date_error(text: str) -> None:
    try:
        assert isinstance(parse_deadline(text), date)
    except DateError:
        pass


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
            ["FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "FREQ=HOURLY",
             "INTERVAL=2", "INTERVAL=0", "COUNT=3", "UNTIL=20271231", "UNTIL=20270230",
             "BYDAY=MO", "BYDAY=-1FR", "BYDAY=2TU", "BYMONTHDAY=-1", "BYMONTHDAY=31",
             "BYMONTH=2", "BYMONTH=12", "BYSETPOS=1", "BYSETPOS=-1", "BYWEEKNO=20",
             "BYYEARDAY=100", "WKST=SU", "BYHOUR=9", "X=1", "=", ""]
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
