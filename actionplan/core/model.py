"""Domain objects of the committee and the pure rules about them.

Everything derived (overdue, due soon, days late, progress roll-up, the
accountability of each lead agency) is computed here and only here; the
store, the CLI, the UI, the iCal export and the digest all call these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum

from actionplan.core.i18n import N_, _


class TaskStatus(StrEnum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"


CLOSED_STATUSES: frozenset[str] = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})


class PlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    ACTIVE = "active"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


DEFAULT_HORIZON_DAYS = 14

#: The words of the statuses and priorities, for the catalogue (the values are the English words).
VALUE_WORDS = (
    N_("not started"),
    N_("in progress"),
    N_("blocked"),
    N_("done"),
    N_("cancelled"),
    N_("draft"),
    N_("approved"),
    N_("active"),
    N_("closed"),
    N_("low"),
    N_("normal"),
    N_("high"),
    N_("critical"),
)


def status_label(value: str) -> str:
    """A task or plan status, or a priority, in the current language ("in progress" → "đang thực hiện")."""
    return _(str(value))


PLAN_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ORG_KEY_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
TASK_KEY_RE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+){0,7}$")


@dataclass
class KPI:
    """A measurable target attached to a task."""

    metric: str
    target: float | None = None
    current: float | None = None
    unit: str = ""
    baseline: float | None = None

    def share_of_way(self) -> float | None:
        """How far current is towards target, 0..1 (None if unknown).

        With a baseline the way is measured from it (a rank going down from 30
        to 20 works too); without one, from zero.
        """
        if self.target is None or self.current is None:
            return None
        start = self.baseline if self.baseline is not None else 0.0
        span = self.target - start
        if span == 0:
            return 1.0 if self.current == self.target else 0.0
        share = (self.current - start) / span
        return max(0.0, min(1.0, share))


@dataclass
class Org:
    """A ministry, province, the committee office or a subcommittee."""

    key: str
    name: str
    short_name: str = ""
    parent: str = ""
    head: str = ""
    head_title: str = ""
    email: str = ""
    version: int = 0
    id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.key} — {self.name}"


@dataclass
class Plan:
    """A yearly action plan issued by the committee."""

    key: str
    title: str
    reference: str = ""
    issuer: str = ""
    issued_on: date | None = None
    period: str = ""
    status: str = PlanStatus.ACTIVE
    version: int = 0
    id: int | None = None


@dataclass
class Task:
    """One assignment in a plan, with its lead agency and accountable head."""

    plan: str
    key: str
    title: str
    lead: str = ""
    description: str = ""
    parent: str = ""
    accountable: str = ""
    coordinating: list[str] = field(default_factory=list)
    start: date | None = None
    deadline: date | None = None
    deadline_text: str = ""
    recurrence: str = ""
    status: str = TaskStatus.NOT_STARTED
    progress: int = 0
    priority: str = Priority.NORMAL
    output: str = ""
    kpi: KPI | None = None
    evidence: str = ""
    completed_on: date | None = None
    blocked_reason: str = ""
    depends_on: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str = ""
    version: int = 0
    id: int | None = None
    lead_name: str = ""
    updated_at: str = ""

    @property
    def ref(self) -> str:
        return f"{self.plan}/{self.key}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def __reduce__(self) -> tuple[type[Task], tuple[object, ...]]:
        """Pickled as the tuple of its field values: a large import's worker processes send
        100,000s of tasks to the writing process, and unpickling each task's dict of fields
        took a third more of that process's time (speed)."""
        return Task, tuple(getattr(self, name) for name in _TASK_FIELD_NAMES)


_TASK_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Task))


@dataclass
class ProgressUpdate:
    """A dated progress note on a task."""

    task: str
    on: date
    author: str
    text: str
    progress: int | None = None
    id: int | None = None


@dataclass
class Change:
    """One field changed by one edit; the history of every row is made of these."""

    change_id: int
    at: str
    actor: str
    action: str
    entity: str
    ref: str
    field: str
    old: str | None
    new: str | None
    undone: bool = False  # a later undo took this change back
    undo_of: int | None = None  # this change is the undo of that one
    reason: str = ""  # why (a deadline moving on an active plan; the plan file of an import)

    @property
    def stands(self) -> bool:
        """Neither undone nor itself an undo: the change still holds (reports count only these)."""
        return not self.undone and self.undo_of is None


@dataclass
class PlanSummary:
    """Counts that the dashboard and the digest show for a plan."""

    plan: Plan
    total: int = 0
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    done: int = 0
    cancelled: int = 0
    progress: float = 0.0


@dataclass
class OrgScore:
    """How one lead agency is doing on the tasks it leads."""

    org: str
    name: str
    assigned: int = 0
    done: int = 0
    done_on_time: int = 0
    open: int = 0
    overdue: int = 0
    days_late_total: int = 0
    late_count: int = 0

    @property
    def done_on_time_pct(self) -> float | None:
        return None if self.done == 0 else 100.0 * self.done_on_time / self.done

    @property
    def average_days_late(self) -> float:
        return 0.0 if self.late_count == 0 else self.days_late_total / self.late_count


# --- derived state -----------------------------------------------------------------


def is_overdue(task: Task, today: date) -> bool:
    """Deadline before today and the task neither done nor cancelled."""
    return task.is_open and task.deadline is not None and task.deadline < today


def is_due_soon(task: Task, today: date, days: int = DEFAULT_HORIZON_DAYS) -> bool:
    """Open and due between today and today + *days* inclusive."""
    if not task.is_open or task.deadline is None:
        return False
    return 0 <= (task.deadline - today).days <= days


def days_late(task: Task, today: date) -> int:
    """Days past the deadline: for an open task as of today, for a done one at completion."""
    if task.deadline is None:
        return 0
    if task.status == TaskStatus.DONE:
        end = task.completed_on or task.deadline
    elif task.status == TaskStatus.CANCELLED:
        return 0
    else:
        end = today
    return max(0, (end - task.deadline).days)


def days_left(task: Task, today: date) -> int | None:
    """Days until the deadline (negative when late), None without a deadline."""
    return None if task.deadline is None else (task.deadline - today).days


def done_on_time(task: Task) -> bool | None:
    """True/False for done tasks with a deadline, None otherwise."""
    if task.status != TaskStatus.DONE or task.deadline is None:
        return None
    return task.completed_on is None or task.completed_on <= task.deadline


def effective_progress(task: Task) -> int:
    """A done task counts as 100 %, a cancelled one is left out by callers."""
    return 100 if task.status == TaskStatus.DONE else max(0, min(100, task.progress))


def rollup_progress(tasks: Sequence[Task]) -> dict[str, float]:
    """Progress of every task keyed by ref, parents averaged from their subtasks.

    Leaf tasks report their own progress; a parent reports the mean of its
    non-cancelled children (recursively).  Cancelled tasks do not count.
    """
    children: dict[str, list[Task]] = {}
    by_ref = {t.ref: t for t in tasks}
    for t in tasks:
        if t.parent:
            children.setdefault(f"{t.plan}/{t.parent}", []).append(t)
    result: dict[str, float] = {}

    def compute(root: str) -> None:
        """Children before parents with an explicit stack: a chain of any depth, no recursion limit."""
        stack: list[tuple[str, bool]] = [(root, False)]
        visiting: set[str] = set()
        while stack:
            ref, children_done = stack.pop()
            if ref in result:
                continue
            task = by_ref[ref]
            kids = [k for k in children.get(ref, []) if k.status != TaskStatus.CANCELLED]
            if task.status == TaskStatus.DONE or not kids or (ref in visiting and not children_done):
                result[ref] = float(effective_progress(task))  # a leaf (or a parent cycle, refused on import)
            elif children_done:
                result[ref] = sum(result[k.ref] for k in kids) / len(kids)
            else:
                visiting.add(ref)
                stack.append((ref, True))
                stack.extend((k.ref, False) for k in kids if k.ref not in result)

    for ref in by_ref:
        compute(ref)
    return result


def plan_progress(tasks: Sequence[Task]) -> float:
    """Mean progress of a plan's top-level, non-cancelled tasks (0..100)."""
    rolled = rollup_progress(tasks)
    top = [t for t in tasks if not t.parent and t.status != TaskStatus.CANCELLED]
    if not top:
        return 0.0
    return sum(rolled[t.ref] for t in top) / len(top)


def summarise_plan(plan: Plan, tasks: Sequence[Task], today: date, horizon: int = DEFAULT_HORIZON_DAYS) -> PlanSummary:
    """Counts (open, overdue, due soon, done, cancelled) and rolled-up progress of one plan."""
    s = PlanSummary(plan=plan, total=len(tasks))
    for t in tasks:
        if t.status == TaskStatus.DONE:
            s.done += 1
        elif t.status == TaskStatus.CANCELLED:
            s.cancelled += 1
        else:
            s.open += 1
        s.overdue += is_overdue(t, today)
        s.due_soon += is_due_soon(t, today, horizon)
    s.progress = plan_progress(tasks)
    return s


def score_orgs(tasks: Iterable[Task], today: date, names: Mapping[str, str] | None = None) -> list[OrgScore]:
    """Accountability table: one row per lead org, the worst first."""
    scores: dict[str, OrgScore] = {}
    for t in tasks:
        if t.status == TaskStatus.CANCELLED:
            continue
        s = scores.get(t.lead)
        if s is None:
            name = (names or {}).get(t.lead) or t.lead_name or t.lead
            s = scores[t.lead] = OrgScore(org=t.lead, name=name)
        s.assigned += 1
        if t.status == TaskStatus.DONE:
            s.done += 1
            if done_on_time(t) is not False:
                s.done_on_time += 1
        else:
            s.open += 1
        late = days_late(t, today)
        if late > 0:
            s.days_late_total += late
            s.late_count += 1
        if is_overdue(t, today):
            s.overdue += 1
    return sorted(scores.values(), key=org_rank)


def org_rank(s: OrgScore) -> tuple:
    """Sort key putting the agency in the worst standing first."""
    on_time = s.done_on_time_pct if s.done_on_time_pct is not None else 100.0
    return (-s.overdue, -s.average_days_late, on_time, s.org)


# --- validation ----------------------------------------------------------------------


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle in a graph given as node -> successors, or None.

    Returned as the list of nodes along the cycle, first node repeated last.
    """
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict[str, int] = {}
    for start in sorted(edges):
        if colour.get(start, WHITE) != WHITE:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(edges.get(start, ())))]
        path = [start]
        colour[start] = GREY
        while stack:
            node, succ = stack[-1]
            if succ:
                nxt = succ.pop(0)
                state = colour.get(nxt, WHITE)
                if state == GREY:
                    return path[path.index(nxt) :] + [nxt]
                if state == WHITE:
                    colour[nxt] = GREY
                    path.append(nxt)
                    stack.append((nxt, sorted(edges.get(nxt, ()))))
            else:
                colour[node] = BLACK
                stack.pop()
                path.pop()
    return None


def validate_task_fields(task: Task) -> list[tuple[str, str]]:
    """Field-level problems of a task, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    if not TASK_KEY_RE.match(task.key or ""):
        problems.append(("key", _("task key must look like 2 or 2.3 (letters, digits and dots)")))
    if not (task.title or "").strip():
        problems.append(("title", _("a task needs a title")))
    if not (task.lead or "").strip():
        problems.append(("lead", _("a task needs a lead agency")))
    if task.status not in set(TaskStatus):
        problems.append(("status", _("status must be one of: {values}").format(values=", ".join(TaskStatus))))
    if task.priority not in set(Priority):
        problems.append(("priority", _("priority must be one of: {values}").format(values=", ".join(Priority))))
    if not isinstance(task.progress, int) or isinstance(task.progress, bool) or not 0 <= task.progress <= 100:
        problems.append(("progress", _("progress must be a whole number from 0 to 100")))
    if task.start and task.deadline and task.start > task.deadline and not task.recurrence:
        problems.append(("start", _("start is after the deadline")))
    if task.parent and task.parent == task.key:
        problems.append(("parent", _("a task cannot be its own parent")))
    if task.key in task.depends_on:
        problems.append(("depends_on", _("a task cannot depend on itself")))
    if task.status == TaskStatus.DONE and task.completed_on is None:
        problems.append(("completed_on", _("a done task needs the date it was completed")))
    return problems


def parse_progress(value: object) -> int:
    """Progress from user input ("40", "40%", 40) as an int 0..100."""
    if isinstance(value, bool):
        raise ValueError(_("progress must be a whole number from 0 to 100"))
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().rstrip("%").strip()
        if not text.isdigit():
            raise ValueError(_('progress must be a whole number from 0 to 100: "{value}"').format(value=value))
        number = int(text)
    if not 0 <= number <= 100:
        raise ValueError(_('progress must be a whole number from 0 to 100: "{value}"').format(value=value))
    return number


#: The statuses as Vietnamese state documents write them, without diacritics (see ``_fold``).
VIETNAMESE_STATUS = {
    "chua thuc hien": "not started",
    "chua bat dau": "not started",
    "dang thuc hien": "in progress",
    "vuong mac": "blocked",
    "hoan thanh": "done",
    "da hoan thanh": "done",
    "huy bo": "cancelled",
    "da huy": "cancelled",
}


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def parse_status(value: str) -> TaskStatus:
    """Status from user input, forgiving about case, underscores and dashes."""
    norm = " ".join(str(value).strip().lower().replace("_", " ").replace("-", " ").split())
    aliases = {
        "todo": "not started",
        "open": "not started",
        "started": "in progress",
        "doing": "in progress",
        "complete": "done",
        "completed": "done",
        "canceled": "cancelled",
    }
    norm = aliases.get(norm, norm)
    norm = VIETNAMESE_STATUS.get(_fold(norm), norm)
    try:
        return TaskStatus(norm)
    except ValueError:
        raise ValueError(
            _('unknown status "{value}": use one of {values}').format(
                value=value, values=", ".join(_(str(s)) for s in TaskStatus)
            )
        ) from None


def parse_priority(value: str) -> Priority:
    norm = str(value).strip().lower()
    try:
        return Priority(norm)
    except ValueError:
        raise ValueError(
            _('unknown priority "{value}": use one of {values}').format(value=value, values=", ".join(Priority))
        ) from None


def apply_status_rules(old: Task, new: Task, today: date) -> Task:
    """Consequences of a status change, applied before a save.

    Done means 100 % and a completion date (today unless given); reopening a
    done task clears the completion date but keeps the evidence on record;
    progress recorded on a task not started yet means it is in progress.
    """
    from dataclasses import replace

    if new.status == TaskStatus.DONE and old.status != TaskStatus.DONE:
        return replace(new, progress=100, completed_on=new.completed_on or today)
    if new.status != TaskStatus.DONE and old.status == TaskStatus.DONE:
        return replace(new, completed_on=None)
    if new.status == old.status == TaskStatus.NOT_STARTED and new.progress > 0 and old.progress == 0:
        return replace(new, status=TaskStatus.IN_PROGRESS)  # progress recorded means work has started
    return new


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    plan: str
    plan_added: bool = False
    plan_changed: bool = False
    orgs_added: list[str] = field(default_factory=list)
    orgs_changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    #: done or cancelled tasks the file lists as open, kept closed ("2.1 (done; the file says in progress)")
    kept_closed: list[str] = field(default_factory=list)
