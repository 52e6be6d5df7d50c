"""Which SMTP server, and handing messages to it.

The server is named by a URL: ``smtp://host:25``, ``smtp://host:587?starttls=1``
(plain connection upgraded with STARTTLS), ``smtps://host:465`` (TLS from the
start).  A user name may stand in the URL (``smtp://secretary@host:587?starttls=1``);
the password never does: it comes from ``$ACTIONPLAN_SMTP_PASSWORD`` only and is
never stored or shown.  TLS is always verified, against the system's certificates
or a CA file given with ``--smtp-ca`` / ``$ACTIONPLAN_SMTP_CA``.

smtplib and ssl are imported when a connection is opened, not before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from actionplan.core.errors import ActionPlanError
from actionplan.core.i18n import _

if TYPE_CHECKING:  # pragma: no cover - typing only
    import smtplib
    from email.message import EmailMessage

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TIMEOUT_SECONDS = 30.0
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class MailError(ActionPlanError):
    """A mail setting or server problem the user can fix; the message says which."""


class RecipientRefused(MailError):
    """The server refused this one recipient (the others may still be delivered)."""


@dataclass(frozen=True)
class SmtpServer:
    """Where to deliver: the URL's parts, and the password from the environment (never shown)."""

    host: str
    port: int
    tls: bool = False  # smtps: TLS from the first byte
    starttls: bool = False
    user: str = ""
    password: str = field(default="", repr=False)
    cafile: str = ""

    def describe(self) -> str:
        """The server as the user wrote it, without any secret."""
        scheme = "smtps" if self.tls else "smtp"
        who = f"{self.user}@" if self.user else ""
        query = "?starttls=1" if self.starttls else ""
        return f"{scheme}://{who}{self.host}:{self.port}{query}"


def parse_smtp_url(url: str, *, password: str = "", cafile: str = "") -> SmtpServer:
    """An SMTP URL as a :class:`SmtpServer`; MailError names what is wrong with it."""
    text = (url or "").strip()
    if not text:
        raise MailError(_("no mail server: give --smtp URL or set $ACTIONPLAN_SMTP_URL (e.g. smtp://localhost:25)"))
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise MailError(f'--smtp "{_redacted(text)}": ' + _("the URL must start with smtp:// or smtps://"))
    if parts.password is not None:
        raise MailError(
            f'--smtp "{_redacted(text)}": '
            + _("a password does not belong in the URL; set $ACTIONPLAN_SMTP_PASSWORD instead")
        )
    if not parts.hostname:
        raise MailError(f'--smtp "{text}": ' + _("the URL names no host"))
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise MailError(f'--smtp "{text}": ' + _("the port must be a number from 1 to 65535")) from None
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"starttls"})
    if unknown:
        raise MailError(
            f'--smtp "{text}": ' + _("unknown URL option") + f' "{unknown[0]}" (' + _("use starttls=1") + ")"
        )
    value = (query.get("starttls") or ["0"])[-1].strip().lower()
    if value not in _TRUE | _FALSE:
        raise MailError(f'--smtp "{text}": ' + _("starttls must be 1 or 0"))
    starttls = value in _TRUE
    if starttls and scheme == "smtps":
        raise MailError(f'--smtp "{text}": ' + _("smtps:// is TLS already; starttls=1 is for smtp://"))
    return SmtpServer(
        host=parts.hostname,
        port=port,
        tls=scheme == "smtps",
        starttls=starttls,
        user=unquote(parts.username or ""),
        password=password,
        cafile=cafile,
    )


def _redacted(url: str) -> str:
    """The URL with any password replaced, for error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


class Connection:
    """One session with the server: ``with Connection(server) as c: c.send(message, sender, [rcpt])``."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> Any:
        import ssl

        try:
            return ssl.create_default_context(cafile=self.server.cafile or None)
        except (OSError, ssl.SSLError) as e:
            raise MailError(f"{self.server.cafile}: " + _("cannot read the CA file:") + f" {e}") from None

    def __enter__(self) -> Connection:
        import smtplib
        import ssl

        s = self.server
        where = s.describe()
        try:
            if s.tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS, context=self._context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            self._smtp = smtp
            smtp.ehlo()
            if s.starttls:
                if not smtp.has_extn("starttls"):
                    raise MailError(f"{where}: " + _("the server does not offer STARTTLS"))
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if s.user:
                if not s.password:
                    raise MailError(f"{where}: " + _("a user is given but $ACTIONPLAN_SMTP_PASSWORD is not set"))
                smtp.login(s.user, s.password)
        except MailError:
            self._abort()
            raise
        except smtplib.SMTPAuthenticationError as e:
            self._abort()
            raise MailError(
                f"{where}: " + _("the server refused the user name or password") + f" ({e.smtp_code})"
            ) from None
        except (OSError, smtplib.SMTPException, ssl.SSLError) as e:
            self._abort()
            raise MailError(f"{where}: " + _("cannot reach the mail server:") + f" {e}") from None
        return self

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Deliver to one recipient; RecipientRefused if the server refuses that address, MailError otherwise."""
        import smtplib

        assert self._smtp is not None, "send() outside the with block"
        try:
            self._smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as e:
            code, reply = next(iter(e.recipients.values()), (0, b""))
            raise RecipientRefused(
                f"{recipient}: " + _("refused by the server:") + f" {code} {_reply(reply)}"
            ) from None
        except smtplib.SMTPResponseException as e:
            if e.smtp_code >= 500 or e.smtp_code in (450, 451, 452):
                self._reset()
                raise RecipientRefused(
                    f"{recipient}: " + _("refused by the server:") + f" {e.smtp_code} {_reply(e.smtp_error)}"
                ) from None
            raise MailError(f"{recipient}: {e.smtp_code} {_reply(e.smtp_error)}") from None
        except (OSError, smtplib.SMTPException) as e:
            self._smtp = None
            raise MailError(f"{self.server.describe()}: " + _("the connection failed:") + f" {e}") from None

    @property
    def open(self) -> bool:
        return self._smtp is not None

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except Exception:  # the next send reports a broken connection itself
            pass

    def _abort(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except Exception:  # already broken: nothing more to do
                pass

    def __exit__(self, *exc: object) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except Exception:  # the messages were accepted already; a failed QUIT changes nothing
            smtp.close()


def _reply(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())
