"""The SQLite store: schema, history, conflicts, validation, search, undo, roll-ups, migrations."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from conftest import NOW, TODAY

from actionplan.core.model import KPI, Task
from actionplan.core.query import TaskFilter, parse_query
from actionplan.core.text import fold
from actionplan.services.config import sample_plan_paths
from actionplan.services.planfile import read_plan_file
from actionplan.store import (
    SCHEMA_VERSION,
    ConflictError,
    NotFoundError,
    Store,
    StoreError,
    ValidationError,
)
from actionplan.store import schema as store_module


def snapshot(store: Store) -> tuple:
    """Everything a failed write must leave as it was."""
    tasks = store.list_tasks(order="key")
    notes = {t.ref: store.list_updates(t.ref) for t in tasks}
    return store.data_stamp(), store.counts(), tasks, notes, store.list_orgs(), store.list_plans()


def refs(tasks) -> set[str]:
    return {t.ref for t in tasks}


def search(store: Store, text: str) -> set[str]:
    return refs(store.list_tasks(parse_query(text), today=TODAY))


# --- the database file ----------------------------------------------------------------------------


def test_new_database_has_current_schema_wal_and_foreign_keys(empty_store, db_path):
    assert empty_store.schema_version == SCHEMA_VERSION
    assert empty_store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal", "WAL is a property of the file"
        assert other.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        other.close()


def test_reopening_a_database_keeps_its_data_and_identity(sample_store, db_path, clock):
    db_id, counts = sample_store.db_id, sample_store.counts()
    sample_store.close()
    with Store(db_path, actor="secretary", clock=clock) as again:
        assert again.db_id == db_id
        assert again.counts() == counts
        assert again.timezone == "Asia/Ho_Chi_Minh"


def test_today_is_the_committee_date_not_the_utc_date(empty_store, clock):
    clock.now = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 01:30 on the 26th in Ha Noi
    assert empty_store.today() == date(2026, 11, 26)
    empty_store.set_timezone("Europe/Paris")
    assert empty_store.today() == date(2026, 11, 25)


def test_unknown_time_zone_is_refused(empty_store):
    from actionplan.core.dates import DateError

    with pytest.raises(DateError):
        empty_store.set_timezone("Mars/Olympus_Mons")
    assert empty_store.timezone == "Asia/Ho_Chi_Minh"


# --- reading ----------------------------------------------------------------------------------------


def test_sample_plans_are_loaded(sample_store):
    assert [p.key for p in sample_store.list_plans()] == ["cyber-2026", "strategy-2030"]
    expected = sum(len(read_plan_file(p).tasks) for p in sample_plan_paths())
    assert sample_store.count_tasks() == expected == len(sample_store.list_tasks())
    t = sample_store.get_task("cyber-2026/2.2")
    assert (t.lead, t.parent, t.depends_on, t.deadline, t.deadline_text) == (
        "MPS",
        "2",
        ["2.1"],
        date(2027, 3, 31),
        "by March 2027",
    )
    assert t.coordinating == ["MOJ", "SUB-LEGAL"]


@pytest.mark.parametrize(
    "ref, words", [("cyber-2026", "PLAN/KEY"), ("cyber-2026/99", '"99"'), ("nope/1", "cyber-2026"), ("/1", "PLAN/KEY")]
)
def test_unknown_task_reference_says_what_exists(sample_store, ref, words):
    with pytest.raises(NotFoundError) as e:
        sample_store.get_task(ref)
    assert words in str(e.value)


def test_orgs_are_found_by_key_or_by_name_with_or_without_accents(sample_store):
    assert sample_store.resolve_org("mps").key == "MPS"
    assert sample_store.resolve_org("Bộ Công an").key == "MPS"
    assert sample_store.resolve_org("bo cong an").key == "MPS"
    assert sample_store.resolve_org("Ministry of Justice").key == "MOJ"


def test_ambiguous_or_unknown_org_names_the_field_and_the_candidates(sample_store):
    with pytest.raises(ValidationError) as e:
        sample_store.resolve_org("Ministry", "coordinating")
    assert e.value.field == "coordinating" and "MPS" in str(e.value) and "MOJ" in str(e.value)
    with pytest.raises(ValidationError) as e:
        sample_store.resolve_org("Ministry of Magic", "lead")
    assert e.value.field == "lead" and '"Ministry of Magic"' in str(e.value)


# --- history ------------------------------------------------------------------------------------------


def test_every_change_is_recorded_with_who_when_field_old_and_new(sample_store, clock):
    t = sample_store.get_task("cyber-2026/2.3")
    clock.now = NOW + timedelta(hours=2, minutes=5)
    sample_store.update_task(t.ref, {"progress": 45, "accountable": "Deputy Minister"}, t.version)
    changes = [c for c in sample_store.history(t.ref) if c.action == "edit"]
    assert {(c.field, c.old, c.new) for c in changes} == {
        ("progress", "40", "45"),
        ("accountable", "Minister of Public Security", "Deputy Minister"),
    }
    assert {c.actor for c in changes} == {"secretary"}
    assert {c.at for c in changes} == {"2026-11-26T05:05:00+00:00"}
    assert len({c.change_id for c in changes}) == 1, "one edit, one change"


def test_history_names_the_actor_of_each_connection(db_path, sample_store, clock):
    with Store(db_path, actor="Office clerk", clock=clock) as clerk:
        t = clerk.get_task("cyber-2026/4")
        clerk.add_note(t.ref, "Meeting held", 50)
    last = sample_store.history("cyber-2026/4")[-1]
    assert last.actor == "Office clerk"


def test_import_note_done_and_add_are_in_the_history(sample_store):
    created = sample_store.history("cyber-2026/2.3")[0]
    assert (created.action, created.field, created.new) == (
        "import",
        "*created*",
        "Draft the revised decree on administrative sanctions in cybersecurity",
    )
    t = sample_store.get_task("cyber-2026/2.3")
    sample_store.add_note(t.ref, "Draft sent to MOJ", 60)
    t = sample_store.get_task(t.ref)
    sample_store.mark_done(t.ref, "Decree draft appraised", t.version)
    fields = [(c.action, c.field, c.old, c.new) for c in sample_store.history(t.ref)[1:]]
    assert ("note", "progress", "40", "60") in fields
    assert ("done", "status", "in progress", "done") in fields
    assert ("done", "completed_on", None, "2026-11-26") in fields
    assert ("done", "evidence", None, "Decree draft appraised") in fields


def test_unchanged_save_writes_no_history(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    before = snapshot(sample_store)
    again = sample_store.update_task(t.ref, {"progress": t.progress, "title": t.title}, t.version)
    assert again.version == t.version
    assert snapshot(sample_store) == before


# --- optimistic concurrency --------------------------------------------------------------------------


def test_second_of_two_connections_gets_a_conflict_and_nothing_is_overwritten(sample_store, db_path, clock):
    first = Store(db_path, actor="alice", clock=clock)
    second = Store(db_path, actor="bob", clock=clock)
    try:
        ref = "cyber-2026/2.3"
        mine, theirs_read = first.get_task(ref), second.get_task(ref)
        assert mine.version == theirs_read.version
        saved = first.update_task(ref, {"progress": 55}, mine.version)
        assert saved.version == mine.version + 1
        with pytest.raises(ConflictError) as e:
            second.update_task(ref, {"progress": 70, "title": "Bob's title"}, theirs_read.version)
        assert "changed by someone else" in str(e.value) and ref in str(e.value)
        assert e.value.theirs.progress == 55 and e.value.theirs.version == saved.version
        assert e.value.yours == {"progress": 70, "title": "Bob's title"}
        now = sample_store.get_task(ref)
        assert (now.progress, now.title, now.version) == (55, mine.title, saved.version)
        edits = [c for c in sample_store.history(ref) if c.action != "import"]
        assert [(c.actor, c.field, c.new) for c in edits] == [("alice", "progress", "55")]
        # bob reloads and tries again: now it works
        second.update_task(ref, {"progress": 70}, e.value.theirs.version)
        assert sample_store.get_task(ref).progress == 70
    finally:
        first.close()
        second.close()


def test_stale_note_and_stale_delete_are_refused(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    sample_store.update_task(t.ref, {"progress": 41}, t.version)
    before = snapshot(sample_store)
    with pytest.raises(ConflictError):
        sample_store.add_note(t.ref, "late note", 90, expected_version=t.version)
    with pytest.raises(ConflictError):
        sample_store.mark_done(t.ref, "evidence", t.version)
    with pytest.raises(ConflictError):
        sample_store.delete_task("cyber-2026/8.3", 0)
    assert snapshot(sample_store) == before


# --- validation writes nothing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref, changes, field",
    [
        ("cyber-2026/2", {"lead": "NOPE"}, "lead"),
        ("cyber-2026/2", {"coordinating": ["MOJ", "NOPE"]}, "coordinating"),
        ("cyber-2026/2", {"parent": "2.1"}, "parent"),  # 2.1 is a subtask of 2
        ("cyber-2026/2.1", {"parent": "2.1"}, "parent"),  # its own parent
        ("cyber-2026/2", {"parent": "99"}, "parent"),
        ("cyber-2026/2.1", {"depends_on": ["2.2"]}, "depends_on"),  # 2.2 depends on 2.1
        ("cyber-2026/2.1", {"depends_on": ["2.1"]}, "depends_on"),
        ("cyber-2026/2.1", {"depends_on": ["42"]}, "depends_on"),
        ("cyber-2026/2", {"recurrence": "FREQ=SOMETIMES"}, "recurrence"),
        ("cyber-2026/2", {"progress": 120}, "progress"),
        ("cyber-2026/2", {"status": "finished"}, "status"),
        ("cyber-2026/2", {"title": "  "}, "title"),
        ("cyber-2026/2", {"start": date(2027, 6, 1)}, "start"),  # after the deadline
        ("cyber-2026/2", {"key": "77"}, "key"),
        ("cyber-2026/2", {"colour": "red"}, "colour"),
    ],
)
def test_invalid_edit_names_the_field_and_writes_nothing(sample_store, ref, changes, field):
    t = sample_store.get_task(ref)
    before = snapshot(sample_store)
    with pytest.raises(ValidationError) as e:
        sample_store.update_task(ref, changes, t.version)
    assert e.value.field == field
    assert str(e.value).startswith(field)
    assert snapshot(sample_store) == before


def test_invalid_new_task_writes_nothing(sample_store):
    before = snapshot(sample_store)
    for bad, field in [
        (Task(plan="cyber-2026", key="2", title="Duplicate", lead="MPS"), "key"),
        (Task(plan="cyber-2026", key="9", title="x", lead="NOPE"), "lead"),
        (Task(plan="cyber-2026", key="9", title="x", lead="MPS", parent="77"), "parent"),
        (Task(plan="cyber-2026", key="9", title="x", lead="MPS", recurrence="every blue moon"), "recurrence"),
        (Task(plan="cyber-2026", key="9 x", title="x", lead="MPS"), "key"),
    ]:
        with pytest.raises(ValidationError) as e:
            sample_store.add_task(bad)
        assert e.value.field == field
    with pytest.raises(NotFoundError):
        sample_store.add_task(Task(plan="no-such-plan", key="1", title="x", lead="MPS"))
    assert snapshot(sample_store) == before


def test_note_and_done_need_text(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    before = snapshot(sample_store)
    from actionplan.services import tasks

    with pytest.raises(ValidationError):
        tasks.record_progress(sample_store, t.ref, "   ", 50)
    with pytest.raises(ValidationError) as e:
        tasks.mark_done(sample_store, t.ref, " ", t.version)
    assert e.value.field == "evidence"
    assert snapshot(sample_store) == before


# --- full-text search -----------------------------------------------------------------------------------


def test_search_follows_an_edit(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    assert "cyber-2026/2.3" in search(sample_store, "sanctions")
    assert search(sample_store, "zebrafish") == set()
    sample_store.update_task(t.ref, {"title": "Kiểm tra zebrafish protocols", "output": "Báo cáo tổng hợp"}, t.version)
    assert search(sample_store, "zebrafish") == {"cyber-2026/2.3"}
    assert search(sample_store, "kiem tra zebrafish") == {"cyber-2026/2.3"}, "accents optional"
    assert search(sample_store, "bao cao tong hop") == {"cyber-2026/2.3"}
    assert search(sample_store, "Kiểm tra") >= {"cyber-2026/2.3"}


def test_search_finds_new_tasks_and_forgets_deleted_ones(sample_store):
    new = sample_store.add_task(Task(plan="cyber-2026", key="9", title="Quokka census", lead="MIC"))
    assert search(sample_store, "quokka") == {"cyber-2026/9"}
    sample_store.delete_task(new.ref, new.version)
    assert search(sample_store, "quokka") == set()


def test_bo_cong_an_finds_the_tasks_led_by_the_ministry_of_public_security(sample_store):
    mps = sample_store.get_org("MPS")
    assert mps.short_name == "Bộ Công an"
    led = refs(t for t in sample_store.list_tasks() if t.lead == "MPS")
    assert led, "the sample plans give the MPS tasks"
    assert search(sample_store, "bo cong an") >= led
    assert search(sample_store, "Bộ Công an") == search(sample_store, "bo cong an")
    assert search(sample_store, "BỘ CÔNG AN") == search(sample_store, "bo cong an")
    assert refs(sample_store.list_tasks(parse_query('lead:"bo cong an"'), today=TODAY)) == led


def test_search_follows_a_renamed_lead_agency(sample_store):
    from dataclasses import replace

    mic_led = refs(t for t in sample_store.list_tasks() if t.lead == "MIC")
    assert search(sample_store, "khoa hoc va cong nghe") & mic_led == set()
    mic = sample_store.get_org("MIC")
    sample_store.save_org(
        replace(mic, name="Ministry of Science and Technology", short_name="Bộ Khoa học và Công nghệ")
    )
    assert search(sample_store, "khoa hoc va cong nghe") >= mic_led
    assert search(sample_store, "Bộ Thông tin và Truyền thông") & mic_led == set()


def test_search_text_in_decomposed_unicode_matches_composed(sample_store):
    decomposed = "Bo\u0323\u0302 Co\u0302ng an"  # what some keyboards send
    assert search(sample_store, decomposed) == search(sample_store, "Bộ Công an")


def test_search_words_are_all_required(sample_store):
    both = search(sample_store, "criminal code")
    assert both and both <= search(sample_store, "criminal") & search(sample_store, "code")
    for ref in both:
        t = sample_store.get_task(ref)
        text = fold(" ".join([t.title, t.description, t.output, " ".join(t.tags), t.source]))
        assert "criminal" in text and "code" in text


def test_search_survives_query_syntax_in_user_words(sample_store):
    import re

    everything = set(refs(sample_store.list_tasks(today=TODAY)))
    for text in ['"', "AND", "NOT", "sanctions*", "(", "a:b:c", "'", "-", "NEAR(x y)", "*"]:
        found = refs(sample_store.list_tasks(TaskFilter(words=[text]), today=TODAY))
        assert set(found) <= everything, text
        plain = re.sub(r"[^\w\s]", " ", text).lower()  # the same words, with nothing a search engine would obey
        if plain.strip():
            assert found == refs(sample_store.list_tasks(TaskFilter(words=[plain]), today=TODAY)), text
    assert refs(sample_store.list_tasks(TaskFilter(words=["sanctions*"]), today=TODAY)), "a word the plans use"


# --- undo --------------------------------------------------------------------------------------------------


def test_undo_an_edit_restores_every_field_and_the_search(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    sample_store.update_task(
        t.ref, {"title": "Wombat decree", "deadline": date(2027, 6, 30), "tags": ["legal", "urgent"]}, t.version
    )
    summary = sample_store.undo("secretary")
    assert "cyber-2026/2.3" in summary
    back = sample_store.get_task(t.ref)
    assert (back.title, back.deadline, back.tags, back.deadline_text) == (t.title, t.deadline, t.tags, t.deadline_text)
    assert search(sample_store, "wombat") == set()
    assert sample_store.history(t.ref)[-1].action == "undo"


def test_undo_steps_back_through_several_edits_of_one_task(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    t1 = sample_store.update_task(t.ref, {"title": "First rename"}, t.version)
    sample_store.update_task(t.ref, {"progress": 77}, t1.version)
    sample_store.undo("secretary")
    assert sample_store.get_task(t.ref).progress == t.progress
    sample_store.undo("secretary")
    assert sample_store.get_task(t.ref).title == t.title


def test_undo_a_note_removes_it_and_restores_progress_and_status(sample_store):
    t = sample_store.get_task("cyber-2026/6.4")
    assert t.status == "not started"
    sample_store.add_note(t.ref, "Kick-off meeting held", 20)
    assert sample_store.get_task(t.ref).status == "in progress"
    sample_store.undo("secretary")
    back = sample_store.get_task(t.ref)
    assert (back.progress, back.status) == (t.progress, t.status)
    assert sample_store.list_updates(t.ref) == []


def test_undo_an_added_task_removes_it(sample_store):
    before = sample_store.count_tasks()
    sample_store.add_task(Task(plan="cyber-2026", key="9", title="Temporary", lead="MPS"))
    sample_store.undo("secretary")
    with pytest.raises(NotFoundError):
        sample_store.get_task("cyber-2026/9")
    assert sample_store.count_tasks() == before


def test_undo_is_refused_when_someone_changed_the_task_since(sample_store, db_path, clock):
    t = sample_store.get_task("cyber-2026/2.3")
    sample_store.update_task(t.ref, {"progress": 45}, t.version)
    with Store(db_path, actor="bob", clock=clock) as bob:
        bob.update_task(t.ref, {"title": "Bob was here"}, t.version + 1)
    before = snapshot(sample_store)
    with pytest.raises(ConflictError):
        sample_store.undo("secretary")
    assert snapshot(sample_store) == before


def test_undo_takes_only_my_own_last_change(sample_store, db_path, clock):
    mine = sample_store.get_task("cyber-2026/2.3")
    sample_store.update_task(mine.ref, {"progress": 45}, mine.version)
    with Store(db_path, actor="bob", clock=clock) as bob:
        theirs = bob.get_task("cyber-2026/5")
        bob.update_task(theirs.ref, {"progress": 99}, theirs.version)
    sample_store.undo("secretary")
    assert sample_store.get_task(mine.ref).progress == mine.progress
    assert sample_store.get_task("cyber-2026/5").progress == 99


def test_nothing_to_undo(empty_store):
    with pytest.raises(StoreError, match="nothing to undo"):
        empty_store.undo("secretary")


def test_an_import_is_not_undone_by_undo(sample_store):
    before = snapshot(sample_store)
    with pytest.raises(StoreError, match="import"):
        sample_store.undo()
    assert snapshot(sample_store) == before


# --- done ------------------------------------------------------------------------------------------------------


def test_mark_done_sets_completion_date_progress_and_evidence(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    done = sample_store.mark_done(t.ref, "Draft decree sent to MOJ, letter 123", t.version)
    assert (done.status, done.progress, done.completed_on, done.evidence) == (
        "done",
        100,
        TODAY,
        "Draft decree sent to MOJ, letter 123",
    )
    assert done.version == t.version + 1


def test_mark_done_on_a_given_day(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    done = sample_store.mark_done(t.ref, "Sent", t.version, on=date(2026, 11, 20))
    assert done.completed_on == date(2026, 11, 20)


def test_recurring_duty_moves_to_its_next_deadline_when_done(sample_store):
    t = sample_store.get_task("strategy-2030/3.4")
    assert (t.recurrence, t.deadline) == ("FREQ=YEARLY;UNTIL=20301215", date(2026, 12, 15))
    after = sample_store.mark_done(t.ref, "2026 report submitted", t.version)
    assert after.status != "done" and after.completed_on is None
    assert after.deadline == date(2027, 12, 15)
    assert after.evidence == "2026 report submitted"
    notes = sample_store.list_updates(t.ref)
    assert "2026-12-15" in notes[-1].text and "2026 report submitted" in notes[-1].text


def test_recurring_duty_closes_after_its_last_occurrence(sample_store):
    t = sample_store.get_task("cyber-2026/8.3")
    assert t.recurrence.endswith("COUNT=3") and t.deadline == date(2027, 1, 15)  # the third and last
    after = sample_store.mark_done(t.ref, "Last quarterly report", t.version)
    assert (after.status, after.deadline) == ("done", date(2027, 1, 15))


def test_reopening_a_done_task_clears_its_completion_date(sample_store):
    t = sample_store.get_task("cyber-2026/1.1")
    assert t.completed_on == date(2026, 4, 24)
    reopened = sample_store.update_task(t.ref, {"status": "in progress"}, t.version)
    assert reopened.completed_on is None and reopened.evidence == t.evidence


# --- roll-ups ----------------------------------------------------------------------------------------------------


def _expected_summary(tasks: list[Task], today: date, horizon: int = 14) -> dict:
    """Counts computed here, from the plan file, without the model's helpers."""
    open_ = [t for t in tasks if t.status not in ("done", "cancelled")]
    children: dict[str, list[Task]] = {}
    for t in tasks:
        children.setdefault(t.parent, []).append(t)

    def progress(t: Task) -> float:
        if t.status == "done":
            return 100.0
        kids = [k for k in children.get(t.key, []) if k.status != "cancelled"]
        return sum(progress(k) for k in kids) / len(kids) if kids else float(t.progress)

    top = [t for t in tasks if not t.parent and t.status != "cancelled"]
    return {
        "total": len(tasks),
        "open": len(open_),
        "done": sum(t.status == "done" for t in tasks),
        "cancelled": sum(t.status == "cancelled" for t in tasks),
        "overdue": sum(t.deadline is not None and t.deadline < today for t in open_),
        "due_soon": sum(
            t.deadline is not None and today <= t.deadline <= today + timedelta(days=horizon) for t in open_
        ),
        "progress": sum(progress(t) for t in top) / len(top),
    }


def test_plan_summaries_match_the_plan_files(sample_store):
    files = {pf.plan.key: pf for pf in map(read_plan_file, sample_plan_paths())}
    summaries = sample_store.plan_summaries(today=TODAY)
    assert [s.plan.key for s in summaries] == sorted(files)
    for s in summaries:
        expected = _expected_summary(files[s.plan.key].tasks, TODAY)
        got = {k: getattr(s, k) for k in expected}
        assert got == pytest.approx(expected), s.plan.key
    assert sum(s.overdue for s in summaries) > 0, "the sample data shows overdue work"


def test_plan_summaries_move_with_the_day_and_the_horizon(sample_store):
    files = {pf.plan.key: pf for pf in map(read_plan_file, sample_plan_paths())}
    later = date(2027, 2, 1)
    for s in sample_store.plan_summaries(today=later, horizon=60):
        expected = _expected_summary(files[s.plan.key].tasks, later, 60)
        assert (s.overdue, s.due_soon) == (expected["overdue"], expected["due_soon"])


def test_accountability_on_the_sample_plans_puts_most_overdue_first(sample_store):
    tasks = [t for pf in map(read_plan_file, sample_plan_paths()) for t in pf.tasks]
    overdue_by_lead: dict[str, int] = {}
    for t in tasks:
        if t.status not in ("done", "cancelled") and t.deadline and t.deadline < TODAY:
            overdue_by_lead[t.lead] = overdue_by_lead.get(t.lead, 0) + 1
    board = sample_store.accountability(today=TODAY)
    assert board[0].overdue == max(overdue_by_lead.values())
    assert {s.org: s.overdue for s in board if s.overdue} == overdue_by_lead
    assert [s.overdue for s in board] == sorted((s.overdue for s in board), reverse=True)
    assert board[0].name == sample_store.get_org(board[0].org).name


# --- migrations ----------------------------------------------------------------------------------------------------


def test_schema_1_database_is_migrated_forward_keeping_its_rows(tmp_path: Path, clock):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    store_module.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db["plans"].insert({"key": "old-plan", "title": "Plan written by version 1", "status": "active"})
    db["orgs"].insert(
        {
            "key": "MPS",
            "name": "Ministry of Public Security",
            "short_name": "Bộ Công an",
            "search": fold("MPS Ministry of Public Security Bộ Công an"),
        }
    )
    db["tasks"].insert(
        {
            "plan_id": 1,
            "key": "1",
            "title": "Legacy task",
            "lead_id": 1,
            "deadline": "2026-04-30",
            "status": "in progress",
            "progress": 30,
            "search_text": "legacy task",
        }
    )
    db.conn.commit()
    db.close()

    with Store(path, actor="secretary", clock=clock) as store:
        assert store.schema_version == SCHEMA_VERSION
        t = store.get_task("old-plan/1")
        assert (t.title, t.lead, t.deadline, t.progress) == ("Legacy task", "MPS", date(2026, 4, 30), 30)
        assert search(store, "legacy") == {"old-plan/1"}
        # the tables of later schemas work, and edits still carry history
        store.record_digest(TODAY, None, {"plans": ["old-plan"]})
        assert store.last_digest()["as_of"] == "2026-11-26"
        store.update_task(t.ref, {"progress": 35}, t.version)
        assert store.history(t.ref)[-1].new == "35"
    with Store(path, actor="secretary", clock=clock) as again:  # opening again changes nothing
        assert again.schema_version == SCHEMA_VERSION and again.get_task("old-plan/1").progress == 35


def test_newer_schema_than_known_is_refused_clearly(db_path, clock):
    Store(db_path, clock=clock).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError) as e:
        Store(db_path, clock=clock)
    message = str(e.value)
    assert str(db_path) in message and "newer" in message and str(SCHEMA_VERSION + 1) in message
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1, "left untouched"
    conn.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n" * 100)
    from actionplan.core.errors import ForeignDatabaseError

    with pytest.raises(ForeignDatabaseError, match="file is not a database"):
        Store(path)
    assert path.read_text() == "just some notes\n" * 100


# --- KPIs and links survive the store ----------------------------------------------------------------------------


def test_kpi_and_lists_are_stored_in_order(sample_store):
    t = sample_store.get_task("cyber-2026/2.3")
    kpi = KPI(metric="Violations covered", target=40, current=12.5, unit="articles", baseline=3)
    new = sample_store.update_task(
        t.ref, {"kpi": kpi, "coordinating": ["MOJ", "MIC", "NSC"], "tags": ["z-last", "a-first"]}, t.version
    )
    assert new.kpi == kpi
    assert new.coordinating == ["MOJ", "MIC", "NSC"]
    assert new.tags == ["z-last", "a-first"]
    assert "cyber-2026/2.3" in refs(sample_store.list_tasks(TaskFilter(coordinating=["NSC"]), today=TODAY))


def test_delete_refuses_tasks_that_others_need(sample_store):
    before = snapshot(sample_store)
    parent = sample_store.get_task("cyber-2026/2")
    with pytest.raises(ValidationError, match="subtasks"):
        sample_store.delete_task(parent.ref, parent.version)
    needed = sample_store.get_task("cyber-2026/2.1")
    assert {"2.2", "2.3"} <= {t.key for t in sample_store.list_tasks() if needed.key in t.depends_on}
    with pytest.raises(ValidationError, match="depend"):
        sample_store.delete_task(needed.ref, needed.version)
    assert snapshot(sample_store) == before


def test_progress_on_a_task_not_started_means_it_is_in_progress(sample_store):
    task = next(t for t in sample_store.list_tasks() if t.status == "not started")
    new = sample_store.update_task(task.ref, {"progress": 30}, task.version)
    assert new.status == "in progress" and new.progress == 30


def test_a_done_task_cannot_be_marked_done_again(sample_store):
    from actionplan.store import ValidationError

    task = next(t for t in sample_store.list_tasks() if t.status == "done" and not t.recurrence)
    from actionplan.services import tasks

    with pytest.raises(ValidationError, match="already done"):
        tasks.mark_done(sample_store, task.ref, "again", task.version)
    assert sample_store.get_task(task.ref).completed_on == task.completed_on


def test_undo_of_a_recurring_period_removes_its_note_too(sample_store):
    task = next(t for t in sample_store.list_tasks() if t.recurrence and t.is_open)
    notes_before = len(sample_store.list_updates(task.ref))
    moved = sample_store.mark_done(task.ref, "Report sent", task.version)
    assert moved.deadline > task.deadline and moved.is_open
    assert len(sample_store.list_updates(task.ref)) == notes_before + 1
    sample_store.undo()
    back = sample_store.get_task(task.ref)
    assert back.deadline == task.deadline
    assert len(sample_store.list_updates(task.ref)) == notes_before
