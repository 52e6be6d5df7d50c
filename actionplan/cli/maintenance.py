"""Keeping the database safe: backup and check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from actionplan.cli.support import Context, _handle, fail, pass_ctx
from actionplan.core.i18n import _

# --- backup and check ----------------------------------------------------------------------------


def _existing_db(ctx: Context) -> Path:
    """The chosen database file; an error (not a new empty database) when it does not exist."""
    from actionplan.services.config import choose_db

    path = choose_db(ctx.db_option).path
    if not path.is_file():
        fail(f"{path}: " + _("no database here (give --db PATH, or run `actionplan init` first)"))
    return path


@click.command()
@click.option(
    "-o", "--output", "out", required=True, metavar="FILE", help="Where to write the copy (replaced if it exists)."
)
@pass_ctx
@_handle
def backup(ctx: Context, out: str) -> None:
    """Copy the database safely, even while others are using it.

    Uses SQLite's online backup API, so the copy is consistent even when
    somebody saves a task meanwhile.  The copy is checked before it replaces
    FILE; a failed backup leaves FILE as it was.

    \b
    Example:
      actionplan backup -o backups/committee-2026-11-26.db
    """
    import os
    import tempfile

    from actionplan.store import Store

    source = _existing_db(ctx)
    if "\x00" in out:  # possible from a script, not from a shell
        fail(f"{out!r}: " + _("not a usable file name"))
    target = Path(out)
    if target.is_dir():
        fail(f"{out}: " + _("is a folder; give the name of the copy, e.g.") + f" {Path(out) / 'committee-backup.db'}")
    if target.exists() and target.resolve() == source.resolve():
        fail(f"{out}: " + _("that is the database itself; choose another file"))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        fail(f"{out}: " + _("no such folder:") + f" {folder}")
    store = ctx.store
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".actionplan-backup-", suffix=".db")
    os.close(fd)
    try:
        store.backup(tmp)
        with Store(tmp, actor=store.actor) as copy:
            problems = copy.integrity_problems()
            counts = copy.counts()
        if problems:
            fail(f"{out}: " + _("the copy failed its check:") + " " + "; ".join(problems[:5]))
        os.replace(tmp, target)
    except OSError as e:
        fail(f"{out}: " + _("cannot write the backup:") + f" {e.strerror or e}")
    finally:
        for leftover in (tmp, tmp + "-wal", tmp + "-shm"):
            if os.path.exists(leftover):
                os.remove(leftover)
    click.echo(
        _("Backed up")
        + f" {source} "
        + _("to")
        + f" {out}: {counts['plans']} "
        + _("plans")
        + ", "
        + f"{counts['tasks']} "
        + _("tasks")
        + ", "
        + f"{counts['history']} "
        + _("history rows")
        + "; "
        + _("the copy passed the integrity check")
        + "."
    )


@click.command()
@pass_ctx
@_handle
def check(ctx: Context) -> None:
    """Check the database: SQLite's integrity check and every cross-reference.

    Also compares the tables, columns, indexes and triggers with what this version
    of actionplan creates, checks the search index, the schema version, the file's
    actionplan mark and the values of every task.  Prints each problem found (exit
    code 1), or "No problems found" (exit code 0).  Changes nothing.
    Restore a backup (`actionplan backup`) if problems are reported.

    \b
    Example:
      actionplan --db committee.db check
    """
    from actionplan.store.diagnosis import diagnose, schema_version_of

    path = _existing_db(ctx)
    problems = diagnose(path)  # without opening the store: no migration, nothing written
    if not problems:
        click.echo(_("No problems found in") + f" {path} (" + _("schema") + f" {schema_version_of(path)}).")
        return
    click.echo(f"{len(problems)} " + _("problem(s) found in") + f" {path}:", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    click.echo(_("Restore a backup made with `actionplan backup`, or ask for help before editing further."), err=True)
    sys.exit(1)
