"""Backups taken while colleagues keep working, and the check of a database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from actionplan.store import Store
from tests.processes import copy_of, run_cli, wait_until

# --- backup while another process writes, and check ----------------------------------------------------

WRITER = r"""
import sys
from pathlib import Path
from actionplan.store import Store
db, started, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
s = Store(db, actor="writer")
for i in range(2000):
    s.add_note("cyber-2026/2", f"note {i}", i % 100)
    if i == 0:
        started.write_text("started")
    if stop.exists() and i > 0:
        break
s.close()
print(i + 1)
"""


def test_backup_while_another_process_keeps_writing_is_consistent(template_db: Path, tmp_path: Path) -> None:
    db = copy_of(template_db, tmp_path / "committee.db")
    started, stop = tmp_path / "started", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(started), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(started.exists, "the writer to start")
        result = subprocess.run(
            [sys.executable, "-m", "actionplan", "--db", str(db), "backup", "-o", str(tmp_path / "copy.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        still_writing = writer.poll() is None
    finally:
        stop.write_text("stop")
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert result.returncode == 0, result.stderr
    assert "passed the integrity check" in result.stdout
    assert still_writing, "the writer ended before the backup: nothing was tested"
    written = int(out)
    with Store(tmp_path / "copy.db") as copy:
        assert copy.integrity_problems() == []
        notes = [n for n in copy.list_updates("cyber-2026/2") if n.author == "writer"]
        recorded = [c for c in copy.history("cyber-2026/2", fields=["note"]) if c.actor == "writer"]
    # a snapshot between two saves: every note with its history row, none half-written
    assert 1 <= len(notes) == len(recorded) <= written
    assert [n.text for n in notes] == [f"note {i}" for i in range(len(notes))]


def test_backup_refuses_a_missing_database_and_does_not_create_one(tmp_path: Path) -> None:
    result = run_cli("--db", str(tmp_path / "none.db"), "backup", "-o", str(tmp_path / "copy.db"))
    assert result.exit_code == 1 and "no database here" in result.output
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "copy.db").exists()


def test_check_says_no_problems_on_a_healthy_database(template_db: Path, tmp_path: Path) -> None:
    db = copy_of(template_db, tmp_path / "committee.db")
    result = run_cli("--db", str(db), "check")
    assert result.exit_code == 0
    assert "No problems found" in result.output


def edited_by_hand(template: Path, target: Path, *statements: str) -> Path:
    """A copy of *template* changed by SQL run outside actionplan (a hand edit in another tool)."""
    db = copy_of(template, target)
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return db


def test_check_reports_broken_references_in_words(template_db: Path, tmp_path: Path) -> None:
    db = edited_by_hand(
        template_db,
        tmp_path / "broken.db",
        "PRAGMA foreign_keys = OFF",
        "UPDATE tasks SET lead_id = 9999 WHERE id = (SELECT min(id) FROM tasks)",
        "INSERT INTO task_tags(task_id, tag, position) VALUES (424242, 'orphan', 0)",
    )
    result = run_cli("--db", str(db), "check")
    assert result.exit_code == 1
    assert "2 problem(s) found" in result.output
    assert "tasks row" in result.output and "refers to a missing row in orgs" in result.output
    assert "task_tags row" in result.output and "refers to a missing row in tasks" in result.output
    assert "Traceback" not in result.output


def test_check_reports_a_search_index_that_no_longer_matches_the_tasks(template_db: Path, tmp_path: Path) -> None:
    db = edited_by_hand(
        template_db,
        tmp_path / "stale-index.db",
        "DROP TRIGGER tasks_au",  # bypasses the index
        "UPDATE tasks SET search_text = 'edited by hand' WHERE id = (SELECT min(id) FROM tasks)",
    )
    result = run_cli("--db", str(db), "check")
    assert result.exit_code == 1
    assert "the search index does not match the tasks' text" in result.output


def test_check_on_a_file_that_is_not_a_database_says_so(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"these are meeting notes, not a database\n" * 200)
    result = run_cli("--db", str(junk), "check")
    assert result.exit_code == 1
    assert str(junk) in result.output and "Traceback" not in result.output
