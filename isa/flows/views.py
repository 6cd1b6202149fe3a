import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.errors import DomainError, fail
from ..agreements.forms import ConfirmForm
from ..agreements.operations import commit_or_conflict
from ..agreements.views import get_visible
from ..users.access import officer_required
from ..channels.queries import channel_choices
from ..agreements.rules import new_version_notice
from ..extensions import db
from ..legal.models import BasisKind, LegalBasis
from ..sharing.queries import known_purposes
from .forms import EVERY_OTHER_PARTY, FlowForm
from .models import ConsentApproach, DataCategory, DataFlow, DataSubjectCategory, Frequency
from .operations import remove_flow, save_flow

bp = Blueprint("flows", __name__, url_prefix="/agreements/<reference>/flows")


def catalogue_groups():
    """The catalogue grouped by kind, in the catalogue's own order, for the lawful-basis picker."""
    bases = db.session.scalars(sa.select(LegalBasis).order_by(LegalBasis.regime, LegalBasis.code)).all()
    groups = {kind: [] for kind in BasisKind}
    for basis in bases:
        groups[basis.kind].append(basis)
    return [(kind, items) for kind, items in groups.items() if items]


def _flow_form(agreement, flow=None):
    form = FlowForm(obj=flow)
    parties = [(p.organisation.slug, p.organisation.name) for p in agreement.parties]
    form.from_organisation.choices = [("", _("Choose the disclosing party"))] + parties
    form.to_organisation.choices = [("", _("Choose the receiving party"))] + parties + [(EVERY_OTHER_PARTY, _("Every other party"))]
    form.channel.choices = [("", _("Not specified"))] + channel_choices()
    # the closed lists' labels in the page's language
    form.categories.choices = [(c.value, c.label) for c in DataCategory]
    form.frequency.choices = [(f.value, f.label) for f in Frequency]
    form.consent.choices = [(c.value, c.label) for c in ConsentApproach]
    form.data_subject_categories.choices = [(c.value, c.label) for c in DataSubjectCategory]
    form.lawful_bases.choices = [(code, code) for code in db.session.scalars(sa.select(LegalBasis.code))]
    if request.method == "GET":
        form.version.data = str(agreement.version)
        if flow is not None:
            form.from_organisation.data = flow.from_organisation.slug
            form.to_organisation.data = flow.to_organisation.slug if flow.to_organisation else EVERY_OTHER_PARTY
            form.purposes.data = "\n".join(flow.purposes)
            form.channel.data = flow.channel.slug if flow.channel else ""
            form.frequency.data = flow.frequency.value
            form.consent.data = flow.consent.value
    return form


def _render(form, agreement, flow):
    title = _("Edit data flow – %(reference)s") if flow else _("Add a data flow – %(reference)s")
    return render_template(
        "flows/form.html", form=form, agreement=agreement, flow=flow, groups=catalogue_groups(), known_purposes=known_purposes(),
        selected=set(form.lawful_bases.data or []), page_title=title % {"reference": agreement.reference},
    )


def _save(agreement, flow, form, message):
    data = dict(form.data, purposes=form.purpose_list())
    version_before = agreement.protocol_version
    saved = save_flow(agreement, flow, data, form.version.data)
    commit_or_conflict(agreement, form.version.data)
    flash(message, "success")
    _flash_new_version(agreement, version_before)
    return saved


def _flash_new_version(agreement, version_before):
    notice = new_version_notice(agreement, version_before)
    if notice:
        flash(notice, "info")


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def new(reference):
    agreement = get_visible(reference)
    if len(agreement.parties) < 2:
        flash(_("Add at least two parties before adding data flows."), "info")
        return redirect(url_for("agreements.show", reference=reference, _anchor="parties"))
    form = _flow_form(agreement)
    if form.validate_on_submit():
        try:
            _save(agreement, None, form, _("Data flow added."))
            return redirect(url_for("agreements.show", reference=reference, _anchor="flows"))
        except DomainError as error:
            fail(form, error)
    return _render(form, agreement, None)


def _get_flow(agreement, flow_id):
    flow = db.session.get(DataFlow, flow_id)
    if flow is None or flow.agreement_id != agreement.id:
        abort(404)
    return flow


def _flow_name(flow):
    """The flow as the history names it (`flow_label`), in the page's language."""
    return _(
        "Flow %(source)s → %(recipient)s in %(reference)s",
        source=flow.from_organisation.name, recipient=flow.to_organisation.name if flow.to_organisation else _("every other party"),
        reference=flow.agreement.reference,
    )


@bp.route("/<int:flow_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(reference, flow_id):
    agreement = get_visible(reference)
    flow = _get_flow(agreement, flow_id)
    form = _flow_form(agreement, flow)
    if form.validate_on_submit():
        try:
            _save(agreement, flow, form, _("Data flow saved."))
            return redirect(url_for("agreements.show", reference=reference, _anchor="flows"))
        except DomainError as error:
            fail(form, error)
    return _render(form, agreement, flow)


@bp.route("/<int:flow_id>/remove", methods=["GET", "POST"])
@officer_required
def remove(reference, flow_id):
    agreement = get_visible(reference)
    flow = _get_flow(agreement, flow_id)
    form = ConfirmForm()
    if request.method == "GET":
        form.version.data = str(agreement.version)
    if form.validate_on_submit():
        try:
            version_before = agreement.protocol_version
            remove_flow(agreement, flow, form.version.data)
            commit_or_conflict(agreement, form.version.data)
            flash(_("Data flow removed."), "success")
            _flash_new_version(agreement, version_before)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "info")
        return redirect(url_for("agreements.show", reference=reference, _anchor="flows"))
    return render_template(
        "agreements/confirm.html", form=form, agreement=agreement,
        question=_("Remove the data flow %(flow)s?", flow=_flow_name(flow)),
        detail=_("The flow is removed from the agreement. The change is kept in the agreement's history."),
        button=_("Yes, remove the data flow"), page_title=_("Remove a data flow"), material_change=True,
    )
