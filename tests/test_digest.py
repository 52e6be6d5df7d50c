"""Status digests: the data (actionplan.digest.data), the three formats and the `digest` command.

The golden files in tests/golden/ are what staff read.  After a deliberate
change to the digest, regenerate them and review the diff by eye:

    UPDATE_GOLDEN=1 python -m pytest tests/test_digest.py

History timestamps come from the movable test clock, never the wall clock.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.core import model
from actionplan.core.model import Org, Task
from actionplan.digest.data import ChangeKind, DigestError, DigestOptions, SinceBasis, build_digest
from actionplan.digest.figures import figures_at
from actionplan.digest.render import render
from actionplan.services.config import seed_samples
from actionplan.store import NotFoundError, Store, ValidationError

TODAY = date(2026, 11, 26)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"text": "txt", "md": "md", "html": "html"}


def hanoi(y: int, m: int, d: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in the committee's time zone (the store keeps it in UTC)."""
    return datetime(y, m, d, hour, minute, tzinfo=HANOI)


def edit(store: Store, ref: str, **changes: object) -> Task:
    return store.update_task(ref, changes, store.get_task(ref).version)


def done(store: Store, ref: str, evidence: str, on: date | None = None) -> Task:
    return store.mark_done(ref, evidence, store.get_task(ref).version, on)


@pytest.fixture
def fresh_store(db_path: Path, clock) -> Store:
    """The sample plans, imported on Monday 16 Nov 2026."""
    clock.now = hanoi(2026, 11, 16)
    store = Store(db_path, actor="secretary", clock=clock)
    seed_samples(store)
    yield store
    store.close()


@pytest.fixture
def week_store(fresh_store: Store, db_path: Path, clock) -> Store:
    """The sample plans after a week of committee work (the golden digest's database)."""
    store = fresh_store
    liaison = Store(db_path, actor="mps-liaison", clock=clock)
    clock.now = hanoi(2026, 11, 17, 16, 0)  # before the digest's week: must not show
    edit(store, "cyber-2026/4", deadline=date(2027, 4, 30), deadline_text="end of April 2027")
    clock.now = hanoi(2026, 11, 18, 10, 15)
    store.add_note(
        "cyber-2026/3.2",
        "Approved 88% of inventoried systems; the rest are level 1 and 2 systems of "
        "commune-level units, due for approval in December.",
    )
    clock.now = hanoi(2026, 11, 20, 9, 30)
    edit(liaison, "cyber-2026/2.3", deadline=date(2027, 1, 31), deadline_text="end of January 2027")
    clock.now = hanoi(2026, 11, 21, 14, 0)
    edit(store, "cyber-2026/8", deadline=date(2027, 1, 15), deadline_text="2027-01-15")
    clock.now = hanoi(2026, 11, 23, 11, 0)
    done(liaison, "cyber-2026/6.2", "Proposal sent to the Government on 23 Nov 2026 (Submission No. 512/TTr-BCA)")
    clock.now = hanoi(2026, 11, 24, 15, 45)
    store.add_note(
        "cyber-2026/3.3", "City People's Committee will decide on the duplicated systems at its December meeting."
    )
    clock.now = hanoi(2026, 11, 25, 10, 0)
    done(store, "cyber-2026/7.2", "Review report sent to the Committee Office on 25 Nov 2026")
    done(store, "strategy-2030/3.4", "2026 implementation report sent to the Prime Minister on 25 Nov 2026")
    liaison.close()
    return store


def sample_digest(store: Store, **options: object):
    return build_digest(store, DigestOptions(as_of=TODAY, **options))


# --- golden files -------------------------------------------------------------------------------


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing {path}: run UPDATE_GOLDEN=1 python -m pytest tests/test_digest.py"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file (UPDATE_GOLDEN=1 to accept, then review the diff)"


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_sample_digest_matches_golden_file(week_store: Store, fmt: str) -> None:
    check_golden(f"digest-sample.{SUFFIX[fmt]}", render(sample_digest(week_store), fmt))


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_text_and_markdown_fit_80_columns(week_store: Store, fmt: str) -> None:
    lines = render(sample_digest(week_store), fmt).splitlines()
    too_wide = [line for line in lines if len(line) > 80]
    assert too_wide == []


def test_html_is_self_contained(week_store: Store) -> None:
    html = render(sample_digest(week_store), "html")
    assert html.startswith("<!DOCTYPE html>")
    for outside in ("<script", "<link", "<style", "<img", "src=", "@import", "http://", "https://"):
        assert outside not in html.lower()
    # progress bars are table cells with inline widths
    assert 'style="width:74%;height:8px;' in html  # cyber-2026 plan progress


def test_rendering_is_deterministic(week_store: Store) -> None:
    first = [render(sample_digest(week_store), f) for f in ("text", "md", "html")]
    second = [render(sample_digest(week_store), f) for f in ("text", "md", "html")]
    assert first == second
    assert "Generated for 26 Nov 2026" in first[0]


# --- the data -----------------------------------------------------------------------------------


def test_overdue_tasks_come_most_days_late_first_with_who_answers(week_store: Store) -> None:
    d = sample_digest(week_store)
    lateness = [i.days_late for i in d.overdue]
    assert lateness == sorted(lateness, reverse=True) and lateness[0] == 330
    assert all(model.is_overdue(i.task, TODAY) for i in d.overdue)
    by_ref = {i.task.ref: i for i in d.overdue}
    assert "cyber-2026/7.2" not in by_ref  # done on 25 Nov
    item = by_ref["cyber-2026/3.2"]
    assert (item.days_late, item.task.lead, item.accountable) == (
        57,
        "MIC",
        "Minister of Information and Communications",
    )
    assert item.last_note is not None and item.last_note.text.startswith("Approved 88%")


def test_headline_figures_per_plan_and_in_total(week_store: Store) -> None:
    d = sample_digest(week_store)
    figures = {pf.plan.key: pf.figures for pf in d.plan_figures}
    cyber = figures["cyber-2026"]
    assert (cyber.open, cyber.overdue, cyber.due_soon, cyber.done_since, cyber.slipped_since) == (17, 4, 1, 2, 1)
    assert d.totals.open == sum(f.open for f in figures.values())
    assert d.totals.overdue == len(d.overdue) == 9
    assert d.totals.done_since == 3  # 6.2, 7.2 and a period of the yearly report


def test_since_sections_cover_the_last_7_days_by_default(week_store: Store) -> None:
    d = sample_digest(week_store)
    assert (d.since, d.since_basis) == (date(2026, 11, 19), SinceBasis.DEFAULT)
    changes = [(c.task.ref, c.kind, c.old, c.new, c.by) for c in d.deadline_changes]
    assert changes == [
        ("cyber-2026/2.3", ChangeKind.SLIPPED, date(2026, 12, 31), date(2027, 1, 31), "mps-liaison"),
        ("cyber-2026/8", ChangeKind.BROUGHT_FORWARD, date(2027, 1, 31), date(2027, 1, 15), "secretary"),
    ]  # cyber-2026/4 moved on 17 Nov: before the window
    assert d.deadline_changes[0].at == hanoi(2026, 11, 20, 9, 30)
    assert "Changes since 19 Nov 2026, one week back, that day included" in render(d, "text")


def test_completions_say_on_time_or_how_late_with_evidence(week_store: Store) -> None:
    d = sample_digest(week_store)
    done_ = {i.task.ref: i for i in d.completed}
    assert set(done_) == {"cyber-2026/6.2", "cyber-2026/7.2", "strategy-2030/3.4"}
    assert (done_["cyber-2026/6.2"].on_time, done_["cyber-2026/6.2"].days_late) == (True, 0)
    assert (done_["cyber-2026/7.2"].on_time, done_["cyber-2026/7.2"].days_late) == (False, 25)
    text = render(d, "text")
    assert "* cyber-2026/7.2: done 25 Nov 2026, 25 days late (due 31 Oct 2026)" in text
    assert "Evidence: Review report sent to the Committee Office on 25 Nov 2026" in text


def test_a_recurring_period_done_is_a_completion_not_a_slip(week_store: Store) -> None:
    d = sample_digest(week_store)
    period = next(i for i in d.completed if i.task.ref == "strategy-2030/3.4")
    assert (period.period_due, period.completed_on, period.on_time) == (date(2026, 12, 15), date(2026, 11, 25), True)
    assert "strategy-2030/3.4" not in {c.task.ref for c in d.deadline_changes}
    assert "* strategy-2030/3.4: period due 15 Dec 2026 done 25 Nov 2026, on time" in render(d, "text")


def test_an_undone_change_and_its_undo_are_not_reported(week_store: Store, clock) -> None:
    clock.now = hanoi(2026, 11, 25, 16, 0)
    week_store.undo()  # takes back the recurring period of strategy-2030/3.4 (the secretary's last change)
    d = sample_digest(week_store)
    assert "strategy-2030/3.4" not in {i.task.ref for i in d.completed}
    assert "strategy-2030/3.4" not in {c.task.ref for c in d.deadline_changes}


def test_kpis_show_the_share_of_the_way_also_when_lower_is_better(week_store: Store) -> None:
    kpis = {k.task.ref: k for k in sample_digest(week_store).kpis}
    assert kpis["strategy-2030/2.1"].share == pytest.approx(0.5)  # rank 30 -> 25, target 20
    assert kpis["strategy-2030/1.3"].share == pytest.approx(74 / 80)
    text = render(sample_digest(week_store), "text")
    assert "* strategy-2030/2.1: [##########..........] 50% of the way" in text


def test_accountability_puts_the_worst_agency_first(week_store: Store) -> None:
    d = sample_digest(week_store)
    assert [s.org for s in d.accountability][:2] == ["MIC", "HCMC"]
    assert d.accountability == figures_at(week_store, TODAY).agencies
    assert d.progress == week_store.plan_summaries(TODAY)
    led = sample_digest(week_store, lead="MPS", plans=("cyber-2026",))
    assert led.accountability == figures_at(week_store, TODAY, ["cyber-2026"], ["MPS"]).agencies
    assert led.progress == week_store.plan_summaries(TODAY, plans=["cyber-2026"])


def test_lead_and_plan_narrow_every_section(week_store: Store) -> None:
    d = sample_digest(week_store, lead="Ministry of Public Security", plans=("cyber-2026",))
    assert d.lead is not None and d.lead.key == "MPS"
    sections = [d.overdue, d.due_soon, d.completed, d.deadline_changes, d.blocked, d.kpis]
    assert all(item.task.lead == "MPS" and item.task.plan == "cyber-2026" for s in sections for item in s)
    assert [c.task.ref for c in d.deadline_changes] == ["cyber-2026/2.3"]
    assert [s.org for s in d.accountability] == ["MPS"]
    assert [p.plan.key for p in d.progress] == ["cyber-2026"]
    assert "Whole plans, all lead agencies." in render(d, "text")


def test_unknown_plan_or_agency_and_contradictory_options_are_refused(week_store: Store) -> None:
    with pytest.raises(NotFoundError, match='no plan "nope"'):
        sample_digest(week_store, plans=("nope",))
    with pytest.raises(ValidationError, match='lead: unknown agency "Nobody"'):
        sample_digest(week_store, lead="Nobody")
    with pytest.raises(DigestError, match="after the as-of date"):
        sample_digest(week_store, since=date(2026, 12, 1))
    with pytest.raises(DigestError, match="not both"):
        sample_digest(week_store, since=date(2026, 11, 1), since_last=True)


def test_the_since_window_is_judged_in_the_committee_time_zone(fresh_store: Store, clock) -> None:
    # 18 Nov 23:50 in Ha Noi is 16:50 UTC on 18 Nov; 19 Nov 00:10 is 17:10 UTC on 18 Nov.
    clock.now = hanoi(2026, 11, 18, 23, 50)
    edit(fresh_store, "cyber-2026/4", deadline=date(2027, 4, 30))
    clock.now = hanoi(2026, 11, 19, 0, 10)
    edit(fresh_store, "cyber-2026/5", deadline=date(2027, 2, 28))
    clock.now = hanoi(2026, 11, 26, 23, 59)
    edit(fresh_store, "cyber-2026/6", deadline=date(2027, 7, 31))
    clock.now = hanoi(2026, 11, 27, 0, 1)  # after the as-of day
    edit(fresh_store, "cyber-2026/7", deadline=date(2027, 1, 31))
    d = sample_digest(fresh_store, since=date(2026, 11, 19))
    assert [c.task.ref for c in d.deadline_changes] == ["cyber-2026/5", "cyber-2026/6"]
    assert "on 19 Nov 2026 at 00:10" in render(d, "text")


def test_a_completion_entered_late_with_an_earlier_date_still_shows(fresh_store: Store, clock) -> None:
    clock.now = hanoi(2026, 11, 24)
    done(fresh_store, "cyber-2026/6.2", "Proposal sent on 2 Nov", on=date(2026, 11, 2))
    refs = [i.task.ref for i in sample_digest(fresh_store).completed]
    assert refs == ["cyber-2026/6.2"]
    earlier = build_digest(fresh_store, DigestOptions(as_of=date(2026, 11, 20), since=date(2026, 11, 13)))
    assert earlier.completed == []  # recorded on the 24th, done on the 2nd: in neither window


# --- --since-last -------------------------------------------------------------------------------


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "digest", *args], catch_exceptions=False)


def test_since_last_shows_a_slip_and_a_completion_made_after_the_previous_digest(
    fresh_store: Store, db_path: Path, clock
) -> None:
    first = run(db_path, "--as-of", "2026-11-19", "--since-last")
    assert first.exit_code == 0
    assert "No previous digest before 2026-11-19" in first.stderr
    assert "There is no previous digest before 19 Nov 2026" in first.stdout
    assert fresh_store.last_digest()["as_of"] == "2026-11-19"

    clock.now = hanoi(2026, 11, 21, 8, 45)
    liaison = Store(db_path, actor="mps-liaison", clock=clock)
    edit(liaison, "cyber-2026/2.3", deadline=date(2027, 1, 31))
    liaison.close()
    clock.now = hanoi(2026, 11, 24, 16, 20)
    done(fresh_store, "cyber-2026/8.2", "Criteria sent to all agencies on 24 Nov 2026")

    before = run(db_path, "--as-of", "2026-11-20", "--since", "2026-11-13", "--no-record").stdout
    assert "No deadline changes since 13 Nov 2026." in before
    assert "No tasks completed since 13 Nov 2026." in before

    after = run(db_path, "--as-of", "2026-11-26", "--since-last")
    assert after.exit_code == 0 and after.stderr == ""
    text = after.stdout
    assert "Changes since the previous digest, as of 19 Nov 2026, that day included." in text
    assert "* cyber-2026/2.3: deadline slipped 31 days: 31 Dec 2026 → 31 Jan 2027" in text
    assert "Changed by mps-liaison on 21 Nov 2026 at 08:45" in text
    assert "* cyber-2026/8.2: done 24 Nov 2026, on time (due 30 Nov 2026)" in text
    assert "Evidence: Criteria sent to all agencies on 24 Nov 2026" in text

    # the next --since-last starts from the digest just made, and finds nothing new
    later = run(db_path, "--as-of", "2026-12-03", "--since-last", "--no-record").stdout
    assert "previous digest, as of 26 Nov 2026" in later
    assert "No deadline changes since 26 Nov 2026." in later


def test_no_record_leaves_the_digest_history_alone(fresh_store: Store, db_path: Path) -> None:
    assert run(db_path, "--as-of", "2026-11-26", "--no-record").exit_code == 0
    assert fresh_store.last_digest() is None
    assert run(db_path, "--as-of", "2026-11-26").exit_code == 0
    assert fresh_store.last_digest()["as_of"] == "2026-11-26"


# --- escaping and empty digests -----------------------------------------------------------------

HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_ORG = 'Evil "&<> Org'


@pytest.fixture
def hostile_store(fresh_store: Store, clock) -> Store:
    fresh_store.save_org(Org(key="EVIL", name=HOSTILE_ORG, head='<b>"Boss"</b>'))
    fresh_store.add_task(
        Task(
            plan="cyber-2026",
            key="9",
            title=HOSTILE_TITLE,
            lead="EVIL",
            deadline=date(2026, 11, 1),
            status="blocked",
            blocked_reason="<img src=x onerror=alert(2)>",
            kpi=model.KPI(metric="<i>hits</i>", target=10, current=5, unit="<u>"),
        )
    )
    clock.now = hanoi(2026, 11, 25)
    fresh_store.add_note("cyber-2026/9", "</td></tr></table><a href='javascript:x'>click</a>")
    return fresh_store


def test_html_escapes_hostile_text(hostile_store: Store) -> None:
    html = render(sample_digest(hostile_store), "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Evil &#34;&amp;&lt;&gt; Org" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;a href=&#39;javascript:x&#39;&gt;" in html
    for raw in (HOSTILE_TITLE, HOSTILE_ORG, "<img", "<a href", "<i>", "<u>", "<b>"):
        assert raw not in html
    # the markup is exactly the template's: as many opening as closing table cells
    assert html.count("<td") == html.count("</td>")


def test_markdown_makes_hostile_text_literal(hostile_store: Store) -> None:
    text = render(sample_digest(hostile_store), "md")
    assert r"\<script\>alert(1)\</script\>" in text
    assert re.findall(r"(?<!\\)[<>]", text) == []  # every angle bracket is backslash-escaped
    assert r"\<img src=x onerror=alert(2)\>" in text


def test_an_empty_database_says_so_in_every_section(empty_store: Store) -> None:
    d = build_digest(empty_store, DigestOptions(as_of=TODAY))
    assert d.is_empty
    for fmt in ("text", "md", "html"):
        out = render(d, fmt)
        for sentence in (
            "No plans in the database.",
            "No overdue tasks.",
            "Nothing falls due by 10 Dec 2026.",  # today + 14 days, both included
            "No tasks cancelled since 19 Nov 2026.",
            "No tasks completed since 19 Nov 2026.",
            "No deadline changes since 19 Nov 2026.",
            "No blocked tasks.",
            "No KPI targets.",
            "No plans to show progress for.",
            "No tasks assigned to any agency.",
        ):
            assert sentence in out, (fmt, sentence)


def test_empty_sections_say_so_plainly(week_store: Store) -> None:
    text = render(sample_digest(week_store, lead="SBV", horizon=3), "text")
    for sentence in (
        "No overdue tasks.",
        "Nothing falls due by 29 Nov 2026.",
        "No blocked tasks.",
        "No KPI targets.",
        "No tasks completed since 19 Nov 2026.",
    ):
        assert sentence in text


# --- the command --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_command_writes_each_format_to_a_file(week_store: Store, db_path: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"digest.{SUFFIX[fmt]}"
    result = run(db_path, "--as-of", "2026-11-26", "--format", fmt, "-o", str(out), "--no-record")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == (GOLDEN / f"digest-sample.{SUFFIX[fmt]}").read_text(encoding="utf-8")


def test_command_takes_the_format_from_the_file_name(week_store: Store, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "committee.html"
    assert run(db_path, "--as-of", "2026-11-26", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "pdf"], "Invalid value for '--format': 'pdf' is not one of 'text', 'md', 'html'"),
        (["--as-of", "32/13/2026"], "Invalid value for --as-of"),
        (["--since", "someday"], "Invalid value for --since"),
        (["--since", "2026-11-01", "--since-last"], "give either --since or --since-last, not both"),
        (["--as-of", "2026-11-26", "--since", "2026-12-01"], "is after the as-of date 2026-11-26"),
        (["--plan", "nope"], 'no plan "nope" (known plans: cyber-2026, strategy-2030)'),
        (["--lead", "Ministry"], 'lead: "Ministry" matches several agencies'),
        (["--horizon", "-1"], "Invalid value for '--horizon'"),
    ],
)
def test_command_errors_are_clear(fresh_store: Store, db_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db_path), "digest", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert fresh_store.last_digest() is None


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_a_limit_lists_the_worst_first_and_says_how_many_more(week_store: Store, fmt: str) -> None:
    """A digest of a large plan lists the first N of each section; headings and figures count all."""
    full, limited = sample_digest(week_store), sample_digest(week_store, limit=2)
    assert len(full.overdue) > 2 and limited.overdue == full.overdue[:2]  # the most days late
    assert limited.totals == full.totals and limited.plan_figures == full.plan_figures
    assert limited.count("overdue") == len(full.overdue) and limited.more["overdue"] == len(full.overdue) - 2
    text = render(limited, fmt)
    assert f"Overdue tasks ({len(full.overdue)})" in text
    assert f"and {len(full.overdue) - 2} more, not listed (the first 2 of each list are shown)" in text
    assert full.overdue[2].task.ref not in text.split("Due by")[0].split("Overdue tasks")[1]
    assert "not listed" not in render(full, fmt)


def test_the_command_lists_25_a_section_unless_told_otherwise(week_store: Store, db_path: Path) -> None:
    overdue = len(sample_digest(week_store).overdue)
    few = run(db_path, "--as-of", "2026-11-26", "--no-record", "--limit", "3").stdout
    assert f"and {overdue - 3} more, not listed" in few
    assert "not listed" not in run(db_path, "--as-of", "2026-11-26", "--no-record", "--limit", "0").stdout
    assert "not listed" not in run(db_path, "--as-of", "2026-11-26", "--no-record").stdout  # 10 overdue < 25
    from actionplan.digest.data import DEFAULT_LIMIT

    assert f"[default: {DEFAULT_LIMIT};" in run(db_path, "--help").stdout  # the command's 25 is the digest's
    with pytest.raises(DigestError):
        sample_digest(week_store, limit=0)


def test_many_plans_are_counted_not_listed_in_the_heading(week_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from actionplan.digest import phrases

    monkeypatch.setattr(phrases, "MAX_NAMED_PLANS", 1)
    assert "Plans: all 2; all lead agencies." in render(sample_digest(week_store), "text")
    assert "Plans: cyber-2026, strategy-2030;" in render(
        sample_digest(week_store, plans=("cyber-2026", "strategy-2030")), "text"
    )


def test_an_unknown_format_is_refused(week_store: Store) -> None:
    with pytest.raises(ValueError, match='unknown digest format "pdf"'):
        render(sample_digest(week_store), "pdf")


def test_text_and_markdown_do_not_load_jinja(db_path: Path, fresh_store: Store) -> None:
    """Jinja2 costs its import and a template compile: only HTML pays for them."""
    import subprocess
    import sys

    code = (
        "import sys; from actionplan.cli.main import main; sys.argv = ['actionplan', '--db', sys.argv[1], 'digest', "
        "'--as-of', '2026-11-26', '--format', 'md', '--no-record']; "
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main()\n"
        "    except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'markupsafe')))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_vietnamese_digest_matches_golden_file(week_store: Store, fmt: str) -> None:
    """The committee's own language: Vietnamese terms, dates (26/11/2026), agencies by short name."""
    from actionplan.core.i18n import set_language

    set_language("vi")
    text = render(sample_digest(week_store), fmt)
    check_golden(f"digest-sample-vi.{SUFFIX[fmt]}", text)
    assert "Báo cáo tình hình đến ngày 26/11/2026" in text
    assert "Bộ Công an" in text and "Ministry of Public Security" not in text
    if fmt != "html":
        assert max(len(line) for line in text.splitlines()) <= 80
