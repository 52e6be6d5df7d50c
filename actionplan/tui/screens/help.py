"""Help: every key binding of the app, its screens and dialogs, and the filter language.

The key lists are generated from the ``BINDINGS`` of the classes themselves,
so the help never drifts from the keys the app really has.  Modules are
imported lazily, and one that does not import (not written yet, or broken)
is skipped rather than breaking the help.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType

from rich.console import Console
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.keys import format_key
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from actionplan.core.i18n import _
from actionplan.tui.widgets.footer import FittingFooter

#: Modules whose bindings are listed first, in this order, with the group title they get
#: when their classes set no HELP_TITLE.  Anything else with bindings under
#: actionplan.tui.screens and actionplan.tui.widgets follows.
KNOWN_MODULES: tuple[tuple[str, str], ...] = (
    ("actionplan.tui.app", _("Everywhere")),
    ("actionplan.tui.screens.dashboard", _("Dashboard")),
    ("actionplan.tui.screens.tasks", _("Tasks")),
    ("actionplan.tui.screens.accountability", _("Agencies")),
    ("actionplan.tui.widgets.timeline_widgets", _("Timeline")),
    ("actionplan.tui.screens.timeline", _("Timeline")),
    ("actionplan.tui.screens.editor", _("Task editor")),
    ("actionplan.tui.screens.dialogs", _("Dialogs")),
    ("actionplan.tui.screens.help", _("Help")),
)
SCANNED_PACKAGES = ("actionplan.tui.screens", "actionplan.tui.widgets")
KEY_COLUMN = 16

#: How keys read in the help (the Footer uses symbols such as ⏎; here we spell them out).
KEY_NAMES = {
    "enter": "enter",
    "escape": "esc",
    "delete": "del",
    "backspace": "backspace",
    "tab": "tab",
    "space": "space",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "home": "home",
    "end": "end",
}


@dataclass
class HelpLine:
    keys: str
    description: str
    hidden: bool = False  # not shown in the Footer


@dataclass
class HelpSection:
    """The keys of one screen, dialog or widget."""

    title: str
    lines: list[HelpLine] = field(default_factory=list)


def key_name(key: str) -> str:
    """One key as people read it: "ctrl+s", "?", "[", "enter", "f1"."""
    *modifiers, base = key.strip().split("+")
    if base in KEY_NAMES:
        name = KEY_NAMES[base]
    else:
        shown = format_key(base)
        name = shown if len(shown) == 1 else base
    return "+".join([*modifiers, name])


def binding_keys(binding: Binding) -> str:
    """Every key of a binding ("escape,q" -> "esc / q"), the declared key_display first."""
    keys = [key_name(k) for k in binding.key.split(",") if k.strip()]
    if binding.key_display:
        keys = [binding.key_display] + [k for k in keys[1:] if k != binding.key_display]
    seen: list[str] = []
    for k in keys:
        if k not in seen:
            seen.append(k)
    return " / ".join(seen)


def as_binding(item: BindingType) -> Binding:
    return item if isinstance(item, Binding) else Binding(*item)


def own_bindings(cls: type) -> list[Binding]:
    """The bindings a class declares itself (not those it inherits)."""
    return [as_binding(b) for b in cls.__dict__.get("BINDINGS", ())]


def humanise(name: str) -> str:
    """ "EvidenceDialog" -> "Evidence dialog"."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)
    if not words:
        return name
    return " ".join([words[0]] + [w.lower() if not w.isupper() else w for w in words[1:]])


def _classes_with_bindings(module: ModuleType) -> list[type]:
    """Widgets, screens and apps of a module that declare bindings, in source order."""
    found = [
        obj
        for _name, obj in inspect.getmembers(module, inspect.isclass)
        if obj.__module__ == module.__name__ and issubclass(obj, DOMNode) and obj.__dict__.get("BINDINGS")
    ]
    return sorted(found, key=_source_line)


def _source_line(cls: type) -> int:
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return 0


def _import(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except Exception:  # a module not written yet, or broken: the rest of the help still works
        return None


def _module_names() -> list[str]:
    names = [name for name, _title in KNOWN_MODULES]
    extra: list[str] = []
    for package_name in SCANNED_PACKAGES:
        package = _import(package_name)
        if package is None or not hasattr(package, "__path__"):
            continue
        for info in pkgutil.iter_modules(package.__path__):
            full = f"{package_name}.{info.name}"
            if full not in names:
                extra.append(full)
    return names + sorted(extra)


def section_for(cls: type, title: str, lines_first: Iterable[HelpLine] = ()) -> HelpSection:
    """The keys a class declares, under *title*."""
    section = HelpSection(title=title, lines=list(lines_first))
    for binding in own_bindings(cls):
        section.lines.append(
            HelpLine(binding_keys(binding), binding.description or binding.action, hidden=not binding.show)
        )
    return section


def _title(cls: type, module_name: str, classes: list[type]) -> str:
    """The group a class's keys go under: its screen's title, so a screen and its widgets read together."""
    if "HELP_TITLE" in cls.__dict__:
        return cls.__dict__["HELP_TITLE"]
    screens = [c for c in classes if issubclass(c, (Screen, App))]
    known = dict(KNOWN_MODULES).get(module_name)
    if issubclass(cls, (Screen, App)):
        if any(c is not cls and issubclass(c, cls) for c in classes):
            return _("Every dialog") if "dialog" in cls.__name__.lower() else _("Every") + " " + humanise(cls.__name__)
        if len(screens) == 1 and known:
            return known
        return humanise(cls.__name__)
    if len(screens) == 1:
        return _title(screens[0], module_name, classes)
    return known or humanise(cls.__name__)


def binding_sections() -> list[HelpSection]:
    """Every key binding of the app, its screens, dialogs and widgets, grouped by where it works."""
    sections: list[HelpSection] = []
    for name in _module_names():
        module = _import(name)
        if module is None:
            continue
        classes = _classes_with_bindings(module)
        for cls in classes:
            extra: list[HelpLine] = []
            if issubclass(cls, App) and cls.ENABLE_COMMAND_PALETTE:
                extra.append(
                    HelpLine(
                        key_name(cls.COMMAND_PALETTE_BINDING),
                        _("Command palette: import, export, switch plan and more"),
                    )
                )
            section = section_for(cls, _title(cls, name, classes), extra)
            same = next((s for s in sections if s.title == section.title), None)
            if same is None:
                sections.append(section)
            else:
                known = {(line.keys, line.description) for line in same.lines}
                same.lines.extend(line for line in section.lines if (line.keys, line.description) not in known)
    return sections


def filter_terms() -> tuple[str, list[tuple[str, str]]]:
    """The example and the terms of the filter language, read from the docstring of actionplan.core.query."""
    module = _import("actionplan.core.query")
    doc = (module.__doc__ if module else "") or ""
    example = next((line.strip() for line in doc.splitlines() if "lead:" in line and "status:" in line), "")
    terms: list[tuple[str, str]] = []
    for line in doc.replace("``", "").splitlines():
        stripped = line.strip()
        if stripped.startswith("* "):
            term, _sep, description = stripped[2:].partition("  ")
            terms.append((term.strip(), description.strip()))
        elif stripped and terms and line.startswith(" "):
            term, description = terms[-1]
            terms[-1] = (term, f"{description} {stripped}")
    return example, terms


def filter_language() -> Table:
    """The filter language as the help shows it."""
    example, terms = filter_terms()
    table = two_columns(terms)
    if example:
        grid = Table.grid()
        grid.add_row(Text.assemble((_("Example:") + " ", "dim"), (example, "bold")))
        grid.add_row(table)
        return grid
    return table


def two_columns(rows: Iterable[tuple[str, str | Text]]) -> Table:
    """Keys or terms in a bold column, descriptions beside them (wrapped with a hanging indent)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(width=KEY_COLUMN, style="bold", overflow="fold")
    table.add_column(ratio=1)
    for left, right in rows:
        table.add_row(Text(left), right if isinstance(right, Text) else Text(right))
    return table


def deadline_forms() -> str:
    module = _import("actionplan.core.dates")
    forms = getattr(module, "ACCEPTED_FORMS", ()) if module else ()
    return ", ".join(forms)


def section_table(section: HelpSection) -> Table:
    """The lines of a section: keys in a column, then the description."""
    rows = []
    for line in section.lines:
        description = Text(line.description)
        if line.hidden:
            description.append("  " + _("(not in the footer)"), style="dim")
        rows.append((line.keys, description))
    return two_columns(rows)


def plain(renderable: object, width: int = 1000) -> str:
    """What a renderable reads as, without styles (wide, so nothing wraps)."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


class HelpScreen(ModalScreen[None]):
    """Every key of the app, grouped by screen; the filter language and the deadline forms."""

    HELP_TITLE = _("Help")

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen #help-dialog {
        width: 100%;
        max-width: 100;
        height: 100%;
        max-height: 40;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-body {
        height: 1fr;
    }
    HelpScreen .help-title {
        text-style: bold;
        color: $accent;
        margin-top: 1;
    }
    HelpScreen .help-text {
        padding-left: 2;
    }
    """

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "close", _("Close help"), key_display="esc"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[HelpSection] = []

    def compose(self) -> ComposeResult:
        self.sections = binding_sections()
        with Vertical(id="help-dialog") as dialog:
            dialog.border_title = _("Help: keys, filters, deadlines")
            dialog.border_subtitle = _("esc / q / ? close · ↑↓ pgup pgdn scroll")
            with VerticalScroll(id="help-body"):
                yield Static(
                    _(
                        "Press 1-4 to switch screens; click a row to open it. "
                        "Keys marked (not in the footer) work all the same."
                    ),
                    classes="help-text",
                )
                for section in self.sections:
                    yield Static(section.title, classes="help-title")
                    yield Static(section_table(section), classes="help-text")
                yield Static(_("Filter language (tasks screen, / to filter)"), classes="help-title")
                yield Static(filter_language(), classes="help-text")
                yield Static(_("Deadlines can be written as"), classes="help-title")
                yield Static(Text(deadline_forms()), classes="help-text")
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def plain_text(self) -> str:
        """Everything the help shows, as plain text (for tests and debugging)."""
        parts = []
        for static in self.query(Static):
            content = static.content
            parts.append(content.plain if isinstance(content, Content) else plain(content))
        return "\n".join(parts)
