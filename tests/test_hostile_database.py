"""What the database file itself can do to the program: a lock held by another writer, damage,
another program's file, a read-only file, a killed backup.  Each ends in a clear message, a
non-zero exit and an unchanged database; none in a traceback.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.core.errors import DatabaseDamagedError, DatabaseLockedError, ForeignDatabaseError
from actionplan.services.config import seed_samples
from actionplan.store import SCHEMA_VERSION, Store
from actionplan.store.connection import APPLICATION_ID

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DAMAGED = "the database is damaged: run actionplan check"


def run(*args: str, env: dict[str, str] | None = None):
    """The CLI in this process; an exception that is not a clean exit fails the test."""
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


def dump(path: Path) -> list[str]:
    """Everything the file holds, as SQL (the iCal event cache left out: a cache)."""
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "ical_cache" not in line]
    finally:
        conn.close()


def header(path: Path) -> tuple[int, int, str]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("PRAGMA application_id").fetchone()[0],
            conn.execute("PRAGMA user_version").fetchone()[0],
            conn.execute("PRAGMA journal_mode").fetchone()[0],
        )
    finally:
        conn.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    with Store(path, actor="secretary") as s:
        seed_samples(s)
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "committee.db"
    shutil.copyfile(template, target)
    return target


def rollback_journal_copy(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return target


# --- a writer waiting for another writer's lock ------------------------------------------------------


def _start(args: list[str], wait: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ACTIONPLAN_LOCK_WAIT": wait, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "actionplan", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


@pytest.fixture
def held_lock(db: Path):
    """Another connection (as another process would) holds the write lock until released."""
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_a_writer_says_it_waits_then_gives_up_with_a_clear_message(db: Path, held_lock) -> None:
    before = dump(db)  # readers are not blocked by a writer in WAL mode
    proc = _start(["--db", str(db), "set", "cyber-2026/2", "progress=12"], wait="1.5")
    first = proc.stderr.readline()  # blocks until the writer says something: no sleeping on the clock
    out, rest = proc.communicate(timeout=60)
    assert "waiting for another writer..." in first
    assert proc.returncode == 1
    assert "another program held the write lock" in rest and "ACTIONPLAN_LOCK_WAIT" in rest
    assert "Traceback" not in first + rest
    held_lock.execute("ROLLBACK")
    assert dump(db) == before


@pytest.mark.parametrize(
    "args",
    [
        ["note", "cyber-2026/2", "Draft sent"],
        ["undo"],
        ["feeds", "add", "--org", "MPS"],
        ["digest", "--as-of", "2026-11-26"],
    ],
    ids=["note", "undo", "feeds add", "digest"],
)
def test_every_writing_command_waits_and_then_writes_once_the_lock_is_free(db: Path, held_lock, args) -> None:
    proc = _start(["--db", str(db), *args], wait="60")
    first = proc.stderr.readline()
    assert "waiting for another writer..." in first
    held_lock.execute("ROLLBACK")  # the other writer finishes: the waiting one goes on
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode in (0, 1), err  # undo with nothing to undo is a clean refusal
    if args[0] == "note":
        assert proc.returncode == 0 and "Noted cyber-2026/2" in out


def test_the_lock_wait_limit_comes_from_the_environment_and_is_checked(db: Path) -> None:
    result = run("--db", str(db), "set", "cyber-2026/2", "progress=12", env={"ACTIONPLAN_LOCK_WAIT": "soon"})
    assert result.exit_code == 1 and "ACTIONPLAN_LOCK_WAIT: must be a number of seconds" in result.output


def test_the_store_reports_the_wait_through_its_hook_and_raises_the_programs_error(db: Path, held_lock) -> None:
    said: list[str] = []
    with Store(db, actor="secretary", lock_wait=1.2, on_wait=said.append) as s:
        task = s.get_task("cyber-2026/2")
        with pytest.raises(DatabaseLockedError, match="held the write lock"):
            s.update_task(task.ref, {"progress": 12}, task.version)
    assert said and said[0].startswith("waiting for another writer...")


# --- damaged databases -----------------------------------------------------------------------------


def by_hand(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def test_a_dropped_table_is_reported_by_check_and_every_command_says_the_database_is_damaged(db: Path) -> None:
    by_hand(db, "DROP TABLE history")
    before = dump(db)
    result = run("--db", str(db), "check")
    assert result.exit_code == 1
    assert f"missing table history (schema {SCHEMA_VERSION})" in result.output
    assert "missing index idx_history_change" in result.output
    for args in (
        ["set", "cyber-2026/2", "progress=12"],
        ["note", "cyber-2026/2", "Draft sent"],
        ["history", "cyber-2026/2"],
        ["done", "strategy-2030/1.3", "--evidence", "Survey 2025"],
    ):
        result = run("--db", str(db), *args)
        assert result.exit_code == 1, args
        assert DAMAGED in result.output, args
    assert dump(db) == before


def test_check_reports_each_kind_of_damage_in_words(db: Path) -> None:
    by_hand(
        db,
        "DROP TRIGGER tasks_au",
        "ALTER TABLE orgs DROP COLUMN email",
        "UPDATE tasks SET deadline = '2026-1x-01' WHERE key = '2'",
        "PRAGMA user_version = 1",
    )
    before = dump(db)
    result = run("--db", str(db), "check")
    assert result.exit_code == 1
    assert "missing trigger tasks_au" in result.output
    assert "table orgs: missing columns email" in result.output
    assert "task 2 deadline: not a date ('2026-1x-01')" in result.output
    assert dump(db) == before  # check changes nothing, not even the schema version


def test_check_reports_a_newer_schema_and_a_foreign_mark(db: Path) -> None:
    by_hand(db, "PRAGMA user_version = 99", "PRAGMA application_id = 7")
    result = run("--db", str(db), "check")
    assert result.exit_code == 1
    assert "the schema version is 99, newer than this actionplan knows" in result.output
    assert "marked as another program's database (application_id 0x7)" in result.output


def _pages(path: Path) -> int:
    return path.stat().st_size // 4096


def test_damage_to_any_page_is_found_by_check_and_no_command_shows_a_traceback(db: Path, tmp_path: Path) -> None:
    """A page header overwritten: check finds it (exit 1) and the other commands answer cleanly."""
    pages = _pages(db)
    assert pages > 20
    pristine = db.read_bytes()
    damaged = tmp_path / "damaged.db"
    found = 0
    for page in range(1, pages):
        data = bytearray(pristine)
        data[page * 4096 : page * 4096 + 16] = bytes(range(200, 216))
        for leftover in ("-wal", "-shm"):  # the previous round's writes must not replay onto this copy
            Path(f"{damaged}{leftover}").unlink(missing_ok=True)
        damaged.write_bytes(bytes(data))
        result = run("--db", str(damaged), "check")
        assert "Traceback" not in result.output
        found += result.exit_code == 1
        for args in (["list"], ["show", "cyber-2026/2"], ["set", "cyber-2026/2", "progress=7"], ["ics", "--all"]):
            result = run("--db", str(damaged), *args)  # catch_exceptions=False: a traceback fails here
            assert result.exit_code in (0, 1), (page, args)
    assert found == pages - 1  # every page: each one holds a table, an index or the search index


def test_a_damaged_first_page_is_reported_not_crashed_on(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[0:16] = b"not sqlite at al"
    db.write_bytes(bytes(data))
    result = run("--db", str(db), "check")
    assert result.exit_code == 1 and "SQLite cannot read the file's first page" in result.output
    result = run("--db", str(db), "list")
    assert result.exit_code == 1 and "file is not a database" in result.output


def test_the_store_raises_damaged_for_malformed_reads(db: Path) -> None:
    by_hand(db, "DROP TABLE task_tags")
    with Store(db) as s:
        with pytest.raises(DatabaseDamagedError, match=DAMAGED):
            s.get_task("cyber-2026/2")


# --- the actionplan mark: other programs' files are refused, untouched ----------------------------------


def test_new_databases_carry_the_mark(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "new.db"), "init", "--empty")
    assert result.exit_code == 0
    assert header(tmp_path / "new.db")[0] == APPLICATION_ID == 0x41504C4E


def test_another_programs_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other-app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Lan')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    for args in (["list"], ["init"], ["import", str(tmp_path / "none.toml")], ["set", "x/1", "progress=1"]):
        result = run("--db", str(other), *args)
        assert result.exit_code == 1, args
        assert "is another program's SQLite database (tables: contacts)" in result.output, args
    assert other.read_bytes() == before and header(other) == (0, 0, "delete")
    assert not Path(str(other) + "-wal").exists()


def test_a_file_marked_by_another_program_is_refused_even_with_our_tables(db: Path) -> None:
    by_hand(db, "PRAGMA application_id = 1234")
    before = dump(db)
    result = run("--db", str(db), "list")
    assert result.exit_code == 1 and "application_id 0x4d2" in result.output
    assert dump(db) == before


def test_an_empty_file_is_taken_over_only_by_init(tmp_path: Path) -> None:
    empty = tmp_path / "typo.db"
    empty.touch()
    result = run("--db", str(empty), "list")
    assert result.exit_code == 1
    assert "is an empty file, not an actionplan database" in result.output and "init" in result.output
    assert empty.stat().st_size == 0
    with pytest.raises(ForeignDatabaseError):
        Store(empty)
    result = run("--db", str(empty), "init", "--empty")
    assert result.exit_code == 0 and "Created empty database" in result.output
    assert header(empty)[0] == APPLICATION_ID


@pytest.mark.parametrize(
    ("value", "message"),
    [(":memory:", "an in-memory database would be lost"), ("", "an empty database name"), ("  ", "empty")],
)
def test_unusable_database_names_are_refused(value: str, message: str, tmp_path: Path) -> None:
    result = run("--db", value, "init")
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "default.db").exists()  # the default was not used instead
    result = run("list", env={"ACTIONPLAN_DB": ":memory:"})
    assert result.exit_code == 1 and "ACTIONPLAN_DB" in result.output


def test_a_database_name_too_long_for_the_file_system_is_refused(tmp_path: Path) -> None:
    name = str(tmp_path / ("d" * 300))
    for args, env in ((["--db", name, "init"], None), (["list"], {"ACTIONPLAN_DB": name})):
        result = run(*args, env=env)
        assert result.exit_code == 1 and "not a usable file name (File name too long)" in result.output, result.output
    assert not (tmp_path / "default.db").exists()


@pytest.mark.parametrize("version", [1, 2])
def test_old_databases_without_the_mark_are_recognised_and_marked_when_migrated(version: int, tmp_path: Path) -> None:
    db = tmp_path / f"schema-{version}.db"
    shutil.copyfile(FIXTURES / f"schema-{version}.db", db)
    assert header(db)[0] == 0
    result = run("--db", str(db), "list", "--plan", "cyber-2026")
    assert result.exit_code == 0, result.output
    assert header(db)[0] == APPLICATION_ID


def test_a_folder_or_a_device_is_not_a_database(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    result = run("--db", str(fifo), "list")
    assert result.exit_code == 1 and "is not a regular file" in result.output
    result = run("--db", str(tmp_path), "list")
    assert result.exit_code == 1


# --- a read-only database ---------------------------------------------------------------------------


@pytest.fixture
def read_only(template: Path, tmp_path: Path):
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files regardless of their mode")
    db = rollback_journal_copy(template, tmp_path / "ro.db")
    db.chmod(stat.S_IRUSR | stat.S_IRGRP)
    yield db
    db.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.fixture
def query_only(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A database SQLite will not write to (the same error a read-only file gives, also as root)."""
    db = rollback_journal_copy(template, tmp_path / "ro.db")
    original = Store.__init__

    def opened_read_only(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.conn.execute("PRAGMA query_only = ON")

    monkeypatch.setattr(Store, "__init__", opened_read_only)
    return db


@pytest.mark.parametrize(
    "args",
    [
        ["set", "cyber-2026/2", "progress=12"],
        ["note", "cyber-2026/2", "Draft sent"],
        ["digest", "--as-of", "2026-11-26"],
        ["feeds", "add", "--org", "MPS"],
    ],
    ids=["set", "note", "digest", "feeds add"],
)
def test_a_read_only_database_gives_a_clear_message(query_only: Path, args: list[str]) -> None:
    before = dump(query_only)
    result = run("--db", str(query_only), *args)
    assert result.exit_code == 1, result.output
    assert "the database cannot be written" in result.output
    assert dump(query_only) == before


def test_importing_into_a_read_only_database_gives_a_clear_message(query_only: Path, tmp_path: Path) -> None:
    before = dump(query_only)
    export = run("--db", str(query_only), "export", "cyber-2026")
    plan = tmp_path / "plan.toml"
    plan.write_text(export.output.replace("Plan No. 04", "Plan No. 05"), encoding="utf-8")
    result = run("--db", str(query_only), "import", str(plan))
    assert result.exit_code == 1 and "the database cannot be written" in result.output
    assert dump(query_only) == before


def test_a_read_only_file_reads_and_refuses_writes(read_only: Path) -> None:
    assert run("--db", str(read_only), "list").exit_code == 0
    result = run("--db", str(read_only), "set", "cyber-2026/2", "progress=12")
    assert result.exit_code == 1 and "the database cannot be written" in result.output


# --- a killed backup ---------------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_backup_removes_temporaries_left_by_killed_backups_and_says_so(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    dead = _dead_pid()
    stale = [folder / f".actionplan-backup-{dead}-abcd1234.db", folder / f".actionplan-backup-{dead}-abcd1234.db-wal"]
    for path in stale:
        path.write_bytes(b"x" * 2_000_000)
    mine = folder / f".actionplan-backup-{os.getpid()}-live.db"  # a backup running right now: kept
    mine.write_bytes(b"y")
    result = run("--db", str(db), "backup", "-o", str(folder / "copy.db"))
    assert result.exit_code == 0, result.output
    assert "Removed 2 temporary file(s) left by an interrupted backup (4.0 MB)" in result.output
    assert not any(p.exists() for p in stale) and mine.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(["copy.db", mine.name])


def test_a_backup_killed_midway_leaves_a_temporary_the_next_one_removes(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    code = (
        "import os, signal, sys\n"
        "from actionplan.store.maintenance import Maintenance\n"
        "def die(self, target):\n"
        "    open(target, 'wb').write(b'half a copy')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "Maintenance.backup = die\n"
        "from actionplan.cli.main import main\n"
        "sys.argv = ['actionplan', '--db', sys.argv[1], 'backup', '-o', sys.argv[2]]\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(db), str(folder / "copy.db")], timeout=60)
    assert proc.returncode == -9
    left = [p.name for p in folder.iterdir()]
    assert len(left) == 1 and left[0].startswith(".actionplan-backup-")
    result = run("--db", str(db), "backup", "-o", str(folder / "copy.db"))
    assert result.exit_code == 0 and "Removed 1 temporary file(s) left by an interrupted backup" in result.output
    assert [p.name for p in folder.iterdir()] == ["copy.db"]
