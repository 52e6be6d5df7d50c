"""Digest preview: the status digest for the next meeting, as staff will send it."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Markdown, Static

from actionplan.core.i18n import _
from actionplan.core.l10n import iso_or_day
from actionplan.tui.base import ActionPlanScreen
from actionplan.tui.widgets.footer import FittingFooter

FORMATS = ("md", "text")
#: A digest longer than this many lines of Markdown opens as plain text: Textual's Markdown
#: widget takes seconds to draw one of 100 plans (16 s for 10,000 tasks); `f` still shows it.
MARKDOWN_PREVIEW_LINES = 400


class DigestPreview(ActionPlanScreen[None]):
    """Renders ``actionplan digest`` for the current plan scope; s saves it to a file."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", _("Close")),
        Binding("f", "toggle_format", _("Text/Markdown")),
        Binding("s", "save", _("Save…")),
        Binding("l", "since_last", _("Since last digest")),
        Binding("r", "save_report", _("Quarterly report…")),
    ]

    DEFAULT_CSS = """
    DigestPreview #digest-scroll { height: 1fr; padding: 0 1; }
    DigestPreview #digest-text { width: auto; }
    DigestPreview #digest-info { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, plans: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.plans = plans
        self.fmt: str | None = None  # None: Markdown, or plain text for a long digest
        self.since_last = False
        self.text = ""
        self.shown_format = "md"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="digest-info")
        with VerticalScroll(id="digest-scroll"):
            yield Markdown(id="digest-md")
            yield Static(id="digest-text", markup=False)
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        # Markdown takes a moment to lay out a large digest: show that it is coming, not a blank page
        self.query_one("#digest-info", Static).update(_("Preparing the digest…"))
        self.query_one("#digest-scroll").loading = True
        self.call_after_refresh(self._first_render)

    async def _first_render(self) -> None:
        pending = self.render_digest()
        if pending is not None:
            await pending
        self.query_one("#digest-scroll").loading = False

    def _build(self):
        from actionplan.digest.data import DEFAULT_LIMIT, DigestOptions, build_digest

        options = DigestOptions(as_of=self.app.today, plans=self.plans, since_last=self.since_last, limit=DEFAULT_LIMIT)
        return build_digest(self.app.store, options)

    def render_digest(self) -> AwaitComplete | None:
        """Build and show the digest; returns what to await until the Markdown is laid out."""
        from actionplan.digest.render import render

        digest = self._build()
        fmt = self.fmt or "md"
        self.text = render(digest, fmt)
        long_digest = self.fmt is None and self.text.count("\n") > MARKDOWN_PREVIEW_LINES
        if long_digest:
            fmt, self.text = "text", render(digest, "text")
        md = self.query_one("#digest-md", Markdown)
        plain = self.query_one("#digest-text", Static)
        md.display = fmt == "md"
        plain.display = fmt == "text"
        pending = md.update(self.text if fmt == "md" else "")
        if fmt == "text":
            plain.update(self.text)
        scope = ", ".join(self.plans) if self.plans else _("all plans")
        since = _("since the last digest") if self.since_last else _("last 7 days")
        shown = "Markdown" if fmt == "md" else _("plain text")
        if long_digest:
            shown += " (" + _("long; f: Markdown") + ")"
        self.query_one("#digest-info", Static).update(
            _("As of") + f" {iso_or_day(self.app.today)} · {scope} · {since} · " + shown
        )
        self.shown_format = fmt
        return pending

    def action_toggle_format(self) -> None:
        self.fmt = FORMATS[(FORMATS.index(self.shown_format) + 1) % len(FORMATS)]
        self.render_digest()

    def action_since_last(self) -> None:
        self.since_last = not self.since_last
        self.render_digest()

    def action_save_report(self) -> None:
        """Save the quarterly report of the plan in view (the first plan when the digest covers all)."""
        from actionplan.tui.screens.report_save import report_plans, save_report_dialog

        plans = self.plans or tuple(report_plans(self.app))
        if not plans:
            self.app.notify(_("There is no plan to report on yet."), title=_("Not saved"), severity="warning")
            return
        save_report_dialog(self.app, plans[0])

    def action_save(self) -> None:
        """Write the digest (.md, .txt or .html by the file's extension) and record it."""
        from actionplan.tui.screens.prompt import TextPrompt

        def finish(path: str | None) -> None:
            if not path:
                return
            from actionplan.digest.render import render

            suffix = Path(path).suffix.lower()
            fmt = {".html": "html", ".htm": "html", ".md": "md", ".txt": "text"}.get(suffix, self.shown_format)
            digest = self._build()
            from actionplan.core.errors import OutputError
            from actionplan.services.output import write_text

            try:
                write_text(path, render(digest, fmt))
            except OutputError as e:
                self.app.notify(str(e), title=_("Not saved"), severity="error")
                return
            self.app.store.record_digest(
                self.app.today, digest.since.isoformat(), {"plans": list(self.plans), "format": fmt}
            )
            self.app.notify(_("Wrote") + f" {path}", title=_("Digest saved"))

        default = f"digest-{self.app.today.isoformat()}.md"
        self.app.push_screen(
            TextPrompt(_("Save the digest"), _("File (.md, .txt or .html):"), default, _("Save")), finish
        )
