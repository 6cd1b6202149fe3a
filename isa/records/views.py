"""Records pages and downloads (officers: any organisation; partners: their own), and the open feed."""
import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.tracking import current_actor
from ..core import clock
from ..core.i18n import language
from ..documents.queue import RETRY_AFTER_SECONDS
from ..users.access import officer_required, signed_in_required
from ..core.spreadsheet import csv_download
from ..core.web import json_response
from ..extensions import db
from ..organisations.models import Organisation
from ..public.queries import published_all
from . import queue, rules, spreadsheets
from .downloads import exit_pack_zip, organisation_for, pdf_download, processing_record_csv, processing_record_xlsx, spooled_download
from .feed import FEED_COLUMNS, feed_record, feed_row
from .queries import snapshot

bp = Blueprint("records", __name__, url_prefix="/records")
feed_bp = Blueprint("feed", __name__)


def _visible(slug):
    organisation = organisation_for(current_user, slug)
    if organisation is None:
        abort(404)
    return organisation


# --- pages --------------------------------------------------------------------------------------


@bp.route("/")
@signed_in_required
def index():
    if not current_user.is_officer:
        if current_user.organisation is None:
            abort(404)
        return redirect(url_for("records.show", slug=current_user.organisation.slug))
    organisations = db.session.execute(sa.select(Organisation.slug, Organisation.name).order_by(Organisation.name)).all()
    return render_template("records/index.html", organisations=organisations, page_title=_("Records of processing and sharing"))


@bp.route("/<slug>")
@signed_in_required
def show(slug):
    organisation = _visible(slug)
    today = clock.today()
    register = snapshot(organisation.id)
    return render_template(
        "records/show.html", organisation=organisation, rows=rules.processing_rows(register, organisation.id, today),
        columns=rules.PROCESSING_COLUMNS, receives=rules.RECEIVES_WORD,
        page_title=_("Record of processing activities – %(name)s", name=organisation.name),
    )


@bp.route("/<slug>/sharing-register")
@signed_in_required
def sharing_register(slug):
    organisation = _visible(slug)
    today = clock.today()
    rows = rules.sharing_register_rows(snapshot(organisation.id), organisation.id, today)
    return render_template(
        "records/sharing_register.html", organisation=organisation, rows=rows, columns=rules.SHARING_COLUMNS, yes=rules.YES,
        page_title=_("Data sharing register (DSPT 1.1.2) – %(name)s", name=organisation.name),
    )


# --- downloads ----------------------------------------------------------------------------------


@bp.route("/processing-records.xlsx")
@officer_required
def partnership_xlsx():
    """Every organisation's Art 30 record, a sheet each, in one workbook."""
    today = clock.today()
    register = snapshot()
    order = sorted(register.organisations, key=lambda org_id: (register.organisations[org_id].name, org_id))
    return spooled_download(
        lambda target: spreadsheets.processing_workbook(target, register, order, today),
        f"processing-records-{today.isoformat()}.xlsx", spreadsheets.XLSX_MIMETYPE,
    )


@bp.route("/<slug>/processing-record.xlsx")
@signed_in_required
def processing_xlsx(slug):
    return processing_record_xlsx(_visible(slug), clock.today())


@bp.route("/<slug>/processing-record.csv")
@signed_in_required
def processing_csv(slug):
    return processing_record_csv(_visible(slug), clock.today())


@bp.route("/<slug>/sharing-register.xlsx")
@signed_in_required
def sharing_xlsx(slug):
    organisation, today = _visible(slug), clock.today()
    register = snapshot(organisation.id)
    return spooled_download(
        lambda target: spreadsheets.sharing_register_workbook(target, register, organisation.id, today),
        f"sharing-register-{organisation.slug}-{today.isoformat()}.xlsx", spreadsheets.XLSX_MIMETYPE,
    )


@bp.route("/<slug>/sharing-register.csv")
@signed_in_required
def sharing_csv(slug):
    organisation, today = _visible(slug), clock.today()
    organisation_id = organisation.id

    def rows():  # read while the body is sent, in the session the stream has then
        return spreadsheets.csv_values(rules.sharing_register_rows(snapshot(organisation_id), organisation_id, today))

    return csv_download(f"sharing-register-{organisation.slug}-{today.isoformat()}.csv", rules.SHARING_COLUMNS, rows)


@bp.route("/<slug>/processing-record.pdf")
@signed_in_required
def processing_pdf(slug):
    """The record as PDF once the scheduler has made it; until then a page that says so (202) and
    shows the document as soon as it is ready. Never a render in this request."""
    organisation = _visible(slug)
    document = queue.processing_record_document(organisation, current_actor(), language())
    if document.status.value == "done":
        return pdf_download(document)
    page = render_template("records/preparing.html", organisation=organisation, document=document,
                           page_title=_("Record of processing activities (PDF) – %(name)s", name=organisation.name))
    if document.failed:
        return page, 503
    return page, 202, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


@bp.route("/<slug>/processing-record/status.json")
@signed_in_required
def processing_pdf_status(slug):
    """Whether the PDF asked for is ready: the page that waits for it asks every few seconds."""
    document = queue.processing_record_document(_visible(slug), current_actor(), language())
    response = jsonify({"ready": document.status.value == "done", "status": document.status.value})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<slug>/processing-record/retry", methods=["POST"])
@signed_in_required
def processing_pdf_retry(slug):
    """Ask again for a PDF whose render was given up."""
    organisation = _visible(slug)
    document = queue.processing_record_document(organisation, current_actor(), language())
    if document.failed:
        queue.ask_again(document)
    return redirect(url_for("records.processing_pdf", slug=organisation.slug))


@bp.route("/<slug>/exit-pack.zip")
@signed_in_required
def exit_pack(slug):
    return exit_pack_zip(_visible(slug), clock.today())


# --- the open data feed (no sign-in) ------------------------------------------------------------


@feed_bp.route("/register.json")
def register_json():
    today = clock.today()
    records = [feed_record(summary, today) for summary in published_all()]
    response = json_response({"as_at": today.isoformat(), "count": len(records), "agreements": records})
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@feed_bp.route("/register.csv")
def register_csv():
    today = clock.today()

    def rows():  # read while the body is sent, in the session the stream has then
        return (feed_row(feed_record(summary, today)) for summary in published_all())

    response = csv_download(f"register-{today.isoformat()}.csv", FEED_COLUMNS, rows)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
