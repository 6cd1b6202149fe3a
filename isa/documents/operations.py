"""Business actions on protocol documents: find, render and store them.

Documents are produced by the scheduler from the render queue (queue.py); pages and the API
show what is stored (`queue.protocol_state`). `current_document(agreement, actor)` renders on
the spot when nothing stored matches: only the operator's `flask pdf` command calls it.
Each document is in one language (English unless asked otherwise): the English and Welsh copies
of a version are separate documents, each with its own fingerprints.
"""

import sqlalchemy as sa

from ..audit.tracking import actor_label
from ..core.db import utcnow
from ..core.i18n import DEFAULT as ENGLISH
from ..extensions import db
from .models import ProtocolDocument
from .render import content_fingerprint, render

def documents_of(agreement):
    """Every stored document of the agreement, in every language, newest first (without loading the PDF bytes)."""
    query = sa.select(ProtocolDocument).where(ProtocolDocument.agreement_id == agreement.id)
    return db.session.scalars(query.order_by(ProtocolDocument.id.desc())).all()


def document_in_force(agreement_id, protocol_version, language=ENGLISH):
    """The stored document of the version in force, in `language`: the copy the parties signed when
    one of them pinned it, else the latest stored copy of that version (None while none is stored)."""
    from ..agreements.models import Party

    signed = sa.select(Party.signed_document_sha256).where(
        Party.agreement_id == agreement_id, Party.signed_document_version == protocol_version,
        Party.signed_document_sha256.is_not(None),
    )
    query = (
        sa.select(ProtocolDocument)
        .where(
            ProtocolDocument.agreement_id == agreement_id, ProtocolDocument.protocol_version == protocol_version,
            ProtocolDocument.language == language,
        )
        .order_by(ProtocolDocument.sha256.in_(signed).desc(), ProtocolDocument.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def find_document(agreement, document_id):
    document = db.session.get(ProtocolDocument, document_id)
    if document is None or document.agreement_id != agreement.id:
        return None
    return document


def matching_document(agreement, fingerprint=None, language=ENGLISH):
    """The stored document in `language` showing the agreement exactly as it stands, if there is one."""
    fingerprint = fingerprint or content_fingerprint(agreement, language)
    query = (
        sa.select(ProtocolDocument)
        .where(
            ProtocolDocument.agreement_id == agreement.id,
            ProtocolDocument.protocol_version == agreement.protocol_version,
            ProtocolDocument.language == language,
            ProtocolDocument.content_sha256 == fingerprint,
        )
        .order_by(ProtocolDocument.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def build_document(agreement, actor=None, language=ENGLISH):
    """Render the agreement as it stands, in `language`, into a new, not yet stored, document."""
    generated_by = actor_label(actor)
    generated_at = utcnow().replace(microsecond=0)
    rendered = render(agreement, generated_by, generated_at, language)
    return ProtocolDocument(
        agreement_id=agreement.id,
        protocol_version=agreement.protocol_version,
        language=language,
        sha256=rendered.sha256,
        content_sha256=rendered.content_sha256,
        generated_by=generated_by,
        generated_at=generated_at,
        page_count=rendered.page_count,
        size=len(rendered.pdf),
        signed_copy=rendered.signed_copy,
        pdf=rendered.pdf,
    )


def generate_document(agreement, actor=None, language=ENGLISH):
    """Render and store a new document for the agreement as it stands (the caller commits)."""
    document = build_document(agreement, actor, language)
    db.session.add(document)
    db.session.flush()
    return document


def current_document(agreement, actor=None, language=ENGLISH):
    """The stored document in `language` for the agreement as it stands: generated and stored when missing or out of date.

    Commits when it stores a new one, so the document is kept even if the caller goes on to fail.
    """
    document = matching_document(agreement, language=language)
    if document is None:
        document = generate_document(agreement, actor, language)
        db.session.commit()
    return document


def document_of_current_version(agreement, document_id):
    """A stored document the agreement's parties may sign now: one showing its current version (not a signed copy)."""
    document = find_document(agreement, document_id) if str(document_id or "").isdigit() else None
    if document is None or document.protocol_version != agreement.protocol_version or document.signed_copy:
        return None
    return document
