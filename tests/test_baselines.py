"""Baselines: saved once under a name, never changed, read back as they were."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.core.errors import NotFoundError, ValidationError
from actionplan.services.baselines import report_baseline, save_baselines, show_baseline
from actionplan.store import Store

NAME = "approved 2026-04-28"


def test_a_baseline_freezes_each_task_as_it_stood(sample_store: Store) -> None:
    [saved] = save_baselines(sample_store, NAME, ["cyber-2026"])
    task = sample_store.get_task("cyber-2026/2.3")
    sample_store.update_task(task.ref, {"deadline": date(2027, 3, 31), "output": "Changed output"}, task.version)

    [shown] = show_baseline(sample_store, NAME)
    line = shown.by_key()["2.3"]
    assert (line.deadline, line.lead, line.output) == (
        date(2026, 12, 31),
        "MPS",
        "Draft decree and explanatory report sent to the Ministry of Justice for appraisal",
    )
    assert shown.task_count == len(sample_store.task_keys("cyber-2026")) == saved.task_count
    assert [t.key for t in shown.tasks][:3] == ["1", "1.1", "1.2"]


def test_a_second_save_of_the_same_name_is_refused_and_changes_nothing(sample_store: Store) -> None:
    save_baselines(sample_store, NAME, ["cyber-2026"])
    task = sample_store.get_task("cyber-2026/2.3")
    sample_store.update_task(task.ref, {"deadline": date(2027, 3, 31)}, task.version)
    with pytest.raises(ValidationError, match="already has a baseline named"):
        save_baselines(sample_store, NAME, ["cyber-2026"])
    assert sample_store.get_baseline("cyber-2026", NAME).by_key()["2.3"].deadline == date(2026, 12, 31)


def test_saving_for_every_plan_is_all_or_nothing(sample_store: Store) -> None:
    save_baselines(sample_store, NAME, ["strategy-2030"])
    with pytest.raises(ValidationError):
        save_baselines(sample_store, NAME)  # cyber-2026 would be new, strategy-2030 has it
    assert [b.plan for b in sample_store.list_baselines()] == ["strategy-2030"]


def test_the_database_refuses_to_change_or_delete_a_saved_baseline(sample_store: Store, db_path) -> None:
    save_baselines(sample_store, NAME, ["cyber-2026"])
    conn = sqlite3.connect(db_path)
    statements = [
        "UPDATE baselines SET name = 'other'",
        "DELETE FROM baselines",
        "UPDATE baseline_tasks SET deadline = '2030-01-01'",
        "DELETE FROM baseline_tasks",
    ]
    for sql in statements:
        with pytest.raises(sqlite3.IntegrityError, match="never"):
            conn.execute(sql)
    conn.close()
    assert sample_store.get_baseline("cyber-2026", NAME).by_key()["1"].deadline == date(2026, 4, 30)


def test_no_line_can_be_added_to_an_older_baseline(sample_store: Store, db_path) -> None:
    save_baselines(sample_store, NAME, ["cyber-2026"])
    save_baselines(sample_store, "revised", ["cyber-2026"])
    first = sample_store.get_baseline("cyber-2026", NAME)
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        conn.execute(
            "INSERT INTO baseline_tasks(baseline_id, task_key, title, lead) VALUES (?, '99', 'x', 'MPS')", (first.id,)
        )
    conn.close()


def test_the_default_for_reports_is_the_earliest_saved(sample_store: Store, clock) -> None:
    assert report_baseline(sample_store, "cyber-2026") is None
    save_baselines(sample_store, NAME, ["cyber-2026"])
    clock.now = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    save_baselines(sample_store, "revised 2026-11-27", ["cyber-2026"])
    assert report_baseline(sample_store, "cyber-2026").name == NAME
    assert report_baseline(sample_store, "cyber-2026", "revised 2026-11-27").name == "revised 2026-11-27"
    with pytest.raises(NotFoundError, match='saved: "approved 2026-04-28", "revised 2026-11-27"'):
        report_baseline(sample_store, "cyber-2026", "approved 2025")


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_baseline_needs_a_sensible_name(sample_store: Store, name: str) -> None:
    with pytest.raises(ValidationError, match="baseline"):
        save_baselines(sample_store, name, ["cyber-2026"])
    assert sample_store.list_baselines() == []


def _cli(db, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def test_cli_save_list_show(sample_store: Store, db_path) -> None:
    sample_store.close()
    saved = _cli(db_path, "baseline", "save", NAME, "--plan", "cyber-2026")
    assert saved.exit_code == 0, saved.output
    assert f'Saved baseline "{NAME}" of cyber-2026: 30 tasks' in saved.output
    again = _cli(db_path, "baseline", "save", NAME, "--plan", "cyber-2026")
    assert again.exit_code == 1 and "already has a baseline named" in again.output
    listed = _cli(db_path, "baseline", "list")
    assert NAME in listed.output and "cyber-2026" in listed.output and "strategy-2030" not in listed.output
    shown = _cli(db_path, "baseline", "show", NAME)
    assert "2.3" in shown.output and "2026-12-31" in shown.output
    unknown = _cli(db_path, "baseline", "show", "nope")
    assert unknown.exit_code == 1 and 'no baseline "nope"' in unknown.output


def test_import_can_save_a_baseline_of_what_it_imported(tmp_path) -> None:
    from actionplan.services.config import sample_plan_paths

    db = tmp_path / "fresh.db"
    files = [str(p) for p in sample_plan_paths()]
    result = _cli(db, "import", *files, "--baseline", NAME)
    assert result.exit_code == 0, result.output
    assert f'Saved baseline "{NAME}" of cyber-2026' in result.output
    again = _cli(db, "import", *files, "--baseline", NAME)
    assert again.exit_code == 1 and "already has a baseline named" in again.output
    with Store(db) as store:
        assert [b.plan for b in store.list_baselines()] == ["cyber-2026", "strategy-2030"]
