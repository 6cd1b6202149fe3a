"""The permitted-purpose check page (every signed-in user) and the check log (officers)."""
import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from ..users.access import officer_required, signed_in_required
from ..core.spreadsheet import csv_download
from ..core.web import paginate
from ..extensions import db
from ..flows.models import DataCategory
from ..organisations.models import Organisation
from . import rules
from .forms import CATEGORY_HINTS, CheckForm
from .operations import ask
from .queries import OUTCOMES, VIA, check_log_counts, check_log_query, known_purposes, parse_log_filters, unanswered_questions

bp = Blueprint("sharing", __name__)

LOG_PER_PAGE = 50
LOG_HEADER = [
    "When (UTC)", "Asked by", "Via", "Discloser", "Recipient", "Data category", "Purpose", "For the date", "Permitted",
    "Agreements", "Reasons",
]


def _organisations():
    org = Organisation.__table__.c
    return db.session.execute(sa.select(org.id, org.slug, org.name).order_by(org.name)).all()


def _decisions_url(question=None):
    """The page for recording a sharing decision, with the question just asked carried over."""
    carried = {}
    if question is not None:
        carried = {"discloser": question.discloser.slug, "recipient": question.recipient.slug,
                   "category": getattr(question.category, "value", question.category)}
        if question.purpose:
            carried["purpose"] = question.purpose
    for endpoint in ("decisions.new", "decisions.index"):
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, **carried)
            except BuildError:
                continue
    return None


@bp.route("/check", methods=["GET", "POST"])
@signed_in_required
def check():
    organisations = _organisations()
    form = CheckForm(current_user, organisations)
    if request.method == "GET" and current_user.organisation is not None:
        form.discloser.data = current_user.organisation.slug
    answer = None
    if form.validate_on_submit():
        by_slug = {slug: rules.Org(id_, slug, name) for id_, slug, name in organisations}
        answer = ask(
            current_user, by_slug[form.discloser.data], by_slug[form.recipient.data], form.category.data,
            form.purpose.data, form.on.data, via="web",
        )
    return render_template(
        "sharing/check.html",
        form=form,
        answer=answer,
        category_items=[{"hint": {"text": CATEGORY_HINTS[DataCategory(value)]}} for value, _label in form.category.choices],
        categories={c.value: c for c in DataCategory},
        decisions_url=_decisions_url(answer.question if answer is not None else None),
        known_purposes=known_purposes(),
        page_title=_("Check before sharing") if answer is None else (_("Yes: an agreement covers this") if answer.permitted else _("No agreement covers this")),
    )


@bp.route("/check/log")
@officer_required
def log():
    filters = parse_log_filters(request.args)
    # A page number past what the database can count would overflow it: keep it in range.
    page = paginate(check_log_query(filters), per_page=LOG_PER_PAGE)
    total, permitted_count = check_log_counts(filters)
    return render_template(
        "sharing/log.html",
        page=page,
        filters=filters,
        outcomes=OUTCOMES,
        via_choices=VIA,
        total=total,
        permitted_count=permitted_count,
        unanswered=unanswered_questions(filters),
        categories={c.value: c for c in DataCategory},
        organisations=[(slug, name) for _id, slug, name in _organisations()],
        page_title=_("Check log"),
    )


def log_row(entry):
    return [
        entry.at.strftime("%Y-%m-%d %H:%M:%S"), entry.asked_by, entry.via, entry.discloser_name, entry.recipient_name,
        entry.category, entry.purpose or "", entry.on_date.isoformat(), entry.permitted, "; ".join(entry.agreements or []),
        " | ".join(entry.reason_messages),
    ]


@bp.route("/check/log.csv")
@officer_required
def log_csv():
    query = check_log_query(parse_log_filters(request.args)).execution_options(yield_per=1000)

    def rows():
        return (log_row(entry) for entry in db.session.scalars(query))

    return csv_download("check-log.csv", LOG_HEADER, rows)
