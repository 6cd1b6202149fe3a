"""The record documents' queue: asking for the Art 30 record as PDF queues it for the scheduler,
which renders it with WeasyPrint; the request that asks answers at once (202 until it is ready).

The key is the content: the HTML the record would print today. Asking again for the same content
finds the same row (queued, being made, or stored); once the register changes, or the day does,
the content is new and so is the document. Claims carry a lease, as the protocol queue's do, and
a render that keeps failing is given up after the attempts allowed, with its error.
"""
import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..core import clock
from ..core.db import utcnow
from ..documents import leases
from ..documents.models import RenderStatus as RS
from ..extensions import db
from .models import RecordDocument

log = logging.getLogger("isa.records")

PROCESSING_RECORD = "processing-record"  # the English record; in another language, "processing-record-cy"
_rows = RecordDocument.__table__


def fingerprint(html):
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _find(organisation_id, kind, content_sha256):
    return db.session.scalar(sa.select(RecordDocument).where(
        RecordDocument.organisation_id == organisation_id, RecordDocument.kind == kind,
        RecordDocument.content_sha256 == content_sha256,
    ))


def record_kind(language):
    """The kind of a record document in a language: each language is a document of its own."""
    return PROCESSING_RECORD if language == "en" else f"{PROCESSING_RECORD}-{language}"


def kind_language(kind):
    return kind.removeprefix(PROCESSING_RECORD).removeprefix("-") or "en"


def processing_record_document(organisation, requested_by, language="en"):
    """The organisation's Art 30 record as PDF, in `language`, as the register stands today: the
    stored document, or the queued (or failed) row that stands for it. Queues it when nobody has
    asked yet; commits."""
    from .documents import processing_record_html

    kind = record_kind(language)
    content = fingerprint(processing_record_html(organisation.id, clock.today(), language))
    found = _find(organisation.id, kind, content)
    if found is None:
        try:
            with db.session.begin_nested():
                db.session.add(RecordDocument(
                    organisation_id=organisation.id, kind=kind, content_sha256=content,
                    requested_by=requested_by[:254],
                ))
        except IntegrityError:  # another request queued the same content a moment ago
            pass
        db.session.commit()
        found = _find(organisation.id, kind, content)
    return found


def ask_again(document):
    """Someone asks again for a record whose render was given up: queue it once more."""
    document.status, document.attempts, document.not_before = RS.QUEUED, 0, utcnow()
    document.claimed_by = document.lease_until = None
    db.session.commit()


# --- the scheduler's side -----------------------------------------------------------------------


def anything_to_do(now=None):
    return db.session.scalar(sa.select(_rows.c.id).where(leases.claimable(_rows, now or utcnow())).limit(1)) is not None


def _store(row_id, holder, organisation_id, today, kind=PROCESSING_RECORD):
    """Render the record as it stands now and store it on the claimed row. When the register
    changed since the request, the row takes the new content's fingerprint (unless a row for that
    content exists already: then this one is dropped and the other serves)."""
    from weasyprint import HTML

    from ..core.perf import collector_paused
    from ..documents.render import BASE_URL, StaticFilesOnly
    from ..organisations.models import Organisation
    from .documents import processing_record_html

    html = processing_record_html(organisation_id, today, kind_language(kind))
    with collector_paused():
        pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
    slug = db.session.get(Organisation, organisation_id).slug
    content = fingerprint(html)
    if content != db.session.scalar(sa.select(_rows.c.content_sha256).where(_rows.c.id == row_id)) and _find(
        organisation_id, kind, content
    ) is not None:
        db.session.execute(sa.delete(_rows).where(_rows.c.id == row_id, _rows.c.claimed_by == holder))
        db.session.commit()
        return
    stored = db.session.execute(
        sa.update(_rows).where(_rows.c.id == row_id, _rows.c.claimed_by == holder, _rows.c.status == RS.RENDERING.value).values(
            status=RS.DONE.value, finished_at=utcnow(), content_sha256=content, pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(), filename=f"processing-record-{slug}-{today.isoformat()}.pdf",
            last_error=None, lease_until=None,
        )
    ).rowcount
    if stored:  # the latest record is what anyone needs: earlier stored ones of the organisation go
        db.session.execute(sa.delete(_rows).where(
            _rows.c.organisation_id == organisation_id, _rows.c.kind == kind,
            _rows.c.status == RS.DONE.value, _rows.c.id != row_id,
        ))
    db.session.commit()


def _failed(row_id, holder, error, settings):
    values = leases.after_failure(_rows, row_id, error, settings, utcnow())
    db.session.execute(sa.update(_rows).where(_rows.c.id == row_id, _rows.c.claimed_by == holder).values(**values))
    db.session.commit()


@dataclass
class RecordQueueReport:
    rendered: int = 0
    failed: int = 0


def run_record_queue(holder, settings, max_jobs=None, keep_going=None):
    """Render the record documents asked for, oldest first, until none is left or `max_jobs` are
    done; `keep_going()` is asked before each (the SQLite caller renews its lock row there)."""
    report = RecordQueueReport()
    while max_jobs is None or report.rendered + report.failed < max_jobs:
        if keep_going is not None and not keep_going():
            break
        row_id = leases.claim(_rows, holder, settings, utcnow())
        if row_id is None:
            break
        organisation_id, kind = db.session.execute(sa.select(_rows.c.organisation_id, _rows.c.kind).where(_rows.c.id == row_id)).one()
        try:
            _store(row_id, holder, organisation_id, clock.today(), kind)
            report.rendered += 1
        except Exception as error:  # one failed render is recorded on its row; the queue goes on
            db.session.rollback()
            log.exception("Rendering record document %s failed", row_id)
            _failed(row_id, holder, f"{type(error).__name__}: {error}"[:2000], settings)
            report.failed += 1
        db.session.expire_all()
    return report
