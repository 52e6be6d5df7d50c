"""Calendar subscription feeds: the real server on loopback, the app, and the feeds commands."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import httpx
import icalendar
import pytest
import uvicorn
from click.testing import CliRunner

from actionplan.calendar.feed_server import NOT_FOUND_BODY, accepts_gzip, create_app, not_modified
from actionplan.cli.main import cli
from actionplan.services.feeds import FeedScope, create_feed, find_feed, resolve_scope, token_from_name
from actionplan.store import Store, ValidationError, hash_token

FEED_LOGGER = "actionplan.services.feeds"


# --- helpers and fixtures ---------------------------------------------------------------------------


def summaries(ics_text: str) -> list[str]:
    """The SUMMARY of every event, parsed back with icalendar (unfolded and unescaped)."""
    cal = icalendar.Calendar.from_ical(ics_text)
    return [str(ev.get("SUMMARY")) for ev in cal.walk("VEVENT")]


def shows(ics_text: str, title: str) -> bool:
    return any(title in s for s in summaries(ics_text))


class LiveServer:
    """uvicorn serving the feeds app on a free loopback port, in a background thread."""

    def __init__(self, app) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        for _ in range(1000):  # wait for the condition "started", at most ~10 s
            if self.server.started:
                return
            if not self.thread.is_alive():
                break
            time.sleep(0.01)
        raise RuntimeError("the feeds server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def app(sample_store: Store, clock):
    """The feeds app on the sample database, its stores on the tests' clock."""
    path = sample_store.path
    return create_app(store_factory=lambda: Store(path, actor="feeds", clock=clock))


@pytest.fixture
def live(app) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


# --- scopes ------------------------------------------------------------------------------------------


def test_org_feed_shows_tasks_the_org_leads_or_coordinates_and_no_others(sample_store, http):
    moj = create_feed(sample_store, resolve_scope(sample_store, org="MOJ"))
    r = http.get(feed_path(moj.token))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    coordinated = sample_store.get_task("cyber-2026/2.3")  # led by MPS, MOJ coordinates
    led = sample_store.get_task("cyber-2026/7.2")  # led by MOJ
    elsewhere = sample_store.get_task("cyber-2026/3.5")  # MIC with MPS: no MOJ part
    assert "MOJ" in coordinated.coordinating and led.lead == "MOJ"
    assert "MOJ" not in elsewhere.coordinating + [elsewhere.lead]
    assert shows(r.text, coordinated.title)
    assert shows(r.text, led.title)
    assert not shows(r.text, elsewhere.title)


def test_plan_and_accountable_feeds_show_only_their_scope(sample_store, http):
    plan = create_feed(sample_store, resolve_scope(sample_store, plan="strategy-2030"))
    person = create_feed(sample_store, resolve_scope(sample_store, accountable="Minister of Justice"))
    plan_text = http.get(feed_path(plan.token)).text
    assert shows(plan_text, sample_store.get_task("strategy-2030/3.3").title)
    assert not shows(plan_text, sample_store.get_task("cyber-2026/2.3").title)
    person_text = http.get(feed_path(person.token)).text
    assert shows(person_text, sample_store.get_task("cyber-2026/7.2").title)
    assert not shows(person_text, sample_store.get_task("cyber-2026/2.3").title)


def test_scope_is_checked_when_the_feed_is_created(sample_store):
    assert resolve_scope(sample_store, org="ministry of justice") == FeedScope("org", "MOJ")
    with pytest.raises(ValidationError):
        resolve_scope(sample_store, org="MOJ", plan="cyber-2026")
    with pytest.raises(ValidationError):
        resolve_scope(sample_store, org="Nowhere Agency")


# --- tokens, revocation, hostile paths -------------------------------------------------------------------


def test_revoked_feed_answers_404_with_the_same_body_as_an_unknown_one(sample_store, http):
    new = create_feed(sample_store, FeedScope("plan", "cyber-2026"))
    assert http.get(feed_path(new.token)).status_code == 200
    sample_store.revoke_feed(new.id)
    revoked = http.get(feed_path(new.token))
    unknown = http.get(feed_path("A" * 43))
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content == NOT_FOUND_BODY
    assert "etag" not in revoked.headers


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/..%2F..%2Fetc%2Fpasswd.ics",
        "/feeds/../../etc/passwd.ics",
        "/feeds/" + "A" * 10_000 + ".ics",
        "/feeds/" + "Ă" * 43 + ".ics",
        "/feeds/tökenñ-with-vietnamese-đ-characters-x.ics",
        "/feeds/%00" + "A" * 42 + ".ics",
        "/feeds/",
        "/feeds",
    ],
)
def test_hostile_paths_get_the_unknown_token_answer(sample_store, http, path):
    create_feed(sample_store, FeedScope("plan", "cyber-2026"))
    r = http.get(path)
    assert r.status_code == 404
    assert r.content == NOT_FOUND_BODY


def test_a_token_is_found_only_by_itself(sample_store):
    new = create_feed(sample_store, FeedScope("org", "MPS"))
    assert find_feed(sample_store, new.token).id == new.id
    assert find_feed(sample_store, new.token[:-1] + ("A" if new.token[-1] != "A" else "B")) is None
    sample_store.revoke_feed(new.id)
    assert find_feed(sample_store, new.token) is None


def test_token_names_outside_the_token_alphabet_are_refused():
    assert token_from_name("Abc_-" * 8 + ".ics") == "Abc_-" * 8
    for name in ("../../etc/passwd.ics", "A" * 43, "A" * 200 + ".ics", "Ä" * 43 + ".ics", "short.ics"):
        assert token_from_name(name) is None


# --- conditional requests and freshness -----------------------------------------------------------------


def test_unchanged_feed_answers_304_and_an_edit_gives_200_with_a_new_etag(sample_store, clock, http):
    new = create_feed(sample_store, FeedScope("org", "MOJ"))
    first = http.get(feed_path(new.token))
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "private, max-age=300"
    assert first.headers["last-modified"].endswith("GMT")

    again = http.get(feed_path(new.token), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = http.get(feed_path(new.token), headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304

    clock.now = clock.now + timedelta(minutes=5)
    task = sample_store.get_task("cyber-2026/2.3")
    sample_store.update_task(task.ref, {"title": "Decree on sanctions, second draft"}, task.version)

    after = http.get(feed_path(new.token), headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert shows(after.text, "Decree on sanctions, second draft")
    assert not shows(after.text, task.title)
    stale = http.get(feed_path(new.token), headers={"If-Modified-Since": first.headers["last-modified"]})
    assert stale.status_code == 200


def test_head_gives_the_headers_of_get_without_a_body(sample_store, http):
    new = create_feed(sample_store, FeedScope("plan", "cyber-2026"))
    got = http.get(feed_path(new.token))
    head = http.head(feed_path(new.token))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == got.headers["content-length"]


def test_gzip_and_plain_answers_are_the_same_calendar_each_with_its_own_etag(sample_store, http):
    new = create_feed(sample_store, FeedScope("plan", "cyber-2026"))
    plain = http.get(feed_path(new.token), headers={"Accept-Encoding": "identity"})
    packed = http.get(feed_path(new.token), headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.text == plain.text and shows(plain.text, sample_store.get_task("cyber-2026/2.3").title)
    assert packed.headers["etag"] != plain.headers["etag"]
    assert plain.headers["vary"] == packed.headers["vary"] == "Accept-Encoding"
    for etag in (plain.headers["etag"], packed.headers["etag"]):
        for encoding in ("identity", "gzip"):
            r = http.get(feed_path(new.token), headers={"If-None-Match": etag, "Accept-Encoding": encoding})
            assert r.status_code == 304


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_a_restarted_server_sends_the_same_bytes_under_the_same_etag(sample_store, clock):
    from starlette.testclient import TestClient

    new = create_feed(sample_store, FeedScope("org", "MPS"))
    answers = []
    for _ in range(2):  # two servers, each with an empty cache
        clock.now = clock.now + timedelta(hours=1)  # the wall clock moves; the data does not
        app = create_app(store_factory=lambda: Store(sample_store.path, actor="feeds", clock=clock))
        with TestClient(app) as client:
            r = client.get(feed_path(new.token), headers={"Accept-Encoding": "identity"})
            answers.append((r.headers["etag"], r.content))
    assert answers[0] == answers[1]


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_many_polls_of_an_unchanged_feed_build_it_once(sample_store, app):
    from starlette.testclient import TestClient

    new = create_feed(sample_store, FeedScope("org", "MPS"))
    service = app.state.service
    with TestClient(app) as client:
        bodies = {client.get(feed_path(new.token)).content for _ in range(5)}
        assert len(bodies) == 1 and service.cache.builds == 1
        task = sample_store.get_task("cyber-2026/5.2")
        sample_store.add_note(task.ref, "Hanoi centre connected", 70)
        client.get(feed_path(new.token))
        assert service.cache.builds == 2


def test_if_none_match_is_compared_weakly_and_accepts_lists():
    from datetime import datetime

    when = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    etag = '"7-abc"'
    assert not_modified({"if-none-match": '"7-abc"'}, etag, when)
    assert not_modified({"if-none-match": 'W/"7-abc"'}, etag, when)  # weakened by a gzip proxy
    assert not_modified({"if-none-match": '"1-x", "7-abc"'}, etag, when)
    assert not not_modified({"if-none-match": '"7-abd"'}, etag, when)
    # If-None-Match wins over If-Modified-Since
    assert not not_modified(
        {"if-none-match": '"old"', "if-modified-since": "Thu, 26 Nov 2026 04:00:00 GMT"}, etag, when
    )
    assert not_modified({"if-modified-since": "Thu, 26 Nov 2026 03:00:00 GMT"}, etag, when)
    assert not not_modified({"if-modified-since": "Thu, 26 Nov 2026 02:59:59 GMT"}, etag, when)
    assert not not_modified({"if-modified-since": "not a date"}, etag, when)


def test_gzip_is_sent_only_to_clients_that_accept_it():
    assert accepts_gzip("gzip, deflate, br")
    assert accepts_gzip("br;q=1.0, gzip;q=0.8")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("identity")
    assert not accepts_gzip(None)


# --- health and the request log ---------------------------------------------------------------------------


def test_health_says_the_database_answers_and_nothing_about_its_content(sample_store, http):
    r = http.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "schema": sample_store.schema_version}  # no task count: the address is public


def test_each_request_is_logged_in_one_line_without_its_token(sample_store, http, caplog):
    caplog.set_level(logging.INFO, logger=FEED_LOGGER)
    new = create_feed(sample_store, FeedScope("org", "MPS"))
    revoked = create_feed(sample_store, FeedScope("org", "MOJ"))
    sample_store.revoke_feed(revoked.id)
    requests = [
        feed_path(new.token),
        feed_path(revoked.token),
        "/feeds/..%2F..%2Fetc%2Fpasswd.ics",
        "/health",
        f"/calendar/feeds/{new.token}.ics",
        "/feeds/" + "Z" * 10_000 + ".ics",
    ]
    for path in requests:
        http.get(path)
    http.head(feed_path(new.token))
    etag = http.get(feed_path(new.token)).headers["etag"]
    assert http.get(feed_path(new.token), headers={"If-None-Match": etag}).status_code == 304

    server_records = [r for r in caplog.records if r.name.startswith(("actionplan", "uvicorn"))]
    lines = [r.getMessage() for r in server_records if r.name == FEED_LOGGER]
    assert len(lines) == len(requests) + 3
    for record in server_records:
        text = record.getMessage()
        assert new.token not in text and revoked.token not in text
        assert "Z" * 100 not in text
    assert lines[0].startswith(f"GET /feeds/<feed {new.id}>.ics 200 ")
    assert lines[0].endswith("ms")
    assert lines[1].startswith("GET /feeds/<unknown> 404 ")
    assert lines[3].startswith("GET /health 200 ")
    assert "<redacted>" in lines[4]
    assert lines[6].startswith(f"HEAD /feeds/<feed {new.id}>.ics 200 0B ")
    assert lines[8].startswith(f"GET /feeds/<feed {new.id}>.ics 304 0B ")


# --- the feeds commands ------------------------------------------------------------------------------------


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def test_feeds_add_prints_the_url_once_and_stores_only_its_hash(sample_store):
    db = sample_store.path
    result = run(
        db, "feeds", "add", "--org", "MOJ", "--label", "MOJ legal desk", "--base-url", "https://cal.example.gov.vn/"
    )
    assert result.exit_code == 0, result.output
    url = next(w for w in result.output.split() if w.startswith("https://"))
    assert url.startswith("https://cal.example.gov.vn/feeds/") and url.endswith(".ics")
    assert "webcal://cal.example.gov.vn/feeds/" in result.output
    token = url.rsplit("/", 1)[1][:-4]
    assert len(token) >= 43
    assert sample_store.feed_by_hash(hash_token(token))["scope_value"] == "MOJ"
    sample_store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert token.encode() not in db.read_bytes()

    listing = run(db, "feeds", "list")
    assert listing.exit_code == 0
    assert "MOJ legal desk" in listing.output and "org MOJ" in listing.output
    assert token not in listing.output


def test_feeds_revoke_removes_the_feed_from_the_list(sample_store):
    db = sample_store.path
    first = create_feed(sample_store, FeedScope("plan", "cyber-2026"), label="kept")
    gone = create_feed(sample_store, FeedScope("plan", "strategy-2030"), label="leaving")
    result = run(db, "feeds", "revoke", str(gone.id))
    assert result.exit_code == 0 and "404" in result.output
    listing = run(db, "feeds", "list").output
    assert "kept" in listing and "leaving" not in listing
    assert "leaving" in run(db, "feeds", "list", "--all").output
    assert find_feed(sample_store, gone.token) is None and find_feed(sample_store, first.token) is not None
    again = run(db, "feeds", "revoke", str(gone.id))
    assert again.exit_code == 1 and "no active feed" in again.output


def test_feeds_add_refuses_a_bad_scope_or_base_url_and_writes_nothing(sample_store):
    db = sample_store.path
    for args in (
        ["--org", "MOJ", "--plan", "cyber-2026"],
        [],
        ["--org", "Nowhere Agency"],
        ["--plan", "nope"],
        ["--org", "MOJ", "--base-url", "ftp://cal.example"],
    ):
        result = run(db, "feeds", "add", *args)
        assert result.exit_code == 1, args
        assert "Error" in result.output
    assert sample_store.list_feeds(include_revoked=True) == []


def test_serve_command_answers_and_logs_to_stderr(sample_store):
    new = create_feed(sample_store, FeedScope("org", "MOJ"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "actionplan", "--db", str(sample_store.path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(300):  # wait for the condition "health answers", at most ~30 s
                try:
                    health = client.get("/health")
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, proc.stderr.read()
                    time.sleep(0.1)
            assert health.json()["status"] == "ok"
            assert client.get(feed_path(new.token)).status_code == 200
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert "Serving 1 active feed(s)" in err
    assert f"GET /feeds/<feed {new.id}>.ics 200" in err
    assert new.token not in err


def test_a_person_feed_shows_that_person_only(sample_store):
    from actionplan.core.model import Task
    from actionplan.services.feeds import resolve_scope
    from actionplan.store import ValidationError

    sample_store.add_task(
        Task(
            plan="cyber-2026",
            key="9",
            title="Deputy's task",
            lead="MPS",
            accountable="Deputy Minister of Public Security",
        )
    )
    scope = resolve_scope(sample_store, accountable="minister of public security")
    refs = {t.ref for t in sample_store.list_tasks(scope.task_filter())}
    assert refs and "cyber-2026/9" not in refs
    assert all(sample_store.get_task(r).accountable.lower() == "minister of public security" for r in refs)
    with pytest.raises(ValidationError):
        resolve_scope(sample_store, accountable="%")
