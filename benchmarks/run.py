"""Time actionplan as whole processes on large synthetic plans and print a table.

    python benchmarks/run.py                          # 10k and 100k tasks, 5 runs each
    python benchmarks/run.py --sizes 1000,10000 --runs 3
    python benchmarks/run.py --sizes 10000 --only import,list,taskwarrior

Every figure is a whole process (``python -m actionplan ...``, or a Pilot script for the
UI) started from here: the median wall time of ``--runs`` runs, the median CPU time
(user + system, of the process and the worker processes it waited for) and the peak
resident memory of the largest process (``ru_maxrss`` from ``os.wait4``).  The speed
targets stand beside the figures.  Taskwarrior, when ``task`` is installed, runs the
same 10k tasks in the same run; its rows are skipped otherwise.

The plan files and databases go to benchmarks/out/ (ignored by git).  Results are also
written to benchmarks/out/results.json.  This script is never part of the test run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
AS_OF = "2026-11-26"
#: Between the import and the edits (generate.IMPORTED_AT, EDITED_AT): a digest then replays the history.
PAST_AS_OF = "2026-11-12"
SEED = 7
ONE_ORG = "MPS"  # the agency of the "one org" iCal export (leads about 7 % of the tasks)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

# (size, operation) -> (limit in seconds or MB, what the limit is)
TARGETS: dict[tuple[int, str], tuple[float, str]] = {
    (10000, "digest"): (0.5, "s"),
    (10000, "digest (past as-of)"): (1.0, "s"),
    (10000, "ics all (cold)"): (0.5, "s"),
    (10000, "ics all (warm)"): (0.5, "s"),
    (10000, "ics one org (cold)"): (0.5, "s"),
    (10000, "ics one org (warm)"): (0.5, "s"),
    (10000, "list --overdue"): (0.3, "s"),
    (10000, "UI first screen"): (1.5, "s"),
    (10000, "UI filter keystroke"): (0.1, "s"),
    (100000, "import"): (10.0, "s"),
    (10000, "report docx"): (5.0, "s"),
    (10000, "report xlsx"): (5.0, "s"),
    (10000, "report md"): (5.0, "s"),
    (10000, "mail digests --dry-run"): (5.0, "s"),
}
MAIL_ORGS = 500  # agencies of the mail benchmark, each with an email
MEMORY_TARGET_MB = {100000: 400.0}
#: Peak memory targets of single operations (an iCal export streams its events: it must not hold them all).
OP_MEMORY_TARGET_MB: dict[tuple[int, str], float] = {
    (100000, "ics all (cold)"): 150.0,
    (100000, "ics all (warm)"): 150.0,
}


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    extra: dict = field(default_factory=dict)


@dataclass
class Row:
    size: int
    op: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""
    value: str = ""  # for rows whose figure is not a process time (UI keystroke)

    @property
    def wall(self) -> float | None:
        if self.value:
            return float(self.value)
        return statistics.median(s.wall for s in self.samples) if self.samples else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(s.cpu for s in self.samples) if self.samples and not self.value else None

    @property
    def rss(self) -> float | None:
        return max(s.rss_mb for s in self.samples) if self.samples else None


class Failed(Exception):
    pass


# --- running one process --------------------------------------------------------------------


# A tiny process that starts the measured command and reports on it.  The command must not
# be started straight from this script: Linux counts the memory of the process that forks
# (this script grows to hundreds of MB) in the child's peak RSS (ru_maxrss survives exec).
MEASURE = r"""
import json, os, subprocess, sys, time
report, stdout, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(stdout or os.devnull, "wb") as out:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
with open(report, "w") as fh:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss, "code": code}, fh)
sys.exit(0 if code == 0 else 1)
"""


def run_once(
    cmd: list[str], *, env: dict[str, str] | None = None, stdout: Path | None = None, check: bool = True
) -> Sample:
    """Run *cmd* to the end: wall time, CPU time (with the workers it waited for) and peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, str(report), str(stdout or ""), *cmd],
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        if not report.exists() or (check and done.returncode != 0):
            raise Failed(f"{' '.join(cmd[:6])}... failed: {done.stderr.decode(errors='replace')[-800:]}")
        r = json.loads(report.read_text())
    return Sample(r["wall"], r["cpu"], r["rss_kb"] / 1024)


def actionplan(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "actionplan", "--db", str(db), *args]


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def copy_db(source: Path, target: Path) -> None:
    """A copy of a closed database (and its WAL, if any)."""
    remove_db(target)
    for suffix in ("", "-wal"):
        p = Path(str(source) + suffix)
        if p.exists():
            shutil.copyfile(p, str(target) + suffix)


def commands_available() -> set[str]:
    text = subprocess.run(
        [sys.executable, "-m", "actionplan", "--help"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    names = set()
    in_commands = False
    for line in text.splitlines():
        if line.startswith("Commands:"):
            in_commands = True
            continue
        if in_commands and line.startswith("  ") and line.strip():
            names.add(line.split()[0])
        elif in_commands and not line.strip():
            break
    try:
        from actionplan.tui.app import ActionPlanApp  # noqa: F401

        names.add("ui")
    except ImportError:
        names.discard("ui")
    return names


# --- data -----------------------------------------------------------------------------------


def plan_files(size: int) -> list[Path]:
    folder = OUT / str(size)
    manifest = folder / "manifest.json"
    ok = False
    if manifest.exists():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        ok = m.get("tasks") == size and m.get("seed") == SEED
    if not ok:
        print(f"generating {size} tasks in {folder} ...", file=sys.stderr)
        generate.generate(size, folder, SEED)
    return sorted(folder.glob("plan-*.toml"))


def mail_plan_files(size: int) -> list[Path]:
    """The same number of tasks spread over MAIL_ORGS agencies (the mail benchmark's data)."""
    folder = OUT / f"{size}-orgs{MAIL_ORGS}"
    manifest = folder / "manifest.json"
    ok = False
    if manifest.exists():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        ok = m.get("tasks") == size and m.get("seed") == SEED and m.get("orgs") == MAIL_ORGS
    if not ok:
        print(f"generating {size} tasks for {MAIL_ORGS} agencies in {folder} ...", file=sys.stderr)
        generate.generate(size, folder, SEED, orgs=MAIL_ORGS)
    return sorted(folder.glob("plan-*.toml"))


def bench_db(size: int, files: list[Path], name: str = "") -> Path:
    """The database every reading command runs on: imported once, with notes and edits."""
    name = name or str(size)
    db = OUT / f"bench-{name}.db"
    stamp = OUT / f"bench-{name}.stamp"
    key = f"{SEED}:{size}:{(files[0].parent / 'manifest.json').stat().st_mtime}:{generate.IMPORTED_AT.isoformat()}"
    if db.exists() and stamp.exists() and stamp.read_text() == key:
        return db
    remove_db(db)
    print(f"building {db} ...", file=sys.stderr)
    generate.import_plans(db, files)  # stamped before the edits and AS_OF, which the command line cannot do
    done = generate.add_history(db, 0.1, SEED)
    print(f"  {done['notes']} notes and {done['edits']} edits added", file=sys.stderr)
    stamp.write_text(key)
    return db


# --- the operations -----------------------------------------------------------------------------


def timed(row: Row, runs: int, make: Callable[[int], Sample]) -> Row:
    for i in range(runs):
        row.samples.append(make(i))
    return row


def bench_actionplan(size: int, runs: int, only: set[str], available: set[str]) -> list[Row]:
    rows: list[Row] = []
    files = plan_files(size)
    manifest = json.loads((OUT / str(size) / "manifest.json").read_text(encoding="utf-8"))
    work = OUT / f"work-{size}"
    work.mkdir(parents=True, exist_ok=True)

    if wanted("import", only):
        fresh = work / "import.db"

        def do_import(_i: int) -> Sample:
            remove_db(fresh)
            return run_once(actionplan(fresh, "import", *map(str, files)))

        rows.append(timed(Row(size, "import", note=f"{len(files)} files, {manifest['tasks']} tasks"), runs, do_import))
        remove_db(fresh)

    db = bench_db(size, files)
    if wanted("list", only):
        listing = work / "overdue.txt"
        row = timed(
            Row(size, "list --overdue"),
            runs,
            lambda _i: run_once(actionplan(db, "list", "--overdue", "--as-of", AS_OF), stdout=listing),
        )
        shown = sum(1 for line in listing.read_text(encoding="utf-8").splitlines()[1:] if line.strip())
        row.note = f"{shown} overdue (generator: {manifest['overdue']})"
        rows.append(row)

    if wanted("digest", only):
        if "digest" in available:
            rows.append(
                timed(
                    Row(size, "digest", note="text, not recorded"),
                    runs,
                    lambda _i: run_once(
                        actionplan(db, "digest", "--as-of", AS_OF, "--no-record"), stdout=work / "digest.txt"
                    ),
                )
            )
            rows.append(
                timed(
                    Row(size, "digest (past as-of)", note=f"as of {PAST_AS_OF}: the state before the edits rebuilt"),
                    runs,
                    lambda _i: run_once(
                        actionplan(db, "digest", "--as-of", PAST_AS_OF, "--no-record"), stdout=work / "digest-past.txt"
                    ),
                )
            )
        else:
            rows.append(Row(size, "digest", note="not yet available"))

    if wanted("ics", only):
        for label, scope in (("ics all", ["--all"]), ("ics one org", ["--org", ONE_ORG])):
            if "ics" not in available:
                rows.append(Row(size, f"{label} (cold)", note="not yet available"))
                continue
            target = work / "out.ics"
            cold_db = work / "ics-cold.db"

            def cold(_i: int, scope: list[str] = scope) -> Sample:
                copy_db(db, cold_db)  # a database whose event cache is empty
                return run_once(actionplan(cold_db, "ics", *scope, "--as-of", AS_OF, "-o", str(target)))

            row = timed(Row(size, f"{label} (cold)"), runs, cold)
            row.note = f"{target.read_text(encoding='utf-8').count('BEGIN:VEVENT')} events"
            rows.append(row)
            warm_db = work / "ics-warm.db"
            copy_db(db, warm_db)
            run_once(actionplan(warm_db, "ics", *scope, "--as-of", AS_OF, "-o", str(target)))  # fills the cache
            rows.append(
                timed(
                    Row(size, f"{label} (warm)", note="cached events"),
                    runs,
                    lambda _i, scope=scope: run_once(
                        actionplan(warm_db, "ics", *scope, "--as-of", AS_OF, "-o", str(target))
                    ),
                )
            )
            remove_db(cold_db)
            remove_db(warm_db)

    if wanted("report", only):
        if "report" in available:
            rows += bench_report(size, runs, work)
        else:
            rows.append(Row(size, "report docx", note="not yet available"))
    if wanted("mail", only):
        if "mail" in available:
            rows.append(bench_mail(size, runs, work))
        else:
            rows.append(Row(size, "mail digests --dry-run", note="not yet available"))

    if only and "lang" in only:  # not part of a full run: asked for by name
        rows += bench_lang(size, db, runs, work)
    if wanted("ui", only):
        if "ui" in available:
            rows += bench_ui(size, db, runs)
        else:
            rows.append(Row(size, "UI first screen", note="not yet available"))
            rows.append(Row(size, "UI filter keystroke", note="not yet available"))
    return rows


def bench_mail(size: int, runs: int, work: Path) -> Row:
    """Every agency's digest written as .eml files (built, rendered as text and HTML, encoded)."""
    db = bench_db(size, mail_plan_files(size), f"{size}-orgs{MAIL_ORGS}")
    folder = work / "mail"

    def once(_i: int) -> Sample:
        shutil.rmtree(folder, ignore_errors=True)
        return run_once(
            actionplan(
                db, "mail", "digests", "--as-of", AS_OF, "--to", "office@example.gov.vn", "--dry-run", str(folder)
            )
        )

    row = timed(Row(size, "mail digests --dry-run"), runs, once)
    row.note = f"{MAIL_ORGS} agencies, {len(list(folder.glob('*.eml')))} messages written"
    return row


UI_PROBE = r"""
import asyncio, json, sys, time
T0 = float(sys.argv[3])
if len(sys.argv) > 4:  # the UI reads its labels on import: the language first
    from actionplan.core.i18n import set_language
    set_language(sys.argv[4])
from datetime import date
from actionplan.store import Store
from actionplan.tui.app import ActionPlanApp

async def main():
    store = Store(sys.argv[1])
    app = ActionPlanApp(store, today=date.fromisoformat(sys.argv[2]))
    out = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        out["first_screen"] = time.time() - T0      # process start -> dashboard mounted and idle
        await pilot.press("2")                       # the task screen, with its live filter
        await pilot.pause()
        screen = app.screen
        await pilot.press("slash")                   # focus the filter box
        await pilot.pause()
        done = {}
        reload = screen.reload
        def timed_reload(*args, **kwargs):
            result = reload(*args, **kwargs)
            done.setdefault("at", time.perf_counter())
            return result
        screen.reload = timed_reload
        start = time.perf_counter()
        await pilot.press("b")                       # one character typed
        await pilot.pause()
        idle = time.perf_counter()
        out["keystroke"] = done.get("at", idle) - start   # key -> table refilled with the filtered tasks
        out["keystroke_idle"] = idle - start              # ... -> app idle again (repainted)
        out["filter"] = screen.query_one("#filter").value
        out["filter_applied"] = "at" in done
        out["rows"] = screen.total
    store.close()
    print(json.dumps(out))

asyncio.run(main())
"""


def report_db(size: int) -> Path:
    """One plan of *size* tasks (a report covers one plan), with notes, edits and a baseline."""
    folder = OUT / f"one-plan-{size}"
    db = OUT / f"report-{size}.db"
    stamp = OUT / f"report-{size}.stamp"
    key = f"{SEED}:{size}:1"
    if db.exists() and stamp.exists() and stamp.read_text() == key:
        return db
    print(f"generating one plan of {size} tasks in {folder} ...", file=sys.stderr)
    generate.generate(size, folder, SEED, plans=1)
    remove_db(db)
    files = sorted(folder.glob("plan-*.toml"))
    run_once(actionplan(db, "import", *map(str, files), "--baseline", "approved"))
    generate.add_history(db, 0.1, SEED)
    stamp.write_text(key)
    return db


def bench_report(size: int, runs: int, work: Path) -> list[Row]:
    """The quarterly report of one plan of *size* tasks, in each format."""
    db = report_db(size)
    plan = json.loads(run_once_output(actionplan(db, "list", "--json", "--limit", "1")))[0]["plan"]
    rows = []
    for fmt in ("docx", "xlsx", "md"):
        target = work / f"report.{fmt}"
        cmd = actionplan(db, "report", "--plan", plan, "--period", "2026-Q4", "-o", str(target))
        row = timed(Row(size, f"report {fmt}"), runs, lambda _i, cmd=cmd: run_once(cmd))
        row.note = f"one plan, {size} tasks, {target.stat().st_size // 1024} KB"
        rows.append(row)
    return rows


def run_once_output(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def bench_lang(size: int, db: Path, runs: int, work: Path) -> list[Row]:
    """The same commands and UI first screen in English and in Vietnamese (target: vi at most 20 ms slower)."""
    rows: list[Row] = []
    commands = {
        "list --overdue": ["list", "--overdue", "--as-of", AS_OF],
        "digest": ["digest", "--as-of", AS_OF, "--no-record"],
        "ics one org": ["ics", "--org", ONE_ORG, "--as-of", AS_OF],
        "add --help": ["add", "--help"],
        "report --help": ["report", "--help"],
    }
    for lang in ("en", "vi"):
        for label, args in commands.items():
            rows.append(
                timed(
                    Row(size, f"[{lang}] {label}", note=f"--lang {lang}"),
                    runs,
                    lambda _i, args=args, lang=lang: run_once(
                        [*actionplan(db, "--lang", lang, *args)], stdout=work / f"lang-{lang}.txt"
                    ),
                )
            )
        first = bench_ui(size, db, runs, lang=lang)[0]
        first.op = f"[{lang}] UI first screen"
        rows.append(first)
    return rows


def bench_ui(size: int, db: Path, runs: int, lang: str | None = None) -> list[Row]:
    first = Row(size, "UI first screen", note="dashboard, 120x40, headless Pilot")
    key = Row(size, "UI filter keystroke", note="task screen, '/' then 'b': key to table refilled")
    keys: list[float] = []
    idles: list[float] = []
    out = OUT / f"work-{size}" / "ui.json"
    for _i in range(runs):
        probe = [sys.executable, "-c", UI_PROBE, str(db), AS_OF, repr(time.time()), *([lang] if lang else [])]
        sample = run_once(probe, stdout=out)
        data = json.loads(out.read_text(encoding="utf-8"))
        if data.get("filter") != "b" or not data.get("filter_applied"):
            raise Failed(f"the UI probe did not see the filter applied: {data}")
        first.samples.append(Sample(data["first_screen"], sample.cpu, sample.rss_mb))
        keys.append(data["keystroke"])
        idles.append(data["keystroke_idle"])
    key.value = f"{statistics.median(keys):.4f}"
    key.note += f"; to idle {statistics.median(idles) * 1000:.0f} ms"
    return [first, key]


# --- Taskwarrior ------------------------------------------------------------------------------------


def taskwarrior_json(files: list[Path], shift_days: int) -> list[dict]:
    """The generated tasks as Taskwarrior import records (deadline -> due at the end of that day)."""
    from actionplan.services.planfile import read_plan_file

    namespace = uuid.UUID("6f1c3a52-3f7e-4b8e-9d7e-5f0a3c2b1d00")
    records = []
    known: set[str] = set(o["key"] for o in generate.all_orgs())
    for path in files:
        pf = read_plan_file(path, known)
        ids = {t.key: str(uuid.uuid5(namespace, f"{t.plan}/{t.key}")) for t in pf.tasks}
        for t in pf.tasks:
            r: dict = {
                "uuid": ids[t.key],
                "description": t.title,
                "project": t.plan,
                "entry": "20260101T000000Z",
                "modified": "20260101T000000Z",
                "status": {"done": "completed", "cancelled": "deleted"}.get(t.status, "pending"),
            }
            if t.deadline:
                due = t.deadline + timedelta(days=shift_days)
                r["due"] = due.strftime("%Y%m%dT235959Z")
            if t.status in ("done", "cancelled"):
                end = (t.completed_on or date(2026, 11, 1)) + timedelta(days=shift_days)
                r["end"] = end.strftime("%Y%m%dT120000Z")
            if t.tags:
                r["tags"] = [tag.replace(" ", "-") for tag in t.tags]
            if t.depends_on:
                r["depends"] = ",".join(ids[k] for k in t.depends_on)
            r["priority"] = {"critical": "H", "high": "H", "normal": "M", "low": "L"}[t.priority]
            records.append(r)
    return records


def bench_taskwarrior(size: int, runs: int, only: set[str], ours: list[Row]) -> list[tuple[str, Row, Row]]:
    """(operation, actionplan row, Taskwarrior row) for the operations both tools have."""
    task = shutil.which("task")
    if not task:
        print(
            "Taskwarrior (`task`) is not installed: its rows are skipped (apt-get install taskwarrior).",
            file=sys.stderr,
        )
        return []
    files = plan_files(size)
    work = OUT / f"work-{size}" / "taskwarrior"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # deadlines shifted so that Taskwarrior, which judges by the real clock, sees the same
    # tasks overdue as actionplan does with --as-of
    shift = (datetime.now(UTC).date() - date.fromisoformat(AS_OF)).days
    records = taskwarrior_json(files, shift)
    data_file = work / "tasks.json"
    data_file.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    rc = work / "taskrc"
    rc.write_text("")
    quiet = ["rc.verbose=nothing", "rc.confirmation=off", "rc.hooks=off"]

    def env_for(data: Path) -> dict[str, str]:
        return {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}

    results: list[tuple[str, Row, Row]] = []
    by_op = {r.op: r for r in ours if r.size == size}
    if wanted("import", only):
        fresh = work / "import-data"

        def tw_import(_i: int) -> Sample:
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir()
            return run_once([task, *quiet, "import", str(data_file)], env=env_for(fresh))

        tw = timed(Row(size, "import", note=f"{len(records)} tasks"), runs, tw_import)
        results.append(("import", by_op.get("import") or Row(size, "import"), tw))
    # Taskwarrior is much slower on tasks with dependencies (it works out what blocks what):
    # the same operations on the same tasks without their dependencies are shown too
    plain_file = work / "tasks-without-dependencies.json"
    plain_file.write_text(
        json.dumps([{k: v for k, v in r.items() if k != "depends"} for r in records], ensure_ascii=False),
        encoding="utf-8",
    )
    tw_rows: dict[str, list[Row]] = {}
    for variant, source in (("", data_file), (" (no deps)", plain_file)):
        data = work / f"data{variant.strip(' ()').replace(' ', '-')}"
        data.mkdir()
        run_once([task, *quiet, "import", str(source)], env=env_for(data))
        run_once([task, *quiet, "+OVERDUE", "count"], env=env_for(data))  # the first run after import tidies up
        count_file = work / "count.txt"
        count = timed(
            Row(size, f"task +OVERDUE count{variant}"),
            runs,
            lambda _i, data=data: run_once([task, *quiet, "+OVERDUE", "count"], env=env_for(data), stdout=count_file),
        )
        count.note = f"{count_file.read_text().strip()} overdue"
        listing = timed(
            Row(size, f"task +OVERDUE list{variant}"),
            runs,
            lambda _i, data=data: run_once(
                [task, *quiet, "+OVERDUE", "list"], env=env_for(data), stdout=work / "list.txt"
            ),
        )
        export = timed(
            Row(size, f"task export{variant}"),
            runs,
            lambda _i, data=data: run_once([task, *quiet, "export"], env=env_for(data), stdout=work / "export.json"),
        )
        tw_rows[variant] = [count, listing, export]
    db = bench_db(size, files)
    json_out = work / "ours.json"
    our_export = timed(
        Row(size, "list --json (every task)"),
        runs,
        lambda _i: run_once(actionplan(db, "list", "--json", "--as-of", AS_OF), stdout=json_out),
    )
    our_count = timed(
        Row(size, "plans (overdue count per plan)"),
        runs,
        lambda _i: run_once(actionplan(db, "plans"), stdout=work / "plans.txt"),
    )
    our_list = by_op.get("list --overdue") or timed(
        Row(size, "list --overdue"),
        runs,
        lambda _i: run_once(actionplan(db, "list", "--overdue", "--as-of", AS_OF), stdout=work / "ours.txt"),
    )
    for variant, (tw_count, tw_list, tw_export) in tw_rows.items():
        results += [
            ("count overdue" + variant, our_count, tw_count),
            ("list overdue" + variant, our_list, tw_list),
            ("export every task" + variant, our_export, tw_export),
        ]
    return results


# --- report ----------------------------------------------------------------------------------------------


def wanted(name: str, only: set[str]) -> bool:
    return not only or name in only


def fmt_s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def target_cell(row: Row) -> tuple[str, str]:
    target = TARGETS.get((row.size, row.op))
    mem = MEMORY_TARGET_MB.get(row.size)
    cells, verdicts = [], []
    if target and row.wall is not None:
        cells.append(f"< {fmt_s(target[0])}")
        verdicts.append(row.wall < target[0])
    elif target:
        cells.append(f"< {fmt_s(target[0])}")
    if mem and row.rss is not None and row.op == "import":
        cells.append(f"< {mem:.0f} MB")
        verdicts.append(row.rss < mem)
    op_mem = OP_MEMORY_TARGET_MB.get((row.size, row.op))
    if op_mem:
        cells.append(f"< {op_mem:.0f} MB")
        if row.rss is not None:
            verdicts.append(row.rss < op_mem)
    if not cells:
        return "", ""
    if not verdicts:
        return ", ".join(cells), "n/a"
    return ", ".join(cells), "ok" if all(verdicts) else "MISS"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join(lines)


def report(rows: list[Row], tw: list[tuple[str, Row, Row]], runs: int) -> str:
    body = []
    for r in rows:
        target, verdict = target_cell(r)
        body.append(
            [
                f"{r.size:,}",
                r.op,
                fmt_s(r.wall),
                fmt_s(r.cpu),
                f"{r.rss:.0f} MB" if r.rss is not None else "—",
                target,
                verdict,
                r.note,
            ]
        )
    text = [
        f"actionplan benchmarks: median of {runs} runs, whole processes, as of {AS_OF} "
        f"({datetime.now().strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f})",
        "",
        table(["tasks", "operation", "wall", "CPU", "peak RSS", "target", "", "notes"], body),
    ]
    if tw:
        lines = []
        for op, ours, theirs in tw:
            ratio = (theirs.wall / ours.wall) if ours.wall and theirs.wall else None
            lines.append(
                [
                    f"{ours.size:,}",
                    op,
                    f"{ours.op}: {fmt_s(ours.wall)}",
                    f"{theirs.op}: {fmt_s(theirs.wall)}",
                    f"{ratio:.2f}x" if ratio else "—",
                    "ok" if ratio and ratio > 1 else "MISS",
                    theirs.note,
                ]
            )
        text += [
            "",
            "Side by side with Taskwarrior " + _tw_version() + " (ratio = Taskwarrior time / actionplan time; "
            'above 1 means actionplan is faster; "no deps": Taskwarrior given the same tasks without '
            "their dependencies, on which it is much faster):",
            "",
            table(["tasks", "operation", "actionplan", "Taskwarrior", "ratio", "", "notes"], lines),
        ]
    return "\n".join(text)


def _tw_version() -> str:
    try:
        return subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="Task counts, comma-separated (default 10000,100000).")
    ap.add_argument("--runs", type=int, default=5, help="Runs per figure; the median is shown (default 5).")
    ap.add_argument(
        "--only",
        default="",
        help="Only these: import,list,digest,ics,report,mail,ui,taskwarrior,lang (comma-separated).",
    )
    ap.add_argument("--taskwarrior-size", type=int, default=10000, help="Size compared with Taskwarrior (10000).")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    OUT.mkdir(parents=True, exist_ok=True)
    # Bytecode for the package, as `pip install` writes it for an installed one: an editable
    # checkout on a machine with PYTHONDONTWRITEBYTECODE set would otherwise compile every
    # module from source in every run (~50 ms each, which no user of an installed copy pays).
    compileall.compile_dir(str(ROOT / "actionplan"), quiet=1)
    available = commands_available()
    rows: list[Row] = []
    tw: list[tuple[str, Row, Row]] = []
    for size in sizes:
        print(f"--- {size} tasks", file=sys.stderr)
        rows += bench_actionplan(size, args.runs, only, available)
        if size == args.taskwarrior_size and wanted("taskwarrior", only):
            tw = bench_taskwarrior(size, args.runs, only, rows)
    text = report(rows, tw, args.runs)
    print(text)
    results = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "runs": args.runs,
        "rows": [
            {
                "size": r.size,
                "op": r.op,
                "wall": r.wall,
                "cpu": r.cpu,
                "rss_mb": r.rss,
                "note": r.note,
                "walls": [s.wall for s in r.samples],
            }
            for r in rows
        ],
        "taskwarrior": [{"op": op, "ours": a.wall, "taskwarrior": b.wall} for op, a, b in tw],
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    (OUT / "results.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
