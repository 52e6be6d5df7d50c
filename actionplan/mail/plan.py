"""Which messages are due: digests per agency and for the committee office, deadline reminders.

A run builds the whole digest once (:func:`actionplan.digest.data.build_digest`, every
task in every list) and cuts it into one digest per agency: the tasks it leads, and
apart from them the tasks it coordinates.  Building a digest for each of 500 agencies
would read the store 1,000 times; cutting the one digest costs a pass over its lists.
Every list of the digest whose items carry a ``task`` is cut, so a section added to
the digest later reaches the agencies' mail too.

Each message is an :class:`Outgoing` with a stable ``covers`` key; the send log keeps
the keys of what was delivered, so nothing is sent twice.  Bodies are rendered only
for the messages that are actually sent or written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from actionplan.core.i18n import _
from actionplan.core.l10n import is_vietnamese, org_name
from actionplan.core.model import DEFAULT_HORIZON_DAYS, Org, PlanStatus, Task, status_label
from actionplan.mail.build import Mailbox, join_html, one_line, parse_addresses

if TYPE_CHECKING:  # pragma: no cover - typing only
    from actionplan.digest.data import Digest
    from actionplan.store import Store

#: Settings (the store's meta table) mail reads.
OFFICE_SETTING = "mail.office"  # who gets the whole digest, "a@x, b@y"
PERSON_PREFIX = "mail.person."  # mail.person.<accountable name> -> address
FEED_PREFIX = "mail.feed."  # mail.feed.<ORG> -> the URL of the agency's calendar feed

#: Digest lists by field name -> the section key the renderers use for "and N more".
SECTION_KEYS = {
    "overdue": "overdue",
    "due_soon": "due",
    "completed": "completed",
    "deadline_changes": "changes",
    "blocked": "blocked",
    "kpis": "kpis",
}
#: The items of a digest's lists by field name.
Lists = dict[str, list[Any]]
#: What counts as something to report (completions and KPIs alone do not).
NEWS = ("overdue", "due_soon", "blocked", "deadline_changes")


@dataclass
class Outgoing:
    """One message to one recipient, not built yet."""

    kind: str  # "digest" or "reminder"
    covers: str  # stable key of what it covers, for the send log
    org: str  # the agency it is for ("" for the committee office's whole digest)
    as_of: date
    to: Mailbox
    subject: str
    body: Callable[[], tuple[str, str | None]]  # (text, html or None), rendered when needed

    @property
    def address_key(self) -> str:
        """The recipient as the send log keys it."""
        return self.to.address.strip().lower()


@dataclass
class DigestMailOptions:
    as_of: date
    orgs: tuple[str, ...] = ()
    since_last: bool = False
    always: bool = False
    office: tuple[str, ...] = ()  # whole-digest recipients; empty: the stored setting
    horizon: int = DEFAULT_HORIZON_DAYS
    limit: int | None = 25


@dataclass
class DigestPlan:
    """The digest messages due, and the agencies left out (with why)."""

    messages: list[Outgoing] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)  # nothing to report
    no_address: list[str] = field(default_factory=list)


# --- cutting one digest per agency --------------------------------------------------------------


def task_lists(digest: Digest) -> Iterable[tuple[str, list[Any]]]:
    """(field name, items) of every list of the digest whose items name a task."""
    for f in fields(digest):
        value = getattr(digest, f.name)
        if isinstance(value, list) and (f.name in SECTION_KEYS or (value and hasattr(value[0], "task"))):
            yield f.name, value


def index_by_org(full: Digest, coordinators: dict[int, list[str]]) -> tuple[dict[str, Lists], dict[str, Lists]]:
    """The items of every list of *full*, by lead agency and by coordinating agency, in one pass."""
    led: dict[str, Lists] = {}
    coordinated: dict[str, Lists] = {}
    names = [name for name, _items in task_lists(full)]
    for name, items in task_lists(full):
        for item in items:
            task = item.task
            led.setdefault(task.lead, {n: [] for n in names})[name].append(item)
            for org in coordinators.get(task.id or 0, ()):
                coordinated.setdefault(org, {n: [] for n in names})[name].append(item)
    return led, coordinated


def narrowed(
    full: Digest,
    lists: Lists,
    open_by_plan: dict[str, int],
    *,
    lead: Org | None = None,
    coordinating: Org | None = None,
) -> Digest:
    """*full* with only the items in *lists* (from :func:`index_by_org`), figures and plans to match."""
    from actionplan.digest.data import Figures, PlanFigures

    lists = {name: lists.get(name, []) for name, _items in task_lists(full)}
    in_scope = {p for p, n in open_by_plan.items() if n} | {i.task.plan for items in lists.values() for i in items}
    plans = [p for p in full.plans if p.key in in_scope]

    def figures(plan: str | None) -> Any:
        def mine(name: str) -> list[Any]:
            return [i for i in lists.get(name, []) if plan is None or i.task.plan == plan]

        slipped = {c.task.ref for c in mine("deadline_changes") if str(c.kind) == "slipped"}
        open_ = sum(open_by_plan.values()) if plan is None else open_by_plan.get(plan, 0)
        return Figures(
            open=open_,
            overdue=len(mine("overdue")),
            due_soon=len(mine("due_soon")),
            done_since=len(mine("completed")),
            slipped_since=len(slipped),
        )

    scores = [s for s in full.accountability if lead and s.org == lead.key]
    cut: dict[str, Any] = dict(lists)
    return replace(
        full,
        plans=plans,
        plans_filtered=True,
        lead=lead,
        coordinating=coordinating,
        totals=figures(None),
        plan_figures=[PlanFigures(p, figures(p.key)) for p in plans],
        progress=[s for s in full.progress if s.plan.key in in_scope],
        accountability=scores,
        more={},
        **cut,
    )


def limited(digest: Digest, limit: int | None) -> Digest:
    """At most *limit* tasks in each list, saying how many more there are (the figures count them all)."""
    if limit is None:
        return digest
    cut: dict[str, Any] = {}
    more = dict(digest.more)
    for name, items in task_lists(digest):
        if len(items) > limit:
            cut[name] = items[:limit]
            more[SECTION_KEYS.get(name, name)] = more.get(SECTION_KEYS.get(name, name), 0) + len(items) - limit
    return replace(digest, more=more, limit=limit, **cut)


def has_news(digest: Digest) -> bool:
    return any(getattr(digest, name, None) for name in NEWS)


# --- digests ---------------------------------------------------------------------------------------


def digest_messages(store: Store, options: DigestMailOptions) -> DigestPlan:
    """The digest messages of a run: one per address of each agency, and the office's whole digest."""
    from actionplan.digest.data import DEFAULT_SINCE_DAYS, DigestOptions, SinceBasis, build_digest

    as_of = options.as_of
    if options.orgs:
        orgs = [store.resolve_org(k, "--org") for k in dict.fromkeys(options.orgs)]
    else:
        orgs = store.list_orgs()
    previous = store.last_mail_digests(before=as_of) if options.since_last else {}
    default_since = as_of - timedelta(days=DEFAULT_SINCE_DAYS)
    built: dict[date, Digest] = {}

    def full_digest(org_key: str) -> Digest:
        """The whole digest with the window this recipient's previous digest leaves (built once per window)."""
        since = previous.get(org_key, default_since)
        if since not in built:
            digest = build_digest(store, DigestOptions(as_of=as_of, horizon=options.horizon, since=since))
            if options.since_last:
                basis = SinceBasis.PREVIOUS_DIGEST if org_key in previous else SinceBasis.NO_PREVIOUS_DIGEST
                digest = replace(digest, since_basis=basis, previous_digest_on=previous.get(org_key))
            else:
                digest = replace(digest, since_basis=SinceBasis.DEFAULT)
            built[since] = digest
        return built[since]

    result = DigestPlan()
    led, coordinated = store.open_counts_by_org()
    coordinators = store.coordinators_by_task()
    indexes: dict[int, tuple[dict[str, Lists], dict[str, Lists]]] = {}
    for org in orgs:
        addresses = parse_addresses(org.email)
        if not addresses:
            result.no_address.append(org.key)
            continue
        full = full_digest(org.key)
        if id(full) not in indexes:
            indexes[id(full)] = index_by_org(full, coordinators)
        by_lead, by_coordinator = indexes[id(full)]
        lead_part = narrowed(full, by_lead.get(org.key, {}), led.get(org.key, {}), lead=org)
        coord_part = narrowed(full, by_coordinator.get(org.key, {}), coordinated.get(org.key, {}), coordinating=org)
        if not options.always and not has_news(lead_part) and not has_news(coord_part):
            result.quiet.append(org.key)
            continue
        body = _agency_body(limited(lead_part, options.limit), limited(coord_part, options.limit))
        covers = f"digest:{org.key}:{full.since.isoformat()}:{as_of.isoformat()}"
        subject = _agency_subject(org, lead_part, coord_part)
        for address in addresses:
            result.messages.append(
                Outgoing("digest", covers, org.key, as_of, Mailbox(org.name, address), subject, body)
            )
    if not options.orgs:
        office = list(options.office) or parse_addresses(store.get_setting(OFFICE_SETTING) or "")
        if office:
            whole = limited(full_digest(""), options.limit)
            covers = f"digest:*:{whole.since.isoformat()}:{as_of.isoformat()}"
            subject = _whole_subject(whole)
            body = _whole_body(whole)
            for address in office:
                result.messages.append(Outgoing("digest", covers, "", as_of, Mailbox("", address), subject, body))
    return result


def _agency_subject(org: Org, lead: Digest, coord: Digest) -> str:
    from actionplan.digest.phrases import day

    return (
        _("Digest as of")
        + f" {day(lead.as_of)} — {org.key}, {one_line(org_name(org.key, org.short_name, org.name) if is_vietnamese() else org.name)}: "
        + _("{overdue} overdue, {due} due soon, {blocked} blocked; {coord} overdue that you coordinate").format(
            overdue=lead.count("overdue"),
            due=lead.count("due"),
            blocked=lead.count("blocked"),
            coord=coord.count("overdue"),
        )
    )


def _whole_subject(whole: Digest) -> str:
    from actionplan.digest.phrases import title_phrase

    return (
        title_phrase(whole)
        + ": "
        + _("{overdue} overdue, {due} due soon, {blocked} blocked").format(
            overdue=whole.count("overdue"), due=whole.count("due"), blocked=whole.count("blocked")
        )
    )


def _agency_body(lead: Digest, coord: Digest) -> Callable[[], tuple[str, str | None]]:
    def render() -> tuple[str, str | None]:
        from actionplan.digest.render import render as render_digest

        parts = [lead] + ([coord] if coord.plans else [])
        texts = [render_digest(d, "text") for d in parts]
        separator = "\n" + "=" * 80 + "\n" + _("Tasks your agency coordinates (led by other agencies)") + "\n\n"
        html = render_digest(parts[0], "html")
        for d in parts[1:]:
            html = join_html(html, render_digest(d, "html"))
        return separator.join(texts), html

    return render


def _whole_body(whole: Digest) -> Callable[[], tuple[str, str | None]]:
    def render() -> tuple[str, str | None]:
        from actionplan.digest.render import render as render_digest

        return render_digest(whole, "text"), render_digest(whole, "html")

    return render


# --- reminders ---------------------------------------------------------------------------------------


def reminder_day_offset(task: Task, as_of: date, offsets: Iterable[int]) -> int | None:
    """The offset (days before the deadline) of the latest reminder day that has come, or None.

    None when no reminder day has come yet, or the deadline has passed (overdue
    tasks are the digests' business).  A run that missed a reminder day still sends
    that reminder, and one email only even when two reminder days have come.
    """
    if task.deadline is None or not task.is_open:
        return None
    left = (task.deadline - as_of).days
    if left < 0:
        return None
    come = [n for n in offsets if n >= left]
    return min(come) if come else None


def reminder_messages(store: Store, as_of: date) -> list[Outgoing]:
    """One short email per open task whose reminder day has come, to its lead and accountable head."""
    from actionplan.calendar.ical import IcalOptions, parse_offset, reminder_offsets
    from actionplan.core.query import TaskFilter

    plans = {p.key: p for p in store.list_plans() if p.status != PlanStatus.CLOSED}
    offsets = {key: sorted({parse_offset(o) for o in reminder_offsets(store, IcalOptions(), key)}) for key in plans}
    furthest = max((max(o) for o in offsets.values() if o), default=None)
    if furthest is None:
        return []
    orgs = {o.key: o for o in store.list_orgs()}
    people = {fold_name(k): v for k, v in store.settings_starting(PERSON_PREFIX).items()}
    feeds = active_feed_links(store)
    tasks = store.list_bare_tasks(TaskFilter(plans=sorted(plans), open_only=True, due_within=furthest), today=as_of)
    messages: list[Outgoing] = []
    for task in tasks:
        offset = reminder_day_offset(task, as_of, offsets.get(task.plan, ()))
        if offset is None or task.deadline is None:
            continue
        org = orgs.get(task.lead)
        covers = f"reminder:{task.ref}:{task.deadline.isoformat()}:P{offset}D"
        subject = _reminder_subject(task, as_of)
        body = _reminder_body(task, org, as_of, feeds.get(task.lead, ""))
        recipients = [Mailbox(org.name if org else task.lead, a) for a in parse_addresses(org.email if org else "")]
        person = people.get(fold_name(task.accountable)) if task.accountable else None
        if person:
            recipients += [Mailbox(task.accountable, a) for a in parse_addresses(person)]
        seen: set[str] = set()
        for box in recipients:
            if box.address.lower() in seen:
                continue
            seen.add(box.address.lower())
            messages.append(Outgoing("reminder", covers, task.lead, as_of, box, subject, body))
    return messages


def active_feed_links(store: Store) -> dict[str, str]:
    """Org key -> its stored feed link, for the feeds not revoked since the link was stored."""
    from actionplan.store import hash_token

    active = {h for h, _id in store.active_feed_hashes()}
    links = {}
    for org, url in store.settings_starting(FEED_PREFIX).items():
        token = url.rsplit("/", 1)[-1].removesuffix(".ics")
        if hash_token(token) in active:
            links[org] = url
    return links


def _lead_name(task: Task, org: Org | None) -> str:
    """``MPS, Ministry of Public Security``; in Vietnamese the agency's short name (``MPS, Bộ Công an``)."""
    from actionplan.digest.phrases import lead_phrase

    if org is not None and org.short_name and is_vietnamese():
        return f"{task.lead}, {one_line(org.short_name)}"
    return lead_phrase(task)


def fold_name(name: str) -> str:
    """A person's name as the address book keys it: case and spacing do not matter."""
    return " ".join(name.split()).casefold()


def _reminder_subject(task: Task, as_of: date) -> str:
    from actionplan.digest.phrases import day

    assert task.deadline is not None
    left = (task.deadline - as_of).days
    when = _("due today") if left == 0 else (_("due tomorrow") if left == 1 else _("due in {n} days").format(n=left))
    return _("Reminder") + f": {task.ref} {when} ({day(task.deadline)}) — {one_line(task.title)}"


def _reminder_body(task: Task, org: Org | None, as_of: date, feed: str) -> Callable[[], tuple[str, str | None]]:
    def render() -> tuple[str, str | None]:
        from actionplan.digest.phrases import day, days

        assert task.deadline is not None
        left = (task.deadline - as_of).days
        deadline = day(task.deadline)
        if task.deadline_text and one_line(task.deadline_text) != task.deadline.isoformat():
            deadline += f" ({one_line(task.deadline_text)})"
        lines = [
            _("This is a reminder of a deadline in the committee's action plan."),
            "",
            f"{task.ref}: {one_line(task.title)}",
            "",
            _("Deadline") + f": {deadline}",
            _("Days left") + f": {days(left) if left else _('due today')}",
            _("Lead") + f": {_lead_name(task, org)}",
            _("Accountable") + f": {one_line(task.accountable) or '-'}",
            _("Status") + f": {status_label(task.status)}, {task.progress}%",
        ]
        if task.output:
            lines.append(_("Expected output") + f": {one_line(task.output)}")
        if feed:
            lines += ["", _("Your agency's calendar of deadlines") + f": {feed}"]
        lines += ["", _("Sent by actionplan for") + f" {day(as_of)}."]
        return "\n".join(lines) + "\n", None

    return render
