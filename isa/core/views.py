from datetime import date

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from . import heartbeat
from .db import utcnow

bp = Blueprint("core", __name__)
# When the accessibility statement was prepared, last reviewed and the site last tested (a value, not
# a date typed in the template: a filter on a constant is worked out once, in the first page's language).
STATEMENT_PREPARED = date(2026, 11, 30)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("users.login"))
    if current_user.is_officer:
        return redirect(url_for("reviews.dashboard"))  # officers and admins work from the reviews dashboard
    return redirect(url_for("agreements.index"))


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement (GOV.UK's pattern), open to everyone."""
    return render_template("core/accessibility.html", page_title=_("Accessibility statement for isa"), prepared=STATEMENT_PREPARED)


@bp.route("/healthz")
def healthz():
    """For the load balancer and monitoring: 200 when the database answers and a scheduler ran
    within ISA_HEALTHZ_MAX_HEARTBEAT_AGE seconds, 503 otherwise. No login; says nothing private."""
    max_age = float(current_app.config.get("HEALTHZ_MAX_HEARTBEAT_AGE", 300))
    body = {"database": "ok", "scheduler": "ok"}
    try:
        last = heartbeat.last_beat()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("/healthz: the database did not answer")
        body.update(database="unreachable", scheduler="unknown")
        return _health(body, 503)
    age = None if last is None else (utcnow() - last).total_seconds()
    body["scheduler_last_ran"] = None if last is None else last.isoformat() + "Z"
    body["scheduler_age_seconds"] = None if age is None else round(age, 1)
    if age is None or age > max_age:
        body["scheduler"] = "never ran" if last is None else "stale"
        return _health(body, 503)
    return _health(body, 200)


def _health(body, status):
    body["status"] = "ok" if status == 200 else "unhealthy"
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
