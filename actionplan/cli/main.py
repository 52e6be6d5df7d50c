"""The ``actionplan`` command line (click).

Thin: every command parses its arguments, calls the store or a service
module, and prints.  Heavy modules are imported inside the commands that
need them, so ``actionplan list`` never pays for Textual or icalendar.

This module holds the group ``cli`` and the core plan and task commands.
The helpers they share live in ``actionplan.cli.support``; the other
commands, one module per concept, are registered at the bottom:
``actionplan.cli.calendar`` (ics, reminders, serve, feeds),
``actionplan.cli.digest`` (digest) and ``actionplan.cli.maintenance``
(backup, check).
"""

from __future__ import annotations

import json
import sqlite3

import click

from actionplan.cli.support import (
    Context,
    _handle,
    _quote_terms,
    _resolver,
    _tell_waiting,
    _write_out,
    fail,
    format_table,
    json_lines_array,
    parse_day,
    pass_ctx,
    task_json,
    task_json_text,
    today_for,
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


@click.group(invoke_without_command=True, epilog=EPILOG)
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
    from actionplan.tui.app import ActionPlanApp

    ActionPlanApp(store, today=today).run()


# --- init, import, export ----------------------------------------------------------------------


@cli.command()
@click.option("--empty", is_flag=True, help="Do not load the sample plans.")
@click.option("--timezone", "tz", metavar="ZONE", help="Committee time zone (default Asia/Ho_Chi_Minh).")
@pass_ctx
@_handle
def init(ctx: Context, empty: bool, tz: str | None) -> None:
    """Create the database, filled with the sample plans unless --empty.

    \b
    Example:
      actionplan --db committee.db init --timezone Asia/Ho_Chi_Minh
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
    if tz:
        store.set_timezone(tz)
    if existed:
        click.echo(_("Database already exists:") + f" {choice.path} (" + _("schema") + f" {store.schema_version})")
        return
    if not empty:
        reports = seed_samples(store)
        click.echo(_("Created") + f" {choice.path} " + _("with") + " " + ", ".join(r.plan for r in reports))
    else:
        click.echo(_("Created empty database") + f" {choice.path}")


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
    prefix = _("Would import") if dry_run else _("Imported")
    for r in reports:
        plan_word = _("new plan") if r.plan_added else (_("plan changed") if r.plan_changed else _("plan unchanged"))
        click.echo(
            f"{prefix} {r.plan} ({plan_word}): {len(r.added)} "
            + _("added")
            + f", {len(r.changed)} "
            + _("changed")
            + f", {len(r.unchanged)} "
            + _("unchanged")
        )
        if r.orgs_added or r.orgs_changed:
            click.echo(
                "  " + _("orgs:") + f" {len(r.orgs_added)} " + _("added") + f", {len(r.orgs_changed)} " + _("changed")
            )
        if r.missing and not prune:
            click.echo("  " + _("not in the file (kept; use --prune to delete):") + " " + ", ".join(r.missing))
        if r.pruned:
            click.echo("  " + ("would delete" if dry_run else _("deleted")) + ": " + ", ".join(r.pruned))
    if baseline and not dry_run:
        from actionplan.services.baselines import save_after_import

        for b in save_after_import(ctx.store, baseline, [r.plan for r in reports], files):
            click.echo(_("Saved baseline") + f' "{b.name}" ' + _("of") + f" {b.plan}: {b.task_count} " + _("tasks"))


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


# --- reading ------------------------------------------------------------------------------------


@cli.command("list")
@click.argument("query", nargs=-1)
@click.option("--plan", "plans", multiple=True, metavar="KEY", help="Only this plan (repeatable).")
@click.option("--lead", "leads", multiple=True, metavar="ORG", help="Led by this org (key or name).")
@click.option("--org", "orgs", multiple=True, metavar="ORG", help="Led or coordinated by this org.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="STATUS",
    help="not-started, in-progress, blocked, done, cancelled, open or closed.",
)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Carrying this tag.")
@click.option("--overdue", is_flag=True, help="Open tasks whose deadline has passed.")
@click.option("--soon", "soon", type=click.IntRange(0, 100000), metavar="DAYS", help="Open tasks due within DAYS days.")
@click.option("--due-before", metavar="DATE", help="Deadline before DATE (any deadline form).")
@click.option("--due-after", metavar="DATE", help="Deadline after DATE.")
@click.option("--search", "words", multiple=True, metavar="WORDS", help="Words in title, description, output.")
@click.option(
    "--sort",
    type=click.Choice(["deadline", "key", "lead", "status", "progress"]),
    default="deadline",
    show_default=True,
)
@click.option("--limit", type=click.IntRange(1, 10**9), metavar="N", help="Show at most N tasks.")
@click.option("--as-of", metavar="DATE", help="Judge overdue / due soon as of DATE instead of today.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_ctx
@_handle
def list_(
    ctx: Context,
    query: tuple[str, ...],
    plans,
    leads,
    orgs,
    statuses,
    tags,
    overdue,
    soon,
    due_before,
    due_after,
    words,
    sort,
    limit,
    as_of,
    as_json,
) -> None:
    """List tasks, filtered by options or by the filter language.

    QUERY uses the UI's filter language: lead:MPS status:open due<2026-05-01
    tag:legal overdue soon:30 org:MIC who:Minister plan:cyber-2026 words...
    (accents optional: "bo cong an" finds "Bộ Công an").

    \b
    Examples:
      actionplan list --overdue
      actionplan list lead:MPS status:open 'due<end of Q1 2027'
      actionplan list --org MIC --json
    """
    from actionplan.core import model
    from actionplan.core.dates import relative_days
    from actionplan.core.query import TaskFilter, parse_query

    today = today_for(ctx, as_of)
    f = parse_query(" ".join(_quote_terms(query)))
    extra = TaskFilter(
        plans=list(plans),
        leads=list(leads),
        involving=list(orgs),
        tags=list(tags),
        overdue=overdue,
        due_within=soon,
        words=list(words),
        due_before=parse_day(due_before, "--due-before"),
        due_after=parse_day(due_after, "--due-after"),
    )
    if statuses:
        extra = extra.merged(parse_query(" ".join(f"status:{s}" for s in statuses)))
    f = f.merged(extra)
    store = ctx.store
    for p in f.plans:
        store.get_plan(p)  # an unknown plan is an error that names it, not an empty list
    for term in f.leads + f.coordinating + f.involving:
        if not store.find_orgs(term):
            fail(_("unknown agency") + f' "{term}" (' + _("see `actionplan orgs`") + ")")
    if as_json:
        click.echo(
            json_lines_array(
                task_json_text(text, light, today)
                for text, light in store.tasks_as_json(f, today=today, order=sort, limit=limit)
            )
        )
        return
    tasks = store.list_tasks(f, today=today, order=sort, limit=limit)
    if not tasks:
        click.echo(_("No tasks match."))
        return
    rows = []
    for t in tasks:
        due = relative_days(t.deadline, today) if t.deadline and t.is_open else ""
        status = "OVERDUE" if model.is_overdue(t, today) else t.status
        rows.append(
            [t.ref, t.deadline.isoformat() if t.deadline else "-", due, status, f"{t.progress}%", t.lead, t.title]
        )
    click.echo(format_table(["TASK", "DEADLINE", "DUE", "STATUS", "DONE", "LEAD", "TITLE"], rows))
    click.echo(f"{len(tasks)} " + _("task(s)") + f"; {_('as of')} {today.isoformat()}", err=True)


@cli.command()
@click.argument("task")
@click.option("--as-of", metavar="DATE", help="Judge the deadline as of DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
@_handle
def show(ctx: Context, task: str, as_of: str | None, as_json: bool) -> None:
    """Show one task in full: who leads, who is accountable, notes and history.

    \b
    Example:
      actionplan show cyber-2026/2
    """
    from actionplan.core import model
    from actionplan.core.dates import relative_days
    from actionplan.core.recurrence import describe_rrule

    store = ctx.store
    today = today_for(ctx, as_of)
    t = store.get_task(task)
    notes = store.list_updates(task)
    if as_json:
        d = task_json(t, today)
        d["notes"] = [
            {"on": n.on.isoformat(), "author": n.author, "text": n.text, "progress": n.progress} for n in notes
        ]
        click.echo(json.dumps(d, ensure_ascii=False, indent=2))
        return
    lead = store.get_org(t.lead)
    status = t.status + ("  (OVERDUE)" if model.is_overdue(t, today) else "")
    rows: list[tuple[str, str]] = [
        ("Task", f"{t.ref}  {t.title}"),
        ("Status", f"{status}, {t.progress}% done, priority {t.priority}"),
        ("Lead", f"{lead.key} — {lead.name}" + (f" ({lead.head}, {lead.head_title})" if lead.head else "")),
        ("Accountable", t.accountable or "-"),
        ("Coordinating", ", ".join(t.coordinating) or "-"),
    ]
    if t.deadline:
        written = f' (written "{t.deadline_text}")' if t.deadline_text else ""
        rel = relative_days(t.deadline, today) if t.is_open else ""
        rows.append(("Deadline", f"{t.deadline.isoformat()}{written}" + (f" — {rel}" if rel else "")))
    else:
        rows.append(("Deadline", "-"))
    if t.start:
        rows.append(("Start", t.start.isoformat()))
    if t.recurrence:
        rows.append(("Repeats", f"{describe_rrule(t.recurrence)} ({t.recurrence})"))
    if t.parent:
        rows.append(("Parent", f"{t.plan}/{t.parent}"))
    subtasks = store.subtasks(task)
    if subtasks:
        rows.append(("Subtasks", ", ".join(s.key for s in subtasks)))
    if t.depends_on:
        rows.append(("Depends on", ", ".join(t.depends_on)))
    for label, value in (
        ("Output", t.output),
        ("Description", t.description),
        ("Source", t.source),
        ("Tags", ", ".join(t.tags)),
        ("Blocked by", t.blocked_reason if t.status == "blocked" else ""),
        ("Evidence", t.evidence),
    ):
        if value:
            rows.append((label, value))
    if t.completed_on:
        on_time = model.done_on_time(t)
        rows.append(
            (
                "Completed",
                t.completed_on.isoformat()
                + (
                    ""
                    if on_time is None
                    else (" (on time)" if on_time else f" ({model.days_late(t, today)} days late)")
                ),
            )
        )
    if t.kpi:
        share = t.kpi.share_of_way()
        rows.append(
            (
                "KPI",
                f"{t.kpi.metric}: {_fmt(t.kpi.current)} of {_fmt(t.kpi.target)} {t.kpi.unit}".rstrip()
                + (f" ({share * 100:.0f}% of the way)" if share is not None else ""),
            )
        )
    rows.append(("Version", str(t.version)))
    width = max(len(k) for k, _v in rows)
    for k, v in rows:
        click.echo(f"{k.ljust(width)}  {v}")
    if notes:
        click.echo("\n" + _("Progress notes:"))
        for n in notes:
            pct = f" [{n.progress}%]" if n.progress is not None else ""
            click.echo(f"  {n.on.isoformat()}  {n.author}{pct}: {n.text}")


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


@cli.command()
@click.argument("task")
@click.option("--limit", type=click.IntRange(1, 10**9), metavar="N", help="Only the newest N changes.")
@pass_ctx
@_handle
def history(ctx: Context, task: str, limit: int | None) -> None:
    """Every change to a task: who, when, field, old and new value.

    \b
    Example:
      actionplan history cyber-2026/2
    """
    changes = ctx.store.history(task, limit=limit)
    rows = []
    for c in changes:
        if c.field == "*created*":
            what = "created" + (" (import)" if c.action == "import" else "")
            rows.append([c.at.replace("T", " ")[:16], c.actor, what, "", c.new or ""])
        elif c.field == "note":
            rows.append([c.at.replace("T", " ")[:16], c.actor, "note", "", "removed" if c.new is None else "added"])
        else:
            rows.append([c.at.replace("T", " ")[:16], c.actor, c.field, c.old or "∅", c.new or "∅"])
    headers = ["WHEN (UTC)", "WHO", "FIELD", "OLD", "NEW"]
    if any(c.reason for c in changes):  # the column only when some change says why
        headers.append("WHY")
        for row, c in zip(rows, changes):
            row.append(c.reason)
    click.echo(format_table(headers, rows, flex=4) if rows else _("No history."))  # NEW shrinks to fit


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
@_handle
def orgs(ctx: Context, as_json: bool) -> None:
    """List the agencies (ministries, provinces, office, subcommittees).

    \b
    Example:
      actionplan orgs
    """
    from dataclasses import asdict

    items = ctx.store.list_orgs()
    if as_json:
        click.echo(
            json.dumps([{k: v for k, v in asdict(o).items() if k != "id"} for o in items], ensure_ascii=False, indent=2)
        )
        return
    rows = [
        [o.key, o.name, o.short_name, o.parent, (o.head + (f", {o.head_title}" if o.head_title else "")).strip(", ")]
        for o in items
    ]
    click.echo(format_table(["KEY", "NAME", "SHORT NAME", "PARENT", "HEAD"], rows, flex=1))


@cli.command()
@click.option("--as-of", metavar="DATE", help="Count overdue tasks as of DATE instead of today.")
@pass_ctx
@_handle
def plans(ctx: Context, as_of: str | None) -> None:
    """List the plans with their progress and counts.

    \b
    Example:
      actionplan plans --as-of 2026-12-31
    """
    rows = []
    for s in ctx.store.plan_summaries(today_for(ctx, as_of)):
        rows.append(
            [
                s.plan.key,
                s.plan.reference,
                s.plan.status,
                f"{s.progress:.0f}%",
                str(s.open),
                str(s.overdue),
                str(s.done + s.cancelled),
                s.plan.title,
            ]
        )
    click.echo(format_table(["PLAN", "REFERENCE", "STATUS", "DONE", "OPEN", "OVERDUE", "CLOSED", "TITLE"], rows))


# --- writing ------------------------------------------------------------------------------------


@cli.command()
@click.argument("plan")
@click.option("--key", metavar="KEY", help="Task key, e.g. 2.4 (default: the next free one).")
@click.option("--parent", metavar="KEY", default="", help="Parent task key (makes a subtask).")
@click.option("--title", required=True, help="What must be done.")
@click.option("--lead", required=True, metavar="ORG", help="Lead agency (key or name).")
@click.option("--deadline", metavar="DATE", help='Deadline, e.g. "end of April 2026".')
@click.option("--accountable", metavar="WHO", default="", help="Accountable head.")
@click.option("--coordinating", metavar="ORGS", default="", help="Coordinating agencies, comma-separated.")
@click.option("--output", "output_", metavar="TEXT", default="", help="Expected concrete output.")
@click.option("--priority", default="normal", help="low, normal, high, critical.")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
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
    click.echo(_("Added") + f" {task.ref}: {task.title}")
    if deadline:
        click.echo("  " + _("deadline") + f" {describe_resolution(deadline)}")


@cli.command("set")
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
    from actionplan.core.dates import format_date
    from actionplan.core.fields import parse_assignments
    from actionplan.services import tasks

    store = ctx.store
    current = store.get_task(task)
    changes = parse_assignments(list(assignments), _resolver(store), current)
    version = if_version if if_version is not None else current.version
    new = tasks.change_task(store, task, changes, version, reason=reason)
    if new.version == current.version:
        click.echo(_("Nothing changed") + f" ({task})")
        return
    click.echo(_("Saved") + f" {task} (" + _("version") + f" {new.version})")
    if "deadline" in changes and new.deadline:
        click.echo("  " + _("deadline") + f" {format_date(new.deadline)}")


@cli.command()
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
      actionplan done cyber-2026/1.1 --evidence "Plan issued as Decision 12/QD-BCD, 28 Apr 2026"
    """
    from actionplan.services import tasks

    new = tasks.mark_done(ctx.store, task, evidence, None, parse_day(on, "--on"))
    if new.status == "done":
        click.echo(_("Done:") + f" {task} ({new.completed_on})")
    else:
        click.echo(_("Period recorded; next deadline") + f" {new.deadline}")


@cli.command()
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
    click.echo(_("Noted") + f" {task} ({new.progress}%)")


@cli.command()
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
    click.echo(_("Undone:") + f" {summary}")


@cli.command()
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
    click.echo(_("Redone:") + f" {summary}")


# --- the other commands: one module per concept, registered on the group ---------------------------

from actionplan.cli.baseline import baseline_group  # noqa: E402
from actionplan.cli.calendar import calendar_settings, feeds_group, ics, reminders, serve  # noqa: E402
from actionplan.cli.digest import digest  # noqa: E402
from actionplan.cli.mail import mail_group  # noqa: E402
from actionplan.cli.maintenance import backup, check  # noqa: E402
from actionplan.cli.report import report  # noqa: E402

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
