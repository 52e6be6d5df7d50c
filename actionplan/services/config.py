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
    """``--db PATH``, else ``$ACTIONPLAN_DB``, else the default file.

    An empty name, ``:memory:`` (SQLite's database that vanishes when the command ends) and a
    name with a NUL byte are refused: each would silently lose or misplace the user's work.
    """
    if option is not None:
        return DatabaseChoice(_usable_db_path(option, "--db"), False)
    env = os.environ.get("ACTIONPLAN_DB")
    if env is not None and env != "":
        return DatabaseChoice(_usable_db_path(env, "ACTIONPLAN_DB"), False)
    return DatabaseChoice(default_db_path(), True)


def _usable_db_path(text: str, where: str) -> Path:
    from actionplan.core.errors import DatabaseError

    if not text.strip():
        raise DatabaseError(_("an empty database name; give the path of a database file"), where)
    if text.strip() == ":memory:" or text.startswith("file:"):
        raise DatabaseError(
            f'"{text}": ' + _("is not a database file; an in-memory database would be lost when the command ends"),
            where,
        )
    if "\x00" in text:
        raise DatabaseError(f"{text!r}: " + _("not a usable file name"), where)
    path = Path(text).expanduser()
    try:  # a name too long for the file system, or a loop of links: refused before anything opens it
        path.exists()
    except OSError as e:
        raise DatabaseError(f"{text}: " + _("not a usable file name") + f" ({e.strerror or e})", where) from None
    return path


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


def open_store(
    choice: DatabaseChoice, actor: str | None = None, *, seed_new_default: bool = True, clock=None, **options
):
    """Open the chosen database; a new default database is filled with the sample plans.

    *options* go to :class:`~actionplan.store.Store` (``on_wait``, ``lock_wait``, ``adopt_empty``).
    """
    from actionplan.store import Store

    is_new = not choice.path.exists()
    if is_new:
        choice.path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"actor": actor, **options}
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
