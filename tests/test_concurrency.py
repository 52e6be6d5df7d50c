"""Two processes saving the same task at once: one wins, the other is told, nothing is lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from actionplan.store import Store
from tests.processes import CONFLICT, copy_of, wait_until

# --- two processes edit the same task ---------------------------------------------------------------

# Loads the CLI, says it is ready, waits for the go signal (a file), then runs the command.
STARTER = r"""
import sys, time
from pathlib import Path
from actionplan.cli.main import cli
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.write_text("ready")
deadline = time.monotonic() + 30
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.0005)
cli.main(args=sys.argv[3:], prog_name="actionplan")
"""


def test_two_processes_saving_the_same_task_at_once_one_wins_and_nothing_is_lost(
    template_db: Path, tmp_path: Path
) -> None:
    db = copy_of(template_db, tmp_path / "committee.db")
    with Store(db) as s:
        before = s.get_task("cyber-2026/2")
        history_before = len(s.history("cyber-2026/2"))
    go = tmp_path / "go"
    procs = []
    for n, progress in enumerate((41, 77)):
        ready = tmp_path / f"ready-{n}"
        args = [
            "--db",
            str(db),
            "--as",
            f"secretary-{n}",
            "set",
            "cyber-2026/2",
            f"progress={progress}",
            "--if-version",
            str(before.version),
        ]
        procs.append(
            (
                progress,
                ready,
                subprocess.Popen(
                    [sys.executable, "-c", STARTER, str(ready), str(go), *args],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    wait_until(lambda: all(ready.exists() for _p, ready, _proc in procs), "both processes to be ready")
    go.write_text("go")  # both start saving now
    results = [(progress, proc.wait(timeout=60), *proc.communicate()) for progress, _ready, proc in procs]

    winners = [r for r in results if r[1] == 0]
    losers = [r for r in results if r[1] != 0]
    assert len(winners) == 1 and len(losers) == 1, results
    won_with, _rc, out, _err = winners[0]
    _p, rc, _out, err = losers[0]
    assert rc == 1 and CONFLICT in err and "nothing was saved" in err
    assert "Traceback" not in err + out
    with Store(db) as s:
        after = s.get_task("cyber-2026/2")
        history = s.history("cyber-2026/2")
    assert after.progress == won_with and after.version == before.version + 1
    changes = history[history_before:]
    assert [(c.field, c.old, c.new) for c in changes] == [("progress", str(before.progress), str(won_with))]
