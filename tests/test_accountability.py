"""A scripted quarter of committee work, and every accountability figure checked against it.

Four secretaries (the office, MPS, MIC and MOET) slip deadlines (one twice, one undone,
one removed), close tasks on time, late and on the deadline, block and cancel tasks,
record a recurring period late in the day, update a KPI and re-import the original plan
file, each at a moment of an injected clock.  The expected figures are computed here
from the history (``Store.history``) and ``list --json``, independently of
:mod:`actionplan.core.accountability`, and past digests are re-run after later changes.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.core.model import Change
from actionplan.digest.data import ChangeKind, DigestOptions, build_digest
from actionplan.digest.figures import figures_at, round_half_up
from actionplan.digest.render import render
from actionplan.services.config import sample_plan_paths, seed_samples
from actionplan.services.planfile import import_plan_files
from actionplan.store import Store, ValidationError

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
END = date(2026, 12, 14)  # the quarter's last day: the audit is run then


def hanoi(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=HANOI)


def edit(store: Store, ref: str, **changes: object) -> None:
    store.update_task(ref, changes, store.get_task(ref).version)


def done(store: Store, ref: str, on: date, evidence: str = "Report filed with the Committee Office") -> None:
    store.mark_done(ref, evidence, store.get_task(ref).version, on)


class Quarter:
    """The database after the scripted quarter, with the digests sent along the way."""

    def __init__(self, db: Path, clock) -> None:
        self.db, self.clock = db, clock
        self.sent: dict[tuple[date, date], str] = {}
        self.import_summary = ""

    def at(self, moment: datetime) -> None:
        self.clock.now = moment

    def digest(self, since: date, as_of: date) -> str:
        with Store(self.db, actor="staff", clock=self.clock) as store:
            return render(build_digest(store, DigestOptions(as_of=as_of, since=since)), "text")

    def send(self, since: date, as_of: date) -> None:
        """The digest of a week, as sent the day after it ended."""
        self.at(hanoi(as_of.year, as_of.month, as_of.day, 18))
        self.sent[(since, as_of)] = self.digest(since, as_of)


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> Quarter:
    from tests.conftest import Clock

    db = tmp_path_factory.mktemp("quarter") / "committee.db"
    clock = Clock(hanoi(2026, 10, 10, 9))  # the sample plans record a completion on 9 Oct: imported after it
    q = Quarter(db, clock)
    office, mps, mic, moet = (Store(db, actor=a, clock=clock) for a in ("office-sec", "mps-sec", "mic-sec", "moet-sec"))
    seed_samples(office)
    q.at(hanoi(2026, 10, 12))
    edit(mic, "cyber-2026/3", deadline=date(2026, 12, 31), deadline_text="")  # 30 Sep -> 31 Dec
    q.at(hanoi(2026, 10, 15))
    edit(mps, "cyber-2026/5.2", status="blocked", blocked_reason="Waiting for the personal data decree")
    q.at(hanoi(2026, 10, 20))
    edit(mic, "cyber-2026/3", deadline=date(2027, 1, 31), deadline_text="")  # moved a second time
    q.at(hanoi(2026, 10, 28))
    done(mps, "cyber-2026/2.3", date(2026, 10, 28))  # on time (due 31 Dec)
    q.at(hanoi(2026, 11, 3))
    edit(office, "cyber-2026/8", deadline=date(2027, 2, 28), deadline_text="")  # slipped, undone on 12 Nov
    q.at(hanoi(2026, 11, 5))
    edit(moet, "cyber-2026/6.1", status="cancelled")  # 5 days past its 31 Oct deadline
    q.send(date(2026, 11, 1), date(2026, 11, 7))
    q.at(hanoi(2026, 11, 12))
    office.undo("office-sec")  # her own last change: the slip of task 8
    q.send(date(2026, 11, 8), date(2026, 11, 14))
    q.at(hanoi(2026, 11, 16))
    edit(mic, "strategy-2030/1.7", deadline=None, deadline_text="")  # 320 days overdue: removed
    q.at(hanoi(2026, 11, 18))
    kpi = mic.get_task("strategy-2030/1.3").kpi
    assert kpi is not None
    edit(mic, "strategy-2030/1.3", kpi=replace(kpi, current=78))
    q.at(hanoi(2026, 11, 20))
    done(mic, "cyber-2026/3.2", date(2026, 11, 16))  # 47 days late
    q.at(hanoi(2026, 11, 25))
    edit(mic, "cyber-2026/3.2", deadline=date(2026, 12, 31), deadline_text="")  # re-dated after the fact
    q.at(hanoi(2026, 11, 30, 16))
    done(mps, "cyber-2026/6.2", date(2026, 11, 30))  # on the deadline
    q.send(date(2026, 11, 24), date(2026, 11, 30))
    q.at(hanoi(2026, 12, 2))
    done(office, "strategy-2030/3.4", date(2026, 11, 28))  # a period, entered four days late
    q.at(hanoi(2026, 12, 2, 11))
    done(mic, "cyber-2026/3", date(2026, 12, 2))  # 63 days past its committed 30 Sep
    q.at(hanoi(2026, 12, 5))
    cyber = [p for p in sample_plan_paths() if "cyber" in str(p)]
    (preview,) = import_plan_files(office, cyber, dry_run=True)
    q.dry_run_kept = preview.kept_closed
    (report,) = import_plan_files(office, cyber)
    q.kept = report.kept_closed
    q.sent_again = {}
    for s in (office, mps, mic, moet):
        s.close()
    q.at(hanoi(END.year, END.month, END.day, 18))
    q.sent_again = {window: q.digest(*window) for window in q.sent}
    return q


# --- what the test knows independently: the history and list --json ---------------------------


def history(q: Quarter) -> list[Change]:
    with Store(q.db, clock=q.clock) as s:
        return s.history()


def listed(q: Quarter, as_of: date) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["--db", str(q.db), "list", "--json", "--as-of", as_of.isoformat()])
    assert result.exit_code == 0, result.output
    return {t["ref"]: t for t in json.loads(result.stdout)}


def utc_end(day: date) -> str:
    end = datetime(day.year, day.month, day.day, tzinfo=HANOI) + timedelta(days=1)
    return end.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")


def value_at(rows: list[Change], ref: str, name: str, moment: str, now: str | None) -> str | None:
    """A field's value at *moment*: the last change before it, else the first change after it, else now."""
    mine = [c for c in rows if c.ref == ref and c.field == name and c.entity == "task"]
    before = [c for c in mine if c.at < moment]
    if before:
        return before[-1].new
    return mine[0].old if mine else now


def committed(rows: list[Change], ref: str, now: str | None) -> date | None:
    """The first deadline on record: before the first change, else the first one set (undone moves don't commit)."""
    moves = [c for c in rows if c.ref == ref and c.field == "deadline" and c.entity == "task"]
    values = [moves[0].old] if moves else [now]
    values += [c.new for c in moves if not c.undone and c.undo_of is None]
    first = next((v for v in values if v), None)
    return date.fromisoformat(first) if first else None


def flat(text: str) -> str:
    """The text with its line wrapping undone."""
    return " ".join(text.split())


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def expected_state(q: Quarter, as_of: date) -> dict[str, dict]:
    """Status, deadline, completion and lead of every task at the end of *as_of*, from the history."""
    rows, now = history(q), listed(q, END)
    moment = utc_end(as_of)
    state = {}
    for ref, t in now.items():
        created = [c for c in rows if c.ref == ref and c.field == "*created*"]
        if created and created[0].at >= moment:
            continue
        state[ref] = {
            "lead": t["lead"],
            "status": value_at(rows, ref, "status", moment, t["status"]),
            "deadline": day(value_at(rows, ref, "deadline", moment, t["deadline"])),
            "completed_on": day(value_at(rows, ref, "completed_on", moment, t["completed_on"])),
            "committed": committed([c for c in rows if c.at < moment], ref, t["deadline"]),
        }
    return state


def expected_overdue(state: dict[str, dict], as_of: date) -> set[str]:
    return {
        ref
        for ref, t in state.items()
        if t["status"] not in ("done", "cancelled") and (t["deadline"] or t["committed"] or date.max) < as_of
    }


def expected_periods(q: Quarter, rows: list[Change], moment: str) -> list[tuple[str, date, date]]:
    """(ref, period due, done on) of each recurring period closed and not undone before *moment*.

    The period's completion date is the date of the note recorded with it (``done --on``).
    """
    periods = []
    with Store(q.db, clock=q.clock) as s:
        for c in rows:
            if c.field == "deadline" and c.action == "done" and c.at < moment and not c.undone:
                notes = [u for u in s.list_updates(c.ref) if u.text.startswith(f"Done for the period due {c.old}")]
                periods.append((c.ref, date.fromisoformat(c.old or ""), notes[0].on))
    return periods


# --- the tests -------------------------------------------------------------------------------


def test_a_slip_does_not_erase_lateness_and_both_deadlines_are_shown(quarter: Quarter) -> None:
    state = expected_state(quarter, date(2026, 12, 3))
    with Store(quarter.db, clock=quarter.clock) as s:
        figs = figures_at(s, date(2026, 12, 3))
    by_ref = {(d.ref, d.done_on): d for d in figs.deliveries}
    three = by_ref[("cyber-2026/3", date(2026, 12, 2))]
    assert three.due == state["cyber-2026/3"]["committed"] == date(2026, 9, 30)
    assert three.days_late == (date(2026, 12, 2) - date(2026, 9, 30)).days == 63
    assert three.due_now == date(2027, 1, 31) and three.on_time_now and not three.on_time
    re_dated = by_ref[("cyber-2026/3.2", date(2026, 11, 16))]
    assert (re_dated.days_late, re_dated.days_late_now, re_dated.on_time_now) == (47, 0, True)
    # the removed deadline of a long-overdue task is still overdue, against the committed one
    assert "strategy-2030/1.7" in expected_overdue(state, date(2026, 12, 3))
    assert state["strategy-2030/1.7"]["deadline"] is None


def test_the_agency_table_and_the_board_match_the_history(quarter: Quarter) -> None:
    as_of = date(2026, 12, 3)
    state = expected_state(quarter, as_of)
    rows = history(quarter)
    periods = expected_periods(quarter, rows, utc_end(as_of))
    with Store(quarter.db, clock=quarter.clock) as s:
        table = {a.org: a for a in s.accountability(as_of)}
    for lead in {t["lead"] for t in state.values()}:
        mine = {r: t for r, t in state.items() if t["lead"] == lead}
        done_tasks = [t for t in mine.values() if t["status"] == "done" and t["completed_on"]]
        deliveries = [(t["completed_on"], t["committed"], t["deadline"]) for t in done_tasks]
        deliveries += [(on, due, due) for ref, due, on in periods if state[ref]["lead"] == lead]
        judged = [(on, due) for on, due, _now in deliveries if due]
        open_late = [
            (as_of - t["committed"]).days
            for t in mine.values()
            if t["status"] not in ("done", "cancelled") and t["committed"] and t["committed"] < as_of
        ]
        done_late = [(on - due).days for on, due in judged if on > due]
        a = table[lead]
        assert a.assigned == len(mine), lead
        assert a.cancelled == sum(t["status"] == "cancelled" for t in mine.values()), lead
        assert a.overdue == len(expected_overdue(mine, as_of)), lead
        assert a.delivered == len(deliveries), lead
        assert (a.judged, a.on_time) == (len(judged), sum(on <= due for on, due in judged)), lead
        assert sorted(a.late_open) == sorted(open_late), lead
        assert sorted(a.late_done) == sorted(done_late), lead
    # MOET's only task was cancelled while late: the agency stays in the table
    assert table["MOET"].assigned == 1 and table["MOET"].cancelled == 1 and table["MOET"].open == 0


def test_the_digest_board_and_cli_say_the_same_on_time_figures(quarter: Quarter) -> None:
    as_of = date(2026, 12, 3)
    with Store(quarter.db, clock=quarter.clock) as s:
        digest = build_digest(s, DigestOptions(as_of=as_of, since=date(2026, 11, 26)))
        board = s.accountability(as_of)
    assert digest.accountability == board
    text = render(digest, "text")
    mic = next(a for a in board if a.org == "MIC")
    share = round_half_up(100 * mic.on_time / mic.judged)
    assert f"{share:.0f}%" in next(line for line in text.splitlines() if line.startswith("MIC ") and "%" in line)


def test_a_past_window_reads_the_same_after_later_changes_and_undos(quarter: Quarter) -> None:
    assert quarter.sent_again == quarter.sent
    first = flat(quarter.sent[(date(2026, 11, 1), date(2026, 11, 7))])
    assert "* cyber-2026/8: deadline slipped 28 days: 31 Jan 2027 → 28 Feb 2027" in first
    assert "* cyber-2026/6.1: cancelled 5 Nov 2026 by moet-sec, 5 days late (committed 31 Oct 2026)" in first
    second = flat(quarter.sent[(date(2026, 11, 8), date(2026, 11, 14))])
    assert "* cyber-2026/8: undo: deadline brought forward 28 days: 28 Feb 2027 → 31 Jan 2027" in second


def test_slips_count_deadline_changes_like_their_section(quarter: Quarter) -> None:
    rows = history(quarter)
    start, end = utc_end(date(2026, 10, 31)), utc_end(date(2026, 12, 3))
    # a recurring period closed moves the deadline too: a delivery, not a change
    moves = [c for c in rows if c.field == "deadline" and start <= c.at < end and c.action != "done"]
    slips = [c for c in moves if c.undo_of is None and (not c.new or (c.old and c.new > c.old))]
    with Store(quarter.db, clock=quarter.clock) as s:
        d = build_digest(s, DigestOptions(as_of=date(2026, 12, 3), since=date(2026, 11, 1)))
    assert d.count("changes") == len(moves) == 4  # 8 slipped, its undo, 1.7 removed, 3.2 re-dated
    assert d.totals.slipped_since == len(slips) == 3  # the undo is a reversal, not a slip
    kinds = {(c.task.ref, c.kind) for c in d.deadline_changes}
    assert ("strategy-2030/1.7", ChangeKind.REMOVED) in kinds
    assert ("cyber-2026/3.2", ChangeKind.SLIPPED) in kinds


def test_a_period_is_a_delivery_dated_by_its_completion(quarter: Quarter) -> None:
    with Store(quarter.db, clock=quarter.clock) as s:
        d = build_digest(s, DigestOptions(as_of=date(2026, 12, 3), since=date(2026, 11, 24)))
        figs = figures_at(s, date(2026, 12, 3))
    period = next(i for i in d.completed if i.task.ref == "strategy-2030/3.4")
    assert (period.completed_on, period.period_due, period.on_time) == (date(2026, 11, 28), date(2026, 12, 15), True)
    assert "period due 15 Dec 2026 done 28 Nov 2026, on time" in flat(render(d, "text"))
    mic_periods = [x for x in figs.deliveries if x.period and x.lead == "MIC"]
    assert [x.done_on for x in mic_periods] == [date(2026, 11, 28)]


def test_a_past_as_of_rebuilds_the_state_from_the_history(quarter: Quarter) -> None:
    as_of = date(2026, 11, 26)
    state = expected_state(quarter, as_of)
    listing = listed(quarter, as_of)
    assert {r: (t["status"], day(t["deadline"])) for r, t in listing.items()} == {
        r: (t["status"], t["deadline"]) for r, t in state.items()
    }
    with Store(quarter.db, clock=quarter.clock) as s:
        d = build_digest(s, DigestOptions(as_of=as_of))
    assert {i.task.ref for i in d.overdue} == expected_overdue(state, as_of)
    assert d.totals.overdue == len(expected_overdue(state, as_of)) > 5


def test_reimport_keeps_completions_and_cancellations_and_says_so(quarter: Quarter) -> None:
    kept = {k.split()[0] for k in quarter.kept}
    assert {"2.3", "3", "3.2", "6.2", "6.1"} <= kept
    assert quarter.dry_run_kept == quarter.kept  # --dry-run shows it first
    listing = listed(quarter, END)
    assert listing["cyber-2026/3"]["status"] == "done" and listing["cyber-2026/6.1"]["status"] == "cancelled"
    with Store(quarter.db, clock=quarter.clock) as s:
        d = build_digest(s, DigestOptions(as_of=END, since=date(2026, 12, 1)))
    back = {c.task.ref: c for c in d.deadline_changes if c.action == "import"}
    assert back["cyber-2026/3"].kind == ChangeKind.RESTORED  # back to the committed 30 Sep, not "brought forward"
    assert {i.task.ref for i in d.completed} >= {"cyber-2026/3", "strategy-2030/3.4"}


def test_impossible_completion_dates_are_refused_naming_the_field(quarter: Quarter) -> None:
    with Store(quarter.db, actor="mps-sec", clock=quarter.clock) as s:
        task = s.get_task("cyber-2026/2.2")  # started 12 Oct 2026
        before = task.version
        with pytest.raises(ValidationError, match="completed_on: the completion date 1 Oct 2026 is before"):
            s.mark_done(task.ref, "x", task.version, date(2026, 10, 1))
        with pytest.raises(ValidationError, match="completed_on: .* is after today"):
            s.mark_done(task.ref, "x", task.version, END + timedelta(days=1))
        with pytest.raises(ValidationError, match="completed_on"):
            s.update_task(task.ref, {"status": "done", "completed_on": date(2026, 10, 11)}, task.version)
        assert s.get_task(task.ref).version == before  # nothing changed


@pytest.mark.parametrize(("value", "expected"), [(87.5, 88), (92.5, 93), (0.5, 1), (66.666, 67), (12.49, 12)])
def test_percentages_round_half_up(value: float, expected: int) -> None:
    assert round_half_up(value) == expected


def test_a_plan_file_with_a_future_completion_is_refused_naming_the_line(tmp_path: Path) -> None:
    cyber = next(p for p in sample_plan_paths() if "cyber" in str(p))
    text = cyber.read_text(encoding="utf-8").replace('completed_on = "2026-10-09"', 'completed_on = "2099-10-09"')
    plan = tmp_path / "cyber-2026.toml"
    plan.write_text(text, encoding="utf-8")
    line = text.splitlines().index('completed_on = "2099-10-09"') + 1
    db = tmp_path / "committee.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(plan)])
    assert result.exit_code != 0
    assert f"{plan}:{line}: task 2.1 completed_on: the completion date 9 Oct 2099 is after today" in result.output
    with Store(db) as s:
        assert s.list_plans() == []  # nothing imported


def test_show_judges_a_completion_against_the_committed_deadline(quarter: Quarter, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    shutil.copyfile(quarter.db, db)  # every store on it is closed: the file is whole
    with Store(db, actor="mic-sec", clock=quarter.clock) as s:  # re-dated after it was done (again)
        edit(s, "cyber-2026/3.2", deadline=date(2026, 12, 31), deadline_text="")
    result = CliRunner().invoke(cli, ["--db", str(db), "show", "cyber-2026/3.2", "--as-of", END.isoformat()])
    assert result.exit_code == 0, result.output
    completed = next(line for line in result.output.splitlines() if line.startswith("Completed"))
    assert completed.split(None, 1)[1] == "2026-11-16 (47 days late; committed 2026-09-30)"


async def test_the_ui_s_task_page_judges_a_completion_against_the_committed_deadline(
    quarter: Quarter, tmp_path: Path
) -> None:
    from actionplan.tui.app import ActionPlanApp
    from actionplan.tui.widgets.task_detail import TaskDetail

    db = tmp_path / "copy.db"
    shutil.copyfile(quarter.db, db)
    with Store(db, actor="mic-sec", clock=quarter.clock) as s:  # re-dated after it was done: no slip erases it
        edit(s, "cyber-2026/3.2", deadline=date(2026, 12, 31), deadline_text="")
    with Store(db, actor="office", clock=quarter.clock) as s:
        app = ActionPlanApp(s, today=END)
        async with app.run_test(size=(120, 40)) as pilot:
            app.show_tasks(task_ref="cyber-2026/3.2")
            await pilot.pause()
            text = app.screen.query_one("#detail", TaskDetail).plain_text()
    completed = next(line for line in text.splitlines() if "Completed" in line)
    assert "2026-11-16 · 47 days late (committed 2026-09-30)" in completed
    assert "on time" not in completed


def test_list_overdue_keeps_a_removed_deadline_marked_and_agrees_with_the_digest(quarter: Quarter) -> None:
    result = CliRunner().invoke(cli, ["--db", str(quarter.db), "list", "--overdue", "--as-of", END.isoformat()])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:] if "/" in line.split()[0]}
    with Store(quarter.db, clock=quarter.clock) as s:
        d = build_digest(s, DigestOptions(as_of=END))
    assert set(lines) == {i.task.ref for i in d.overdue}
    state = expected_state(quarter, END)
    committed = state["strategy-2030/1.7"]["committed"]
    assert state["strategy-2030/1.7"]["deadline"] is None and committed is not None
    assert f"deadline removed; committed {committed.isoformat()}" in lines["strategy-2030/1.7"]
    assert "OVERDUE" in lines["strategy-2030/1.7"]
