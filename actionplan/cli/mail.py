"""Mail commands: digests per agency and deadline reminders by email, once each; the send log; settings.

smtplib, email and the digest renderers are imported inside the commands (through
actionplan.services.mail), so other commands do not pay for them.
"""

from __future__ import annotations

from pathlib import Path

import click

from actionplan.cli.support import Context, _handle, format_table, pass_ctx, today_for
from actionplan.core.i18n import _

_SERVER_OPTIONS = [
    click.option(
        "--smtp",
        "smtp_url",
        metavar="URL",
        help="Mail server: smtp://host:25, smtp://host:587?starttls=1, smtps://host:465 (default: $ACTIONPLAN_SMTP_URL). The password comes from $ACTIONPLAN_SMTP_PASSWORD only.",
    ),
    click.option(
        "--smtp-ca",
        "smtp_ca",
        metavar="FILE",
        help="Trust the server's certificate from this CA file (default: $ACTIONPLAN_SMTP_CA, else the system's).",
    ),
    click.option(
        "--from",
        "sender",
        metavar="ADDRESS",
        help='Sender, e.g. "Committee Office <office@example.gov.vn>" (default: $ACTIONPLAN_MAIL_FROM).',
    ),
    click.option(
        "--dry-run",
        "dry_run",
        metavar="DIR",
        help="Write each message as an .eml file in DIR; send and record nothing.",
    ),
]


def _server_options(fn):
    for option in reversed(_SERVER_OPTIONS):
        fn = option(fn)
    return fn


@click.group(name="mail")
def mail_group() -> None:
    """Digests and deadline reminders by email, each sent once.

    \b
    Examples:
      actionplan mail digests --since-last --smtp smtp://mail.example.gov.vn:587?starttls=1
      actionplan mail reminders
      actionplan mail digests --dry-run out/    # write .eml files, send nothing
      actionplan mail log
    """


def _run(ctx: Context, messages, smtp_url, smtp_ca, sender, dry_run) -> None:
    """Deliver, report per recipient, exit non-zero when any failed."""
    from actionplan.services.mail import deliver, sender_from, server_from

    store = ctx.store
    from_box = sender_from(sender, dry_run=dry_run is not None)
    server = None if dry_run is not None else server_from(smtp_url, smtp_ca)
    result = deliver(store, messages, sender=from_box, server=server, dry_run=Path(dry_run) if dry_run else None)
    for m in result.sent:
        verb = _("written") if dry_run else _("sent")
        click.echo(f"{verb}: {m.kind} {m.org or _('(whole digest)')} -> {m.to.address}")
    if result.written:
        click.echo(_("{n} message(s) written to").format(n=len(result.written)) + f" {dry_run}", err=True)
    elif not dry_run:
        click.echo(_("{n} message(s) sent").format(n=len(result.sent)), err=True)
    if result.already:
        click.echo(_("{n} already sent before, not sent again").format(n=result.already), err=True)
    for f in result.failed:
        click.echo(_("failed") + f": {f.message.kind} {f.message.org or _('(whole digest)')} -> {f.reason}", err=True)
    if result.failed:
        raise click.ClickException(
            _("{n} message(s) not delivered; the next run tries them again").format(n=len(result.failed))
        )


@mail_group.command()
@click.option("--as-of", metavar="DATE", help="Digest as of DATE (default today).")
@click.option(
    "--org", "orgs", multiple=True, metavar="KEY", help="Only this agency (repeatable); no whole digest then."
)
@click.option("--since-last", is_flag=True, help="Changes since the previous digest mailed to each agency.")
@click.option("--always", is_flag=True, help="Send also to agencies with nothing to report.")
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="ADDRESS",
    help="Who gets the whole digest (default: `actionplan mail office`).",
)
@click.option(
    "--horizon",
    type=click.IntRange(0, 3660),
    default=14,
    show_default=True,
    metavar="DAYS",
    help="Due soon means due within DAYS days.",
)
@click.option(
    "--limit",
    type=click.IntRange(0, None),
    default=25,
    show_default=True,
    metavar="N",
    help="List at most N tasks in each section; 0 lists every one.",
)
@_server_options
@pass_ctx
@_handle
def digests(
    ctx: Context, as_of, orgs, since_last, always, to, horizon, limit, smtp_url, smtp_ca, sender, dry_run
) -> None:
    """Each agency with an email gets its digest; the committee office the whole one.

    An agency's digest covers what it leads (overdue with days late, due soon,
    blocked and why, deadline changes and who made them) and, apart, what it
    coordinates.  Agencies with nothing to report get nothing unless --always.
    Run it again (from cron) and nothing is sent twice.

    \b
    Examples:
      actionplan mail digests --since-last
      actionplan mail digests --org MPS --org MIC --always
      actionplan mail digests --to office@example.gov.vn --dry-run out/
    """
    from actionplan.services.mail import DigestMailOptions, digest_messages

    options = DigestMailOptions(
        as_of=today_for(ctx, as_of),
        orgs=tuple(orgs),
        since_last=since_last,
        always=always,
        office=tuple(to),
        horizon=horizon,
        limit=limit or None,
    )
    plan = digest_messages(ctx.store, options)
    if plan.no_address:
        click.echo(_("no email address, no digest") + ": " + ", ".join(plan.no_address), err=True)
    if plan.quiet:
        click.echo(_("nothing to report, no digest") + f": {len(plan.quiet)} " + _("agencies"), err=True)
    _run(ctx, plan.messages, smtp_url, smtp_ca, sender, dry_run)


@mail_group.command()
@click.option("--as-of", metavar="DATE", help="Reminders due on DATE (default today).")
@_server_options
@pass_ctx
@_handle
def reminders(ctx: Context, as_of, smtp_url, smtp_ca, sender, dry_run) -> None:
    """Deadline reminders: one short email per open task whose reminder day has come.

    Reminder days are the plan's reminder offsets, the same as the iCal alarms
    (`actionplan reminders`).  Each goes to the lead agency, and to the
    accountable person when `actionplan mail address` knows them.

    \b
    Examples:
      actionplan mail reminders
      actionplan mail reminders --as-of 2026-12-01 --dry-run out/
    """
    from actionplan.services.mail import reminder_messages

    _run(ctx, reminder_messages(ctx.store, today_for(ctx, as_of)), smtp_url, smtp_ca, sender, dry_run)


@mail_group.command(name="log")
@click.option("--kind", type=click.Choice(["digest", "reminder"]), help="Only digests or only reminders.")
@click.option(
    "--limit", type=click.IntRange(1, None), default=50, show_default=True, metavar="N", help="The latest N messages."
)
@pass_ctx
@_handle
def log(ctx: Context, kind: str | None, limit: int) -> None:
    """The send log: every message delivered, the latest first.

    \b
    Example:
      actionplan mail log --kind reminder
    """
    rows = ctx.store.mail_log(kind, limit)
    if not rows:
        click.echo(_("No mail sent yet."))
        return
    table = [[r["sent_at"], r["kind"], r["org"] or "*", r["recipient"], r["covers"], r["message_id"]] for r in rows]
    click.echo(
        format_table([_("Sent (UTC)"), _("Kind"), _("Agency"), _("To"), _("Covers"), _("Message-ID")], table, flex=5)
    )


@mail_group.command()
@click.argument("addresses", nargs=-1)
@click.option("--clear", is_flag=True, help="Nobody gets the whole digest (unless --to is given).")
@pass_ctx
@_handle
def office(ctx: Context, addresses: tuple[str, ...], clear: bool) -> None:
    """Show or set who gets the whole digest (the committee office).

    \b
    Example:
      actionplan mail office office@example.gov.vn chief@example.gov.vn
    """
    from actionplan.services.mail import office_recipients, set_office_recipients

    if addresses and clear:
        raise click.UsageError(_("give addresses or --clear, not both"))
    if addresses or clear:
        set_office_recipients(ctx.store, () if clear else addresses)
    found = office_recipients(ctx.store)
    click.echo(_("whole digest to") + ": " + (", ".join(found) or _("nobody")))


@mail_group.command()
@click.argument("name", required=False)
@click.argument("email", required=False)
@click.option("--remove", is_flag=True, help="Forget this person's address.")
@pass_ctx
@_handle
def address(ctx: Context, name: str | None, email: str | None, remove: bool) -> None:
    """Show or set the address of an accountable person, as the tasks name them.

    \b
    Examples:
      actionplan mail address "Minister of Public Security" minister@mps.example.gov.vn
      actionplan mail address "Minister of Public Security" --remove
    """
    from actionplan.services.mail import person_addresses, set_person_address

    if name and (email or remove):
        if email and remove:
            raise click.UsageError(_("give an address or --remove, not both"))
        set_person_address(ctx.store, name, None if remove else email)
    rows = sorted(person_addresses(ctx.store).items(), key=lambda kv: kv[0].casefold())
    if name:
        rows = [r for r in rows if r[0].casefold() == " ".join(name.split()).casefold()]
    if not rows:
        click.echo(_("No addresses of accountable persons."))
        return
    click.echo(format_table([_("Accountable"), _("Address")], [list(r) for r in rows], flex=0))


@mail_group.command(name="feed-link")
@click.argument("org", required=False)
@click.argument("url", required=False)
@click.option("--clear", is_flag=True, help="Reminders to this agency no longer show a feed link.")
@pass_ctx
@_handle
def feed_link(ctx: Context, org: str | None, url: str | None, clear: bool) -> None:
    """Show or set the calendar feed link that reminders to an agency show.

    The URL must be an active feed of that agency (`actionplan feeds add --org`
    shows it once).  It is kept in the database, which holds everything the
    feed shows anyway.

    \b
    Example:
      actionplan mail feed-link MPS https://calendar.example.gov.vn/feeds/TOKEN.ics
    """
    from actionplan.services.mail import feed_links, set_feed_link

    if org and (url or clear):
        if url and clear:
            raise click.UsageError(_("give a URL or --clear, not both"))
        set_feed_link(ctx.store, org, None if clear else url)
    links = feed_links(ctx.store)
    if not links:
        click.echo(_("No feed links."))
        return
    click.echo(format_table([_("Agency"), _("Feed link")], [[k, v] for k, v in sorted(links.items())], flex=1))
