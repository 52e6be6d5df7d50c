"""Reading commands: list, show, history, orgs, plans (what the plans say, and who did what)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from actionplan.cli.support import (
    Context,
    _handle,
    fail,
    format_table,
    json_lines_array,
    parse_day,
    pass_ctx,
    task_json,
    task_json_text,
    today_for,
)
from actionplan.core.i18n import _, pgettext

if TYPE_CHECKING:
    from datetime import date

    from actionplan.core.model import Task
    from actionplan.store import Store


@click.command("list")
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
    from actionplan.core.l10n import iso_or_day
    from actionplan.core.query import TaskFilter, parse_query, query_text

    today = today_for(ctx, as_of)
    f = parse_query(query_text(query))
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
    from actionplan.core.accountability import end_of_day

    # a past --as-of lists the tasks as they stood at the end of that day, rebuilt from the history
    with store.state_at(end_of_day(today, store.timezone)):
        for p in f.plans:
            store.get_plan(p)  # an unknown plan is an error that names it, not an empty list
        for term in f.leads + f.coordinating + f.involving:
            if not store.find_orgs(term):
                fail(_('unknown agency "{name}" (see `actionplan orgs`)').format(name=term))
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
        removed = store.removed_deadline_overdue(today) if any(t.deadline is None and t.is_open for t in tasks) else {}
        for t in tasks:
            due = relative_days(t.deadline, today) if t.deadline and t.is_open else ""
            status = _("OVERDUE") if model.is_overdue(t, today) else model.status_label(t.status)
            deadline = iso_or_day(t.deadline) if t.deadline else "-"
            committed = removed.get(t.id or 0)
            if committed is not None:  # late against the deadline it was committed to, then removed
                deadline = _("deadline removed; committed {date}").format(date=iso_or_day(committed))
                due, status = relative_days(committed, today), _("OVERDUE")
            rows.append([t.ref, deadline, due, status, f"{t.progress}%", t.lead, t.title])
        headings = [_("TASK"), _("DEADLINE"), _("DUE"), _("STATUS"), _("DONE"), _("LEAD"), _("TITLE")]
        click.echo(format_table(headings, rows))
        click.echo(_("{n} task(s); as of {date}").format(n=len(tasks), date=iso_or_day(today)), err=True)


@click.command()
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
    from actionplan.core.l10n import iso_or_day

    rows = _show_rows(store, t, today)
    width = max(len(k) for k, _v in rows)
    for k, v in rows:
        click.echo(f"{k.ljust(width)}  {v}")
    if notes:
        click.echo("\n" + _("Progress notes:"))
        for n in notes:
            pct = f" [{n.progress}%]" if n.progress is not None else ""
            click.echo(f"  {iso_or_day(n.on)}  {n.author}{pct}: {n.text}")


def _show_rows(store: Store, t: Task, today: date) -> list[tuple[str, str]]:
    """The labelled lines of ``show``, in order."""
    from actionplan.core import model
    from actionplan.core.dates import relative_days
    from actionplan.core.l10n import is_vietnamese, iso_or_day
    from actionplan.core.recurrence import describe_rrule

    lead = store.get_org(t.lead)
    status = model.status_label(t.status) + ("  (" + _("OVERDUE") + ")" if model.is_overdue(t, today) else "")
    lead_text = f"{lead.key} — {lead.name}" + (f" ({lead.head}, {lead.head_title})" if lead.head else "")
    if lead.short_name and is_vietnamese():
        lead_text = f"{lead.key} — {lead.short_name}" + (f" ({lead.head}, {lead.head_title})" if lead.head else "")
    rows: list[tuple[str, str]] = [
        (_("Task"), f"{t.ref}  {t.title}"),
        (
            _("Status"),
            _("{status}, {progress}% done, priority {priority}").format(
                status=status, progress=t.progress, priority=model.status_label(t.priority)
            ),
        ),
        (_("Lead"), lead_text),
        (_("Accountable"), t.accountable or "-"),
        (_("Coordinating"), ", ".join(t.coordinating) or "-"),
    ]
    if t.deadline:
        written = " " + _('(written "{text}")').format(text=t.deadline_text) if t.deadline_text else ""
        rel = relative_days(t.deadline, today) if t.is_open else ""
        rows.append((_("Deadline"), f"{iso_or_day(t.deadline)}{written}" + (f" — {rel}" if rel else "")))
    else:
        rows.append((_("Deadline"), "-"))
    if t.start:
        rows.append((_("Start"), iso_or_day(t.start)))
    if t.recurrence:
        rows.append((_("Repeats"), f"{describe_rrule(t.recurrence)} ({t.recurrence})"))
    if t.parent:
        rows.append((_("Parent"), f"{t.plan}/{t.parent}"))
    subtasks = store.subtasks(t.ref)
    if subtasks:
        rows.append((_("Subtasks"), ", ".join(s.key for s in subtasks)))
    if t.depends_on:
        rows.append((_("Depends on"), ", ".join(t.depends_on)))
    for label, value in (
        (_("Output"), t.output),
        (_("Description"), t.description),
        (_("Source"), t.source),
        (_("Tags"), ", ".join(t.tags)),
        (_("Blocked by"), t.blocked_reason if t.status == "blocked" else ""),
        (_("Evidence"), t.evidence),
    ):
        if value:
            rows.append((label, value))
    if t.completed_on:
        from actionplan.digest.figures import lateness_of

        late = lateness_of(store, t, today)  # judged as the digest and the reports judge it
        timing = ""
        if late.committed is not None:
            timing = _("on time") if late.days_late == 0 else _("{n} days late").format(n=late.days_late)
            if late.committed != t.deadline:
                timing += "; " + _("committed") + " " + iso_or_day(late.committed)
            timing = f" ({timing})"
        rows.append((_("Completed"), iso_or_day(t.completed_on) + timing))
    if t.kpi:
        share = t.kpi.share_of_way()
        kpi_text = _("{metric}: {current} of {target} {unit}").format(
            metric=t.kpi.metric, current=_fmt(t.kpi.current), target=_fmt(t.kpi.target), unit=t.kpi.unit
        )
        if share is not None:
            kpi_text = kpi_text.rstrip() + " (" + _("{pct}% of the way").format(pct=f"{share * 100:.0f}") + ")"
        rows.append(("KPI", kpi_text.rstrip()))
    rows.append((_("Version"), str(t.version)))
    return rows


def _fmt(value: float | None) -> str:
    from actionplan.core.l10n import number

    return "?" if value is None else number(value)


@click.command()
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
    from actionplan.core.fields import field_label
    from actionplan.core.l10n import history_moment, history_value, is_vietnamese

    changes = ctx.store.history(task, limit=limit)
    rows = []
    for c in changes:
        when = history_moment(c.at)
        if c.field == "*created*":
            what = _("created (import)") if c.action == "import" else _("created")
            rows.append([when, c.actor, what, "", c.new or ""])
        elif c.field == "note":
            rows.append([when, c.actor, _("note"), "", _("removed") if c.new is None else _("added")])
        else:
            old, new = history_value(c.field, c.old), history_value(c.field, c.new)
            rows.append([when, c.actor, field_label(c.field) if is_vietnamese() else c.field, old or "∅", new or "∅"])
    headers = [_("WHEN (UTC)"), _("WHO"), _("FIELD"), _("OLD"), _("NEW")]
    if any(c.reason for c in changes):  # the column only when some change says why
        headers.append(_("WHY"))
        for row, c in zip(rows, changes):
            row.append(c.reason)
    click.echo(format_table(headers, rows, flex=4) if rows else _("No history."))  # NEW shrinks to fit


@click.command()
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
    click.echo(format_table([_("KEY"), _("NAME"), _("SHORT NAME"), _("PARENT"), _("HEAD")], rows, flex=1))


@click.command()
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
                _(s.plan.status),
                f"{s.progress:.0f}%",
                str(s.open),
                str(s.overdue),
                str(s.done + s.cancelled),
                s.plan.title,
            ]
        )
    headings = [
        _("PLAN"),
        _("REFERENCE"),
        _("STATUS"),
        _("DONE"),
        _("OPEN"),
        _("OVERDUE"),
        _("CLOSED"),
        pgettext("plan", "TITLE"),
    ]
    click.echo(format_table(headings, rows))
