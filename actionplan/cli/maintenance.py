"""Keeping the database safe: backup and check."""

from __future__ import annotations

import os
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
    from actionplan.core.errors import OutputError
    from actionplan.services import output

    source = _existing_db(ctx)
    try:
        target = output.usable_path(out)  # a NUL, a folder, no such folder; a symlink is followed
    except OutputError as e:
        fail(str(e) + ("; " + _("e.g.") + f" {Path(out) / 'committee-backup.db'}" if os.path.isdir(out) else ""))
    if target.exists() and target.resolve() == source.resolve():
        fail(f"{out}: " + _("that is the database itself; choose another file"))
    store = ctx.store
    counts = _backup_into(store, target, out)
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


def _backup_into(store, target: Path, out: str) -> dict[str, int]:
    """Copy, check the copy, then put it in place: renamed over a regular file, written into a device or FIFO."""
    import os
    import tempfile

    from actionplan.services import output
    from actionplan.store import Store

    special = output.is_special(target)
    folder = Path(tempfile.gettempdir()) if special else (target.parent if str(target.parent) else Path("."))
    removed, freed = output.remove_stale(folder, "backup")
    if removed:
        click.echo(
            _("Removed")
            + f" {removed} "
            + _("temporary file(s) left by an interrupted backup")
            + f" ({freed / 1e6:.1f} MB) "
            + _("in")
            + f" {folder}",
            err=True,
        )
    tmp = ""
    try:
        tmp = output.temporary_beside(folder / "backup.db", "backup", ".db")
        store.backup(tmp)
        with Store(tmp, actor=store.actor) as copy:
            problems = copy.integrity_problems()
            counts = copy.counts()
        if problems:
            fail(f"{out}: " + _("the copy failed its check:") + " " + "; ".join(problems[:5]))
        if special:
            with open(tmp, "rb") as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        else:
            os.replace(tmp, target)
    except OSError as e:
        fail(f"{out}: " + _("cannot write the backup:") + f" {e.strerror or e}")
    finally:
        for leftover in (tmp, tmp + "-wal", tmp + "-shm") if tmp else ():
            if os.path.exists(leftover):
                os.remove(leftover)
    return counts


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
