"""A new user: the sample plans ship with the package, and the first command shows them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from actionplan.services.config import sample_plan_paths
from actionplan.services.planfile import read_plan_file

ROOT = Path(__file__).resolve().parent.parent


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a user who never ran actionplan: no ACTIONPLAN_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACTIONPLAN_", "XDG_"))}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg-data"), **extra)
    return env


def test_both_sample_plans_are_found():
    paths = sample_plan_paths()
    assert sorted(p.name for p in paths) == ["cyber-2026.toml", "strategy-2030.toml"]
    assert {read_plan_file(p).plan.key for p in paths} == {"cyber-2026", "strategy-2030"}


def test_sample_plans_are_packaged_for_a_plain_install():
    """The wheel maps plans/ to actionplan.sample_plans; the package data must name the files."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["actionplan.sample_plans"] == "plans"
    assert "actionplan.sample_plans" in config["packages"]
    assert "*.toml" in config["package-data"]["actionplan.sample_plans"]
    assert (ROOT / "plans" / "__init__.py").exists(), "plans/ must be importable as a package"


def test_sample_plans_are_found_in_an_installed_layout(tmp_path):
    """Lay the package out as a wheel would (no plans/ beside it) and look the files up."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "actionplan", site / "actionplan", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "plans", site / "actionplan" / "sample_plans", ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import json; from actionplan.services.config import sample_plan_paths; "
        "print(json.dumps([str(p) for p in sample_plan_paths()]))"
    )
    env = clean_env(tmp_path, PYTHONPATH=str(site))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert out.returncode == 0, out.stderr
    found = [Path(p) for p in json.loads(out.stdout)]
    assert sorted(p.name for p in found) == ["cyber-2026.toml", "strategy-2030.toml"]
    assert all(site in p.parents for p in found), "found inside the installed package"


def test_first_list_creates_the_default_database_with_the_sample_plans(tmp_path):
    env = clean_env(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "actionplan", "list", "--as-of", "2026-11-26"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    database = tmp_path / "xdg-data" / "actionplan" / "actionplan.db"
    assert database.exists()
    assert f"Created {database} with the sample plans." in out.stderr
    assert "cyber-2026/" in out.stdout and "strategy-2030/" in out.stdout
    # the second run uses it, and does not seed twice
    again = subprocess.run(
        [sys.executable, "-m", "actionplan", "plans", "--as-of", "2026-11-26"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "Created" not in again.stderr
    assert [row.split()[0] for row in again.stdout.splitlines()[1:]] == ["cyber-2026", "strategy-2030"]
    count = subprocess.run(
        [sys.executable, "-m", "actionplan", "list", "--json", "--as-of", "2026-11-26"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    expected = sum(len(read_plan_file(p).tasks) for p in sample_plan_paths())
    assert count.stdout.count('"ref":') == expected, "every sample task once, not twice"


def test_the_vietnamese_catalogue_is_packaged_for_a_plain_install(tmp_path):
    """The compiled .mo ships as package data (no build step), and an installed copy speaks Vietnamese."""
    from fnmatch import fnmatch

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "actionplan.locale" in config["packages"]
    patterns = config["package-data"]["actionplan.locale"]
    locale = ROOT / "actionplan" / "locale"
    shipped = [p.relative_to(locale).as_posix() for p in locale.rglob("*") if p.suffix in (".mo", ".po", ".pot")]
    assert "vi/LC_MESSAGES/actionplan.mo" in shipped
    assert all(any(fnmatch(name, pattern) for pattern in patterns) for name in shipped)
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__", "*.po", "*.pot")  # only what the program loads
    shutil.copytree(ROOT / "actionplan", site / "actionplan", ignore=ignore)
    env = clean_env(tmp_path, PYTHONPATH=str(site))
    out = subprocess.run(
        [sys.executable, "-m", "actionplan", "--lang", "vi", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "Cách dùng:" in out.stdout and "Theo dõi kế hoạch hành động của Ban Chỉ đạo" in out.stdout
