"""The digest command: status digests for the committee.

jinja2 is imported inside the command (through actionplan.digest.render).
"""

from __future__ import annotations

from pathlib import Path

import click

from actionplan.cli.support import Context, _handle, _write_out, parse_day, pass_ctx, today_for
from actionplan.core.i18n import _

# --- digest: status digests ---------------------------------------------------------------------

_DIGEST_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".txt": "text"}


@click.command()
@click.option("--as-of", metavar="DATE", help="Digest as of DATE (default today).")
@click.option(
    "--since", metavar="DATE", help="Completions and deadline changes from DATE on (default: the last 7 days)."
)
@click.option("--since-last", is_flag=True, help="Since the as-of date of the previous recorded digest.")
@click.option("--plan", "plans", multiple=True, metavar="KEY", help="Only this plan (repeatable).")
@click.option("--lead", metavar="ORG", help="Only tasks led by this agency (key or name).")
@click.option(
    "--horizon",
    type=click.IntRange(0, 3660),
    default=14,
    show_default=True,
    metavar="DAYS",
    help="Due soon means due within DAYS days.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "html"]),
    help="Output format (default: from the -o file name, else text).",
)
@click.option("-o", "--output", "out", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option(
    "--limit",
    type=click.IntRange(0, None),
    default=25,
    show_default=True,
    metavar="N",
    help="List at most N tasks in each section (the figures count them all); 0 lists every one.",
)
@click.option("--no-record", is_flag=True, help="Do not record this digest (--since-last will not start from it).")
@pass_ctx
@_handle
def digest(
    ctx: Context,
    as_of: str | None,
    since: str | None,
    since_last: bool,
    plans: tuple[str, ...],
    lead: str | None,
    horizon: int,
    fmt: str | None,
    out: str | None,
    limit: int,
    no_record: bool,
) -> None:
    """Status digest: overdue, due soon, completed and slipped tasks, KPIs, accountability.

    Digests are recorded, so --since-last covers what changed since the
    previous one.  Text and Markdown fit an 80-column terminal or an email;
    HTML is one self-contained file to paste into or attach to an email.

    \b
    Examples:
      actionplan digest --since-last
      actionplan digest --as-of 2026-11-26 --since 2026-11-01 --plan cyber-2026
      actionplan digest --lead MPS --format md -o digest-mps.md
      actionplan digest --since-last -o committee-digest.html
      actionplan digest --plan cyber-2026 --limit 0      # every task in every list
    """
    from actionplan.digest.data import DigestError, DigestOptions, SinceBasis, build_digest
    from actionplan.digest.render import render

    if since and since_last:
        raise click.UsageError(_("give either --since or --since-last, not both"))
    if fmt is None:
        fmt = _DIGEST_SUFFIXES.get(Path(out).suffix.lower(), "text") if out and out != "-" else "text"
    store = ctx.store
    today = today_for(ctx, as_of)
    options = DigestOptions(
        as_of=today,
        since=parse_day(since, "--since"),
        plans=tuple(plans),
        lead=lead,
        horizon=horizon,
        since_last=since_last,
        limit=limit or None,
    )
    try:
        result = build_digest(store, options)
    except DigestError as e:
        raise click.UsageError(str(e)) from None
    if result.since_basis == SinceBasis.NO_PREVIOUS_DIGEST:
        click.echo(
            _("No previous digest before")
            + f" {today.isoformat()}: "
            + _("showing changes since")
            + f" {result.since.isoformat()}, "
            + _("one week back")
            + ".",
            err=True,
        )
    _write_out(render(result, fmt), out)
    if not no_record:
        store.record_digest(
            today,
            result.since.isoformat(),
            {
                "plans": list(plans),
                "lead": result.lead.key if result.lead else None,
                "horizon": horizon,
                "format": fmt,
                "limit": limit,
            },
        )
