"""The detail pane: everything about one task, read from the store."""

from __future__ import annotations

from datetime import date

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from actionplan.core import model
from actionplan.core.dates import relative_days
from actionplan.core.i18n import _
from actionplan.core.l10n import iso_or_day
from actionplan.core.model import Task, TaskStatus, status_label
from actionplan.core.recurrence import describe_rrule
from actionplan.store import Store

STATUS_STYLE: dict[str, str] = {
    TaskStatus.NOT_STARTED: "dim",
    TaskStatus.IN_PROGRESS: "bold cyan",
    TaskStatus.BLOCKED: "bold yellow",
    TaskStatus.DONE: "bold green",
    TaskStatus.CANCELLED: "dim strike",
}


def progress_bar(percent: float, width: int = 10) -> Text:
    """A bar like ██████░░░░ for a percentage."""
    filled = int(round(max(0.0, min(100.0, percent)) / 100 * width))
    bar = Text("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    return bar


def deadline_text(task: Task, today: date) -> Text:
    """ "2026-12-31 · 35 days left", red when overdue."""
    if task.deadline is None:
        return Text("—", style="dim")
    text = Text(iso_or_day(task.deadline))
    if task.is_open:
        rel = relative_days(task.deadline, today)
        style = "bold red" if model.is_overdue(task, today) else ("yellow" if model.is_due_soon(task, today) else "")
        text.append(f" · {rel}", style=style)
    return text


def status_text(task: Task, today: date) -> Text:
    if model.is_overdue(task, today):
        return Text(_("overdue"), style="bold red") + Text(f" ({status_label(task.status)})", style="dim")
    return Text(status_label(task.status), style=STATUS_STYLE.get(task.status, ""))


class TaskDetail(VerticalScroll, can_focus=True):
    """Shows one task: lead, accountable head, coordinating orgs, deadline, notes, history."""

    DEFAULT_CSS = """
    TaskDetail { padding: 0 1; }
    TaskDetail > Static { width: 100%; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.task_ref: str | None = None
        self.renderable: object = Text(_("Select a task to see it here."), style="dim")
        self.body = Static(Text(_("Select a task to see it here."), style="dim"))

    def compose(self):
        yield self.body

    def show_task(self, store: Store, task: Task | None, today: date) -> None:
        """Fill the pane with *task* (or a hint when nothing is selected)."""
        if task is None:
            self.task_ref = None
            self.renderable = Text(_("No task selected."), style="dim")
            self.body.update(self.renderable)
            return
        self.task_ref = task.ref
        self.renderable = render_task(store, task, today)
        self.body.update(self.renderable)

    def plain_text(self, width: int = 100) -> str:
        """What the pane shows, as plain text (for tests and screen readers)."""
        import io

        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=io.StringIO())
        console.print(self.renderable)
        return console.export_text()


def render_task(store: Store, task: Task, today: date) -> Group:
    """A Rich renderable of a task in full."""
    title = Text(f"{task.key}  ", style="bold")
    title.append(task.title, style="bold")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)

    def row(label: str, value: Text | str) -> None:
        grid.add_row(label, value if isinstance(value, Text) else Text(value))

    status = status_text(task, today)
    status.append(f"  {task.progress}% ", style="")
    status.append_text(progress_bar(task.progress))
    if task.priority != model.Priority.NORMAL:
        status.append(
            f"  {status_label(task.priority)}", style="magenta" if task.priority in ("high", "critical") else "dim"
        )
    row(_("Status"), status)
    row(_("Deadline"), deadline_text(task, today))
    if task.deadline_text:
        row("", Text(f'"{task.deadline_text}"', style="dim"))
    try:
        lead = store.get_org(task.lead)
        lead_text = Text(f"{lead.key} — {lead.name}")
        if lead.head:
            lead_text.append(f"\n{lead.head}" + (f", {lead.head_title}" if lead.head_title else ""), style="dim")
    except Exception:
        lead_text = Text(task.lead)
    row(_("Lead"), lead_text)
    row(_("Accountable"), task.accountable or "—")
    row(_("Coordinating"), ", ".join(task.coordinating) or "—")
    if task.recurrence:
        row(_("Repeats"), describe_rrule(task.recurrence))
    if task.start:
        row(_("Start"), iso_or_day(task.start))
    if task.output:
        row(_("Output"), task.output)
    if task.kpi:
        k = task.kpi
        share = k.share_of_way()
        kpi = Text(f"{k.metric}: {_num(k.current)} / {_num(k.target)} {k.unit}".rstrip())
        if share is not None:
            kpi.append(f"  {share * 100:.0f}% ", style="")
            kpi.append_text(progress_bar(share * 100))
        row(_("KPI"), kpi)
    if task.status == TaskStatus.BLOCKED and task.blocked_reason:
        row(_("Blocked by"), Text(task.blocked_reason, style="yellow"))
    if task.depends_on:
        deps = Text()
        for i, key in enumerate(task.depends_on):
            try:
                dep = store.get_task(f"{task.plan}/{key}")
                mark, style = ("✓", "green") if dep.status == TaskStatus.DONE else ("…", "yellow")
            except Exception:
                mark, style = "?", "red"
            deps.append(("" if i == 0 else ", ") + f"{key} {mark}", style=style)
        row(_("Depends on"), deps)
    if task.parent:
        row(_("Parent"), task.parent)
    if task.status == TaskStatus.DONE:
        done = Text(iso_or_day(task.completed_on) if task.completed_on else "—")
        if task.completed_on:
            from actionplan.digest.figures import lateness_of

            # judged against the deadline first committed to, as the digest and the reports judge it
            late = lateness_of(store, task, today)
            if late.committed is not None:
                on_time = late.days_late == 0
                timing = _("on time") if on_time else _("{n} days late").format(n=late.days_late)
                done.append(" · " + timing, style="green" if on_time else "red")
                if late.committed != task.deadline:
                    done.append(" (" + _("committed") + " " + iso_or_day(late.committed) + ")", style="dim")
        row(_("Completed"), done)
    if task.evidence:
        row(_("Evidence"), task.evidence)
    if task.source:
        row(_("Source"), Text(task.source, style="italic"))
    if task.tags:
        row(_("Tags"), Text(" ".join(f"#{t}" for t in task.tags), style="cyan"))
    parts: list = [title, grid]
    if task.description:
        parts += [Text(""), Text(task.description)]
    notes = store.list_updates(task.ref)
    parts.append(Text(""))
    parts.append(Text(_("Progress notes") + f" ({len(notes)})", style="bold underline"))
    if not notes:
        parts.append(Text(_("No notes yet (r to record progress)."), style="dim"))
    for n in reversed(notes[-8:]):
        line = Text(f"{iso_or_day(n.on)} ", style="dim")
        line.append(n.author, style="bold")
        if n.progress is not None:
            line.append(f" [{n.progress}%]", style="cyan")
        line.append(f": {n.text}")
        parts.append(line)
    changes = [c for c in store.history(task.ref, limit=12) if c.field not in ("deadline_text", "note")]
    parts.append(Text(""))
    parts.append(Text(_("History"), style="bold underline"))
    for c in reversed(changes[-8:]):
        line = Text(f"{c.at[:10]} ", style="dim")
        line.append(c.actor, style="bold")
        if c.field == "*created*":
            line.append(" " + (_("imported") if c.action == "import" else _("created")))
        else:
            line.append(f" {c.field}: ")
            line.append(c.old or "∅", style="red")
            line.append(" → ")
            line.append(c.new or "∅", style="green")
        parts.append(line)
    parts.append(Text(f"v{task.version}", style="dim"))
    return Group(*parts)


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
