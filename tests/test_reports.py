"""The quarterly report: opened with python-docx and openpyxl, its rows checked against a hand count.

The scripted quarter on the sample plans (as of 26 November 2026, baseline saved at import):
task 3 (MIC, due 30 Sep) slips to 31 Dec and task 2.3 (MPS, due 31 Dec) to 31 Mar 2027,
each with a reason; 3.2 (MIC, due 30 Sep) is done on 20 Nov, 51 days late; 6.2 (MPS,
due 30 Nov) is done on 24 Nov, on time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.digest.data import DigestOptions, build_digest
from actionplan.digest.report import render_report, save_report
from actionplan.digest.report_data import ReportOptions, Standing, build_report, parse_period
from actionplan.services import tasks
from actionplan.services.baselines import save_baselines
from actionplan.store import Store, ValidationError

AS_OF = date(2026, 11, 26)
BASELINE = "approved 2026-04-28"
REASON_3 = "Ho Chi Minh City must first decide which merged-province systems it keeps"
REASON_23 = "Appraisal by the Ministry of Justice moved to the first quarter"
SUMMARY_COLUMNS = ["Tasks", "Done on time", "Done late", "Overdue", "At risk", "On track", "Not started"]

# The hand count, per lead agency (tasks, done on time, done late, overdue, at risk, on track, not started):
# MIC: 3 and 3.5 and 6 and 6.4 on track (6.4 not started), 3.1 and 6.3 on time, 3.2 late.
# MPS: 2, 4, 5, 7, 2.2, 2.3, 5.2 on track; 5.1, 7.1, 6.2 on time; 2.1 done 9 days late.
# OFFICE: 8 and 8.3 on track, 8.2 due 30 Nov (at risk), 1.1 on time, 1 done 8 days late.
# HCMC 3.3 (blocked, due 30 Sep), MOET 6.1 (blocked, due 31 Oct), MOJ 7.2 (due 31 Oct): overdue.
HAND_COUNT = {
    "MIC": [7, 2, 1, 0, 0, 4, 1],
    "MPS": [11, 3, 1, 0, 0, 7, 0],
    "OFFICE": [5, 1, 1, 0, 1, 2, 0],
    "HCMC": [1, 0, 0, 1, 0, 0, 0],
    "MOET": [1, 0, 0, 1, 0, 0, 0],
    "MOJ": [1, 0, 0, 1, 0, 0, 0],
    "SUB-TECH": [1, 0, 1, 0, 0, 0, 0],
    "CPSPC": [1, 1, 0, 0, 0, 0, 0],
    "SBV": [1, 1, 0, 0, 0, 0, 0],
    "SUB-LEGAL": [1, 1, 0, 0, 0, 0, 0],
}
TOTALS = [30, 9, 4, 3, 1, 13, 1]


def at(store_clock, day: int) -> None:
    store_clock.now = datetime(2026, 11, day, 3, 0, tzinfo=UTC)


def slip(store: Store, ref: str, deadline: date, reason: str) -> None:
    tasks.change_task(store, ref, {"deadline": deadline}, reason=reason)


def done(store: Store, ref: str, on: date) -> None:
    tasks.mark_done(store, ref, "Delivered and filed with the Office", on=on)


@pytest.fixture
def quarter(sample_store: Store, clock) -> Store:
    """The sample plans with a baseline saved first, then the scripted quarter."""
    at(clock, 2)
    save_baselines(sample_store, BASELINE, ["cyber-2026"])
    at(clock, 10)
    slip(sample_store, "cyber-2026/3", date(2026, 12, 31), REASON_3)
    at(clock, 12)
    slip(sample_store, "cyber-2026/2.3", date(2027, 3, 31), REASON_23)
    sample_store.add_note("cyber-2026/2.3", "Draft sent to the Ministry of Justice", on=date(2026, 11, 12))
    at(clock, 20)
    done(sample_store, "cyber-2026/3.2", date(2026, 11, 20))
    at(clock, 24)
    done(sample_store, "cyber-2026/6.2", date(2026, 11, 24))
    at(clock, 26)
    return sample_store


def options(**kw) -> ReportOptions:
    return ReportOptions(plan="cyber-2026", period="2026-Q4", as_of=AS_OF, **kw)


def write(store: Store, tmp_path: Path, fmt: str, **kw) -> Path:
    path = tmp_path / f"report.{fmt}"
    save_report(store, options(**kw), path)
    return path


# --- the figures ---------------------------------------------------------------------------


def test_summary_matches_the_hand_count(quarter: Store) -> None:
    report = build_report(quarter, options())
    got = {
        s.org.key: [
            s.figures.tasks,
            s.figures.done_on_time,
            s.figures.done_late,
            s.figures.overdue,
            s.figures.at_risk,
            s.figures.on_track,
            s.figures.not_started,
        ]
        for s in report.agencies
    }
    assert got == HAND_COUNT
    t = report.totals
    assert [t.tasks, t.done_on_time, t.done_late, t.overdue, t.at_risk, t.on_track, t.not_started] == TOTALS


def test_summary_equals_the_digests_agency_figures(quarter: Store) -> None:
    report = build_report(quarter, options())
    digest = build_digest(quarter, DigestOptions(as_of=AS_OF, plans=("cyber-2026",)))
    ours = [
        (s.org.key, s.figures.tasks, s.figures.done_on_time, s.figures.done_late, s.figures.overdue)
        for s in report.agencies
    ]
    # tasks not cancelled, deliveries on time and late against the committed deadline, overdue
    theirs = [
        (a.org, a.assigned - a.cancelled, a.on_time, a.judged - a.on_time, a.overdue) for a in digest.accountability
    ]
    assert ours == theirs  # same agencies, same order, same counts
    board = quarter.accountability(AS_OF, ["cyber-2026"])
    assert ours == [(a.org, a.assigned - a.cancelled, a.on_time, a.judged - a.on_time, a.overdue) for a in board]
    mps = build_report(quarter, options(org="MPS"))
    mps_digest = build_digest(quarter, DigestOptions(as_of=AS_OF, plans=("cyber-2026",), lead="MPS"))
    assert [s.org.key for s in mps.agencies] == ["MPS"]
    assert mps.agencies[0].figures.tasks == mps_digest.accountability[0].assigned


def test_each_task_against_the_baseline(quarter: Store) -> None:
    report = build_report(quarter, options())
    lines = {line.task.key: line for s in report.agencies for line in s.tasks}
    three = lines["3"]
    assert (three.baseline_deadline, three.task.deadline, three.standing) == (
        date(2026, 9, 30),
        date(2026, 12, 31),
        Standing.ON_TRACK,
    )
    assert three.moved_days == 92
    assert [(m.on, m.old, m.new) for m in three.moves] == [(date(2026, 11, 10), date(2026, 9, 30), date(2026, 12, 31))]
    assert lines["3.2"].status_text == "done 51 days late"
    assert lines["6.2"].status_text == "done on time"
    assert lines["7.2"].status_text == "late by 26 days"
    assert lines["8.2"].status_text == "at risk"
    assert lines["2.3"].last_note is not None and lines["2.3"].last_note.text == "Draft sent to the Ministry of Justice"
    assert lines["2.3"].coordinating == ["Ministry of Information and Communications", "Ministry of Justice"]


def test_a_slip_does_not_erase_lateness_against_the_baseline(quarter: Store, clock) -> None:
    at(clock, 25)
    done(quarter, "cyber-2026/3", date(2026, 11, 25))  # on time for 31 Dec, 56 days after 30 Sep
    report = build_report(quarter, options())
    line = next(x for s in report.agencies for x in s.tasks if x.task.key == "3")
    assert line.status_text == "done 56 days late"
    mic = next(s.figures for s in report.agencies if s.org.key == "MIC")
    assert (mic.done_on_time, mic.done_late, mic.on_track) == (2, 2, 3)
    digest = build_digest(quarter, DigestOptions(as_of=AS_OF, plans=("cyber-2026",)))
    board = next(a for a in digest.accountability if a.org == "MIC")
    assert (board.on_time, board.judged - board.on_time) == (2, 2)


def test_reasons_of_slips_are_in_the_report(quarter: Store) -> None:
    lines = {line.task.key: line for s in build_report(quarter, options()).agencies for line in s.tasks}
    assert [m.reason for m in lines["3"].moves] == [REASON_3]
    assert [m.reason for m in lines["2.3"].moves] == [REASON_23]


def test_a_later_baseline_moves_the_comparison(quarter: Store, clock) -> None:
    save_baselines(quarter, "revised 2026-11-26", ["cyber-2026"])
    report = build_report(quarter, options(baseline="revised 2026-11-26"))
    lines = {line.task.key: line for s in report.agencies for line in s.tasks}
    assert lines["3"].baseline_deadline == date(2026, 12, 31) and lines["3"].moves == []
    assert build_report(quarter, options()).baseline.name == BASELINE  # the earliest stays the default


def test_without_a_baseline_the_first_committed_deadline_is_used(sample_store: Store, clock) -> None:
    at(clock, 10)
    slip(sample_store, "cyber-2026/3", date(2026, 12, 15), REASON_3)
    at(clock, 11)
    slip(sample_store, "cyber-2026/3", date(2026, 12, 31), REASON_3)
    report = build_report(sample_store, options())
    assert report.baseline is None and "no baseline saved" in report.baseline_label
    line = next(x for s in report.agencies for x in s.tasks if x.task.key == "3")
    assert line.baseline_deadline == date(2026, 9, 30) and len(line.moves) == 2


def test_bad_options_are_refused_clearly(quarter: Store) -> None:
    with pytest.raises(ValidationError, match="--period"):
        parse_period("Q5 2026")
    with pytest.raises(ValidationError, match="before the period"):
        build_report(quarter, ReportOptions(plan="cyber-2026", period="2026-Q4", as_of=date(2026, 9, 1)))
    with pytest.raises(ValidationError, match="--format"):
        save_report(quarter, options(), "report.pdf")
    assert not Path("report.pdf").exists()


# --- the files ---------------------------------------------------------------------------------


def _docx_rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_docx_holds_the_summary_and_the_tasks(quarter: Store, tmp_path: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    names = {o.key: o.name for o in quarter.list_orgs()}
    document = docx.Document(str(write(quarter, tmp_path, "docx")))
    summary, *agency_tables = document.tables
    rows = _docx_rows(summary)
    assert rows[0][1:] == SUMMARY_COLUMNS
    got = {r[0].split(" — ")[0]: [int(c) for c in r[1:]] for r in rows[1:-1]}
    assert got == HAND_COUNT
    assert [int(c) for c in rows[-1][1:]] == TOTALS
    # one task table per agency, a row per task, the header repeated on each page
    order = [r[0].split(" — ")[0] for r in rows[1:-1]]  # the digest's order, worst first
    assert len(agency_tables) == len(HAND_COUNT)  # and no KPI table: cyber-2026 carries no KPI
    for table, org in zip(agency_tables, order):
        assert len(table.rows) == HAND_COUNT[org][0] + 1
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    mic = _docx_rows(agency_tables[order.index("MIC")])
    task3 = next(r for r in mic if r[0] == "3")
    assert task3[2] == "2026-09-30 → 2026-12-31" and task3[3] == "on track"
    assert "2026-11-10" in task3[6] and "2026-09-30 → 2026-12-31 (+92 days)" in task3[6]
    task32 = next(r for r in mic if r[0] == "3.2")
    assert task32[2] == "2026-09-30 → 2026-09-30 → done 2026-11-20" and task32[3] == "done 51 days late"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.styles["Normal"].font.name == "Times New Roman" and document.styles["Normal"].font.size.pt == 14
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == [
        "1. Summary by lead agency",
        "2. Tasks by lead agency",
        f"2.1. {order[0]} — " + names[order[0]],
    ]


def test_xlsx_has_a_sheet_per_section_with_real_values(quarter: Store, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(write(quarter, tmp_path, "xlsx"))
    assert book.sheetnames == ["Report", "Summary", "Tasks", "Deadline changes", "KPIs"]
    summary = [list(r) for r in book["Summary"].iter_rows(values_only=True)]
    assert summary[0][1:] == SUMMARY_COLUMNS
    assert {r[0].split(" — ")[0]: list(r[1:]) for r in summary[1:-1]} == HAND_COUNT
    assert list(summary[-1][1:]) == TOTALS
    tasks = book["Tasks"]
    assert tasks.freeze_panes == "A2" and tasks.auto_filter.ref == f"A1:L{TOTALS[0] + 1}"
    header = [c.value for c in tasks[1]]
    rows = {r[0]: dict(zip(header, r)) for r in tasks.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == TOTALS[0]
    three = rows["3"]
    assert three["Baseline deadline"] == datetime(2026, 9, 30) and three["Current deadline"] == datetime(2026, 12, 31)
    assert three["Progress %"] == 85 and three["Status"] == "on track"
    assert rows["3.2"]["Completed on"] == datetime(2026, 11, 20)
    changes = [r for r in book["Deadline changes"].iter_rows(min_row=2, values_only=True)]
    assert sorted((r[0], r[7]) for r in changes) == [("2.3", 90), ("3", 92)]
    width = tasks.column_dimensions["B"].width
    assert 20 < width <= 60  # titles are long, capped and wrapped


def test_markdown_lists_every_task(quarter: Store, tmp_path: Path) -> None:
    text = write(quarter, tmp_path, "md").read_text(encoding="utf-8")
    assert len(re.findall(r"^- \*\*[0-9]", text, re.MULTILINE)) == TOTALS[0]  # one item per task
    assert "| MIC — Ministry of Information and Communications | 7 | 2 | 1 | 0 | 0 | 4 | 1 |" in text
    assert "2026-11-10" in text and "done 51 days late" in text


def test_kpi_targets_with_baseline_target_and_current(sample_store: Store, tmp_path: Path) -> None:
    import openpyxl

    report = build_report(sample_store, ReportOptions(plan="strategy-2030", period="2026-Q4", as_of=AS_OF))
    kpis = sample_store.kpi_tasks(["strategy-2030"])
    assert len(report.kpis) == len(kpis) > 0
    path = tmp_path / "kpi.xlsx"
    path.write_bytes(render_report(report, "xlsx"))
    rows = list(openpyxl.load_workbook(path)["KPIs"].iter_rows(min_row=2, values_only=True))
    expected = [(t.key, t.kpi.baseline, t.kpi.target, t.kpi.current) for t in kpis]
    assert [(r[0], r[4], r[5], r[6]) for r in rows] == expected


# --- hostile text ---------------------------------------------------------------------------


HOSTILE = ['=HYPERLINK("http://example.invalid","click")', "+1+1", "-2+3", "@SUM(A1:A2)"]


def test_formula_looking_text_stays_text(quarter: Store, tmp_path: Path) -> None:
    import docx
    import openpyxl

    for key, text in zip(("1.1", "1.2", "1.3", "3.1"), HOSTILE):
        task = quarter.get_task(f"cyber-2026/{key}")
        quarter.update_task(task.ref, {"title": text, "output": text}, task.version)
    book = openpyxl.load_workbook(write(quarter, tmp_path, "xlsx"))
    cells = [c for row in book["Tasks"].iter_rows(min_row=2) for c in row[1:2]]
    hostile = [c for c in cells if c.value in HOSTILE]
    assert sorted(c.value for c in hostile) == sorted(HOSTILE)
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile)
    document = docx.Document(str(write(quarter, tmp_path, "docx")))
    texts = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert all(text in texts for text in HOSTILE)


def test_control_characters_are_dropped_from_xml_files(quarter: Store, tmp_path: Path) -> None:
    import docx
    import openpyxl

    report = build_report(quarter, options())
    report.agencies[0].tasks[0].task.title = "Bell\x07 and\x1b escape\x0c"
    report.plan.title = "Plan\x00 title"
    for fmt in ("docx", "xlsx"):
        (tmp_path / f"c.{fmt}").write_bytes(render_report(report, fmt))
    document = docx.Document(str(tmp_path / "c.docx"))
    assert "Bell and escape" in [c.text for r in document.tables[1].rows for c in r.cells][8]
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert book["Tasks"]["B2"].value == "Bell and escape"


# --- the command -----------------------------------------------------------------------------


def test_report_command_writes_the_file(quarter: Store, db_path: Path, tmp_path: Path) -> None:
    quarter.close()
    out = tmp_path / "q4.docx"
    result = CliRunner().invoke(
        cli,
        [
            "--db",
            str(db_path),
            "report",
            "--plan",
            "cyber-2026",
            "--period",
            "2026-Q4",
            "--as-of",
            "2026-11-26",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    bad = CliRunner().invoke(
        cli, ["--db", str(db_path), "report", "--plan", "nope", "--period", "2026-Q4", "-o", "x.md"]
    )
    assert bad.exit_code == 1 and 'no plan "nope"' in bad.output and not Path("x.md").exists()


# --- the UI --------------------------------------------------------------------------------------


async def test_the_digest_preview_saves_the_report(sample_store: Store, tmp_path: Path) -> None:
    import openpyxl
    from textual.widgets import Input

    from actionplan.tui.app import ActionPlanApp

    target = tmp_path / "from-the-ui.xlsx"
    app = ActionPlanApp(sample_store, today=AS_OF)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("g", "r")
        await pilot.pause()
        answer = app.screen.query_one("#answer", Input)
        assert answer.value == "report-cyber-2026-2026-Q4.docx"
        answer.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    summary = list(openpyxl.load_workbook(target)["Summary"].iter_rows(min_row=2, values_only=True))
    report = build_report(sample_store, options())
    assert [r[1] for r in summary] == [s.figures.tasks for s in report.agencies] + [report.totals.tasks]


async def test_the_palette_saves_the_report_of_a_plan(sample_store: Store, tmp_path: Path) -> None:
    from textual.command import CommandPalette
    from textual.widgets import Input

    from actionplan.tui.app import ActionPlanApp

    target = tmp_path / "strategy.md"
    app = ActionPlanApp(sample_store, today=AS_OF)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"quarterly report of strategy")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        answer = app.screen.query_one("#answer", Input)
        assert answer.value == "report-strategy-2030-2026-Q4.docx"
        answer.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Quarterly report 2026-Q4: ") and "## 3. KPI targets" in text
