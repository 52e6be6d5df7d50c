"""Run the terminal UI, and run it again in another language when the user switches.

The screens read their labels (key bindings, column headings) when their modules are
imported, so a language switch from the command palette ends the app, drops the UI's
modules and imports them afresh in the new language, then opens the same screen again.
"""

from __future__ import annotations

import sys
from datetime import date

from actionplan.core.i18n import LanguageSwitch, set_language
from actionplan.store import Store


def forget_ui_modules() -> None:
    """Drop the UI's modules, so the next import reads every label in the current language."""
    for name in [n for n in sys.modules if n == "actionplan.tui" or n.startswith("actionplan.tui.")]:
        if name != __name__:
            del sys.modules[name]


def run_ui(store: Store, today: date | None = None) -> None:
    mode: str | None = None
    while True:
        from actionplan.tui.app import ActionPlanApp

        if mode:
            ActionPlanApp.DEFAULT_MODE = mode  # a fresh class: its modules were just imported again
        result = ActionPlanApp(store, today=today).run()
        if not isinstance(result, LanguageSwitch):
            return
        set_language(result.lang)
        forget_ui_modules()
        mode = result.mode
