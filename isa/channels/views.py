import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.errors import DomainError, fail
from ..users.access import officer_required
from ..extensions import db
from .forms import ChannelForm
from .models import TransferChannel
from .operations import delete_channel, find_by_slug, flows_using, save_channel

bp = Blueprint("channels", __name__, url_prefix="/channels")


@bp.route("/")
@officer_required
def index():
    channels = db.session.scalars(sa.select(TransferChannel).order_by(TransferChannel.name)).all()
    return render_template("channels/index.html", channels=channels, page_title=_("Transfer channels"))


def _form_page(channel):
    form = ChannelForm(obj=channel)
    if form.validate_on_submit():
        try:
            channel = save_channel(channel, form.data)
            db.session.commit()
            flash(_("Channel %(name)s saved.", name=channel.name), "success")
            return redirect(url_for("channels.index"))
        except DomainError as error:
            fail(form, error)
    title = _("Edit %(name)s", name=channel.name) if channel else _("Add a transfer channel")
    return render_template("channels/form.html", form=form, channel=channel, page_title=title)


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def new():
    return _form_page(None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@officer_required
def edit(slug):
    return _form_page(find_by_slug(slug) or abort(404))


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@officer_required
def delete(slug):
    channel = find_by_slug(slug) or abort(404)
    if request.method == "POST":
        try:
            delete_channel(channel)
            db.session.commit()
            flash(_("Channel %(name)s removed.", name=channel.name), "success")
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "info")
        return redirect(url_for("channels.index"))
    return render_template("channels/delete.html", channel=channel, used=flows_using(channel), page_title=_("Remove %(name)s", name=channel.name))
