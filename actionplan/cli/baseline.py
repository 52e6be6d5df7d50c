"""The baseline commands: save a plan's promises under a name, list them, show one."""

from __future__ import annotations

import json

import click

from actionplan.cli.support import Context, _handle, format_table, pass_ctx
from actionplan.core.i18n import _
from actionplan.core.l10n import history_moment, is_vietnamese, iso_or_day


@click.group("baseline")
def baseline_group() -> None:
    """Baselines: each task's deadline, output and lead frozen under a name.

    A report compares the plan with a baseline (by default the earliest one
    saved).  A baseline is never changed once saved.

    \b
    Examples:
      actionplan baseline save "approved 2026-04-28" --plan cyber-2026
      actionplan baseline list
      actionplan baseline show "approved 2026-04-28"
    """


@baseline_group.command("save")
@click.argument("name")
@click.option("--plan", "plans", multiple=True, metavar="KEY", help="Only this plan (repeatable; default: every plan).")
@pass_ctx
@_handle
def baseline_save(ctx: Context, name: str, plans: tuple[str, ...]) -> None:
    """Freeze each task's deadline, output and lead as they stand now, under NAME.

    Without --plan every plan gets the baseline; a name a plan already has is
    refused (a saved baseline is never changed).

    \b
    Example:
      actionplan baseline save "approved 2026-04-28" --plan cyber-2026
    """
    from actionplan.services.baselines import save_baselines

    for b in save_baselines(ctx.store, name, plans):
        click.echo(_("Saved baseline") + f' "{b.name}" ' + _("of") + f" {b.plan}: {b.task_count} " + _("tasks"))


@baseline_group.command("list")
@click.option("--plan", metavar="KEY", help="Only this plan.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
@_handle
def baseline_list(ctx: Context, plan: str | None, as_json: bool) -> None:
    """The saved baselines, oldest first.

    \b
    Example:
      actionplan baseline list --plan cyber-2026
    """
    from actionplan.services.baselines import list_baselines

    saved = list_baselines(ctx.store, plan)
    if as_json:
        rows = [
            {"plan": b.plan, "name": b.name, "saved_at": b.saved_at, "saved_by": b.saved_by, "tasks": b.task_count}
            for b in saved
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not saved:
        click.echo(_("No baseline saved yet (actionplan baseline save NAME)."))
        return
    headers = [_("Plan"), _("Baseline"), _("Saved at"), _("By"), _("Tasks")]
    table = [[b.plan, b.name, _saved_at(b.saved_at), b.saved_by, str(b.task_count)] for b in saved]
    click.echo(format_table(headers, table, 1))


def _saved_at(at: str) -> str:
    """When a baseline was saved: English shows the stored UTC timestamp, Vietnamese ``3/12/2026 22:59 UTC``."""
    return history_moment(at) + " UTC" if is_vietnamese() else at


@baseline_group.command("show")
@click.argument("name")
@click.option("--plan", metavar="KEY", help="The plan (needed only when several plans saved NAME).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
@_handle
def baseline_show(ctx: Context, name: str, plan: str | None, as_json: bool) -> None:
    """Each task of baseline NAME: key, lead, deadline and expected output as saved.

    \b
    Example:
      actionplan baseline show "approved 2026-04-28" --plan cyber-2026
    """
    from actionplan.services.baselines import show_baseline

    found = show_baseline(ctx.store, name, plan)
    if as_json:
        rows = [
            {
                "plan": b.plan,
                "name": b.name,
                "saved_at": b.saved_at,
                "saved_by": b.saved_by,
                "tasks": [
                    {
                        "key": t.key,
                        "title": t.title,
                        "lead": t.lead,
                        "deadline": t.deadline.isoformat() if t.deadline else None,
                        "output": t.output,
                    }
                    for t in b.tasks
                ],
            }
            for b in found
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for n, b in enumerate(found):
        if n:
            click.echo()
        saved = _("saved {at} by {who}").format(at=_saved_at(b.saved_at), who=b.saved_by)
        click.echo(f'{b.plan} · "{b.name}" · {saved}')
        lines = [[t.key, t.lead, iso_or_day(t.deadline) if t.deadline else "—", t.output] for t in b.tasks]
        click.echo(format_table([_("Task"), _("Lead"), _("Deadline"), _("Expected output")], lines))
