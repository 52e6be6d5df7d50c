"""The terminal UI in Vietnamese at 80x24: no English word of the program's own, nothing cut.

The UI reads its labels when its modules are imported, so the screens are drawn in a
process of their own (tests/tui_screens.py).  The text of each screen is kept in
tests/golden/ui-vi-*.txt; after a deliberate change run with UPDATE_GOLDEN=1 and read the diff.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from actionplan.services.config import seed_samples
from actionplan.store import Store

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
#: Words that are not the program's to translate: Textual's own "^p palette", file formats and
#: standards (RRULE), key names, and the filter language's keywords (tag:, like lead: and due<).
NOT_OURS = {"palette", "actionplan", "kpi", "ical", "markdown", "toml", "utc", "esc", "pgup", "pgdn", "enter", "ctrl"}
NOT_OURS |= {"rrule", "tag"}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("vi") / "committee.db"
    store = Store(path, actor="secretary")
    seed_samples(store)
    store.close()
    return path


def draw(db: Path, lang: str, *extra: str) -> dict[str, str]:
    env = {**os.environ, "LANG": "C.UTF-8"}
    done = subprocess.run(
        [sys.executable, str(HERE / "tui_screens.py"), str(db), lang, *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def screens(sample_db: Path) -> dict[str, str]:
    return draw(sample_db, "vi")


def program_words() -> set[str]:
    """Lower-case English words of the program's messages that the sample data never uses."""
    from actionplan.locale.extract import source_catalog

    words: set[str] = set()
    for message in source_catalog():
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            words |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", " ", text))}
    data = " ".join(p.read_text(encoding="utf-8") for p in (HERE.parent / "plans").glob("*.toml"))
    return words - {w.lower() for w in re.findall(r"[A-Za-z]{3,}", data)} - NOT_OURS


@pytest.mark.parametrize("name", ["dashboard", "tasks", "editor", "help", "agencies", "timeline"])
def test_vietnamese_screen_matches_golden_text(screens: dict[str, str], name: str) -> None:
    path = GOLDEN / f"ui-vi-{name}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(screens[name] + "\n", encoding="utf-8")
    assert screens[name] + "\n" == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["dashboard", "tasks", "editor", "help", "agencies", "timeline"])
def test_no_english_word_of_the_program_is_left(screens: dict[str, str], name: str) -> None:
    english = program_words()
    left = sorted({w for w in re.findall(r"[A-Za-z]{3,}", screens[name]) if w.lower() in english})
    assert left == [], f"English words on the {name} screen: {left}"


@pytest.mark.parametrize("name", ["palette", "palette-nothing"])
def test_the_command_palette_has_no_english_of_textual_or_ours(screens: dict[str, str], name: str) -> None:
    """Textual writes its palette's search box, its own commands and "no matches" in English."""
    english = program_words() | {"theme", "keys", "screenshot", "maximize", "minimize", "matches", "found"}
    english -= {"docx", "xlsx", "ics", "english"}  # file formats, and the entry that switches to English
    left = sorted({w for w in re.findall(r"[A-Za-z]{3,}", screens[name]) if w.lower() in english})
    assert left == [], f"English words in the {name}: {left}"
    assert ("Tìm lệnh…" if name == "palette" else "Không có lệnh nào khớp") in screens[name]


def test_table_headings_and_footer_are_whole(screens: dict[str, str]) -> None:
    tasks = screens["tasks"].splitlines()
    assert tasks[3].split() == [
        "Nhiệm",
        "vụ",
        "Tên",
        "nhiệm",
        "vụ",
        "Chủ",
        "trì",
        "Thời",
        "hạn",
        "Còn",
        "Tình",
        "trạng",
    ]
    assert "trễ 57 ngày" in screens["tasks"] and "còn 4 ngày" in screens["tasks"]
    footer = tasks[-1].split("▏")[0]
    for key in ("/ Lọc", "n Mới", "e Sửa", "x Xong", "r Tiến độ", "c Trạng thái", "u Hoàn tác", "? Hỗ trợ"):
        assert key in footer
    agencies = screens["agencies"].splitlines()[2]
    for heading in ("Cơ quan", "Chủ trì", "Xong", "Đúng hạn", "Đang mở", "Quá hạn", "Trễ đang mở", "Xong trễ"):
        assert heading in agencies


def test_switching_language_from_the_palette_reopens_the_screen_in_the_other_language(sample_db: Path) -> None:
    to_english = draw(sample_db, "vi", "switch")
    assert to_english["switched_to"] == "en" and to_english["mode"] == "tasks"
    assert "Filter:" in to_english["screen"] and "sorted by deadline" in to_english["screen"]
    to_vietnamese = draw(sample_db, "en", "switch")
    assert to_vietnamese["switched_to"] == "vi"
    assert "Lọc:" in to_vietnamese["screen"] and "sắp xếp theo thời hạn" in to_vietnamese["screen"]


@pytest.mark.parametrize("query", ["status:quá-hạn", "status:hoàn-thành", "status:đang-thực-hiện", "vướng mắc"])
def test_the_filter_box_reads_vietnamese_status_words_as_the_cli_does(sample_db: Path, query: str) -> None:
    from click.testing import CliRunner

    from actionplan.cli.main import cli

    shown = draw(sample_db, "vi", "filter", query)
    assert "không hiểu" not in shown["status"].lower() and "unknown" not in shown["status"].lower()
    args = ["--lang", "vi", "--db", str(sample_db), "list", f"plan:{shown['plan']}", query, "--json"]
    args += ["--as-of", "2026-11-26", "--limit", "100000"]
    listed = CliRunner().invoke(cli, args)
    assert listed.exit_code == 0, listed.output
    expected = [task["ref"] for task in json.loads(listed.stdout)]
    assert expected, f"the sample plans have tasks for {query}"
    assert sorted(shown["refs"]) == sorted(expected)


def test_every_placeholder_of_the_new_task_editor_fits_its_box(sample_db: Path) -> None:
    """An empty field's hint is read whole at 80x24, not cut off by the longer Vietnamese."""
    fields = draw(sample_db, "vi", "placeholders")
    assert {"f-parent", "f-deadline", "f-recurrence"} <= {f["id"] for f in fields}
    cut = [(f["id"], f["placeholder"]) for f in fields if f["cells"] >= f["width"]]
    assert cut == []
