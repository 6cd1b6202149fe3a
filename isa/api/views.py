"""The JSON API (SPEC §7) under /api/v1/, for partner case systems: bearer tokens, JSON errors."""
from datetime import date
from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, g, request, url_for
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..agreements.models import Agreement
from ..agreements.operations import find_by_reference
from ..agreements.queries import agreements_query, can_see, parse_filters, visible_to
from ..core import clock
from ..users.access import log_refusal
from ..core.jsonload import JsonRejected, load_json
from ..core.web import json_response, pdf_response
from ..extensions import csrf, db
from ..flows.models import DataCategory
from ..legal.queries import agreement_findings, catalogue_groups
from ..organisations.models import Organisation
from ..sharing import rules
from ..sharing.operations import ask
from ..sharing.queries import organisations_by_slug
from . import serializers
from .calendar import review_calendar
from .openapi import openapi_document
from .models import CALENDAR
from .tokens import TOKEN_PREFIX, authenticate, note_use

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # machines authenticate with a bearer token, not a session cookie

MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 100
MAX_JSON_BODY = 256 * 1024  # a decision is a few KB


class ApiError(Exception):
    def __init__(self, status, message, parameter=None):
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter


def error_response(status, message, parameter=None):
    body = {"error": message}
    if parameter:
        body["parameter"] = parameter
    response = json_response(body, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="isa"'
    return response


@bp.errorhandler(ApiError)
def api_error(error):
    return error_response(error.status, error.message, error.parameter)


@bp.errorhandler(HTTPException)
def http_error(error):
    return error_response(error.code, error.description or error.name)


@bp.errorhandler(StaleDataError)
def conflict(error):
    db.session.rollback()
    return error_response(409, "Someone else changed this record at the same time; nothing was saved. Try again.")


@bp.errorhandler(Exception)
def unexpected_error(error):
    db.session.rollback()
    current_app.logger.exception("API request failed: %s", request.path)
    return error_response(500, "Sorry, there is a problem with the service. Try again later.")


# --- authentication -----------------------------------------------------------------------------


def _bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return ""


def _act_as(record):
    note_use(record)
    g.api_token, g.api_user = record, record.user


def token_required(view):
    """Authenticate the bearer token (401 otherwise) and act as its user: `g.api_user`."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = _bearer_token()
        if not token:
            raise ApiError(401, "Send an API token: Authorization: Bearer TOKEN")
        record = authenticate(token)
        if record is None:
            raise ApiError(401, "The API token is not valid, or it has expired or been revoked")
        if record.user.is_admin:  # made for an officer who has since become an administrator
            raise ApiError(403, "An API token cannot act as an administrator: sign in to administer isa")
        _act_as(record)
        return view(*args, **kwargs)

    return wrapped


def feed_or_token_required(view):
    """The calendar: an API token in the header, or a calendar feed secret in the URL (?feed=, or
    ?token= as before). An API token in the URL is refused: URLs end up in logs and shared calendars."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if _bearer_token():
            return token_required(view)(*args, **kwargs)
        secret = (request.args.get("feed") or request.args.get("token") or "").strip()
        if not secret:
            raise ApiError(401, "Subscribe with a calendar feed secret: /api/v1/calendar.ics?feed=SECRET")
        if secret.startswith(TOKEN_PREFIX):
            raise ApiError(401, "API tokens are not accepted in a URL, where logs would keep them: ask an administrator "
                                "for a calendar feed secret and subscribe with ?feed=SECRET")
        record = authenticate(secret, scope=CALENDAR)
        if record is None:
            raise ApiError(401, "The calendar feed secret is not valid, or it has expired or been revoked")
        _act_as(record)
        return view(*args, **kwargs)

    return wrapped


def visible_agreement(reference):
    """The agreement, or 404 for unknown references and for partners whose organisation is not a party."""
    agreement = find_by_reference(reference)
    if agreement is not None and not can_see(g.api_user, agreement):
        log_refusal(g.api_user, "not a party to the agreement")
        agreement = None
    if agreement is None:
        raise ApiError(404, f"No agreement {reference} (or you may not see it)")
    return agreement


def _organisation(slug, parameter):
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise ApiError(400, f"Unknown organisation {slug!r} in parameter '{parameter}'", parameter)
    return organisation


def _positive_int(name, default, maximum=None):
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum and int(raw) > maximum):
        limit = f" from 1 to {maximum}" if maximum else " of 1 or more"
        raise ApiError(400, f"Parameter '{name}' must be a whole number{limit}", name)
    return int(raw)


# --- endpoints ----------------------------------------------------------------------------------


@bp.route("/openapi.json")
def openapi():
    """The API's description: public, so a client can read how to authenticate."""
    return json_response(openapi_document(request.host_url.rstrip("/") + bp.url_prefix))


@bp.route("/schema/register.json")
def register_schema():
    """The JSON Schema of the import/export file: public, like the API's description."""
    from ..exchange.schema import register_json_schema

    return json_response(register_json_schema(request.base_url))


@bp.route("/me")
@token_required
def me():
    user = g.api_user
    return json_response({
        "email": user.email, "name": user.name, "role": user.role.value,
        "organisation": user.organisation.slug if user.organisation else None,
        "token": {"name": g.api_token.name, "prefix": g.api_token.prefix},
    })


@bp.route("/organisations")
@token_required
def organisations():
    rows = db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
    return json_response({"organisations": [serializers.organisation_json(org) for org in rows]})


@bp.route("/agreements")
@token_required
def agreements():
    filters, errors = parse_filters(request.args)
    if errors:
        parameter, message = next(iter(errors.items()))
        raise ApiError(400, f"Parameter '{parameter}': {message}", parameter)
    if "party" in filters:
        _organisation(filters["party"], "party")
    page_number = _positive_int("page", 1, MAX_PAGE)
    per_page = _positive_int("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    page = db.paginate(agreements_query(filters, g.api_user), page=page_number, per_page=per_page, error_out=False, count=True)
    today = clock.today()
    return json_response({
        "agreements": [serializers.agreement_summary_json(agreement, today) for agreement in page.items],
        "total": page.total, "page": page_number, "per_page": per_page, "pages": page.pages,
    })


@bp.route("/agreements/<reference>")
@token_required
def agreement(reference):
    return json_response(serializers.agreement_json(visible_agreement(reference), clock.today()))


@bp.route("/agreements/<reference>/findings")
@token_required
def findings(reference):
    found = visible_agreement(reference)
    return json_response({"agreement": found.reference, "findings": [f.as_dict() for f in agreement_findings(found, clock.today())]})


@bp.route("/agreements/<reference>/protocol.pdf")
@token_required
def protocol(reference):
    """The stored protocol (200), or 202 with Retry-After and Location while the scheduler prepares it.
    In English, or in Welsh with `?lang=cy`; the JSON answers stay in English whatever the language."""
    from flask_babel import force_locale

    from ..core.i18n import DEFAULT as ENGLISH, LANGUAGES
    from ..documents.queue import RETRY_AFTER_SECONDS, preparing_message, protocol_state

    language = request.args.get("lang", ENGLISH).strip() or ENGLISH
    if language not in LANGUAGES:
        raise ApiError(400, f"Parameter 'lang' must be one of {', '.join(LANGUAGES)}", "lang")
    found = visible_agreement(reference)
    state = protocol_state(found, language)
    if state.document is None:
        here = url_for("api.protocol", reference=found.reference, **({} if language == ENGLISH else {"lang": language}))
        with force_locale(ENGLISH):
            message = preparing_message(found, state)
        if state.failed:
            raise ApiError(503, message + " The governance team can see why and can ask for it again.")
        response = json_response({
            "status": state.job.status.value, "version": found.protocol_version,
            "queued_at": state.job.queued_at.isoformat() + "Z", "message": message, "location": here,
        })
        response.status_code = 202
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Location"] = here
        response.headers["Cache-Control"] = "no-store"
        return response
    document = state.document  # stored with its SHA-256 and the version it shows
    return pdf_response(document.pdf, document.filename, document.sha256, attachment=False)


def _visible_organisation(slug):
    """An organisation whose records the token may have (a partner: its own), or 404."""
    from ..records.downloads import organisation_for

    organisation = organisation_for(g.api_user, slug)
    if organisation is None:
        raise ApiError(404, f"No organisation {slug} (or you may not see its records)")
    return organisation


@bp.route("/organisations/<slug>/processing-record.xlsx")
@token_required
def processing_record_xlsx(slug):
    from ..records.downloads import processing_record_xlsx as download

    return download(_visible_organisation(slug), clock.today())


@bp.route("/organisations/<slug>/processing-record.csv")
@token_required
def processing_record_csv(slug):
    from ..records.downloads import processing_record_csv as download

    return download(_visible_organisation(slug), clock.today())


@bp.route("/organisations/<slug>/processing-record.pdf")
@token_required
def processing_record_pdf(slug):
    """The record as PDF (200) once the scheduler has made it; 202 with Retry-After and Location until then."""
    from ..documents.queue import RETRY_AFTER_SECONDS
    from ..records.queue import processing_record_document
    from ..records.downloads import pdf_download

    organisation = _visible_organisation(slug)
    document = processing_record_document(organisation, g.api_user.email)
    if document.status.value == "done":
        return pdf_download(document)
    if document.failed:
        raise ApiError(503, f"The record of processing activities of {organisation.name} could not be prepared: {document.last_error}")
    here = url_for("api.processing_record_pdf", slug=organisation.slug)
    response = json_response({
        "status": document.status.value, "queued_at": document.queued_at.isoformat() + "Z", "location": here,
        "message": f"The record of processing activities of {organisation.name} is being prepared.",
    })
    response.status_code = 202
    response.headers.update({"Retry-After": str(RETRY_AFTER_SECONDS), "Location": here, "Cache-Control": "no-store"})
    return response


@bp.route("/organisations/<slug>/exit-pack.zip")
@token_required
def exit_pack(slug):
    from ..records.downloads import exit_pack_zip

    return exit_pack_zip(_visible_organisation(slug), clock.today())


@bp.route("/legal-bases")
@token_required
def legal_bases():
    groups = catalogue_groups(today=clock.today())
    return json_response({"legal_bases": [serializers.legal_basis_json(basis) for _kind, entries in groups for basis in entries]})


@bp.route("/permitted")
@token_required
def permitted():
    args = request.args
    for name in ("discloser", "recipient", "category"):
        if not (args.get(name) or "").strip():
            raise ApiError(400, f"Parameter '{name}' is required", name)
    discloser_slug, recipient_slug = args["discloser"].strip(), args["recipient"].strip()
    found = organisations_by_slug([discloser_slug, recipient_slug])
    for name, slug in (("discloser", discloser_slug), ("recipient", recipient_slug)):
        if slug not in found:
            raise ApiError(400, f"Unknown organisation {slug!r} in parameter '{name}'", name)
    if discloser_slug == recipient_slug:
        raise ApiError(400, "Parameter 'recipient' must name an organisation other than the discloser", "recipient")
    category = args["category"].strip()
    if category not in {c.value for c in DataCategory}:
        choices = ", ".join(c.value for c in DataCategory)
        raise ApiError(400, f"Unknown data category {category!r} in parameter 'category': use one of {choices}", "category")
    purpose = rules.normalise_purpose(args.get("purpose"))
    if purpose and len(purpose) > 200:
        raise ApiError(400, "Parameter 'purpose' must be 200 characters or fewer", "purpose")
    on = None
    if (args.get("on") or "").strip():
        try:
            on = date.fromisoformat(args["on"].strip())
        except ValueError:
            raise ApiError(400, "Parameter 'on' must be a date as YYYY-MM-DD, for example 2027-12-01", "on")
    discloser, recipient = found[discloser_slug], found[recipient_slug]
    if not rules.partner_may_ask(g.api_user, discloser.id, recipient.id):
        raise ApiError(403, "A partner's token may ask only about sharing by or with its own organisation")
    answer = ask(g.api_user, discloser, recipient, category, purpose, on, via="api")
    return json_response(answer.as_dict())


@bp.route("/decisions", methods=["POST"])
@token_required
def record_decision():
    """A sharing decision recorded by a case system (golden rule 7): the form's own checks apply."""
    from ..decisions.operations import create_decision_from_json

    if not request.is_json:
        raise ApiError(400, "Send the decision as a JSON object with Content-Type: application/json", "body")
    if (request.content_length or 0) > MAX_JSON_BODY:
        raise ApiError(413, f"The request body is larger than {MAX_JSON_BODY // 1024} KB", "body")
    try:
        payload = load_json(request.get_data(cache=False), "The request body")
    except JsonRejected as error:
        raise ApiError(400, str(error), "body")
    decision, problems = create_decision_from_json(payload, g.api_user)
    db.session.commit()
    if problems:
        field, message = next(iter(problems.items()))
        body = {"error": message, "parameter": field, "errors": problems}
        return json_response(body, 400)
    response = json_response(decision.as_dict(), 201)
    response.headers["Location"] = url_for("decisions.show", decision_id=decision.id)
    return response


@bp.route("/calendar.ics")
@feed_or_token_required
def calendar():
    """Calendar apps cannot send headers, so this feed takes a calendar feed secret in its URL."""
    query = visible_to(
        sa.select(Agreement.reference, Agreement.title, Agreement.review_date)
        .where(Agreement.in_force_on(clock.today()))
        .order_by(Agreement.review_date, Agreement.reference),
        g.api_user,
    )
    base = current_app.config["SERVER_NAME_FOR_LINKS"].rstrip("/")

    def link_for(reference):
        return base + url_for("agreements.show", reference=reference)

    body = review_calendar(db.session.execute(query), link_for)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="isa-reviews.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(path):
    """Unknown addresses and methods under /api/v1/ answer in JSON too."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        if endpoint != request.endpoint and method != request.method:
            raise ApiError(405, f"{request.method} is not allowed here: use {method}")
    raise ApiError(404, "No such API endpoint: see /api/v1/openapi.json")
