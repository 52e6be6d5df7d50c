"""Mail use cases: send the digests and the reminders that are due, once each; the send log; settings.

:func:`deliver` is where "exactly once" holds: what the send log already has is
not sent again, a message is recorded as soon as the server accepted it (so a run
killed half-way resends nothing it delivered), a refused recipient is reported and
tried again by the next run, and a server that cannot be reached stops the run
before anything is sent or recorded.  ``dry_run`` writes each message as an .eml
file instead and records nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from actionplan.core.i18n import _
from actionplan.mail.build import Mailbox, build_message, parse_addresses, parse_mailbox
from actionplan.mail.plan import (
    FEED_PREFIX,
    OFFICE_SETTING,
    PERSON_PREFIX,
    DigestMailOptions,
    DigestPlan,
    Outgoing,
    digest_messages,
    fold_name,
    reminder_messages,
)
from actionplan.mail.send import Connection, MailError, RecipientRefused, SmtpServer, parse_smtp_url

if TYPE_CHECKING:  # pragma: no cover - typing only
    from actionplan.store import Store

ENV_URL = "ACTIONPLAN_SMTP_URL"
ENV_PASSWORD = "ACTIONPLAN_SMTP_PASSWORD"
ENV_CA = "ACTIONPLAN_SMTP_CA"
ENV_FROM = "ACTIONPLAN_MAIL_FROM"
DRY_RUN_FROM = "actionplan <actionplan@localhost>"

__all__ = [
    "DigestMailOptions",
    "DigestPlan",
    "MailError",
    "MailResult",
    "deliver",
    "digest_messages",
    "reminder_messages",
    "server_from",
    "sender_from",
]


@dataclass
class Failure:
    message: Outgoing
    reason: str


@dataclass
class MailResult:
    """What a run did: sent (or written, in a dry run), already on record, failed."""

    sent: list[Outgoing] = field(default_factory=list)
    already: int = 0
    failed: list[Failure] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def server_from(url: str | None, cafile: str | None = None, env: Mapping[str, str] | None = None) -> SmtpServer:
    """The server from ``--smtp``/``--smtp-ca`` or the environment; the password from the environment only."""
    environ: Mapping[str, str] = os.environ if env is None else env
    return parse_smtp_url(
        url or environ.get(ENV_URL, ""),
        password=environ.get(ENV_PASSWORD, ""),
        cafile=cafile or environ.get(ENV_CA, ""),
    )


def sender_from(text: str | None, *, dry_run: bool, env: Mapping[str, str] | None = None) -> Mailbox:
    environ: Mapping[str, str] = os.environ if env is None else env
    value = text or environ.get(ENV_FROM, "")
    if not value:
        if dry_run:
            return parse_mailbox(DRY_RUN_FROM, "--from")
        raise MailError(_("no sender: give --from ADDRESS or set $ACTIONPLAN_MAIL_FROM"))
    return parse_mailbox(value, "--from")


def deliver(
    store: Store,
    messages: Sequence[Outgoing],
    *,
    sender: Mailbox,
    server: SmtpServer | None = None,
    dry_run: Path | None = None,
    clock: Callable[[], datetime] | None = None,
) -> MailResult:
    """Send (or, with *dry_run*, write) the messages the send log does not have yet."""
    clock = clock or store.clock
    result = MailResult()
    sent: dict[str, set[tuple[str, str]]] = {}
    due: list[Outgoing] = []
    for m in messages:
        if m.kind not in sent:
            sent[m.kind] = store.mail_sent(m.kind)
        if (m.address_key, m.covers) in sent[m.kind]:
            result.already += 1
        else:
            due.append(m)
    if not due:
        return result
    if dry_run is not None:
        _write_all(due, sender, dry_run, clock, result)
        return result
    if server is None:
        raise MailError(_("no mail server: give --smtp URL or set $ACTIONPLAN_SMTP_URL (e.g. smtp://localhost:25)"))
    with Connection(server) as connection:  # MailError here: nothing was sent, nothing recorded
        for i, m in enumerate(due):
            if not connection.open:
                result.failed += [Failure(o, _("not tried: the connection to the server was lost")) for o in due[i:]]
                break
            try:
                message = _build(m, sender, clock)
                connection.send(message, sender.address, m.to.address)
            except RecipientRefused as e:
                result.failed.append(Failure(m, str(e)))
                continue
            except MailError as e:
                result.failed.append(Failure(m, str(e)))
                continue
            store.record_mail(
                m.kind, m.address_key, m.covers, str(message["Message-ID"]), org=m.org, as_of=m.as_of, subject=m.subject
            )
            result.sent.append(m)
    return result


def _build(m: Outgoing, sender: Mailbox, clock: Callable[[], datetime]):
    text, html = m.body()
    return build_message(sender=sender, to=m.to, subject=m.subject, text=text, html=html, when=clock())


_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


def _write_all(due: Sequence[Outgoing], sender: Mailbox, folder: Path, clock, result: MailResult) -> None:
    from actionplan.services.output import write_bytes

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MailError(f"{folder}: " + _("cannot create the folder:") + f" {e.strerror or e}") from None
    width = len(str(len(due)))
    for n, m in enumerate(due, 1):
        try:
            message = _build(m, sender, clock)
        except MailError as e:
            result.failed.append(Failure(m, str(e)))
            continue
        name = f"{n:0{width}d}-{m.kind}-{m.org or 'office'}-{m.to.address}"
        path = folder / (_UNSAFE.sub("_", name)[:120] + ".eml")
        write_bytes(path, message.as_bytes())  # atomic, OutputError naming the file
        result.written.append(path)
        result.sent.append(m)


# --- settings -------------------------------------------------------------------------------------


def office_recipients(store: Store) -> list[str]:
    return parse_addresses(store.get_setting(OFFICE_SETTING) or "")


def set_office_recipients(store: Store, addresses: Sequence[str]) -> list[str]:
    """Who gets the whole digest; every address checked first, nothing stored if one is wrong."""
    found = [a for text in addresses for a in parse_addresses(text)]
    for a in found:
        parse_mailbox(a, _("office recipient"))
    if found:
        store.set_setting(OFFICE_SETTING, ", ".join(found))
    else:
        store.delete_setting(OFFICE_SETTING)
    return found


def person_addresses(store: Store) -> dict[str, str]:
    return store.settings_starting(PERSON_PREFIX)


def set_person_address(store: Store, name: str, address: str | None) -> None:
    """The address of an accountable person, as the tasks name them (None removes it)."""
    key = " ".join(name.split())
    if not key:
        raise MailError(_("the person's name is empty"))
    existing = {fold_name(k): k for k in person_addresses(store)}
    stored = existing.get(fold_name(key), key)
    if address is None:
        store.delete_setting(PERSON_PREFIX + stored)
        return
    box = parse_mailbox(address, _("address of") + f" {key}")
    if stored != key:
        store.delete_setting(PERSON_PREFIX + stored)
    store.set_setting(PERSON_PREFIX + key, box.address)


def feed_links(store: Store) -> dict[str, str]:
    return store.settings_starting(FEED_PREFIX)


def set_feed_link(store: Store, org: str, url: str | None) -> str:
    """The calendar feed link reminders to *org* show; it must be an active feed of that agency."""
    from actionplan.services.feeds import find_feed, token_from_name

    key = store.resolve_org(org, "ORG").key
    if url is None:
        store.delete_setting(FEED_PREFIX + key)
        return key
    link = url.strip()
    token = token_from_name(link.rsplit("/", 1)[-1]) if re.match(r"^(https?|webcal)://", link) else None
    feed = find_feed(store, token) if token else None
    if feed is None:
        raise MailError(f'"{link}": ' + _("not the URL of an active calendar feed (see `actionplan feeds list`)"))
    if feed.scope.kind != "org" or feed.scope.value != key:
        raise MailError(
            f'"{link}": ' + _("this feed is for") + f" {feed.scope.describe()}, " + _("not for") + f" {key}"
        )
    store.set_setting(FEED_PREFIX + key, link)
    return key
