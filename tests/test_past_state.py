"""A past --as-of shows the tasks exactly as they were listed that day.

A week of edits (fields changed twice, a lead moved, a task added, deleted and its row id
reused by the next task, a completion undone, a note with progress) is scripted with an
injected clock; at the end of each day ``list --json`` is kept.  Afterwards every day is
listed again with ``--as-of`` (rebuilt from the history) and must read the same.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.core.model import Task
from actionplan.services.config import seed_samples
from actionplan.store import Store

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
#: What the past is rebuilt for; the links (coordinating, tags, depends_on) and the version are not.
REBUILT = (
    "title lead lead_name parent description accountable start deadline deadline_text recurrence status progress "
    "priority output kpi evidence completed_on blocked_reason source overdue days_left days_late"
).split()


def listing(db: Path, day: date) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["--db", str(db), "list", "--json", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output
    return {t["ref"]: {k: t[k] for k in REBUILT} for t in json.loads(result.stdout)}


def edit(store: Store, ref: str, **changes: object) -> None:
    store.update_task(ref, changes, store.get_task(ref).version)


def test_every_past_day_lists_as_it_did_then(tmp_path: Path) -> None:
    from tests.conftest import Clock

    db = tmp_path / "committee.db"
    clock = Clock(datetime(2026, 10, 10, 9, tzinfo=HANOI))  # after the sample plans' last completion
    store = Store(db, actor="office-sec", clock=clock)
    seed_samples(store)

    def audit() -> Task:
        return Task(plan="cyber-2026", key="90", title="Audit the ministries' networks", lead="MPS")

    week = [
        lambda: ids.append(store.add_task(audit()).id),
        lambda: (
            edit(store, "cyber-2026/90", title="Audit the provincial networks", deadline=date(2026, 10, 27)),
            edit(store, "cyber-2026/90", deadline=date(2026, 11, 30), lead="MIC"),
            edit(store, "cyber-2026/3", priority="high", status="blocked", blocked_reason="Waiting for the decree"),
            edit(store, "cyber-2026/3", status="in progress", deadline=date(2026, 10, 9), deadline_text=""),
        ),
        lambda: (
            store.delete_task("cyber-2026/90", store.get_task("cyber-2026/90").version),
            ids.append(store.add_task(Task(plan="cyber-2026", key="91", title="Train the teams", lead="MOET")).id),
            store.add_note("cyber-2026/2", "Draft sent to the ministries for comment", 40, on=date(2026, 10, 14)),
        ),
        lambda: (
            store.mark_done("cyber-2026/3.2", "Report filed", store.get_task("cyber-2026/3.2").version),
            edit(store, "cyber-2026/91", parent="3", progress=30),
            store.mark_done("cyber-2026/6.2", "Minutes filed", store.get_task("cyber-2026/6.2").version),
            store.undo("office-sec"),
        ),
        lambda: (
            store.delete_task("cyber-2026/91", store.get_task("cyber-2026/91").version),
            store.add_task(audit()),
            edit(store, "cyber-2026/90", deadline=date(2026, 10, 16), status="in progress"),
        ),
    ]
    ids: list[int | None] = []
    kept = {date(2026, 10, 11): listing(db, date(2026, 10, 11))}  # the plans as imported
    for n, day_work in enumerate(week):
        day = date(2026, 10, 12 + n)
        clock.now = datetime(day.year, day.month, day.day, 10, tzinfo=HANOI)
        day_work()
        kept[day] = listing(db, day)  # nothing recorded after the day yet: read as it is
    store.close()
    assert ids[0] == ids[1]  # the deleted task's row id went to the next task added
    assert len({json.dumps(v, sort_keys=True) for v in kept.values()}) == len(week) + 1  # every day changed something

    for day, then in kept.items():
        assert listing(db, day) == then, day
    assert "cyber-2026/90" not in kept[date(2026, 10, 14)] and "cyber-2026/91" in kept[date(2026, 10, 14)]
    assert kept[date(2026, 10, 13)]["cyber-2026/90"]["lead"] == "MIC"
