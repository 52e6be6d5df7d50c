"""Calendar subscription feeds: tokens and scopes.

A member subscribes once to ``https://host/feeds/<token>.ics`` and their
calendar then polls it.  The token is random (``secrets.token_urlsafe(32)``),
shown once when the feed is created, and only its SHA-256 is stored.  Each
feed is scoped to one org (tasks it leads or coordinates), one plan, or one
accountable person.

This module is the feeds' domain side: create, list and find feeds (revoking
is ``store.revoke_feed``), what each one shows, and what a token looks like.
The HTTP app that serves them is :mod:`actionplan.calendar.feed_server`.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from actionplan.core.i18n import _, pgettext
from actionplan.core.query import TaskFilter
from actionplan.store import Store, ValidationError, hash_token

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
#: A feed shows deadlines from this long before today to this long after (open tasks due earlier
#: too: they are late).  Google Calendar reads about 1 MB of a feed; a window keeps a feed under it.
DEFAULT_WINDOW = ("3m", "18m")
WINDOW_SETTING = "feed_window"
_SPAN = re.compile(r"([0-9]{1,4})\s*([dwmy])", re.IGNORECASE)

#: A token as ``secrets.token_urlsafe`` writes it (32 bytes -> 43 characters).
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")


# --- feeds and their scopes --------------------------------------------------------------------


@dataclass(frozen=True)
class FeedScope:
    """What a feed shows: one org's tasks (led or coordinated), one plan, or one accountable person."""

    kind: str
    value: str

    def task_filter(self) -> TaskFilter:
        if self.kind == "org":
            return TaskFilter(involving=[self.value])
        if self.kind == "plan":
            return TaskFilter(plans=[self.value])
        return TaskFilter(accountable=self.value, accountable_exact=True)  # that person, nobody else

    def describe(self) -> str:
        """``org MPS``, ``plan cyber-2026``, ``accountable <name>`` in the current language."""
        if self.kind == "org":
            return pgettext("feed scope", "org {value}").format(value=self.value)
        if self.kind == "plan":
            return pgettext("feed scope", "plan {value}").format(value=self.value)
        if self.kind == "accountable":
            return pgettext("feed scope", "accountable {value}").format(value=self.value)
        return f"{self.kind} {self.value}"


@dataclass(frozen=True)
class Feed:
    """One subscription, as stored (without its token, which is never kept)."""

    id: int
    scope: FeedScope
    label: str = ""
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    options_text: str = "{}"
    created_at: str = ""
    created_by: str = ""
    revoked_at: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Feed:
        text = row.get("options") or "{}"
        return cls(
            id=int(row["id"]),
            scope=FeedScope(row["scope_kind"], row["scope_value"]),
            label=row.get("label") or "",
            options=json.loads(text),
            options_text=text,
            created_at=row.get("created_at") or "",
            created_by=row.get("created_by") or "",
            revoked_at=row.get("revoked_at"),
        )

    @property
    def reminder_events(self) -> bool:
        return bool(self.options.get("reminder_events"))

    @property
    def window(self) -> tuple[str, str] | None:
        """The feed's own window (back, ahead), or None to follow the database's."""
        back, ahead = self.options.get("window_back"), self.options.get("window_ahead")
        return (str(back), str(ahead)) if back and ahead else None


# --- the window of dates a feed shows ------------------------------------------------------------


def parse_span(text: str, where: str = "--back") -> str:
    """A span like ``3m``, ``18m``, ``90d``, ``2w``, ``1y`` (normalised, lower case) or ``all``."""
    raw = str(text).strip().lower()
    if raw in ("all", "none", "0"):
        return "all"
    if not _SPAN.fullmatch(raw):
        raise ValidationError(
            _("a span is a number of days, weeks, months or years, like 90d, 3m or 2y") + f' ("{text}")', where
        )
    return raw.replace(" ", "")


def shift(day: date, span: str, sign: int) -> date | None:
    """*day* moved *span* (``3m``) back (sign -1) or ahead (+1); None for ``all``."""
    from dateutil.relativedelta import relativedelta

    match = _SPAN.fullmatch(span)
    if match is None:
        return None
    n, unit = int(match[1]) * sign, match[2].lower()
    delta = {"d": relativedelta(days=n), "w": relativedelta(weeks=n), "m": relativedelta(months=n)}.get(
        unit, relativedelta(years=n)
    )
    try:
        return day + delta
    except (OverflowError, ValueError):
        return None


def window_spans(store: Store, feed: Feed | None = None) -> tuple[str, str]:
    """(back, ahead) of *feed*: its own, else the database setting ``feed_window``, else DEFAULT_WINDOW."""
    if feed is not None and feed.window:
        return feed.window
    setting = (store.get_setting(WINDOW_SETTING) or "").split(",")
    if len(setting) == 2:
        try:
            return parse_span(setting[0]), parse_span(setting[1], "--ahead")
        except ValidationError as e:
            raise ValidationError(_("database setting") + f" {WINDOW_SETTING}: {e}", WINDOW_SETTING) from None
    return DEFAULT_WINDOW


def feed_window(store: Store, feed: Feed | None, today: date) -> tuple[date | None, date | None]:
    """The dates *feed* shows as of *today* (None: no bound on that side)."""
    back, ahead = window_spans(store, feed)
    return shift(today, back, -1), shift(today, ahead, 1)


def set_default_window(store: Store, back: str, ahead: str) -> tuple[str, str]:
    """Set the database's default feed window (what feeds without their own show)."""
    spans = parse_span(back), parse_span(ahead, "--ahead")
    store.set_setting(WINDOW_SETTING, ",".join(spans))
    return spans


@dataclass(frozen=True)
class NewFeed:
    """A feed just created: the only moment its token (and so its URL) exists in clear."""

    id: int
    scope: FeedScope
    token: str
    url: str

    @property
    def webcal_url(self) -> str:
        return webcal_url(self.url)


def new_token() -> str:
    """An unguessable feed token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def normalise_base_url(base_url: str) -> str:
    """``https://cal.example.gov.vn/`` -> ``https://cal.example.gov.vn``; refuses anything but http(s)."""
    base = base_url.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base):
        raise ValidationError(
            _('the base URL must look like https://calendar.example.org ("{url}")').format(url=base_url), "--base-url"
        )
    return base


def feed_url(base_url: str, token: str) -> str:
    return f"{normalise_base_url(base_url)}/feeds/{token}.ics"


def webcal_url(url: str) -> str:
    """The same feed for Apple Calendar (``webcal://`` opens the subscribe dialog)."""
    return re.sub(r"^https?://", "webcal://", url)


def resolve_scope(
    store: Store, *, org: str | None = None, plan: str | None = None, accountable: str | None = None
) -> FeedScope:
    """Exactly one of org, plan, accountable, checked against the store."""
    given = [(k, v) for k, v in (("org", org), ("plan", plan), ("accountable", accountable)) if v is not None]
    if len(given) != 1:
        raise ValidationError(_("give exactly one of --org, --plan, --accountable"), "scope")
    kind, value = given[0]
    value = value.strip()
    if kind == "org":
        return FeedScope("org", store.resolve_org(value, "--org").key)
    if kind == "plan":
        return FeedScope("plan", store.get_plan(value).key)
    if not value:
        raise ValidationError(_("the accountable person's name is empty"), "--accountable")
    scope = FeedScope("accountable", value)
    if not store.count_tasks(scope.task_filter()):
        raise ValidationError(
            _(
                'no task names "{name}" as its accountable person; give the name as the tasks write it '
                "(see actionplan show)"
            ).format(name=value),
            "--accountable",
        )
    return scope


def create_feed(
    store: Store,
    scope: FeedScope,
    *,
    base_url: str = DEFAULT_BASE_URL,
    label: str = "",
    reminder_events: bool = False,
    window: tuple[str, str] | None = None,
) -> NewFeed:
    """Store a new feed (only the token's hash) and return its URL, which is shown once.

    *window* (back, ahead), e.g. ("3m", "12m"): the feed's own window instead of the database's.
    """
    base = normalise_base_url(base_url)
    token = new_token()
    options: dict[str, Any] = {"reminder_events": True} if reminder_events else {}
    if window is not None:
        options["window_back"], options["window_ahead"] = parse_span(window[0]), parse_span(window[1], "--ahead")
    feed_id = store.add_feed(token, scope.kind, scope.value, label, options)
    return NewFeed(feed_id, scope, token, feed_url(base, token))


def list_feeds(store: Store, include_revoked: bool = False) -> list[Feed]:
    return [Feed.from_row(r) for r in store.list_feeds(include_revoked)]


def find_feed(store: Store, token: str) -> Feed | None:
    """The active feed whose token this is, compared in constant time against every stored hash."""
    presented = hash_token(token)
    match: str | None = None
    for stored, _feed_id in store.active_feed_hashes():
        if hmac.compare_digest(stored, presented):  # no early exit: time does not depend on position
            match = stored
    if match is None:
        return None
    row = store.feed_by_hash(match)
    return Feed.from_row(row) if row else None


def token_from_name(name: str) -> str | None:
    """``<token>.ics`` -> token, or None for anything else (``..``, slashes, non-ASCII, too long)."""
    if len(name) > 110 or not name.endswith(".ics"):
        return None
    token = name[:-4]
    return token if TOKEN_RE.fullmatch(token) else None
