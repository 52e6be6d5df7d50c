"""Tests for actionplan.core.dates: deadlines, formatting and time zone.

No test reads the clock: every "today" and "now" is passed in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionplan.core.dates import (
    ACCEPTED_FORMS,
    DEFAULT_TIMEZONE,
    DateError,
    describe_resolution,
    format_date,
    format_date_long,
    get_zone,
    parse_deadline,
    parse_iso_date,
    relative_days,
    short_relative,
    today_in,
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


@pytest.mark.parametrize("example", [form.split(" (")[0] for form in ACCEPTED_FORMS], ids=lambda form: form)
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
    """Callers that catch ValueError (as parsers are expected to raise) catch a bad date too."""
    with pytest.raises(ValueError) as caught:
        parse_deadline("soonish")
    assert isinstance(caught.value, DateError) and "soonish" in str(caught.value)


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


@pytest.mark.parametrize("text", ["", "2026-4-30", "30/4/2026", "April 2026", "2026-02-30", "20260430", "2026-W18-4"])
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


@pytest.mark.parametrize(("offset", "wording"), [(0, "today"), (1, "1d left"), (35, "35d left"), (-9, "9d late")])
def test_short_relative(offset: int, wording: str) -> None:
    today = D(2026, 4, 29)
    assert short_relative(today + timedelta(days=offset), today) == wording


# --------------------------------------------------------------------------- time zone


def test_default_timezone_is_known() -> None:
    assert DEFAULT_TIMEZONE == "Asia/Ho_Chi_Minh"
    assert get_zone(DEFAULT_TIMEZONE).utcoffset(datetime(2026, 4, 30)) == timedelta(hours=7)


def test_today_in_after_midnight_in_hanoi() -> None:
    now = datetime(2026, 4, 29, 18, 30, tzinfo=UTC)  # 01:30 on 30 April in Hanoi
    assert today_in("Asia/Ho_Chi_Minh", now) == D(2026, 4, 30)
    assert today_in("UTC", now) == D(2026, 4, 29)


def test_today_in_just_before_midnight_in_hanoi() -> None:
    now = datetime(2026, 4, 29, 16, 59, tzinfo=UTC)  # 23:59 on 29 April in Hanoi
    assert today_in(DEFAULT_TIMEZONE, now) == D(2026, 4, 29)


def test_today_in_takes_a_naive_now_as_utc() -> None:
    assert today_in(DEFAULT_TIMEZONE, datetime(2026, 4, 29, 18, 30)) == D(2026, 4, 30)


def test_today_in_other_zone_behind_utc() -> None:
    now = datetime(2026, 4, 30, 3, 0, tzinfo=UTC)
    assert today_in("America/New_York", now) == D(2026, 4, 29)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "Asia", "../etc/passwd", "a\x00b"])
def test_bad_zone_name(name: str) -> None:
    with pytest.raises(DateError) as caught:
        get_zone(name)
    assert str(caught.value) == f'unknown time zone "{name}"'


def test_today_in_bad_zone() -> None:
    with pytest.raises(DateError, match="unknown time zone"):
        today_in("Hanoi", datetime(2026, 4, 29, tzinfo=UTC))


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
            [
                "by",
                "end",
                "of",
                "the",
                "Q3",
                "H2",
                "quý",
                "III",
                "tháng",
                "năm",
                "April",
                "30",
                "4/2026",
                "2026",
                "/",
                "-",
                "first",
                "half",
                "99",
                "31/2/2026",
                "before",
                "cuối",
            ]
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
