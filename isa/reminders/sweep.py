"""The daily sweep: decide which reminders fall due, queue each once in the outbox, send the queue.

Exactly once, and how that is bounded:
- Queueing: each reminder has the unique key (agreement, review date, offset); new rows are
  inserted with ON CONFLICT DO NOTHING, so however often the sweep runs a reminder queues once.
- Sending: a row is marked `sending` and committed *before* it is handed to the mail server, and
  marked `sent` after. If the process dies between the two, the row is found still `sending` by the
  next sweep. It may or may not have been delivered, so it is not resent but marked `failed` with
  an explanation and shown on the dashboard. Duplicates are bounded at zero; the cost is that the
  one message in flight at a crash may be lost, and an officer sees it and decides.
- Recipients refused while others accepted the message: the accepted ones are recorded in
  `delivered_to` and never mailed again; only the refused ones are retried.
- The mail server received the whole message and then the connection failed before it answered:
  the fate of the message is unknown, exactly as after a crash, so it is marked `failed` with that
  explanation for an officer and never resent automatically. Every attempt at a reminder carries
  the same Message-ID, so a receiving system can recognise a resend an officer makes.
- Two sweeps never run at once: a lock row taken with one atomic UPDATE … WHERE free or expired.
  The holder (host:pid:…) renews it before each message and stops if it was lost; a lock whose
  holder was a process on this host that no longer exists is taken over at once.
"""
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from ..agreements.rules import in_force_sql
from ..agreements.models import Agreement, Party
from ..core.db import utcnow
from ..core.i18n import DEFAULT, LANGUAGES
from ..documents.models import ProtocolDocument
from ..documents.operations import document_in_force
from ..extensions import db
from ..organisations.models import Organisation
from ..users.models import User
from . import rules
from .mail import ConnectionProblem, FateUnknown, MailError, SmtpSettings, SmtpTransport, describe_refusals
from .models import Reminder, ReminderStatus as RS, SweepLock
from .notifications import ReminderMail, render_bodies, reminder_message, written

log = logging.getLogger("isa.reminders")

LOCK_NAME = "reminders"
INTERRUPTED = (
    "A sweep stopped while handing this reminder to the mail server, so it may or may not have been "
    "delivered. It is not resent automatically, so that no one receives it twice: check with the "
    "recipients, then resend or dismiss it."
)
FATE_UNKNOWN = (
    "The mail server received the whole message but the connection failed before it confirmed delivery, so "
    "it may or may not have been delivered. It is not resent automatically, so that no one receives it twice: "
    "check with the recipients, then resend or dismiss it."
)
NO_RECIPIENTS = (
    "No one to send it to: the agreement has no owner and no party has a single point of contact. "
    "Add them, then resend it."
)
REVIEW_MOVED = "Not needed any more: the review date changed or the agreement is no longer in force."
SUPERSEDED = "Not needed any more: a later reminder about the same review replaced it."

_reminders = Reminder.__table__
_agreements = Agreement.__table__
_parties = Party.__table__
_organisations = Organisation.__table__
_users = User.__table__
_locks = SweepLock.__table__


@dataclass(frozen=True)
class SweepSettings:
    offsets: tuple
    escalation_days: int
    max_attempts: int
    lock_minutes: int
    sender: str
    smtp: SmtpSettings | None  # None: no SMTP host, reminders go to the log
    attach_offsets: tuple = (30,)  # reminders this many days before the review attach the protocol

    @classmethod
    def from_config(cls, config):
        return cls(
            offsets=rules.parse_offsets(config.get("REMINDER_OFFSETS", rules.DEFAULT_OFFSETS)),
            escalation_days=int(config.get("ESCALATION_DAYS", 30)),
            max_attempts=max(int(config.get("REMINDER_MAX_ATTEMPTS", 5)), 1),
            lock_minutes=max(int(config.get("REMINDER_LOCK_MINUTES", 30)), 1),
            sender=config.get("MAIL_FROM") or "isa@localhost",
            smtp=SmtpSettings.from_config(config),
            attach_offsets=rules.parse_offsets(config.get("REMINDER_ATTACH_OFFSETS", "30")),
        )


@dataclass(frozen=True)
class Outcome:
    reference: str
    offset_key: str
    review_date: date
    recipients: tuple
    error: str | None = None


@dataclass
class SweepReport:
    today: date
    ran: bool = True  # False when another sweep held the lock
    queued: list = field(default_factory=list)
    sent: list = field(default_factory=list)
    logged: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # given up: shown on the dashboard
    retrying: list = field(default_factory=list)  # failed this time, queued for the next sweep
    cancelled: int = 0
    decide_seconds: float = 0.0


class _Clock:
    """The sweep's 'now': real time, or real time shifted to a given start (the CLI and tests)."""

    def __init__(self, start=None):
        self.shift = (start - utcnow()) if start is not None else timedelta(0)

    def __call__(self):
        return utcnow() + self.shift


def lock_holder():
    """Who holds a lock: this host and process, and a random part for each sweep."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run_sweep(today, now=None, settings=None):
    """One sweep as of `today`: queue what fell due, tidy the outbox, send the queue."""
    settings = settings or SweepSettings.from_config(current_app.config)
    clock = _Clock(now)
    holder = lock_holder()
    report = SweepReport(today)
    if not acquire_lock(holder, clock(), settings.lock_minutes):
        report.ran = False
        return report
    try:
        started = time.perf_counter()
        queue_due(today, settings, report)
        report.decide_seconds = time.perf_counter() - started
        tidy_outbox(today, report)
        send_queued(today, settings, report, holder, clock)
    finally:
        db.session.rollback()
        release_lock(holder)
    return report


# --- the lock -------------------------------------------------------------------------------------


def acquire_lock(holder, now, minutes, name=LOCK_NAME):
    """Take the named lock if it is free, its holder's time ran out, or its holder was a process of
    this host that is gone (killed, say: it cannot release the lock, and waiting for the lock to
    lapse would hold every sweep up for ISA_REMINDER_LOCK_MINUTES); True when we hold it."""
    _insert_ignoring_duplicates(_locks, [{"name": name}], ["name"])
    db.session.commit()
    free = sa.or_(_locks.c.holder.is_(None), _locks.c.expires_at < now)
    current = db.session.scalar(sa.select(_locks.c.holder).where(_locks.c.name == name))
    if current and current != holder and holder_is_gone(current):
        free = sa.or_(free, _locks.c.holder == current)  # still the dead holder's: no one else took it meanwhile
    result = db.session.execute(
        sa.update(_locks)
        .where(_locks.c.name == name, free)
        .values(holder=holder, acquired_at=now, expires_at=now + timedelta(minutes=minutes))
    )
    db.session.commit()
    return result.rowcount == 1


def holder_is_gone(holder):
    """True only when the holder was a process on this host that no longer runs; another host's
    processes cannot be seen from here, so their locks lapse with time."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    except OSError:
        return False
    return False


def renew_lock(holder, now, minutes, name=LOCK_NAME):
    result = db.session.execute(
        sa.update(_locks)
        .where(_locks.c.name == name, _locks.c.holder == holder)
        .values(expires_at=now + timedelta(minutes=minutes))
    )
    db.session.commit()
    return result.rowcount == 1


def release_lock(holder, name=LOCK_NAME):
    db.session.execute(
        sa.update(_locks).where(_locks.c.name == name, _locks.c.holder == holder).values(holder=None, expires_at=None)
    )
    db.session.commit()


def _insert_ignoring_duplicates(table, rows, keys):
    """INSERT … ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the product supports SQLite and PostgreSQL
        raise RuntimeError(f"unsupported database {dialect}")
    db.session.execute(insert(table).on_conflict_do_nothing(index_elements=keys), rows)


# --- deciding what is due -------------------------------------------------------------------------


def _in_force(today):
    return in_force_sql(_agreements.c, today)


def queue_due(today, settings, report):
    """Queue the reminders due by `today` that are not queued yet: four statements, whatever the register's size.

    1. the agreements in force (with owner and lead organisation's DPO), 2. the keys already
    queued for their current review dates, then only when something is new: 3. the parties'
    contacts and 4. one INSERT of the new rows.
    """
    owner, lead = _users.alias("owner"), _organisations.alias("lead")
    agreements = db.session.execute(
        sa.select(
            _agreements.c.id, _agreements.c.reference, _agreements.c.status, _agreements.c.resume_status,
            _agreements.c.start_date, _agreements.c.review_date, _agreements.c.end_date, owner.c.email.label("owner_email"), lead.c.dpo_email.label("lead_dpo_email"),
        )
        .select_from(
            _agreements.outerjoin(owner, owner.c.id == _agreements.c.owner_id).outerjoin(
                lead, lead.c.id == _agreements.c.lead_organisation_id
            )
        )
        .where(_in_force(today))
    ).all()
    due = rules.due_reminders(agreements, today, settings.offsets, settings.escalation_days)
    if not due:
        return []
    queued = db.session.execute(
        sa.select(_reminders.c.agreement_id, _reminders.c.offset_key)
        .select_from(
            _reminders.join(
                _agreements,
                sa.and_(_agreements.c.id == _reminders.c.agreement_id, _agreements.c.review_date == _reminders.c.review_date),
            )
        )
        .where(_in_force(today))
    ).all()
    already = set(map(tuple, queued))
    new = [d for d in due if (d.agreement_id, d.offset_key) not in already]
    if not new:
        return []

    contacts = {}
    for agreement_id, name, spoc_email in db.session.execute(
        sa.select(_parties.c.agreement_id, _organisations.c.name, _organisations.c.spoc_email)
        .select_from(
            _parties.join(_organisations, _organisations.c.id == _parties.c.organisation_id).join(
                _agreements, _agreements.c.id == _parties.c.agreement_id
            )
        )
        .where(_in_force(today))
        .order_by(_parties.c.id)
    ):
        contacts.setdefault(agreement_id, []).append((name, spoc_email))

    by_id = {row.id: row for row in agreements}
    now = utcnow()
    rows = []
    for d in new:
        agreement = by_id[d.agreement_id]
        recipients, missing = rules.reminder_recipients(
            agreement.owner_email, contacts.get(d.agreement_id, ()), agreement.lead_dpo_email, d.escalated
        )
        rows.append(
            dict(
                agreement_id=d.agreement_id, review_date=d.review_date, offset_key=d.offset_key, due_on=d.due_on,
                escalated=d.escalated, status=RS.QUEUED, recipients=recipients, delivered_to=[],
                missing_contacts=missing, attempts=0, created_at=now,
            )
        )
        report.queued.append(Outcome(agreement.reference, d.offset_key, d.review_date, tuple(recipients)))
    _insert_ignoring_duplicates(_reminders, rows, ["agreement_id", "review_date", "offset_key"])
    db.session.commit()
    return new


# --- tidying the outbox ---------------------------------------------------------------------------


def tidy_outbox(today, report):
    """Cancel queued reminders no longer needed, and flag sends a dead sweep left in flight."""
    current = sa.select(_agreements.c.id).where(
        _agreements.c.id == _reminders.c.agreement_id, _agreements.c.review_date == _reminders.c.review_date, _in_force(today)
    )
    moved = db.session.execute(
        sa.update(_reminders)
        .where(_reminders.c.status == RS.QUEUED, ~current.exists())
        .values(status=RS.CANCELLED, last_error=REVIEW_MOVED)
    )
    later = _reminders.alias("later")
    replaced = db.session.execute(
        sa.update(_reminders)
        .where(
            _reminders.c.status == RS.QUEUED,
            sa.select(later.c.id)
            .where(
                later.c.agreement_id == _reminders.c.agreement_id,
                later.c.review_date == _reminders.c.review_date,
                later.c.id > _reminders.c.id,
                later.c.status != RS.CANCELLED,
            )
            .exists(),
        )
        .values(status=RS.CANCELLED, last_error=SUPERSEDED)
    )
    # We hold the lock, so no live sweep is sending: anything still `sending` was interrupted.
    interrupted = db.session.execute(
        sa.select(_reminders.c.id, _reminders.c.offset_key, _reminders.c.review_date, _reminders.c.recipients,
                  _agreements.c.reference)
        .join(_agreements, _agreements.c.id == _reminders.c.agreement_id)
        .where(_reminders.c.status == RS.SENDING)
    ).all()
    if interrupted:
        db.session.execute(
            sa.update(_reminders)
            .where(_reminders.c.id.in_([row.id for row in interrupted]), _reminders.c.status == RS.SENDING)
            .values(status=RS.FAILED, last_error=INTERRUPTED)
        )
    db.session.commit()
    report.cancelled += moved.rowcount + replaced.rowcount
    report.failed.extend(
        Outcome(row.reference, row.offset_key, row.review_date, tuple(row.recipients or ()), INTERRUPTED) for row in interrupted
    )


# --- sending --------------------------------------------------------------------------------------


def _queued_mail(today, settings):
    owner, lead = _users.alias("owner"), _organisations.alias("lead")
    rows = db.session.execute(
        sa.select(
            _reminders.c.id, _reminders.c.offset_key, _reminders.c.review_date, _reminders.c.escalated,
            _reminders.c.recipients, _reminders.c.delivered_to, _reminders.c.missing_contacts, _reminders.c.attempts,
            _agreements.c.id.label("agreement_id"), _agreements.c.protocol_version,
            _agreements.c.reference, _agreements.c.title, lead.c.name.label("lead_name"),
            lead.c.dpo_name.label("lead_dpo_name"), owner.c.name.label("owner_name"), owner.c.email.label("owner_email"),
        )
        .select_from(
            _reminders.join(_agreements, _agreements.c.id == _reminders.c.agreement_id)
            .outerjoin(lead, lead.c.id == _agreements.c.lead_organisation_id)
            .outerjoin(owner, owner.c.id == _agreements.c.owner_id)
        )
        .where(_reminders.c.status == RS.QUEUED)
        .order_by(_reminders.c.id)
    ).all()
    languages = _languages({address.lower() for row in rows for address in row.recipients or ()})
    for row in rows:
        delivered = {address.lower() for address in row.delivered_to or ()}
        pending = tuple(address for address in row.recipients or () if address.lower() not in delivered)
        # One message to all its recipients, so one language: that of the first who is a user (the
        # owner, until reached), English when none is.
        language = next((languages[address.lower()] for address in pending if address.lower() in languages), DEFAULT)
        document = document_in_force(row.agreement_id, row.protocol_version)
        mail = ReminderMail(
            reminder_id=row.id, reference=row.reference, title=row.title, review_date=row.review_date,
            offset_key=row.offset_key, escalated=row.escalated, recipients=pending,
            missing_contacts=tuple(row.missing_contacts or ()), lead_organisation=row.lead_name,
            lead_dpo_name=row.lead_dpo_name, owner_name=row.owner_name, owner_email=row.owner_email, today=today,
            protocol_version=row.protocol_version, document_id=document.id if document else None,
            document_filename=document.filename if document else None,
            attach=rules.attaches_protocol(row.offset_key, settings.attach_offsets), language=language,
        )
        yield row, mail


def _languages(addresses, batch=500):
    """{lower-case address: language} of the users among `addresses` (English until they choose one)."""
    addresses, found = sorted(addresses), {}
    email = sa.func.lower(_users.c.email)
    for start in range(0, len(addresses), batch):  # a statement per 500 addresses: within any database's limits
        rows = db.session.execute(sa.select(email, _users.c.language).where(email.in_(addresses[start : start + batch])))
        found.update((address, language if language in LANGUAGES else DEFAULT) for address, language in rows)
    return found


def send_queued(today, settings, report, holder, clock):
    transport = SmtpTransport(settings.smtp) if settings.smtp else None
    try:
        queue = list(_queued_mail(today, settings))
        for index, (row, mail) in enumerate(queue):
            if not renew_lock(holder, clock(), settings.lock_minutes):
                log.warning("The reminder sweep lost its lock; the rest of the queue waits for the next sweep")
                break
            outcome = Outcome(mail.reference, mail.offset_key, mail.review_date, mail.recipients)
            if not mail.recipients:
                _finish(row.id, RS.QUEUED, status=RS.FAILED, last_error=NO_RECIPIENTS, attempts=row.attempts + 1, last_attempt_at=clock())
                report.failed.append(_with_error(outcome, NO_RECIPIENTS))
                continue
            if transport is None:
                _write_to_log(mail)
                _finish(row.id, RS.QUEUED, status=RS.LOGGED, attempts=row.attempts + 1, last_attempt_at=clock(), sent_at=clock(), last_error=None)
                report.logged.append(outcome)
                continue
            message = reminder_message(mail, settings.sender, _attachment(mail))
            if not _claim(row.id, clock()):
                continue  # dismissed or resent by an officer since we read the queue
            attempts = row.attempts + 1
            try:
                refused = transport.send(message)
            except FateUnknown as error:
                _finish(row.id, RS.SENDING, status=RS.FAILED, last_error=f"{FATE_UNKNOWN} ({error})")
                report.failed.append(_with_error(outcome, FATE_UNKNOWN))
                continue
            except ConnectionProblem as error:
                _after_failure(row.id, attempts, str(error), settings, outcome, report)
                _fail_unsent([r for r, _ in queue[index + 1 :]], str(error), settings, report, clock)
                break
            except MailError as error:
                _after_failure(row.id, attempts, str(error), settings, outcome, report)
                continue
            _record_delivery(row, mail, refused, attempts, settings, outcome, report, clock)
    finally:
        if transport is not None:
            transport.close()


def _attachment(mail):
    """The PDF bytes of the protocol in force, read only for the reminders that carry it."""
    if not mail.attaches_document:
        return None
    return db.session.scalar(sa.select(ProtocolDocument.pdf).where(ProtocolDocument.id == mail.document_id))


def _with_error(outcome, error):
    return Outcome(outcome.reference, outcome.offset_key, outcome.review_date, outcome.recipients, error)


def _finish(reminder_id, expected_status, **values):
    """Update one outbox row if it is still in `expected_status`; commit. True when it was."""
    result = db.session.execute(
        sa.update(_reminders).where(_reminders.c.id == reminder_id, _reminders.c.status == expected_status).values(**values)
    )
    db.session.commit()
    return result.rowcount == 1


def _claim(reminder_id, now):
    """Committed before the message goes to the server: the record that it may have been delivered."""
    return _finish(
        reminder_id, RS.QUEUED, status=RS.SENDING, attempts=_reminders.c.attempts + 1, last_attempt_at=now
    )


def _gave_up(attempts, error):
    return f"Gave up after {attempts} attempt{'' if attempts == 1 else 's'}. {error}"


def _after_failure(reminder_id, attempts, error, settings, outcome, report):
    if attempts >= settings.max_attempts:
        error = _gave_up(attempts, error)
        _finish(reminder_id, RS.SENDING, status=RS.FAILED, last_error=error)
        report.failed.append(_with_error(outcome, error))
    else:
        _finish(reminder_id, RS.SENDING, status=RS.QUEUED, last_error=error)
        report.retrying.append(_with_error(outcome, error))


def _fail_unsent(rows, error, settings, report, clock):
    """The server is unreachable: count an attempt against every message left, in one statement."""
    if not rows:
        return
    attempts = _reminders.c.attempts + 1
    db.session.execute(
        sa.update(_reminders)
        .where(_reminders.c.id.in_([row.id for row in rows]), _reminders.c.status == RS.QUEUED)
        .values(
            attempts=attempts,
            last_attempt_at=clock(),
            status=sa.case((attempts >= settings.max_attempts, RS.FAILED.value), else_=RS.QUEUED.value),
            last_error=sa.case((attempts >= settings.max_attempts, _gave_up(settings.max_attempts, error)), else_=error),
        )
    )
    db.session.commit()
    for row in rows:
        gave_up = row.attempts + 1 >= settings.max_attempts
        outcome = Outcome(
            row.reference, row.offset_key, row.review_date, tuple(row.recipients or ()), _gave_up(row.attempts + 1, error) if gave_up else error
        )
        (report.failed if gave_up else report.retrying).append(outcome)


def _record_delivery(row, mail, refused, attempts, settings, outcome, report, clock):
    refused = refused or {}
    refused_lower = {address.lower() for address in refused}
    accepted = [address for address in mail.recipients if address.lower() not in refused_lower]
    delivered = list(row.delivered_to or ()) + accepted
    if not refused:
        _finish(row.id, RS.SENDING, status=RS.SENT, delivered_to=delivered, sent_at=clock(), last_error=None)
        report.sent.append(outcome)
        return
    # Delivered to some: they are recorded and never mailed again; the refused ones are retried.
    error = "The mail server refused some recipients: " + describe_refusals(refused)
    db.session.execute(
        sa.update(_reminders)
        .where(_reminders.c.id == row.id, _reminders.c.status == RS.SENDING)
        .values(delivered_to=delivered, sent_at=clock())
    )
    db.session.commit()
    _after_failure(row.id, attempts, error, settings, outcome, report)


def _write_to_log(mail):
    text, _html = render_bodies(mail)
    with written(mail):
        subject = mail.subject
    log.warning(
        "No SMTP host is set (ISA_SMTP_HOST), so this review reminder was written to the outbox and this log "
        "instead of being sent.\nTo: %s\nSubject: %s\n\n%s",
        ", ".join(mail.recipients),
        subject,
        text,
    )
