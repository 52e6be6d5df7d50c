"""Baselines: save a plan's promises under a name, list them, show one, pick the report's default.

A baseline freezes each task's deadline, expected output and lead as they stand
(for example when the committee approves the plan: "approved 2026-04-28").  It is
never changed after it is saved: saving a name a plan already has is refused, and
the database itself refuses to update or delete a saved baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from actionplan.core.baseline import Baseline
from actionplan.core.errors import NotFoundError, ValidationError
from actionplan.core.i18n import _
from actionplan.core.text import clean_line
from actionplan.store import Store

MAX_NAME = 120


def baseline_name(text: str) -> str:
    """A baseline name as typed, cleaned; empty or over-long names are refused."""
    name = clean_line(text or "").strip()
    if not name:
        raise ValidationError(_('a baseline needs a name, for example "approved 2026-04-28"'), "baseline")
    if len(name) > MAX_NAME:
        raise ValidationError(_("a baseline name has at most") + f" {MAX_NAME} " + _("characters"), "baseline")
    return name


def save_baselines(store: Store, name: str, plans: Sequence[str] = (), source: str = "") -> list[Baseline]:
    """Save baseline *name* for the given plans (all plans when none are given), all or nothing."""
    name = baseline_name(name)
    keys = list(dict.fromkeys(plans)) or [p.key for p in store.list_plans()]
    if not keys:
        raise NotFoundError(_("there is no plan to save a baseline of (import a plan file first)"))
    with store.write():  # one transaction: a refusal for one plan saves none
        return [store.save_baseline(key, name, source) for key in keys]


def save_after_import(store: Store, name: str, plan_keys: Iterable[str], files: Sequence[str]) -> list[Baseline]:
    """The baseline named with ``import --baseline``: every plan the files hold, as just imported."""
    return save_baselines(store, name, list(plan_keys), source=", ".join(str(f) for f in files))


def check_import_baseline(store: Store, name: str, files: Sequence[str]) -> str:
    """Refuse, before an import writes anything, a baseline name a plan of the files already has.

    Only the ``[plan] key`` of each file is read here; a file that cannot be read is
    left to the import, which names its problems.
    """
    import tomllib

    keys = []
    for path in files:
        try:
            with open(path, "rb") as fh:
                key = tomllib.load(fh).get("plan", {}).get("key")
        except (OSError, tomllib.TOMLDecodeError, AttributeError):
            continue
        if isinstance(key, str):
            keys.append(key)
    return check_new_name(store, name, keys)


def check_new_name(store: Store, name: str, plan_keys: Iterable[str]) -> str:
    """Refuse a baseline name one of the plans already has (a plan not in the database yet has none)."""
    name = baseline_name(name)
    for key in plan_keys:
        try:
            saved = [b.name for b in store.list_baselines(key)]
        except NotFoundError:
            continue  # a plan the import will add
        if name in saved:
            raise ValidationError(
                _("plan") + f' "{key}" ' + _("already has a baseline named") + f' "{name}"', "--baseline"
            )
    return name


def list_baselines(store: Store, plan: str | None = None) -> list[Baseline]:
    return store.list_baselines(plan)


def show_baseline(store: Store, name: str, plan: str | None = None) -> list[Baseline]:
    """Baseline *name* with its tasks: of one plan, or of every plan that saved that name."""
    if plan:
        return [store.get_baseline(plan, name)]
    found = [store.get_baseline(b.plan, b.name) for b in store.list_baselines() if b.name == name]
    if not found:
        known = sorted({b.name for b in store.list_baselines()})
        raise NotFoundError(
            _("no baseline") + f' "{name}" (' + _("saved: ") + (", ".join(known) or _("none saved yet")) + ")"
        )
    return found


def report_baseline(store: Store, plan: str, name: str | None = None) -> Baseline | None:
    """The baseline a report compares with: the one named, else the earliest saved for the plan."""
    if name:
        return store.get_baseline(plan, name)
    return store.first_baseline(plan)
