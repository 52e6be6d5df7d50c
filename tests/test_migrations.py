"""A database from an older release migrates forward without losing anything."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from actionplan.store import Store
from actionplan.store import schema as store_module
from tests.processes import FIXTURES, run_cli

# --- an old database migrates forward ----------------------------------------------------------------

FIXTURE_SCHEMAS = sorted(int(p.stem.split("-")[1]) for p in FIXTURES.glob("schema-*.db"))


def test_there_is_a_fixture_for_every_released_schema() -> None:
    assert FIXTURE_SCHEMAS == list(range(1, store_module.SCHEMA_VERSION + 1)), (
        "run tests/fixtures/make_schema_fixtures.py and commit the new schema-N.db (git add -f)"
    )


@pytest.mark.parametrize("schema", FIXTURE_SCHEMAS)
def test_a_database_of_an_older_schema_migrates_forward_without_loss(schema: int, tmp_path: Path) -> None:
    from make_schema_fixtures import expected_content

    db = tmp_path / f"old-{schema}.db"
    shutil.copyfile(FIXTURES / f"schema-{schema}.db", db)  # never touch the committed file
    expected = json.loads((FIXTURES / f"schema-{schema}.json").read_text(encoding="utf-8"))
    with Store(db, actor="secretary") as s:
        assert s.schema_version == store_module.SCHEMA_VERSION
        assert s.integrity_problems() == []
        assert expected_content(s) == expected
        # and the migrated database takes new work
        task = s.get_task("cyber-2026/2")
        s.add_note(task.ref, "after the upgrade", 65)
        s.record_digest(date(2026, 11, 26), None, {})
        assert s.last_digest() is not None
    result = run_cli("--db", str(db), "show", "cyber-2026/2")
    assert result.exit_code == 0 and "after the upgrade" in result.output
