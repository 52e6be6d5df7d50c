"""Task commands: add, set, done, note, undo, redo; each calls one use case of actionplan.services.tasks."""

from __future__ import annotations

import click

from actionplan.cli.support import (
    Context,
    _handle,
    _resolver,
    parse_day,
    pass_ctx,
)
from actionplan.core.i18n import _


@click.command()
@click.argument("plan")
@click.option("--key", metavar="KEY", help="Task key, e.g. 2.4 (default: the next free one).")
@click.option("--parent", metavar="KEY", default="", help="Parent task key (makes a subtask).")
@click.option("--title", required=True, help="What must be done.")
@click.option("--lead", required=True, metavar="ORG", help="Lead agency (key or name).")
@click.option("--deadline", metavar="DATE", help='Deadline, e.g. "end of April 2026".')
@click.option("--accountable", metavar="WHO", default="", help="Accountable head.")
@click.option("--coordinating", metavar="ORGS", default="", help="Coordinating agencies, comma-separated.")
@click.option("--output", "output_", metavar="TEXT", default="", help="Expected concrete output.")
@click.option("--priority", default="normal", metavar="LEVEL", help="low, normal, high, critical.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Tag (repeatable).")
@click.option(
    "--recurrence", default="", metavar="RRULE", help="Periodic duty, e.g. quarterly or FREQ=MONTHLY;INTERVAL=3."
)
@click.option("--source", default="", help="Document and clause that assigned the task.")
@click.option("--description", default="", help="Details.")
@click.option("--depends-on", default="", metavar="KEYS", help="Keys of tasks this one waits for, comma-separated.")
@pass_ctx
@_handle
def add(
    ctx: Context,
    plan: str,
    key: str | None,
    parent: str,
    title: str,
    lead: str,
    deadline: str | None,
    accountable: str,
    coordinating: str,
    output_: str,
    priority: str,
    tags: tuple[str, ...],
    recurrence: str,
    source: str,
    description: str,
    depends_on: str,
) -> None:
    """Add a task to a plan.

    \b
    Example:
      actionplan add cyber-2026 --parent 2 --title "Draft decree on sanctions" \\
          --lead MPS --deadline "end of April 2026" --coordinating MOJ,MIC
    """
    from actionplan.core.dates import describe_resolution
    from actionplan.core.fields import next_task_key, parse_assignments
    from actionplan.core.model import Task
    from actionplan.services import tasks

    store = ctx.store
    store.get_plan(plan)
    key = key or next_task_key(store.task_keys(plan), parent)
    pairs = [
        f"title={title}",
        f"lead={lead}",
        f"priority={priority}",
        f"parent={parent}",
        f"accountable={accountable}",
        f"coordinating={coordinating}",
        f"output={output_}",
        f"recurrence={recurrence}",
        f"source={source}",
        f"description={description}",
        f"depends_on={depends_on}",
        "tags=" + ",".join(tags),
    ]
    if deadline:
        pairs.append(f"deadline={deadline}")
    changes = parse_assignments(pairs, _resolver(store))
    task = tasks.add_task(store, Task(plan=plan, key=key, **changes))
    click.echo(_("Added {task}: {title}").format(task=task.ref, title=task.title))
    if deadline:
        click.echo("  " + _("deadline {date}").format(date=describe_resolution(deadline)))


@click.command("set")
@click.argument("task")
@click.argument("assignments", nargs=-1, required=True)
@click.option("--if-version", type=int, metavar="N", help="Refuse unless the task is still at version N.")
@click.option(
    "--reason",
    default="",
    metavar="TEXT",
    help="Why: needed when a deadline moves on an active plan; kept in the history.",
)
@pass_ctx
@_handle
def set_(ctx: Context, task: str, assignments: tuple[str, ...], if_version: int | None, reason: str) -> None:
    """Change fields of a task: field=value ...

    Fields: title, description, parent, lead, accountable, coordinating,
    start, deadline, recurrence, status, progress, priority, output, evidence,
    completed_on, blocked_reason, depends_on, tags, source, kpi.metric,
    kpi.target, kpi.current, kpi.unit, kpi.baseline.

    \b
    Done needs evidence=..., blocked needs blocked_reason=..., and a deadline
    moving on an active plan needs --reason.

    \b
    Example:
      actionplan set cyber-2026/2.3 deadline="end of Q1 2027" status=blocked \\
          blocked_reason="waiting for the MOJ opinion" --reason "the MOJ opinion is late"
    """
    from actionplan.core.fields import parse_assignments
    from actionplan.core.l10n import iso_or_day
    from actionplan.services import tasks

    store = ctx.store
    current = store.get_task(task)
    changes = parse_assignments(list(assignments), _resolver(store), current)
    version = if_version if if_version is not None else current.version
    new = tasks.change_task(store, task, changes, version, reason=reason)
    if new.version == current.version:
        click.echo(_("Nothing changed ({task})").format(task=task))
        return
    click.echo(_("Saved {task} (version {version})").format(task=task, version=new.version))
    if "deadline" in changes and new.deadline:
        click.echo("  " + _("deadline {date}").format(date=iso_or_day(new.deadline)))


@click.command()
@click.argument("task")
@click.option("--evidence", required=True, metavar="TEXT", help="What was delivered, and where it can be seen.")
@click.option("--on", "on", metavar="DATE", help="Completion date (default today).")
@pass_ctx
@_handle
def done(ctx: Context, task: str, evidence: str, on: str | None) -> None:
    """Mark a task done, with its completion evidence.

    A recurring duty records the period as done and moves to its next deadline.

    \b
    Example:
      actionplan done cyber-2026/3.2 --evidence "All level dossiers approved; summary sent to the Committee, 2 Dec 2026"
    """
    from actionplan.core.l10n import iso_or_day
    from actionplan.services import tasks

    new = tasks.mark_done(ctx.store, task, evidence, None, parse_day(on, "--on"))
    if new.status == "done":
        on_day = iso_or_day(new.completed_on) if new.completed_on else "—"
        click.echo(_("Done: {task} ({date})").format(task=task, date=on_day))
    else:
        next_day = iso_or_day(new.deadline) if new.deadline else "—"
        click.echo(_("Period recorded; next deadline {date}").format(date=next_day))


@click.command()
@click.argument("task")
@click.argument("text")
@click.option("--progress", type=click.IntRange(0, 100), metavar="N", help="New progress, 0 to 100.")
@click.option("--on", "on", metavar="DATE", help="Date of the note (default today).")
@pass_ctx
@_handle
def note(ctx: Context, task: str, text: str, progress: int | None, on: str | None) -> None:
    """Record a dated progress note (and optionally the progress %).

    \b
    Example:
      actionplan note cyber-2026/2 "Draft sent to the Ministry of Justice" --progress 60
    """
    from actionplan.services import tasks

    new = tasks.record_progress(ctx.store, task, text, progress, on=parse_day(on, "--on"))
    click.echo(_("Noted {task} ({progress}%)").format(task=task, progress=new.progress))


@click.command()
@pass_ctx
@_handle
def undo(ctx: Context) -> None:
    """Undo your last change (built on the history).

    \b
    Example:
      actionplan --as "Secretary" undo
    """
    from actionplan.services import tasks

    store = ctx.store
    summary = tasks.undo(store, store.actor)
    click.echo(_("Undone: {summary}").format(summary=summary))


@click.command()
@pass_ctx
@_handle
def redo(ctx: Context) -> None:
    """Redo what your last undo took back (until you make a new change).

    \b
    Example:
      actionplan --as "Secretary" redo
    """
    from actionplan.services import tasks

    store = ctx.store
    summary = tasks.redo(store, store.actor)
    click.echo(_("Redone: {summary}").format(summary=summary))
