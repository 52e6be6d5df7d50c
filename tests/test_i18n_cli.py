"""The command line in Vietnamese where the words are few: placeholders, errors naming an argument, feeds,
baselines and a task already done; English stays as it was."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from actionplan.cli.main import cli
from tests.processes import copy_of


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_calendar_options_show_what_is_typed_in_each_language() -> None:
    shown = {
        ("ics",): "--name",
        ("feeds", "add"): "--label",
        ("serve",): "--host",
    }
    english = {"--name": "NAME", "--label": "LABEL", "--host": "ADDRESS"}
    vietnamese = {"--name": "TÊN", "--label": "NHÃN", "--host": "ĐỊA_CHỈ"}
    for path, option in shown.items():
        en = _run("--lang", "en", *path, "--help").stdout
        vi = _run("--lang", "vi", *path, "--help").stdout
        assert f"{option} {english[option]} " in en, en
        assert f"{option} {vietnamese[option]} " in vi, vi
        assert "NỘI_DUNG" not in next(line for line in vi.splitlines() if option in line)


def test_a_group_names_its_command_and_arguments_in_vietnamese() -> None:
    assert "feeds [TÙY CHỌN] LỆNH [THAM_SỐ]..." in _run("--lang", "vi", "feeds", "--help").stdout
    assert "feeds [OPTIONS] COMMAND [ARGS]..." in _run("--lang", "en", "feeds", "--help").stdout


def test_an_error_names_the_argument_as_the_help_writes_it(template_db: Path, tmp_path: Path) -> None:
    db = str(copy_of(template_db, tmp_path / "committee.db"))
    vi = _run("--lang", "vi", "--db", db, "reminders", "14x")
    assert vi.exit_code == 2
    assert "[BÁO_TRƯỚC]..." in vi.stderr and "cho BÁO_TRƯỚC:" in vi.stderr and "OFFSETS" not in vi.stderr
    en = _run("--lang", "en", "--db", db, "reminders", "14x")
    assert "[OFFSETS]..." in en.stderr and "Invalid value for OFFSETS:" in en.stderr
    missing = _run("--lang", "vi", "set")
    assert "Thiếu đối số 'NHIỆM_VỤ'" in missing.stderr and "TASK" not in missing.stderr
    assert "Missing argument 'TASK'" in _run("--lang", "en", "set").stderr


def test_feeds_list_speaks_vietnamese_and_english_stays(template_db: Path, tmp_path: Path) -> None:
    db = str(copy_of(template_db, tmp_path / "committee.db"))
    assert _run("--db", db, "feeds", "add", "--org", "MPS", "--label", "desk", "--reminder-events").exit_code == 0
    assert _run("--db", db, "feeds", "add", "--plan", "cyber-2026").exit_code == 0
    made = _run("--lang", "vi", "--db", db, "feeds", "add", "--accountable", "Minister of Public Security")
    assert "(người chịu trách nhiệm Minister of Public Security)" in made.stdout
    assert "Nguồn lịch có 8 thời hạn, " in made.stderr
    vi = _run("--lang", "vi", "--db", db, "feeds", "list").stdout
    assert vi.splitlines()[0].split() == ["MÃ", "SỐ", "NHÃN", "PHẠM", "VI", "TÙY", "CHỌN", "TẠO", "LÚC", "(UTC)"] + [
        "NGƯỜI",
        "TẠO",
    ]
    assert "cơ quan MPS" in vi and "kế hoạch cyber-2026" in vi and "sự kiện nhắc hạn" in vi
    assert "org MPS" not in vi and "plan cyber-2026" not in vi
    en = _run("--lang", "en", "--db", db, "feeds", "list").stdout
    assert en.splitlines()[0].split() == ["ID", "LABEL", "SCOPE", "OPTIONS", "CREATED", "(UTC)", "BY"]
    assert "org MPS" in en and "plan cyber-2026" in en and "accountable Minister of Public Security" in en


def test_baselines_show_vietnamese_dates_and_english_keeps_iso(template_db: Path, tmp_path: Path) -> None:
    db = str(copy_of(template_db, tmp_path / "committee.db"))
    assert _run("--db", db, "baseline", "save", "approved", "--plan", "cyber-2026").exit_code == 0
    en = _run("--lang", "en", "--db", db, "baseline", "show", "approved").stdout
    first = en.splitlines()[0]
    assert first.startswith('cyber-2026 · "approved" · saved 20') and first.endswith(" by tester")
    assert "T" in first.split(" saved ")[1] and "2026-04-30" in en
    vi = _run("--lang", "vi", "--db", db, "baseline", "show", "approved").stdout
    head = vi.splitlines()[0]
    assert re.fullmatch(r'cyber-2026 · "approved" · tester lưu lúc \d{1,2}/\d{1,2}/20\d\d \d\d:\d\d UTC', head), head
    assert "30/4/2026" in vi and "2026-04-30" not in vi
    listed = _run("--lang", "vi", "--db", db, "baseline", "list").stdout
    assert " UTC " in listed and "+00:00" not in listed
    assert "+00:00" in _run("--lang", "en", "--db", db, "baseline", "list").stdout


def test_a_task_already_done_names_its_day_as_the_language_writes_it(template_db: Path, tmp_path: Path) -> None:
    db = str(copy_of(template_db, tmp_path / "committee.db"))
    completed = _run("--db", db, "show", "cyber-2026/1.1", "--json").stdout.split('"completed_on": "')[1][:10]
    year, month, day = (int(part) for part in completed.split("-"))
    vi = _run("--lang", "vi", "--db", db, "done", "cyber-2026/1.1", "--evidence", "x")
    assert vi.exit_code != 0
    assert f"nhiệm vụ đã hoàn thành ({day}/{month}/{year}); hãy mở lại" in vi.stderr
    en = _run("--lang", "en", "--db", db, "done", "cyber-2026/1.1", "--evidence", "x")
    assert f"the task is already done ({completed}); reopen it first by changing its status" in en.stderr
    closed = _run("--lang", "vi", "--db", db, "done", "cyber-2026/3.2", "--evidence", "x", "--on", "2026-11-20")
    assert closed.exit_code == 0 and "(20/11/2026)" in closed.stdout


def test_a_report_names_its_baseline_with_the_day_it_was_saved(template_db: Path, tmp_path: Path) -> None:
    db = str(copy_of(template_db, tmp_path / "committee.db"))
    assert _run("--db", db, "baseline", "save", "approved", "--plan", "cyber-2026").exit_code == 0
    for lang, pattern in (
        ("vi", r"approved \(lưu ngày \d{1,2}/\d{1,2}/20\d\d\)"),
        ("en", r"approved \(saved 20\d\d-\d\d-\d\d\)"),
    ):
        out = tmp_path / f"q4-{lang}.md"
        args = ["--lang", lang, "--db", db, "report", "--plan", "cyber-2026", "--period", "2026-Q4"]
        assert _run(*args, "--baseline", "approved", "-o", str(out)).exit_code == 0
        assert re.search(pattern, out.read_text(encoding="utf-8")), lang


def test_clicks_own_errors_on_a_mistyped_command_line_speak_vietnamese(template_db: Path, tmp_path: Path) -> None:
    db = str(copy_of(template_db, tmp_path / "committee.db"))
    said = {
        ("list", "--bogus"): ("Có phải ý bạn là '--org'?", "Did you mean '--org'?"),
        ("list", "--sort", "zz"): ("'zz' không phải một trong 'deadline'", "'zz' is not one of 'deadline'"),
        ("show", "a", "b"): ("Thừa đối số (b)", "Got unexpected extra argument (b)"),
        ("list", "--lead"): ("Tùy chọn '--lead' cần 1 giá trị.", "Option '--lead' requires an argument."),
        ("list", "--overdue=3"): (
            "Tùy chọn '--overdue' không nhận giá trị.",
            "Option '--overdue' does not take a value.",
        ),
    }
    for args, (vietnamese, english) in said.items():
        vi = _run("--lang", "vi", "--db", db, *args)
        assert vi.exit_code == 2 and vietnamese in vi.stderr, (args, vi.stderr)
        assert english in _run("--lang", "en", "--db", db, *args).stderr
