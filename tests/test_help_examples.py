"""The examples of ``--help`` work when copied: each one that changes the database runs on the sample plans."""

from __future__ import annotations

import itertools
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from tests.processes import command_paths, copy_of

#: Commands whose examples change the database and need nothing but it (no mail server, no network).
WRITES = {"add", "set", "done", "note", "reminders", "calendar-settings", "feeds add", "baseline save"}
#: The Vietnamese `feeds add` example names a person as a Vietnamese committee's tasks write it
#: ("Bộ trưởng Bộ Công an"); the sample plans write the names in English.
NAMES_IN_VIETNAMESE = {"feeds add"}
HEADERS = {"en": ("Examples:", "Example:"), "vi": ("Ví dụ:",)}


def examples(lang: str) -> list[tuple[str, list[str]]]:
    """Every example line of every command's help (continued lines joined), as the words a shell passes."""
    found: list[tuple[str, list[str]]] = []
    for path in command_paths():
        lines = CliRunner().invoke(cli, ["--lang", lang, *path, "--help"]).stdout.splitlines()
        for i, line in enumerate(lines):
            if line.strip() not in HEADERS[lang]:
                continue
            block = "\n".join(line.strip() for line in itertools.takewhile(str.strip, lines[i + 1 :]))
            for example in block.replace("\\\n", " ").splitlines():
                words = shlex.split(example, comments=True)
                if words[:1] == ["actionplan"]:
                    found.append((" ".join(path), words[1:]))
    return found


def _writing(lang: str) -> list[list[str]]:
    skipped = NAMES_IN_VIETNAMESE if lang == "vi" else set()
    return [args for command, args in examples(lang) if command in WRITES - skipped]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_every_example_that_changes_the_database_works_on_the_sample_plans(
    lang: str, template_db: Path, tmp_path: Path
) -> None:
    ran = 0
    for args in _writing(lang):
        db = copy_of(template_db, tmp_path / "committee.db")
        result = CliRunner().invoke(cli, ["--lang", lang, "--db", str(db), *args])
        assert result.exit_code == 0, (args, result.output)
        ran += 1
    commands = {command for command, _args in examples(lang)}
    assert WRITES <= commands  # each of them still has an example
    assert ran >= len(WRITES - (NAMES_IN_VIETNAMESE if lang == "vi" else set()))


def test_the_done_example_closes_an_open_task(template_db: Path, tmp_path: Path) -> None:
    [args] = [args for command, args in examples("en") if command == "done"]
    db = copy_of(template_db, tmp_path / "committee.db")
    shown = CliRunner().invoke(cli, ["--db", str(db), "show", args[1], "--json"])
    assert '"status": "done"' not in shown.stdout, "the example's task is already done in the sample plans"
    assert CliRunner().invoke(cli, ["--db", str(db), *args]).exit_code == 0
