"""A killed import, a worker process that dies: the database holds all of the old state or all of the new."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from actionplan.core.model import Task
from actionplan.core.query import TaskFilter
from actionplan.core.text import fold
from actionplan.store import Store
from actionplan.store import imports as store_imports
from tests.processes import content_digest, copy_of, run_cli, wait_until

# --- a process killed in the middle of an import ------------------------------------------------------


def _processes_using(db: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(db).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc to find left-over processes")
def test_an_import_killed_midway_leaves_all_of_the_old_state_or_all_of_the_new(
    template_db: Path, tmp_path: Path
) -> None:
    import generate

    db = copy_of(template_db, tmp_path / "committee.db")
    old = Store(db).counts()
    stats = generate.generate(20000, tmp_path / "plans", seed=3)
    files = sorted(str(p) for p in (tmp_path / "plans").glob("plan-*.toml"))
    wal = Path(str(db) + "-wal")
    proc = subprocess.Popen(
        [sys.executable, "-m", "actionplan", "--db", str(db), "import", *files],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # the import is writing: its uncommitted pages already spill into the write-ahead log
    wait_until(
        lambda: proc.poll() is not None or (wal.exists() and wal.stat().st_size > 2_000_000),
        "the import to write",
        timeout=120,
    )
    assert proc.poll() is None, "the import ended before it could be killed: use more tasks"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    wait_until(lambda: not _processes_using(db), "the import's worker processes to end", timeout=10)

    result = run_cli("--db", str(db), "check")
    assert result.exit_code == 0 and "No problems found" in result.output
    with Store(db) as s:
        assert s.integrity_problems() == []
        counts = s.counts()
    if counts["tasks"] == old["tasks"]:  # killed before the commit: everything as it was
        assert counts == old
    else:  # killed after the commit, while it printed its report: all of the new state
        assert counts["tasks"] == old["tasks"] + stats.tasks
        assert counts["plans"] == old["plans"] + stats.plans


# --- large imports read files in worker processes: the same outcome as one by one -------------------


def _import_outcome(db: Path, files: list[Path]) -> tuple[str, object]:
    """What an import does, seen through the Store API: the problems, or what was stored."""
    from actionplan.services.planfile import PlanFileError, import_plan_files

    with Store(db, actor="secretary") as s:
        try:
            import_plan_files(s, files)
        except PlanFileError as e:
            return "refused", [str(p) for p in e.problems]
        tasks = [
            (t.ref, t.title, t.lead, t.parent, t.deadline, t.status, t.coordinating, t.depends_on, t.tags)
            for t in s.list_tasks(order="key")
        ]
        return "imported", (s.counts(), tasks, [o.key for o in s.list_orgs()])


@pytest.fixture(scope="module")
def many_plan_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    import generate

    folder = tmp_path_factory.mktemp("many")
    generate.generate(400, folder, seed=11)  # 20 files
    return sorted(folder.glob("plan-*.toml"))


def test_reading_files_in_worker_processes_gives_the_same_problems_and_the_same_data(
    many_plan_files: list[Path], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actionplan.services import planfile

    files = [tmp_path / p.name for p in many_plan_files]
    for src, dst in zip(many_plan_files, files):
        shutil.copyfile(src, dst)
    outcomes = {}
    for mode, workers in (("one by one", 0), ("workers", 2)):
        monkeypatch.setattr(planfile, "_worker_count", lambda paths, n=workers: n)
        outcomes[mode] = _import_outcome(copy_of(template_db, tmp_path / f"ok-{workers}.db"), files)
    assert outcomes["workers"][0] == "imported" and outcomes["workers"] == outcomes["one by one"]

    # an agency used two files before the file that defines it, and a bad deadline
    late = (
        files[9]
        .read_text(encoding="utf-8")
        .replace('[[orgs]]\nkey = "MPS"', '[[orgs]]\nkey = "LATE"\nname = "Cục Mới"\n\n[[orgs]]\nkey = "MPS"', 1)
    )
    files[9].write_text(late, encoding="utf-8")
    files[7].write_text(
        files[7].read_text(encoding="utf-8").replace('lead = "', 'lead = "LATE', 1).replace("LATE", 'LATE"\n#', 1),
        encoding="utf-8",
    )
    files[12].write_text(
        files[12]
        .read_text(encoding="utf-8")
        .replace('deadline = "', 'deadline = "31/2/2026', 1)
        .replace("31/2/2026", '31/2/2026"\n#', 1),
        encoding="utf-8",
    )
    for mode, workers in (("one by one", 0), ("workers", 2)):
        monkeypatch.setattr(planfile, "_worker_count", lambda paths, n=workers: n)
        db = copy_of(template_db, tmp_path / f"bad-{workers}.db")
        before = content_digest(db)
        outcomes[mode] = _import_outcome(db, files)
        assert content_digest(db) == before
    assert outcomes["workers"][0] == "refused" and outcomes["workers"] == outcomes["one by one"]
    problems = "\n".join(outcomes["workers"][1])
    assert 'unknown agency "LATE"' in problems and "31/2/2026" in problems


_DIE_READING: dict[str, str] = {}


def _read_or_die(path: str):
    """Stands in for planfile._read_any_orgs in a worker (module level, so it can be sent to one)."""
    from actionplan.services.planfile import EVERY_ORG, read_plan_file

    if path == _DIE_READING.get("path"):
        Path(_DIE_READING["marker"]).write_text("died")
        os._exit(9)  # as if the kernel had killed the worker
    return read_plan_file(path, EVERY_ORG)


def test_an_import_whose_worker_process_dies_still_lands_whole(
    many_plan_files: list[Path], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actionplan.services import planfile

    expected = _import_outcome(copy_of(template_db, tmp_path / "expected.db"), many_plan_files)
    monkeypatch.setitem(_DIE_READING, "path", str(many_plan_files[4]))
    monkeypatch.setitem(_DIE_READING, "marker", str(tmp_path / "died"))
    monkeypatch.setattr(planfile, "_read_any_orgs", _read_or_die)
    monkeypatch.setattr(planfile, "_worker_count", lambda paths: 2)
    assert _import_outcome(copy_of(template_db, tmp_path / "died.db"), many_plan_files) == expected
    assert (tmp_path / "died").exists(), "no worker died: nothing was tested"


@pytest.mark.parametrize("bulk", [False, True], ids=["small import", "bulk import"])
def test_an_import_leaves_the_search_index_whole_and_its_merging_back_on(
    bulk: bool, many_plan_files: list[Path], template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imports pause the search index's merging (speed); afterwards it must be whole and on."""
    monkeypatch.setattr(store_imports, "BULK_TASKS", 100 if bulk else 10**9)  # 400 tasks: bulk or not
    db = copy_of(template_db, tmp_path / "search.db")
    assert run_cli("--db", str(db), "import", *map(str, many_plan_files)).exit_code == 0
    assert "No problems found" in run_cli("--db", str(db), "check").output  # index == tasks' text
    s = Store(db)
    try:
        found = s.list_tasks(TaskFilter(words=["Hoàn thiện"]))
        assert found and all("hoan thien" in fold(t.title + " " + t.description + " " + t.output) for t in found)
        merging = dict(s.conn.execute("SELECT k, v FROM tasks_fts_config WHERE k IN ('automerge', 'crisismerge')"))
        assert merging == {"automerge": store_imports.FTS_AUTOMERGE, "crisismerge": store_imports.FTS_CRISISMERGE}
        # the import indexed its tasks itself; a task added afterwards is indexed as always
        s.add_task(Task(plan="cyber-2026", key="99", title="Zebracrossing audit", lead="MPS"))
        assert [t.ref for t in s.list_tasks(TaskFilter(words=["zebracrossing"]))] == ["cyber-2026/99"]
    finally:
        s.close()
