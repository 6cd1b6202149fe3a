import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from ..agreements.operations import find_by_reference
from ..users.access import officer_required
from ..core.web import paginate
from ..organisations.operations import find_by_slug
from .models import AuditEvent
from .presenting import present
from .queries import ACTIONS, actors, agreement_events, entity_types, filtered, organisation_events, parse_filters

bp = Blueprint("audit", __name__, url_prefix="/audit")


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
    filters, problems = parse_filters(request.args)
    if problems:  # a filter that cannot be applied is reported, and none is applied
        filters = {}
    page = paginate(filtered(query, filters), per_page=50)
    return render_template(
        "audit/index.html", page=page, events=present(page.items), subject=subject, filters=filters,
        filter_problems=problems, actors=actors(), entity_types=entity_types(), actions=ACTIONS, page_title=_("Audit trail"),
    )
