"""Load run of the feeds server on loopback: many calendars polling a 10,000-task database.

    python benchmarks/feeds_load.py [--tasks 10000] [--clients 50] [--seconds 10]

What it does:

1. writes synthetic plan files (4 plans, 60 orgs, Vietnamese text) and imports
   them into a temporary database;
2. creates feeds (org, plan and accountable-person scopes) and starts the real
   server as a separate process: ``python -m actionplan --db DB serve``;
3. fetches every feed once (the cold build) and once more after an edit;
4. runs N concurrent httpx async clients, each with its own connection, for a
   bounded time and a bounded request count: first polling with
   ``If-None-Match`` as fast as they can (what subscribed calendars do: 304
   answers), then without it (full 200 answers from the server's in-memory
   cache), then with ``If-None-Match`` paced at a fixed rate (``--rate``);
5. prints requests/s, p50/p99 latency, error counts and the server's CPU time
   per request.  Target: zero errors and p99 under 100 ms for the 304 answers.

Not part of the test run.  Needs nothing beyond the project's own stack.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actionplan.services.feeds import FeedScope, create_feed  # noqa: E402
from actionplan.services.planfile import import_plan_files  # noqa: E402
from actionplan.store import Store  # noqa: E402

VERBS = ["Xây dựng", "Rà soát", "Triển khai", "Đánh giá", "Ban hành", "Kiểm tra", "Hoàn thiện", "Tổ chức"]
OBJECTS = [
    "kế hoạch bảo đảm an toàn thông tin",
    "hồ sơ cấp độ hệ thống",
    "quy chế phối hợp ứng cứu sự cố",
    "chương trình đào tạo nhân lực an ninh mạng",
    "nghị định xử phạt vi phạm hành chính",
    "trung tâm giám sát an ninh mạng",
    "báo cáo định kỳ về chủ quyền số",
    "danh mục sản phẩm Make in Vietnam",
]
STATUSES = ["not started"] * 3 + ["in progress"] * 5 + ["blocked", "done", "done", "cancelled"]


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_plans(folder: Path, tasks: int, plans: int = 4, orgs: int = 60, seed: int = 2026) -> list[Path]:
    """Synthetic plan files: *tasks* tasks spread over *plans* plans, every third one a subtask."""
    rng = random.Random(seed)
    org_keys = [f"ORG{i:02d}" for i in range(orgs)]
    paths = []
    per_plan = tasks // plans
    for p in range(plans):
        lines = [
            "[plan]",
            f'key = "bench-{p}"',
            f'reference = "Plan No. {p + 1:02d}"',
            f'title = "Kế hoạch hành động số {p + 1} năm 2027"',
            'issuer = "Ban Chỉ đạo"',
            'issued_on = "2027-01-15"',
            'period = "2027"',
            'status = "active"',
            "",
        ]
        if p == 0:
            for i, key in enumerate(org_keys):
                lines += [
                    "[[orgs]]",
                    f'key = "{key}"',
                    f'name = "Cơ quan số {i} (Agency {i})"',
                    f'head = "Thủ trưởng cơ quan {i}"',
                    'head_title = "Bộ trưởng"',
                    "",
                ]
        count = per_plan if p < plans - 1 else tasks - per_plan * (plans - 1)
        parent = 0
        for n in range(1, count + 1):
            lead = rng.choice(org_keys)
            coord = rng.sample([k for k in org_keys if k != lead], 2)
            status = rng.choice(STATUSES)
            if n % 3 == 1:
                parent = n
                key, parent_line = str(n), []
            else:
                key, parent_line = f"{parent}.{n}", [f'parent = "{parent}"']
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            lines += [
                "[[tasks]]",
                f'key = "{key}"',
                *parent_line,
                f"title = {_q(f'{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({p}.{n})')}",
                f'lead = "{lead}"',
                f'accountable = "Thủ trưởng cơ quan {org_keys.index(lead)}"',
                f"coordinating = [{_q(coord[0])}, {_q(coord[1])}]",
                f'deadline = "2027-{month:02d}-{day:02d}"',
                f'status = "{status}"',
                f"progress = {100 if status == 'done' else rng.randint(0, 90)}",
                f"output = {_q('Báo cáo kết quả; văn bản ban hành')}",
                'tags = ["bench"]',
            ]
            if status == "done":
                lines += ['evidence = "Đã hoàn thành"', f'completed_on = "2027-{month:02d}-{day:02d}"']
            if status == "blocked":
                lines.append('blocked_reason = "Chờ ý kiến của Bộ Tư pháp"')
            lines.append("")
        path = folder / f"bench-{p}.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


# --- the server process ------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "actionplan", "--db", str(db), "serve", "--port", str(port)],
        stdout=log,
        stderr=log,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    with httpx.Client(timeout=2) as client:
        for _ in range(300):  # wait until /health answers, at most ~30 s
            if proc.poll() is not None:
                raise SystemExit(f"server exited: see {log_path}")
            try:
                if client.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    return proc
            except httpx.TransportError:
                time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start")


# --- the load ------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    wrong_status: int = 0
    seconds: float = 0.0
    bytes: int = 0
    server_cpu: float = float("nan")

    def line(self) -> str:
        n = len(self.latencies)
        if not n:
            return f"{self.name:<28} no requests"
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(n - 1, int(n * 0.99))] * 1000
        return (
            f"{self.name:<28} {n:>7} {n / self.seconds:>9.0f} {p50:>8.1f} {p99:>8.1f} "
            f"{lat[-1] * 1000:>8.1f} {self.errors + self.wrong_status:>6} {self.bytes / n / 1024:>9.1f} "
            f"{self.server_cpu / n * 1000:>10.2f}"
        )


async def run_phase(
    name: str,
    server_pid: int,
    base: str,
    urls: list[str],
    etags: dict[str, str],
    *,
    conditional: bool,
    expect: int,
    clients: int,
    seconds: float,
    max_requests: int,
    rate: float | None = None,
) -> Phase:
    """One load phase.  Without *rate*: every client asks again as soon as it has its answer
    (closed loop: measures the most the pair client+server can do).  With *rate*: requests are
    paced to *rate* per second in all, and latency counts from each request's scheduled time,
    so a client falling behind shows as latency (open loop: what subscribers would see).
    """
    phase = Phase(name)
    budget = [max_requests]
    # clients are made before the clock starts: an httpx client costs a few ms to create
    pool = [
        httpx.AsyncClient(
            base_url=base, timeout=10, limits=httpx.Limits(max_connections=1, max_keepalive_connections=1)
        )
        for _ in range(clients)
    ]
    deadline = time.perf_counter() + seconds

    interval = clients / rate if rate else 0.0  # seconds between two requests of one client

    async def one_client(i: int, c: httpx.AsyncClient) -> None:
        n = i
        k = 0
        first = time.perf_counter() + (interval * i / clients)
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            url = urls[n % len(urls)]
            n += 1
            headers = {"If-None-Match": etags[url]} if conditional else {}
            if rate:
                t0 = first + k * interval
                k += 1
                wait = t0 - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
            else:
                t0 = time.perf_counter()
            try:
                r = await c.get(url, headers=headers)
            except httpx.HTTPError:
                phase.errors += 1
                continue
            phase.latencies.append(time.perf_counter() - t0)
            phase.statuses[r.status_code] = phase.statuses.get(r.status_code, 0) + 1
            phase.bytes += len(r.content)
            if r.status_code != expect:
                phase.wrong_status += 1

    started = time.perf_counter()
    cpu_before = cpu_seconds(server_pid)
    try:
        await asyncio.gather(*(one_client(i, c) for i, c in enumerate(pool)))
    finally:
        phase.seconds = time.perf_counter() - started
        phase.server_cpu = cpu_seconds(server_pid) - cpu_before
        for c in pool:
            await c.aclose()
    return phase


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0, help="Longest time of each load phase.")
    ap.add_argument("--max-requests", type=int, default=30_000, help="Most requests of each load phase.")
    ap.add_argument(
        "--rate",
        type=float,
        default=200.0,
        help="Requests per second of the paced phase (200/s = 60,000 calendars polling every 5 min).",
    )
    ap.add_argument("--keep", action="store_true", help="Keep the temporary database and server log.")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="actionplan-feeds-bench-"))
    db = work / "bench.db"
    t0 = time.perf_counter()
    paths = write_plans(work, args.tasks)
    store = Store(db, actor="bench")
    import_plan_files(store, paths)
    print(f"database: {store.count_tasks()} tasks, imported in {time.perf_counter() - t0:.1f} s ({db})")

    scopes = [FeedScope("org", f"ORG{i:02d}") for i in (0, 7, 21, 42, 59)]
    scopes += [FeedScope("plan", "bench-1"), FeedScope("accountable", "Thủ trưởng cơ quan 13")]
    feeds = [create_feed(store, s, reminder_events=(i % 2 == 1)) for i, s in enumerate(scopes)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = work / "server.log"
    proc = start_server(db, port, log_path)
    try:
        urls = [f"/feeds/{f.token}.ics" for f in feeds]
        etags: dict[str, str] = {}
        with httpx.Client(base_url=base, timeout=120) as client:
            print(f"\n{'feed':<34} {'events':>7} {'KiB':>8} {'cold ms':>8} {'cached ms':>9}")
            for f, url in zip(feeds, urls):
                t = time.perf_counter()
                r = client.get(url)
                cold = (time.perf_counter() - t) * 1000
                t = time.perf_counter()
                r2 = client.get(url)
                warm = (time.perf_counter() - t) * 1000
                assert r.status_code == r2.status_code == 200, r.status_code
                etags[url] = r.headers["etag"]
                print(
                    f"{f.scope.describe():<34} {r.text.count('BEGIN:VEVENT'):>7} {len(r.content) / 1024:>8.0f} "
                    f"{cold:>8.0f} {warm:>9.1f}"
                )
            # one edit: every feed's ETag changes; the rebuild reuses each unchanged task's cached event
            task = store.list_tasks(scopes[0].task_filter(), limit=1)[0]
            store.update_task(task.ref, {"progress": (task.progress + 7) % 100}, task.version)
            t = time.perf_counter()
            r = client.get(urls[0], headers={"If-None-Match": etags[urls[0]]})
            rebuild = (time.perf_counter() - t) * 1000
            assert r.status_code == 200 and r.headers["etag"] != etags[urls[0]]
            print(f"after one edit, {scopes[0].describe()}: 200 with a new ETag in {rebuild:.0f} ms")
            for url in urls:
                etags[url] = client.get(url).headers["etag"]

        load = os.getloadavg()[0]
        print(
            f"\nmachine: {os.cpu_count()} cores, load average {load:.1f} before the run "
            "(other processes share the cores; the client runs on the same machine)"
        )
        print(
            f"{args.clients} concurrent clients, at most {args.seconds:.0f} s and {args.max_requests} requests "
            f"per phase, {len(urls)} feeds"
        )
        print(
            f"{'phase':<28} {'requests':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
            f"{'errors':>6} {'KiB/resp':>9} {'server CPU':>10}"
        )
        phases = (
            ("304 (If-None-Match)", True, 304, None),
            ("200 (full body, cached)", False, 200, None),
            (f"304 paced at {args.rate:.0f}/s", True, 304, args.rate),
        )
        for name, conditional, expect, rate in phases:
            phase = asyncio.run(
                run_phase(
                    name,
                    proc.pid,
                    base,
                    urls,
                    etags,
                    conditional=conditional,
                    expect=expect,
                    clients=args.clients,
                    seconds=args.seconds,
                    max_requests=args.max_requests,
                    rate=rate,
                )
            )
            print(phase.line())
            if phase.wrong_status:
                print(f"  unexpected statuses: {phase.statuses}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        store.close()
    log_lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    leaked = sum(1 for line in log_lines for f in feeds if f.token in line)
    print(
        "(closed loop: each client asks again as soon as it has its answer; paced: open loop at a fixed rate,\n"
        " latency counted from each request's scheduled time.  KiB/resp: calendar size after decompression;\n"
        " server CPU: milliseconds of server CPU per request)"
    )
    print(f"\nserver log: {len(log_lines)} lines, {leaked} containing a token")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
