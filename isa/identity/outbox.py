"""Sending the outbox of sign-in mail (password reset links): a scheduler job, never a web request."""
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import sqlalchemy as sa

from ..core.db import utcnow
from ..extensions import db
from ..reminders.mail import MailError, SmtpSettings, SmtpTransport
from ..reminders.notifications import MAIL_POLICY
from .models import OutgoingMail


def anything_to_send():
    return db.session.scalar(sa.select(OutgoingMail.id).where(OutgoingMail.sent_at.is_(None)).limit(1)) is not None


def _message(mail, sender):
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = mail.recipient
    message["Auto-Submitted"] = "auto-generated"
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    message.set_content(mail.body)
    return message


def _finish(mail, now, error=""):
    mail.sent_at = now
    mail.body = ""  # the link in it is a credential until it expires: not kept once handed over
    mail.last_error = error


def forget_old(days=7):
    """Housekeeping: handled messages and used or expired reset links older than `days` go."""
    from datetime import timedelta

    from .models import PasswordReset

    before = utcnow() - timedelta(days=days)
    db.session.execute(sa.delete(OutgoingMail).where(OutgoingMail.sent_at.is_not(None), OutgoingMail.sent_at < before))
    db.session.execute(sa.delete(PasswordReset).where(PasswordReset.expires_at < before))
    db.session.commit()


def send_outbox(config, logger):
    """Send every queued message still worth sending; returns how many went out. Commits per message."""
    settings = SmtpSettings.from_config(config)
    sender = config.get("MAIL_FROM") or "isa@localhost"
    transport = SmtpTransport(settings) if settings else None
    sent = 0
    try:
        for mail in db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.sent_at.is_(None)).order_by(OutgoingMail.id)).all():
            now = utcnow()
            if mail.not_after <= now:
                _finish(mail, now, "expired before it could be sent")
            elif transport is None:
                if config.get("DEVELOPMENT"):  # no SMTP host while developing: the message goes to the log
                    logger.warning("No SMTP host is set: the e-mail to %s would read:\n%s", mail.recipient, mail.body)
                else:
                    logger.error("No SMTP host is set (ISA_SMTP_HOST): the e-mail %r to %s was not sent", mail.subject, mail.recipient)
                _finish(mail, now, "no SMTP host set")
            else:
                try:
                    transport.send(_message(mail, sender))
                except MailError as error:
                    mail.attempts += 1
                    mail.last_error = str(error)[:2000]
                    if mail.attempts >= int(config.get("OUTBOX_MAX_ATTEMPTS") or 5):
                        _finish(mail, now, mail.last_error)  # given up: never tried again
                    logger.warning("Sending the e-mail to %s failed: %s", mail.recipient, error)
                    db.session.commit()
                    continue
                _finish(mail, now)
                sent += 1
            db.session.commit()
    finally:
        if transport is not None:
            transport.close()
    return sent
