"""The phrases of a status digest, built once so text, Markdown and HTML say the same thing.

:mod:`actionplan.digest.render` (text, Markdown) and :mod:`actionplan.digest.html` both
import these; neither imports the other's module for them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from actionplan.core import l10n
from actionplan.core.dates import relative_days
from actionplan.core.i18n import N_, _, ngettext
from actionplan.core.model import KPI, ProgressUpdate, Task
from actionplan.digest.data import (
    BlockedItem,
    CancelledItem,
    ChangeKind,
    CompletedItem,
    DeadlineChange,
    Digest,
    DueItem,
    OverdueItem,
    SinceBasis,
)
from actionplan.digest.figures import average_text, percent_text

BAR_WIDTH = 20


def one_line(text: str) -> str:
    """User text on one line: runs of whitespace (newlines too) become one space."""
    return " ".join(str(text).split())


def cap(text: str) -> str:
    """First letter upper-case, the rest untouched ("changed on 20 Nov" -> "Changed on 20 Nov")."""
    return text[:1].upper() + text[1:]


def day(d: date | None) -> str:
    return l10n.day(d) if d else _("no deadline")


def days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=n)


def pct(value: float) -> str:
    """Whole percent, rounded half up like every figure (figures.round_half_up)."""
    return percent_text(value)


def number(value: float | None) -> str:
    return "?" if value is None else l10n.number(value)


def title_phrase(digest: Digest) -> str:
    return _("Status digest as of {date}").format(date=day(digest.as_of))


#: Up to this many plans are named in the heading; more read "all N plans".
MAX_NAMED_PLANS = 6


def org_phrase(key: str, name: str, digest: Digest) -> str:
    """``MPS, Ministry of Public Security``; in Vietnamese ``MPS, Bộ Công an`` (the short name)."""
    if l10n.is_vietnamese() and digest.short_names.get(key):
        name = digest.short_names[key]
    name = one_line(name)
    return f"{key}, {name}" if name and name != key else key


def scope_phrase(digest: Digest) -> str:
    if not digest.plans:
        plans = _("no plans")
    elif digest.plans_filtered or len(digest.plans) <= MAX_NAMED_PLANS:
        plans = ", ".join(p.key for p in digest.plans)
    else:
        plans = _("all {n}").format(n=len(digest.plans))
    lead = (
        _("lead agency {agency}").format(agency=org_phrase(digest.lead.key, digest.lead.name, digest))
        if digest.lead
        else _("all lead agencies")
    )
    if digest.coordinating:
        lead = _("tasks coordinated by {agency}").format(
            agency=org_phrase(digest.coordinating.key, digest.coordinating.name, digest)
        )
    if len(digest.plans) != 1:
        return _("Plans: {plans}; {lead}.").format(plans=plans, lead=lead)
    return _("Plan: {plans}; {lead}.").format(plans=plans, lead=lead)


def since_phrase(digest: Digest) -> str:
    since = day(digest.since)
    if digest.since_basis == SinceBasis.PREVIOUS_DIGEST:
        return _("Changes since the previous digest, as of {date}, that day included.").format(date=since)
    if digest.since_basis == SinceBasis.NO_PREVIOUS_DIGEST:
        return _(
            "There is no previous digest before {as_of}, so changes are shown since {date}, "
            "one week back, that day included."
        ).format(as_of=day(digest.as_of), date=since)
    if digest.since_basis == SinceBasis.DEFAULT:
        return _("Changes since {date}, one week back, that day included (no since date given).").format(date=since)
    return _("Changes since {date}, that day included.").format(date=since)


def horizon_end(digest: Digest) -> date:
    from datetime import timedelta

    return digest.as_of + timedelta(days=digest.horizon)


def horizon_phrase(digest: Digest) -> str:
    return (
        _("Due soon means a deadline from today to")
        + f" {day(horizon_end(digest))} "
        + _("(today + {n}), both included").format(n=days(digest.horizon))
        + ". "
        + _("Tasks are judged against their committed deadline, the first one recorded")
        + "; "
        + _("figures are rounded half up")
        + ". "
        + _("Times are in")
        + f" {digest.zone}."
    )


def footer_phrase(digest: Digest) -> str:
    return _("Generated for {date} by actionplan digest.").format(date=day(digest.as_of))


def lead_phrase(task: Task, digest: Digest | None = None) -> str:
    if digest is not None:
        return org_phrase(task.lead, task.lead_name, digest)
    name = one_line(task.lead_name)
    return f"{task.lead}, {name}" if name and name != task.lead else task.lead


def note_phrase(note: ProgressUpdate | None) -> str:
    if note is None:
        return _("none recorded")
    progress = f" [{note.progress}%]" if note.progress is not None else ""
    return f"{day(note.on)} ({one_line(note.author)}){progress}: {one_line(note.text)}"


def late_phrase(late: int) -> str:
    """``63 days late``."""
    return _("{days} late").format(days=days(late))


def committed_phrase(committed: date | None, current: date | None, late: int) -> str:
    """``; committed 30 Sep 2026: 63 days late`` when the committed deadline is not the current one."""
    if committed is None or committed == current:
        return ""
    if late:
        return _("; committed {date}: {late}").format(date=day(committed), late=late_phrase(late))
    return _("; committed {date}: not late").format(date=day(committed))


def overdue_phrase(item: OverdueItem, as_of: date) -> str:
    task = item.task
    if task.deadline is None:
        return _("{late} (deadline removed; committed {committed}), {progress}% done").format(
            late=late_phrase(item.days_late_committed), committed=day(item.committed), progress=task.progress
        )
    values = {"left": relative_days(task.deadline, as_of), "due": day(task.deadline), "progress": task.progress}
    if item.committed is None or item.committed == task.deadline:
        return _("{left} (due {due}), {progress}% done").format(**values)
    if item.days_late_committed:
        return _("{left} (due {due}; committed {committed}: {late}), {progress}% done").format(
            **values, committed=day(item.committed), late=late_phrase(item.days_late_committed)
        )
    return _("{left} (due {due}; committed {committed}: not late), {progress}% done").format(
        **values, committed=day(item.committed)
    )


def due_phrase(item: DueItem, as_of: date) -> str:
    assert item.task.deadline is not None
    return _("due {date} ({left}), {progress}% done").format(
        date=day(item.task.deadline), left=relative_days(item.task.deadline, as_of), progress=item.task.progress
    )


def completed_phrase(item: CompletedItem) -> str:
    if item.period_due is not None:
        head = _("period due {due} done {date}").format(due=day(item.period_due), date=day(item.completed_on))
    else:
        head = _("done {date}").format(date=day(item.completed_on))
    if item.due is None:
        return _("{done} (no deadline, not judged)").format(done=head)
    timing = _("on time") if item.on_time else late_phrase(item.days_late)
    if item.period_due is not None or item.due_now == item.due:
        text = _("{done}, {timing}") if item.period_due is not None else _("{done}, {timing} (due {due})")
        return text.format(done=head, timing=timing, due=day(item.due))
    now = item.days_late_now
    against = _("on time") if now == 0 else (late_phrase(now) if now else _("none"))
    return _("{done}, {timing} (due {due}; current deadline {now}: {against})").format(
        done=head, timing=timing, due=day(item.due), now=day(item.due_now), against=against
    )


def cancelled_phrase(item: CancelledItem) -> str:
    values = {"date": day(item.on), "who": one_line(item.by)}
    if item.committed is None:
        head = _("cancelled {date} by {who} (no deadline)").format(**values)
    elif item.days_late:
        head = _("cancelled {date} by {who}, {late} (committed {committed})").format(
            **values, late=late_phrase(item.days_late), committed=day(item.committed)
        )
    else:
        head = _("cancelled {date} by {who}, not late (committed {committed})").format(
            **values, committed=day(item.committed)
        )
    if item.undone_on:
        head = _("{cancelled}; undone {date}").format(cancelled=head, date=day(item.undone_on))
    return head


def change_phrase(change: DeadlineChange) -> str:
    if change.kind == ChangeKind.SLIPPED:
        what = _("deadline slipped {days}: {old} → {new}")
    elif change.kind == ChangeKind.BROUGHT_FORWARD:
        what = _("deadline brought forward {days}: {old} → {new}")
    elif change.kind == ChangeKind.RESTORED:
        what = _("deadline back to the committed {new} (was {old})")
    elif change.kind == ChangeKind.SET:
        what = _("deadline set to {new}")
    else:
        what = _("deadline removed, a slip (was {old})")
    what = what.format(
        **{name: _change_value(change, name) for name in ("days", "old", "new") if f"{{{name}}}" in what}
    )
    if change.reversal:
        what = _("undo: {change}").format(change=what)
    if change.undone_on:
        what = _("{change}; undone {date}").format(change=what, date=day(change.undone_on))
    return what


def _change_value(change: DeadlineChange, name: str) -> str:
    return days(change.days) if name == "days" else day(getattr(change, name))


_ACTIONS = {"import": N_("plan file import"), "undo": N_("undo")}


def changed_by_phrase(change: DeadlineChange) -> str:
    how = _ACTIONS.get(change.action)
    values = {"who": one_line(change.by), "date": day(change.at.date()), "time": f"{change.at:%H:%M}"}
    if how:
        return _("changed by {who} on {date} at {time} ({how})").format(**values, how=_(how))
    return _("changed by {who} on {date} at {time}").format(**values)


def blocked_phrase(item: BlockedItem, as_of: date) -> str:
    task = item.task
    when = (
        _("due {date} ({left})").format(date=day(task.deadline), left=relative_days(task.deadline, as_of))
        if task.deadline
        else _("no deadline")
    )
    return _("blocked, {when}, {progress}% done").format(when=when, progress=task.progress)


def kpi_values_phrase(kpi: KPI) -> str:
    unit = one_line(kpi.unit)
    attach = "%" if unit == "%" else ""
    parts = [
        _("current {value}").format(value=f"{number(kpi.current)}{attach}"),
        _("target {value}").format(value=f"{number(kpi.target)}{attach}"),
    ]
    if kpi.baseline is not None:
        parts.append(_("baseline {value}").format(value=f"{number(kpi.baseline)}{attach}"))
    if unit and not attach:
        parts.append(unit)
    return cap(" · ".join(parts))


def share_phrase(share: float | None) -> str:
    return _("no current value") if share is None else _("{pct} of the way").format(pct=pct(share * 100))


def on_time_cell(value: float | None) -> str:
    return percent_text(value)


def average_cell(value: float | None) -> str:
    return average_text(value)


def text_bar(share: float | None) -> str:
    """``[########............]`` for a share 0..1 (blank when unknown)."""
    if share is None:
        return "[" + " " * BAR_WIDTH + "]"
    filled = round(max(0.0, min(1.0, share)) * BAR_WIDTH)
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]"


EMPTY = {
    "plans": N_("No plans in the database."),
    "overdue": N_("No overdue tasks."),
    "blocked": N_("No blocked tasks."),
    "kpis": N_("No KPI targets."),
    "progress": N_("No plans to show progress for."),
    "accountability": N_("No tasks assigned to any agency."),
}


def empty_phrase(section: str, digest: Digest) -> str:
    if section == "due":
        return _("Nothing falls due by") + f" {day(horizon_end(digest))}."
    if section == "completed":
        return _("No tasks completed since {date}.").format(date=day(digest.since))
    if section == "changes":
        return _("No deadline changes since") + f" {day(digest.since)}."
    if section == "cancelled":
        return _("No tasks cancelled since") + f" {day(digest.since)}."
    if section == "plans" and digest.plans_filtered:
        return _("No plans match.")
    return _(EMPTY[section])


def more_phrase(section: str, digest: Digest) -> str:
    """``… and 1512 more, not listed (the first 25 of each list are shown).`` ("" when none)."""
    n = digest.more.get(section, 0)
    if not n:
        return ""
    return _("… and {n} more, not listed (the first {limit} of each list are shown).").format(n=n, limit=digest.limit)


def section_titles(digest: Digest) -> dict[str, str]:
    """Section headings with their counts."""
    since = day(digest.since)
    return {
        "headline": _("Headline figures (done, slips and cancelled: since") + f" {since})",
        "overdue": _("Overdue tasks") + f" ({digest.count('overdue')}), " + _("most days late first"),
        "due": _("Due by") + f" {day(horizon_end(digest))} ({digest.count('due')})",
        "completed": _("Completed since") + f" {since} ({digest.count('completed')})",
        "changes": _("Deadline changes since")
        + f" {since} ({digest.count('changes')}; "
        + _("slips: {n}").format(n=digest.totals.slipped_since)
        + ")",
        "cancelled": _("Cancelled since") + f" {since} ({digest.count('cancelled')})",
        "blocked": _("Blocked tasks") + f" ({digest.count('blocked')})",
        "kpis": _("KPI targets") + f" ({digest.count('kpis')})",
        "progress": _("Progress by plan"),
        "accountability": _("Accountability by lead agency, all time to")
        + f" {day(digest.as_of)}, "
        + _("worst first"),
        "deliveries": _("Deliveries by lead agency, all time to") + f" {day(digest.as_of)}",
    }


def headline_headers() -> list[str]:
    return [_("Plan"), _("Open"), _("Overdue"), _("Due soon"), _("Done since"), _("Slips"), _("Cancelled")]


def headline_rows(digest: Digest) -> list[list[str]]:
    rows = []
    for pf in digest.plan_figures:
        f = pf.figures
        rows.append(_headline_row(pf.plan.key, f))
    if len(digest.plan_figures) > 1:
        t = digest.totals
        rows.append(_headline_row(_("All plans"), t))
    return rows


def _headline_row(label: str, f: Any) -> list[str]:
    return [
        label,
        str(f.open),
        str(f.overdue),
        str(f.due_soon),
        str(f.done_since),
        str(f.slipped_since),
        str(f.cancelled_since),
    ]


def accountability_headers() -> list[str]:
    return [_("Lead"), _("Tasks"), _("Open"), _("Overdue"), _("Avg late, open"), _("Cancelled")]


def accountability_rows(digest: Digest) -> list[list[str]]:
    """Tasks led (cancelled ones included), open, overdue, running lateness of the open ones."""
    return [
        [a.org, str(a.assigned), str(a.open), str(a.overdue), average_cell(a.avg_late_open), str(a.cancelled)]
        for a in digest.accountability
    ]


def deliveries_headers() -> list[str]:
    return [_("Lead"), _("Delivered"), _("On time"), _("On time now"), _("Avg late, done")]


def deliveries_rows(digest: Digest) -> list[list[str]]:
    """Deliveries (done tasks and recurring periods), on time % against both deadlines, final lateness."""
    return [
        [
            a.org,
            str(a.delivered),
            on_time_cell(a.on_time_pct),
            on_time_cell(a.on_time_now_pct),
            average_cell(a.avg_late_done),
        ]
        for a in digest.accountability
    ]


def accountability_note() -> str:
    return " ".join(
        [
            _("Avg late, open: days past the committed deadline on the as-of date, over the open tasks past it."),
            _("Avg late, done: days past the committed deadline at completion, over the late deliveries."),
            _("On time: deliveries (done tasks and recurring periods) on or before the committed deadline;"),
            _("On time now: on or before the current one; both over the deliveries that have that deadline."),
            _("— means there is nothing to count."),
        ]
    )


def agency_names(digest: Digest) -> list[tuple[str, str]]:
    """Each agency of the accountability table by name (Vietnamese output: its short name)."""
    vietnamese = l10n.is_vietnamese()
    return [
        (a.org, one_line(digest.short_names.get(a.org, a.name) if vietnamese else a.name))
        for a in digest.accountability
    ]


def progress_counts_phrase(s: Any) -> str:
    parts = [
        _("{done} of {total} done").format(done=s.done, total=s.total),
        _("{n} open").format(n=s.open),
        _("{n} overdue").format(n=s.overdue),
    ]
    if s.cancelled:
        parts.append(_("{n} cancelled").format(n=s.cancelled))
    return ", ".join(parts)


def plan_title_phrase(plan: Any) -> str:
    title = one_line(plan.title)
    return f"{title} ({one_line(plan.reference)})" if plan.reference else title


def progress_note(digest: Digest) -> str:
    return _("Whole plans, all lead agencies.") if digest.lead or digest.coordinating else ""
