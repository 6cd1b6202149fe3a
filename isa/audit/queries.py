import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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


# The kinds of record the trail names, in words (a kind not listed is named from its class name, in English).
ENTITY_LABELS = {
    "Agreement": _l("Agreement"), "ApiToken": _l("API token"), "DataFlow": _l("Data flow"), "Dpia": _l("DPIA"),
    "DpiaRisk": _l("Dpia risk"), "IdentityProvider": _l("Identity provider"), "LegalBasis": _l("Lawful basis"),
    "Organisation": _l("Organisation"), "Party": _l("Party"), "Review": _l("Review"), "SharingDecision": _l("Sharing decision"),
    "TransferChannel": _l("Transfer channel"), "User": _l("User"),
}
ACTIONS = {"created": _l("Created"), "updated": _l("Changed"), "deleted": _l("Deleted")}
# The trail's sortable columns (?sort=actor, ?sort=-actor for the other way); newest first by default.
SORTS = {"at": AuditEvent.id, "actor": AuditEvent.actor, "entity": AuditEvent.entity_type}
DEFAULT_SORT = "-at"


def entity_types():
    """{entity type: its name in words} for every kind of record in the trail, A to Z: the "what" filter."""
    recorded = db.session.scalars(sa.select(AuditEvent.entity_type).distinct()).all()
    named = {kind: str(ENTITY_LABELS.get(kind) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind).capitalize()) for kind in recorded}
    return dict(sorted(named.items(), key=lambda pair: pair[1]))


def actors():
    """Everyone who has changed the register, for the "who" filter: [(actor, as shown)], by name."""
    from ..users.queries import names_by_email, person

    recorded = db.session.scalars(sa.select(AuditEvent.actor).distinct()).all()
    names = names_by_email(recorded)
    return sorted(((actor, person(actor, names)) for actor in recorded), key=lambda pair: pair[1].lower())


def parse_filters(args):
    """(filters, problems by field) from the audit trail's query string: who, what, which record, when."""
    from ..core.filters import date_range, sort_order

    filters, problems = {}, {}
    who = (args.get("who") or "").strip()
    if who:
        filters["who"] = who
    entity = (args.get("entity") or "").strip()
    if entity:
        if re.fullmatch(r"[A-Za-z]{1,40}", entity):
            filters["entity"] = entity
        else:
            problems["entity"] = _("Choose a kind of record from the list")
    action = (args.get("action") or "").strip()
    if action:
        if action in ACTIONS:
            filters["action"] = action
        else:
            problems["action"] = _("Choose what happened from the list")
    record = " ".join((args.get("record") or "").split())[:100]
    if record:
        filters["record"] = record
    date_range(args, filters, problems, labels=(_("Changed from"), _("Changed to")))
    sort = sort_order(args, SORTS, DEFAULT_SORT)
    if sort != DEFAULT_SORT:
        filters["sort"] = sort
    return filters, problems


def filtered(query, filters):
    """The events of `query` that match the filters, in the order asked for."""
    from datetime import datetime, time, timedelta

    from ..core.filters import ordering

    if "who" in filters:
        query = query.where(AuditEvent.actor == filters["who"])
    if "entity" in filters:
        query = query.where(AuditEvent.entity_type == filters["entity"])
    if "action" in filters:
        query = query.where(AuditEvent.action == filters["action"])
    if "record" in filters:
        needle = filters["record"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(sa.func.lower(AuditEvent.entity_label).like(f"%{needle}%", escape="\\"))
    if "from" in filters:
        query = query.where(AuditEvent.at >= datetime.combine(filters["from"], time.min))
    if "to" in filters:
        query = query.where(AuditEvent.at < datetime.combine(filters["to"] + timedelta(days=1), time.min))
    return query.order_by(*ordering(filters.get("sort", DEFAULT_SORT), SORTS, AuditEvent.id.desc()))
