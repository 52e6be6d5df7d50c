"""Calendar commands: iCal export (ics), default reminders, feeds and their server.

icalendar, starlette and
uvicorn are imported inside the commands (through actionplan.calendar.ical / .feeds).
"""

from __future__ import annotations

import click

from actionplan.cli.lang import placeholder
from actionplan.cli.support import (
    Context,
    _handle,
    fail,
    format_table,
    parse_day,
    pass_ctx,
    today_for,
)
from actionplan.core.i18n import _, pgettext
from actionplan.core.l10n import history_moment, number

# --- ics: iCal export ---------------------------------------------------------------------------


@click.command()
@click.argument("query", nargs=-1)
@click.option("--plan", "plans", multiple=True, metavar="KEY", help="Only this plan (repeatable).")
@click.option("--lead", "leads", multiple=True, metavar="ORG", help="Led by this org (key or name).")
@click.option(
    "--org",
    "involving",
    multiple=True,
    metavar="ORG",
    help="Led or coordinated by this org: what concerns a member's agency.",
)
@click.option("--coordinating", multiple=True, metavar="ORG", help="Coordinated by this org.")
@click.option("--accountable", metavar="NAME", help="Accountable person contains NAME.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="STATUS",
    help="not-started, in-progress, blocked, done, cancelled, open or closed "
    "(default: all but done; cancelled ones go out as cancelled).",
)
@click.option("--all", "all_statuses", is_flag=True, help="Every status, done tasks too.")
@click.option("--from", "from_", metavar="DATE", help="Deadline on or after DATE.")
@click.option("--to", "to", metavar="DATE", help="Deadline on or before DATE.")
@click.option(
    "--remind",
    "remind",
    multiple=True,
    metavar="OFFSET",
    help="Alarm this long before each deadline: 7d, 2w or P7D (repeatable; "
    "default: the plan's, else the database's, else 7d and 1d).",
)
@click.option("--no-alarms", is_flag=True, help="No alarms at all.")
@click.option(
    "--reminder-time", metavar="HH:MM", default="09:00", show_default=True, help="Local time at which alarms fire."
)
@click.option(
    "--reminder-events", is_flag=True, help='Also add short "Due in 7 days" events (Google ignores alarms in files).'
)
@click.option("--todo", is_flag=True, help="Also add a to-do (VTODO) due on each deadline.")
@click.option("--name", metavar="NAME", help="Calendar name (default: from the plan and org).")
@click.option("-o", "--output", "out", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option("--as-of", metavar="DATE", help="Judge filters like overdue as of DATE.")
@pass_ctx
@_handle
def ics(
    ctx: Context,
    query: tuple[str, ...],
    plans,
    leads,
    involving,
    coordinating,
    accountable,
    statuses,
    all_statuses,
    from_,
    to,
    remind,
    no_alarms,
    reminder_time,
    reminder_events,
    todo,
    name,
    out,
    as_of,
) -> None:
    """Export deadlines as an iCal (.ics) file for Google, Outlook, Apple Calendar, Thunderbird.

    One all-day event per deadline with reminders before it.  Re-importing
    a newer file updates the same entries (stable UIDs) instead of adding
    copies.  QUERY takes the filter language of `actionplan list`.

    \b
    Examples:
      actionplan ics --org MPS -o mps-deadlines.ics
      actionplan ics --plan cyber-2026 --remind 14d --remind 1d --reminder-events
      actionplan ics --accountable "Minister of Public Security" --from 2026-12-01 --to 2027-06-30
    """
    from datetime import timedelta

    from actionplan.calendar.ical import IcalError, IcalOptions, size_advice, write_calendar
    from actionplan.core.query import TaskFilter, parse_query, query_text

    if remind and no_alarms:
        raise click.UsageError(_("give --remind or --no-alarms, not both"))
    if all_statuses and statuses:
        raise click.UsageError(_("give --status or --all, not both"))
    try:
        options = IcalOptions(reminder_time=reminder_time, reminder_events=reminder_events, todo=todo)
    except IcalError as e:
        raise click.BadParameter(str(e), param_hint="--reminder-time") from None
    if remind or no_alarms:
        try:
            options = IcalOptions(
                reminders=tuple(remind),
                reminder_time=options.reminder_time,
                reminder_events=reminder_events,
                todo=todo,
                reminders_fixed=True,
            )
        except IcalError as e:
            raise click.BadParameter(str(e), param_hint="--remind") from None
    start, end = parse_day(from_, "--from"), parse_day(to, "--to")
    if start and end and end < start:
        raise click.BadParameter(_("--to is before --from"), param_hint="--to")
    side = ctx.side_process()  # before the database opens: the side process opens its own
    store = ctx.store
    today = today_for(ctx, as_of)
    f = parse_query(query_text(query)).merged(
        TaskFilter(
            plans=list(plans),
            leads=list(leads),
            involving=list(involving),
            coordinating=list(coordinating),
            accountable=accountable or "",
            due_after=start - timedelta(days=1) if start else None,
            due_before=end + timedelta(days=1) if end else None,
        )
    )
    if statuses:
        f = f.merged(parse_query(" ".join(f"status:{s}" for s in statuses)))
    if all_statuses:
        f = f.merged(TaskFilter(statuses=["not started", "in progress", "blocked", "done", "cancelled"]))
    for p in f.plans:
        store.get_plan(p)
    for option, terms in (("--lead", f.leads), ("--org", f.involving), ("--coordinating", f.coordinating)):
        for term in terms:
            if not store.find_orgs(term):
                raise click.BadParameter(
                    _('unknown agency "{name}" (see `actionplan orgs`)').format(name=term), param_hint=option
                )
    try:
        result = _stream_out(
            lambda write, binary: write_calendar(
                store,
                f,
                options,
                write,
                now=store.clock(),
                name=name,
                today=today,
                window=(start, end),
                binary=binary,
                side=side,
            ),
            out,
        )
    except IcalError as e:
        raise click.ClickException(str(e)) from None
    note = _("{n} deadline(s) exported").format(n=result.tasks - result.without_date)
    if result.without_date:
        note += "; " + _("{n} task(s) without a deadline left out").format(n=result.without_date)
    click.echo(note, err=True)
    if result.too_big:
        click.echo(size_advice(result.size), err=True)


def _stream_out(produce, out: str | None):
    """Run *produce(write, binary)*, writing to standard output (text) or to the file *out* (bytes)
    as it goes (through :func:`actionplan.services.output.write_file`: atomic, devices and FIFOs in place)."""
    import sys

    if not out or out == "-":
        stream = sys.stdout
        result = produce(stream.write, False)
        stream.flush()
        return result
    from actionplan.core.errors import OutputError
    from actionplan.services.output import write_file

    done = {}

    def fill(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            done["result"] = produce(fh.write, True)

    try:
        write_file(out, fill, "ics")
    except OutputError as e:
        fail(str(e))
    click.echo(_("Wrote") + f" {out}", err=True)
    return done["result"]


@click.command()
@click.argument("offsets", nargs=-1)
@click.option("--plan", metavar="KEY", help="Set the reminders of this plan instead of the database default.")
@click.option("--clear", is_flag=True, help="Remove the setting (a plan then follows the database default).")
@pass_ctx
@_handle
def reminders(ctx: Context, offsets: tuple[str, ...], plan: str | None, clear: bool) -> None:
    """Show or set the default reminders of iCal exports, for the database or one plan.

    OFFSETS are days or weeks before the deadline (7d, 2w, P7D), or "none".
    An export's --remind wins over a plan's setting, which wins over the
    database's, which wins over the built-in 7d and 1d.

    \b
    Examples:
      actionplan reminders
      actionplan reminders 14d 3d
      actionplan reminders --plan cyber-2026 30d 7d 1d
      actionplan reminders --plan cyber-2026 --clear
    """
    from actionplan.calendar.ical import DEFAULT_REMINDERS, IcalError, parse_offset_list

    store = ctx.store
    if offsets and clear:
        raise click.UsageError(_("give offsets or --clear, not both"))
    if offsets or clear:
        try:
            value = "" if clear else (",".join(parse_offset_list(" ".join(offsets))) or "none")
        except IcalError as e:
            raise click.BadParameter(str(e), param_hint=placeholder("OFFSETS")) from None
        if plan:
            store.set_plan_reminders(plan, value)
        else:
            store.set_setting("reminders", value)
    default = store.get_setting("reminders") or ""
    shown = default or ",".join(DEFAULT_REMINDERS) + " (" + _("built in") + ")"
    click.echo(_("database default: {reminders}").format(reminders=shown))
    for p in store.list_plans():
        if plan and p.key != plan:
            continue
        own = store.plan_reminders(p.key)
        click.echo(f"{p.key}: " + (own or _("follows the database default")))


@click.command("calendar-settings")
@click.option(
    "--organizer",
    metavar="EMAIL",
    help='ORGANIZER of events whose lead agency (and its parents) has no email; "" removes it.',
)
@click.option(
    "--class",
    "classification",
    type=click.Choice(["PUBLIC", "PRIVATE", "CONFIDENTIAL"], case_sensitive=False),
    help="CLASS of every event (default PUBLIC).",
)
@click.option("--feed-back", metavar="SPAN", help="Default feed window: this far back (3m, 90d, 1y, all).")
@click.option("--feed-ahead", metavar="SPAN", help="Default feed window: this far ahead (18m, 2y, all).")
@pass_ctx
@_handle
def calendar_settings(
    ctx: Context, organizer: str | None, classification: str | None, feed_back: str | None, feed_ahead: str | None
) -> None:
    """Show or set what iCal files and feeds carry besides the tasks.

    \b
    Examples:
      actionplan calendar-settings
      actionplan calendar-settings --organizer office@example.gov.vn
      actionplan calendar-settings --feed-back 3m --feed-ahead 12m
    """
    from actionplan.calendar.ical import valid_email
    from actionplan.services.feeds import set_default_window, window_spans

    store = ctx.store
    if organizer is not None:
        if organizer.strip() and not valid_email(organizer.strip()):
            raise click.BadParameter(_("not an email address") + f' "{organizer}"', param_hint="--organizer")
        store.set_setting("organizer", organizer.strip())
    if classification:
        store.set_setting("ical_class", classification.upper())
    if (feed_back is None) != (feed_ahead is None):
        raise click.UsageError(_("give --feed-back and --feed-ahead together"))
    if feed_back is not None and feed_ahead is not None:
        set_default_window(store, feed_back, feed_ahead)
    back, ahead = window_spans(store)
    click.echo(_("organizer (for agencies without an email)") + ": " + (store.get_setting("organizer") or "-"))
    click.echo("CLASS: " + (store.get_setting("ical_class") or "PUBLIC"))
    click.echo(_("feed window") + f": {back} " + _("back") + f", {ahead} " + _("ahead"))


# --- serve and feeds: calendar subscriptions -----------------------------------------------------


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDRESS",
    help="Address to listen on (keep loopback behind a proxy).",
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@pass_ctx
@_handle
def serve(ctx: Context, host: str, port: int) -> None:
    """Serve the calendar feeds (GET /feeds/<token>.ics) and GET /health.

    Each request is logged in one line on standard error, with the feed's
    id in place of its token.  Put it behind a reverse proxy with TLS
    (docs/feeds.md).  Stop with Ctrl+C.

    \b
    Example:
      actionplan serve --port 8080
    """
    from actionplan.calendar.feed_server import serve as run_server

    store = ctx.store  # opens (and migrates) the database once, before serving
    active = len(store.list_feeds())
    path = store.path
    store.close()
    ctx._store = None
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(
            _(
                "warning: listening on {host}: serve feeds to the outside through a "
                "reverse proxy with TLS (https); tokens in plain http can be read on the way"
            ).format(host=host),
            err=True,
        )
    click.echo(
        _("Serving {n} active feed(s) from {path} at {url}").format(n=active, path=path, url=f"http://{host}:{port}"),
        err=True,
    )
    run_server(path, host=host, port=port)


@click.group("feeds")
def feeds_group() -> None:
    """Calendar subscription feeds: create, list and revoke them.

    A feed is a secret URL a member subscribes to once; their calendar then
    follows every change.  Only a hash of each token is stored.

    \b
    Examples:
      actionplan feeds add --org MPS --label "MPS cyber desk" --base-url https://cal.example.gov.vn
      actionplan feeds list
      actionplan feeds revoke 3
    """


@feeds_group.command("add")
@click.option("--org", metavar="ORG", help="An org's tasks: those it leads or coordinates (key or name).")
@click.option("--plan", metavar="KEY", help="Every task of one plan.")
@click.option(
    "--accountable",
    metavar="NAME",
    help="Tasks of this accountable person (the name as the tasks write it; case does not matter).",
)
@click.option("--label", default="", metavar="LABEL", help="Who the feed is for (shown by `feeds list`).")
@click.option(
    "--reminder-events",
    is_flag=True,
    help='Add short "Due in 7 days" events (Google and Apple ignore alarms in subscribed calendars).',
)
@click.option(
    "--back", metavar="SPAN", help="This feed's window: this far back (3m, 90d, all; default: the settings')."
)
@click.option("--ahead", metavar="SPAN", help="This feed's window: this far ahead (18m, 2y, all).")
@click.option(
    "--base-url",
    envvar="ACTIONPLAN_BASE_URL",
    default="http://127.0.0.1:8080",
    show_default=True,
    metavar="URL",
    help="Public address of the server ($ACTIONPLAN_BASE_URL); https for Google Calendar.",
)
@pass_ctx
@_handle
def feeds_add(
    ctx: Context,
    org: str | None,
    plan: str | None,
    accountable: str | None,
    label: str,
    reminder_events: bool,
    back: str | None,
    ahead: str | None,
    base_url: str,
) -> None:
    """Create a feed and print its URL (shown this once; only its hash is kept).

    \b
    Examples:
      actionplan feeds add --org MPS --label "MPS cyber desk" --base-url https://cal.example.gov.vn
      actionplan feeds add --plan cyber-2026 --reminder-events
      actionplan feeds add --accountable "Minister of Public Security"
    """
    from actionplan.services.feeds import create_feed, find_feed, normalise_base_url, parse_span, resolve_scope

    store = ctx.store
    base = normalise_base_url(base_url)
    if (back is None) != (ahead is None):
        raise click.UsageError(_("give --back and --ahead together"))
    window = (parse_span(back), parse_span(ahead, "--ahead")) if back is not None and ahead is not None else None
    scope = resolve_scope(store, org=org, plan=plan, accountable=accountable)
    new = create_feed(store, scope, base_url=base, label=label, reminder_events=reminder_events, window=window)
    click.echo(
        _("Created feed {id} ({scope})").format(id=new.id, scope=scope.describe() + (f", {label}" if label else ""))
    )
    click.echo(_("Subscribe with this URL (shown once; keep it secret):"))
    click.echo(f"  {new.url}")
    click.echo(_("Apple Calendar: {url}").format(url=new.webcal_url))
    if not base.startswith("https://"):
        click.echo(_("note: Google Calendar and Outlook need an https URL; give --base-url https://..."), err=True)
    from actionplan.calendar.feed_server import build_feed
    from actionplan.calendar.ical import size_advice

    feed = find_feed(store, new.token)
    if feed is not None:
        built = build_feed(store, feed, store.clock())
        held = _("The feed holds {count} deadline(s), {size} B")
        click.echo(held.format(count=number(built.tasks - built.without_date), size=number(built.size)), err=True)
        if built.too_big:
            click.echo(size_advice(built.size, feed=True), err=True)


@feeds_group.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked feeds.")
@pass_ctx
@_handle
def feeds_list(ctx: Context, include_revoked: bool) -> None:
    """List feeds: id, label, scope, created (never the token).

    \b
    Example:
      actionplan feeds list --all
    """
    from actionplan.services.feeds import list_feeds

    items = list_feeds(ctx.store, include_revoked)
    if not items:
        click.echo(_("No feeds.") + " " + _("Create one with `actionplan feeds add`."))
        return
    rows = []
    for f in items:
        options = _("reminder events") if f.reminder_events else ""
        row = [str(f.id), f.label, f.scope.describe(), options, history_moment(f.created_at), f.created_by]
        if include_revoked:
            row.append(history_moment(f.revoked_at) if f.revoked_at else "")
        rows.append(row)
    headers = [
        pgettext("feeds column", "ID"),
        pgettext("feeds column", "LABEL"),
        pgettext("feeds column", "SCOPE"),
        pgettext("feeds column", "OPTIONS"),
        pgettext("feeds column", "CREATED (UTC)"),
        pgettext("feeds column", "BY"),
    ] + ([pgettext("feeds column", "REVOKED")] if include_revoked else [])
    click.echo(format_table(headers, rows, flex=1))


@feeds_group.command("revoke")
@click.argument("feed_id", metavar="ID", type=int)
@pass_ctx
@_handle
def feeds_revoke(ctx: Context, feed_id: int) -> None:
    """Revoke a feed: its URL answers 404 from the next request on.

    \b
    Example:
      actionplan feeds revoke 3
    """
    ctx.store.revoke_feed(feed_id)
    click.echo(_("Revoked feed {id}; its URL now answers 404.").format(id=feed_id))
