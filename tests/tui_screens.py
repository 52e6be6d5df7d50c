"""Render terminal-UI screens as text in a fresh process (run by tests/test_tui_vietnamese.py).

The UI reads its labels when its modules are imported, so a screen in another language
needs a process of its own: ``python tests/tui_screens.py DB LANG`` prints a JSON object
of screen name → the screen's text at 80x24, on the sample plans' fixed day.  With
``switch`` as a third argument it opens the tasks screen in LANG, switches language from
the command palette and prints the screen the UI reopens on.  With ``filter QUERY`` it opens
the tasks screen, types QUERY into the ``/`` box and prints the plan shown and the task refs listed.
With ``placeholders`` it opens the new-task editor and prints each empty field's placeholder
with its width and the width of its box.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from pathlib import Path

from actionplan.core.i18n import LanguageSwitch, set_language
from actionplan.store import Store

TODAY = date(2026, 11, 26)
SCREENS = {
    "dashboard": [],
    "tasks": ["2", "down", "down"],
    "editor": ["2", "e"],
    "help": ["question_mark"],
    "agencies": ["3"],
    "timeline": ["4"],
}
#: The command palette: every entry it offers (not only those on screen), and what it says
#: when nothing matches.
PALETTE = {"palette": ["2", "ctrl+p"], "palette-nothing": ["ctrl+p", *"zzqx"]}


async def _text(app, keys: list[str]) -> str:
    from textual.widgets import Input, TextArea

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        for widget in app.screen.query(TextArea):
            widget.cursor_blink = False
        for _ in range(3):
            await pilot.pause()
        text = "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())
        if keys[-1:] == ["ctrl+p"]:
            from textual.command import CommandList

            await pilot.pause(0.3)  # the palette gathers its entries asynchronously
            entries = app.screen.query_one(CommandList)
            text += "\n" + "\n".join(str(entries.get_option_at_index(i).prompt) for i in range(entries.option_count))
        if keys[-1:] == ["x"]:
            await pilot.pause(1.0)  # "no matches" shows after half a second
            text = "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips())
        return text


async def _placeholders(store: Store) -> list[dict[str, object]]:
    """The new-task editor at 80x24: each empty field's placeholder and the cells its box has for it."""
    from rich.cells import cell_len
    from textual.widgets import Input

    from actionplan.tui.app import ActionPlanApp

    app = ActionPlanApp(store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "n")
        for _ in range(3):
            await pilot.pause()
        return [
            {"id": w.id, "placeholder": w.placeholder, "cells": cell_len(w.placeholder), "width": w.content_size.width}
            for w in app.screen.query(Input)
            if w.placeholder and not w.value
        ]


async def _switch(store: Store, lang: str) -> dict[str, str]:
    from actionplan.tui.app import ActionPlanApp
    from actionplan.tui.launch import forget_ui_modules

    app = ActionPlanApp(store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "ctrl+p")
        await pilot.pause()
        await pilot.press(*("English" if lang == "vi" else "Tiếng Việt"), "enter")
        for _ in range(3):
            await pilot.pause()
    result = app.return_value
    assert isinstance(result, LanguageSwitch), result
    set_language(result.lang)
    forget_ui_modules()
    from actionplan.tui.app import ActionPlanApp as Reloaded

    Reloaded.DEFAULT_MODE = result.mode
    again = Reloaded(store, today=TODAY)
    return {"switched_to": result.lang, "mode": result.mode, "screen": await _text(again, [])}


async def _filter(store: Store, query: str) -> dict[str, object]:
    from textual.widgets import DataTable

    from actionplan.tui.app import ActionPlanApp

    app = ActionPlanApp(store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("slash", *query)
        for _ in range(3):
            await pilot.pause()
        table = app.screen.query_one("#table", DataTable)
        status = str(app.screen.query_one("#filter-status").render())
        refs = [str(row.key.value) for row in table.ordered_rows]
        return {"plan": app.screen.plan, "refs": refs, "status": status}


def main() -> None:
    db, lang = Path(sys.argv[1]), sys.argv[2]
    set_language(lang)
    store = Store(db, actor="secretary")
    if sys.argv[3:4] == ["filter"]:
        print(json.dumps(asyncio.run(_filter(store, sys.argv[4])), ensure_ascii=False))
        return
    if sys.argv[3:] == ["placeholders"]:
        print(json.dumps(asyncio.run(_placeholders(store)), ensure_ascii=False))
        return
    if sys.argv[3:] == ["switch"]:
        print(json.dumps(asyncio.run(_switch(store, lang)), ensure_ascii=False))
        return
    from actionplan.tui.app import ActionPlanApp

    every = SCREENS | PALETTE
    screens = {name: asyncio.run(_text(ActionPlanApp(store, today=TODAY), keys)) for name, keys in every.items()}
    print(json.dumps(screens, ensure_ascii=False))


if __name__ == "__main__":
    main()
