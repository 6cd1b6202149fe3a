import sqlalchemy as sa

from ..extensions import db
from .models import AuditEvent

HISTORY_ROWS = 15  # on an agreement's or organisation's page; the audit trail pages through the rest


def agreement_events(agreement_id):
    return sa.select(AuditEvent).where(AuditEvent.agreement_id == agreement_id)


def organisation_events(organisation_id):
    return sa.select(AuditEvent).where(AuditEvent.entity_type == "Organisation", AuditEvent.entity_id == organisation_id)


def latest(query, limit=HISTORY_ROWS):
    """(the newest `limit` events of `query`, whether there are older ones)."""
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit + 1)).all()
    return events[:limit], len(events) > limit
