"""The language choice, the catalogues and Vietnamese dates, numbers and deadline phrases."""

from __future__ import annotations

import itertools
import re
import string
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.core import i18n, l10n
from actionplan.core.dates import describe_resolution, parse_deadline, relative_days
from actionplan.core.i18n import _, choose_language, language_from_locale
from tests.processes import command_paths

PO = Path(i18n.LOCALE_DIR) / "vi" / "LC_MESSAGES" / "actionplan.po"


@pytest.fixture
def vietnamese():
    i18n.set_language("vi")
    yield
    i18n.set_language("en", explicit=False)


# --- choosing the language ----------------------------------------------------------------------


def test_lang_option_wins_over_environment_and_locale() -> None:
    env = {"ACTIONPLAN_LANG": "en", "LANG": "en_US.UTF-8"}
    assert choose_language("vi", env) == "vi"


def test_environment_wins_over_locale() -> None:
    assert choose_language(None, {"ACTIONPLAN_LANG": "vi", "LC_ALL": "en_GB.UTF-8"}) == "vi"


def test_locale_order_is_lc_all_then_lc_messages_then_lang() -> None:
    assert language_from_locale({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}) == "vi"
    assert language_from_locale({"LC_MESSAGES": "vi_VN", "LANG": "en_US.UTF-8"}) == "vi"
    assert language_from_locale({"LANG": "en_US.UTF-8"}) == "en"


def test_an_unset_or_c_locale_leaves_the_choice_to_the_database() -> None:
    assert choose_language(None, {}) is None
    assert choose_language(None, {"LANG": "C.UTF-8"}) is None
    assert choose_language(None, {"LC_ALL": "POSIX"}) is None


def test_an_unknown_language_is_refused_naming_where_it_came_from() -> None:
    with pytest.raises(ValueError, match=r"\$ACTIONPLAN_LANG: unknown language \"fr\""):
        choose_language(None, {"ACTIONPLAN_LANG": "fr"})


def test_english_is_the_default_when_nothing_asks_for_vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACTIONPLAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and "Show this message and exit." in result.output


def test_help_in_vietnamese_with_lang_option() -> None:
    result = CliRunner().invoke(cli, ["--lang", "vi", "list", "--help"])
    assert result.exit_code == 0, result.output
    assert "Cách dùng:" in result.output
    assert "Liệt kê nhiệm vụ" in result.output
    assert "Nhiệm vụ đang mở đã quá thời hạn." in result.output  # --overdue's help
    assert "Show this message" not in result.output


def test_help_in_vietnamese_from_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTIONPLAN_LANG", raising=False)
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    result = CliRunner().invoke(cli, ["--help"])
    assert "Tùy chọn:" in result.output and "Lệnh:" in result.output


def test_committee_default_in_the_database_applies_when_nothing_else_chooses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("ACTIONPLAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    created = runner.invoke(cli, ["--db", db, "init", "--lang", "vi"])
    assert created.exit_code == 0, created.output
    assert created.output.startswith("Đã tạo ")
    listed = runner.invoke(cli, ["--db", db, "list", "--overdue", "--as-of", "2026-11-26"])
    assert "NHIỆM VỤ" in listed.output and "THỜI HẠN" in listed.output
    assert "quá hạn" in listed.output
    english = runner.invoke(cli, ["--db", db, "--lang", "en", "list", "--overdue", "--as-of", "2026-11-26"])
    assert "TASK" in english.output and "DEADLINE" in english.output
    changed = runner.invoke(cli, ["--db", db, "init", "--lang", "en"])
    assert changed.exit_code == 0 and "Database already exists" in changed.output
    assert "TASK" in runner.invoke(cli, ["--db", db, "list"]).output


def test_show_in_vietnamese_names_the_lead_by_its_short_name(sample_store, db_path: Path) -> None:
    sample_store.close()
    result = CliRunner().invoke(
        cli, ["--lang", "vi", "--db", str(db_path), "show", "cyber-2026/2", "--as-of", "2026-11-26"]
    )
    assert result.exit_code == 0, result.output
    assert "Người chịu trách nhiệm" in result.output
    assert "Thời hạn" in result.output


# --- the catalogue ------------------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    """The named placeholders of a message: {n}, {name!r}, %(prog)s."""
    import re

    names = {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    return names | set(re.findall(r"%\((\w+)\)s", text))


def test_every_message_of_the_source_has_a_vietnamese_translation_with_the_same_placeholders() -> None:
    from babel.messages.pofile import read_po

    from actionplan.locale.extract import source_catalog

    with open(PO, "rb") as f:
        catalog = read_po(f, locale="vi")
    missing, wrong = [], []
    for message in source_catalog():
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = () if found is None else (found.string if isinstance(found.string, tuple) else (found.string,))
        if found is None or found.fuzzy or not all(strings):
            missing.append(ids[0])
            continue
        for translated in strings:
            if _fields(translated) != _fields(ids[-1]) and _fields(translated) != _fields(ids[0]):
                wrong.append((ids[0], translated))
    assert not missing, f"{len(missing)} message(s) without a Vietnamese translation: {missing[:20]}"
    assert not wrong, f"placeholders differ from the English: {wrong[:20]}"


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    import io

    from babel.messages.mofile import read_mo, write_mo
    from babel.messages.pofile import read_po

    with open(PO, "rb") as f:
        catalog = read_po(f, locale="vi")
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    expected = {str(m.id): str(m.string) for m in read_mo(compiled) if m.id}
    with open(PO.with_suffix(".mo"), "rb") as f:
        shipped = {str(m.id): str(m.string) for m in read_mo(f) if m.id}
    assert shipped == expected, "actionplan.mo is stale: run python -m actionplan.locale.update"


def test_the_catalogue_uses_the_committee_terms(vietnamese) -> None:
    from actionplan.core.i18n import _

    assert _("Lead") == "Cơ quan chủ trì"
    assert _("Coordinating") == "Cơ quan phối hợp"
    assert _("Accountable") == "Người chịu trách nhiệm"
    assert _("Deadline") == "Thời hạn"
    assert _("Expected output") == "Sản phẩm"
    assert _("Progress") == "Tiến độ"
    assert _("Overdue") == "Quá hạn"
    assert _("Due soon") == "Sắp đến hạn"
    for english, vietnamese_word in (
        ("not started", "chưa thực hiện"),
        ("in progress", "đang thực hiện"),
        ("blocked", "vướng mắc"),
        ("done", "hoàn thành"),
        ("cancelled", "hủy bỏ"),
    ):
        assert _(english) == vietnamese_word


# --- Vietnamese dates, numbers, phrases ---------------------------------------------------------


def test_vietnamese_dates_and_numbers(vietnamese) -> None:
    d = date(2026, 4, 30)
    assert l10n.day(d) == "30/4/2026"
    assert l10n.weekday(d) == "thứ Năm"
    assert l10n.weekday(date(2026, 5, 3)) == "Chủ nhật"
    assert l10n.quarter(2026, 3) == "quý III/2026"
    assert l10n.month(2026, 4) == "tháng 4/2026"
    assert l10n.number(1234) == "1.234"
    assert l10n.number(10000.5) == "10.000,5"
    assert relative_days(date(2026, 12, 25), date(2026, 11, 26)) == "còn 29 ngày"
    assert relative_days(date(2026, 9, 24), date(2026, 11, 26)) == "quá hạn 63 ngày"
    assert describe_resolution("cuối quý 3/2026") == '"cuối quý 3/2026" → 30/9/2026 (thứ Tư)'


def test_english_dates_and_numbers_are_unchanged() -> None:
    assert l10n.day(date(2026, 4, 30)) == "30 Apr 2026"
    assert l10n.number(1234) == "1,234"
    assert relative_days(date(2026, 12, 25), date(2026, 11, 26)) == "29 days left"
    assert describe_resolution("cuối quý 3/2026") == '"cuối quý 3/2026" → 2026-09-30 (Wed)'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cuối quý 3/2026", date(2026, 9, 30)),
        ("trước 31/3/2027", date(2027, 3, 31)),
        ("trước ngày 31/3/2027", date(2027, 3, 31)),
        ("quý 1 năm 2027", date(2027, 3, 31)),
        ("6 tháng đầu năm 2026", date(2026, 6, 30)),
        ("6 tháng cuối năm 2026", date(2026, 12, 31)),
        ("hết năm 2026", date(2026, 12, 31)),
        ("đến hết tháng 6/2026", date(2026, 6, 30)),
        ("chậm nhất là ngày 30/6/2026", date(2026, 6, 30)),
        ("trong quý IV/2026", date(2026, 12, 31)),
    ],
)
def test_vietnamese_deadline_phrases(text: str, expected: date) -> None:
    assert parse_deadline(text) == expected


def test_before_a_period_stays_ambiguous_in_vietnamese_too() -> None:
    from actionplan.core.dates import DateError

    with pytest.raises(DateError, match="ambiguous"):
        parse_deadline("trước tháng 4/2026")


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("quá hạn", "overdue", True),
        ("Quá-hạn lead:MPS", "overdue", True),
        ("sắp đến hạn", "due_within", 14),
        ("vướng mắc", "statuses", ["blocked"]),
        ('"hoàn thành"', "statuses", ["done"]),
        ("status:chưa-thực-hiện", "statuses", ["not started"]),
        ("status:huỷ_bỏ,đang-thực-hiện", "statuses", ["cancelled", "in progress"]),
    ],
)
def test_the_filter_language_reads_vietnamese_status_words(query: str, field: str, value: object) -> None:
    from actionplan.core.query import parse_query

    assert getattr(parse_query(query), field) == value


def test_other_vietnamese_words_stay_search_words() -> None:
    from actionplan.core.query import parse_query

    assert parse_query("an ninh mạng").words == ["an ninh mạng"]


# --- Vietnamese iCal ----------------------------------------------------------------------------


def test_vietnamese_ical_export_parses_and_speaks_vietnamese(sample_store, db_path: Path) -> None:
    import icalendar

    sample_store.close()
    result = CliRunner().invoke(
        cli,
        [
            "--lang",
            "vi",
            "--db",
            str(db_path),
            "ics",
            "--plan",
            "cyber-2026",
            "--reminder-events",
            "--as-of",
            "2026-11-26",
        ],
    )
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(result.stdout)
    events = [c for c in calendar.walk("VEVENT")]
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any(s.startswith("2 ") and s.endswith("— Bộ Công an") for s in summaries), summaries[:5]
    assert any(s.startswith("Còn 7 ngày đến hạn: ") for s in summaries)
    description = str(next(e for e in events if str(e["SUMMARY"]).startswith("2 "))["DESCRIPTION"])
    for label in ("Nhiệm vụ: ", "Cơ quan chủ trì: MPS — Bộ Công an", "Người chịu trách nhiệm: ", "Cơ quan phối hợp: "):
        assert label in description
    assert "Thời hạn: 31/3/2027" in description and "Trạng thái: đang thực hiện" in description
    alarms = [str(a["DESCRIPTION"]) for e in events for a in e.walk("VALARM")]
    assert alarms and all(a.startswith(("Còn ", "Đến hạn")) for a in alarms)
    assert "Deadline" not in result.stdout and "Lead:" not in result.stdout


def test_the_calendar_cache_keeps_languages_apart(sample_store, db_path: Path) -> None:
    sample_store.close()
    runner = CliRunner()
    args = ["--db", str(db_path), "ics", "--plan", "cyber-2026"]
    english = runner.invoke(cli, ["--lang", "en", *args]).stdout
    vietnamese_text = runner.invoke(cli, ["--lang", "vi", *args]).stdout
    again = runner.invoke(cli, ["--lang", "en", *args]).stdout
    assert "Lead: MPS" in english and "Cơ quan chủ trì" in vietnamese_text

    def stamped(text: str) -> list[str]:  # DTSTAMP is the moment of the export
        return [line for line in text.splitlines() if not line.startswith("DTSTAMP")]

    assert stamped(again) == stamped(english)


def test_vietnamese_numbers_are_written_as_babel_writes_them(vietnamese) -> None:
    from babel.numbers import format_decimal

    for value in (0, 7, 1234, 1234.5, 10000, 4300.25, 1234567.125, -2500.5):
        assert l10n.number(value) == format_decimal(value, format="#,##0.####", locale="vi")
    assert l10n.number(252.0, 1) == format_decimal(252.0, format="#,##0.0", locale="vi") == "252,0"


def test_vietnamese_list_writes_dates_and_counts_as_vietnamese_does(sample_store, db_path: Path) -> None:
    sample_store.close()
    args = ["--db", str(db_path), "list", "plan:strategy-2030", "--as-of", "2026-12-03"]
    vietnamese_text = CliRunner().invoke(cli, ["--lang", "vi", *args]).stdout
    english = CliRunner().invoke(cli, ["--lang", "en", *args]).stdout
    assert "31/12/2030" in vietnamese_text and "còn 1.489 ngày" in vietnamese_text
    assert "2030-12-31" in english and "1489 days left" in english


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("status:quá-hạn", "overdue", True),
        ("status:qua-han", "overdue", True),
        ("status:sắp-đến-hạn", "due_within", 14),
        ("status:đang-mở", "open_only", True),
    ],
)
def test_status_words_for_overdue_soon_and_open(query: str, field: str, value: object) -> None:
    from actionplan.core.query import parse_query

    assert getattr(parse_query(query), field) == value


def test_the_feed_server_started_in_vietnamese_names_the_calendar_in_vietnamese(sample_store) -> None:
    import socket
    import subprocess
    import sys
    import time

    import httpx
    import icalendar

    from actionplan.services.feeds import FeedScope, create_feed

    new = create_feed(sample_store, FeedScope("org", "MPS"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["--lang", "vi", "--db", str(sample_store.path), "serve", "--port", str(port)]
    proc = subprocess.Popen([sys.executable, "-m", "actionplan", *args], stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(300):  # wait for the condition "health answers", at most ~30 s
                try:
                    client.get("/health")
                    break
                except httpx.TransportError:
                    assert proc.poll() is None
                    time.sleep(0.1)
            answer = client.get(f"/feeds/{new.token}.ics")
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    calendar = icalendar.Calendar.from_ical(answer.text)
    assert str(calendar["X-WR-CALNAME"]).endswith("— Bộ Công an")
    assert any(str(e["SUMMARY"]).endswith("— Bộ Công an") for e in calendar.walk("VEVENT"))
    assert "Lead:" not in answer.text


def test_history_in_vietnamese_shows_status_words_in_vietnamese(sample_store, db_path: Path) -> None:
    sample_store.close()
    base = ["--db", str(db_path)]
    changed = CliRunner().invoke(
        cli, [*base, "set", "cyber-2026/2.3", "status=blocked", "blocked_reason=Waiting for the decree"]
    )
    assert changed.exit_code == 0, changed.output
    vietnamese_text = CliRunner().invoke(cli, ["--lang", "vi", *base, "history", "cyber-2026/2.3"]).stdout
    english = CliRunner().invoke(cli, ["--lang", "en", *base, "history", "cyber-2026/2.3"]).stdout
    assert "vướng mắc" in vietnamese_text and "blocked" not in vietnamese_text
    assert "blocked" in english


BAD_PLANS = {
    "values.toml": '[plan]\nkey = "p-1"\ntitle = "T"\n\n[[tasks]]\nkey = "1"\ntitle = "x"\nstatus = "finished"\n'
    'deadline = "2026-13-40"\nrecurrence = "every blue moon"\nprogress = 140\nlead = "NOPE"\n',
    "fields.toml": '[plan]\nkey = "p-1"\ntitle = "T"\nfoo = 1\n[[tasks]]\nkey = "1"\ntitle = "a"\n'
    'deadline = "Q5 2026"\nstart = "xx"\n[[tasks]]\nkey = "1"\ntitle = "b"\nstatus = "done"\n',
    "tables.toml": '[plan]\nkey = "Bad Key"\ntitle = "T"\n[[orgs]]\nkey = "m"\nname = "x"\n[oops]\n',
}
#: English words of plan-file problems; the field names a plan file is written with (lead, deadline) stay.
#: The deadline forms stay as examples a user may type in either language; their glosses are translated.
ENGLISH_PROBLEM_WORDS = {"error", "task", "unknown", "required", "cannot", "must", "use", "known", "duplicate"}


@pytest.mark.parametrize("name", sorted(BAD_PLANS))
def test_plan_file_problems_in_vietnamese_keep_file_and_line(tmp_path: Path, name: str) -> None:
    plan = tmp_path / name
    plan.write_text(BAD_PLANS[name], encoding="utf-8")
    db = str(tmp_path / "t.db")
    assert CliRunner().invoke(cli, ["--db", db, "init", "--empty"]).exit_code == 0
    result = CliRunner().invoke(cli, ["--lang", "vi", "--db", db, "import", str(plan)])
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if str(plan) in line]
    assert len(problems) >= 2, result.stderr
    for line in problems:
        assert line.startswith(f"lỗi: {plan}:"), line
        assert line.split(":")[2].isdigit(), line  # file:line kept
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", line.split(": ", 1)[1].replace(str(plan), ""))}
        assert not words & ENGLISH_PROBLEM_WORDS, line
        assert "(day first)" not in line and "(that day)" not in line, line
    english = CliRunner().invoke(cli, ["--db", db, "import", str(plan)]).stderr
    assert english.startswith(f"error: {plan}:")


def test_help_placeholders_are_in_vietnamese_for_every_command() -> None:
    from actionplan.cli.lang import METAVARS

    english = set(METAVARS)
    for path in command_paths():
        result = CliRunner().invoke(cli, ["--lang", "vi", *path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        usage_and_options = [line for line in result.stdout.splitlines() if line.lstrip().startswith(("-", "Cách"))]
        left = {w for line in usage_and_options for w in re.findall(r"\b[A-Z][A-Z_]*\b", line)} & english
        assert not left, (path, left)
    assert "--deadline DATE" in CliRunner().invoke(cli, ["add", "--help"]).stdout


def test_digest_sentences_read_in_vietnamese_word_order(vietnamese) -> None:
    from actionplan.digest.phrases import late_phrase

    assert late_phrase(25) == "trễ 25 ngày"  # not "25 ngày trễ", the English order glued from pieces
    assert _("{left} (due {due}), {progress}% done").format(left="quá hạn 3 ngày", due="1/12/2026", progress=80) == (
        "quá hạn 3 ngày (hạn 1/12/2026), đạt 80%"
    )


def _example_prose(help_text: str, header: str) -> list[str]:
    """The words of the examples meant to be read: quoted values, ``# comments`` and the group's glosses."""
    prose: list[str] = []
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() != header:
            continue
        for example in itertools.takewhile(str.strip, lines[i + 1 :]):
            quoted = [a or b for a, b in re.findall(r'"([^"]*)"|\'([^\']*)\'', example)]
            unquoted = re.sub(r'"[^"]*"|\'[^\']*\'', '""', example.strip())
            glosses = [g.lstrip("# ") for g in re.split(r"\s{2,}", unquoted)[1:]]  # after a run of blanks
            prose += [text for text in quoted + glosses if re.search(r"[^\W\d_]{2,}", text)]
    return prose


def test_the_examples_of_every_command_read_in_vietnamese() -> None:
    """What an example says in words (a title, a note, a deadline phrase, a comment) is Vietnamese;
    the command, its options and keys stay as they are typed."""
    checked = 0
    for path in [[], *command_paths()]:
        english = CliRunner().invoke(cli, ["--lang", "en", *path, "--help"]).stdout
        vietnamese = CliRunner().invoke(cli, ["--lang", "vi", *path, "--help"]).stdout
        english_prose = set(_example_prose(english, "Examples:") + _example_prose(english, "Example:"))
        prose = _example_prose(vietnamese, "Ví dụ:")
        assert bool(prose) == bool(english_prose), (path, prose, english_prose)
        for text in prose:
            assert text not in english_prose, (path, text)  # left as the English example has it
            assert re.search(r"[^\x00-\x7f]", text), (path, text)  # Vietnamese words carry their marks
        checked += len(prose)
    assert checked >= 20


#: Broken TOML of three kinds: a bare word as a value, a table declared twice, a text never closed.
BROKEN_TOML = {
    "bare-value.toml": ('[plan]\nkey = "x"\ntitle = "T"\n\n[[tasks]]\ndeadline = end of April\n', 6),
    "table-twice.toml": ('[plan]\nkey = "x"\n[plan]\ntitle = "T"\n', 3),
    "open-string.toml": ('[plan]\nkey = "x"\ntitle = """T\n', 3),
}


@pytest.mark.parametrize("name", sorted(BROKEN_TOML))
def test_toml_syntax_problems_in_vietnamese_and_unchanged_in_english(tmp_path: Path, name: str) -> None:
    import tomli

    text, line = BROKEN_TOML[name]
    plan = tmp_path / name
    plan.write_text(text, encoding="utf-8")
    db = str(tmp_path / "t.db")
    assert CliRunner().invoke(cli, ["--db", db, "init", "--empty"]).exit_code == 0
    with pytest.raises(tomli.TOMLDecodeError) as parser:
        tomli.loads(text)
    said = str(parser.value)  # what the parser says, in English

    english = CliRunner().invoke(cli, ["--lang", "en", "--db", db, "import", str(plan)])
    assert english.exit_code == 1
    assert f"error: {plan}:{line}: not valid TOML: {said}\n" in english.stderr

    result = CliRunner().invoke(cli, ["--lang", "vi", "--db", db, "import", str(plan)])
    assert result.exit_code == 1
    (problem,) = [row for row in result.stderr.splitlines() if str(plan) in row]
    assert problem.startswith(f"lỗi: {plan}:{line}: sai cú pháp TOML: "), problem
    parser_words = set(re.findall(r"[A-Za-z]{3,}", said)) - {"plan"}  # a table's name stays as written
    message = problem.split(": sai cú pháp TOML: ", 1)[1]
    assert parser_words and not parser_words & set(re.findall(r"[A-Za-z]{3,}", message)), problem
    assert ("(ở cuối tệp)" if "end of document" in said else f"(dòng {line}, cột ") in problem


def _parser_messages(source: Path) -> list[str]:
    """Every message the TOML parser in *source* raises, its values filled in as the parser writes them."""
    import ast

    samples = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or getattr(node.func, "id", "") not in ("TOMLDecodeError", "suffixed_err"):
            continue
        args = node.args[2:] if node.func.id == "suffixed_err" else node.args[:1]  # type: ignore[attr-defined]
        if not args:
            continue
        if isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            samples.append(args[0].value)
        elif isinstance(args[0], ast.JoinedStr) and " (at " not in ast.unparse(args[0]):  # not the suffix itself
            samples.append(
                "".join(
                    part.value
                    if isinstance(part, ast.Constant)
                    else ("'#'" if part.conversion == ord("r") else "('tasks', 'kpi')")
                    for part in args[0].values
                )
            )
    return samples


def test_every_message_of_the_toml_parser_has_a_vietnamese_form(vietnamese) -> None:
    """tomli's messages (and the standard library's tomllib, the same parser): a new one fails here."""
    import tomllib

    import tomli

    from actionplan.services.toml_messages import toml_problem

    for module in (tomli, tomllib):
        messages = _parser_messages(Path(module.__file__).parent / "_parser.py")
        assert len(messages) >= 20, module
        for said in messages:
            line, problem = toml_problem(ValueError(f"{said} (at line 2, column 7)"), "a\nb\n")
            assert line == 2 and problem.endswith("(dòng 2, cột 7)"), problem
            message = problem.removesuffix(" (dòng 2, cột 7)")
            assert message != said and re.search(r"[^\x00-\x7f]", message), said
            assert "tasks.kpi" in message or "('tasks'" not in said, message  # a key as a plan file writes it


def test_a_toml_message_not_known_stays_as_the_parser_wrote_it(vietnamese) -> None:
    from actionplan.services.toml_messages import toml_problem

    assert toml_problem(ValueError("Something new (at line 3, column 1)"), "") == (3, "Something new (dòng 3, cột 1)")
    assert toml_problem(ValueError("Something else"), "a\nb\n") == (1, "Something else")


def test_a_placeholder_of_several_english_words_is_one_vietnamese_word() -> None:
    """click writes ``--port INTEGER RANGE``; word by word that would read "SỐ_NGUYÊN KHOẢNG" in English order."""
    option = re.compile(r"^  (?:-\w, )?--[\w-]+ (?P<placeholder>[^\s\[].*?)(?:\s{2,}|$)")
    seen = 0
    for path in command_paths():
        shown = CliRunner().invoke(cli, ["--lang", "vi", *path, "--help"]).stdout
        for line in shown.split("\nTùy chọn:\n", 1)[1].splitlines():
            found = option.match(line)
            if found:
                seen += 1
                assert " " not in found["placeholder"], (path, line)
    assert seen > 80
    assert "--port SỐ_NGUYÊN " in CliRunner().invoke(cli, ["--lang", "vi", "serve", "--help"]).stdout
