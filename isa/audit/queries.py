import sqlalchemy as sa

from ..extensions import db
from .models import AuditEvent


def history_for_agreement(agreement, limit=None):
    query = sa.select(AuditEvent).where(AuditEvent.agreement_id == agreement.id).order_by(AuditEvent.id.desc())
    return db.session.scalars(query.limit(limit) if limit else query).all()


def history_for_organisation(organisation, limit=None):
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "Organisation", AuditEvent.entity_id == organisation.id)
        .order_by(AuditEvent.id.desc())
    )
    return db.session.scalars(query.limit(limit) if limit else query).all()
