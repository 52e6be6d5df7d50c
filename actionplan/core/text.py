"""Text rules shared by every front end: NFC normalisation and diacritic folding.

Plan data is often Vietnamese.  Text is stored NFC-normalised; search and
sorting use a folded form so "bo cong an" finds "Bộ Công an".
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u2028\u2029]")
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "ø": "o", "ß": "ss"})


def clean(value: str) -> str:
    """NFC-normalise user text and drop control characters except tab and newline."""
    if value.isprintable() and (value.isascii() or unicodedata.is_normalized("NFC", value)):
        return value  # nothing to do (and common: keys, one-line fields, text cleaned before)
    # control characters go first: dropped after normalising, one could leave text that is
    # no longer NFC ("H\x08\u0323"), and cleaning it again would change it
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", value)


# Anything but ASCII and the combining marks of Latin letters (U+0300..U+036F without the
# grapheme joiner U+034F).  Between such characters the text is folded by dropping its
# non-ASCII characters in C, rather than testing every character in Python.
# (Speed: folding every task's words dominated a 100k-task import.)
_NOT_LATIN = re.compile("([^\x00-\x7f\u0300-\u034e\u0350-\u036f])")
_SPECIAL_PAIRS = (("đ", "d"), ("Đ", "d"), ("ð", "d"), ("ł", "l"), ("ø", "o"), ("ß", "ss"))


def _special(value: str) -> str:
    """``value.translate(_SPECIAL)``, faster: most text holds none of these letters."""
    for letter, plain in _SPECIAL_PAIRS:
        if letter in value:
            value = value.replace(letter, plain)
    return value


def clean_line(value: str) -> str:
    """clean() for one-line fields (titles, names, tags): line breaks and tabs become spaces."""
    value = clean(value)
    if "\n" in value or "\t" in value:
        value = " ".join(value.split())
    return value


def fold(value: str) -> str:
    """Lower-case, accent-free form of *value* for search and sorting."""
    if value.isascii():
        return value.casefold()
    parts = _NOT_LATIN.split(unicodedata.normalize("NFD", _special(value)))
    if len(parts) == 1:  # ASCII letters and Latin marks only (all Vietnamese text)
        return parts[0].encode("ascii", "ignore").decode("ascii").casefold()
    kept = [
        part.encode("ascii", "ignore").decode("ascii") if i % 2 == 0 else part
        for i, part in enumerate(parts)
        if i % 2 == 0 or not unicodedata.combining(part)
    ]
    return _special("".join(kept)).casefold()


def key_sort(key: str) -> tuple:
    """Sort task keys numerically by part: 1, 1.2, 1.10, 2."""
    parts: list[tuple[int, int | str]] = []
    for part in key.split("."):
        parts.append((0, int(part)) if part.isdigit() else (1, part))
    return tuple(parts)
