"""Rows to domain objects and back, and the text form history records."""

import sqlite3
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from actionplan.core.fields import HISTORY_FIELDS as TASK_FIELDS
from actionplan.core.fields import LIST_FIELDS
from actionplan.core.fields import history_text as task_field_text
from actionplan.core.fields import history_values as task_field_values
from actionplan.core.model import (
    KPI,
    Org,
    Plan,
    Task,
)
from actionplan.core.text import fold

__all__ = ["LIST_FIELDS", "TASK_FIELDS", "task_field_text", "task_field_values"]  # from the field registry

if TYPE_CHECKING:
    pass


SEP = "\x1f"


_TASK_SELECT = f"""
SELECT t.*, p.key AS plan_key, o.key AS lead_key, o.name AS lead_name, pt.key AS parent_key,
  (SELECT group_concat(k, '{SEP}') FROM (SELECT o2.key AS k FROM task_coordinators c
      JOIN orgs o2 ON o2.id = c.org_id WHERE c.task_id = t.id ORDER BY c.position)) AS coord_keys,
  (SELECT group_concat(k, '{SEP}') FROM (SELECT d.key AS k FROM task_dependencies x
      JOIN tasks d ON d.id = x.depends_on_id WHERE x.task_id = t.id ORDER BY x.position)) AS dep_keys,
  (SELECT group_concat(tag, '{SEP}') FROM (SELECT tag FROM task_tags g
      WHERE g.task_id = t.id ORDER BY g.position)) AS tag_list
FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id
LEFT JOIN tasks pt ON pt.id = t.parent_id
"""


def _json_list(select: str) -> str:
    return f"json(coalesce((SELECT json_group_array(k) FROM ({select})), '[]'))"


# A task's stored fields as a JSON object, in the order of Task's fields (without id); see
# Store.tasks_as_json.  tests/test_cli.py holds it equal to cli_support.task_json.
_TASK_JSON_SELECT = f"""
SELECT json_object('plan', p.key, 'key', t.key, 'title', t.title, 'lead', o.key, 'description', t.description,
  'parent', coalesce(pt.key, ''), 'accountable', t.accountable,
  'coordinating', {
    _json_list(
        "SELECT o2.key AS k FROM task_coordinators c JOIN orgs o2 ON o2.id = c.org_id "
        "WHERE c.task_id = t.id ORDER BY c.position"
    )
},
  'start', t.start, 'deadline', t.deadline, 'deadline_text', t.deadline_text, 'recurrence', t.recurrence,
  'status', t.status, 'progress', t.progress, 'priority', t.priority, 'output', t.output,
  'kpi', CASE WHEN coalesce(t.kpi_metric, '') != '' THEN json_object('metric', t.kpi_metric, 'target', t.kpi_target,
    'current', t.kpi_current, 'unit', coalesce(t.kpi_unit, ''), 'baseline', t.kpi_baseline) END,
  'evidence', t.evidence, 'completed_on', t.completed_on, 'blocked_reason', t.blocked_reason,
  'depends_on', {
    _json_list(
        "SELECT d.key AS k FROM task_dependencies x JOIN tasks d ON d.id = x.depends_on_id "
        "WHERE x.task_id = t.id ORDER BY x.position"
    )
},
  'tags', {_json_list("SELECT tag AS k FROM task_tags g WHERE g.task_id = t.id ORDER BY g.position")},
  'source', t.source, 'version', t.version, 'lead_name', o.name, 'updated_at', coalesce(t.updated_at, ''),
  'ref', p.key || '/' || t.key),
  t.status, t.deadline, t.completed_on
FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN orgs o ON o.id = t.lead_id
LEFT JOIN tasks pt ON pt.id = t.parent_id
"""


def _id(obj: Task | Plan | Org) -> int:
    """The row id of an object read from the store (only objects not saved yet lack one)."""
    assert obj.id is not None, f"{obj!r} is not from the store"
    return obj.id


def _d(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):  # a value written outside the program, or a damaged byte
        from actionplan.core.errors import DatabaseDamagedError
        from actionplan.store.connection import damaged_message

        raise DatabaseDamagedError(damaged_message() + f" ({value!r} " + "is not a date)") from None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _split(value: str | None) -> list[str]:
    return value.split(SEP) if value else []


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _task_from_row(row: sqlite3.Row) -> Task:
    kpi = None
    if row["kpi_metric"]:
        kpi = KPI(
            metric=row["kpi_metric"],
            target=_num(row["kpi_target"]),
            current=_num(row["kpi_current"]),
            unit=row["kpi_unit"] or "",
            baseline=_num(row["kpi_baseline"]),
        )
    return Task(
        id=row["id"],
        plan=row["plan_key"],
        key=row["key"],
        title=row["title"],
        lead=row["lead_key"],
        lead_name=row["lead_name"],
        description=row["description"],
        parent=row["parent_key"] or "",
        accountable=row["accountable"],
        coordinating=_split(row["coord_keys"]),
        start=_d(row["start"]),
        deadline=_d(row["deadline"]),
        deadline_text=row["deadline_text"],
        recurrence=row["recurrence"],
        status=row["status"],
        progress=row["progress"],
        priority=row["priority"],
        output=row["output"],
        kpi=kpi,
        evidence=row["evidence"],
        completed_on=_d(row["completed_on"]),
        blocked_reason=row["blocked_reason"],
        depends_on=_split(row["dep_keys"]),
        tags=_split(row["tag_list"]),
        source=row["source"],
        version=row["version"],
        updated_at=row["updated_at"] or "",
    )


def _plan_from_row(row: sqlite3.Row) -> Plan:
    return Plan(
        id=row["id"],
        key=row["key"],
        title=row["title"],
        reference=row["reference"],
        issuer=row["issuer"],
        issued_on=_d(row["issued_on"]),
        period=row["period"],
        status=row["status"],
        version=row["version"],
    )


def _org_from_row(row: sqlite3.Row) -> Org:
    return Org(
        id=row["id"],
        key=row["key"],
        name=row["name"],
        short_name=row["short_name"],
        parent=row["parent_key"] or "",
        head=row["head"],
        head_title=row["head_title"],
        email=row["email"],
        version=row["version"],
    )


def _search_text(task: Task, org_words: str = "") -> str:
    """Folded words of a task for full-text search, with its lead agency's names."""
    parts = [
        task.key,
        task.title,
        task.description,
        task.output,
        " ".join(task.tags),
        task.lead,
        org_words,
        task.accountable,
        task.source,
    ]
    return fold(" ".join(p for p in parts if p))


def key_order_text(key: str | None) -> str:
    """Task keys as text that sorts like key_sort (1, 1.2, 1.10, 2), for ORDER BY before LIMIT."""
    if not key:
        return ""
    return ".".join(part.zfill(8) if part.isdigit() else "~" + part for part in key.split("."))


def _fold_kpi(task: Task, typed: dict[str, Any]) -> dict[str, Any]:
    """Turn kpi_* history fields back into a KPI value for update_task."""
    changes = {k: v for k, v in typed.items() if not k.startswith("kpi_")}
    kpi_fields = {k[4:]: v for k, v in typed.items() if k.startswith("kpi_")}
    if kpi_fields:
        base = task.kpi or KPI(metric="")
        values: dict[str, Any] = {
            k: (v if v is not None else ("" if k in ("metric", "unit") else None)) for k, v in kpi_fields.items()
        }
        kpi = replace(base, **values)
        changes["kpi"] = kpi if kpi.metric else None
    return changes
