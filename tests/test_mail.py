"""Digests and reminders by email, against a real SMTP server (aiosmtpd) started by the tests."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from actionplan.cli.main import cli
from actionplan.core.model import Org, Task
from actionplan.mail.send import MailError, parse_smtp_url
from actionplan.store import Store
from tests.conftest import TODAY

SENDER = "Văn phòng Ban Chỉ đạo <office@example.gov.vn>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailroom:
    """An aiosmtpd handler that keeps every message and refuses the addresses it is told to."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self) -> list[str]:
        return sorted(r for _f, rcpts, _m in self.received for r in rcpts)

    def message_to(self, address: str) -> EmailMessage:
        found = [m for _f, rcpts, m in self.received if address in rcpts]
        assert len(found) == 1, f"{len(found)} messages to {address}"
        return found[0]


@pytest.fixture
def mailroom() -> Iterator[tuple[Mailroom, str]]:
    room = Mailroom()
    port = free_port()
    controller = Controller(room, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield room, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
def tls_mailroom(tmp_path: Path) -> Iterator[tuple[Mailroom, str, Path]]:
    """A server that requires STARTTLS and a login, with a certificate from a CA made here."""
    import trustme
    from aiosmtpd.smtp import AuthResult

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))

    def authenticator(server, session, envelope, mechanism, auth_data):
        if auth_data.login == b"secretary" and auth_data.password == b"s3cret":
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")

    room = Mailroom()
    port = free_port()
    controller = Controller(
        room,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_exclude_mechanism=["LOGIN"],  # smtplib would try LOGIN after a refused PLAIN
    )
    controller.start()
    try:
        yield room, f"smtp://secretary@127.0.0.1:{port}?starttls=1", cafile
    finally:
        controller.stop()


def mail(db: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["--db", str(db), "mail", *args], env=env, catch_exceptions=False)


def digests(db: Path, url: str, *args: str, env: dict[str, str] | None = None):
    return mail(db, "digests", "--as-of", TODAY.isoformat(), "--smtp", url, "--from", SENDER, *args, env=env)


def parts(message: EmailMessage) -> dict[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    return {p.get_content_type(): p.get_content() for p in message.iter_parts()}


# --- digests ------------------------------------------------------------------------------------


def test_each_agency_gets_its_own_digest_and_the_office_the_whole_one(
    sample_store: Store, db_path: Path, mailroom
) -> None:
    room, url = mailroom
    result = digests(db_path, url, "--to", "chief@example.gov.vn")
    assert result.exit_code == 0, result.output
    # agencies that lead or coordinate something overdue, due soon, blocked or moved; the chief of office
    to = room.to()
    assert "chief@example.gov.vn" in to
    assert {"mic@example.gov.vn", "mps@example.gov.vn", "moet@example.gov.vn", "hcmc@example.gov.vn"} <= set(to)
    assert len(to) == len(set(to))
    mic = room.message_to("mic@example.gov.vn")
    assert mic["To"].addresses[0].display_name == "Ministry of Information and Communications"
    assert mic["From"].addresses[0].display_name == "Văn phòng Ban Chỉ đạo"
    assert mic["Message-ID"] and mic["Date"]
    assert "MIC" in mic["Subject"] and "overdue" in mic["Subject"]
    body = parts(mic)
    text, html = body["text/plain"], body["text/html"]
    assert "lead agency MIC" in text and "strategy-2030/1.3" in text and "days late" in text
    assert "cyber-2026/6.1" not in text.split("Tasks your agency coordinates")[0]  # led by MOET
    assert "strategy-2030/1.3" in html and "<html" in html
    whole = parts(room.message_to("chief@example.gov.vn"))["text/plain"]
    assert "all lead agencies" in whole and "cyber-2026/6.1" in whole and "strategy-2030/1.3" in whole


def test_an_agency_sees_apart_what_it_coordinates(sample_store: Store, db_path: Path, mailroom) -> None:
    room, url = mailroom
    coordinated = [t for t in sample_store.list_tasks() if "MPS" in t.coordinating and t.lead != "MPS"]
    assert coordinated
    digests(db_path, url, "--org", "MPS", "--always")
    text = parts(room.message_to("mps@example.gov.vn"))["text/plain"]
    led, _sep, coord = text.partition("Tasks your agency coordinates")
    assert "tasks coordinated by MPS" in coord
    assert "lead agency MPS" in led
    assert room.to() == ["mps@example.gov.vn"]  # --org: that agency only, no whole digest


def test_a_vietnamese_agency_name_reaches_subject_and_display_name(
    sample_store: Store, db_path: Path, mailroom
) -> None:
    room, url = mailroom
    name = "Sở Thông tin và Truyền thông thành phố Hà Nội"
    sample_store.save_org(Org(key="STTTT-HN", name=name, email="stttt@example.gov.vn"))
    sample_store.add_task(
        Task(plan="cyber-2026", key="40", title="Rà soát hệ thống", lead="STTTT-HN", deadline=date(2026, 11, 2))
    )
    digests(db_path, url, "--org", "STTTT-HN")
    message = room.message_to("stttt@example.gov.vn")
    assert message["To"].addresses[0].display_name.replace(" ", "") == name.replace(" ", "")
    assert name in str(message["Subject"])
    assert "=?utf-8?" in message.as_string(policy=policy.SMTP).split("\r\n\r\n", 1)[0]  # RFC 2047 on the wire
    assert "Rà soát hệ thống" in parts(message)["text/plain"]


def test_a_second_run_sends_nothing_new(sample_store: Store, db_path: Path, mailroom) -> None:
    room, url = mailroom
    assert digests(db_path, url, "--to", "chief@example.gov.vn").exit_code == 0
    first = len(room.received)
    again = digests(db_path, url, "--to", "chief@example.gov.vn")
    assert again.exit_code == 0
    assert len(room.received) == first
    assert "already sent" in again.output
    log = sample_store.mail_log("digest")
    assert len(log) == first and {r["recipient"] for r in log} == set(room.to())


def test_agencies_with_nothing_to_report_get_nothing_unless_always(
    sample_store: Store, db_path: Path, mailroom
) -> None:
    room, url = mailroom
    digests(db_path, url, "--org", "SUB-TECH", "--org", "MIC")
    assert room.to() == ["mic@example.gov.vn"]
    digests(db_path, url, "--org", "SUB-TECH", "--always")
    assert room.to() == ["mic@example.gov.vn", "sub-tech@example.gov.vn"]


def test_a_refused_recipient_fails_alone_and_the_next_run_retries_it(
    sample_store: Store, db_path: Path, mailroom
) -> None:
    room, url = mailroom
    room.refuse = {"mic@example.gov.vn"}
    result = digests(db_path, url)
    assert result.exit_code == 1
    assert "mic@example.gov.vn" in result.output and "550" in result.output
    assert "mps@example.gov.vn" in room.to() and "mic@example.gov.vn" not in room.to()
    assert "mic@example.gov.vn" not in {r["recipient"] for r in sample_store.mail_log()}
    delivered = len(room.received)
    room.refuse = set()
    retry = digests(db_path, url)
    assert retry.exit_code == 0, retry.output
    assert [r for _f, rcpts, _m in room.received[delivered:] for r in rcpts] == ["mic@example.gov.vn"]


def test_a_bad_address_fails_alone(sample_store: Store, db_path: Path, mailroom) -> None:
    room, url = mailroom
    org = sample_store.get_org("MOJ")
    sample_store.save_org(Org(**{**org.__dict__, "email": "not an address"}))
    result = digests(db_path, url)
    assert result.exit_code == 1 and "not an email address" in result.output
    assert "mic@example.gov.vn" in room.to()


def test_an_unreachable_server_gives_one_error_and_records_nothing(sample_store: Store, db_path: Path) -> None:
    result = digests(db_path, f"smtp://127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert "cannot reach the mail server" in result.output
    assert result.output.count("Error") == 1
    assert sample_store.mail_log() == []


def test_since_last_shows_a_slip_made_after_the_previous_digest(
    sample_store: Store, db_path: Path, mailroom, clock
) -> None:
    from tests.test_digest import hanoi

    room, url = mailroom
    digests(db_path, url, "--org", "MPS", "--since-last", "--always")
    clock.now = hanoi(2026, 11, 28)
    task = sample_store.get_task("cyber-2026/6.2")
    sample_store.update_task("cyber-2026/6.2", {"deadline": date(2027, 1, 31)}, task.version)
    second = mail(
        db_path, "digests", "--as-of", "2026-11-30", "--org", "MPS", "--since-last", "--smtp", url, "--from", SENDER
    )
    assert second.exit_code == 0, second.output
    text = parts(room.received[-1][2])["text/plain"]
    assert "since the previous digest" in text
    assert "cyber-2026/6.2" in text and "secretary" in text  # the slip, and who moved it


def test_dry_run_writes_eml_files_and_sends_and_records_nothing(
    sample_store: Store, db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = mail(
        db_path, "digests", "--as-of", TODAY.isoformat(), "--to", "chief@example.gov.vn", "--dry-run", str(out)
    )
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.eml"))
    assert files
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert sample_store.mail_log() == []


def test_starttls_with_a_ca_file_and_a_login(sample_store: Store, db_path: Path, tls_mailroom) -> None:
    room, url, cafile = tls_mailroom
    env = {"ACTIONPLAN_SMTP_PASSWORD": "s3cret", "ACTIONPLAN_SMTP_CA": str(cafile)}
    result = digests(db_path, url, "--org", "MIC", env=env)
    assert result.exit_code == 0, result.output
    assert room.to() == ["mic@example.gov.vn"]


def test_smtps_is_tls_from_the_first_byte(sample_store: Store, db_path: Path, tmp_path: Path) -> None:
    import trustme

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    room = Mailroom()
    port = free_port()
    controller = Controller(room, hostname="127.0.0.1", port=port, ssl_context=server_context)
    controller.start()
    try:
        result = digests(db_path, f"smtps://127.0.0.1:{port}", "--org", "MIC", "--smtp-ca", str(cafile))
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert room.to() == ["mic@example.gov.vn"]


def test_starttls_refuses_a_certificate_it_cannot_verify(sample_store: Store, db_path: Path, tls_mailroom) -> None:
    _room, url, _cafile = tls_mailroom
    result = digests(db_path, url, "--org", "MIC", env={"ACTIONPLAN_SMTP_PASSWORD": "s3cret"})
    assert result.exit_code == 1 and "cannot reach the mail server" in result.output
    assert "CERTIFICATE_VERIFY_FAILED" in result.output
    assert sample_store.mail_log() == []


def test_a_wrong_password_is_one_clear_error(sample_store: Store, db_path: Path, tls_mailroom) -> None:
    _room, url, cafile = tls_mailroom
    env = {"ACTIONPLAN_SMTP_PASSWORD": "wrong", "ACTIONPLAN_SMTP_CA": str(cafile)}
    result = digests(db_path, url, "--org", "MIC", env=env)
    assert result.exit_code == 1 and "refused the user name or password" in result.output
    assert "wrong" not in result.output


# --- hostile text ----------------------------------------------------------------------------------


def test_hostile_task_text_never_adds_a_header(sample_store: Store, db_path: Path, mailroom) -> None:
    room, url = mailroom
    evil = "Plan\r\nBcc: spy@evil.example\r\nX-Injected: yes\nSubject: fake"
    sample_store.save_org(Org(key="EVIL", name=evil, email="evil-org@example.gov.vn"))
    sample_store.add_task(Task(plan="cyber-2026", key="41", title=evil, lead="EVIL", deadline=date(2026, 11, 30)))
    assert digests(db_path, url, "--org", "EVIL").exit_code == 0
    reminders = mail(db_path, "reminders", "--as-of", TODAY.isoformat(), "--smtp", url, "--from", SENDER)
    assert reminders.exit_code == 0, reminders.output
    sent = [m for _f, rcpts, m in room.received if "evil-org@example.gov.vn" in rcpts]
    assert len(sent) == 2
    for _from, rcpts, message in room.received:
        assert "spy@evil.example" not in rcpts
    for message in sent:
        assert message["Bcc"] is None and message["X-Injected"] is None
        assert len(message.get_all("Subject")) == 1 and len(message.get_all("To")) == 1
        assert [a.addr_spec for a in message["To"].addresses] == ["evil-org@example.gov.vn"]


# --- reminders --------------------------------------------------------------------------------------


def test_reminders_go_once_to_the_lead_and_the_accountable_person(sample_store: Store, db_path: Path, mailroom) -> None:
    room, url = mailroom
    task = sample_store.get_task("cyber-2026/6.2")
    assert mail(db_path, "address", task.accountable, "head@mps.example.gov.vn").exit_code == 0
    result = mail(db_path, "reminders", "--as-of", TODAY.isoformat(), "--smtp", url, "--from", SENDER)
    assert result.exit_code == 0, result.output
    assert room.to() == ["head@mps.example.gov.vn", "mps@example.gov.vn", "office@example.gov.vn"]
    message = room.message_to("mps@example.gov.vn")
    assert "cyber-2026/6.2" in message["Subject"] and "due in 4 days" in message["Subject"]
    text = message.get_content()
    assert "30 Nov 2026" in text and "4 days" in text
    again = mail(db_path, "reminders", "--as-of", TODAY.isoformat(), "--smtp", url, "--from", SENDER)
    assert again.exit_code == 0 and len(room.received) == 3
    # the next reminder day (1 day before) brings one more each; none for a task done meanwhile
    done = sample_store.get_task("cyber-2026/8.2")
    sample_store.mark_done("cyber-2026/8.2", "Report filed", done.version)
    mail(db_path, "reminders", "--as-of", "2026-11-29", "--smtp", url, "--from", SENDER)
    assert sorted(r for _f, rcpts, _m in room.received[3:] for r in rcpts) == [
        "head@mps.example.gov.vn",
        "mps@example.gov.vn",
    ]
    covers = {r["covers"] for r in sample_store.mail_log("reminder")}
    assert covers == {
        "reminder:cyber-2026/6.2:2026-11-30:P7D",
        "reminder:cyber-2026/8.2:2026-11-30:P7D",
        "reminder:cyber-2026/6.2:2026-11-30:P1D",
    }


def test_a_reminder_shows_the_agency_feed_link(sample_store: Store, db_path: Path, mailroom) -> None:
    from actionplan.services.feeds import FeedScope, create_feed

    room, url = mailroom
    feed = create_feed(sample_store, FeedScope("org", "MPS"), base_url="https://calendar.example.gov.vn")
    wrong = create_feed(sample_store, FeedScope("org", "MIC"), base_url="https://calendar.example.gov.vn")
    refused = mail(db_path, "feed-link", "MPS", wrong.url)
    assert refused.exit_code == 1 and "not for MPS" in refused.output
    assert mail(db_path, "feed-link", "MPS", feed.url).exit_code == 0
    mail(db_path, "reminders", "--as-of", TODAY.isoformat(), "--smtp", url, "--from", SENDER)
    assert feed.url in room.message_to("mps@example.gov.vn").get_content()
    assert feed.url not in room.message_to("office@example.gov.vn").get_content()


# --- the log, settings, server URLs ---------------------------------------------------------------------


def test_mail_log_shows_what_was_sent(sample_store: Store, db_path: Path, mailroom) -> None:
    _room, url = mailroom
    assert mail(db_path, "log").output.strip() == "No mail sent yet."
    digests(db_path, url, "--org", "MIC")
    shown = mail(db_path, "log")
    assert "mic@example.gov.vn" in shown.output and "digest:MIC:2026-11-19:2026-11-26" in shown.output


def test_office_recipients_are_a_stored_setting(sample_store: Store, db_path: Path, mailroom) -> None:
    room, url = mailroom
    assert mail(db_path, "office", "chief@example.gov.vn", "deputy@example.gov.vn").exit_code == 0
    assert mail(db_path, "office", "not an address").exit_code == 1
    digests(db_path, url)
    assert {"chief@example.gov.vn", "deputy@example.gov.vn"} <= set(room.to())


def test_no_sender_is_a_clear_error(sample_store: Store, db_path: Path, mailroom) -> None:
    _room, url = mailroom
    result = mail(db_path, "digests", "--smtp", url, env={"ACTIONPLAN_MAIL_FROM": ""})
    assert result.exit_code == 1 and "--from" in result.output


@pytest.mark.parametrize(
    ("url", "host", "port", "tls", "starttls", "user"),
    [
        ("smtp://mail.example.gov.vn", "mail.example.gov.vn", 25, False, False, ""),
        ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, False, False, ""),
        ("smtp://secretary@mail.example.gov.vn:587?starttls=1", "mail.example.gov.vn", 587, False, True, "secretary"),
        ("smtps://mail.example.gov.vn", "mail.example.gov.vn", 465, True, False, ""),
    ],
)
def test_smtp_urls(url: str, host: str, port: int, tls: bool, starttls: bool, user: str) -> None:
    server = parse_smtp_url(url, password="pw")
    assert (server.host, server.port, server.tls, server.starttls, server.user) == (host, port, tls, starttls, user)
    assert "pw" not in repr(server) and "pw" not in server.describe()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.gov.vn", "smtp://"),
        ("smtp://user:hunter2@mail.example.gov.vn", "ACTIONPLAN_SMTP_PASSWORD"),
        ("smtp://mail.example.gov.vn:99999", "port"),
        ("smtp://mail.example.gov.vn?tls=yes", "unknown URL option"),
        ("smtps://mail.example.gov.vn?starttls=1", "TLS already"),
        ("", "ACTIONPLAN_SMTP_URL"),
    ],
)
def test_bad_smtp_urls_are_refused_with_the_reason(url: str, says: str) -> None:
    with pytest.raises(MailError) as caught:
        parse_smtp_url(url)
    assert says in str(caught.value)
    assert "hunter2" not in str(caught.value)
