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
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", value)


def fold(value: str) -> str:
    """Lower-case, accent-free form of *value* for search and sorting."""
    decomposed = unicodedata.normalize("NFD", value.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_SPECIAL).casefold()


def sort_key(value: str) -> tuple[str, str]:
    """Key that sorts Vietnamese text sensibly (folded first, then exact)."""
    return (fold(value), value)


def key_sort(key: str) -> tuple:
    """Sort task keys numerically by part: 1, 1.2, 1.10, 2."""
    parts: list[tuple[int, int | str]] = []
    for part in key.split("."):
        parts.append((0, int(part)) if part.isdigit() else (1, part))
    return tuple(parts)
