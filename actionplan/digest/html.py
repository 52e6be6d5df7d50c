"""Status digests as HTML: one self-contained file, rendered by Jinja2.

Inline styles only, tables for layout and progress bars, no external CSS,
scripts or fonts; every piece of user text is escaped by Jinja2's autoescape.
The phrases are those of :mod:`actionplan.digest.render`, so HTML says what
text and Markdown say.  Only ``render(digest, "html")`` imports this module,
so text and Markdown never load Jinja2 or MarkupSafe.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from actionplan.core import l10n
from actionplan.core.dates import relative_days
from actionplan.core.i18n import N_, _, language
from actionplan.core.model import Task
from actionplan.digest.data import ChangeKind, DeadlineChange, Digest
from actionplan.digest.phrases import (
    accountability_headers,
    accountability_note,
    accountability_rows,
    blocked_phrase,
    cancelled_phrase,
    cap,
    change_phrase,
    changed_by_phrase,
    completed_phrase,
    days,
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
    title_phrase,
)

TEMPLATES = Path(__file__).parent / "templates"

TONES = {"late": "#b42318", "soon": "#b54708", "done": "#067647", "neutral": "#475467"}
_BAR_CELL = '<td width="{w}%" style="width:{w}%;height:8px;background-color:{c};font-size:0;line-height:0;">&nbsp;</td>'


def bar_html(share: float | None, width: str = "200", colour: str = "#2e6fb7") -> Any:
    """A progress bar as a one-row table: a filled cell and an empty cell with inline widths.

    Only numbers go into it, so it is returned as markup for the template.
    """
    from markupsafe import Markup

    done = 0 if share is None else round(max(0.0, min(1.0, share)) * 100)
    cells = (_BAR_CELL.format(w=done, c=colour) if done else "") + (
        _BAR_CELL.format(w=100 - done, c="#e4e7ec") if done < 100 else ""
    )
    css_width = width if width.endswith("%") else width + "px"
    return Markup(
        f'<table role="presentation" width="{width}" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;width:{css_width};margin-top:6px;"><tr>{cells}</tr></table>'
    )


def _entry(task: Task, badge: str | None, tone: str, status: str, lines: list[str], bar: Any = None) -> dict[str, Any]:
    return {
        "ref": task.ref,
        "title": one_line(task.title),
        "badge": badge,
        "colour": TONES[tone],
        "status": status,
        "lines": lines,
        "bar": bar,
    }


def html_context(digest: Digest) -> dict[str, Any]:
    """Everything the template shows: plain strings (escaped by the template) and bar markup."""
    as_of = digest.as_of
    titles = section_titles(digest)
    sections: list[dict[str, Any]] = []

    def add(key: str, entries: list[dict[str, Any]], note: str = "") -> None:
        empty = "" if entries else empty_phrase(key, digest)
        sections.append(
            {
                "title": titles[key],
                "kind": "entries",
                "entries": entries,
                "empty": empty,
                "note": note,
                "more": more_phrase(key, digest) if key != "progress" else "",
            }
        )

    lead, accountable, note = _("Lead"), _("Accountable"), _("Last note")
    headline = []
    rows = headline_rows(digest)
    for n, row in enumerate(rows):
        total = len(digest.plan_figures) > 1 and n == len(rows) - 1
        headline.append(
            {
                "first": row[0],
                "name": "",
                "weight": "font-weight:bold;" if total else "",
                "cells": [(c, i == 1 and c != "0") for i, c in enumerate(row[1:])],
            }
        )
    sections.append(
        {
            "title": titles["headline"],
            "kind": "table",
            "headers": headline_headers(),
            "rows": headline,
            "note": "",
            "entries": [],
            "empty": "" if rows else empty_phrase("plans", digest),
        }
    )
    add(
        "overdue",
        [
            _entry(
                i.task,
                relative_days(i.task.deadline, as_of),
                "late",
                overdue_phrase(i, as_of),
                [
                    f"{lead}: {lead_phrase(i.task, digest)}",
                    f"{accountable}: {one_line(i.accountable) or '-'}",
                    f"{note}: {note_phrase(i.last_note)}",
                ],
                bar_html(i.task.progress / 100),
            )
            for i in digest.overdue
        ],
    )
    add(
        "due",
        [
            _entry(
                i.task,
                relative_days(i.task.deadline, as_of),
                "soon",
                due_phrase(i, as_of),
                [f"{lead}: {lead_phrase(i.task, digest)}", f"{accountable}: {one_line(i.accountable) or '-'}"],
                bar_html(i.task.progress / 100),
            )
            for i in digest.due_soon
        ],
    )
    add(
        "completed",
        [
            _entry(
                i.task,
                _("not judged")
                if i.on_time is None
                else (_("on time") if i.on_time else _("{days} late").format(days=days(i.days_late))),
                "late" if i.on_time is False else "done",
                completed_phrase(i),
                [f"{lead}: {lead_phrase(i.task, digest)}", f"{_('Evidence')}: {one_line(i.evidence) or '-'}"],
            )
            for i in digest.completed
        ],
    )
    add(
        "changes",
        [
            _entry(
                c.task,
                _change_badge(c),
                "late" if c.kind == ChangeKind.SLIPPED else "neutral",
                change_phrase(c),
                [f"{lead}: {lead_phrase(c.task, digest)}", cap(changed_by_phrase(c))],
            )
            for c in digest.deadline_changes
        ],
    )
    add(
        "cancelled",
        [
            _entry(
                i.task,
                _("cancelled"),
                "late" if i.days_late else "neutral",
                cancelled_phrase(i),
                [f"{lead}: {lead_phrase(i.task)}"],
            )
            for i in digest.cancelled
        ],
    )
    add(
        "blocked",
        [
            _entry(
                i.task,
                _("blocked"),
                "late",
                blocked_phrase(i, as_of),
                [
                    f"{lead}: {lead_phrase(i.task, digest)}",
                    f"{accountable}: {one_line(i.accountable) or '-'}",
                    f"{_('Reason')}: {one_line(i.reason) or _('none given')}",
                    f"{note}: {note_phrase(i.last_note)}",
                ],
                bar_html(i.task.progress / 100),
            )
            for i in digest.blocked
        ],
    )
    add(
        "kpis",
        [
            {
                "ref": k.task.ref,
                "title": one_line(k.kpi.metric),
                "colour": TONES["done"],
                "badge": share_phrase(k.share),
                "status": kpi_values_phrase(k.kpi),
                "lines": [],
                "bar": bar_html(k.share, "100%", TONES["done"]),
            }
            for k in digest.kpis
        ],
    )
    add(
        "progress",
        [
            {
                "ref": s.plan.key,
                "title": plan_title_phrase(s.plan),
                "colour": TONES["neutral"],
                "badge": pct(s.progress),
                "status": progress_counts_phrase(s),
                "lines": [],
                "bar": bar_html(s.progress / 100, "100%"),
            }
            for s in digest.progress
        ],
        note=progress_note(digest),
    )
    sections.append(
        {
            "title": titles["accountability"],
            "kind": "table",
            "headers": accountability_headers(),
            "note": "",
            "entries": [],
            "rows": [
                {
                    "first": row[0],
                    "name": one_line(digest.short_names.get(s.org, s.name) if l10n.is_vietnamese() else s.name),
                    "weight": "",
                    "cells": [(c, i == 2 and s.overdue > 0) for i, c in enumerate(row[1:])],
                }
                for row, s in zip(accountability_rows(digest), digest.accountability)
            ],
            "empty": "" if digest.accountability else empty_phrase("accountability", digest),
        }
    )
    if digest.accountability:
        sections.append(
            {
                "title": titles["deliveries"],
                "kind": "table",
                "headers": deliveries_headers(),
                "note": accountability_note(),
                "entries": [],
                "rows": [
                    {
                        "first": row[0],
                        "name": one_line(digest.short_names.get(s.org, s.name) if l10n.is_vietnamese() else s.name),
                        "weight": "",
                        "cells": [(c, False) for c in row[1:]],
                    }
                    for row, s in zip(deliveries_rows(digest), digest.accountability)
                ],
                "empty": "",
            }
        )
    return {
        "title": title_phrase(digest),
        "lang": language(),
        "intro": [scope_phrase(digest), since_phrase(digest), horizon_phrase(digest)],
        "sections": sections,
        "footer": footer_phrase(digest),
    }


#: The badge words of the deadline changes that have no number of days.
CHANGE_WORDS = (N_("set"), N_("removed"))


def _change_badge(c: DeadlineChange) -> str:
    if c.reversal:
        return _("undo")
    if c.kind == ChangeKind.SLIPPED:
        return "+" + days(c.days)
    if c.kind == ChangeKind.BROUGHT_FORWARD:
        return "−" + days(c.days)
    return _(c.kind.value)


_ENV: Any = None


class _QuietBytecodeCache:
    """Jinja2's file bytecode cache (in a private temp folder), silent when it cannot write."""

    def __new__(cls) -> Any:
        import jinja2

        class Cache(jinja2.FileSystemBytecodeCache):
            def dump_bytecode(self, bucket: Any) -> None:
                try:
                    super().dump_bytecode(bucket)
                except OSError:
                    pass

        try:
            return Cache()
        except (OSError, RuntimeError):
            return None


def _environment() -> Any:
    global _ENV
    if _ENV is None:
        import jinja2

        _ENV = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_QuietBytecodeCache(),
        )
    return _ENV


def render_html(digest: Digest) -> str:
    """One self-contained HTML file with inline styles; user text escaped by autoescape."""
    return _environment().get_template("digest.html.j2").render(**html_context(digest))
