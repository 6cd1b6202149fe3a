"""Signatures: a partner signs in the register, an officer records a paper signature.

The document signed is the caller's to find (the documents domain stores them); a signature names
the protocol version and, when one was shown, the SHA-256 of the document signed.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.tracking import actor_label
from ..core import clock
from ..core.errors import DomainError
from ..core.i18n import govdate
from ..extensions import db
from . import rules
from .models import AgreementStatus, Signature, SignatureMethod

NAME_MAX = 200  # the Party columns' width


def signatures_of(agreement):
    """The signature record: every signature of every version, newest first."""
    query = sa.select(Signature).where(Signature.agreement_id == agreement.id)
    return db.session.scalars(query.order_by(Signature.id.desc())).all()


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
            signed_on=signed_on, method=method, recorded_by=actor_label(actor),
        )
    )
    rules.resume_when_signed(agreement)


def sign_in_app(agreement, party, document, name, title, actor, today=None):
    """A partner user signs for its own organisation, confirming the document they read.

    `document` is the one shown on the page: if the agreement has moved to a new version since,
    the signature is refused, so nobody signs text they have not seen.
    """
    problem = rules.signing_problem(agreement)
    if problem:
        raise DomainError(None, problem)
    if party.signed_on is not None:
        raise DomainError(None, _("%(organisation)s has already signed version %(version)s.", organisation=party.organisation.name,
                                  version=agreement.protocol_version))
    if document is None or document.protocol_version != agreement.protocol_version:
        raise DomainError(
            None,
            _("The protocol has changed since you opened the page: it is now version %(version)s. Read the new version before you sign.",
              version=agreement.protocol_version),
        )
    name, title = (name or "").strip(), (title or "").strip()
    if not name:
        raise DomainError("signatory_name", _("Enter your full name"))
    if not title:
        raise DomainError("signatory_title", _("Enter your job title"))
    if len(name) > NAME_MAX or len(title) > NAME_MAX:
        raise DomainError("signatory_name" if len(name) > NAME_MAX else "signatory_title", _("Keep it to %(max)s characters or fewer", max=NAME_MAX))
    _record(agreement, party, document, name, title, today or clock.today(), SignatureMethod.IN_APP, actor)
    return party


def record_paper_signature(agreement, party, document, actor):
    """An officer records a signature made on paper: the party's form set the name, title and date.

    Called by save_party after it applied the form, when the date is new or the document changed.
    """
    _record(agreement, party, document, party.signatory_name, party.signatory_title, party.signed_on, SignatureMethod.PAPER, actor)


def signature_date_problem(agreement, signed_on, document=None, today=None):
    """Why `signed_on` cannot be the date a party signed (None when it can)."""
    today = today or clock.today()
    if AgreementStatus(agreement.status) in (AgreementStatus.DRAFT, AgreementStatus.CONSULTATION):
        return _("Send the agreement for signature before you record a signature")
    if signed_on > today:
        return _("The date signed must be today or in the past")
    if document is not None and signed_on < document.generated_at.date():
        return _("The date signed must be on or after %(date)s, when the signed copy was made", date=govdate(document.generated_at.date()))
    if agreement.created_at is not None and signed_on < agreement.created_at.date():
        return _("The date signed must be on or after %(date)s, when the agreement was created", date=govdate(agreement.created_at.date()))
    return None


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
