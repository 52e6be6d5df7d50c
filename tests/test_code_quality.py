"""The code keeps the project's standards: ruff finds nothing, ruff's format holds, mypy finds nothing.

Run through the README's test command, so CI checks them with the tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["actionplan", "tests", "benchmarks"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "--no-cache", *CHECKED], ["ruff", "format", "--check", "--no-cache", *CHECKED]],
    ids=["ruff check", "ruff format"],
)
def test_ruff_finds_nothing(command: list[str]) -> None:
    result = run(*command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing() -> None:
    result = run("mypy", "actionplan")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found"), result.stdout
