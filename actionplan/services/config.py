"""Where the database lives, and opening it (seeded with the sample plans on first use)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actionplan.core.i18n import _

APP_NAME = "actionplan"


@dataclass
class DatabaseChoice:
    path: Path
    is_default: bool


def default_db_path() -> Path:
    """A file in the user's data directory (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "actionplan.db"


def choose_db(option: str | None) -> DatabaseChoice:
    """``--db PATH``, else ``$ACTIONPLAN_DB``, else the default file."""
    if option:
        return DatabaseChoice(Path(option).expanduser(), False)
    env = os.environ.get("ACTIONPLAN_DB")
    if env:
        return DatabaseChoice(Path(env).expanduser(), False)
    return DatabaseChoice(default_db_path(), True)


def sample_plan_paths() -> list[Path]:
    """The sample plan files shipped with the package (works for wheel and editable installs)."""
    from importlib import resources

    try:
        folder = resources.files("actionplan.sample_plans")
        found = sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))
        if found:
            return found
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    here = Path(__file__).resolve().parents[2] / "plans"
    return sorted(here.glob("*.toml"))


def open_store(choice: DatabaseChoice, actor: str | None = None, *, seed_new_default: bool = True, clock=None):
    """Open the chosen database; a new default database is filled with the sample plans."""
    from actionplan.store import Store

    is_new = not choice.path.exists()
    if is_new:
        choice.path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"actor": actor}
    if clock is not None:
        kwargs["clock"] = clock
    store = Store(choice.path, **kwargs)
    if is_new and choice.is_default and seed_new_default:
        seed_samples(store)
        print(_("Created") + f" {choice.path} " + _("with the sample plans."), file=sys.stderr)
    return store


def seed_samples(store) -> list:
    """Import the sample plans into *store*."""
    from actionplan.services.planfile import import_plan_files

    return import_plan_files(store, sample_plan_paths())
