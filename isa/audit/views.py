import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request

from ..core.auth import officer_required
from ..core.web import paginate
from ..extensions import db
from .models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@officer_required
def index():
    entity = request.args.get("entity") or ""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if entity in {"Organisation", "Agreement", "Party", "DataFlow", "TransferChannel", "User", "LegalBasis"}:
        query = query.where(AuditEvent.entity_type == entity)
    else:
        entity = ""
    page = paginate(query, per_page=50)
    return render_template("audit/index.html", page=page, entity=entity, page_title="Audit trail")
