"""iCal export: members import the deadlines that concern them into their calendars.

One all-day event per task deadline (a series for a recurring duty) with
DISPLAY alarms before it, optional heads-up events and to-dos; a UID per task
that survives edits, a SEQUENCE that rises with every change the events show
(ical_events.sequence), STATUS:CANCELLED for a cancelled task.  See docs/ical.md for the user's side.

Speed: each task's components (written by :mod:`actionplan.calendar.events`
with our own writer, icalendar's serialiser being too slow for 10,000 tasks)
are serialised once and kept in the store's ``ical_cache`` keyed
by (task id, options) and checked against the task's version and a stamp of
everything else that goes into them (plan title, org names, reminders).
An export reads the cached text, rebuilds only what is missing or stale and
concatenates it inside the calendar's header.  For that the
component text must not depend on the clock: DTSTAMP is the last change to
the task or to what else its events show (ical_events.last_change), which
RFC 5545 allows for METHOD:PUBLISH.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from actionplan.core import l10n
from actionplan.core.errors import IcalError
from actionplan.core.i18n import _, language
from actionplan.core.model import TaskStatus
from actionplan.core.query import TaskFilter, describe_filter
from actionplan.core.text import clean, key_sort

if TYPE_CHECKING:  # pragma: no cover - typing only
    from actionplan.calendar.side_process import SideProcess
    from actionplan.core.model import Org
    from actionplan.store import Store

DEFAULT_REMINDERS: tuple[str, ...] = ("P7D", "P1D")

DEFAULT_REMINDER_TIME = "09:00"
#: Every status but done: cancelled tasks go out as STATUS:CANCELLED so calendars drop them.
DEFAULT_STATUSES: tuple[str, ...] = (
    TaskStatus.NOT_STARTED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.BLOCKED,
    TaskStatus.CANCELLED,
)
PRODID = "-//actionplan//Action plan deadlines//EN"
REFRESH_HOURS = 12
MAX_OFFSET_DAYS = 999
#: Bump when the component text changes shape: every cached event is then rebuilt.
FORMAT_VERSION = "2"
#: Range the VTIMEZONE describes (nothing refers to it by TZID: every date is all-day).
ZONE_RANGE = (date(2000, 1, 1), date(2040, 1, 1))

_ISO_OFFSET = re.compile(r"-?P(?:(\d+)W)?(?:(\d+)D)?(?:T0+[HMS])?", re.IGNORECASE)
_SHORT_OFFSET = re.compile(r"(\d+)\s*(d|days?|w|weeks?)", re.IGNORECASE)
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


# --- reminders -----------------------------------------------------------------------------------


def parse_offset(text: str) -> int:
    """Days before the deadline from ``P7D``, ``P2W``, ``7d``, ``2w``, ``0d`` (on the day)."""
    raw = str(text).strip()
    days: int | None = None
    iso = _ISO_OFFSET.fullmatch(raw)
    if iso and (iso.group(1) or iso.group(2)):
        days = int(iso.group(1) or 0) * 7 + int(iso.group(2) or 0)
    short = _SHORT_OFFSET.fullmatch(raw)
    if short:
        days = int(short.group(1)) * (7 if short.group(2).lower().startswith("w") else 1)
    if days is None:
        raise IcalError(
            _('"{text}": a reminder is a number of days or weeks before the deadline, like 7d, 2w or P7D').format(
                text=raw
            )
        )
    if days > MAX_OFFSET_DAYS:
        raise IcalError(
            _('"{text}": a reminder can be at most {n} days before the deadline').format(text=raw, n=MAX_OFFSET_DAYS)
        )
    return days


def normalise_offsets(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Offsets as ``P<n>D``, in the order given, each once."""
    return tuple(dict.fromkeys(f"P{parse_offset(v)}D" for v in values))


def parse_offset_list(text: str) -> tuple[str, ...]:
    """A stored or typed list: "P7D,P1D", "7d 1d"; "none" means no reminders."""
    items = [v for v in re.split(r"[,\s]+", text or "") if v]
    if [v.lower() for v in items] == ["none"]:
        return ()
    return normalise_offsets(items)


def parse_reminder_time(text: str) -> time:
    """``HH:MM`` (24-hour) as a time."""
    match = _TIME.fullmatch(str(text).strip())
    if not match:
        raise IcalError(_('"{text}": the reminder time is HH:MM on a 24-hour clock, like 09:00').format(text=text))
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class IcalOptions:
    """What an export contains besides the tasks.

    ``reminders`` are offsets before the deadline (ISO 8601 durations in days
    or weeks; "7d", "2w" are accepted and normalised to ``P7D``, ``P14D``).
    They apply to every task when ``reminders_fixed`` is True (an export's
    ``--remind``/``--no-alarms``).  When False, a plan's own reminders win,
    else the database setting ``reminders``, else these.  None (the default)
    means "fixed when they differ from the default (P7D, P1D)", so
    ``IcalOptions()`` follows the settings and ``IcalOptions(reminders=("P3D",))``
    is used as given.  Raises IcalError for a bad offset or time.
    """

    reminders: tuple[str, ...] = DEFAULT_REMINDERS
    reminder_time: str = DEFAULT_REMINDER_TIME
    reminder_events: bool = False
    todo: bool = False
    reminders_fixed: bool | None = None

    def __post_init__(self) -> None:
        if isinstance(self.reminders, str):
            object.__setattr__(self, "reminders", parse_offset_list(self.reminders))
        else:
            object.__setattr__(self, "reminders", normalise_offsets(tuple(self.reminders)))
        at = parse_reminder_time(self.reminder_time)
        object.__setattr__(self, "reminder_time", f"{at.hour:02d}:{at.minute:02d}")

    @property
    def fixed(self) -> bool:
        """Whether these reminders override the plan and database settings."""
        if self.reminders_fixed is not None:
            return self.reminders_fixed
        return self.reminders != DEFAULT_REMINDERS

    def cache_key(self) -> str:
        """A stable string naming these options (for store.cached_events/store_events)."""
        return (
            f"r={','.join(self.reminders) or 'none'};fixed={int(self.fixed)};at={self.reminder_time};"
            f"ev={int(self.reminder_events)};todo={int(self.todo)}"
        )


def reminder_offsets(store: Store, options: IcalOptions, plan: str) -> tuple[str, ...]:
    """The offsets for tasks of *plan*: the export's if fixed, else the plan's, the database's, the options'."""
    if options.fixed:
        return options.reminders
    own = store.plan_reminders(plan)
    if own.strip():
        try:
            return parse_offset_list(own)
        except IcalError as e:
            raise IcalError(_("reminders of plan {plan}: {error}").format(plan=plan, error=e)) from None
    setting = store.get_setting("reminders") or ""
    if setting.strip():
        try:
            return parse_offset_list(setting)
        except IcalError as e:
            raise IcalError(_("database setting reminders: {error}").format(error=e)) from None
    return options.reminders


# --- selection and naming -------------------------------------------------------------------------


def with_default_statuses(f: TaskFilter) -> TaskFilter:
    """*f*, and when it names no status: every task but the done ones (see DEFAULT_STATUSES)."""
    if f.statuses or f.open_only or f.closed_only:
        return f
    return replace(f, statuses=[str(s) for s in DEFAULT_STATUSES])


def calendar_name(store: Store, f: TaskFilter) -> str:
    """The calendar's name from the filter: "<plan title> — <org name>"."""
    parts: list[str] = []
    plans = list(dict.fromkeys(f.plans))
    if len(plans) == 1:
        parts.append(store.get_plan(plans[0]).title)
    elif plans:
        parts.append(", ".join(plans))
    else:
        parts.append(_("Action plan deadlines"))
    orgs: list[str] = []
    for term in f.involving + f.leads + f.coordinating:
        found = store.find_orgs(term)
        orgs += (
            [l10n.org_name(o.key, o.short_name, o.name) if l10n.is_vietnamese() else o.name for o in found]
            if found
            else [term]
        )
    if orgs:
        parts.append(", ".join(dict.fromkeys(orgs)))
    if f.accountable:
        parts.append(f.accountable)
    return clean(" — ".join(parts))


def fixed_offset(zone: str) -> tuple[timedelta, str | None] | None:
    """The one UTC offset (and its name) of *zone* over ZONE_RANGE; None if it keeps daylight saving."""
    from actionplan.core.dates import get_zone

    info = get_zone(zone)
    first, last = ZONE_RANGE
    moments = [datetime(y, m, 1, tzinfo=info) for y in range(first.year, last.year + 1) for m in (1, 4, 7, 10)]
    offsets = {(d.utcoffset() or timedelta(0), d.tzname()) for d in moments}  # aware: always an offset
    return next(iter(offsets)) if len(offsets) == 1 else None


@lru_cache(maxsize=8)
def _zone_text(zone: str) -> str:
    """The VTIMEZONE of *zone* over ZONE_RANGE (once per process).

    A zone without daylight saving, like the committee's Asia/Ho_Chi_Minh, is one STANDARD
    part, written here; a zone with it is left to icalendar's ``Timezone.from_tzinfo``
    (30 ms, and the import of icalendar: only then).
    """
    from actionplan.calendar import text as ical_text

    first, last = ZONE_RANGE
    fixed = fixed_offset(zone)
    if fixed is None:
        from icalendar import Timezone

        from actionplan.core.dates import get_zone

        return Timezone.from_tzinfo(get_zone(zone), zone, first, last).to_ical().decode("utf-8")
    offset, tzname = fixed
    text = ical_text.escape_text
    return "".join(
        [
            "BEGIN:VTIMEZONE\r\n",
            ical_text.line("TZID", text(zone)),
            ical_text.line("COMMENT", text(f"This timezone only works from {first} to {last}.")),
            "BEGIN:STANDARD\r\n",
            ical_text.line("DTSTART", f"{first.year:04}{first.month:02}{first.day:02}T000000"),
            ical_text.line("TZNAME", text(tzname or str(offset))),
            ical_text.line("TZOFFSETFROM", ical_text.utc_offset_value(offset)),
            ical_text.line("TZOFFSETTO", ical_text.utc_offset_value(offset)),
            "END:STANDARD\r\nEND:VTIMEZONE\r\n",
        ]
    )


def calendar_frame(name: str, zone: str, caption: str = "") -> tuple[str, str]:
    """Header and footer of the calendar, as icalendar writes them (tests/ical_reference.py)."""
    from actionplan.calendar import text as ical_text

    text = ical_text.escape_text
    header = [
        "BEGIN:VCALENDAR\r\n",
        "VERSION:2.0\r\n",
        ical_text.line("PRODID", text(PRODID)),
        "CALSCALE:GREGORIAN\r\n",
        "METHOD:PUBLISH\r\n",
    ]
    if caption:
        header.append(ical_text.line("X-WR-CALDESC", text(clean(caption))))
    header += [
        ical_text.line("NAME", text(clean(name))),
        ical_text.line("X-WR-CALNAME", text(clean(name))),
        "REFRESH-INTERVAL;VALUE=DURATION:" + ical_text.duration_value(timedelta(hours=REFRESH_HOURS)) + "\r\n",
        ical_text.line("X-PUBLISHED-TTL", f"PT{REFRESH_HOURS}H"),
        ical_text.line("X-WR-TIMEZONE", text(zone)),
    ]
    return "".join(header) + _zone_text(zone), "END:VCALENDAR\r\n"


# --- the export -----------------------------------------------------------------------------------

#: A file or feed past this size is more than Google Calendar reads (about 1,000 events): the export warns.
SIZE_WARNING_BYTES = 1_000_000
#: Tasks read, rebuilt and written per step of a streaming export.
CHUNK = 500
#: A cold export of at least this many tasks has a side process (on another core) build some of
#: them; for fewer, sending them costs more than it saves.
SIDE_MIN_TASKS = 2000
#: Chunks the side process reads and builds for each one this process builds (one for one
#: measured fastest on two cores, with the cache thread on them too).
SIDE_SHARE = 1
#: An address we can put after ``mailto:`` as it is.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
CLASSES = ("PUBLIC", "PRIVATE", "CONFIDENTIAL")


@dataclass
class CalendarExport:
    """The calendar text (when kept) and what went into it."""

    text: str = ""
    tasks: int = 0
    without_date: int = 0
    rebuilt: int = 0
    built_aside: int = 0  # of the rebuilt, those the side process built
    size: int = 0  # octets (UTF-8) written
    refs: list[str] = field(default_factory=list)

    @property
    def too_big(self) -> bool:
        """Whether the calendar passed SIZE_WARNING_BYTES (Google Calendar stops reading about there)."""
        return self.size > SIZE_WARNING_BYTES


def size_advice(size: int, *, feed: bool = False) -> str:
    """The warning for a calendar of *size* octets, and how to narrow it."""
    words = _("warning: the calendar is {size} MB; Google Calendar reads about 1 MB (some 1,000 events)").format(
        size=f"{size / 1_000_000:.1f}"
    )
    if feed:
        return (
            words
            + "; "
            + _(
                "give feeds a narrower window: actionplan calendar-settings --feed-back 1m --feed-ahead 12m, or a new feed"
            )
            + " (feeds add ... --back 1m --ahead 12m)"
        )
    return words + "; " + _("narrow it with --from/--to, --org or --plan")


def store_cache_key(store: Store, options: IcalOptions) -> str:
    """The ``options`` string under which the store keeps this export's events."""
    return f"ical|{options.cache_key()}|db={store.db_id}|lang={language()}"


def _resolved_filter(f: TaskFilter) -> tuple[TaskFilter, bool]:
    """*f*, and whether the default selection applies (no status named: see :func:`with_default_statuses`)."""
    if f.statuses or f.open_only or f.closed_only:
        return f, False
    return f, True


def write_calendar(
    store: Store,
    f: TaskFilter,
    options: IcalOptions,
    write: Callable[[str], object],
    *,
    now: datetime,
    name: str | None = None,
    today: date | None = None,
    window: tuple[date | None, date | None] = (None, None),
    keep_refs: bool = False,
    select_window: bool = False,
    binary: bool = False,
    side: SideProcess | None = None,
) -> CalendarExport:
    """Write the calendar for the tasks selected by *f* through *write*, CHUNK tasks at a time.

    With no status in *f*: every task but the done ones, and the done recurring duties (their
    finished periods stay visible).  Tasks are in plan and key order; tasks without a deadline
    (or, for a recurring duty, a start) have no event.  *now* is the moment of publication
    (DTSTAMP); *today* (default: *now* in the committee's zone) is the day lateness and date
    filters are judged on.  *window* bounds the past periods and RDATEs of recurring duties;
    with *select_window* (a feed's) it also selects the tasks due within it, and the open ones
    due before it (they are late).  The same data, *now*, *today* and *window* give the same bytes.
    With *binary*, *write* takes the UTF-8 bytes (encoded once, for the file and for the size).
    *side* (from :func:`actionplan.calendar.side_builder.start`, forked before the database was
    opened) reads and builds some of the events of a big cold export on another core: the same
    bytes; the caller closes it.
    """
    from actionplan.calendar.events import stamp_events
    from actionplan.core.dates import today_in

    f, default = _resolved_filter(f)
    today = today or today_in(store.timezone, now)
    order = lru_cache(maxsize=None)(key_sort)  # keys repeat across plans ("1.1")
    rows = store.task_versions(
        f,
        today=today,
        default_statuses=[str(s) for s in DEFAULT_STATUSES] if default else None,
        window=window if select_window else None,
    )
    rows.sort(key=lambda r: (r[2], order(r[3])))
    contexts, stamps = _contexts(store, options, {r[2] for r in rows}, now, today, window)
    key = store_cache_key(store, options)
    span = f"{window[0]}~{window[1]}"
    header, footer = calendar_frame(name or calendar_name(store, f), store.timezone, describe_filter(f))
    result = CalendarExport(tasks=len(rows))
    result.size = _put(write, header.encode("utf-8"), binary)
    cache = store.event_cache_writer(key)  # keeps the rebuilt events while the export goes on
    if side is not None and (len(rows) < SIDE_MIN_TASKS or not store.readable_elsewhere()):
        side = None  # a small export gains nothing; uncommitted or in-memory data it cannot read
    built = _built_chunks(store, rows, stamps, today, span, contexts, key, result, cache.add, side)
    try:
        for chunk, bodies in built:
            data = stamp_events(b"".join([bodies.get(r[0], b"") for r in chunk]), now)
            result.without_date += sum(1 for r in chunk if not bodies.get(r[0]))
            result.size += _put(write, data, binary)
            if keep_refs:
                result.refs += [f"{r[2]}/{r[3]}" for r in chunk]
        result.size += _put(write, footer.encode("utf-8"), binary)
    finally:
        built.close()
        cache.close()
    return result


def _put(write: Callable[[Any], object], data: bytes, binary: bool = False) -> int:
    """Write the UTF-8 *data* (as text unless *binary*); its size in octets."""
    write(data if binary else data.decode("utf-8"))
    return len(data)


def _prefix(stamp: str, row: tuple, today: date, span: str) -> bytes:
    """What a cached text must start with to be current: its plan's stamp, and for an event whose
    text depends on the day (a late task) or the window (a recurring duty), those too."""
    late, recurring = row[4], row[5]
    if not late and not recurring:
        return stamp.encode("ascii") + b"\n"
    return f"{stamp}|{today.isoformat() if late else ''}|{span if recurring else ''}\n".encode("ascii")


def _from_cache(store: Store, chunk, prefixes, key: str) -> tuple[dict[int, bytes], list[int]]:
    """The component texts (UTF-8) of one chunk of tasks the cache holds, and the tasks to rebuild."""
    cached = store.cached_events([r[0] for r in chunk], key)
    bodies: dict[int, bytes] = {}
    stale: list[int] = []
    for row in chunk:
        task_id, version = row[0], row[1]
        hit = cached.get(task_id)
        prefix = prefixes[task_id]
        if hit is not None and hit[0] == version and hit[1].startswith(prefix):
            bodies[task_id] = hit[1][len(prefix) :]
        else:
            stale.append(task_id)
    return bodies, stale


def _built_chunks(store: Store, rows, stamps, today: date, span: str, contexts, key: str, result, keep, side):
    """(chunk of rows, component texts by task id) for each CHUNK rows in order, the stale events
    rebuilt (here, or some of them in the side process *side*) and handed to *keep* for the cache."""
    chunks = (rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK))
    if side is None:
        for chunk in chunks:
            prefixes = {r[0]: _prefix(stamps[r[2]], r, today, span) for r in chunk}
            bodies, stale = _from_cache(store, chunk, prefixes, key)
            if stale:
                result.rebuilt += len(stale)
                keep(_built(store.tasks_for_events(stale), stale, contexts, prefixes, bodies))
            yield chunk, bodies
        return

    # In groups of SIDE_SHARE + 1 chunks: the side process reads and builds the first SIDE_SHARE
    # while this one builds the last, so both stay busy.
    def prepare(group):
        entries, aside, aside_prefixes = [], [], {}
        for n, chunk in enumerate(group):
            prefixes = {r[0]: _prefix(stamps[r[2]], r, today, span) for r in chunk}
            bodies, stale = _from_cache(store, chunk, prefixes, key)
            result.rebuilt += len(stale)
            here = n == len(group) - 1
            entries.append((chunk, prefixes, bodies, stale if here else []))
            if not here:
                aside += stale
                aside_prefixes.update((task_id, prefixes[task_id]) for task_id in stale)
        return entries, aside, aside_prefixes

    setup: tuple | None = (str(store.path), language(), contexts)  # what actionplan.calendar.side_builder needs to know
    groups = _groups(chunks, SIDE_SHARE + 1)
    current = prepare(next(groups, []))
    sent = bool(current[1]) and side.submit((setup, current[1]))
    while current[0]:
        entries, aside, aside_prefixes = current
        for _chunk, prefixes, bodies, stale in entries:
            if stale:
                keep(_built(store.tasks_for_events(stale), stale, contexts, prefixes, bodies))
        following = prepare(next(groups, []))  # read the cache while the side process still builds
        if aside:
            ok, built = side.receive() if sent else (False, None)
            if ok and built is not None:
                result.built_aside += len(aside)
                keep(_placed(built, aside_prefixes, entries))
            else:  # the side process could not: build them here
                merged: dict[int, bytes] = {}
                keep(_built(store.tasks_for_events(aside), aside, contexts, aside_prefixes, merged))
                for _chunk, _prefixes, bodies, _stale in entries:
                    bodies.update((r[0], merged[r[0]]) for r in _chunk if r[0] in merged)
            setup = None if ok else setup  # told once per export (again after a failure)
        for chunk, _prefixes, bodies, _stale in entries:
            yield chunk, bodies
        current = following
        sent = bool(current[1]) and side.submit((setup, current[1]))


def _groups(chunks, size: int):
    group = []
    for chunk in chunks:
        group.append(chunk)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def _placed(built: list[tuple[int, bytes, int | None]], prefixes, entries) -> list[tuple[int, int, bytes]]:
    """Put what the side process built into the chunks' texts; what the cache should keep."""
    texts = {task_id: data for task_id, data, _version in built}
    for chunk, _prefixes, bodies, _stale in entries:
        bodies.update((r[0], texts[r[0]]) for r in chunk if r[0] in texts)
    return [(task_id, version, prefixes[task_id] + data) for task_id, data, version in built if version is not None]


def _components(tasks, stale: list[int], contexts) -> list[tuple[int, bytes, int | None]]:
    """(task id, UTF-8 components, version to cache them under or None) of the stale tasks."""
    from actionplan.calendar.events import task_components

    built = []
    for task_id in stale:
        task = tasks.get(task_id)
        if task is None or task.plan not in contexts:  # deleted or moved meanwhile
            continue
        try:
            text = task_components(task, contexts[task.plan])
        except (OverflowError, ValueError) as e:  # a date the calendar cannot hold: this task only
            import logging  # only then (its import is a share of a small export's start-up)

            # one line per task left out of a calendar (a date it cannot hold), naming the task
            logging.getLogger(__name__).warning("%s: no calendar event (%s); run actionplan check", task.ref, e)
            continue
        # otherwise LAST-MODIFIED came from the clock: not kept
        built.append((task_id, text.encode("utf-8"), task.version if task.updated_at else None))
    return built


def _built(tasks, stale: list[int], contexts, prefixes, bodies: dict[int, bytes]) -> list[tuple[int, int, bytes]]:
    """Build the components of the stale tasks into *bodies*; return what the cache should keep."""
    keep = []
    for task_id, data, version in _components(tasks, stale, contexts):
        bodies[task_id] = data
        if version is not None:
            keep.append((task_id, version, prefixes[task_id] + data))
    return keep


def build_calendar(
    store: Store,
    f: TaskFilter,
    options: IcalOptions,
    *,
    now: datetime,
    name: str | None = None,
    today: date | None = None,
    window: tuple[date | None, date | None] = (None, None),
    select_window: bool = False,
    side: SideProcess | None = None,
) -> CalendarExport:
    """:func:`write_calendar` into a string (``.text``), with the refs of the tasks selected."""
    parts: list[str] = []
    result = write_calendar(
        store,
        f,
        options,
        parts.append,
        now=now,
        name=name,
        today=today,
        window=window,
        keep_refs=True,
        select_window=select_window,
        side=side,
    )
    result.text = "".join(parts)
    return result


def export_calendar(
    store: Store,
    f: TaskFilter,
    options: IcalOptions,
    *,
    now: datetime,
    name: str | None = None,
    today: date | None = None,
    window: tuple[date | None, date | None] = (None, None),
) -> str:
    """The whole VCALENDAR text for the tasks selected by *f* (see :func:`write_calendar`).

    When *f* names no status, every task but the done ones is exported
    (cancelled ones as STATUS:CANCELLED), with the done recurring duties' finished periods.
    *now* stands in for the clock; *today* (default: *now* in the committee's zone) judges
    lateness and date filters such as overdue.  *name* overrides :func:`calendar_name`.
    """
    return build_calendar(store, f, options, now=now, name=name, today=today, window=window).text


def valid_email(text: str) -> bool:
    """Whether *text* can follow ``mailto:`` as it is."""
    return bool(_EMAIL.fullmatch(text))


def organizer_addresses(store: Store) -> dict[str, tuple[str, str]]:
    """ORGANIZER by org key: the org's own email, else its nearest parent's that has one, else
    the database setting ``organizer`` (the committee office's address); orgs without any are left out."""
    orgs = {o.key: o for o in store.list_orgs()}
    fallback = (store.get_setting("organizer") or "").strip()
    found: dict[str, tuple[str, str]] = {}
    for key, org in orgs.items():
        seen: set[str] = set()
        current: Org | None = org
        email = ""
        while current is not None and current.key not in seen:
            seen.add(current.key)
            candidate = (current.email or "").strip()
            if _EMAIL.fullmatch(candidate):
                email = candidate
                break
            current = orgs.get(current.parent) if current.parent else None
        email = email or (fallback if _EMAIL.fullmatch(fallback) else "")
        if email:
            found[key] = (clean(org.name or key), email)
    return found


def event_class(store: Store) -> str:
    """CLASS of every event: the database setting ``ical_class`` (PUBLIC, PRIVATE, CONFIDENTIAL), else PUBLIC."""
    value = (store.get_setting("ical_class") or "PUBLIC").strip().upper()
    if value not in CLASSES:
        raise IcalError(
            _("database setting") + f' ical_class: "{value}" ' + _("must be PUBLIC, PRIVATE or CONFIDENTIAL")
        )
    return value


def _contexts(
    store: Store,
    options: IcalOptions,
    plans: set[str],
    now: datetime,
    today: date | None = None,
    window: tuple[date | None, date | None] = (None, None),
):
    """EventContext and cache stamp per plan (the contexts write DTSTAMP as a placeholder)."""
    from actionplan.calendar.events import EventContext

    org_names = {
        o.key: l10n.org_name(o.key, o.short_name, o.name) if l10n.is_vietnamese() else o.name for o in store.list_orgs()
    }
    organizers = organizer_addresses(store)
    classification = event_class(store)
    orgs_blob = "\x1f".join(f"{k}={v}" for k, v in sorted(org_names.items()))
    orgs_blob += "\x1f" + "\x1f".join(f"{k}={v}" for k, v in sorted(organizers.items())) + classification
    at = parse_reminder_time(options.reminder_time)
    contexts, stamps = {}, {}
    known = {p.key: p for p in store.list_plans()} if plans else {}
    plan_revisions, shared_revision, shared_at = store.event_revisions()
    for key in sorted(plans):
        plan = known.get(key)
        offsets = reminder_offsets(store, options, key)
        plan_version, plan_at = plan_revisions.get(key, (0, None))
        revised = [_utc(t) for t in (plan_at, shared_at) if t]
        contexts[key] = EventContext(
            db_id=store.db_id,
            plan_title=plan.title if plan else "",
            plan_reference=plan.reference if plan else "",
            org_names=org_names,
            reminder_days=tuple(parse_offset(o) for o in offsets),
            reminder_time=at,
            reminder_events=options.reminder_events,
            todo=options.todo,
            fallback_stamp=now,
            revision=plan_version + shared_revision,
            revised_at=max(revised) if revised else None,
            organizers=organizers,
            classification=classification,
            today=today,
            window=window,
            zone=store.timezone,
        )
        blob = "\x1e".join(
            [
                FORMAT_VERSION,
                store.db_id,
                key,
                contexts[key].plan_title,
                contexts[key].plan_reference,
                ",".join(offsets),
                orgs_blob,
                store.timezone,
                str(contexts[key].revision),
                str(contexts[key].revised_at),
            ]
        )
        stamps[key] = hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]
    return contexts, stamps


def _utc(text: str) -> datetime:
    """A stored time (ISO 8601, UTC when it names no zone) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
