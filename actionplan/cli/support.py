"""What the command modules share: the CLI context, error handling, dates, output.

``actionplan.cli.main`` holds the click group and the core plan and task commands;
the other ``actionplan.cli_*`` modules hold the commands of one concept each
(calendar, digest, maintenance).  All of them import their helpers from here and
never from ``actionplan.cli.main``, so there is no import cycle.  Keep this module
light: ``actionplan list`` imports it.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import click

from actionplan.core.i18n import _

if TYPE_CHECKING:
    from actionplan.calendar.side_process import SideProcess
    from actionplan.store import Store

__all__ = [
    "Context",
    "_handle",
    "_resolver",
    "_write_out",
    "fail",
    "format_table",
    "parse_day",
    "pass_ctx",
    "task_json",
    "today_for",
]


class Context:
    """What every command needs: the chosen database and the actor."""

    def __init__(self, db: str | None, actor: str | None) -> None:
        self.db_option = db
        self.actor = actor
        self._store: Store | None = None
        self._side: SideProcess | None = None
        #: only `init` and `import` may create a database at a path given with --db / $ACTIONPLAN_DB
        self.may_create = False

    def close(self) -> None:
        """Close the database when the command ends (also when it fails)."""
        if self._side is not None:
            self._side.close()
            self._side = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def side_process(self) -> SideProcess | None:
        """A second process for a big calendar export, forked while the database is not open yet
        (see :mod:`actionplan.calendar.side_builder`); None once it is, or without a second core.
        It ends with the command."""
        if self._store is None and self._side is None:
            from actionplan.calendar import side_builder

            self._side = side_builder.start()
        return self._side

    @property
    def store(self) -> Store:
        if self._store is None:
            from actionplan.services.config import choose_db, open_store

            choice = choose_db(self.db_option)  # an unusable name: an ActionPlanError for _handle
            if not choice.is_default and not choice.path.exists() and not self.may_create:
                raise click.ClickException(
                    f"{choice.path}: "
                    + _("no database there. Create it with")
                    + f" `actionplan --db {choice.path} init`"
                    + " ("
                    + _("--empty for none of the sample plans")
                    + "), "
                    + _("or import a plan file into it.")
                )
            try:
                self._store = open_store(choice, self.actor, on_wait=_tell_waiting)
            except sqlite3.Error as e:  # not a database, locked, unreadable
                raise click.ClickException(f"{choice.path}: {e}") from None
            from actionplan.core.i18n import apply_committee_default

            apply_committee_default(self._store.get_setting("language"))
        return self._store


pass_ctx = click.make_pass_decorator(Context)


def _tell_waiting(message: str) -> None:
    """The store waits for another writer: say so on standard error (the UI shows it as a notice)."""
    click.echo(message, err=True)


def fail(message: str) -> None:
    raise click.ClickException(message)


def _handle(fn):
    """The one place the program's own errors become messages and exit codes.

    Every error a user can cause is an ActionPlanError: its message (with the field
    or file:line it names) on standard error, exit code 1.  Plan-file problems are
    listed one a line, then how many there were.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from actionplan.core.errors import ActionPlanError, PlanFileError

        try:
            return fn(*args, **kwargs)
        except PlanFileError as e:
            for problem in e.problems:
                click.echo(_("error: {problem}").format(problem=problem), err=True)
            click.echo(_("Nothing was imported") + f" ({len(e.problems)} " + _("problem(s)") + ").", err=True)
            raise SystemExit(1) from None
        except ActionPlanError as e:
            raise click.ClickException(str(e)) from None
        except sqlite3.DatabaseError as e:  # one the store's connection did not see (a fetch while iterating)
            from actionplan.store.connection import translate

            mapped = translate(e)
            if mapped is None:
                raise
            raise click.ClickException(str(mapped)) from None

    return wrapper


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    from actionplan.core.dates import DateError, parse_deadline

    try:
        return parse_deadline(value)
    except DateError as e:
        raise click.BadParameter(str(e), param_hint=option) from None


def today_for(ctx: Context, as_of: str | None) -> date:
    return parse_day(as_of, "--as-of") or ctx.store.today()


# --- output -------------------------------------------------------------------------------------


def _write_out(text: str, out: str | None) -> None:
    """*text* to standard output (no FILE, or ``-``), else to FILE by :mod:`actionplan.services.output`."""
    if out is None or out == "-":
        click.echo(text, nl=False)
        return
    from actionplan.core.errors import OutputError
    from actionplan.services.output import write_text

    try:
        write_text(out, text)
    except OutputError as e:
        fail(str(e))
    click.echo(_("Wrote") + f" {out}", err=True)


def _cell(value: str, width: int) -> str:
    value = value.replace("\n", " ")
    if len(value) > width:
        return value[: max(1, width - 1)] + "…"
    return value.ljust(width)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], flex: int = -1) -> str:
    """A plain text table; the ``flex`` column shrinks to fit the terminal."""
    widths = [max([len(h)] + [len(str(r[i]).replace("\n", " ")) for r in rows]) for i, h in enumerate(headers)]
    total = shutil.get_terminal_size((120, 24)).columns
    fixed = sum(w for i, w in enumerate(widths) if i != (flex % len(widths))) + 2 * (len(widths) - 1)
    widths[flex] = max(12, min(widths[flex], total - fixed))
    lines = ["  ".join(_cell(h, w) for h, w in zip(headers, widths)).rstrip()]
    for r in rows:
        lines.append("  ".join(_cell(str(c), w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def task_json(task, today: date) -> dict[str, Any]:
    """A task as JSON data: its fields (dates as ISO text) and how it stands on *today*."""
    from dataclasses import asdict

    from actionplan.core import model

    # a shallow copy: asdict() deep-copies every list and took most of `list --json` on 10k tasks
    d = {name: getattr(task, name) for name in _task_field_names()}
    if task.kpi is not None:
        d["kpi"] = asdict(task.kpi)
    d.pop("id", None)
    for k, v in list(d.items()):
        if isinstance(v, date):
            d[k] = v.isoformat()
    d["ref"] = task.ref
    d["overdue"] = model.is_overdue(task, today)
    d["days_left"] = model.days_left(task, today)
    d["days_late"] = model.days_late(task, today)
    return d


@lru_cache(maxsize=1)
def _task_field_names() -> tuple[str, ...]:
    from dataclasses import fields

    from actionplan.core.model import Task

    return tuple(f.name for f in fields(Task))


def json_lines_array(objects: Iterable[str]) -> str:
    """JSON objects (as text) in an array, one per line, as sqlite-utils prints rows:
    easy to read and to grep, and still one JSON document."""
    return "[" + ",\n ".join(objects) + "]"


def _json_value(value: bool | int | None) -> str:
    return "null" if value is None else ("true" if value is True else "false" if value is False else str(value))


def task_json_text(stored: str, task, today: date) -> str:
    """One task of ``Store.tasks_as_json`` with the fields :func:`task_json` derives added:
    the same object, written by SQLite instead of json (speed: 10,000 tasks in a third
    of the time)."""
    from actionplan.core import model

    derived = (
        ("overdue", model.is_overdue(task, today)),
        ("days_left", model.days_left(task, today)),
        ("days_late", model.days_late(task, today)),
    )
    return stored[:-1] + "".join(f',"{name}":{_json_value(value)}' for name, value in derived) + "}"


def _resolver(store):
    def resolve(text: str, field: str) -> str:
        return store.resolve_org(text, field).key

    return resolve
