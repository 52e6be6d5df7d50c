"""One gettext function for every message the program itself shows, and the language choice.

The English text in the source is the message id; the Vietnamese catalogue lives in
``actionplan/locale/vi/LC_MESSAGES/actionplan.mo`` (compiled from the ``.po`` beside it and
shipped in the package, so a plain install needs no build step).  Loading a ``.mo`` is cheap;
Babel (for dates and numbers) is imported only by :mod:`actionplan.core.l10n`, and only when
the output is Vietnamese.

The language is chosen once per process, before anything is shown (see
:func:`choose_language`): ``--lang``, else ``$ACTIONPLAN_LANG``, else the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else the committee's default stored in the database.
Messages with values use named placeholders (``_("{n} tasks").format(n=3)``) or
:func:`ngettext`, so a translation may put the words in its own order.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "N_",
    "NN_",
    "_",
    "choose_language",
    "is_explicit",
    "language",
    "language_from_locale",
    "ngettext",
    "pgettext",
    "normalise_language",
    "set_language",
]

LOCALE_DIR = Path(__file__).parents[1] / "locale"
DOMAIN = "actionplan"
#: The languages the program speaks; English is the source text and the default.
LANGUAGES: tuple[str, ...] = ("en", "vi")

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"
_explicit = False


def _(message: str) -> str:
    """Translate a message of the program (not user data)."""
    return _translation.gettext(message)


def n_(singular: str, plural: str, n: int) -> str:
    """Translate a message whose form depends on a count ("1 task", "2 tasks")."""
    return _translation.ngettext(singular, plural, n)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message whose wording depends on the number *n* (Vietnamese has one form)."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate a short word whose meaning depends on where it stands ("Open" as a column, not a key)."""
    return _translation.pgettext(context, message)


def N_(message: str) -> str:
    """Mark *message* for the catalogue without translating it now (it is translated where shown)."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for the catalogue without translating it now (another library's message)."""
    return singular, plural


def language() -> str:
    """The language messages are shown in now: ``"en"`` or ``"vi"``."""
    return _language


def is_explicit() -> bool:
    """Whether the language was chosen by ``--lang``, the environment or the locale (not the database)."""
    return _explicit


def normalise_language(value: str | None) -> str | None:
    """``"vi"``, ``"vi_VN.UTF-8"``, ``"VI"`` → ``"vi"``; ``"en_GB"`` → ``"en"``; anything else → None."""
    if not value:
        return None
    code = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def language_from_locale(environ: Mapping[str, str]) -> str | None:
    """The language the POSIX locale asks for, or None when it says nothing usable (unset, C, POSIX).

    ``LC_ALL`` overrides ``LC_MESSAGES``, which overrides ``LANG``, as in every POSIX program.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return normalise_language(value)
    return None


def choose_language(option: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The language from ``--lang``, else ``$ACTIONPLAN_LANG``, else the locale; None leaves it to the database.

    Raises ValueError for a ``--lang`` or ``$ACTIONPLAN_LANG`` the program does not speak.
    """
    env = os.environ if environ is None else environ
    for given, where in ((option, "--lang"), (env.get("ACTIONPLAN_LANG"), "$ACTIONPLAN_LANG")):
        if given:
            chosen = normalise_language(given)
            if chosen is None:
                raise ValueError(
                    _('{where}: unknown language "{value}" (use one of {known})').format(
                        where=where, value=given, known=", ".join(LANGUAGES)
                    )
                )
            return chosen
    return language_from_locale(env)


def set_language(code: str, *, explicit: bool = True) -> None:
    """Show every message from now on in *code* (``"en"`` or ``"vi"``).

    *explicit* records that the user chose it (``--lang``, environment, locale), so the
    committee's default stored in a database does not override it.
    """
    global _translation, _language, _explicit
    chosen = normalise_language(code) or "en"
    if chosen == "en":
        _translation = _gettext.NullTranslations()
    else:
        _translation = _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[chosen], fallback=True)
    _language = chosen
    _explicit = explicit


def apply_committee_default(value: str | None) -> None:
    """Use the committee's stored language unless the user already chose one."""
    if not _explicit and normalise_language(value):
        set_language(value or "en", explicit=False)


@dataclass(frozen=True)
class LanguageSwitch:
    """What the terminal UI returns when the user switches language: show it again in *lang*, on *mode*."""

    lang: str
    mode: str = "dashboard"
