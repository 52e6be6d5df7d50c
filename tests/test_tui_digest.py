"""The digest preview (`g`), driven with Pilot: what staff see before they send a digest."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, Markdown, Static

from actionplan.digest.data import DEFAULT_LIMIT, DigestOptions, build_digest
from actionplan.digest.render import render
from actionplan.store import Store
from actionplan.tui.app import ActionPlanApp
from actionplan.tui.screens import digest_preview
from actionplan.tui.screens.digest_preview import DigestPreview

TODAY = date(2026, 11, 26)


def expected(store: Store, fmt: str) -> str:
    return render(build_digest(store, DigestOptions(as_of=TODAY, limit=DEFAULT_LIMIT)), fmt)


@asynccontextmanager
async def preview(store: Store):
    """The app at 80x24 with the digest preview open (g): yields (pilot, preview screen)."""
    app = ActionPlanApp(store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, DigestPreview)
        yield pilot, app.screen


async def test_g_previews_the_digest_as_markdown_and_f_switches_to_plain_text(sample_store: Store) -> None:
    async with preview(sample_store) as (pilot, screen):
        assert screen.text == expected(sample_store, "md")
        assert screen.query_one("#digest-md", Markdown).display
        assert "Markdown" in str(screen.query_one("#digest-info", Static).render())
        await pilot.press("f")
        await pilot.pause()
        assert screen.text == expected(sample_store, "text")
        assert screen.query_one("#digest-text", Static).display
        assert not screen.query_one("#digest-md", Markdown).display
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, DigestPreview)


async def test_a_long_digest_opens_as_plain_text_at_once(sample_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's Markdown widget takes seconds to draw a digest of 100 plans: long ones open as text."""
    monkeypatch.setattr(digest_preview, "MARKDOWN_PREVIEW_LINES", 20)
    async with preview(sample_store) as (pilot, screen):
        assert screen.text == expected(sample_store, "text")
        assert screen.query_one("#digest-text", Static).display
        assert "plain text (long; f: Markdown)" in str(screen.query_one("#digest-info", Static).render())
        await pilot.press("f")  # the user asks for Markdown anyway
        await pilot.pause()
        assert screen.text == expected(sample_store, "md") and screen.query_one("#digest-md", Markdown).display


async def test_s_saves_the_digest_as_html_and_records_it(sample_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "committee-digest.html"
    async with preview(sample_store) as (pilot, _screen):
        await pilot.press("s")
        await pilot.pause()
        answer = pilot.app.screen.query_one("#answer", Input)
        answer.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    assert target.read_text(encoding="utf-8") == expected(sample_store, "html")
    assert sample_store.last_digest() is not None  # --since-last starts from it
