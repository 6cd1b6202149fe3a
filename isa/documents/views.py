from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..core.errors import DomainError, fail
from ..core.i18n import chosen_language
from ..core.web import pdf_response
from ..agreements.views import get_visible
from ..users.access import officer_required, roles_required, signed_in_required
from ..extensions import db
from ..users.models import Role
from ..agreements import rules
from .forms import SignForm
from ..agreements.signatures import sign_in_app, signatures_of
from .operations import document_of_current_version, documents_of, find_document
from .queue import RETRY_AFTER_SECONDS, preparing_message, protocol_state, try_again

bp = Blueprint("documents", __name__, url_prefix="/agreements/<reference>")

partner_required = roles_required(Role.PARTNER)


@bp.route("/protocol.pdf")
@signed_in_required
def protocol(reference):
    """The protocol as the agreement stands now, in the user's language, as the scheduler stored it;
    while it is being prepared, a page that says so and refreshes itself (202), never a render in this request."""
    agreement = get_visible(reference)
    state = protocol_state(agreement, chosen_language())
    if state.document is not None:
        return pdf_response(state.document.pdf, state.document.filename, state.document.sha256)
    response = render_template(
        "documents/preparing.html", agreement=agreement, state=state, message=preparing_message(agreement, state),
        page_title=preparing_message(agreement, state),
    )
    if state.failed:
        return response, 503
    return response, 202, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


@bp.route("/protocol/status.json")
@signed_in_required
def protocol_status(reference):
    """Whether the current document is stored yet: the pages that wait for it ask every few seconds."""
    agreement = get_visible(reference)
    state = protocol_state(agreement, chosen_language())
    body = {"ready": state.document is not None, "version": agreement.protocol_version}
    if state.job is not None:
        body.update(status=state.job.status.value, queued_at=state.job.queued_at.isoformat() + "Z")
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/protocol/retry", methods=["POST"])
@officer_required
def retry(reference):
    """An officer asks for a render that failed to be tried again."""
    agreement = get_visible(reference)
    try_again(agreement, chosen_language())
    db.session.commit()
    flash(_("The protocol for version %(version)s is queued to be prepared again.", version=agreement.protocol_version), "success")
    return redirect(url_for("agreements.show", reference=reference, _anchor="protocol"))


@bp.route("/documents/<int:document_id>.pdf")
@signed_in_required
def document(reference, document_id):
    """A stored document exactly as it was generated: the copy a party signed stays downloadable."""
    agreement = get_visible(reference)
    stored = find_document(agreement, document_id)
    if stored is None:
        abort(404)
    return pdf_response(stored.pdf, stored.filename, stored.sha256)


def _own_party(agreement):
    party = next((p for p in agreement.parties if p.organisation_id == current_user.organisation_id), None)
    if party is None:
        abort(404)
    return party


@bp.route("/sign", methods=["GET", "POST"])
@partner_required
def sign(reference):
    """A partner user signs the current version for their own organisation."""
    agreement = get_visible(reference)
    party = _own_party(agreement)
    problem = rules.signing_problem(agreement)
    form = SignForm()
    if request.method == "POST" and problem is None and party.signed_on is None:
        if form.validate_on_submit():
            document = document_of_current_version(agreement, form.document_id.data)
            try:
                sign_in_app(agreement, party, document, form.signatory_name.data, form.signatory_title.data, current_user)
                db.session.commit()
                flash(_(
                    "You signed version %(version)s of %(reference)s for %(organisation)s.",
                    version=party.signed_document_version, reference=agreement.reference, organisation=party.organisation.name,
                ), "success")
                if rules.all_signed(agreement):
                    flash(_(
                        "Every party has now signed. %(reference)s is %(status)s.",
                        reference=agreement.reference, status=agreement.status.label.lower(),
                    ), "success")
                return redirect(url_for("agreements.show", reference=reference, _anchor="protocol"))
            except DomainError as error:
                fail(form, error)
                if not (error.field and hasattr(form, error.field)):
                    return redirect(url_for("documents.sign", reference=reference))
            except StaleDataError:
                db.session.rollback()
                flash(_("Someone else changed this agreement at the same moment. Read the protocol again and sign."), "info")
                return redirect(url_for("documents.sign", reference=reference))
    elif request.method == "POST":
        flash(problem or _(
            "%(organisation)s has already signed version %(version)s.",
            organisation=party.organisation.name, version=agreement.protocol_version,
        ), "info")
        return redirect(url_for("documents.sign", reference=reference))
    document, state = None, None
    if problem is None and party.signed_on is None:
        state = protocol_state(agreement, chosen_language())
        document = state.document  # None while it is being prepared: nothing to sign yet
        if document is not None:
            form.document_id.data = str(document.id)
        if request.method == "GET" and not form.signatory_name.data:
            form.signatory_name.data = current_user.name or ""
    return render_template(
        "documents/sign.html", agreement=agreement, party=party, document=document, form=form, problem=problem,
        state=state, message=preparing_message(agreement, state) if state else None,
        page_title=_("Sign %(reference)s for %(organisation)s", reference=agreement.reference, organisation=party.organisation.name),
    )


@bp.app_template_global()
def protocol_records(agreement):
    """The agreement page's protocol section: stored documents, the signature record, the current
    copy in the user's language, or what the scheduler is doing about it."""
    state = protocol_state(agreement, chosen_language())
    return {
        "documents": documents_of(agreement),
        "signatures": signatures_of(agreement),
        "current": state.document,
        "state": state,
        "message": preparing_message(agreement, state),
    }


bp.add_app_template_global(rules.new_version_warning, "new_version_warning")
bp.add_app_template_global(rules.signing_problem, "signing_problem")
