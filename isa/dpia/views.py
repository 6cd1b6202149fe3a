"""The DPIA pages of an agreement: officers and admins edit; partners of a party read."""
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.errors import DomainError, fail
from ..agreements.operations import commit_or_conflict
from ..agreements.views import get_visible
from ..core import clock
from ..users.access import officer_required, signed_in_required
from ..extensions import db
from . import operations, rules
from .forms import AdviceForm, DescriptionForm, DpiaConfirmForm, RiskForm, ScreeningForm, SignOffForm
from .models import DpiaRisk, ScreeningQuestion
from .queries import dpia_of

bp = Blueprint("dpia", __name__, url_prefix="/agreements/<reference>/dpia")


@bp.app_template_global()
def agreement_dpia(agreement):
    """(dpia or None, DpiaState) for the agreement page and the protocol document."""
    dpia = dpia_of(agreement)
    state = rules.state_of(dpia.required, dpia.signed_off_on) if dpia else rules.state_of(False, None, screened=False)
    return dpia, state


@bp.app_context_processor
def _dpia_document_text():
    from ..documents.content import DPIA_INTRO

    return {"dpia_intro": DPIA_INTRO, "dpia_prior_consultation_needed": rules.prior_consultation_needed}


def _show(reference, anchor=None):
    return redirect(url_for("dpia.show", reference=reference, _anchor=anchor))


def _versioned(form, agreement):
    if request.method == "GET":
        form.version.data = str(agreement.version)
    return form


def _with_dpia(reference):
    """The agreement and its DPIA; without a DPIA yet, the officer is sent to start it with its screening."""
    agreement = get_visible(reference)
    dpia = dpia_of(agreement)
    if dpia is None:
        flash(_("Start the DPIA with its screening."), "info")
        abort(redirect(url_for("dpia.screening", reference=reference)))
    return agreement, dpia


def _save_step(form, agreement, save, message, anchor=None):
    """A step's form saved by `save(data, version)` -> (saved, reopened), then back to the DPIA; None to show it again."""
    if form.validate_on_submit():
        try:
            _saved_record, reopened = save(form.data, form.version.data)
            return _saved(agreement, form.version.data, message, reopened, anchor)
        except DomainError as error:
            fail(form, error)
    return None


def _saved(agreement, version, message, reopened=False, anchor=None):
    commit_or_conflict(agreement, version)
    flash(message, "success")
    if reopened:
        flash(_("The DPIA had been signed off: it is reopened, and needs signing off again."), "info")
    return _show(agreement.reference, anchor)


@bp.route("/")
@signed_in_required
def show(reference):
    agreement = get_visible(reference)
    dpia, state = agreement_dpia(agreement)
    return render_template(
        "dpia/show.html", agreement=agreement, dpia=dpia, state=state,
        problems=rules.sign_off_problems(dpia) if dpia else [],
        prior_consultation=rules.prior_consultation_needed(dpia.risks) if dpia else False,
        pre_answers=rules.pre_answers(agreement), sensitive=rules.sensitive_flows(agreement),
        today=clock.today(), page_title=_("DPIA of %(reference)s", reference=reference),
    )


@bp.route("/screening", methods=["GET", "POST"])
@officer_required
def screening(reference):
    agreement = get_visible(reference)
    dpia = dpia_of(agreement)
    form = _versioned(ScreeningForm(obj=dpia), agreement)
    if request.method == "GET" and dpia is None:
        form.screening.data = rules.pre_answers(agreement)
    if form.validate_on_submit():
        try:
            dpia, reopened = operations.save_screening(agreement, form.data, form.version.data)
            saved = _("Screening saved: a DPIA is required.") if dpia.required else _("Screening saved: no DPIA is required.")
            return _saved(agreement, form.version.data, saved, reopened)
        except DomainError as error:
            fail(form, error)
    sensitive = rules.sensitive_flows(agreement)
    hints = []
    for question in ScreeningQuestion:
        hint = str(question.hint)
        if question == ScreeningQuestion.SENSITIVE_AT_SCALE and sensitive:
            hint += " " + ngettext(
                "The register's data flows say so: %(num)d of them carry this data.",
                "The register's data flows say so: %(num)d of them carry this data.", len(sensitive),
            )
        hints.append({"hint": {"text": hint}})
    return render_template(
        "dpia/screening.html", form=form, agreement=agreement, dpia=dpia, hints=hints,
        page_title=_("DPIA screening of %(reference)s", reference=reference),
    )


@bp.route("/description", methods=["GET", "POST"])
@officer_required
def description(reference):
    agreement, dpia = _with_dpia(reference)
    form = _versioned(DescriptionForm(obj=dpia), agreement)
    save = partial(operations.save_description, agreement)
    return _save_step(form, agreement, save, _("Description, necessity and proportionality saved.")) or render_template(
        "dpia/description.html", form=form, agreement=agreement, dpia=dpia,
        from_flows=rules.describe_processing(agreement), bases=rules.describe_bases(agreement),
        page_title=_("Describe the processing: DPIA of %(reference)s", reference=reference),
    )


def _risk(dpia, risk_id):
    risk = db.session.get(DpiaRisk, risk_id)
    if risk is None or risk.dpia_id != dpia.id:
        abort(404)
    return risk


def _risk_page(reference, risk_id=None):
    agreement, dpia = _with_dpia(reference)
    risk = _risk(dpia, risk_id) if risk_id is not None else None
    form = _versioned(RiskForm(obj=risk), agreement)
    save = partial(operations.save_risk, agreement, risk)
    return _save_step(form, agreement, save, _("Risk saved."), anchor="risks") or render_template(
        "dpia/risk_form.html", form=form, agreement=agreement, dpia=dpia, risk=risk,
        page_title=(_("Change a risk: DPIA of %(reference)s", reference=reference) if risk
                    else _("Add a risk: DPIA of %(reference)s", reference=reference)),
    )


@bp.route("/risks/new", methods=["GET", "POST"])
@officer_required
def new_risk(reference):
    return _risk_page(reference)


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@officer_required
def edit_risk(reference, risk_id):
    return _risk_page(reference, risk_id)


@bp.route("/risks/<int:risk_id>/remove", methods=["GET", "POST"])
@officer_required
def remove_risk(reference, risk_id):
    agreement = get_visible(reference)
    dpia = dpia_of(agreement) or abort(404)
    risk = _risk(dpia, risk_id)
    form = _versioned(DpiaConfirmForm(), agreement)
    if form.validate_on_submit():
        try:
            reopened = operations.remove_risk(agreement, risk, form.version.data)
            return _saved(agreement, form.version.data, _("Risk removed."), reopened, anchor="risks")
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "info")
            return _show(reference, "risks")
    return render_template(
        "dpia/confirm.html", form=form, agreement=agreement, question=_("Remove this risk?"), detail=risk.description,
        button=_("Yes, remove the risk"), page_title=_("Remove a risk: DPIA of %(reference)s", reference=reference),
    )


@bp.route("/advice", methods=["GET", "POST"])
@officer_required
def advice(reference):
    agreement, dpia = _with_dpia(reference)
    form = _versioned(AdviceForm(obj=dpia), agreement)
    if request.method == "GET":
        form.dpo_outcome.data = dpia.dpo_outcome.value if dpia.dpo_outcome else None
        if not dpia.dpo_name and agreement.lead_organisation is not None:
            lead = agreement.lead_organisation
            form.dpo_name.data = ", ".join(part for part in (lead.dpo_name, lead.name) if part) if lead.dpo_name else None
    save = partial(operations.save_advice, agreement)
    return _save_step(form, agreement, save, _("The DPO's advice is recorded.")) or render_template(
        "dpia/advice.html", form=form, agreement=agreement, dpia=dpia, page_title=_("The DPO's advice: DPIA of %(reference)s", reference=reference),
    )


@bp.route("/sign-off", methods=["GET", "POST"])
@officer_required
def sign_off(reference):
    agreement, dpia = _with_dpia(reference)
    form = _versioned(SignOffForm(obj=dpia), agreement)
    if request.method == "GET" and not form.signed_off_on.data:
        form.signed_off_on.data = clock.today()
    problems = rules.sign_off_problems(dpia)
    if not problems and form.validate_on_submit():
        try:
            operations.sign_off(agreement, form.data, form.version.data)
            return _saved(agreement, form.version.data, _("The DPIA is signed off. It is reviewed with the agreement."))
        except DomainError as error:
            fail(form, error)
    return render_template(
        "dpia/sign_off.html", form=form, agreement=agreement, dpia=dpia, problems=problems,
        prior_consultation=rules.prior_consultation_needed(dpia.risks), page_title=_("Sign off the DPIA of %(reference)s", reference=reference),
    )


@bp.route("/delete", methods=["GET", "POST"])
@officer_required
def delete(reference):
    agreement = get_visible(reference)
    dpia_of(agreement) or abort(404)
    form = _versioned(DpiaConfirmForm(), agreement)
    if form.validate_on_submit():
        try:
            operations.delete_dpia(agreement, form.version.data)
            commit_or_conflict(agreement, form.version.data)
            flash(_("The DPIA of %(reference)s is deleted.", reference=reference), "success")
            return redirect(url_for("agreements.show", reference=reference, _anchor="dpia"))
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "info")
            return _show(reference)
    return render_template(
        "dpia/confirm.html", form=form, agreement=agreement, question=_("Delete the DPIA of %(reference)s?", reference=reference),
        detail=_("Its screening, description, risks, the DPO's advice and sign-off are deleted. "
                 "The agreement's history keeps a record of them."),
        button=_("Yes, delete the DPIA"), page_title=_("Delete the DPIA of %(reference)s", reference=reference),
    )
