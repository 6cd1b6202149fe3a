import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _
from flask_login import current_user

from ..core import clock
from ..agreements.models import Agreement
from ..agreements.queries import visible_to as visible_agreements
from ..users.access import log_refusal, signed_in_required
from ..channels.queries import channel_choices
from ..organisations.queries import organisation_choices
from ..core.spreadsheet import csv_download
from ..core.web import paginate
from ..extensions import db
from ..flows.models import DataFlow
from ..legal.models import BasisKind, LegalBasis, in_language
from . import flowchart, queries
from .flowchart import Outcome
from .forms import DecisionForm
from .models import SharingDecision
from .operations import CHECK, RECORD, record_decision, review_decision

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

PER_PAGE = 50
CASE_FIELDS = ("decided_on", "discloser", "recipient", "category", "case_reference", "purpose")


def _list_context():
    filters, problems = queries.parse_filters(request.args)
    if problems:  # a filter that cannot be applied is reported, and none is applied
        filters = {}
    # The filters as links carry them (dates as 2025-03-01), for the other views, pages and the export.
    args = {name: request.args.get(name, "") for name in queries.FILTER_NAMES if request.args.get(name)}
    args.update({name: filters[name].isoformat() for name in ("from", "to") if name in filters})
    raw = {name: value for name, value in request.args.items() if name.startswith(("from-", "to-"))}
    return filters, problems, args if not problems else {**args, **raw}


@bp.route("/")
@signed_in_required
def index():
    filters, problems, args = _list_context()
    page = paginate(queries.decisions_query(filters, current_user), per_page=PER_PAGE)
    return render_template(
        "decisions/index.html", page=page, filters=filters, filter_problems=problems, args=args,
        **_filter_choices(), page_title=_("Sharing decisions"),
    )


@bp.route("/months")
@signed_in_required
def months():
    filters, problems, args = _list_context()
    counts = queries.counts_per_month(filters, current_user)
    biggest = max((month.total for month in counts), default=0)
    return render_template(
        "decisions/months.html", counts=counts, biggest=biggest, filters=filters, filter_problems=problems, args=args,
        **_filter_choices(), page_title=_("Sharing decisions per month"),
        month_label=lambda day: format_date(day, "MMMM yyyy"),  # December 2027, Rhagfyr 2027
    )


@bp.route("/export.csv")
@signed_in_required
def export():
    filters, problems, _args = _list_context()
    if problems:
        flash(_("The export was not made: %(problems)s", problems="; ".join(problems.values())), "info")
        return redirect(url_for("decisions.index", **request.args))
    return csv_download(
        f"sharing-decisions-{clock.today().isoformat()}.csv", queries.CSV_HEADER,
        lambda: queries.csv_rows(filters, current_user),
    )


def _filter_choices():
    if current_user.is_officer:
        organisations = organisation_choices()
    else:
        organisations = [(current_user.organisation.slug, current_user.organisation.name)] if current_user.organisation else []
    query = sa.select(LegalBasis.code, LegalBasis.title, LegalBasis.shipped_title).order_by(LegalBasis.code)
    bases = [(code, in_language(title, shipped)) for code, title, shipped in db.session.execute(query)]
    return {"organisations": organisations, "outcomes": list(Outcome), "bases": bases}


@bp.route("/<int:decision_id>")
@signed_in_required
def show(decision_id):
    decision = db.session.get(SharingDecision, decision_id)
    if decision is None:
        abort(404)
    if not queries.can_see(current_user, decision):
        log_refusal(current_user, "another organisation's decision")
        abort(404)
    query = sa.select(LegalBasis.code, LegalBasis.title, LegalBasis.shipped_title).where(LegalBasis.code.in_(decision.lawful_bases or []))
    titles = {code: in_language(title, shipped) for code, title, shipped in db.session.execute(query)}
    return render_template(
        "decisions/show.html", decision=decision, basis_titles=titles,
        page_title=_("Sharing decision %(reference)s", reference=decision.case_reference),
    )


# --- recording a decision -----------------------------------------------------------------------


def _decision_form():
    form = DecisionForm()
    if current_user.is_officer:
        disclosers = organisation_choices()
    else:
        organisation = current_user.organisation
        disclosers = [(organisation.slug, organisation.name)] if organisation else []
    form.discloser.choices = ([("", _("Choose the organisation"))] if len(disclosers) != 1 else []) + disclosers
    form.recipient.choices = [("", _("Choose the organisation"))] + organisation_choices()
    form.channel.choices = [("", _("Choose the channel"))] + channel_choices()
    if request.method == "GET":
        form.decided_on.data = clock.today()
        if len(disclosers) == 1:
            form.discloser.data = disclosers[0][0]
        for name in ("discloser", "recipient"):  # from the permitted-purpose check page, say
            slug = request.args.get(name, "").strip()
            if slug and any(slug == value for value, _label in getattr(form, name).choices):
                getattr(form, name).data = slug
        if request.args.get("purpose"):
            form.purpose.data = " ".join(request.args["purpose"].split())[:200]
        if request.args.get("category") in {value for value, _label in form.category.choices}:
            form.category.data = request.args["category"]
    return form


def _prefill_from_agreement(form, review):
    """Once an agreement covers the share, start from its lawful bases (those in force) and channel."""
    match = review.matches[0] if review.matches else None
    if match is None:
        return
    if not form.agreement.data:
        form.agreement.data = match.reference
    if not form.lawful_bases.data:
        day = review.values.get("decided_on") or clock.today()
        codes = [basis.code for basis in match.lawful_bases]
        in_force = {b.code for b in db.session.scalars(sa.select(LegalBasis).where(LegalBasis.code.in_(codes))) if b.in_force_on(day)}
        form.lawful_bases.data = [code for code in codes if code in in_force]
    if not form.channel.data and match.channel_slug:
        form.channel.data = match.channel_slug


@bp.route("/new", methods=["GET", "POST"])
@signed_in_required
def new():
    form = _decision_form()
    review, decide = None, False
    if request.method == "POST":
        form_ok = form.validate_on_submit()  # the CSRF token, and a date that is a real date
        stage = RECORD if request.form.get("action") == RECORD else CHECK
        review = review_decision(form.review_data(), current_user, stage)
        if form_ok and stage == RECORD and not review.problems:
            decision = record_decision(review, current_user)
            db.session.commit()
            current_app.logger.info("sharing decision %s recorded by %s", decision.id, current_user.email)
            flash(_("Decision recorded: %(outcome)s, case %(reference)s.", outcome=str(decision.outcome.label).lower(),
                    reference=decision.case_reference), "success")
            return redirect(url_for("decisions.show", decision_id=decision.id))
        db.session.rollback()
        form.show_problems(review.problems)
        # The decision part opens once the case details and the flowchart are complete (and stays
        # open once the practitioner has tried to record, so every message sits next to its field).
        complete = form_ok and review.suggestion is not None and not any(name in review.problems for name in CASE_FIELDS)
        decide = stage == RECORD or complete
        if complete and stage == CHECK:
            _prefill_from_agreement(form, review)
            if not form.outcome.data:
                form.outcome.data = review.suggestion.outcome.value
    return render_template(
        "decisions/new.html", form=form, review=review, decide=decide, flowchart=flowchart, outcomes=list(Outcome),
        basis_groups=_basis_groups(form.decided_on.data or clock.today()), selected=set(form.lawful_bases.data or []),
        purposes=_known_purposes(), page_title=_("Record a sharing decision"),
    )


def _basis_groups(day):
    """The catalogue entries in force on the decision's date, grouped by kind, for the picker."""
    bases = [b for b in db.session.scalars(sa.select(LegalBasis).order_by(LegalBasis.code)) if b.in_force_on(day)]
    groups = {kind: [] for kind in BasisKind}
    for basis in bases:
        groups[basis.kind].append(basis)
    return [(kind, items) for kind, items in groups.items() if items]


def _known_purposes(limit=200):
    """The purposes the register's flows list, as suggestions for the purpose box."""
    seen = {}
    query = visible_agreements(sa.select(DataFlow.purposes).join(Agreement, Agreement.id == DataFlow.agreement_id), current_user)
    for purposes in db.session.scalars(query.limit(5000)):
        for purpose in purposes or []:
            seen.setdefault(" ".join(str(purpose).split()).lower(), " ".join(str(purpose).split()))
            if len(seen) >= limit:
                return sorted(seen.values(), key=str.lower)
    return sorted(seen.values(), key=str.lower)
