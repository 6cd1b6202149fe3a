"""Administrators' pages for API tokens: create (the token is shown once), list, revoke."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..users.access import admin_required
from ..extensions import db
from ..users.models import User
from .forms import RevokeForm, TokenForm
from .models import ApiToken
from .tokens import TokenError, all_tokens, create_token, revoke_token

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


@bp.route("/")
@admin_required
def index():
    return render_template("api/tokens.html", tokens=all_tokens(), page_title=_("API tokens"))


def _token_form():
    form = TokenForm()
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.email)).all()
    form.user.choices = [("", _("Choose a user"))] + [
        (str(u.id), f"{u.email} ({u.role.label}{', ' + u.organisation.name if u.organisation else ''})") for u in users
    ]
    return form


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = _token_form()
    if form.validate_on_submit():
        try:
            record, token = create_token(db.session.get(User, int(form.user.data)), form.name.data, form.scope.data,
                                         int(form.lifetime.data))
            db.session.commit()
        except TokenError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            response = render_template("api/token_created.html", record=record, token=token, page_title=_("API token created"))
            # Shown once: never kept by a browser or proxy cache.
            return response, 200, {"Cache-Control": "no-store"}
    return render_template("api/token_form.html", form=form, page_title=_("Create an API token"))


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@admin_required
def revoke(token_id):
    record = db.session.get(ApiToken, token_id) or abort(404)
    form = RevokeForm()
    if record.revoked_at is None and form.validate_on_submit():
        revoke_token(record)
        db.session.commit()
        flash(_("API token %(prefix)s… (%(name)s) revoked. Requests with it are refused from now on.", prefix=record.prefix, name=record.name),
              "success")
        return redirect(url_for("tokens.index"))
    return render_template("api/token_revoke.html", form=form, record=record, page_title=_("Revoke API token %(prefix)s…", prefix=record.prefix))
