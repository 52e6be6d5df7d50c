"""Task fields as people type them: names, help, and parsing text into values.

Shared by ``actionplan set``/``add`` and the UI's task editor, so a field
accepts the same input everywhere and fails with the same message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from actionplan.core import model
from actionplan.core.dates import DateError, parse_deadline, shown_in_message
from actionplan.core.errors import FieldError
from actionplan.core.i18n import N_, _
from actionplan.core.limits import number_problem
from actionplan.core.model import KPI, Task
from actionplan.core.recurrence import RecurrenceError, validate_rrule
from actionplan.core.text import clean


@dataclass(frozen=True)
class FieldSpec:
    """One task field: everything the editor, ``set``, plan files, history and JSON need to know."""

    name: str  # as typed in `set` and named in errors ("kpi.target")
    label: str  # how the UI names it
    help: str = ""  # one line: what to write (editor placeholder, `set` errors)
    type: str = (
        "line"  # line, text, org, orgs, keys, task, date, deadline, recurrence, status, priority, progress, number
    )
    widget: str = "input"  # the editor's widget: input, lead, status, priority, text
    form: int = 0  # position in the editor's form (0: not in the form)
    plan_file: str = ""  # key in a plan file's [[tasks]] table ("kpi.target": [tasks.kpi] target)
    history: str = ""  # the name history records it under ("kpi_target"; "": not recorded)
    editable: bool = True  # `set` and the editor may change it
    rules: tuple[str, ...] = ()  # the rules of actionplan.core.rules that read it

    def parse(self, text: str, resolve_org: OrgResolver, task: Task | None = None) -> dict[str, Any]:
        """Typed changes for this field set to *text* (see :func:`parse_field`)."""
        return parse_field(self.name, text, resolve_org, task)

    def text(self, task: Task) -> str | None:
        """The field's value as history records it (None when empty)."""
        return history_text(task, self.history or self.name.replace(".", "_"))


def _kpi(part: str, label: str, help_: str, type_: str, form: int) -> FieldSpec:
    return FieldSpec(f"kpi.{part}", label, help_, type_, form=form, plan_file=f"kpi.{part}", history=f"kpi_{part}")


#: Every task field, in the order history records them.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("key", N_("key"), N_("task key, e.g. 2.3"), form=1, plan_file="key", editable=False),
    FieldSpec("title", N_("title"), N_("what must be done"), form=2, plan_file="title", history="title"),
    FieldSpec(
        "description", N_("description"), N_("details, context"), "text", "text", 14, "description", "description"
    ),
    FieldSpec(
        "parent",
        N_("parent task"),
        N_("key of the parent task in the same plan (empty for a top-level task)"),
        "task",
        form=6,
        plan_file="parent",
        history="parent",
    ),
    FieldSpec("lead", N_("lead agency"), N_("lead agency (org key or name)"), "org", "lead", 3, "lead", "lead"),
    FieldSpec(
        "accountable",
        N_("accountable"),
        N_("accountable head (person or role)"),
        form=4,
        plan_file="accountable",
        history="accountable",
    ),
    FieldSpec(
        "coordinating",
        N_("coordinating"),
        N_("coordinating agencies, comma-separated"),
        "orgs",
        form=5,
        plan_file="coordinating",
        history="coordinating",
    ),
    FieldSpec("start", N_("start"), N_("start date"), "date", form=7, plan_file="start", history="start"),
    FieldSpec(
        "deadline",
        N_("deadline"),
        N_("deadline: 2026-04-30, 30/4/2026, April 2026, end of Q3 2026, by March 2027, H1 2026, 2030"),
        "deadline",
        form=8,
        plan_file="deadline",
        history="deadline",
        rules=("slip on an active plan needs a reason",),
    ),
    FieldSpec("deadline_text", N_("deadline as written"), type="line", history="deadline_text", editable=False),
    FieldSpec(
        "recurrence",
        N_("recurrence"),
        N_("periodic duty as an RRULE or quarterly/monthly/yearly (empty to clear)"),
        "recurrence",
        form=9,
        plan_file="recurrence",
        history="recurrence",
    ),
    FieldSpec(
        "status",
        N_("status"),
        N_("not started, in progress, blocked, done, cancelled"),
        "status",
        "status",
        10,
        "status",
        "status",
        rules=("done needs evidence", "blocked needs a reason"),
    ),
    FieldSpec(
        "progress", N_("progress %"), N_("0 to 100"), "progress", form=11, plan_file="progress", history="progress"
    ),
    FieldSpec(
        "priority",
        N_("priority"),
        N_("low, normal, high, critical"),
        "priority",
        "priority",
        12,
        "priority",
        "priority",
    ),
    FieldSpec("output", N_("output"), N_("expected concrete output"), form=13, plan_file="output", history="output"),
    _kpi("metric", N_("KPI metric"), N_("KPI: what is measured"), "line", 21),
    _kpi("target", N_("KPI target"), N_("KPI: target value"), "number", 22),
    _kpi("current", N_("KPI current"), N_("KPI: current value"), "number", 23),
    _kpi("unit", N_("KPI unit"), N_("KPI: unit"), "line", 24),
    _kpi("baseline", N_("KPI baseline"), N_("KPI: starting value (for targets where lower is better)"), "number", 25),
    FieldSpec(
        "evidence",
        N_("evidence"),
        N_("completion evidence"),
        form=19,
        plan_file="evidence",
        history="evidence",
        rules=("done needs evidence",),
    ),
    FieldSpec(
        "completed_on",
        N_("completed on"),
        N_("date the task was completed"),
        "date",
        form=20,
        plan_file="completed_on",
        history="completed_on",
    ),
    FieldSpec(
        "blocked_reason",
        N_("blocked reason"),
        N_("why the task is blocked"),
        form=18,
        plan_file="blocked_reason",
        history="blocked_reason",
        rules=("blocked needs a reason",),
    ),
    FieldSpec(
        "depends_on",
        N_("depends on"),
        N_("keys of tasks this one waits for, comma-separated"),
        "keys",
        form=17,
        plan_file="depends_on",
        history="depends_on",
        rules=("no dependency cycle",),
    ),
    FieldSpec("tags", N_("tags"), N_("tags, comma-separated"), "keys", form=16, plan_file="tags", history="tags"),
    FieldSpec(
        "source",
        N_("source"),
        N_("document and clause that assigned the task"),
        form=15,
        plan_file="source",
        history="source",
    ),
)

BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FIELDS}
_BY_HISTORY: dict[str, FieldSpec] = {f.history: f for f in FIELDS if f.history}

#: Editable fields with their help (what `set` accepts); labels and help are English, translated where shown.
FIELD_HELP: dict[str, str] = {f.name: f.help for f in FIELDS if f.editable}
#: The fields history records, in order (the store diffs tasks by these).
HISTORY_FIELDS: tuple[str, ...] = tuple(f.history for f in FIELDS if f.history)
#: History fields holding lists (comma-separated in history).
LIST_FIELDS: tuple[str, ...] = tuple(f.history for f in FIELDS if f.type in ("orgs", "keys"))
#: The editor's form, top to bottom: (field, widget).
FORM: tuple[tuple[str, str], ...] = tuple((f.name, f.widget) for f in sorted(FIELDS, key=lambda f: f.form) if f.form)
KPI_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.name.startswith("kpi."))
#: Keys a plan file's [[tasks]] table may hold, and its [tasks.kpi] table.
PLAN_FILE_TASK_KEYS: frozenset[str] = frozenset(f.plan_file.partition(".")[0] for f in FIELDS if f.plan_file)
PLAN_FILE_KPI_KEYS: frozenset[str] = frozenset(f.plan_file.partition(".")[2] for f in FIELDS if "." in f.plan_file)


def field_label(name: str) -> str:
    """How the UI names a field given as ``kpi.target``, ``kpi_target`` or ``title``."""
    spec = BY_NAME.get(name) or _BY_HISTORY.get(name) or BY_NAME.get(name.replace("_", ".", 1))
    return _(spec.label) if spec else name.replace("_", " ").replace(".", " ")


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def history_text(task: Task, name: str) -> str | None:
    """The value of a task field (by its history name) as history stores it."""
    if name.startswith("kpi_"):
        if task.kpi is None:
            return None
        value = getattr(task.kpi, name[4:])
        return None if value in (None, "") else str(_num(value) if isinstance(value, float) else value)
    value = getattr(task, name)
    if isinstance(value, list):
        return ", ".join(value) if value else None
    if isinstance(value, date):
        return value.isoformat()
    if value in (None, ""):
        return None
    return str(value)


def history_values(task: Task) -> dict[str, str | None]:
    """Every recorded field of *task* as history text."""
    return {name: history_text(task, name) for name in HISTORY_FIELDS}


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
        raise FieldError(field, _("must be a number") + f': "{shown_in_message(text)}"') from None
    if not math.isfinite(value):
        raise FieldError(field, _("must be a finite number") + f': "{shown_in_message(text)}"')
    problem = number_problem(value)
    if problem:
        raise FieldError(field, problem + f': "{shown_in_message(text)}"')
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
    kpi = replace(kpi)  # a copy: the task's own KPI stays as it was
    setattr(kpi, part, text.strip() if part in ("metric", "unit") else _number(field, text))
    if not kpi.metric and (kpi.target is not None or kpi.current is not None or kpi.baseline is not None):
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
