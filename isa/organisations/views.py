import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.errors import DomainError, fail
from ..agreements.queries import agreements_of as visible_agreements_of
from ..audit.presenting import present
from ..audit.queries import latest, organisation_events
from ..users.access import officer_required, signed_in_required
from ..core.filters import ordering, sort_order
from ..core.web import paginate
from ..extensions import db
from .forms import OrganisationForm
from .models import Organisation
from .operations import agreements_of, delete_organisation, find_by_slug, save_organisation
from .types import OrganisationType

bp = Blueprint("organisations", __name__, url_prefix="/organisations")
# The list's sortable columns (?sort=type, ?sort=-type for the other way).
SORTS = {"name": Organisation.name, "type": Organisation.type, "ico": Organisation.ico_registration}


def _get(slug):
    return find_by_slug(slug) or abort(404)


@bp.route("/")
@signed_in_required
def index():
    q = (request.args.get("q") or "").strip()[:100]
    org_type = request.args.get("type") or ""
    sort = sort_order(request.args, SORTS, "name")
    query = sa.select(Organisation).order_by(*ordering(sort, SORTS, Organisation.id))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(Organisation.name).like(like), Organisation.slug.like(like)))
    if org_type in {t.value for t in OrganisationType}:
        query = query.where(Organisation.type == OrganisationType(org_type))
    else:
        org_type = ""
    page = paginate(query, per_page=current_app.config["ORGANISATIONS_PER_PAGE"])
    return render_template(
        "organisations/index.html", page=page, q=q, org_type=org_type, types=list(OrganisationType), sort=sort,
        page_title=_("Organisations")
    )


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def new():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = save_organisation(None, form.data)
            db.session.commit()
            flash(_("%(name)s added to the register.", name=organisation.name), "success")
            return redirect(url_for("organisations.show", slug=organisation.slug))
        except DomainError as error:
            fail(form, error)
    return render_template("organisations/form.html", form=form, organisation=None, page_title=_("Add an organisation"))


@bp.route("/<slug>")
@signed_in_required
def show(slug):
    organisation = _get(slug)
    history, older = latest(organisation_events(organisation.id)) if current_user.is_officer else ([], False)
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        agreements=visible_agreements_of(organisation, current_user),
        history=present(history),
        older_history=older,
        page_title=organisation.name,
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@officer_required
def edit(slug):
    organisation = _get(slug)
    form = OrganisationForm(obj=organisation)
    if request.method == "GET":
        form.type.data = organisation.type.value
    if form.validate_on_submit():
        try:
            save_organisation(organisation, form.data)
            db.session.commit()
            flash(_("%(name)s saved.", name=organisation.name), "success")
            return redirect(url_for("organisations.show", slug=organisation.slug))
        except DomainError as error:
            fail(form, error)
    return render_template("organisations/form.html", form=form, organisation=organisation, page_title=_("Edit %(name)s", name=organisation.name))


@bp.route("/<slug>/delete", methods=["GET", "POST"])
@officer_required
def delete(slug):
    organisation = _get(slug)
    if request.method == "POST":

        try:
            name = organisation.name
            delete_organisation(organisation)
            db.session.commit()
            flash(_("%(name)s removed from the register.", name=name), "success")
            return redirect(url_for("organisations.index"))
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "info")
            return redirect(url_for("organisations.show", slug=slug))
    return render_template("organisations/delete.html", organisation=organisation, agreements=agreements_of(organisation), page_title=_("Remove %(name)s", name=organisation.name))
