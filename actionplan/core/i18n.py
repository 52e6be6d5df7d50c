"""One gettext function for every message the program itself shows.

A Vietnamese interface can follow by installing a catalogue; until then the
English text is returned unchanged.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

_LOCALE_DIR = Path(__file__).parents[1] / "locale"
_translation = _gettext.translation("actionplan", localedir=_LOCALE_DIR, fallback=True)


def _(message: str) -> str:
    """Translate a message of the program (not user data)."""
    return _translation.gettext(message)


def n_(singular: str, plural: str, n: int) -> str:
    """Translate a message whose form depends on a count ("1 task", "2 tasks")."""
    return _translation.ngettext(singular, plural, n)
