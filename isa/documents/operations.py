"""Business actions on protocol documents and signatures.

Documents are produced by the scheduler from the render queue (queue.py); pages and the API
show what is stored (`queue.protocol_state`). `current_document(agreement, actor)` renders on
the spot when nothing stored matches: only the operator's `flask pdf` command calls it.
"""
from datetime import date

import sqlalchemy as sa

from ..agreements.operations import AgreementError
from ..audit.tracking import current_actor
from ..core import clock
from ..core.db import utcnow
from ..extensions import db
from . import versions
from .models import ProtocolDocument, Signature, SignatureMethod
from .render import content_fingerprint, render

NAME_MAX = 200  # the Party columns' width


class SigningError(AgreementError):
    """A signature that cannot be recorded; `field` names the form field it is about, if any."""


def _actor_label(actor):
    if actor is None:
        return current_actor()
    if isinstance(actor, str):
        return actor
    return getattr(actor, "email", None) or str(actor)


def documents_of(agreement):
    """Every stored document of the agreement, newest first (without loading the PDF bytes)."""
    query = sa.select(ProtocolDocument).where(ProtocolDocument.agreement_id == agreement.id)
    return db.session.scalars(query.order_by(ProtocolDocument.id.desc())).all()


def signatures_of(agreement):
    """The signature record: every signature of every version, newest first."""
    query = sa.select(Signature).where(Signature.agreement_id == agreement.id)
    return db.session.scalars(query.order_by(Signature.id.desc())).all()


def document_in_force(agreement_id, protocol_version):
    """The stored document of the version in force: the copy the parties signed when one of them
    pinned it, else the latest stored copy of that version (None while none is stored)."""
    from ..agreements.models import Party

    signed = sa.select(Party.signed_document_sha256).where(
        Party.agreement_id == agreement_id, Party.signed_document_version == protocol_version,
        Party.signed_document_sha256.is_not(None),
    )
    query = (
        sa.select(ProtocolDocument)
        .where(ProtocolDocument.agreement_id == agreement_id, ProtocolDocument.protocol_version == protocol_version)
        .order_by(ProtocolDocument.sha256.in_(signed).desc(), ProtocolDocument.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def find_document(agreement, document_id):
    document = db.session.get(ProtocolDocument, document_id)
    if document is None or document.agreement_id != agreement.id:
        return None
    return document


def matching_document(agreement, fingerprint=None):
    """The stored document showing the agreement exactly as it stands, if there is one."""
    fingerprint = fingerprint or content_fingerprint(agreement)
    query = (
        sa.select(ProtocolDocument)
        .where(
            ProtocolDocument.agreement_id == agreement.id,
            ProtocolDocument.protocol_version == agreement.protocol_version,
            ProtocolDocument.content_sha256 == fingerprint,
        )
        .order_by(ProtocolDocument.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def build_document(agreement, actor=None):
    """Render the agreement as it stands into a new, not yet stored, document."""
    generated_by = _actor_label(actor)
    generated_at = utcnow().replace(microsecond=0)
    rendered = render(agreement, generated_by, generated_at)
    return ProtocolDocument(
        agreement_id=agreement.id,
        protocol_version=agreement.protocol_version,
        sha256=rendered.sha256,
        content_sha256=rendered.content_sha256,
        generated_by=generated_by,
        generated_at=generated_at,
        page_count=rendered.page_count,
        size=len(rendered.pdf),
        signed_copy=rendered.signed_copy,
        pdf=rendered.pdf,
    )


def generate_document(agreement, actor=None):
    """Render and store a new document for the agreement as it stands (the caller commits)."""
    document = build_document(agreement, actor)
    db.session.add(document)
    db.session.flush()
    return document


def current_document(agreement, actor=None):
    """The stored document for the agreement as it stands: generated and stored when missing or out of date.

    Commits when it stores a new one, so the document is kept even if the caller goes on to fail.
    """
    document = matching_document(agreement)
    if document is None:
        document = generate_document(agreement, actor)
        db.session.commit()
    return document


def document_of_current_version(agreement, document_id):
    """A stored document the agreement's parties may sign now: one showing its current version (not a signed copy)."""
    document = find_document(agreement, document_id) if str(document_id or "").isdigit() else None
    if document is None or document.protocol_version != agreement.protocol_version or document.signed_copy:
        return None
    return document


def _record(agreement, party, document, name, title, signed_on, method, actor):
    party.signatory_name = name
    party.signatory_title = title
    party.signed_on = signed_on
    party.signed_document_version = document.protocol_version if document else agreement.protocol_version
    party.signed_document_sha256 = document.sha256 if document else None
    db.session.add(
        Signature(
            agreement_id=agreement.id, organisation_id=party.organisation_id, organisation_name=party.organisation.name,
            protocol_version=party.signed_document_version, document=document,
            document_sha256=party.signed_document_sha256, signatory_name=name, signatory_title=title,
            signed_on=signed_on, method=method, recorded_by=_actor_label(actor),
        )
    )
    versions.resume_when_signed(agreement)


def sign_in_app(agreement, party, document, name, title, actor, today=None):
    """A partner user signs for its own organisation, confirming the document they read.

    `document` is the one shown on the page: if the agreement has moved to a new version since,
    the signature is refused, so nobody signs text they have not seen.
    """
    problem = versions.signing_problem(agreement)
    if problem:
        raise SigningError(None, problem)
    if party.signed_on is not None:
        raise SigningError(None, f"{party.organisation.name} has already signed version {agreement.protocol_version}.")
    if document is None or document.protocol_version != agreement.protocol_version:
        raise SigningError(
            None,
            f"The protocol has changed since you opened the page: it is now version {agreement.protocol_version}. "
            "Read the new version before you sign.",
        )
    name, title = (name or "").strip(), (title or "").strip()
    if not name:
        raise SigningError("signatory_name", "Enter your full name")
    if not title:
        raise SigningError("signatory_title", "Enter your job title")
    if len(name) > NAME_MAX or len(title) > NAME_MAX:
        raise SigningError("signatory_name" if len(name) > NAME_MAX else "signatory_title", f"Keep it to {NAME_MAX} characters or fewer")
    _record(agreement, party, document, name, title, today or date.today(), SignatureMethod.IN_APP, actor)
    return party


def signature_date_problem(agreement, signed_on, document=None, today=None):
    """Why `signed_on` cannot be the date a party signed (None when it can)."""
    from ..agreements.models import AgreementStatus

    today = today or clock.today()
    if AgreementStatus(agreement.status) in (AgreementStatus.DRAFT, AgreementStatus.CONSULTATION):
        return "Send the agreement for signature before you record a signature"
    if signed_on > today:
        return "The date signed must be today or in the past"
    if document is not None and signed_on < document.generated_at.date():
        return f"The date signed must be on or after {_govdate(document.generated_at.date())}, when the signed copy was made"
    if agreement.created_at is not None and signed_on < agreement.created_at.date():
        return f"The date signed must be on or after {_govdate(agreement.created_at.date())}, when the agreement was created"
    return None


def _govdate(value):
    return f"{value.day} {value:%B %Y}"


def forget_signature(agreement, party):
    """A corrected or withdrawn signature leaves no record behind for the version being signed."""
    if party.organisation_id is None:
        return
    for signature in db.session.scalars(
        sa.select(Signature).where(
            Signature.agreement_id == agreement.id, Signature.organisation_id == party.organisation_id,
            Signature.protocol_version == agreement.protocol_version,
        )
    ):
        db.session.delete(signature)


def record_paper_signature(agreement, party, document, actor):
    """An officer records a signature made on paper: the party's form set the name, title and date.

    Called by save_party after it applied the form, when the date is new or the document changed.
    """
    _record(agreement, party, document, party.signatory_name, party.signatory_title, party.signed_on, SignatureMethod.PAPER, actor)
