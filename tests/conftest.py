"""Shared fixtures: a database holding the sample plans, seen on a fixed day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from actionplan.services.config import seed_samples
from actionplan.store import Store

#: "Today" in every test: the sample plans were written as of late November 2026.
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Ha Noi


class Clock:
    """A clock the test moves by hand; history timestamps come from it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "committee.db"


@pytest.fixture
def empty_store(db_path: Path, clock: Clock) -> Store:
    store = Store(db_path, actor="secretary", clock=clock)
    yield store
    store.close()


@pytest.fixture
def sample_store(db_path: Path, clock: Clock) -> Store:
    store = Store(db_path, actor="secretary", clock=clock)
    seed_samples(store)
    yield store
    store.close()


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never touch the user's real database or identity, nor write into the checkout."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ACTIONPLAN_DB", str(tmp_path / "default.db"))
    monkeypatch.setenv("ACTIONPLAN_USER", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    # English unless a test asks for Vietnamese: the developer's own locale must not leak in
    for name in ("ACTIONPLAN_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(autouse=True)
def _english_again() -> None:
    """The language is process-wide: every test starts (and ends) in English."""
    from actionplan.core import i18n

    i18n.set_language("en", explicit=False)
    yield
    i18n.set_language("en", explicit=False)


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plans in a database, made once; tests work on copies."""
    from tests.processes import make_sample_db

    return make_sample_db(tmp_path_factory.mktemp("template") / "template.db")
