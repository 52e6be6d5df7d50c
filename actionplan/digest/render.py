"""Status digests as text, Markdown and HTML.

:func:`render` turns a :class:`~actionplan.digest.data.Digest` into one of three
formats.  Text and Markdown are wrapped to 80 columns so they read well in a
terminal and pasted into an email; both are written here.  HTML is one
self-contained file: inline styles only, tables for layout and progress bars,
no external CSS, scripts or fonts; every piece of user text is escaped by
Jinja2's autoescape.  It is written in :mod:`actionplan.digest.html`, which
(and so Jinja2) is imported only when HTML is asked for.

Every phrase is built once here (``*_phrase`` functions) so the three formats
say the same thing.  Output depends only on the digest, never on the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from actionplan.core.dates import format_date_long, relative_days
from actionplan.core.i18n import _
from actionplan.core.model import KPI, ProgressUpdate, Task
from actionplan.digest.data import (
    BlockedItem,
    ChangeKind,
    CompletedItem,
    DeadlineChange,
    Digest,
    DueItem,
    OverdueItem,
    SinceBasis,
)

FORMATS: tuple[str, ...] = ("text", "md", "html")
WIDTH = 80
BAR_WIDTH = 20


def render(digest: Digest, fmt: str) -> str:
    """The digest in *fmt*: ``text``, ``md`` or ``html``."""
    if fmt == "text":
        return render_text(digest)
    if fmt == "md":
        return render_markdown(digest)
    if fmt == "html":
        from actionplan.digest.html import render_html

        return render_html(digest)
    raise ValueError(_("unknown digest format") + f' "{fmt}" (' + _("use one of ") + ", ".join(FORMATS) + ")")


# --- phrases shared by every format ------------------------------------------------------------


def one_line(text: str) -> str:
    """User text on one line: runs of whitespace (newlines too) become one space."""
    return " ".join(str(text).split())


def cap(text: str) -> str:
    """First letter upper-case, the rest untouched ("changed on 20 Nov" -> "Changed on 20 Nov")."""
    return text[:1].upper() + text[1:]


def day(d: date | None) -> str:
    return format_date_long(d) if d else _("no deadline")


def days(n: int) -> str:
    return _("1 day") if n == 1 else _("{n} days").format(n=n)


def pct(value: float) -> str:
    return f"{value:.0f}%"


def number(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def title_phrase(digest: Digest) -> str:
    return _("Status digest as of") + f" {day(digest.as_of)}"


#: Up to this many plans are named in the heading; more read "all N plans".
MAX_NAMED_PLANS = 6


def scope_phrase(digest: Digest) -> str:
    if not digest.plans:
        plans = _("no plans")
    elif digest.plans_filtered or len(digest.plans) <= MAX_NAMED_PLANS:
        plans = ", ".join(p.key for p in digest.plans)
    else:
        plans = _("all {n}").format(n=len(digest.plans))
    lead = (
        _("lead agency") + f" {digest.lead.key}, {one_line(digest.lead.name)}"
        if digest.lead
        else _("all lead agencies")
    )
    label = _("Plans") if len(digest.plans) != 1 else _("Plan")
    return f"{label}: {plans}; {lead}."


def since_phrase(digest: Digest) -> str:
    since = day(digest.since)
    if digest.since_basis == SinceBasis.PREVIOUS_DIGEST:
        return _("Changes since the previous digest, as of") + f" {since}, " + _("that day included") + "."
    if digest.since_basis == SinceBasis.NO_PREVIOUS_DIGEST:
        return (
            _("There is no previous digest before")
            + f" {day(digest.as_of)}, "
            + _("so changes are shown since")
            + f" {since}, "
            + _("one week back, that day included")
            + "."
        )
    if digest.since_basis == SinceBasis.DEFAULT:
        return (
            _("Changes since")
            + f" {since}, "
            + _("one week back, that day included")
            + " ("
            + _("no since date given")
            + ")."
        )
    return _("Changes since") + f" {since}, " + _("that day included") + "."


def horizon_phrase(digest: Digest) -> str:
    return (
        _("Due soon means due within the next")
        + f" {days(digest.horizon)}, "
        + _("today included")
        + ". "
        + _("Times are in")
        + f" {digest.zone}."
    )


def footer_phrase(digest: Digest) -> str:
    return _("Generated for") + f" {day(digest.as_of)} " + _("by actionplan digest.")


def lead_phrase(task: Task) -> str:
    name = one_line(task.lead_name)
    return f"{task.lead}, {name}" if name and name != task.lead else task.lead


def note_phrase(note: ProgressUpdate | None) -> str:
    if note is None:
        return _("none recorded")
    progress = f" [{note.progress}%]" if note.progress is not None else ""
    return f"{day(note.on)} ({one_line(note.author)}){progress}: {one_line(note.text)}"


def overdue_phrase(item: OverdueItem, as_of: date) -> str:
    assert item.task.deadline is not None
    return (
        f"{relative_days(item.task.deadline, as_of)} (" + _("due") + f" {day(item.task.deadline)}), "
        f"{item.task.progress}% " + _("done")
    )


def due_phrase(item: DueItem, as_of: date) -> str:
    assert item.task.deadline is not None
    return (
        _("due") + f" {day(item.task.deadline)} ({relative_days(item.task.deadline, as_of)}), "
        f"{item.task.progress}% " + _("done")
    )


def completed_phrase(item: CompletedItem) -> str:
    if item.period_due is not None:
        head = _("period due") + f" {day(item.period_due)} " + _("done") + f" {day(item.completed_on)}"
    else:
        head = _("done") + f" {day(item.completed_on)}"
    deadline = item.period_due or item.task.deadline
    if deadline is None:
        return head + " (" + _("no deadline") + ")"
    timing = _("on time") if item.on_time else days(item.days_late) + " " + _("late")
    due = "" if item.period_due is not None else " (" + _("due") + f" {day(deadline)})"
    return f"{head}, {timing}{due}"


def change_phrase(change: DeadlineChange) -> str:
    if change.kind == ChangeKind.SLIPPED:
        return _("deadline slipped") + f" {days(change.days)}: {day(change.old)} → {day(change.new)}"
    if change.kind == ChangeKind.BROUGHT_FORWARD:
        return _("deadline brought forward") + f" {days(change.days)}: {day(change.old)} → {day(change.new)}"
    if change.kind == ChangeKind.SET:
        return _("deadline set to") + f" {day(change.new)}"
    return _("deadline removed (was") + f" {day(change.old)})"


_ACTIONS = {"import": "plan file import", "undo": "undo"}


def changed_by_phrase(change: DeadlineChange) -> str:
    how = _ACTIONS.get(change.action)
    return (
        _("changed by")
        + f" {one_line(change.by)} "
        + _("on")
        + f" {day(change.at.date())} "
        + _("at")
        + f" {change.at:%H:%M}"
        + (f" ({_(how)})" if how else "")
    )


def blocked_phrase(item: BlockedItem, as_of: date) -> str:
    task = item.task
    when = (
        _("due") + f" {day(task.deadline)} ({relative_days(task.deadline, as_of)})"
        if task.deadline
        else _("no deadline")
    )
    return _("blocked") + f", {when}, {task.progress}% " + _("done")


def kpi_values_phrase(kpi: KPI) -> str:
    unit = one_line(kpi.unit)
    attach = "%" if unit == "%" else ""
    parts = [_("current") + f" {number(kpi.current)}{attach}", _("target") + f" {number(kpi.target)}{attach}"]
    if kpi.baseline is not None:
        parts.append(_("baseline") + f" {number(kpi.baseline)}{attach}")
    if unit and not attach:
        parts.append(unit)
    return cap(" · ".join(parts))


def share_phrase(share: float | None) -> str:
    return _("no current value") if share is None else pct(share * 100) + " " + _("of the way")


def on_time_cell(value: float | None) -> str:
    return "—" if value is None else pct(value)


def average_cell(value: float) -> str:
    return "0" if value == 0 else f"{value:.1f}"


def text_bar(share: float | None) -> str:
    """``[########............]`` for a share 0..1 (blank when unknown)."""
    if share is None:
        return "[" + " " * BAR_WIDTH + "]"
    filled = round(max(0.0, min(1.0, share)) * BAR_WIDTH)
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]"


EMPTY = {
    "plans": "No plans in the database.",
    "overdue": "No overdue tasks.",
    "blocked": "No blocked tasks.",
    "kpis": "No KPI targets.",
    "progress": "No plans to show progress for.",
    "accountability": "No tasks assigned to any agency.",
}


def empty_phrase(section: str, digest: Digest) -> str:
    if section == "due":
        return _("Nothing falls due in the next") + f" {days(digest.horizon)}."
    if section == "completed":
        return _("No tasks completed since") + f" {day(digest.since)}."
    if section == "changes":
        return _("No deadline changes since") + f" {day(digest.since)}."
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
        "headline": _("Headline figures"),
        "overdue": _("Overdue tasks") + f" ({digest.count('overdue')}), " + _("most days late first"),
        "due": _("Due within") + f" {days(digest.horizon)} ({digest.count('due')})",
        "completed": _("Completed since") + f" {since} ({digest.count('completed')})",
        "changes": _("Deadline changes since") + f" {since} ({digest.count('changes')})",
        "blocked": _("Blocked tasks") + f" ({digest.count('blocked')})",
        "kpis": _("KPI targets") + f" ({digest.count('kpis')})",
        "progress": _("Progress by plan"),
        "accountability": _("Accountability by lead agency, worst first"),
    }


def headline_headers() -> list[str]:
    return [_("Plan"), _("Open"), _("Overdue"), _("Due soon"), _("Done since"), _("Slipped since")]


def headline_rows(digest: Digest) -> list[list[str]]:
    rows = []
    for pf in digest.plan_figures:
        f = pf.figures
        rows.append(
            [pf.plan.key, str(f.open), str(f.overdue), str(f.due_soon), str(f.done_since), str(f.slipped_since)]
        )
    if len(digest.plan_figures) > 1:
        t = digest.totals
        rows.append(
            [_("All plans"), str(t.open), str(t.overdue), str(t.due_soon), str(t.done_since), str(t.slipped_since)]
        )
    return rows


def accountability_headers() -> list[str]:
    return [_("Lead"), _("Assigned"), _("Done"), _("On time"), _("Open"), _("Overdue"), _("Avg days late")]


def accountability_rows(digest: Digest) -> list[list[str]]:
    return [
        [
            s.org,
            str(s.assigned),
            str(s.done),
            on_time_cell(s.done_on_time_pct),
            str(s.open),
            str(s.overdue),
            average_cell(s.average_days_late),
        ]
        for s in digest.accountability
    ]


def progress_counts_phrase(s: Any) -> str:
    parts = [
        f"{s.done} " + _("of") + f" {s.total} " + _("done"),
        f"{s.open} " + _("open"),
        f"{s.overdue} " + _("overdue"),
    ]
    if s.cancelled:
        parts.append(f"{s.cancelled} " + _("cancelled"))
    return ", ".join(parts)


def plan_title_phrase(plan: Any) -> str:
    title = one_line(plan.title)
    return f"{title} ({one_line(plan.reference)})" if plan.reference else title


def progress_note(digest: Digest) -> str:
    return _("Whole plans, all lead agencies.") if digest.lead else ""


# --- text ---------------------------------------------------------------------------------------


def _wrap(text: str, indent: str = "", hang: str | None = None, width: int = WIDTH) -> list[str]:
    """Greedy word wrap (like textwrap, words never broken); fast for the many lines that fit."""
    if len(indent) + len(text) <= width and "  " not in text:
        return [indent + text] if text else [indent.rstrip()]
    hang = indent if hang is None else hang
    lines: list[str] = []
    line, bare = indent, True
    for word in text.split():
        if bare:
            line += word
            bare = False
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = hang + word
    if not bare:
        lines.append(line)
    return lines or [indent.rstrip()]


def _field(label: str, value: str) -> list[str]:
    return _wrap(f"{label}: {value}", "  ", "    ")


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """An aligned table; the first *left* columns are left-aligned, the rest right-aligned (numbers)."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        out = [str(c).ljust(w) if i < left else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(headers), rule, *(line(r) for r in rows)]


def _heading(title: str) -> list[str]:
    return ["", title, "-" * min(WIDTH, len(title))]


def render_text(digest: Digest) -> str:
    """Plain text, 80 columns, for the terminal and email."""
    titles = section_titles(digest)
    as_of = digest.as_of
    out: list[str] = []
    title = title_phrase(digest)
    out += [title, "=" * len(title)]
    for sentence in (scope_phrase(digest), since_phrase(digest), horizon_phrase(digest)):
        out += _wrap(sentence)

    out += _heading(titles["headline"])
    if digest.plan_figures:
        out += _text_table(headline_headers(), headline_rows(digest))
    else:
        out.append(empty_phrase("plans", digest))

    def items(key: str, entries: Sequence[Any], block: Callable[[Any], list[str]]) -> None:
        nonlocal out
        out += _heading(titles[key])
        if not entries:
            out.append(empty_phrase(key, digest))
            return
        for i, entry in enumerate(entries):
            if i:
                out.append("")
            out += block(entry)
        if more_phrase(key, digest):
            out += [""] + _wrap(more_phrase(key, digest))

    def head(task: Task, phrase: str) -> list[str]:
        return _wrap(f"* {task.ref}: {phrase}", "", "  ") + _wrap(one_line(task.title), "  ")

    items(
        "overdue",
        digest.overdue,
        lambda i: (
            head(i.task, overdue_phrase(i, as_of))
            + _field(_("Lead"), lead_phrase(i.task))
            + _field(_("Accountable"), one_line(i.accountable) or "-")
            + _field(_("Last note"), note_phrase(i.last_note))
        ),
    )
    items(
        "due",
        digest.due_soon,
        lambda i: (
            head(i.task, due_phrase(i, as_of))
            + _field(_("Lead"), lead_phrase(i.task))
            + _field(_("Accountable"), one_line(i.accountable) or "-")
        ),
    )
    items(
        "completed",
        digest.completed,
        lambda i: (
            head(i.task, completed_phrase(i))
            + _field(_("Lead"), lead_phrase(i.task))
            + _field(_("Evidence"), one_line(i.evidence) or "-")
        ),
    )
    items(
        "changes",
        digest.deadline_changes,
        lambda c: (
            head(c.task, change_phrase(c))
            + _field(_("Lead"), lead_phrase(c.task))
            + _wrap(cap(changed_by_phrase(c)), "  ", "    ")
        ),
    )
    items(
        "blocked",
        digest.blocked,
        lambda i: (
            head(i.task, blocked_phrase(i, as_of))
            + _field(_("Lead"), lead_phrase(i.task))
            + _field(_("Accountable"), one_line(i.accountable) or "-")
            + _field(_("Reason"), one_line(i.reason) or _("none given"))
            + _field(_("Last note"), note_phrase(i.last_note))
        ),
    )
    items(
        "kpis",
        digest.kpis,
        lambda k: (
            [f"* {k.task.ref}: {text_bar(k.share)} {share_phrase(k.share)}"]
            + _wrap(one_line(k.kpi.metric), "  ")
            + _wrap(kpi_values_phrase(k.kpi), "  ", "    ")
        ),
    )

    out += _heading(titles["progress"])
    if digest.progress:
        if progress_note(digest):
            out.append(progress_note(digest))
        width = max(len(s.plan.key) for s in digest.progress)
        for i, s in enumerate(digest.progress):
            if i:
                out.append("")
            out.append(f"{s.plan.key.ljust(width)}  {text_bar(s.progress / 100)} {pct(s.progress).rjust(4)}")
            out += _wrap(plan_title_phrase(s.plan), "  ")
            out += _wrap(progress_counts_phrase(s), "  ")
    else:
        out.append(empty_phrase("progress", digest))

    out += _heading(titles["accountability"])
    if digest.accountability:
        out += _text_table(accountability_headers(), accountability_rows(digest))
        out.append("")
        for score in digest.accountability:
            out += _wrap(f"{score.org}: {one_line(score.name)}", "", "  ")
    else:
        out.append(empty_phrase("accountability", digest))

    out += ["", footer_phrase(digest)]
    return "\n".join(out) + "\n"


# --- Markdown -----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|#~])")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")  # intraword _ never emphasises
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_BLOCK_START = re.compile(r"^(\s*)([-+=]|[0-9]{1,9}[.)])(\s|$)")
_MD_ANY = re.compile(r"[\\`*\[\]<>|#~_&]")


def md(text: str) -> str:
    """User text made literal in Markdown (no emphasis, links, HTML or entities)."""
    text = one_line(text)
    if not _MD_ANY.search(text):
        return text
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    return _MD_ENTITY.sub(r"\\&", text)


def _md_wrap(text: str, indent: str = "", hang: str | None = None) -> list[str]:
    """Wrap Markdown; a wrapped line may not start a list or heading by accident ("- x", "2. x")."""
    lines = _wrap(text, indent, hang)
    if len(lines) == 1:
        return lines
    return [lines[0]] + [
        _MD_BLOCK_START.sub(lambda m: m.group(1) + _md_escape_marker(m.group(2)) + m.group(3), line)
        for line in lines[1:]
    ]


def _md_escape_marker(marker: str) -> str:
    return "\\" + marker if not marker[0].isdigit() else marker[:-1] + "\\" + marker[-1]


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    cells = [[md(c) for c in r] for r in [headers, *rows]]
    widths = [max(3, *(len(r[i]) for r in cells)) for i in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        return (
            "| " + " | ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) + " |"
        )

    rule = "| " + " | ".join("-" * w if i < left else "-" * (w - 1) + ":" for i, w in enumerate(widths)) + " |"
    return [line(cells[0]), rule, *(line(r) for r in cells[1:])]


def render_markdown(digest: Digest) -> str:
    """Markdown (CommonMark with pipe tables), wrapped to 80 columns."""
    titles = section_titles(digest)
    as_of = digest.as_of
    out: list[str] = ["# " + md(title_phrase(digest)), ""]
    for sentence in (scope_phrase(digest), since_phrase(digest), horizon_phrase(digest)):
        out += _md_wrap(md(sentence))
    out += ["", "## " + titles["headline"], ""]
    if digest.plan_figures:
        out += _md_table(headline_headers(), headline_rows(digest))
    else:
        out.append(md(empty_phrase("plans", digest)))

    def items(key: str, entries: Sequence[Any], block: Callable[[Any], list[str]]) -> None:
        nonlocal out
        out += ["", "## " + md(titles[key]), ""]
        if not entries:
            out.append(md(empty_phrase(key, digest)))
            return
        for entry in entries:
            out += block(entry)
        if more_phrase(key, digest):
            out += [""] + _md_wrap(md(more_phrase(key, digest)))

    def head(task: Task, phrase: str, *fields: tuple[str, str]) -> list[str]:
        lines = _md_wrap(f"- **{md(task.ref)}** {md(task.title)}", "", "  ")
        lines += _md_wrap(md(phrase), "  - ", "    ")
        for label, value in fields:
            lines += _md_wrap(f"{md(label)}: {md(value)}", "  - ", "    ")
        return lines

    items(
        "overdue",
        digest.overdue,
        lambda i: head(
            i.task,
            overdue_phrase(i, as_of),
            (_("Lead"), lead_phrase(i.task)),
            (_("Accountable"), i.accountable or "-"),
            (_("Last note"), note_phrase(i.last_note)),
        ),
    )
    items(
        "due",
        digest.due_soon,
        lambda i: head(
            i.task, due_phrase(i, as_of), (_("Lead"), lead_phrase(i.task)), (_("Accountable"), i.accountable or "-")
        ),
    )
    items(
        "completed",
        digest.completed,
        lambda i: head(
            i.task, completed_phrase(i), (_("Lead"), lead_phrase(i.task)), (_("Evidence"), i.evidence or "-")
        ),
    )
    items(
        "changes",
        digest.deadline_changes,
        lambda c: (
            head(c.task, change_phrase(c), (_("Lead"), lead_phrase(c.task)))
            + _md_wrap(md(cap(changed_by_phrase(c))), "  - ", "    ")
        ),
    )
    items(
        "blocked",
        digest.blocked,
        lambda i: head(
            i.task,
            blocked_phrase(i, as_of),
            (_("Lead"), lead_phrase(i.task)),
            (_("Accountable"), i.accountable or "-"),
            (_("Reason"), i.reason or _("none given")),
            (_("Last note"), note_phrase(i.last_note)),
        ),
    )
    items(
        "kpis",
        digest.kpis,
        lambda k: (
            _md_wrap(f"- **{md(k.task.ref)}** {md(k.kpi.metric)}", "", "  ")
            + [f"  - `{text_bar(k.share)}` {md(share_phrase(k.share))}"]
            + _md_wrap(md(kpi_values_phrase(k.kpi)), "  - ", "    ")
        ),
    )

    out += ["", "## " + titles["progress"], ""]
    if digest.progress:
        if progress_note(digest):
            out += [md(progress_note(digest)), ""]
        for s in digest.progress:
            out += _md_wrap(f"- **{md(s.plan.key)}** {md(plan_title_phrase(s.plan))}", "", "  ")
            out.append(f"  - `{text_bar(s.progress / 100)}` {pct(s.progress)}, {md(progress_counts_phrase(s))}")
    else:
        out.append(md(empty_phrase("progress", digest)))

    out += ["", "## " + titles["accountability"], ""]
    if digest.accountability:
        out += _md_table(accountability_headers(), accountability_rows(digest))
        out.append("")
        for score in digest.accountability:
            out += _md_wrap(f"- **{md(score.org)}**: {md(score.name)}", "", "  ")
    else:
        out.append(md(empty_phrase("accountability", digest)))
    out += ["", "---", "", md(footer_phrase(digest))]
    return "\n".join(out) + "\n"
