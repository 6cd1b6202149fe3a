import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request

from ..agreements.operations import find_by_reference
from ..users.access import officer_required
from ..core.web import paginate
from ..organisations.operations import find_by_slug
from .models import AuditEvent
from .presenting import present
from .queries import agreement_events, organisation_events

bp = Blueprint("audit", __name__, url_prefix="/audit")

ENTITY_TYPES = ("Organisation", "Agreement", "Party", "DataFlow", "TransferChannel", "User", "LegalBasis")


@bp.route("/")
@officer_required
def index():
    """The whole trail, newest first; or one agreement's (?agreement=REF) or organisation's (?organisation=SLUG)."""
    subject = None
    if reference := request.args.get("agreement"):
        subject = find_by_reference(reference)
        if subject is None:
            abort(404)
        query = agreement_events(subject.id)
    elif slug := request.args.get("organisation"):
        subject = find_by_slug(slug)
        if subject is None:
            abort(404)
        query = organisation_events(subject.id)
    else:
        query = sa.select(AuditEvent)
    entity = request.args.get("entity") or ""
    if entity in ENTITY_TYPES:
        query = query.where(AuditEvent.entity_type == entity)
    else:
        entity = ""
    page = paginate(query.order_by(AuditEvent.id.desc()), per_page=50)
    return render_template(
        "audit/index.html", page=page, events=present(page.items), entity=entity, subject=subject, page_title="Audit trail"
    )
