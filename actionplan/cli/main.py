"""The ``actionplan`` command line (click).

Thin: every command parses its arguments, calls the store or a service
module, and prints.  Heavy modules are imported inside the commands that
need them, so ``actionplan list`` never pays for Textual or icalendar.

This module holds the group ``cli`` and the plan commands (ui, init, import,
export).  The helpers every command shares live in ``actionplan.cli.support``;
the other commands, one module per concept, are registered at the bottom:
``actionplan.cli.reading`` (list, show, history, orgs, plans),
``actionplan.cli.tasks`` (add, set, done, note, undo, redo),
``actionplan.cli.calendar`` (ics, reminders, serve, feeds),
``actionplan.cli.digest`` (digest), ``actionplan.cli.maintenance`` (backup,
check), ``actionplan.cli.baseline`` and ``actionplan.cli.report``.
"""

from __future__ import annotations

import sqlite3

import click

from actionplan.cli.lang import TranslatedGroup, lang_option_callback
from actionplan.cli.support import (
    Context,
    _handle,
    _tell_waiting,
    _write_out,
    fail,
    parse_day,
    pass_ctx,
)
from actionplan.core.i18n import _

# --- the group ---------------------------------------------------------------------------------

EPILOG = """\b
Examples:
  actionplan                      open the terminal UI
  actionplan list --overdue       what is late, and who leads it
  actionplan show cyber-2026/2    one task in full
  actionplan import plans/*.toml  load or update plan files
"""


@click.group(cls=TranslatedGroup, invoke_without_command=True, epilog=EPILOG)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    is_eager=True,
    expose_value=False,
    callback=lang_option_callback,
    help="Language of the output (default: $ACTIONPLAN_LANG, else the locale, else the committee's).",
)
@click.option("--db", metavar="PATH", help="Database file (default: $ACTIONPLAN_DB, else one in your data directory).")
@click.option(
    "--as", "actor", metavar="NAME", help="Who is making the changes (default: $ACTIONPLAN_USER, else your login)."
)
@click.version_option(package_name="actionplan")
@click.pass_context
def cli(click_ctx: click.Context, db: str | None, actor: str | None) -> None:
    """Run a steering committee's action plans: tasks, deadlines, accountability.

    Without a command, opens the terminal UI on the database.
    """
    click_ctx.obj = Context(db, actor)
    click_ctx.call_on_close(click_ctx.obj.close)
    if click_ctx.invoked_subcommand is None:
        click_ctx.invoke(ui)


@cli.command()
@click.option("--as-of", metavar="DATE", help="Pretend today is DATE (for demos and reviews).")
@pass_ctx
@_handle
def ui(ctx: Context, as_of: str | None) -> None:
    """Open the terminal UI (the same as running actionplan alone).

    \b
    Example:
      actionplan ui --as-of 2026-05-01
    """
    store = ctx.store
    today = parse_day(as_of, "--as-of")
    from actionplan.tui.launch import run_ui

    run_ui(store, today)


# --- init, import, export ----------------------------------------------------------------------


@cli.command()
@click.option("--empty", is_flag=True, help="Do not load the sample plans.")
@click.option("--timezone", "tz", metavar="ZONE", help="Committee time zone (default Asia/Ho_Chi_Minh).")
@click.option(
    "--lang",
    "committee_lang",
    type=click.Choice(["vi", "en"]),
    help="The committee's language, used when --lang, $ACTIONPLAN_LANG and the locale say nothing.",
)
@pass_ctx
@_handle
def init(ctx: Context, empty: bool, tz: str | None, committee_lang: str | None) -> None:
    """Create the database, filled with the sample plans unless --empty.

    On an existing database, --timezone and --lang change the committee's settings.

    \b
    Example:
      actionplan --db committee.db init --timezone Asia/Ho_Chi_Minh --lang vi
    """
    from actionplan.services.config import choose_db, seed_samples
    from actionplan.store import Store

    choice = choose_db(ctx.db_option)
    existed = choice.path.exists() and choice.path.stat().st_size > 0  # a 0-byte file named here is taken over
    choice.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        store = Store(choice.path, actor=ctx.actor, on_wait=_tell_waiting, adopt_empty=True)
    except sqlite3.Error as e:  # not a database, locked, unreadable
        fail(f"{choice.path}: {e}")
    ctx._store = store
    from actionplan.core.i18n import apply_committee_default

    apply_committee_default(committee_lang or store.get_setting("language"))
    if tz:
        store.set_timezone(tz)
    if committee_lang:
        store.set_setting("language", committee_lang)
    if existed:
        click.echo(
            _("Database already exists: {path} (schema {version})").format(
                path=choice.path, version=store.schema_version
            )
        )
        return
    if not empty:
        reports = seed_samples(store)
        click.echo(_("Created {path} with {plans}").format(path=choice.path, plans=", ".join(r.plan for r in reports)))
    else:
        click.echo(_("Created empty database {path}").format(path=choice.path))


@cli.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--prune", is_flag=True, help="Delete tasks that are in the database but no longer in the file.")
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@click.option(
    "--baseline", metavar="NAME", help='Then save baseline NAME of each imported plan ("approved 2026-04-28").'
)
@pass_ctx
@_handle
def import_(ctx: Context, files: tuple[str, ...], prune: bool, dry_run: bool, baseline: str | None) -> None:
    """Validate plan files and bring the database in line with them.

    Every file is checked whole first; on any problem nothing is written and
    each problem is printed as file:line: message.  Re-importing updates by
    key and never duplicates.

    \b
    Example:
      actionplan import plans/cyber-2026.toml plans/strategy-2030.toml
    """
    from actionplan.services.planfile import import_plan_files

    ctx.may_create = True
    if baseline:
        from actionplan.services.baselines import check_import_baseline

        baseline = check_import_baseline(ctx.store, baseline, files)
    reports = import_plan_files(ctx.store, list(files), prune=prune, dry_run=dry_run)
    for r in reports:
        plan_word = _("new plan") if r.plan_added else (_("plan changed") if r.plan_changed else _("plan unchanged"))
        line = (
            _("Would import {plan} ({what}): {added} added, {changed} changed, {unchanged} unchanged")
            if dry_run
            else _("Imported {plan} ({what}): {added} added, {changed} changed, {unchanged} unchanged")
        )
        click.echo(
            line.format(
                plan=r.plan, what=plan_word, added=len(r.added), changed=len(r.changed), unchanged=len(r.unchanged)
            )
        )
        if r.orgs_added or r.orgs_changed:
            click.echo(
                "  "
                + _("orgs: {added} added, {changed} changed").format(
                    added=len(r.orgs_added), changed=len(r.orgs_changed)
                )
            )
        if r.missing and not prune:
            click.echo(
                "  " + _("not in the file (kept; use --prune to delete): {keys}").format(keys=", ".join(r.missing))
            )
        if r.pruned:
            deleted = _("would delete: {keys}") if dry_run else _("deleted: {keys}")
            click.echo("  " + deleted.format(keys=", ".join(r.pruned)))
        if r.kept_closed:
            kept = (
                _("would keep done or cancelled (reopen with `set TASK status=...`): {keys}")
                if dry_run
                else _("kept done or cancelled (reopen with `set TASK status=...`): {keys}")
            )
            click.echo("  " + kept.format(keys=", ".join(r.kept_closed)))
    if baseline and not dry_run:
        from actionplan.services.baselines import save_after_import

        for b in save_after_import(ctx.store, baseline, [r.plan for r in reports], files):
            click.echo(
                _('Saved baseline "{name}" of {plan}: {n} tasks').format(name=b.name, plan=b.plan, n=b.task_count)
            )


@cli.command()
@click.argument("plan")
@click.option("-o", "--output", "out", metavar="FILE", help="Write to FILE instead of standard output.")
@pass_ctx
@_handle
def export(ctx: Context, plan: str, out: str | None) -> None:
    """Write a plan in the plan-file format (import reads it back unchanged).

    \b
    Example:
      actionplan export cyber-2026 -o plans/cyber-2026.toml
    """
    from actionplan.services.planfile import export_plan_text

    _write_out(export_plan_text(ctx.store, plan), out)


# --- the other commands: one module per concept, registered on the group ---------------------------

from actionplan.cli.baseline import baseline_group  # noqa: E402
from actionplan.cli.calendar import calendar_settings, feeds_group, ics, reminders, serve  # noqa: E402
from actionplan.cli.digest import digest  # noqa: E402
from actionplan.cli.mail import mail_group  # noqa: E402
from actionplan.cli.maintenance import backup, check  # noqa: E402
from actionplan.cli.reading import history, list_, orgs, plans, show  # noqa: E402
from actionplan.cli.report import report  # noqa: E402
from actionplan.cli.tasks import add, done, note, redo, set_, undo  # noqa: E402

for _command in (list_, show, history, orgs, plans, add, set_, done, note, undo, redo):
    cli.add_command(_command)
for _command in (
    ics,
    reminders,
    calendar_settings,
    serve,
    feeds_group,
    digest,
    mail_group,
    backup,
    check,
    baseline_group,
    report,
):
    cli.add_command(_command)


def main() -> None:
    """Console entry point."""
    cli(prog_name="actionplan")


if __name__ == "__main__":  # pragma: no cover
    main()
