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
from typing import Any

from actionplan.core.i18n import _
from actionplan.core.model import Task
from actionplan.digest.data import (
    Digest,
)
from actionplan.digest.phrases import (
    accountability_headers,
    accountability_note,
    accountability_rows,
    agency_names,
    blocked_phrase,
    cancelled_phrase,
    cap,
    change_phrase,
    changed_by_phrase,
    completed_phrase,
    deliveries_headers,
    deliveries_rows,
    due_phrase,
    empty_phrase,
    footer_phrase,
    headline_headers,
    headline_rows,
    horizon_phrase,
    kpi_values_phrase,
    lead_phrase,
    more_phrase,
    note_phrase,
    one_line,
    overdue_phrase,
    pct,
    plan_title_phrase,
    progress_counts_phrase,
    progress_note,
    scope_phrase,
    section_titles,
    share_phrase,
    since_phrase,
    text_bar,
    title_phrase,
)

FORMATS: tuple[str, ...] = ("text", "md", "html")
WIDTH = 80


def render(digest: Digest, fmt: str) -> str:
    """The digest in *fmt*: ``text``, ``md`` or ``html``."""
    if fmt == "text":
        return render_text(digest)
    if fmt == "md":
        return render_markdown(digest)
    if fmt == "html":
        from actionplan.digest.html import render_html

        return render_html(digest)
    raise ValueError(_('unknown digest format "{fmt}" (use one of {known})').format(fmt=fmt, known=", ".join(FORMATS)))


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
            + _field(_("Lead"), lead_phrase(i.task, digest))
            + _field(_("Accountable"), one_line(i.accountable) or "-")
            + _field(_("Last note"), note_phrase(i.last_note))
        ),
    )
    items(
        "due",
        digest.due_soon,
        lambda i: (
            head(i.task, due_phrase(i, as_of))
            + _field(_("Lead"), lead_phrase(i.task, digest))
            + _field(_("Accountable"), one_line(i.accountable) or "-")
        ),
    )
    items(
        "completed",
        digest.completed,
        lambda i: (
            head(i.task, completed_phrase(i))
            + _field(_("Lead"), lead_phrase(i.task, digest))
            + _field(_("Evidence"), one_line(i.evidence) or "-")
        ),
    )
    items(
        "changes",
        digest.deadline_changes,
        lambda c: (
            head(c.task, change_phrase(c))
            + _field(_("Lead"), lead_phrase(c.task, digest))
            + _wrap(cap(changed_by_phrase(c)), "  ", "    ")
        ),
    )
    items(
        "cancelled",
        digest.cancelled,
        lambda i: head(i.task, cancelled_phrase(i)) + _field(_("Lead"), lead_phrase(i.task)),
    )
    items(
        "blocked",
        digest.blocked,
        lambda i: (
            head(i.task, blocked_phrase(i, as_of))
            + _field(_("Lead"), lead_phrase(i.task, digest))
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
        out += _heading(titles["deliveries"])
        out += _text_table(deliveries_headers(), deliveries_rows(digest))
        out.append("")
        out += _wrap(accountability_note())
        out.append("")
        for org, name in agency_names(digest):
            out += _wrap(f"{org}: {name}", "", "  ")
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
            (_("Lead"), lead_phrase(i.task, digest)),
            (_("Accountable"), i.accountable or "-"),
            (_("Last note"), note_phrase(i.last_note)),
        ),
    )
    items(
        "due",
        digest.due_soon,
        lambda i: head(
            i.task,
            due_phrase(i, as_of),
            (_("Lead"), lead_phrase(i.task, digest)),
            (_("Accountable"), i.accountable or "-"),
        ),
    )
    items(
        "completed",
        digest.completed,
        lambda i: head(
            i.task, completed_phrase(i), (_("Lead"), lead_phrase(i.task, digest)), (_("Evidence"), i.evidence or "-")
        ),
    )
    items(
        "changes",
        digest.deadline_changes,
        lambda c: (
            head(c.task, change_phrase(c), (_("Lead"), lead_phrase(c.task, digest)))
            + _md_wrap(md(cap(changed_by_phrase(c))), "  - ", "    ")
        ),
    )
    items(
        "cancelled",
        digest.cancelled,
        lambda i: head(i.task, cancelled_phrase(i), (_("Lead"), lead_phrase(i.task))),
    )
    items(
        "blocked",
        digest.blocked,
        lambda i: head(
            i.task,
            blocked_phrase(i, as_of),
            (_("Lead"), lead_phrase(i.task, digest)),
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
        out += ["", "## " + titles["deliveries"], ""]
        out += _md_table(deliveries_headers(), deliveries_rows(digest))
        out += [""] + _md_wrap(md(accountability_note()))
        out.append("")
        for org, name in agency_names(digest):
            out += _md_wrap(f"- **{md(org)}**: {md(name)}", "", "  ")
    else:
        out.append(md(empty_phrase("accountability", digest)))
    out += ["", "---", "", md(footer_phrase(digest))]
    return "\n".join(out) + "\n"
