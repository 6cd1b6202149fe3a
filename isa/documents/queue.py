"""The render queue: protocol documents are produced by the scheduler, never inside a web request.

Queueing happens in one place, a flush listener: whenever a flush changes something the
protocol prints (an agreement, its parties and flows, or an organisation, channel, owner or
legal basis it shows), a render job is queued for each agreement concerned, in the same
transaction as the change. Pages, imports, the API and the command line cannot forget it.
At most one job per agreement and language waits at a time, so a burst of changes from several
web workers is one render. English is always rendered; another language (Welsh) is rendered once
someone asks for the document in it, and from then on with every change, like the English.

The scheduler claims jobs atomically: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several
scheduler processes on several machines share the queue; on SQLite under the lock row the
caller holds. A claim carries a lease: a job whose process died is taken again when the lease
runs out, and a job that keeps failing is marked failed after `RENDER_MAX_ATTEMPTS`, with its
error, for the officers to see. A job is never claimed while another job of the same agreement
is being rendered, so two schedulers never render the same content twice.
"""
import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import event, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..agreements.models import Agreement, Party
from ..audit.tracking import current_actor
from ..channels.models import TransferChannel
from ..core.db import utcnow
from ..core.i18n import DEFAULT as ENGLISH, LANGUAGES
from ..extensions import db
from ..flows.models import DataFlow
from ..legal.models import LegalBasis
from ..organisations.models import Organisation
from ..users.models import User
from . import leases
from .models import ProtocolDocument, RenderJob, RenderStatus as RS

log = logging.getLogger("isa.documents")

_jobs = RenderJob.__table__
_agreements = Agreement.__table__
_parties = Party.__table__
_flows = DataFlow.__table__

# Columns the protocol does not print: a change to only these queues nothing.
NOT_PRINTED = {
    Agreement: {"version", "created_at", "updated_at"},
    Party: set(),  # signatures too: the last one makes the signed copy (an unchanged content stores nothing new)
    DataFlow: set(),
    Organisation: {"created_at"},  # the slug is in the record embedded in the document
    TransferChannel: {"created_at", "description"},
    LegalBasis: {"local"},
    User: {"password_hash", "role", "organisation_id", "active", "created_at", "last_login_at", "session_generation"},
}
RETRY_AFTER_SECONDS = 5  # about the time one render takes: when a client should ask again
WAITING = sa.text("status = 'queued'")
ENQUEUE_CHUNK = 1000  # agreement ids per INSERT … SELECT (an import queues thousands)  # the partial unique index's condition, for ON CONFLICT


@dataclass(frozen=True)
class QueueSettings:
    max_attempts: int = 3
    lease_seconds: int = 600  # longer than any render: a claim older than this was lost
    retry_seconds: int = 30  # the wait before a failed render is tried again (doubles each time)
    batch_seconds: float = 50.0  # one scheduler run stops taking jobs after this, so others get their turn

    @classmethod
    def from_config(cls, config):
        return cls(
            max_attempts=max(int(config.get("RENDER_MAX_ATTEMPTS", 3)), 1),
            lease_seconds=max(int(config.get("RENDER_LEASE_SECONDS", 600)), 30),
            retry_seconds=max(int(config.get("RENDER_RETRY_SECONDS", 30)), 0),
            batch_seconds=float(config.get("RENDER_BATCH_SECONDS", 50)),
        )


# --- queueing: one flush listener ---------------------------------------------------------------


def _changed(session, obj, ignored):
    if obj in session.new:
        return True
    state = inspect(obj)
    return any(
        state.attrs[attr.key].history.has_changes() for attr in state.mapper.column_attrs if attr.key not in ignored
    )


def affected_agreements(session):
    """The ids of the agreements whose printed content this flush may have changed."""
    direct, organisations, channels, users, codes, renamed = set(), set(), set(), set(), set(), set()
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Agreement)}
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        kind = type(obj)
        if kind not in NOT_PRINTED or not (obj in session.deleted or _changed(session, obj, NOT_PRINTED[kind])):
            continue
        if kind is Agreement:
            direct.add(obj.id)
            if obj not in session.new:
                renamed.add(obj.id)  # an agreement it supersedes prints its reference and title
        elif kind in (Party, DataFlow):
            direct.add(obj.agreement_id)
        elif kind is Organisation:
            organisations.add(obj.id)
        elif kind is TransferChannel:
            channels.add(obj.id)
        elif kind is User:
            users.add(obj.id)
        elif kind is LegalBasis:
            codes.add(obj.code)
    connection = session.connection()
    if organisations:
        direct |= set(connection.scalars(sa.select(_parties.c.agreement_id).where(_parties.c.organisation_id.in_(organisations))))
        direct |= set(connection.scalars(sa.select(_agreements.c.id).where(_agreements.c.lead_organisation_id.in_(organisations))))
    if channels:
        direct |= set(connection.scalars(sa.select(_flows.c.agreement_id).where(_flows.c.channel_id.in_(channels))))
    if users:
        direct |= set(connection.scalars(sa.select(_agreements.c.id).where(_agreements.c.owner_id.in_(users))))
    if renamed:
        direct |= set(connection.scalars(sa.select(_agreements.c.id).where(_agreements.c.supersedes_id.in_(renamed))))
    if codes:
        for agreement_id, bases in connection.execute(sa.select(_flows.c.agreement_id, _flows.c.lawful_bases)):
            if codes.intersection(bases or ()):
                direct.add(agreement_id)
    return {agreement_id for agreement_id in direct if agreement_id is not None} - deleted


def _insert():
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_jobs)


def enqueue(connection, agreement_ids, requested_by=None, now=None, languages=None):
    """Queue a render of each agreement (INSERT … SELECT … ON CONFLICT DO NOTHING): one statement
    per language, and nothing new for an agreement whose job in that language still waits.

    `languages` None: the English document, and each other language's where one was ever asked for."""
    if not agreement_ids:
        return
    now = now or utcnow()
    requested_by = (requested_by or current_actor())[:254]
    columns = ["agreement_id", "protocol_version", "language", "status", "requested_by", "queued_at", "not_before", "attempts"]
    ids = sorted(agreement_ids)  # the same order in every worker: no deadlock between two bursts
    for language in languages or LANGUAGES:
        for start in range(0, len(ids), ENQUEUE_CHUNK):
            rows = (
                sa.select(
                    _agreements.c.id, _agreements.c.protocol_version, sa.literal(language), sa.literal(RS.QUEUED.value),
                    sa.literal(requested_by), sa.literal(now, sa.DateTime()), sa.literal(now, sa.DateTime()), sa.literal(0),
                )
                .where(_agreements.c.id.in_(ids[start:start + ENQUEUE_CHUNK]))
                .order_by(_agreements.c.id)
            )
            if languages is None and language != ENGLISH:
                asked = _jobs.alias("asked")
                rows = rows.where(sa.exists().where(asked.c.agreement_id == _agreements.c.id, asked.c.language == language))
            statement = _insert().from_select(columns, rows).on_conflict_do_nothing(
                index_elements=["agreement_id", "language"], index_where=WAITING,
            )
            connection.execute(statement)


def _after_flush(session, flush_context):
    if session.info.get("isa_no_render_queue"):
        return
    ids = affected_agreements(session)
    if ids:
        enqueue(session.connection(), ids)


def install_enqueue_listener():
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


# --- what the pages show ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolState:
    """Where the agreement's document stands: `document` ready, or a `job` pending or failed."""

    document: ProtocolDocument | None
    job: RenderJob | None

    @property
    def pending(self):
        return self.job is not None and self.job.pending

    @property
    def failed(self):
        return self.job is not None and self.job.status == RS.FAILED


def preparing_message(agreement, state):
    """What to say while the scheduler has not stored the current document (None when it has)."""
    if state.document is not None:
        return None
    if state.failed:
        return _("The protocol for version %(version)s could not be prepared.", version=agreement.protocol_version)
    return _("The protocol for version %(version)s is being prepared.", version=agreement.protocol_version)


def latest_job(agreement_id, language=ENGLISH):
    query = (
        sa.select(RenderJob).where(RenderJob.agreement_id == agreement_id, RenderJob.language == language)
        .order_by(RenderJob.id.desc()).limit(1)
    )
    return db.session.scalar(query)


def protocol_state(agreement, language=ENGLISH):
    """The stored document of the agreement as it stands, in `language`, or the job that will produce it.

    No fingerprint is computed here: every change that alters the document queues a job, so the
    latest job says whether the latest stored document is current. An agreement with no job yet
    (one stored before the queue existed, or a language nobody asked for before) gets one.
    """
    job = latest_job(agreement.id, language)
    if job is None or (job.status == RS.DONE and job.document is None):  # none yet, or its document was removed
        enqueue(db.session.connection(), {agreement.id}, "isa", languages=(language,))
        db.session.commit()
        job = latest_job(agreement.id, language)
    if job.status == RS.DONE and job.document is not None:
        return ProtocolState(job.document, None)
    return ProtocolState(None, job)


def failed_jobs(limit=None):
    """Renders given up on, for the latest job of their agreement and language only (a later success clears them)."""
    later = sa.orm.aliased(RenderJob)
    query = (
        sa.select(RenderJob)
        .options(sa.orm.joinedload(RenderJob.agreement))  # the dashboard names each: one query, not one per job
        .where(RenderJob.status == RS.FAILED, ~sa.exists().where(
            later.agreement_id == RenderJob.agreement_id, later.language == RenderJob.language, later.id > RenderJob.id,
        ))
        .order_by(RenderJob.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


RECONCILE_CHUNK = 200


def reconcile():
    """Queue a render for each agreement whose current document no longer shows what it would print
    today. Changes to the register queue their own renders; this catches what changes with no
    change stored: the day (section 5's checks judge the bases by the law of the day) and a release
    that changes the template. Run daily by the scheduler after the sweep; returns how many it queued."""
    from .render import content_fingerprint

    latest = sa.select(sa.func.max(_jobs.c.id)).group_by(_jobs.c.agreement_id, _jobs.c.language).scalar_subquery()
    current = {}  # {agreement id: {language: content fingerprint}}
    for agreement_id, language, fingerprint in db.session.execute(
        sa.select(_jobs.c.agreement_id, _jobs.c.language, _jobs.c.content_sha256)
        .where(_jobs.c.id.in_(latest), _jobs.c.status == RS.DONE.value)
    ):
        current.setdefault(agreement_id, {})[language] = fingerprint
    stale = {}  # {language: agreement ids}
    ids = sorted(current)
    for start in range(0, len(ids), RECONCILE_CHUNK):
        for agreement in db.session.scalars(sa.select(Agreement).where(Agreement.id.in_(ids[start:start + RECONCILE_CHUNK]))):
            for language, fingerprint in current[agreement.id].items():
                if content_fingerprint(agreement, language) != fingerprint:
                    stale.setdefault(language, set()).add(agreement.id)
        db.session.expire_all()  # one chunk's records in memory at a time
    for language, agreement_ids in sorted(stale.items()):
        enqueue(db.session.connection(), agreement_ids, "isa (daily check)", languages=(language,))
    db.session.commit()
    return len(set().union(*stale.values()))


def try_again(agreement, language=ENGLISH):
    """An officer asks for a failed render to be tried again."""
    enqueue(db.session.connection(), {agreement.id}, languages=(language,))


# --- the scheduler's side -----------------------------------------------------------------------


def _not_busy(now):
    """Never while another job of the same agreement is being rendered under a live lease."""
    busy = _jobs.alias("busy")
    return ~sa.exists().where(
        busy.c.agreement_id == _jobs.c.agreement_id, busy.c.id != _jobs.c.id,
        busy.c.status == RS.RENDERING.value, busy.c.lease_until >= now,
    )


def _claimable(now):
    """Jobs a scheduler may take now (leases.claimable), one agreement at a time."""
    return sa.and_(leases.claimable(_jobs, now), _not_busy(now))


def give_up_lost(now, settings):
    """Claims whose lease ran out after the last attempt allowed: failed, with why."""
    error = (
        f"The render stopped before it finished {settings.max_attempts} times (the scheduler process ended, "
        f"or a render took longer than {settings.lease_seconds} seconds)."
    )
    db.session.execute(
        sa.update(_jobs)
        .where(_jobs.c.status == RS.RENDERING.value, _jobs.c.lease_until < now, _jobs.c.attempts >= settings.max_attempts)
        .values(status=RS.FAILED.value, finished_at=now, last_error=sa.func.coalesce(_jobs.c.last_error, error))
    )
    db.session.commit()


def claim_next(holder, settings, now=None):
    """Take the oldest claimable job for `holder`; its id, or None when there is nothing to do."""
    now = now or utcnow()
    return leases.claim(_jobs, holder, settings, now, condition=_not_busy(now), started_at=now)


def anything_to_do(now=None):
    """One cheap read: is any job claimable? (Pollers ask before taking a lock.)"""
    now = now or utcnow()
    return db.session.scalar(sa.select(_jobs.c.id).where(_claimable(now)).limit(1)) is not None


def _finish(job_id, holder, **values):
    return db.session.execute(
        sa.update(_jobs).where(_jobs.c.id == job_id, _jobs.c.claimed_by == holder, _jobs.c.status == RS.RENDERING.value).values(**values)
    ).rowcount == 1


def render_job(job_id, holder, settings):
    """Produce the document of one claimed job: the agreement as it stands now. Returns (document,
    whether it is newly rendered); (None, False) when the render failed (recorded on the job) or
    the claim was lost."""
    from .operations import build_document, matching_document
    from .render import content_fingerprint

    job = db.session.get(RenderJob, job_id)
    try:
        agreement, language = job.agreement, job.language
        fingerprint = content_fingerprint(agreement, language)
        document = matching_document(agreement, fingerprint, language)  # unchanged content: nothing to render
        if document is None:
            document = build_document(agreement, job.requested_by, language)
        if not _finish(job_id, holder, status=RS.DONE.value, finished_at=utcnow(), content_sha256=fingerprint, last_error=None):
            db.session.rollback()  # our lease ran out and another scheduler took the job over
            return None, False
        fresh = document.id is None
        if fresh:
            db.session.add(document)
            db.session.flush()
        db.session.execute(sa.update(_jobs).where(_jobs.c.id == job_id).values(document_id=document.id))
        db.session.commit()
        return document, fresh
    except Exception as error:  # any failure of one render is recorded on its job; the queue goes on
        db.session.rollback()
        log.exception("Rendering the protocol of render job %s failed", job_id)
        record_failure(job_id, holder, f"{type(error).__name__}: {error}"[:2000], settings)
        return None, False


def record_failure(job_id, holder, error, settings, now=None):
    now = now or utcnow()
    values = leases.after_failure(_jobs, job_id, error, settings, now)
    try:
        _finish(job_id, holder, **values)
        db.session.commit()
    except IntegrityError:  # a newer job of the agreement already waits: it will render the latest content
        db.session.rollback()
        _finish(job_id, holder, status=RS.FAILED.value, finished_at=now, last_error=error)
        db.session.commit()


@dataclass
class QueueReport:
    rendered: int = 0
    reused: int = 0  # jobs whose content was already stored
    failed: int = 0
    seconds: float = 0.0
    records: int = 0  # record documents (the Art 30 record as PDF) rendered in the same run


def run_queue(holder, settings, max_jobs=None, keep_going=None):
    """Take and render jobs until none is left, `max_jobs` are done or the batch time is up.

    `keep_going()` is asked before each job (the SQLite caller renews its lock row there)."""
    report = QueueReport()
    started = time.perf_counter()
    give_up_lost(utcnow(), settings)
    done = 0
    while max_jobs is None or done < max_jobs:
        if time.perf_counter() - started > settings.batch_seconds:
            break
        if keep_going is not None and not keep_going():
            break
        job_id = claim_next(holder, settings)
        if job_id is None:
            break
        done += 1
        document, fresh = render_job(job_id, holder, settings)
        if document is None:
            report.failed += 1
        elif fresh:
            report.rendered += 1
        else:
            report.reused += 1
        db.session.expire_all()
    report.seconds = time.perf_counter() - started
    return report
