"""Saving the quarterly report from the UI: ask for the file, then let the report service write it."""

from __future__ import annotations

from typing import Any

from actionplan.core.i18n import _


def report_plans(app: Any) -> list[str]:
    """The keys of the plans a report can be saved for."""
    return [p.key for p in app.store.list_plans()]


def save_report_dialog(app: Any, plan: str) -> None:
    """Ask where to save the report of *plan* for the current quarter (.docx, .xlsx or .md), and save it."""
    from actionplan.services.reports import current_quarter
    from actionplan.tui.screens.prompt import TextPrompt

    period = current_quarter(app.today)

    def finish(path: str | None) -> None:
        if not path:
            return
        from actionplan.core.errors import StoreError
        from actionplan.digest.report import save_report
        from actionplan.digest.report_data import ReportOptions

        try:
            save_report(app.store, ReportOptions(plan=plan, period=period, as_of=app.today), path.strip())
        except StoreError as e:
            app.notify(str(e), title=_("Not saved"), severity="error")
            return
        app.notify(_("Wrote") + f" {path}", title=_("Report saved"))

    app.push_screen(
        TextPrompt(
            _("Save the quarterly report") + f" {period} · {plan}",
            _("File (.docx, .xlsx or .md):"),
            f"report-{plan}-{period}.docx",
            _("Save"),
        ),
        finish,
    )
