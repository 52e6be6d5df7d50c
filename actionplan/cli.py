"""The ``actionplan`` command line (click).

Thin: every command parses its arguments, calls the store or a service
module, and prints.  Heavy modules are imported inside the commands that
need them, so ``actionplan list`` never pays for Textual or icalendar.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import click

from actionplan.i18n import _


class Context:
    """What every command needs: the chosen database and the actor."""

    def __init__(self, db: str | None, actor: str | None) -> None:
        self.db_option = db
        self.actor = actor
        self._store = None
        #: only `init` and `import` may create a database at a path given with --db / $ACTIONPLAN_DB
        self.may_create = False

    @property
    def store(self):
        if self._store is None:
            from actionplan.config import choose_db, open_store
            from actionplan.store import StoreError

            choice = choose_db(self.db_option)
            if not choice.is_default and not choice.path.exists() and not self.may_create:
                raise click.ClickException(
                    f"{choice.path}: " + _("no database there. Create it with") + f" `actionplan --db {choice.path} init`"
                    + " (" + _("--empty for none of the sample plans") + "), " + _("or import a plan file into it."))
            try:
                self._store = open_store(choice, self.actor)
            except StoreError as e:
                raise click.ClickException(str(e)) from None
            except Exception as e:  # sqlite3.DatabaseError: not a database, locked, unreadable
                raise click.ClickException(f"{choice.path}: {e}") from None
        return self._store


pass_ctx = click.make_pass_decorator(Context)


def fail(message: str) -> None:
    raise click.ClickException(message)


def _handle(fn):
    """Turn the program's own errors into clear messages and exit code 1."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from actionplan.dates import DateError, RecurrenceError
        from actionplan.fields import FieldError
        from actionplan.query import QueryError
        from actionplan.store import StoreError

        try:
            return fn(*args, **kwargs)
        except (StoreError, FieldError, QueryError, DateError, RecurrenceError) as e:
            raise click.ClickException(str(e)) from None

    return wrapper


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    from actionplan.dates import DateError, parse_deadline

    try:
        return parse_deadline(value)
    except DateError as e:
        raise click.BadParameter(str(e), param_hint=option) from None


def today_for(ctx: Context, as_of: str | None) -> date:
    return parse_day(as_of, "--as-of") or ctx.store.today()


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
@click.option("--as", "actor", metavar="NAME", help="Who is making the changes (default: $ACTIONPLAN_USER, else your login).")
@click.version_option(package_name="actionplan")
@click.pass_context
def cli(click_ctx: click.Context, db: str | None, actor: str | None) -> None:
    """Run a steering committee's action plans: tasks, deadlines, accountability.

    Without a command, opens the terminal UI on the database.
    """
    click_ctx.obj = Context(db, actor)
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
    from actionplan.config import choose_db, seed_samples
    from actionplan.store import Store, StoreError

    choice = choose_db(ctx.db_option)
    existed = choice.path.exists()
    choice.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        store = Store(choice.path, actor=ctx.actor)
    except StoreError:
        raise
    except Exception as e:  # sqlite3.DatabaseError: not a database, locked, unreadable
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
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--prune", is_flag=True, help="Delete tasks that are in the database but no longer in the file.")
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@pass_ctx
@_handle
def import_(ctx: Context, files: tuple[str, ...], prune: bool, dry_run: bool) -> None:
    """Validate plan files and bring the database in line with them.

    Every file is checked whole first; on any problem nothing is written and
    each problem is printed as file:line: message.  Re-importing updates by
    key and never duplicates.

    \b
    Example:
      actionplan import plans/cyber-2026.toml plans/strategy-2030.toml
    """
    from actionplan.planfile import PlanFileError, import_plan_files

    ctx.may_create = True
    try:
        reports = import_plan_files(ctx.store, list(files), prune=prune, dry_run=dry_run)
    except PlanFileError as e:
        for problem in e.problems:
            click.echo(f"{_('error')}: {problem}", err=True)
        click.echo(_("Nothing was imported") + f" ({len(e.problems)} " + _("problem(s)") + ").", err=True)
        sys.exit(1)
    prefix = _("Would import") if dry_run else _("Imported")
    for r in reports:
        plan_word = _("new plan") if r.plan_added else (_("plan changed") if r.plan_changed else _("plan unchanged"))
        click.echo(f"{prefix} {r.plan} ({plan_word}): {len(r.added)} " + _("added") + f", {len(r.changed)} "
                   + _("changed") + f", {len(r.unchanged)} " + _("unchanged"))
        if r.orgs_added or r.orgs_changed:
            click.echo("  " + _("orgs:") + f" {len(r.orgs_added)} " + _("added") + f", {len(r.orgs_changed)} " + _("changed"))
        if r.missing and not prune:
            click.echo("  " + _("not in the file (kept; use --prune to delete):") + " " + ", ".join(r.missing))
        if r.pruned:
            click.echo("  " + ("would delete" if dry_run else _("deleted")) + ": " + ", ".join(r.pruned))


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
    from actionplan.planfile import dump_plan

    text = dump_plan(*ctx.store.export_plan(plan))
    _write_out(text, out)


def _write_out(text: str, out: str | None) -> None:
    if not out or out == "-":
        click.echo(text, nl=False)
        return
    import os
    import tempfile

    target = Path(out)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".actionplan-")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as e:
        fail(f"{out}: " + _("cannot write:") + f" {e.strerror or e}")
    click.echo(_("Wrote") + f" {out}", err=True)


# --- reading ------------------------------------------------------------------------------------


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
    from dataclasses import asdict, fields

    from actionplan import model

    # a shallow copy: asdict() deep-copies every list and took most of `list --json` on 10k tasks
    d = {f.name: getattr(task, f.name) for f in fields(task)}
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


@cli.command("list")
@click.argument("query", nargs=-1)
@click.option("--plan", "plans", multiple=True, metavar="KEY", help="Only this plan (repeatable).")
@click.option("--lead", "leads", multiple=True, metavar="ORG", help="Led by this org (key or name).")
@click.option("--org", "orgs", multiple=True, metavar="ORG", help="Led or coordinated by this org.")
@click.option("--status", "statuses", multiple=True, metavar="STATUS",
              help="not-started, in-progress, blocked, done, cancelled, open or closed.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Carrying this tag.")
@click.option("--overdue", is_flag=True, help="Open tasks whose deadline has passed.")
@click.option("--soon", "soon", type=int, metavar="DAYS", help="Open tasks due within DAYS days.")
@click.option("--due-before", metavar="DATE", help="Deadline before DATE (any deadline form).")
@click.option("--due-after", metavar="DATE", help="Deadline after DATE.")
@click.option("--search", "words", multiple=True, metavar="WORDS", help="Words in title, description, output.")
@click.option("--sort", type=click.Choice(["deadline", "key", "lead", "status", "progress"]), default="deadline",
              show_default=True)
@click.option("--limit", type=click.IntRange(1, 10**9), metavar="N", help="Show at most N tasks.")
@click.option("--as-of", metavar="DATE", help="Judge overdue / due soon as of DATE instead of today.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_ctx
@_handle
def list_(ctx: Context, query: tuple[str, ...], plans, leads, orgs, statuses, tags, overdue, soon, due_before,
          due_after, words, sort, limit, as_of, as_json) -> None:
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
    from actionplan import model
    from actionplan.dates import relative_days
    from actionplan.query import TaskFilter, parse_query

    today = today_for(ctx, as_of)
    f = parse_query(" ".join(_quote_terms(query)))
    extra = TaskFilter(plans=list(plans), leads=list(leads), involving=list(orgs), tags=list(tags),
                       overdue=overdue, due_within=soon, words=list(words),
                       due_before=parse_day(due_before, "--due-before"), due_after=parse_day(due_after, "--due-after"))
    if statuses:
        extra = extra.merged(parse_query(" ".join(f"status:{s}" for s in statuses)))
    f = f.merged(extra)
    store = ctx.store
    for p in f.plans:
        store.get_plan(p)
    tasks = store.list_tasks(f, today=today, order=sort, limit=limit)
    if as_json:
        click.echo(json.dumps([task_json(t, today) for t in tasks], ensure_ascii=False, indent=2))
        return
    if not tasks:
        click.echo(_("No tasks match."))
        return
    rows = []
    for t in tasks:
        due = relative_days(t.deadline, today) if t.deadline and t.is_open else ""
        status = "OVERDUE" if model.is_overdue(t, today) else t.status
        rows.append([t.ref, t.deadline.isoformat() if t.deadline else "-", due, status, f"{t.progress}%", t.lead,
                     t.title])
    click.echo(format_table(["TASK", "DEADLINE", "DUE", "STATUS", "DONE", "LEAD", "TITLE"], rows))
    click.echo(f"{len(tasks)} " + _("task(s)") + f"; {_('as of')} {today.isoformat()}", err=True)


def _quote_terms(terms: Sequence[str]) -> list[str]:
    """Shell arguments -> filter-language text.

    An argument with spaces is one term whose value has spaces ('due<end of Q1 2027',
    'who:Chief of Office') or a phrase, and is quoted as such; an argument that already
    holds quotes or several terms ('lead:MPS due<"end of Q1 2027"') is kept as written.
    """
    import re

    names = "plan|lead|coord|coordinating|org|agency|who|accountable|tag|status|priority|soon|due|deadline|is"
    head = re.compile(r"^([A-Za-z_]+)(<=|>=|<|>|:|=)(.*)$", re.DOTALL)
    another = re.compile(r"\s(" + names + r")(<=|>=|<|>|:)", re.IGNORECASE)
    out = []
    for t in terms:
        if " " not in t or '"' in t or "'" in t or another.search(t):
            out.append(t)
            continue
        m = head.match(t)
        out.append(f'{m[1]}{m[2]}"{m[3]}"' if m else f'"{t}"')
    return out


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
    from actionplan import model
    from actionplan.dates import describe_rrule, relative_days

    store = ctx.store
    today = today_for(ctx, as_of)
    t = store.get_task(task)
    notes = store.list_updates(task)
    if as_json:
        d = task_json(t, today)
        d["notes"] = [{"on": n.on.isoformat(), "author": n.author, "text": n.text, "progress": n.progress}
                      for n in notes]
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
    for label, value in (("Output", t.output), ("Description", t.description), ("Source", t.source),
                         ("Tags", ", ".join(t.tags)), ("Blocked by", t.blocked_reason if t.status == "blocked" else ""),
                         ("Evidence", t.evidence)):
        if value:
            rows.append((label, value))
    if t.completed_on:
        on_time = model.done_on_time(t)
        rows.append(("Completed", t.completed_on.isoformat() + ("" if on_time is None else
                                                              (" (on time)" if on_time else f" ({model.days_late(t, today)} days late)"))))
    if t.kpi:
        share = t.kpi.share_of_way()
        rows.append(("KPI", f"{t.kpi.metric}: {_fmt(t.kpi.current)} of {_fmt(t.kpi.target)} {t.kpi.unit}".rstrip()
                     + (f" ({share * 100:.0f}% of the way)" if share is not None else "")))
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
    click.echo(format_table(["WHEN (UTC)", "WHO", "FIELD", "OLD", "NEW"], rows) if rows else _("No history."))


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
        click.echo(json.dumps([{k: v for k, v in asdict(o).items() if k != "id"} for o in items],
                              ensure_ascii=False, indent=2))
        return
    rows = [[o.key, o.name, o.short_name, o.parent, (o.head + (f", {o.head_title}" if o.head_title else "")).strip(", ")]
            for o in items]
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
        rows.append([s.plan.key, s.plan.reference, s.plan.status, f"{s.progress:.0f}%", str(s.open), str(s.overdue),
                     str(s.done + s.cancelled), s.plan.title])
    click.echo(format_table(["PLAN", "REFERENCE", "STATUS", "DONE", "OPEN", "OVERDUE", "CLOSED", "TITLE"], rows))


# --- writing ------------------------------------------------------------------------------------


def _resolver(store):
    def resolve(text: str, field: str) -> str:
        return store.resolve_org(text, field).key

    return resolve


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
@click.option("--recurrence", default="", metavar="RRULE", help="Periodic duty, e.g. quarterly or FREQ=MONTHLY;INTERVAL=3.")
@click.option("--source", default="", help="Document and clause that assigned the task.")
@click.option("--description", default="", help="Details.")
@click.option("--depends-on", default="", metavar="KEYS", help="Keys of tasks this one waits for, comma-separated.")
@pass_ctx
@_handle
def add(ctx: Context, plan: str, key: str | None, parent: str, title: str, lead: str, deadline: str | None,
        accountable: str, coordinating: str, output_: str, priority: str, tags: tuple[str, ...], recurrence: str,
        source: str, description: str, depends_on: str) -> None:
    """Add a task to a plan.

    \b
    Example:
      actionplan add cyber-2026 --parent 2 --title "Draft decree on sanctions" \\
          --lead MPS --deadline "end of April 2026" --coordinating MOJ,MIC
    """
    from actionplan.dates import describe_resolution
    from actionplan.fields import next_task_key, parse_assignments
    from actionplan.model import Task

    store = ctx.store
    store.get_plan(plan)
    key = key or next_task_key(store.task_keys(plan), parent)
    pairs = [f"title={title}", f"lead={lead}", f"priority={priority}", f"parent={parent}",
             f"accountable={accountable}", f"coordinating={coordinating}", f"output={output_}",
             f"recurrence={recurrence}", f"source={source}", f"description={description}",
             f"depends_on={depends_on}", "tags=" + ",".join(tags)]
    if deadline:
        pairs.append(f"deadline={deadline}")
    changes = parse_assignments(pairs, _resolver(store))
    task = store.add_task(Task(plan=plan, key=key, **changes))
    click.echo(_("Added") + f" {task.ref}: {task.title}")
    if deadline:
        click.echo("  " + _("deadline") + f" {describe_resolution(deadline)}")


@cli.command("set")
@click.argument("task")
@click.argument("assignments", nargs=-1, required=True)
@click.option("--if-version", type=int, metavar="N", help="Refuse unless the task is still at version N.")
@pass_ctx
@_handle
def set_(ctx: Context, task: str, assignments: tuple[str, ...], if_version: int | None) -> None:
    """Change fields of a task: field=value ...

    Fields: title, description, parent, lead, accountable, coordinating,
    start, deadline, recurrence, status, progress, priority, output, evidence,
    completed_on, blocked_reason, depends_on, tags, source, kpi.metric,
    kpi.target, kpi.current, kpi.unit, kpi.baseline.

    \b
    Example:
      actionplan set cyber-2026/2.3 deadline="end of Q1 2027" status=blocked \\
          blocked_reason="waiting for the MOJ opinion"
    """
    from actionplan.dates import format_date
    from actionplan.fields import parse_assignments

    store = ctx.store
    current = store.get_task(task)
    changes = parse_assignments(list(assignments), _resolver(store), current)
    version = if_version if if_version is not None else current.version
    new = store.update_task(task, changes, version)
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
    store = ctx.store
    current = store.get_task(task)
    new = store.mark_done(task, evidence, current.version, parse_day(on, "--on"))
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
    new = ctx.store.add_note(task, text, progress, on=parse_day(on, "--on"))
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
    store = ctx.store
    summary = store.undo(store.actor)
    click.echo(_("Undone:") + f" {summary}")


# --- ics: iCal export (issue 5) -----------------------------------------------------------------


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--plan", "plans", multiple=True, metavar="KEY", help="Only this plan (repeatable).")
@click.option("--lead", "leads", multiple=True, metavar="ORG", help="Led by this org (key or name).")
@click.option("--org", "involving", multiple=True, metavar="ORG",
              help="Led or coordinated by this org: what concerns a member's agency.")
@click.option("--coordinating", multiple=True, metavar="ORG", help="Coordinated by this org.")
@click.option("--accountable", metavar="NAME", help="Accountable person contains NAME.")
@click.option("--status", "statuses", multiple=True, metavar="STATUS",
              help="not-started, in-progress, blocked, done, cancelled, open or closed "
                   "(default: all but done; cancelled ones go out as cancelled).")
@click.option("--all", "all_statuses", is_flag=True, help="Every status, done tasks too.")
@click.option("--from", "from_", metavar="DATE", help="Deadline on or after DATE.")
@click.option("--to", "to", metavar="DATE", help="Deadline on or before DATE.")
@click.option("--remind", "remind", multiple=True, metavar="OFFSET",
              help="Alarm this long before each deadline: 7d, 2w or P7D (repeatable; "
                   "default: the plan's, else the database's, else 7d and 1d).")
@click.option("--no-alarms", is_flag=True, help="No alarms at all.")
@click.option("--reminder-time", metavar="HH:MM", default="09:00", show_default=True,
              help="Local time at which alarms fire.")
@click.option("--reminder-events", is_flag=True,
              help='Also add short "Due in 7 days" events (Google ignores alarms in files).')
@click.option("--todo", is_flag=True, help="Also add a to-do (VTODO) due on each deadline.")
@click.option("--name", metavar="TEXT", help="Calendar name (default: from the plan and org).")
@click.option("-o", "--output", "out", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option("--as-of", metavar="DATE", help="Judge filters like overdue as of DATE.")
@pass_ctx
@_handle
def ics(ctx: Context, query: tuple[str, ...], plans, leads, involving, coordinating, accountable, statuses,
        all_statuses, from_, to, remind, no_alarms, reminder_time, reminder_events, todo, name, out, as_of) -> None:
    """Export deadlines as an iCal (.ics) file for Google, Outlook, Apple Calendar, Thunderbird.

    One all-day event per deadline with reminders before it.  Re-importing
    a newer file updates the same entries (stable UIDs) instead of adding
    copies.  QUERY takes the filter language of `actionplan list`.

    \b
    Examples:
      actionplan ics --org MPS -o mps-deadlines.ics
      actionplan ics --plan cyber-2026 --remind 14d --remind 1d --reminder-events
      actionplan ics --accountable "Minister of Public Security" --from 2026-12-01 --to 2027-06-30
    """
    from datetime import timedelta

    from actionplan.ical import IcalError, IcalOptions, build_calendar
    from actionplan.query import TaskFilter, parse_query

    if remind and no_alarms:
        raise click.UsageError(_("give --remind or --no-alarms, not both"))
    if all_statuses and statuses:
        raise click.UsageError(_("give --status or --all, not both"))
    try:
        options = IcalOptions(reminder_time=reminder_time, reminder_events=reminder_events, todo=todo)
    except IcalError as e:
        raise click.BadParameter(str(e), param_hint="--reminder-time") from None
    if remind or no_alarms:
        try:
            options = IcalOptions(reminders=tuple(remind), reminder_time=options.reminder_time,
                                  reminder_events=reminder_events, todo=todo, reminders_fixed=True)
        except IcalError as e:
            raise click.BadParameter(str(e), param_hint="--remind") from None
    start, end = parse_day(from_, "--from"), parse_day(to, "--to")
    if start and end and end < start:
        raise click.BadParameter(_("--to is before --from"), param_hint="--to")
    store = ctx.store
    today = today_for(ctx, as_of)
    f = parse_query(" ".join(_quote_terms(query))).merged(TaskFilter(
        plans=list(plans), leads=list(leads), involving=list(involving), coordinating=list(coordinating),
        accountable=accountable or "", due_after=start - timedelta(days=1) if start else None,
        due_before=end + timedelta(days=1) if end else None))
    if statuses:
        f = f.merged(parse_query(" ".join(f"status:{s}" for s in statuses)))
    if all_statuses:
        f = f.merged(TaskFilter(statuses=["not started", "in progress", "blocked", "done", "cancelled"]))
    for p in f.plans:
        store.get_plan(p)
    for option, terms in (("--lead", f.leads), ("--org", f.involving), ("--coordinating", f.coordinating)):
        for term in terms:
            if not store.find_orgs(term):
                raise click.BadParameter(_("unknown agency") + f' "{term}" (' + _("see `actionplan orgs`") + ")",
                                         param_hint=option)
    try:
        result = build_calendar(store, f, options, now=store.clock(), name=name, today=today)
    except IcalError as e:
        raise click.ClickException(str(e)) from None
    _write_out(result.text, out)
    note = f"{result.tasks - result.without_date} " + _("deadline(s) exported")
    if result.without_date:
        note += f"; {result.without_date} " + _("task(s) without a deadline left out")
    click.echo(note, err=True)


@cli.command()
@click.argument("offsets", nargs=-1)
@click.option("--plan", metavar="KEY", help="Set the reminders of this plan instead of the database default.")
@click.option("--clear", is_flag=True, help="Remove the setting (a plan then follows the database default).")
@pass_ctx
@_handle
def reminders(ctx: Context, offsets: tuple[str, ...], plan: str | None, clear: bool) -> None:
    """Show or set the default reminders of iCal exports, for the database or one plan.

    OFFSETS are days or weeks before the deadline (7d, 2w, P7D), or "none".
    An export's --remind wins over a plan's setting, which wins over the
    database's, which wins over the built-in 7d and 1d.

    \b
    Examples:
      actionplan reminders
      actionplan reminders 14d 3d
      actionplan reminders --plan cyber-2026 30d 7d 1d
      actionplan reminders --plan cyber-2026 --clear
    """
    from actionplan.ical import DEFAULT_REMINDERS, IcalError, parse_offset_list

    store = ctx.store
    if offsets and clear:
        raise click.UsageError(_("give offsets or --clear, not both"))
    if offsets or clear:
        try:
            value = "" if clear else (",".join(parse_offset_list(" ".join(offsets))) or "none")
        except IcalError as e:
            raise click.BadParameter(str(e), param_hint="OFFSETS") from None
        if plan:
            store.set_plan_reminders(plan, value)
        else:
            store.set_setting("reminders", value)
    default = store.get_setting("reminders") or ""
    click.echo(_("database default") + ": " + (default or ",".join(DEFAULT_REMINDERS) + " (" + _("built in") + ")"))
    for p in store.list_plans():
        if plan and p.key != plan:
            continue
        own = store.plan_reminders(p.key)
        click.echo(f"{p.key}: " + (own or _("follows the database default")))

# --- digest: status digests (issue 6) -----------------------------------------------------------

_DIGEST_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".txt": "text"}


@cli.command()
@click.option("--as-of", metavar="DATE", help="Digest as of DATE (default today).")
@click.option("--since", metavar="DATE", help="Completions and deadline changes from DATE on (default: the last 7 days).")
@click.option("--since-last", is_flag=True, help="Since the as-of date of the previous recorded digest.")
@click.option("--plan", "plans", multiple=True, metavar="KEY", help="Only this plan (repeatable).")
@click.option("--lead", metavar="ORG", help="Only tasks led by this agency (key or name).")
@click.option("--horizon", type=click.IntRange(0, 3660), default=14, show_default=True, metavar="DAYS",
              help="Due soon means due within DAYS days.")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "html"]),
              help="Output format (default: from the -o file name, else text).")
@click.option("-o", "--output", "out", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option("--no-record", is_flag=True, help="Do not record this digest (--since-last will not start from it).")
@pass_ctx
@_handle
def digest(ctx: Context, as_of: str | None, since: str | None, since_last: bool, plans: tuple[str, ...],
           lead: str | None, horizon: int, fmt: str | None, out: str | None, no_record: bool) -> None:
    """Status digest: overdue, due soon, completed and slipped tasks, KPIs, accountability.

    Digests are recorded, so --since-last covers what changed since the
    previous one.  Text and Markdown fit an 80-column terminal or an email;
    HTML is one self-contained file to paste into or attach to an email.

    \b
    Examples:
      actionplan digest --since-last
      actionplan digest --as-of 2026-11-26 --since 2026-11-01 --plan cyber-2026
      actionplan digest --lead MPS --format md -o digest-mps.md
      actionplan digest --since-last -o committee-digest.html
    """
    from actionplan.digest import DigestError, DigestOptions, SinceBasis, build_digest
    from actionplan.digest_render import render

    if since and since_last:
        raise click.UsageError(_("give either --since or --since-last, not both"))
    if fmt is None:
        fmt = _DIGEST_SUFFIXES.get(Path(out).suffix.lower(), "text") if out and out != "-" else "text"
    store = ctx.store
    today = today_for(ctx, as_of)
    options = DigestOptions(as_of=today, since=parse_day(since, "--since"), plans=tuple(plans), lead=lead,
                            horizon=horizon, since_last=since_last)
    try:
        result = build_digest(store, options)
    except DigestError as e:
        raise click.UsageError(str(e)) from None
    if result.since_basis == SinceBasis.NO_PREVIOUS_DIGEST:
        click.echo(_("No previous digest before") + f" {today.isoformat()}: " + _("showing changes since")
                   + f" {result.since.isoformat()}, " + _("one week back") + ".", err=True)
    _write_out(render(result, fmt), out)
    if not no_record:
        store.record_digest(today, result.since.isoformat(),
                            {"plans": list(plans), "lead": result.lead.key if result.lead else None,
                             "horizon": horizon, "format": fmt})

# --- backup and check (issue 7) ------------------------------------------------------------------


def _existing_db(ctx: Context) -> Path:
    """The chosen database file; an error (not a new empty database) when it does not exist."""
    from actionplan.config import choose_db

    path = choose_db(ctx.db_option).path
    if not path.is_file():
        fail(f"{path}: " + _("no database here (give --db PATH, or run `actionplan init` first)"))
    return path


@cli.command()
@click.option("-o", "--output", "out", required=True, metavar="FILE", type=click.Path(dir_okay=False),
              help="Where to write the copy (replaced if it exists).")
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
    target = Path(out)
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
    click.echo(_("Backed up") + f" {source} " + _("to") + f" {out}: {counts['plans']} " + _("plans") + ", "
               + f"{counts['tasks']} " + _("tasks") + ", " + f"{counts['history']} " + _("history rows")
               + "; " + _("the copy passed the integrity check") + ".")


@cli.command()
@pass_ctx
@_handle
def check(ctx: Context) -> None:
    """Check the database: SQLite's integrity check and every cross-reference.

    Prints each problem found (exit code 1), or "No problems found" (exit code 0).
    Restore a backup (`actionplan backup`) if problems are reported.

    \b
    Example:
      actionplan --db committee.db check
    """
    path = _existing_db(ctx)
    problems = ctx.store.integrity_problems()
    if not problems:
        click.echo(_("No problems found in") + f" {path} (" + _("schema") + f" {ctx.store.schema_version}).")
        return
    click.echo(f"{len(problems)} " + _("problem(s) found in") + f" {path}:", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    click.echo(_("Restore a backup made with `actionplan backup`, or ask for help before editing further."),
               err=True)
    sys.exit(1)


# --- serve and feeds: calendar subscriptions (issue 8) -------------------------------------------


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep loopback behind a proxy).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@pass_ctx
@_handle
def serve(ctx: Context, host: str, port: int) -> None:
    """Serve the calendar feeds (GET /feeds/<token>.ics) and GET /health.

    Each request is logged in one line on standard error, with the feed's
    id in place of its token.  Put it behind a reverse proxy with TLS
    (docs/feeds.md).  Stop with Ctrl+C.

    \b
    Example:
      actionplan serve --port 8080
    """
    from actionplan.feeds import serve as run_server

    store = ctx.store  # opens (and migrates) the database once, before serving
    active = len(store.list_feeds())
    path = store.path
    store.close()
    ctx._store = None
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(_("warning: listening on") + f" {host}: " + _("serve feeds to the outside through a "
                   "reverse proxy with TLS (https); tokens in plain http can be read on the way"), err=True)
    click.echo(_("Serving") + f" {active} " + _("active feed(s) from") + f" {path} " + _("at")
               + f" http://{host}:{port}", err=True)
    run_server(path, host=host, port=port)


@cli.group("feeds")
def feeds_group() -> None:
    """Calendar subscription feeds: create, list and revoke them.

    A feed is a secret URL a member subscribes to once; their calendar then
    follows every change.  Only a hash of each token is stored.

    \b
    Examples:
      actionplan feeds add --org MPS --label "MPS cyber desk" --base-url https://cal.example.gov.vn
      actionplan feeds list
      actionplan feeds revoke 3
    """


@feeds_group.command("add")
@click.option("--org", metavar="ORG", help="An org's tasks: those it leads or coordinates (key or name).")
@click.option("--plan", metavar="KEY", help="Every task of one plan.")
@click.option("--accountable", metavar="NAME", help="Tasks whose accountable person contains NAME.")
@click.option("--label", default="", metavar="TEXT", help="Who the feed is for (shown by `feeds list`).")
@click.option("--reminder-events", is_flag=True,
              help='Add short "Due in 7 days" events (Google and Apple ignore alarms in subscribed calendars).')
@click.option("--base-url", envvar="ACTIONPLAN_BASE_URL", default="http://127.0.0.1:8080", show_default=True,
              metavar="URL", help="Public address of the server ($ACTIONPLAN_BASE_URL); https for Google Calendar.")
@pass_ctx
@_handle
def feeds_add(ctx: Context, org: str | None, plan: str | None, accountable: str | None, label: str,
              reminder_events: bool, base_url: str) -> None:
    """Create a feed and print its URL (shown this once; only its hash is kept).

    \b
    Examples:
      actionplan feeds add --org MPS --label "MPS cyber desk" --base-url https://cal.example.gov.vn
      actionplan feeds add --plan cyber-2026 --reminder-events
      actionplan feeds add --accountable "Minister of Public Security"
    """
    from actionplan.feeds import create_feed, normalise_base_url, resolve_scope

    store = ctx.store
    base = normalise_base_url(base_url)
    scope = resolve_scope(store, org=org, plan=plan, accountable=accountable)
    new = create_feed(store, scope, base_url=base, label=label, reminder_events=reminder_events)
    click.echo(_("Created feed") + f" {new.id} ({scope.describe()}" + (f", {label}" if label else "") + ")")
    click.echo(_("Subscribe with this URL (shown once; keep it secret):"))
    click.echo(f"  {new.url}")
    click.echo(_("Apple Calendar:") + f" {new.webcal_url}")
    if not base.startswith("https://"):
        click.echo(_("note: Google Calendar and Outlook need an https URL; give --base-url https://..."), err=True)


@feeds_group.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked feeds.")
@pass_ctx
@_handle
def feeds_list(ctx: Context, include_revoked: bool) -> None:
    """List feeds: id, label, scope, created (never the token).

    \b
    Example:
      actionplan feeds list --all
    """
    from actionplan.feeds import list_feeds

    items = list_feeds(ctx.store, include_revoked)
    if not items:
        click.echo(_("No feeds.") + " " + _("Create one with `actionplan feeds add`."))
        return
    rows = []
    for f in items:
        options = "reminder events" if f.reminder_events else ""
        row = [str(f.id), f.label, f.scope.describe(), options, f.created_at.replace("T", " ")[:16], f.created_by]
        if include_revoked:
            row.append((f.revoked_at or "").replace("T", " ")[:16])
        rows.append(row)
    headers = ["ID", "LABEL", "SCOPE", "OPTIONS", "CREATED (UTC)", "BY"] + (["REVOKED"] if include_revoked else [])
    click.echo(format_table(headers, rows, flex=1))


@feeds_group.command("revoke")
@click.argument("feed_id", metavar="ID", type=int)
@pass_ctx
@_handle
def feeds_revoke(ctx: Context, feed_id: int) -> None:
    """Revoke a feed: its URL answers 404 from the next request on.

    \b
    Example:
      actionplan feeds revoke 3
    """
    ctx.store.revoke_feed(feed_id)
    click.echo(_("Revoked feed") + f" {feed_id}; " + _("its URL now answers 404."))


def main() -> None:
    """Console entry point."""
    cli(prog_name="actionplan")


if __name__ == "__main__":  # pragma: no cover
    main()
