"""The command line in the user's language: the ``--lang`` choice and translated ``--help``.

Click reads a command's help from its docstring and an option's from ``help=`` when the
module is imported, before anyone has chosen a language.  So the English text stays the
message id and :class:`TranslatedCommand` translates it when the help is shown; the
Babel extractor in :mod:`actionplan.locale.extract` puts those texts in the catalogue.
Click's own words ("Usage:", "Options", its error messages) go through our catalogue too.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from actionplan.core import i18n
from actionplan.core.i18n import N_, NN_

#: Click's own messages that a user of this program meets, translated in our catalogue.
CLICK_MESSAGES = (
    N_("Usage:"),
    N_("[OPTIONS]"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Aborted!"),
    N_("required"),
    N_("default: {default}"),
    N_("Missing command."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("%(prog)s, version %(version)s"),
    N_("integer"),
    N_("Missing parameter: {param_name}"),
    N_("Option {name!r} does not take a value."),
    N_("Choose from:\n\t{choices}"),
)
#: Click's messages with a singular and a plural (Vietnamese says both alike).
CLICK_PLURALS = (
    NN_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    NN_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    NN_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    NN_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)

#: The placeholders of options and arguments (``--deadline DATE``, ``PLAN``), translated when the help is shown.
METAVARS = (
    N_("ADDRESS"),
    N_("ADDRESSES"),
    N_("ARGS"),
    N_("ASSIGNMENTS"),
    N_("COMMAND"),
    N_("DATE"),
    N_("DAYS"),
    N_("DIR"),
    N_("FILE"),
    N_("ID"),
    N_("INTEGER"),
    N_("INTEGER RANGE"),
    N_("KEY"),
    N_("KEYS"),
    N_("LABEL"),
    N_("LEVEL"),
    N_("N"),
    N_("NAME"),
    N_("OFFSET"),
    N_("OFFSETS"),
    N_("ORG"),
    N_("ORGS"),
    N_("PATH"),
    N_("PERIOD"),
    N_("PLAN"),
    N_("QUERY"),
    N_("SPAN"),
    N_("STATUS"),
    N_("TAG"),
    N_("TASK"),
    N_("TEXT"),
    N_("WHO"),
    N_("WORDS"),
    N_("ZONE"),
)
#: A placeholder, or several in a row ("INTEGER RANGE", which Vietnamese says in one word).
_PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_]*(?: [A-Z][A-Z_]*)*\b")

_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def _click_gettext(message: str) -> str:
    return i18n._(message)


def placeholder(words: str) -> str:
    """A placeholder as ``--help`` writes it in the current language (``OFFSETS`` -> ``BÁO_TRƯỚC``),
    for an error that names one; *words* must be in :data:`METAVARS`."""
    return words if i18n.language() == "en" else _PLACEHOLDER.sub(_placeholder, words)


_click_argument_hint = click.Argument.get_error_hint


def _argument_hint(self: click.Argument, ctx: click.Context | None) -> str:
    """An argument named by an error (``Missing argument 'TASK'``) as its placeholder reads in ``--help``."""
    return placeholder(_click_argument_hint(self, ctx))


def localise_click() -> None:
    """Make click's own ``gettext`` calls use our catalogue (English stays English)."""
    import importlib

    click.Argument.get_error_hint = _argument_hint  # type: ignore[method-assign]

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is not None:
            module._ = _click_gettext  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is not None:
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def _tr(text: str | None) -> str | None:
    return i18n._(inspect.cleandoc(text)) if text else text


@contextmanager
def _translated(command: click.Command, ctx: click.Context | None = None) -> Iterator[None]:
    """Show *command*'s help, epilog and option help in the current language while formatting."""
    if i18n.language() == "en":
        yield
        return
    saved: list[tuple[Any, str, Any]] = []
    params = command.get_params(ctx) if ctx is not None else command.params
    for obj, attr in [(command, "help"), (command, "epilog"), (command, "short_help")] + [(p, "help") for p in params]:
        value = getattr(obj, attr, None)
        if value:
            saved.append((obj, attr, value))
            setattr(obj, attr, _tr(value))
    for param in params:
        if isinstance(param, click.Option) and param.is_flag:
            continue
        shown = param.make_metavar(ctx) if ctx is not None else param.metavar
        if shown:
            saved.append((param, "metavar", param.metavar))
            param.metavar = _PLACEHOLDER.sub(_placeholder, shown)
    try:
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


def _placeholder(match: re.Match[str]) -> str:
    words = match.group()
    if words in METAVARS:
        return i18n._(words).replace(" ", "_")  # one word, as click writes it
    return " ".join(i18n._(w).replace(" ", "_") if w in METAVARS else w for w in words.split(" "))


class TranslatedCommand(click.Command):
    """A command whose ``--help`` speaks the chosen language."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self):
            return super().get_short_help_str(limit)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        if i18n.language() == "en":
            return pieces
        # the placeholders of "Usage:", also in the usage line of an error (shown outside --help)
        return [i18n._(p) if p == "[OPTIONS]" else _PLACEHOLDER.sub(_placeholder, p) for p in pieces]


class TranslatedGroup(TranslatedCommand, click.Group):
    """A group whose commands (and subgroups) are :class:`TranslatedCommand` s."""

    command_class = TranslatedCommand
    group_class = type

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        translate_command(cmd)
        super().add_command(cmd, name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            start_language()
        return super().parse_args(ctx, args)


def translate_command(cmd: click.Command) -> None:
    """Give a command declared with plain ``@click.command()`` (in any module) translated help."""
    if isinstance(cmd, click.Group) and not isinstance(cmd, TranslatedGroup):
        if type(cmd) is click.Group:
            cmd.__class__ = TranslatedGroup
        for sub in cmd.commands.values():
            translate_command(sub)
    elif type(cmd) is click.Command:
        cmd.__class__ = TranslatedCommand


def start_language() -> None:
    """Choose the language from the environment and the locale before the options are read."""
    try:
        chosen = i18n.choose_language(None)
    except ValueError as e:
        i18n.set_language("en", explicit=False)
        raise click.UsageError(str(e)) from None
    i18n.set_language(chosen or "en", explicit=chosen is not None)
    if chosen == "vi":
        localise_click()


def lang_option_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--lang``: overrides the environment, the locale and the committee's default."""
    if value:
        i18n.set_language(value, explicit=True)
        if value == "vi":
            localise_click()
    return value
