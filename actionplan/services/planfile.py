"""Plan files (``plans/*.toml``) <-> store: validate, import, export.

A file is validated whole before anything is written; every problem is
reported as ``file:line: where: message``.  See the README for the format.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import tomli

from actionplan.core import model, rules
from actionplan.core.completion import completion_date_problem
from actionplan.core.dates import DateError, check_date, parse_deadline
from actionplan.core.errors import PlanFileError, Problem
from actionplan.core.fields import PLAN_FILE_KPI_KEYS, PLAN_FILE_TASK_KEYS
from actionplan.core.i18n import N_, _
from actionplan.core.limits import MAX_PLAN_FILE_BYTES, number_problem
from actionplan.core.model import KPI, Org, Plan, Task
from actionplan.core.recurrence import RecurrenceError, validate_rrule
from actionplan.core.text import clean, clean_line
from actionplan.services.toml_messages import toml_problem

PLAN_FIELDS = {"key", "reference", "title", "issuer", "issued_on", "period", "status"}
ORG_FIELDS = {"key", "name", "short_name", "parent", "head", "head_title", "email"}


@dataclass
class PlanFile:
    """A validated plan file, ready for the store."""

    path: str
    plan: Plan
    orgs: list[Org] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


# --- where things are in the file ------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*([^\s=]+)\s*=")


class _Lines:
    """Finds the line of a table or a field, since the TOML parser gives no positions."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.blocks: dict[str, list[tuple[int, int]]] = {}
        self._keys: dict[tuple[str, int], dict[str, int]] = {}
        #: lines that start inside a multi-line string: never a header or a key
        self.inside: set[int] = set()
        quote = ""
        for no, line in enumerate(self.lines, 1):
            if quote:
                self.inside.add(no)
            rest = line
            while True:  # find the triple quotes that open or close multi-line strings on this line
                if quote:
                    at = rest.find(quote)
                    if at < 0:
                        break
                    rest, quote = rest[at + 3 :], ""
                else:
                    hits = [(rest.find(q), q) for q in ('"""', "'''") if rest.find(q) >= 0]
                    if not hits:
                        break
                    at, q = min(hits)
                    rest, quote = rest[at + 3 :], q
        starts: list[tuple[str, int]] = []
        for no, line in enumerate(self.lines, 1):
            m = _HEADER.match(line) if no not in self.inside else None
            if m:
                starts.append((m.group(1).replace('"', "").replace("'", "").replace(" ", ""), no))
        starts.append(("", len(self.lines) + 1))
        for (name, begin), (_next, end) in zip(starts, starts[1:]):
            top = name.split(".")[0]
            if name == top:
                self.blocks.setdefault(top, []).append((begin, end))
            elif self.blocks.get(top):  # [tasks.kpi] belongs to the latest [[tasks]]
                b, _e = self.blocks[top][-1]
                self.blocks[top][-1] = (b, end)

    def table(self, name: str, index: int = 0) -> int:
        blocks = self.blocks.get(name, [])
        return blocks[index][0] if index < len(blocks) else 1

    def key_line(self, name: str) -> int:
        """The line of a top-level ``name = ...`` or ``[name]`` (1 if not found)."""
        pattern = re.compile(r"^\s*(" + re.escape(name) + r"\s*=|\[\[?\s*" + re.escape(name) + r"\s*\]\]?)")
        for no, line in enumerate(self.lines, 1):
            if pattern.match(line):
                return no
        return 1

    def field(self, name: str, index: int, key: str) -> int:
        blocks = self.blocks.get(name, [])
        if index >= len(blocks):
            return 1
        begin, end = blocks[index]
        # the first line of each key in the block, found once per block (speed:
        # a scan per field lookup made validating 100k tasks quadratic in the block size)
        keys = self._keys.get((name, index))
        if keys is None:
            keys = {}
            for no in range(begin, min(end, len(self.lines) + 1)):
                m = _KEY_LINE.match(self.lines[no - 1]) if no not in self.inside else None
                if m:
                    keys.setdefault(m.group(1).strip("\"'"), no)  # "deadline" = ... is the key deadline
            self._keys[(name, index)] = keys
        return keys.get(key, begin)


# --- reading -------------------------------------------------------------------------------


#: Where a field is: its line, found only when a problem is reported (a function of the field name).
LineOf = Callable[[str], int]


class _Reader:
    """Reads the fields of one file, collecting problems.

    Line numbers are looked up only for problems (speed: finding the line of
    every field of every task took a fifth of a large import), so each reader method
    takes *at*, the function that gives a field's line, instead of the line itself.
    """

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._text = text
        self.problems: list[Problem] = []

    @functools.cached_property
    def where(self) -> _Lines:
        return _Lines(self._text)

    def lines_of(self, name: str, index: int = 0) -> LineOf:
        """The line finder of the *index*-th ``[name]`` / ``[[name]]`` table (built when first asked)."""
        return lambda key: self.where.field(name, index, key)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def text(
        self, table: dict[str, Any], name: str, at: LineOf, label: str, required: bool = False, multiline: bool = False
    ) -> str:
        """A text field; one line unless *multiline* (line breaks in a title become spaces)."""
        value = table.get(name, "")
        if not isinstance(value, str):
            self.problem(
                at(name), f"{label} {name}: " + _("must be text in quotes, not {type}").format(type=_type(value))
            )
            return ""
        if required and not value.strip():
            self.problem(at(name), f"{label} {name}: " + _("is required"))
        return (clean(value) if multiline else clean_line(value)).strip()

    def strings(self, table: dict[str, Any], name: str, at: LineOf, label: str) -> list[str]:
        value = table.get(name)
        if value is None or value == []:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(at(name), f"{label} {name}: " + _('must be a list of text, like ["A", "B"]'))
            return []
        result = [clean_line(v).strip() for v in value if v.strip()]
        if name == "tags" and any("," in v for v in result):
            self.problem(at(name), f"{label} {name}: " + _("a tag cannot contain a comma (write two tags instead)"))
        if len(set(result)) != len(result):
            self.problem(at(name), f"{label} {name}: " + _("lists the same value twice"))
        return list(dict.fromkeys(result))

    def day(self, table: dict[str, Any], name: str, at: LineOf, label: str) -> date | None:
        value = table.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            try:
                return check_date(value)  # a TOML date gets the year check of written dates
            except DateError as e:
                self.problem(at(name), f"{label} {name}: {e}")
                return None
        if not isinstance(value, str):
            self.problem(at(name), f"{label} {name}: " + _("must be a date like 2026-04-30"))
            return None
        try:
            return parse_deadline(value)
        except DateError as e:
            self.problem(at(name), f"{label} {name}: {e}")
            return None

    def number(self, table: dict[str, Any], name: str, at: LineOf, label: str) -> float | int | None:
        value = table.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(at(name), f"{label} {name}: " + _("must be a number, not {type}").format(type=_type(value)))
            return None
        problem = number_problem(value)
        if problem:
            self.problem(at(name), f"{label} {name}: {problem}")
            return None
        return value

    def unknown(self, table: dict[str, Any], allowed: AbstractSet[str], line_of, label: str) -> None:
        for name in sorted(set(table) - allowed):
            self.problem(
                line_of(name),
                f"{label}: "
                + _('unknown field "{name}" (known fields: {known})').format(
                    name=name, known=", ".join(sorted(allowed))
                ),
            )


def _type(value: Any) -> str:
    words = {bool: N_("true/false"), int: N_("a number"), float: N_("a number"), list: N_("a list")}
    words.update({dict: N_("a table"), str: N_("text")})
    return _(words[type(value)]) if type(value) in words else type(value).__name__


def _deep_line(text: str) -> int:
    """The line where arrays or tables start nesting deeply (for the message), else 1."""
    m = re.search(r"[\[{](?:\s*[\[{]|[^\]}\n]*[\[{]){20}", text)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def parse_plan_text(text: str, path: str = "<plan>", known_orgs: Iterable[str] = ()) -> PlanFile:
    """Parse and validate plan-file text; raises PlanFileError listing every problem."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as e:
        line, problem = toml_problem(e, text)
        raise PlanFileError([Problem(path, line, _("not valid TOML: {problem}").format(problem=problem))]) from None
    except RecursionError:  # the parser recurses once per level and stops at a few hundred
        message = _("arrays or tables nested hundreds of levels deep: not a plan file")
        raise PlanFileError([Problem(path, _deep_line(text), message)]) from None
    r = _Reader(path, text)
    for name in sorted(set(data) - {"plan", "orgs", "tasks"}):
        r.problem(1, _('unknown table "{name}" (a plan file has [plan], [[orgs]] and [[tasks]])').format(name=name))

    # plan
    raw_plan = data.get("plan")
    if not isinstance(raw_plan, dict):
        r.problem(1, _("the file needs a [plan] table with at least key and title"))
        raw_plan = {}
    pl = r.lines_of("plan")
    r.unknown(raw_plan, PLAN_FIELDS, pl, "plan")
    plan_key = r.text(raw_plan, "key", pl, "plan", required=True)
    if plan_key and not model.PLAN_KEY_RE.match(plan_key):
        r.problem(
            pl("key"),
            _('plan key: "{key}" must be lower-case letters, digits and dashes, like cyber-2026').format(key=plan_key),
        )
    status = r.text(raw_plan, "status", pl, "plan") or model.PlanStatus.ACTIVE
    if status not in set(model.PlanStatus):
        r.problem(
            pl("status"),
            _('plan status: "{status}" must be one of {values}').format(
                status=status, values=", ".join(model.PlanStatus)
            ),
        )
    plan = Plan(
        key=plan_key,
        title=r.text(raw_plan, "title", pl, "plan", required=True),
        reference=r.text(raw_plan, "reference", pl, "plan"),
        issuer=r.text(raw_plan, "issuer", pl, "plan"),
        issued_on=r.day(raw_plan, "issued_on", pl, "plan"),
        period=r.text(raw_plan, "period", pl, "plan"),
        status=status,
    )

    # orgs
    raw_orgs = data.get("orgs", [])
    if not isinstance(raw_orgs, list):
        r.problem(r.where.key_line("orgs"), _("orgs must be written as [[orgs]] tables"))
        raw_orgs = []
    orgs: list[Org] = []
    org_index: dict[str, int] = {}  # org key -> its [[orgs]] table
    for i, raw in enumerate(raw_orgs):
        if not isinstance(raw, dict):
            r.problem(r.where.key_line("orgs"), _("orgs must be written as [[orgs]] tables"))
            continue
        ol = r.lines_of("orgs", i)
        key = str(raw.get("key", ""))
        label = _("org {key}").format(key=key) if key else _("org #{n}").format(n=i + 1)
        r.unknown(raw, ORG_FIELDS, ol, label)
        key = r.text(raw, "key", ol, label, required=True)
        if key and not model.ORG_KEY_RE.match(key):
            r.problem(
                ol("key"),
                _('{label} key: "{key}" must be upper-case letters, digits and dashes, like MPS').format(
                    label=label, key=key
                ),
            )
        if key in org_index:
            r.problem(
                ol("key"),
                _("{label}: duplicate org key, first defined on line {line}").format(
                    label=label, line=r.where.field("orgs", org_index[key], "key")
                ),
            )
        org_index[key] = i
        orgs.append(
            Org(
                key=key,
                name=r.text(raw, "name", ol, label, required=True),
                short_name=r.text(raw, "short_name", ol, label),
                parent=r.text(raw, "parent", ol, label),
                head=r.text(raw, "head", ol, label),
                head_title=r.text(raw, "head_title", ol, label),
                email=r.text(raw, "email", ol, label),
            )
        )
    known = known_orgs if known_orgs is EVERY_ORG else set(known_orgs) | set(org_index)
    for i, org in enumerate(orgs):
        if org.parent and org.parent not in known:
            r.problem(
                r.where.field("orgs", i, "parent"),
                _('org {key} parent: unknown agency "{name}"').format(key=org.key, name=org.parent),
            )
    cycle = model.find_cycle({o.key: [o.parent] if o.parent else [] for o in orgs})
    if cycle:
        r.problem(r.where.field("orgs", org_index[cycle[0]], "key"), _("org parent cycle: ") + " -> ".join(cycle))

    # tasks
    raw_tasks = data.get("tasks", [])
    if not isinstance(raw_tasks, list):
        r.problem(r.where.key_line("tasks"), _("tasks must be written as [[tasks]] tables"))
        raw_tasks = []
    tasks: list[Task] = []
    task_index: dict[str, int] = {}  # task key -> its first [[tasks]] table

    def task_line(key: str) -> int:
        return r.where.field("tasks", task_index[key], "key") if key in task_index else 1

    for i, raw in enumerate(raw_tasks):
        if not isinstance(raw, dict):
            r.problem(r.where.key_line("tasks"), _("tasks must be written as [[tasks]] tables"))
            continue
        tl = r.lines_of("tasks", i)  # line of a field of this task
        key = raw.get("key", "")
        label = _("task {key}").format(key=key) if isinstance(key, str) and key else _("task #{n}").format(n=i + 1)
        r.unknown(raw, PLAN_FILE_TASK_KEYS, tl, label)
        key = r.text(raw, "key", tl, label, required=True)
        if key and not model.TASK_KEY_RE.match(key):
            r.problem(
                tl("key"),
                _('{label} key: "{key}" must look like 2 or 2.3 (letters, digits and dots)').format(
                    label=label, key=key
                ),
            )
        if key in task_index:
            r.problem(
                tl("key"),
                _("{label}: duplicate task key, first defined on line {line}").format(label=label, line=task_line(key)),
            )
        task_index.setdefault(key, i)
        deadline_text = ""
        deadline = None
        raw_deadline = raw.get("deadline")
        if isinstance(raw_deadline, str) and raw_deadline.strip():
            deadline_text = clean(raw_deadline).strip()
        deadline = r.day(raw, "deadline", tl, label)
        if isinstance(raw_deadline, date) or (deadline and deadline_text == deadline.isoformat()):
            deadline_text = ""
        recurrence = r.text(raw, "recurrence", tl, label)
        if recurrence:
            try:
                recurrence = validate_rrule(recurrence)
            except RecurrenceError as e:
                r.problem(tl("recurrence"), f"{label} recurrence: {e}")
        status = r.text(raw, "status", tl, label) or model.TaskStatus.NOT_STARTED
        try:
            status = model.parse_status(status).value
        except ValueError as e:
            r.problem(tl("status"), f"{label} status: {e}")
        priority = r.text(raw, "priority", tl, label) or model.Priority.NORMAL
        try:
            priority = model.parse_priority(priority).value
        except ValueError as e:
            r.problem(tl("priority"), f"{label} priority: {e}")
        progress = raw.get("progress", 0)
        if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
            r.problem(tl("progress"), f"{label} progress: " + _("must be a whole number from 0 to 100"))
            progress = 0
        kpi = None
        raw_kpi = raw.get("kpi")
        if raw_kpi is not None:
            if not isinstance(raw_kpi, dict):
                r.problem(tl("kpi"), f"{label} kpi: " + _("must be a [tasks.kpi] table"))
            else:

                def kl(name: str, tl: LineOf = tl, i: int = i) -> int:
                    """A KPI field's own line; inside an inline ``kpi = {...}``, that line."""
                    line = tl(name)
                    return tl("kpi") if line == r.where.table("tasks", i) else line

                r.unknown(raw_kpi, PLAN_FILE_KPI_KEYS, kl, f"{label} kpi")
                kpi = KPI(
                    metric=r.text(raw_kpi, "metric", kl, f"{label} kpi", required=True),
                    target=r.number(raw_kpi, "target", kl, f"{label} kpi"),
                    current=r.number(raw_kpi, "current", kl, f"{label} kpi"),
                    unit=r.text(raw_kpi, "unit", kl, f"{label} kpi"),
                    baseline=r.number(raw_kpi, "baseline", kl, f"{label} kpi"),
                )
        task = Task(
            plan=plan_key,
            key=key,
            title=r.text(raw, "title", tl, label, required=True),
            lead=r.text(raw, "lead", tl, label, required=True),
            description=r.text(raw, "description", tl, label, multiline=True),
            parent=r.text(raw, "parent", tl, label),
            accountable=r.text(raw, "accountable", tl, label),
            coordinating=r.strings(raw, "coordinating", tl, label),
            start=r.day(raw, "start", tl, label),
            deadline=deadline,
            deadline_text=deadline_text,
            recurrence=recurrence,
            status=status,
            progress=progress,
            priority=priority,
            output=r.text(raw, "output", tl, label, multiline=True),
            kpi=kpi,
            evidence=r.text(raw, "evidence", tl, label, multiline=True),
            completed_on=r.day(raw, "completed_on", tl, label),
            blocked_reason=r.text(raw, "blocked_reason", tl, label, multiline=True),
            depends_on=r.strings(raw, "depends_on", tl, label),
            tags=r.strings(raw, "tags", tl, label),
            source=r.text(raw, "source", tl, label),
        )
        if task.completed_on and task.start and task.completed_on < task.start:
            r.problem(
                tl("completed_on"),
                f"{label} completed_on: " + (completion_date_problem(task.completed_on, task.start, date.max) or ""),
            )
        if task.status == model.TaskStatus.DONE and task.completed_on is None and key:
            r.problem(
                tl("status"),
                f"{label} completed_on: "
                + _("a done task needs the date it was completed")
                + ' (completed_on = "2026-04-28")',
            )
        for name, message in rules.status_problems(task.status, task.evidence, task.blocked_reason):
            r.problem(tl("status"), f"{label} {name}: {message}")
        if task.lead and task.lead not in known:
            r.problem(
                tl("lead"),
                f"{label} lead: "
                + _('unknown agency "{name}" (define it in [[orgs]] or import it first)').format(name=task.lead),
            )
        for coordinator in task.coordinating:
            if coordinator not in known:
                r.problem(
                    tl("coordinating"),
                    f"{label} coordinating: " + _('unknown agency "{name}"').format(name=coordinator),
                )
        if task.start and task.deadline and task.start > task.deadline and not task.recurrence:
            r.problem(
                tl("start"),
                f"{label} start: " + _("is after the deadline ({date})").format(date=task.deadline.isoformat()),
            )
        if task.parent == task.key and key:
            r.problem(tl("parent"), f"{label} parent: " + _("a task cannot be its own parent"))
        tasks.append(task)
    for i, task in enumerate(tasks):
        label = _("task {key}").format(key=task.key)
        if task.parent and task.parent not in task_index:
            r.problem(
                r.where.field("tasks", i, "parent"),
                f"{label} parent: " + _('no task "{key}" in this file').format(key=task.parent),
            )
        for dep in task.depends_on:
            if dep not in task_index:
                r.problem(
                    r.where.field("tasks", i, "depends_on"),
                    f"{label} depends_on: " + _('no task "{key}" in this file').format(key=dep),
                )
    cycle = model.find_cycle({t.key: [t.parent] if t.parent and t.parent != t.key else [] for t in tasks})
    if cycle:
        r.problem(task_line(cycle[0]), _("parent cycle: ") + " -> ".join(cycle))
    cycle = model.find_cycle({t.key: list(t.depends_on) for t in tasks})
    if cycle:
        r.problem(task_line(cycle[0]), _("dependency cycle: ") + " -> ".join(cycle))
    if r.problems:
        raise PlanFileError(r.problems)
    return PlanFile(path=path, plan=plan, orgs=orgs, tasks=tasks)


def _read_bounded(p: Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_PLAN_FILE_BYTES` (``/dev/zero`` would never end)."""
    import stat

    # O_NONBLOCK: opening a FIFO must not wait for a writer before the check below refuses it
    with open(os.open(p, os.O_RDONLY | os.O_NONBLOCK), "rb", buffering=0) as fh:
        mode = os.fstat(fh.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, _("it is a folder, not a plan file"))
        if not stat.S_ISREG(mode):
            raise OSError(0, _("it is not a regular file (a device or a pipe), not a plan file"))
        raw = fh.read(MAX_PLAN_FILE_BYTES + 1)
    if len(raw) > MAX_PLAN_FILE_BYTES:
        raise OSError(
            0,
            _("it is larger than {mb} MB: split the plan into several files").format(
                mb=MAX_PLAN_FILE_BYTES // (1024 * 1024)
            ),
        )
    return raw


def read_plan_file(path: str | Path, known_orgs: Iterable[str] = ()) -> PlanFile:
    """Read and validate one plan file."""
    p = Path(path)
    try:
        raw = _read_bounded(p)
    except OSError as e:
        raise PlanFileError([Problem(str(path), 0, _("cannot read the file: ") + (e.strerror or str(e)))]) from None
    except ValueError:  # a NUL byte in the name (possible from a script, not from a shell)
        raise PlanFileError([Problem(repr(str(path)), 0, _("not a usable file name"))]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise PlanFileError([Problem(str(path), line, _("the file is not UTF-8 text"))]) from None
    return parse_plan_text(text, str(path), known_orgs)


class _EveryOrg:
    """Stands for "any agency key is known" while files are read in parallel (see below)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())


EVERY_ORG: Any = _EveryOrg()

#: Read files in worker processes when an import is at least this large (bytes, files).
PARALLEL_MIN_BYTES = 2_000_000
PARALLEL_MIN_FILES = 4


def _follow_parent(parent: int) -> None:
    """In a worker process: exit when the importing process is gone (even killed by SIGKILL)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _read_any_orgs(path: str) -> PlanFile | None:
    """In a worker process: read a file taking every agency as known; None on any problem."""
    try:
        return read_plan_file(path, EVERY_ORG)
    except PlanFileError:
        return None


def _org_cycle_problem(pf: PlanFile, parents: dict[str, str]) -> Problem | None:
    """A parent cycle the file's agencies would close with those already known (in the
    database or an earlier file); without one, *parents* (agency -> parent) takes the file's."""
    candidate = parents | {o.key: o.parent for o in pf.orgs}
    cycle = model.find_cycle({k: [v] if v else [] for k, v in candidate.items()})
    if cycle is None:
        parents.update(candidate)
        return None
    mine = {o.key: i for i, o in enumerate(pf.orgs)}
    at = next((k for k in cycle if k in mine), cycle[0])
    line = _org_line(pf.path, mine[at]) if at in mine else 1
    return Problem(
        pf.path,
        line,
        _("org parent cycle: {cycle} (with the parents set in the database or in an earlier file)").format(
            cycle=" -> ".join(cycle)
        ),
    )


def _future_completions(pf: PlanFile, today: date) -> list[Problem]:
    """A completion date after *today* (the store's): counted as done, it would be a delivery nobody made.

    The file reader has no "today" of its own, so this is checked as the file is imported.
    """
    problems = []
    for i, task in enumerate(pf.tasks):
        if task.completed_on is not None and task.completed_on > today:
            message = completion_date_problem(task.completed_on, None, today) or ""
            label = _("task {key}").format(key=task.key)
            problems.append(
                Problem(pf.path, _task_line(pf.path, i, "completed_on"), f"{label} completed_on: {message}")
            )
    return problems


def _task_line(path: str, index: int, name: str) -> int:
    """The line of field *name* of the *index*-th [[tasks]] table in the file (read again: errors only)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, ValueError):
        return 1
    return _Lines(text).field("tasks", index, name)


def _org_line(path: str, index: int) -> int:
    """The line of the *index*-th [[orgs]] table's ``parent`` in the file (read again: errors only)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, ValueError):
        return 1
    return _Lines(text).field("orgs", index, "parent")


def _agencies_named(pf: PlanFile) -> set[str]:
    """Agency keys a file refers to (org parents, leads, coordinating agencies)."""
    named = {o.parent for o in pf.orgs if o.parent}
    for t in pf.tasks:
        named.add(t.lead)
        named.update(t.coordinating)
    named.discard("")
    return named


def _worker_count(paths: Sequence[str | Path]) -> int:
    """How many processes should read the files (0: read them here, one by one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    if cpus < 2 or len(paths) < PARALLEL_MIN_FILES:
        return 0
    try:
        size = sum(os.path.getsize(p) for p in paths)
    except OSError:
        return 0
    # This process writes while the workers read, and writing is the longer part: one CPU for it,
    # the others (at most 3) for reading.  On two CPUs two readers only slowed the writer down.
    return min(cpus - 1, 3) if size >= PARALLEL_MIN_BYTES else 0


def _import_in_parallel(store, paths: Sequence[str | Path], workers: int, prune: bool, dry_run: bool):
    """:func:`import_plan_files` for large imports: worker processes parse and validate the
    files while this process writes the ones already read (speed: reading
    100,000 tasks of TOML took longer than writing them).

    The result is exactly that of reading the files one by one: a worker takes every agency
    as known, and a file whose agencies are not all known by then (defined in the database,
    in an earlier file or in the file itself), or that has any problem, is read again here
    with the agencies known so far, which reports its problems as the one-by-one reading
    does.  Any problem raises PlanFileError from the generator, and ``apply_plans`` rolls
    everything back: nothing is written.
    """
    import multiprocessing
    from concurrent.futures import BrokenExecutor, ProcessPoolExecutor

    known_orgs = store.list_orgs()
    known = {o.key for o in known_orgs}
    parents = {o.key: o.parent for o in known_orgs}
    today = store.today()
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_follow_parent, initargs=(os.getpid(),)
    )
    try:
        results = pool.map(_read_any_orgs, [str(p) for p in paths])

        def files() -> Iterator[tuple[Plan, list[Org], list[Task]]]:
            problems: list[Problem] = []
            seen: dict[str, str] = {}
            for path, pf in zip(paths, results):
                if pf is None or not _agencies_named(pf) <= known | {o.key for o in pf.orgs}:
                    try:
                        pf = read_plan_file(path, known)
                    except PlanFileError as e:
                        problems += e.problems
                        continue
                known.update(o.key for o in pf.orgs)
                cycle = _org_cycle_problem(pf, parents)
                if cycle:
                    problems.append(cycle)
                if pf.plan.key in seen:
                    problems.append(
                        Problem(
                            str(path),
                            1,
                            _('plan "{key}" is also in {path}').format(key=pf.plan.key, path=seen[pf.plan.key]),
                        )
                    )
                seen[pf.plan.key] = str(path)
                reasons[pf.plan.key] = import_reason(path)
                problems += _future_completions(pf, today)
                if not problems:
                    yield pf.plan, pf.orgs, pf.tasks
            if problems:
                raise PlanFileError(problems)

        reasons: dict[str, str] = {}
        return store.apply_plans(files(), prune=prune, dry_run=dry_run, reasons=reasons)
    except BrokenExecutor as e:  # a worker died (out of memory?): nothing was written; read here instead
        raise OSError("the worker processes stopped") from e
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def import_plan_files(store, paths: Sequence[str | Path], *, prune: bool = False, dry_run: bool = False):
    """Validate every file, then import them all in one transaction (or none)."""
    workers = _worker_count(paths)
    if workers:
        try:
            return _import_in_parallel(store, paths, workers, prune, dry_run)
        except (OSError, ImportError):  # no worker processes here: read the files one by one
            pass
    known_orgs = store.list_orgs()
    known = {o.key for o in known_orgs}
    parents = {o.key: o.parent for o in known_orgs}
    parsed: list[PlanFile] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            pf = read_plan_file(path, known | {o.key for p in parsed for o in p.orgs})
        except PlanFileError as e:
            problems += e.problems
            continue
        cycle = _org_cycle_problem(pf, parents)
        if cycle:
            problems.append(cycle)
        if pf.plan.key in seen:
            problems.append(
                Problem(
                    str(path), 1, _('plan "{key}" is also in {path}').format(key=pf.plan.key, path=seen[pf.plan.key])
                )
            )
        seen[pf.plan.key] = str(path)
        problems += _future_completions(pf, store.today())
        parsed.append(pf)
    if problems:
        raise PlanFileError(problems)
    return store.apply_plans(
        [(p.plan, p.orgs, p.tasks) for p in parsed],
        prune=prune,
        dry_run=dry_run,
        reasons={p.plan.key: import_reason(p.path) for p in parsed},
    )


def import_reason(path: str | Path) -> str:
    """What the history says an import's changes were for."""
    return _("plan file") + f" {Path(path).name}"


# --- writing -------------------------------------------------------------------------------


def _put(table: dict[str, Any], name: str, value: Any) -> None:
    if value in (None, "", []):
        return
    table[name] = value.isoformat() if isinstance(value, date) else value


def _refuse_what_import_would(plan: Plan, tasks: Sequence[Task]) -> None:
    """Export writes only what import reads back: a date or number stored before the bounds
    existed (or written into the file by hand) is named instead of written."""
    from actionplan.core.errors import ValidationError

    problems = []
    days = [("plan", "issued_on", plan.issued_on)]
    for t in tasks:
        days += [(f"task {t.key}", name, getattr(t, name)) for name in ("start", "deadline", "completed_on")]
        if t.kpi is not None:
            for name in ("target", "current", "baseline"):
                value = getattr(t.kpi, name)
                problem = number_problem(value) if value is not None else None
                if problem:
                    problems.append(f"task {t.key} kpi.{name} {value}: {problem}")
    for label, name, day in days:
        try:
            if day is not None:
                check_date(day)
        except DateError as e:
            problems.append(f"{label} {name}: {e}")
    if problems:
        raise ValidationError(
            _("cannot export plan")
            + f" {plan.key}: "
            + "; ".join(problems[:10])
            + " ("
            + _("correct it with")
            + " `actionplan set`)"
        )


def plan_to_dict(plan: Plan, orgs: Sequence[Org], tasks: Sequence[Task]) -> dict[str, Any]:
    """The TOML document of a plan (only fields that are set)."""
    _refuse_what_import_would(plan, tasks)
    p: dict[str, Any] = {}
    for name in ("key", "reference", "title", "issuer", "issued_on", "period", "status"):
        _put(p, name, getattr(plan, name))
    out_orgs = []
    for o in orgs:
        d: dict[str, Any] = {}
        for name in ("key", "name", "short_name", "parent", "head", "head_title", "email"):
            _put(d, name, getattr(o, name))
        out_orgs.append(d)
    out_tasks = []
    for t in tasks:
        d = {}
        for name in ("key", "parent", "title", "description", "lead", "accountable", "coordinating", "start"):
            _put(d, name, getattr(t, name))
        _put(d, "deadline", t.deadline_text or t.deadline)
        _put(d, "recurrence", t.recurrence)
        if t.status != model.TaskStatus.NOT_STARTED:
            d["status"] = str(t.status)
        if t.progress:
            d["progress"] = t.progress
        if t.priority != model.Priority.NORMAL:
            d["priority"] = str(t.priority)
        for name in ("output", "depends_on", "tags", "source", "evidence", "completed_on", "blocked_reason"):
            _put(d, name, getattr(t, name))
        if t.kpi is not None:
            k: dict[str, Any] = {}
            for name in ("metric", "target", "current", "unit", "baseline"):
                _put(k, name, getattr(t.kpi, name))
            d["kpi"] = k
        out_tasks.append(d)
    doc: dict[str, Any] = {"plan": p}
    if out_orgs:
        doc["orgs"] = out_orgs
    if out_tasks:
        doc["tasks"] = out_tasks
    return doc


def dump_plan(plan: Plan, orgs: Sequence[Org], tasks: Sequence[Task]) -> str:
    """Plan-file text for a plan, in the format that import reads."""
    import tomli_w

    def table(header: str, values: dict[str, Any]) -> str:
        return f"{header}\n" + tomli_w.dumps(values, multiline_strings=True)

    # One title line: a newline in the title must not end the comment and become TOML.
    title = " ".join(f"{plan.reference + ': ' if plan.reference else ''}{plan.title}".split())
    doc = plan_to_dict(plan, orgs, tasks)
    # Written table by table, so every org and task is a [[orgs]] / [[tasks]] block (tomli_w
    # alone would inline short ones, and problems could then not be given a line number).
    parts = [f"# {title}\n# Written by actionplan export.\n", table("[plan]", doc["plan"])]
    parts += [table("[[orgs]]", o) for o in doc.get("orgs", [])]
    for t in doc.get("tasks", []):
        kpi = t.pop("kpi", None)
        parts.append(table("[[tasks]]", t) + (("\n" + table("[tasks.kpi]", kpi)) if kpi is not None else ""))
    return "\n".join(parts)


def export_plan_text(store, key: str) -> str:
    """The plan file of plan *key*, as ``actionplan export`` writes it."""
    return dump_plan(*store.export_plan(key))


def write_plan_file(store, key: str, path: str | Path) -> None:
    """Write plan *key* to *path* whole or not at all (see :mod:`actionplan.services.output`)."""
    from actionplan.services.output import write_text

    write_text(path, export_plan_text(store, key))
