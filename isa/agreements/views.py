import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core import clock
from ..core.errors import DomainError, fail
from ..audit.presenting import present
from ..audit.queries import agreement_events, latest
from ..core.i18n import lazy_gettext as _l
from ..users.access import log_refusal, officer_required, signed_in_required
from ..organisations.queries import organisation_choices
from ..documents.forms import signable_document_choices, signed_document_choice
from ..documents.operations import document_of_current_version
from .rules import new_version_notice
from ..core.web import paginate
from ..extensions import db
from ..legal.queries import findings_by_agreement
from ..users.models import Role, User
from . import lifecycle
from .forms import AgreementForm, ConfirmForm, PartyForm, StatusForm
from .models import Agreement, AgreementStatus, DataLocation, Party, PartyRole
from .operations import (
    change_status,
    commit_or_conflict,
    find_by_reference,
    legacy_remap_proposal,
    remap_legacy_bases,
    remove_party,
    save_agreement,
    save_party,
)
from .queries import agreements_query, awaiting_signature_of, can_see, parse_filters

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


def get_visible(reference):
    """The agreement, or 404 for unknown references and for partners who are not a party."""
    agreement = find_by_reference(reference)
    if agreement is None:
        abort(404)
    if not can_see(current_user, agreement):
        log_refusal(current_user, "not a party to the agreement")
        abort(404)
    return agreement


# What the officer is told after changing the status, in GOV.UK's plain words.
STATUS_MESSAGES = {
    AgreementStatus.DRAFT: _l("%(reference)s is a draft again"),
    AgreementStatus.CONSULTATION: _l("%(reference)s has been sent for consultation"),
    AgreementStatus.AWAITING_SIGNATURES: _l("%(reference)s has been sent for signature: each party's users are asked to sign"),
    AgreementStatus.ACTIVE: _l("%(reference)s is now active"),
    AgreementStatus.UNDER_REVIEW: _l("Review of %(reference)s started: record the review when it is done"),
    AgreementStatus.EXPIRED: _l("%(reference)s has expired"),
    AgreementStatus.TERMINATED: _l("%(reference)s has been terminated"),
    AgreementStatus.SUPERSEDED: _l("%(reference)s has been superseded"),
}


@bp.route("/")
@signed_in_required
def index():
    filters, errors = parse_filters(request.args)
    page = paginate(agreements_query(filters, current_user), per_page=current_app.config["AGREEMENTS_PER_PAGE"])
    return render_template(
        "agreements/index.html",
        page=page,
        filters=filters,
        filter_errors=errors,
        statuses=list(AgreementStatus),
        organisations=organisation_choices(),
        findings=_findings_for_page(page.items),
        awaiting=awaiting_signature_of(current_user.organisation_id) if current_user.organisation_id and not current_user.is_officer else [],
        page_title=_("Agreements"),
    )


def _findings_for_page(agreements):
    return findings_by_agreement(agreements, clock.today())


def _findings_for(agreement):
    return _findings_for_page([agreement]).get(agreement.id, [])


def _agreement_form(agreement=None):
    form = AgreementForm(obj=agreement)
    form.is_new = agreement is None
    form.lead_organisation.choices = [("", _("Choose the lead organisation"))] + organisation_choices()
    officers = db.session.scalars(sa.select(User).where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.active.is_(True)).order_by(User.name)).all()
    form.owner.choices = [("", _("No owner"))] + [(str(u.id), f"{u.display_name} ({u.email})") for u in officers]
    others = db.session.execute(sa.select(Agreement.reference, Agreement.title).order_by(Agreement.reference)).all()
    form.supersedes.choices = [("", _("None"))] + [(ref, f"{ref}: {title}") for ref, title in others if agreement is None or ref != agreement.reference]
    form.data_location.choices = [(loc.value, loc.label) for loc in DataLocation]  # labels in the page's language
    if request.method == "GET":
        if agreement is None:
            form.owner.data = str(current_user.id)
        else:
            form.lead_organisation.data = agreement.lead_organisation.slug if agreement.lead_organisation else ""
            form.owner.data = str(agreement.owner_id) if agreement.owner_id else ""
            form.supersedes.data = agreement.supersedes.reference if agreement.supersedes else ""
            form.data_location.data = agreement.data_location.value
            form.version.data = str(agreement.version)
    return form


@bp.route("/new", methods=["GET", "POST"])
@officer_required
def new():
    form = _agreement_form()
    if form.validate_on_submit():
        try:
            agreement = save_agreement(None, form.data)
            db.session.commit()
            flash(_("Agreement %(reference)s created as a draft. Add its parties and data flows next.", reference=agreement.reference), "success")
            return redirect(url_for("agreements.show", reference=agreement.reference))
        except DomainError as error:
            fail(form, error)
    return render_template("agreements/form.html", form=form, agreement=None, page_title=_("Create an agreement"))


@bp.route("/<reference>")
@signed_in_required
def show(reference):
    agreement = get_visible(reference)
    history, older = latest(agreement_events(agreement.id)) if current_user.is_officer else ([], False)
    return render_template(
        "agreements/show.html",
        agreement=agreement,
        legacy_flows=len(legacy_remap_proposal(agreement)) if current_user.is_officer else 0,
        transitions=lifecycle.allowed_transitions(agreement),
        action_labels=lifecycle.ACTION_LABELS,
        findings=_findings_for(agreement),
        history=present(history),
        older_history=older,
        today=clock.today(),
        page_title=f"{agreement.reference}: {agreement.title}",
    )


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@officer_required
def edit(reference):
    agreement = get_visible(reference)
    form = _agreement_form(agreement)
    if form.validate_on_submit():
        try:
            save_agreement(agreement, form.data, form.version.data)
            commit_or_conflict(agreement, form.version.data)
            flash(_("Agreement %(reference)s saved.", reference=agreement.reference), "success")
            return redirect(url_for("agreements.show", reference=agreement.reference))
        except DomainError as error:
            fail(form, error)
    return render_template("agreements/form.html", form=form, agreement=agreement, page_title=_("Edit %(reference)s", reference=agreement.reference))


@bp.route("/<reference>/status", methods=["POST"])
@officer_required
def status(reference):
    agreement = get_visible(reference)
    form = StatusForm()
    if not form.validate_on_submit() or form.target.data not in {s.value for s in AgreementStatus}:
        flash(_("Choose a status from the page."), "info")
        return redirect(url_for("agreements.show", reference=reference))
    try:
        change_status(agreement, form.target.data, form.version.data)
        commit_or_conflict(agreement, form.version.data)
        flash(STATUS_MESSAGES[agreement.status] % {"reference": agreement.reference}, "success")
    except DomainError as error:
        db.session.rollback()
        flash(_("The status was not changed: %(problem)s", problem=error), "info")
    return redirect(url_for("agreements.show", reference=reference))


def _party_form(agreement, party=None):
    form = PartyForm(obj=party)
    taken = {p.organisation.slug for p in agreement.parties if p is not party}
    form.organisation.choices = [("", _("Choose an organisation"))] + [(s, n) for s, n in organisation_choices() if s not in taken]
    form.role.choices = [(r.value, r.label) for r in PartyRole]  # labels in the page's language
    form.signed_document.choices = signable_document_choices(agreement)
    if request.method == "GET":
        form.version.data = str(agreement.version)
        if party is not None:
            form.organisation.data = party.organisation.slug
            form.role.data = party.role.value
            form.signed_document.data = signed_document_choice(agreement, party)
    return form


def _flash_new_version(agreement, version_before):
    notice = new_version_notice(agreement, version_before)
    if notice:
        flash(notice, "info")


def _get_party(agreement, party_id):
    party = db.session.get(Party, party_id)
    if party is None or party.agreement_id != agreement.id:
        abort(404)
    return party


def _signed_document(agreement, form):
    """The stored copy of the current version the party form names as signed on paper, if any."""
    document_id = form.data.get("signed_document")
    return document_of_current_version(agreement, document_id) if document_id else None


@bp.route("/<reference>/parties/new", methods=["GET", "POST"])
@officer_required
def new_party(reference):
    agreement = get_visible(reference)
    form = _party_form(agreement)
    if form.validate_on_submit():
        try:
            version_before = agreement.protocol_version
            party = save_party(agreement, None, form.data, form.version.data, _signed_document(agreement, form))
            commit_or_conflict(agreement, form.version.data)
            flash(_("%(organisation)s added as a party.", organisation=party.organisation.name), "success")
            _flash_new_version(agreement, version_before)
            return redirect(url_for("agreements.show", reference=reference, _anchor="parties"))
        except DomainError as error:
            fail(form, error)
    return render_template("agreements/party_form.html", form=form, agreement=agreement, party=None, page_title=_("Add a party to %(reference)s", reference=reference))


@bp.route("/<reference>/parties/<int:party_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_party(reference, party_id):
    agreement = get_visible(reference)
    party = _get_party(agreement, party_id)
    form = _party_form(agreement, party)
    if form.validate_on_submit():
        try:
            version_before = agreement.protocol_version
            save_party(agreement, party, form.data, form.version.data, _signed_document(agreement, form))
            commit_or_conflict(agreement, form.version.data)
            flash(_("%(organisation)s saved.", organisation=party.organisation.name), "success")
            _flash_new_version(agreement, version_before)
            return redirect(url_for("agreements.show", reference=reference, _anchor="parties"))
        except DomainError as error:
            fail(form, error)
    return render_template(
        "agreements/party_form.html", form=form, agreement=agreement, party=party, page_title=_("%(organisation)s in %(reference)s", organisation=party.organisation.name, reference=reference)
    )


@bp.route("/<reference>/parties/<int:party_id>/remove", methods=["GET", "POST"])
@officer_required
def remove_party_view(reference, party_id):
    agreement = get_visible(reference)
    party = _get_party(agreement, party_id)
    form = ConfirmForm()
    if request.method == "GET":
        form.version.data = str(agreement.version)
    if form.validate_on_submit():
        name = party.organisation.name
        try:
            version_before = agreement.protocol_version
            remove_party(agreement, party, form.version.data)
            commit_or_conflict(agreement, form.version.data)
            flash(_("%(organisation)s removed from %(reference)s.", organisation=name, reference=reference), "success")
            _flash_new_version(agreement, version_before)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "info")
        return redirect(url_for("agreements.show", reference=reference, _anchor="parties"))
    return render_template(
        "agreements/confirm.html",
        form=form,
        agreement=agreement,
        question=_("Remove %(organisation)s from %(reference)s?", organisation=party.organisation.name, reference=reference),
        detail=_("The party and its signature are removed. The change is kept in the agreement's history."),
        button=_("Yes, remove the party"),
        material_change=True,
        page_title=_("Remove %(organisation)s", organisation=party.organisation.name),
    )


@bp.route("/<reference>/remap", methods=["GET", "POST"])
@officer_required
def remap(reference):
    """The successors proposed for the agreement's DPA 1998 bases, to review, then apply in one step."""
    agreement = get_visible(reference)
    form = ConfirmForm()
    if request.method == "GET":
        form.version.data = str(agreement.version)
    elif form.validate_on_submit():
        version_before = agreement.protocol_version
        try:
            applied = remap_legacy_bases(agreement, form.version.data)
            commit_or_conflict(agreement, form.version.data)
            flash(ngettext("The DPA 1998 bases of %(num)d data flow were re-mapped.", "The DPA 1998 bases of %(num)d data flows were re-mapped.",
                           len(applied)), "success")
            _flash_new_version(agreement, version_before)
            return redirect(url_for("agreements.show", reference=agreement.reference))
        except DomainError as error:
            fail(form, error)
            agreement = get_visible(reference)
            form.version.data = str(agreement.version)
    proposals = legacy_remap_proposal(agreement)
    from ..legal.queries import catalogue_map

    return render_template(
        "agreements/remap.html", agreement=agreement, proposals=proposals, catalogue=catalogue_map(), form=form,
        page_title=_("Re-map the DPA 1998 bases of %(reference)s", reference=agreement.reference),
    )
