"""Task fields as people type them: names, help, and parsing text into values.

Shared by ``actionplan set``/``add`` and the UI's task editor, so a field
accepts the same input everywhere and fails with the same message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from actionplan.core import model
from actionplan.core.dates import DateError, parse_deadline
from actionplan.core.errors import FieldError
from actionplan.core.i18n import _
from actionplan.core.model import KPI, Task
from actionplan.core.recurrence import RecurrenceError, validate_rrule
from actionplan.core.text import clean

#: Editable fields, with a short help text each (shown by `set --help` and the editor).
FIELD_HELP: dict[str, str] = {
    "title": "what must be done",
    "description": "details, context",
    "parent": "key of the parent task in the same plan (empty for a top-level task)",
    "lead": "lead agency (org key or name)",
    "accountable": "accountable head (person or role)",
    "coordinating": "coordinating agencies, comma-separated",
    "start": "start date",
    "deadline": "deadline: 2026-04-30, 30/4/2026, April 2026, end of Q3 2026, by March 2027, H1 2026, 2030",
    "recurrence": "periodic duty as an RRULE or quarterly/monthly/yearly (empty to clear)",
    "status": "not started, in progress, blocked, done, cancelled",
    "progress": "0 to 100",
    "priority": "low, normal, high, critical",
    "output": "expected concrete output",
    "evidence": "completion evidence",
    "completed_on": "date the task was completed",
    "blocked_reason": "why the task is blocked",
    "depends_on": "keys of tasks this one waits for, comma-separated",
    "tags": "tags, comma-separated",
    "source": "document and clause that assigned the task",
    "kpi.metric": "KPI: what is measured",
    "kpi.target": "KPI: target value",
    "kpi.current": "KPI: current value",
    "kpi.unit": "KPI: unit",
    "kpi.baseline": "KPI: starting value (for targets where lower is better)",
}

ALIASES = {
    "coord": "coordinating",
    "coordinators": "coordinating",
    "due": "deadline",
    "deps": "depends_on",
    "depends": "depends_on",
    "tag": "tags",
    "reason": "blocked_reason",
    "done_on": "completed_on",
    "kpi_metric": "kpi.metric",
    "kpi_target": "kpi.target",
    "kpi_current": "kpi.current",
    "kpi_unit": "kpi.unit",
    "kpi_baseline": "kpi.baseline",
    "rrule": "recurrence",
}

OrgResolver = Callable[[str, str], str]
"""(text, field name) -> org key; raises an error naming the field."""


def canonical(name: str) -> str:
    """The field's canonical name, or FieldError listing the known ones."""
    key = name.strip().lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in FIELD_HELP:
        raise FieldError(name, _("unknown field; use one of ") + ", ".join(FIELD_HELP))
    return key


def _list(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


def _number(field: str, text: str) -> float | int | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FieldError(field, _("must be a number") + f': "{text}"') from None
    if not math.isfinite(value):
        raise FieldError(field, _("must be a finite number") + f': "{text}"')
    return int(value) if value.is_integer() else value


def _date(field: str, text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_deadline(text)
    except DateError as e:
        raise FieldError(field, str(e)) from None


def parse_field(name: str, text: str, resolve_org: OrgResolver, task: Task | None = None) -> dict[str, Any]:
    """Changes (Task attribute -> value) for ``name=text``; ``task`` gives the KPI to amend."""
    field = canonical(name)
    text = clean(text)
    if field in ("title", "description", "accountable", "output", "evidence", "blocked_reason", "source"):
        if field == "title" and not text.strip():
            raise FieldError(field, _("a task needs a title"))
        return {field: text.strip()}
    if field == "parent":
        return {"parent": text.strip()}
    if field == "lead":
        if not text.strip():
            raise FieldError(field, _("a task needs a lead agency"))
        return {"lead": resolve_org(text.strip(), "lead")}
    if field == "coordinating":
        return {"coordinating": list(dict.fromkeys(resolve_org(p, "coordinating") for p in _list(text)))}
    if field in ("depends_on", "tags"):
        return {field: list(dict.fromkeys(_list(text)))}
    if field == "deadline":
        when = _date(field, text)
        written = text.strip()
        return {"deadline": when, "deadline_text": "" if not when or written == when.isoformat() else written}
    if field in ("start", "completed_on"):
        return {field: _date(field, text)}
    if field == "recurrence":
        if not text.strip():
            return {"recurrence": ""}
        try:
            return {"recurrence": validate_rrule(text)}
        except RecurrenceError as e:
            raise FieldError(field, str(e)) from None
    if field == "status":
        try:
            return {"status": model.parse_status(text).value}
        except ValueError as e:
            raise FieldError(field, str(e)) from None
    if field == "priority":
        try:
            return {"priority": model.parse_priority(text).value}
        except ValueError as e:
            raise FieldError(field, str(e)) from None
    if field == "progress":
        try:
            return {"progress": model.parse_progress(text)}
        except ValueError as e:
            raise FieldError(field, str(e)) from None
    # kpi.*
    part = field.split(".", 1)[1]
    if part == "metric" and not text.strip():
        return {"kpi": None}  # an empty metric removes the KPI
    kpi = (task.kpi if task and task.kpi else None) or KPI(metric="")
    if part in ("metric", "unit"):
        kpi = replace(kpi, **{part: text.strip()})
    else:
        kpi = replace(kpi, **{part: _number(field, text)})
    if not kpi.metric and (kpi.target is not None or kpi.current is not None):
        raise FieldError("kpi.metric", _("name the KPI metric first"))
    return {"kpi": kpi if kpi.metric else None}


def parse_assignments(pairs: list[str], resolve_org: OrgResolver, task: Task | None = None) -> dict[str, Any]:
    """``["status=done", "progress=40"]`` -> changes; FieldError for the first bad one."""
    changes: dict[str, Any] = {}
    current = task
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise FieldError(pair, _('write field=value, for example deadline="end of April 2026"'))
        parsed = parse_field(name, text, resolve_org, current)
        changes.update(parsed)
        if "kpi" in parsed:  # later kpi.* parts build on earlier ones, for a new task too
            current = replace(current or Task(plan="", key="", title=""), kpi=parsed["kpi"])
    return changes


def next_task_key(existing: list[str], parent: str = "") -> str:
    """The next free key: 1, 2, ... at the top level; 2.1, 2.2, ... under 2."""
    prefix = f"{parent}." if parent else ""
    numbers = []
    for key in existing:
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            if rest.isdigit():
                numbers.append(int(rest))
    return f"{prefix}{max(numbers, default=0) + 1}"
