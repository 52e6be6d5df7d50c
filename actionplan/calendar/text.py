r"""A small, fast iCalendar content-line writer that writes what icalendar 7 writes.

icalendar's serialiser handles about 2,000 events a second (its line
folding walks every character in Python), too slow for an export of 10,000
tasks.  The functions here produce the same bytes for the few value types
the export uses: TEXT (escaped like ``icalendar.parser.string._escape_char``,
except that a literal ``\N`` stays text: see :func:`escape_text`),
DATE, UTC DATE-TIME and DURATION (an INTEGER is just ``str()``), in lines
folded like ``_foldline``.  tests/test_ical_writer.py holds them to
icalendar's own output.

Nothing here imports icalendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

CRLF = "\r\n"
#: icalendar folds a line once it would reach this many octets (so a line holds at most 74).
FOLD_LIMIT = 75
_FOLD_SEP = b"\r\n "
_ESCAPED_AT_END = (0x5C, 0x5E)  # "\" and "^" are never left at the end of a folded line
#: A line shorter than this many characters is shorter than FOLD_LIMIT octets (UTF-8: at most 4 a character).
_SHORT = (FOLD_LIMIT + 3) // 4


def escape_text(value: str) -> str:
    r"""A TEXT value escaped as RFC 5545 3.3.11 asks.

    Backslash, semicolon and comma are escaped, and CRLF, LF and a lone CR
    all become ``\n``.  Unlike icalendar, which first turns ``\N`` into a
    line break (taking its input to be half-escaped already), a title that
    holds the two characters ``\N`` keeps them: they are written ``\\N``,
    which every reader gives back as ``\N``.
    """
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    value = value.replace(";", "\\;").replace(",", "\\,")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """*line* folded as icalendar 7.3.2's ``_foldline`` folds it (CRLF + space).

    A line of 75 UTF-8 octets or more is cut into pieces of at most 74
    octets, each as long as possible without splitting a character; when a
    piece of more than one character would end in a backslash or ``^``, that
    character moves to the next piece (so an escape is never split).
    """
    if len(line) < _SHORT:  # fewer than 75 octets whatever the characters: most lines
        return line
    encoded = line.encode("utf-8")
    size = len(encoded)
    if size < FOLD_LIMIT:
        return line
    pieces = []
    start = 0
    while size - start >= FOLD_LIMIT:
        end = start + FOLD_LIMIT - 1
        while (encoded[end] & 0xC0) == 0x80:  # inside a character: cut before it
            end -= 1
        if encoded[end - 1] in _ESCAPED_AT_END and end - 1 > start:
            end -= 1
        pieces.append(encoded[start:end])
        start = end
    pieces.append(encoded[start:])
    return _FOLD_SEP.join(pieces).decode("utf-8")


def line(name: str, value: str) -> str:
    """One folded content line ``NAME:value`` with its CRLF (*value* already in iCal form)."""
    return fold(f"{name}:{value}") + CRLF


def text_list(values: Iterable[str]) -> str:
    """A multi-valued TEXT value (CATEGORIES): each escaped, joined by commas."""
    return ",".join(escape_text(v) for v in values)


def date_value(day: date) -> str:
    """A DATE value: ``20261231`` (*day* a date, not a datetime)."""
    return day.isoformat().replace("-", "")  # isoformat pads the year to four digits too


def utc_value(moment: datetime) -> str:
    """A UTC DATE-TIME value, ``20261126T030000Z`` (*moment* must already be in UTC)."""
    return f"{moment.year:04}{moment.month:02}{moment.day:02}T{moment.hour:02}{moment.minute:02}{moment.second:02}Z"


@lru_cache(maxsize=256)
def duration_value(delta: timedelta) -> str:
    """A DURATION value as icalendar writes it: ``-P6DT15H``, ``-PT15H``, ``PT9H``, ``-P1D``."""
    sign = ""
    if delta.days < 0:
        sign = "-"
        delta = -delta
    clock = ""
    if delta.seconds:
        hours, minutes, seconds = delta.seconds // 3600, delta.seconds % 3600 // 60, delta.seconds % 60
        clock = "T"
        if hours:
            clock += f"{hours}H"
        if minutes or (hours and seconds):
            clock += f"{minutes}M"
        if seconds:
            clock += f"{seconds}S"
    if delta.days == 0 and clock:
        return f"{sign}P{clock}"
    return f"{sign}P{abs(delta.days)}D{clock}"


def utc_offset_value(offset: timedelta) -> str:
    """A UTC-OFFSET value as icalendar writes it: ``+0700``, ``-0330``, ``+054530``."""
    sign = "-" if offset < timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    hours, minutes, rest = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return f"{sign}{hours:02}{minutes:02}" + (f"{rest:02}" if rest else "")


_PARAM_ESCAPES = {"^": "^^", "\r\n": "^n", "\r": "^n", "\n": "^n", '"': "^'"}
_PARAM_SPECIAL = re.compile(r"\^|\r\n|\r|\n|\"")
_PARAM_QUOTED = re.compile("[,;:\u2019]")


def param_value(value: str) -> str:
    """A CN parameter value as icalendar writes it: RFC 6868 escapes; quoted when it holds , ; or :
    or, as written, a space or an apostrophe."""
    quote = " " in value or "'" in value
    value = _PARAM_SPECIAL.sub(lambda m: _PARAM_ESCAPES[m.group(0)], value)
    return f'"{value}"' if quote or _PARAM_QUOTED.search(value) else value
