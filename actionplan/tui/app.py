"""The Textual app: secretaries run the plans here.

Screens are Textual *modes* (1 Dashboard, 2 Tasks, 3 Agencies, 4 Timeline);
every change goes through the store, and after a write the app bumps
``data_version`` so every screen reloads what it shows.  A cheap timer asks
SQLite whether another connection (a second UI, the CLI) committed meanwhile,
and bumps it too: every screen follows changes made elsewhere within a second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date
from typing import TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import AwaitMount

from actionplan.core.errors import ActionPlanError, ConflictError, StoreError
from actionplan.core.i18n import LanguageSwitch, _, pgettext
from actionplan.core.l10n import iso_or_day
from actionplan.store import Store
from actionplan.tui.commands import ActionPlanCommands, command_palette, system_commands
from actionplan.tui.messages import NavigationRequested
from actionplan.tui.screens.accountability import AccountabilityScreen
from actionplan.tui.screens.dashboard import DashboardScreen
from actionplan.tui.screens.tasks import TasksScreen
from actionplan.tui.screens.timeline import TimelineScreen

T = TypeVar("T")


class ActionPlanApp(App[LanguageSwitch | None]):
    """actionplan: plans, tasks, deadlines and who is accountable."""

    CSS_PATH = "app.tcss"
    TITLE = "actionplan"
    COMMANDS = App.COMMANDS | {ActionPlanCommands}
    ENABLE_COMMAND_PALETTE = True
    MODES = {
        "dashboard": DashboardScreen,
        "tasks": TasksScreen,
        "agencies": AccountabilityScreen,
        "timeline": TimelineScreen,
    }
    DEFAULT_MODE = "dashboard"

    BINDINGS = [
        Binding("question_mark,f1", "help", pgettext("key", "Help"), key_display="?"),
        Binding("1", "switch_mode('dashboard')", _("Dashboard"), tooltip=_("Every plan at a glance")),
        Binding("2", "switch_mode('tasks')", _("Tasks"), tooltip=_("Tasks as a table or a tree")),
        Binding("3", "switch_mode('agencies')", _("Agencies"), tooltip=_("Accountability board")),
        Binding("4", "switch_mode('timeline')", _("Timeline"), tooltip=_("Deadlines by month")),
        Binding("g", "digest", _("Digest"), show=False, tooltip=_("Preview the status digest")),
        Binding("ctrl+z", "undo", _("Undo"), show=False),
        Binding("ctrl+y", "redo", _("Redo"), show=False),
        Binding("ctrl+q", "quit", _("Quit"), priority=True, show=False),
    ]

    #: How often the app asks SQLite whether another connection committed (seconds).
    POLL_SECONDS = 0.5

    data_version: reactive[int] = reactive(0)
    plan_key: reactive[str] = reactive("")

    def __init__(self, store: Store, *, today: date | None = None) -> None:
        super().__init__()
        self.store = store
        # a save that waits for another writer says so (the message of the CLI's standard error)
        store.on_wait = lambda message: self.notify(message, title=_("Waiting"), severity="warning")
        self._today = today
        #: where the task screen should go next: (query, plan, task ref)
        self.navigation: tuple[str | None, str | None, str | None] | None = None
        self._seen_version = 0
        self._previous_mode = "dashboard"

    @property
    def today(self) -> date:
        """The day the app judges deadlines by (fixed with --as-of, else the committee's today)."""
        return self._today or self.store.today()

    def on_mount(self) -> None:
        self.sub_title = f"{self.store.path.name} · " + _("today") + f" {iso_or_day(self.today)}"
        self._seen_version = self.store.data_version()
        self.set_interval(self.POLL_SECONDS, self.poll_database, name="poll-database")

    def poll_database(self) -> None:
        """Reload the screens when another UI or the CLI saved something (one cheap pragma)."""
        version = self.store.data_version()
        if version != self._seen_version:
            self._seen_version = version
            self.data_changed()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        return system_commands(self, screen)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(command_palette())

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(command_palette(_("Search for themes…"), [ThemeProvider]))

    def action_help_quit(self) -> None:
        """ctrl+c: say how to quit, in plain words (no markup shown raw)."""
        self.notify(_("Press ctrl+q (or q on a main screen) to quit."), title=_("Do you want to quit?"))

    def action_quit_app(self) -> None:
        """q on a main screen: quit, asking first only if an open form holds unsaved changes."""
        unsaved = [s for s in self.screen_stack if getattr(s, "dirty", None)]
        if not unsaved:
            self.exit()
            return
        from actionplan.tui.screens.dialogs import ConfirmDialog

        self.push_screen(
            ConfirmDialog(_("Quit?"), _("A form has changes that are not saved. Quit anyway?"), _("Quit")),
            lambda yes: self.exit() if yes else None,
        )

    def action_go_back(self) -> None:
        """Escape on a board: back to the screen the user came from (else the dashboard)."""
        self.switch_mode(self._previous_mode if self._previous_mode != self.current_mode else "dashboard")

    def switch_mode(self, mode: str) -> AwaitMount:
        if mode != getattr(self, "current_mode", None):
            self._previous_mode = getattr(self, "current_mode", "dashboard") or "dashboard"
        return super().switch_mode(mode)

    # --- navigation used by screens -------------------------------------------------------

    def show_tasks(self, query: str | None = None, plan: str | None = None, task_ref: str | None = None) -> None:
        """Open the task screen with a filter, a plan, or one task selected."""
        self.navigation = (query, plan, task_ref)
        if self.current_mode == "tasks":
            self.screen.post_message(NavigationRequested())
        else:
            self.switch_mode("tasks")

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications carry user text (titles, file names): never read them as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def data_changed(self) -> None:
        """Tell every screen the database changed (they reload what they show)."""
        self.data_version += 1

    # --- writes ---------------------------------------------------------------------------

    def write(
        self,
        action: Callable[[], T],
        *,
        success: str = "",
        on_conflict: Callable[[ConflictError], None] | None = None,
    ) -> T | None:
        """Run one write (a service call); report errors plainly, refresh screens on success.

        ``on_conflict`` takes over a refused save (someone else saved first), so the
        caller can keep what the user typed and offer to apply it again.
        """
        try:
            result = action()
        except ConflictError as e:
            if on_conflict is None:
                self.show_error(e)
            else:
                self.data_changed()
                on_conflict(e)
            return None
        except ActionPlanError as e:
            self.show_error(e)
            return None
        if success:
            self.notify(success)
        self.data_changed()
        return result

    def show_error(self, error: ActionPlanError, title: str = "") -> None:
        """The one place the UI shows a refusal (a conflict also reloads every screen)."""
        from actionplan.core.errors import PlanFileError

        if isinstance(error, ConflictError):
            self.notify(str(error), title=title or _("Someone else saved first"), severity="error", timeout=8)
            self.data_changed()
        elif isinstance(error, PlanFileError):
            text = "\n".join(str(p) for p in error.problems[:6])
            self.notify(text, title=title or _("Nothing was imported"), severity="error", timeout=12)
        else:
            self.notify(str(error), title=title or _("Not saved"), severity="error", timeout=8)

    def action_undo(self) -> None:
        """Undo the last change made by this user; ask first when it would remove a whole task."""
        self._take_back(
            self.store.undo_preview,
            self._undo,
            _("Nothing to undo."),
            _("Undo: remove a task?"),
            _("Undoing “{summary}” removes the task {task} and its notes.\n\nRedo (ctrl+y) brings it back."),
        )

    def action_redo(self) -> None:
        """Redo what this user's last undo took back; ask first when it would remove a whole task."""
        self._take_back(
            self.store.redo_preview,
            self._redo,
            _("Nothing to redo."),
            _("Redo: remove a task?"),
            _("Redoing “{summary}” removes the task {task} and its notes again.\n\nUndo (u) brings it back."),
        )

    def _take_back(
        self,
        preview: Callable[[str | None], tuple[str, str | None] | None],
        act: Callable[[], None],
        nothing: str,
        title: str,
        message: str,
    ) -> None:
        """Run *act* (an undo or a redo) at once, or after a question when *preview* says it removes a task."""
        seen = preview(self.store.actor)
        if seen is None:
            self.notify(nothing, severity="warning")
            return
        summary, removes = seen
        if removes is None:
            act()
            return
        from actionplan.tui.screens.dialogs import ConfirmDialog

        self.push_screen(
            ConfirmDialog(title, message.format(summary=summary, task=removes), _("Remove it")),
            lambda yes: act() if yes else None,
        )

    def _undo(self) -> None:
        from actionplan.services import tasks

        summary = self.write(lambda: tasks.undo(self.store, self.store.actor))
        if summary:
            self.notify(_("Undone:") + f" {summary} · " + _("ctrl+y redoes it"))

    def _redo(self) -> None:
        from actionplan.services import tasks

        summary = self.write(lambda: tasks.redo(self.store, self.store.actor))
        if summary:
            self.notify(_("Redone:") + f" {summary}")

    def action_switch_language(self, lang: str) -> None:
        """Show the UI again in *lang*: its labels are read when its modules load, so it starts afresh."""
        self.exit(LanguageSwitch(lang, self.current_mode))

    def action_help(self) -> None:
        from actionplan.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_import_plan(self) -> None:
        """Ask for a plan file, validate it whole, import it (or say why not)."""
        from actionplan.tui.screens.prompt import TextPrompt

        def finish(path: str | None) -> None:
            if not path:
                return
            from actionplan.services.planfile import import_plan_files

            try:
                reports = import_plan_files(self.store, [path])
            except ActionPlanError as e:
                self.show_error(e, _("Nothing was imported"))
                return
            for r in reports:
                self.notify(
                    f"{r.plan}: {len(r.added)} "
                    + _("added")
                    + f", {len(r.changed)} "
                    + _("changed")
                    + f", {len(r.unchanged)} "
                    + _("unchanged")
                    + ("; " + _("not in the file:") + " " + ", ".join(r.missing) if r.missing else ""),
                    title=_("Imported"),
                    timeout=8,
                )
            self.data_changed()

        self.push_screen(
            TextPrompt(_("Import a plan file"), _("Path of the TOML plan file:"), "plans/", _("Import")), finish
        )

    def action_export_plan(self, key: str) -> None:
        """Ask where to write a plan file and write it."""
        from actionplan.tui.screens.prompt import TextPrompt

        def finish(path: str | None) -> None:
            if not path:
                return
            from actionplan.services.planfile import write_plan_file

            try:
                write_plan_file(self.store, key, path)
            except OSError as e:
                self.notify(
                    f"{path}: " + _("cannot write:") + f" {e.strerror or e}", title=_("Not exported"), severity="error"
                )
                return
            except ActionPlanError as e:
                self.show_error(e, _("Not exported"))
                return
            self.notify(_("Wrote") + f" {path}", title=_("Exported"))

        self.push_screen(
            TextPrompt(_("Export plan") + f" {key}", _("Write the plan file to:"), f"{key}.toml", _("Export")), finish
        )

    def action_digest(self) -> None:
        """Preview the status digest (for the plan shown on the task screen, else all plans)."""
        from actionplan.tui.screens.digest_preview import DigestPreview

        self.push_screen(DigestPreview(plans=(self.plan_key,) if self.plan_key else ()))

    def action_export_ical(self) -> None:
        """Write an .ics file of deadlines: for one agency (led or coordinated) or for everything."""
        from actionplan.tui.screens.prompt import TextPrompt

        def ask_path(org: str | None) -> None:
            org = (org or "").strip()
            if org:
                try:
                    org = self.store.resolve_org(org, "agency").key
                except StoreError as e:
                    self.notify(str(e), title=_("Not exported"), severity="error")
                    return
            default = f"deadlines-{org or 'all'}.ics"
            self.push_screen(
                TextPrompt(_("Export iCal reminders"), _("Write the .ics file to:"), default, _("Export")),
                lambda path: self._write_ical(org, path),
            )

        self.push_screen(
            TextPrompt(
                _("Export iCal reminders"),
                _("Agency whose tasks to export (led or coordinated; empty for all):"),
                "",
                _("Next"),
            ),
            ask_path,
        )

    def _write_ical(self, org: str, path: str | None) -> None:
        if not path:
            return
        from datetime import datetime

        from actionplan.calendar.ical import IcalOptions, export_calendar
        from actionplan.core.query import TaskFilter
        from actionplan.services.output import write_text

        f = TaskFilter(involving=[org] if org else [])
        try:
            text = export_calendar(self.store, f, IcalOptions(), now=datetime.now(UTC), today=self.today)
            write_text(path, text)
        except (OSError, ActionPlanError, ValueError) as e:
            self.notify(str(e), title=_("Not exported"), severity="error")
            return
        self.notify(
            _("Wrote") + f" {path}: " + str(text.count("BEGIN:VEVENT")) + " " + _("events"), title=_("iCal exported")
        )

    def action_switch_plan(self, key: str) -> None:
        self.plan_key = key
        self.show_tasks(plan=key)
