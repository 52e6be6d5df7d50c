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
from typing import Any

from actionplan.core.i18n import _
from actionplan.core.query import TaskFilter
from actionplan.store import Store, ValidationError, hash_token

DEFAULT_BASE_URL = "http://127.0.0.1:8080"

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
            _("the base URL must look like https://calendar.example.org") + f' ("{base_url}")', "--base-url"
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
            _("no task names")
            + f' "{value}" '
            + _("as its accountable person; give the name as the tasks write it (see actionplan show)"),
            "--accountable",
        )
    return scope


def create_feed(
    store: Store, scope: FeedScope, *, base_url: str = DEFAULT_BASE_URL, label: str = "", reminder_events: bool = False
) -> NewFeed:
    """Store a new feed (only the token's hash) and return its URL, which is shown once."""
    base = normalise_base_url(base_url)
    token = new_token()
    options = {"reminder_events": True} if reminder_events else {}
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
