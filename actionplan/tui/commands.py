"""Command palette entries (ctrl+p) for the main actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.align import Align
from rich.text import Text
from textual.app import SystemCommand
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets.option_list import Option

from actionplan.core.i18n import _, language
from actionplan.tui.screens.report_save import report_plans, save_report_dialog

if TYPE_CHECKING:
    from actionplan.tui.app import ActionPlanApp


class ActionPlanCommands(Provider):
    """Import, export, switch plan, open screens, undo, iCal export and digest."""

    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        app = cast("ActionPlanApp", self.app)  # the provider runs only in ActionPlanApp
        yield _("Dashboard"), partial(app.switch_mode, "dashboard"), _("every plan at a glance")
        yield _("Tasks"), partial(app.switch_mode, "tasks"), _("the plan view: table or tree")
        yield _("Accountability board"), partial(app.switch_mode, "agencies"), _("how each lead agency is doing")
        yield _("Timeline"), partial(app.switch_mode, "timeline"), _("deadlines by month")
        yield (
            _("Overdue tasks"),
            partial(app.show_tasks, query="overdue", plan=""),
            _("every open task past its deadline"),
        )
        yield _("All plans"), partial(app.action_switch_plan, ""), _("the tasks of every plan")
        for plan in app.store.list_plans():
            yield (_("Switch to plan") + f" {plan.key}", partial(app.action_switch_plan, plan.key), plan.title)
        yield _("Import a plan file…"), app.action_import_plan, _("validate a TOML plan file and load it")
        for plan in app.store.list_plans():
            yield (
                _("Export plan") + f" {plan.key}…",
                partial(app.action_export_plan, plan.key),
                _("write the plan as a TOML plan file"),
            )
        yield _("Export iCal reminders…"), app.action_export_ical, _("an .ics file of deadlines for calendars")
        yield _("Digest preview"), app.action_digest, _("the status digest for the next meeting")
        for key in report_plans(app):
            yield (
                _("Save the quarterly report of") + f" {key}…",
                partial(save_report_dialog, app, key),
                _("DOCX, XLSX or Markdown, against the approved baseline"),
            )
        yield _("Undo last change"), app.action_undo, _("built on the history")
        yield _("Help: key bindings"), app.action_help, _("every key of every screen")
        if language() == "vi":
            yield "English", partial(app.action_switch_language, "en"), _("show every screen in English")
        else:
            yield "Tiếng Việt", partial(app.action_switch_language, "vi"), _("show every screen in Vietnamese")

    async def discover(self) -> Hits:
        for name, command, help_text in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, command, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)


def system_commands(app: ActionPlanApp, screen: Screen) -> Iterator[SystemCommand]:
    """Textual's own palette commands, in the UI's language (Textual writes them in English).

    Quit asks first when a form holds unsaved changes, as q does.  Textual's key panel
    (its widgets' keys, in English) and its screenshot (English notices) are left out:
    the help screen lists every key.
    """
    yield SystemCommand(_("Theme"), _("change the colours of every screen"), app.action_change_theme)
    yield SystemCommand(_("Quit"), _("leave actionplan"), app.action_quit_app)
    if screen.maximized is not None:
        yield SystemCommand(_("Restore the panel"), _("back to the normal layout"), screen.action_minimize)
    elif screen.focused is not None and screen.focused.allow_maximize:
        yield SystemCommand(
            _("Maximize the panel"), _("the focused panel takes the whole screen"), screen.action_maximize
        )


class Palette(CommandPalette):
    """Textual's command palette, saying "no matches" in the UI's language."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own method writes "No matches found" in English; otherwise the same
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                nothing = Text(_("No command matches"), style="not bold")
                self.query_one(CommandList).add_option(
                    Option(Align.center(nothing), disabled=True, id=self._NO_MATCHES)
                )
            self._list_visible = bool(search_value)

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def command_palette(placeholder: str = "", providers: list[type[Provider]] | None = None) -> CommandPalette:
    """The command palette (or the theme search: *providers*), its search box in the UI's language."""
    return Palette(providers=providers, placeholder=placeholder or _("Search for commands…"), id="--command-palette")
