"""Sending mail over SMTP with the settings of SPEC §7 (host, port, security, user, password, from)."""
import smtplib
import ssl
from dataclasses import dataclass

SECURITY_CHOICES = ("none", "starttls", "ssl")


class MailError(Exception):
    """A message was not accepted by the mail server."""


class ConnectionProblem(MailError):
    """The mail server could not be reached or refused us: every message would fail alike."""


class FateUnknown(MailError):
    """The whole message reached the server, which then never answered: it may have been delivered.

    Sending it again could deliver it twice, so it is never retried automatically."""


class _TrackedSMTP:
    """Knows whether the message data has been handed over (the final CRLF.CRLF written): a failure
    after that point leaves the message's fate unknown, one before it means it was not taken."""

    data_handed_over = False

    def data(self, msg):
        self.data_handed_over = False
        return super().data(msg)

    def send(self, s):
        super().send(s)
        if isinstance(s, (bytes, bytearray)) and s.endswith(b"\r\n.\r\n"):
            self.data_handed_over = True


class _SMTP(_TrackedSMTP, smtplib.SMTP):
    pass


class _SMTP_SSL(_TrackedSMTP, smtplib.SMTP_SSL):
    pass


def smtp_security(port, configured=None):
    """The configured security, else what the port implies: STARTTLS on 587, SSL on 465, none otherwise."""
    if configured:
        value = str(configured).strip().lower()
        if value not in SECURITY_CHOICES:
            raise ValueError(f"ISA_SMTP_SECURITY must be one of {', '.join(SECURITY_CHOICES)} (got {configured!r})")
        return value
    return {587: "starttls", 465: "ssl"}.get(int(port), "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None
    timeout: float

    @classmethod
    def from_config(cls, config):
        """None when no SMTP host is set: reminders are then written to the log instead."""
        host = (config.get("SMTP_HOST") or "").strip()
        if not host:
            return None
        port = int(config.get("SMTP_PORT") or 587)
        return cls(
            host=host,
            port=port,
            security=smtp_security(port, config.get("SMTP_SECURITY")),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            timeout=float(config.get("SMTP_TIMEOUT") or 30),
        )


class SmtpTransport:
    """One connection, opened on the first message and reused for the rest of a sweep."""

    def __init__(self, settings):
        self.settings = settings
        self._smtp = None

    def _connect(self):
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                smtp = _SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = _SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=context)
            if s.username:
                smtp.login(s.username, s.password or "")
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionProblem(f"Could not connect to the mail server {s.host}:{s.port}: {_describe(error)}") from error
        return smtp

    def send(self, message):
        """Send `message`; returns {address: (code, reply)} for recipients refused while others were accepted."""
        if self._smtp is None:
            self._smtp = self._connect()
        smtp = self._smtp
        smtp.data_handed_over = False
        try:
            return smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise MailError("The mail server refused every recipient: " + _refusals(error.recipients)) from error
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._smtp = None  # the connection is gone; the next message opens a new one
            if smtp.data_handed_over:
                raise FateUnknown(f"The mail server received the whole message, then the connection failed before it "
                                  f"confirmed delivery: {_describe(error)}") from error
            raise ConnectionProblem(f"The mail server connection failed: {_describe(error)}") from error
        except smtplib.SMTPException as error:
            raise MailError(f"The mail server did not accept the message: {_describe(error)}") from error

    def close(self):
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None


def _describe(error):
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        return f"{error.smtp_code} {message}"
    return str(error) or type(error).__name__


def _refusals(refused):
    parts = []
    for address, (code, reply) in sorted(refused.items()):
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        parts.append(f"{address} ({code} {text})")
    return "; ".join(parts)


describe_refusals = _refusals
