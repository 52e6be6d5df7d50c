"""What the reliability tests share: running the CLI, naming its commands, waiting for another process, comparing databases.

They drive whole processes or the CLI, the way a committee office would meet the problem.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.services.config import seed_samples
from actionplan.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ROOT / "benchmarks"))  # generate.py: the synthetic plans
sys.path.insert(0, str(FIXTURES))  # make_schema_fixtures.py: what each fixture must still hold

CONFLICT = "changed by someone else since you read it"


def run_cli(*args: str, input: str | None = None):
    """The CLI in this process; an unexpected exception fails the test instead of being caught."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, input=input)


def wait_until(condition, what: str, timeout: float = 30.0, every: float = 0.005) -> None:
    """Poll *condition* until it holds (a bounded loop: fails after *timeout* seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def content_digest(path: Path) -> str:
    """A digest of everything the database holds, except the iCal event cache (a cache)."""
    conn = sqlite3.connect(path)
    try:
        lines = [line for line in conn.iterdump() if "ical_cache" not in line]
    finally:
        conn.close()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def make_sample_db(path: Path) -> Path:
    s = Store(path, actor="secretary")
    seed_samples(s)
    s.close()
    return path


def copy_of(template: Path, target: Path) -> Path:
    # a write-ahead log left by the previous example would not match the new copy: remove it first
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def command_paths() -> list[list[str]]:
    """Every command and subcommand of the CLI, as the words that name it (``["feeds", "add"]``)."""
    import click

    from actionplan.cli.main import cli

    paths: list[list[str]] = []

    def walk(group: click.Group, prefix: list[str]) -> None:
        for name, command in group.commands.items():
            paths.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])

    walk(cli, [])
    return paths
