"""The report command: the quarterly report in the form ministries file it (DOCX, XLSX, Markdown).

python-docx and openpyxl are imported only when a file of their format is written.
"""

from __future__ import annotations

import click

from actionplan.cli.support import Context, _handle, parse_day, pass_ctx
from actionplan.core.i18n import _


@click.command()
@click.option("--plan", required=True, metavar="KEY", help="The plan to report on.")
@click.option("--period", required=True, metavar="PERIOD", help="2026-Q4, 2026-H2, 2026-11 or 2026.")
@click.option("--org", metavar="ORG", help="Only tasks led by this agency (key or name).")
@click.option("--baseline", metavar="NAME", help="Compare with this baseline (default: the earliest saved).")
@click.option(
    "--format", "fmt", type=click.Choice(["docx", "xlsx", "md"]), help="File format (default: from the -o name)."
)
@click.option("-o", "--output", "out", required=True, metavar="FILE", help="Write the report to FILE.")
@click.option("--as-of", metavar="DATE", help="Judge the tasks as of DATE (default: today, or the period's end).")
@pass_ctx
@_handle
def report(
    ctx: Context,
    plan: str,
    period: str,
    org: str | None,
    baseline: str | None,
    fmt: str | None,
    out: str,
    as_of: str | None,
) -> None:
    """The quarterly report: per lead agency, each task against the approved baseline.

    A title block, a summary table per lead agency, each task with its baseline
    and current deadline, completion, status in words, progress, last note and
    every deadline change with who and why; then the KPI targets.

    \b
    Examples:
      actionplan report --plan cyber-2026 --period 2026-Q4 -o report-2026-Q4.docx
      actionplan report --plan cyber-2026 --period 2026-Q4 --org MPS --format xlsx -o mps.xlsx
      actionplan report --plan cyber-2026 --period 2026-Q4 --baseline "approved 2026-04-28" -o q4.md
    """
    from actionplan.digest.report import save_report
    from actionplan.digest.report_data import ReportOptions

    options = ReportOptions(plan=plan, period=period, as_of=parse_day(as_of, "--as-of"), org=org, baseline=baseline)
    result = save_report(ctx.store, options, out, fmt)
    if result.baseline is None:
        click.echo(_("No baseline saved for") + f" {plan}: " + _("compared with each task's first deadline."), err=True)
    click.echo(_("Wrote") + f" {out}", err=True)
