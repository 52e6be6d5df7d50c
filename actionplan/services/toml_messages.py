"""The TOML parser's syntax messages, in the user's language.

tomli (and the standard library's tomllib, the same parser) raises ``TOMLDecodeError`` with an
English text such as ``Invalid value (at line 6, column 9)``.  English output keeps that text
as it is; in another language the known messages are translated here, with their values (a
character, a key) kept.  A message this table does not know stays as the parser wrote it.
"""

from __future__ import annotations

import ast
import re

from actionplan.core import i18n
from actionplan.core.i18n import N_, _

_REPR = "'.*'|\".*\""  # a character or a text as Python's repr() writes it
#: What the parser says (a pattern over its text) and the catalogue message for it.  The
#: placeholders take the pattern's named groups.
_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), message)
    for pattern, message in (
        (r"Invalid statement", N_("Invalid statement")),
        (
            r"Expected newline or end of document after a statement",
            N_("Expected newline or end of document after a statement"),
        ),
        (r"Expected '=' after a key in a key/value pair", N_("Expected '=' after a key in a key/value pair")),
        (r"Expected ']' at the end of a table declaration", N_("Expected ']' at the end of a table declaration")),
        (r"Expected ']]' at the end of an array declaration", N_("Expected ']]' at the end of an array declaration")),
        ("Expected (?P<expected>" + _REPR + ")", N_("Expected {expected}")),
        ("Found invalid character (?P<character>" + _REPR + ")", N_("Found invalid character {character}")),
        ("Illegal character (?P<character>" + _REPR + ")", N_("Illegal character {character}")),
        (r"Cannot declare (?P<key>.*) twice", N_("Cannot declare {key} twice")),
        (r"Cannot overwrite a value", N_("Cannot overwrite a value")),
        (r"Cannot mutate immutable namespace (?P<key>.*)", N_("Cannot mutate immutable namespace {key}")),
        (r"Cannot redefine namespace (?P<key>.*)", N_("Cannot redefine namespace {key}")),
        (r"Duplicate inline table key (?P<key>.*)", N_("Duplicate inline table key {key}")),
        (r"Invalid initial character for a key part", N_("Invalid initial character for a key part")),
        (r"Unclosed array", N_("Unclosed array")),
        (r"Unclosed inline table", N_("Unclosed inline table")),
        (r"Unescaped '\\' in a string", N_("Unescaped '\\' in a string")),
        (r"Invalid hex value", N_("Invalid hex value")),
        (r"Escaped character is not a Unicode scalar value", N_("Escaped character is not a Unicode scalar value")),
        (r"Unterminated string", N_("Unterminated string")),
        (r"Invalid date or datetime", N_("Invalid date or datetime")),
        (r"Invalid value", N_("Invalid value")),
    )
)
_WHERE = re.compile(r"(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)", re.S)


def toml_problem(error: ValueError, text: str) -> tuple[int, str]:
    """The line of *text* a ``TOMLDecodeError`` points at, and its message in the current language."""
    said = str(error)
    where = _WHERE.fullmatch(said)
    if where is None:  # not the parser's usual shape: say it as it is
        return 1, said
    if where.group("line"):
        line = int(where.group("line"))
    else:  # the end of the document: its last line
        line = max(1, text.rstrip("\n").count("\n") + 1)
    if i18n.language() == "en":
        return line, said
    message = _translated(where.group("message"))
    if where.group("line"):
        return line, _("{message} (at line {line}, column {column})").format(
            message=message, line=where.group("line"), column=where.group("column")
        )
    return line, _("{message} (at end of document)").format(message=message)


def _translated(message: str) -> str:
    for pattern, catalogued in _KNOWN:
        match = pattern.fullmatch(message)
        if match:
            values = {name: _key(value) if name == "key" else value for name, value in match.groupdict().items()}
            return _(catalogued).format(**values)
    return message


def _key(text: str) -> str:
    """``('tasks', 'kpi')`` (how the parser writes a key) → ``tasks.kpi``; a quoted key loses its quotes."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(value, tuple) and all(isinstance(part, str) for part in value):
        return ".".join(value)
    return value if isinstance(value, str) else text
