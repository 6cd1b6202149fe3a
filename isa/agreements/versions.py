"""What a material change keeps: the signatures and the record of the version it replaces.

The one entry point the agreement and flow operations call after changing parties or flows;
the rule itself (what is material, what a new version does) is in rules.py.
"""
import sqlalchemy as sa

from ..audit.tracking import current_actor
from ..extensions import db
from . import rules
from .models import AgreementStatus, AgreementVersion, Signature, SignatureMethod


def keep_signature(agreement, party):
    """Put a party's current signature in the record, unless signing already put it there."""
    version = party.signed_document_version or agreement.protocol_version
    with db.session.no_autoflush:  # the change being saved is flushed by its own commit
        recorded = db.session.scalar(
            sa.select(Signature.id).where(
                Signature.agreement_id == agreement.id, Signature.organisation_id == party.organisation_id,
                Signature.protocol_version == version, Signature.signed_on == party.signed_on,
            ).limit(1)
        )
    if recorded is None:
        db.session.add(
            Signature(
                agreement_id=agreement.id, organisation_id=party.organisation_id, organisation_name=party.organisation.name,
                protocol_version=version,
                document_sha256=party.signed_document_sha256, signatory_name=party.signatory_name or "Not recorded",
                signatory_title=party.signatory_title, signed_on=party.signed_on, method=SignatureMethod.RECORDED,
                recorded_by=current_actor(),
            )
        )


def keep_version(agreement, before):
    """Keep what the version being replaced said: its flows and who had signed it."""
    record = before.record
    with db.session.no_autoflush:
        kept = db.session.scalar(
            sa.select(AgreementVersion.id).where(
                AgreementVersion.agreement_id == agreement.id, AgreementVersion.protocol_version == record["version"]
            )
        )
    if kept is None:
        db.session.add(
            AgreementVersion(
                agreement_id=agreement.id, protocol_version=record["version"], fully_signed=record["fully_signed"],
                status=AgreementStatus(record["status"]), record=record,
            )
        )


def after_material_change(agreement, before, leaving=()):
    """After a change to parties or flows: a new version to sign when it is material (True when it is)."""
    return rules.after_change(agreement, before, leaving, keep=keep_signature, keep_version=keep_version)
