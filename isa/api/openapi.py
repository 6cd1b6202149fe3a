"""The OpenAPI 3.1 description of the JSON API. tests/test_api.py validates real responses against it.

The records' components (organisations, agreements, their parties and flows) are generated from the
register file's schemas (`isa/<domain>/schemas.py`); the API's own answers are described here.
"""
import copy

from pydantic.json_schema import models_json_schema

from ..agreements.schemas import AgreementRecord
from ..channels.schemas import ChannelRecord
from ..organisations.schemas import OrganisationRecord
from ..agreements.models import AgreementStatus, PartyRole
from ..flows.models import ConsentApproach, DataCategory, Frequency
from ..legal.findings import SEVERITIES
from ..legal.models import BasisKind, Regime
from ..organisations.types import StatutoryRole
from ..sharing.rules import REASON_CODES
from ..users.models import Role


def _values(enum_cls):
    return [member.value for member in enum_cls]


def _object(properties, required=None):
    """A closed object: every property listed, all of them required unless told otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _record_schemas():
    """The register file's record schemas (pydantic), as components: the API answers in the same shapes."""
    _, generated = models_json_schema(
        [(AgreementRecord, "serialization"), (OrganisationRecord, "serialization"), (ChannelRecord, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    return generated["$defs"]


RECORDS = _record_schemas()


def _with_record(name, **extra):
    """A record's schema with the API's own fields beside it; the API always sends every field."""
    schema = copy.deepcopy(RECORDS[name])
    schema["properties"].update(extra)
    schema["required"] = list(schema["properties"])
    return schema


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
STRINGS = {"type": "array", "items": STRING}

SCHEMAS = {
    **RECORDS,
    "Error": _object(
        {"error": {"type": "string", "description": "What went wrong, naming the bad parameter if there is one"},
         "parameter": {"type": "string", "description": "The query parameter at fault (400 only)"}},
        required=["error"],
    ),
    "Me": _object({
        "email": STRING, "name": STRING, "role": {"enum": _values(Role)}, "organisation": NULLABLE_STRING,
        "token": _object({"name": STRING, "prefix": STRING}),
    }),
    "Organisation": _with_record("OrganisationRecord", statutory_roles={"type": "array", "items": {"enum": _values(StatutoryRole)}}),
    "AgreementSummary": _object({
        "reference": STRING, "title": STRING, "status": {"enum": _values(AgreementStatus)}, "start_date": DATE,
        "review_date": DATE, "end_date": NULLABLE_DATE,
        "review_overdue": {"type": "boolean", "description": "In force and the review date has passed"},
        "lead_organisation": NULLABLE_STRING,
        "parties": {"type": "array", "items": _object({
            "organisation": STRING, "name": STRING, "role": {"enum": _values(PartyRole)}, "signed_on": NULLABLE_DATE,
        })},
    }),
    "AgreementList": _object({
        "agreements": {"type": "array", "items": _ref("AgreementSummary")},
        "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1}, "pages": {"type": "integer", "minimum": 0},
    }),
    "Agreement": _with_record("AgreementRecord", version={"type": "integer"}, review_overdue={"type": "boolean"}),
    "Findings": _object({
        "agreement": STRING,
        "findings": {"type": "array", "items": _object({
            "rule": STRING, "severity": {"enum": list(SEVERITIES)}, "message": STRING,
            "flow_id": {"type": ["integer", "null"]}, "flow_label": NULLABLE_STRING,
        })},
    }),
    "LegalBases": _object({
        "legal_bases": {"type": "array", "items": _object({
            "code": STRING, "regime": {"enum": _values(Regime)}, "kind": {"enum": _values(BasisKind)}, "title": STRING,
            "summary": STRING, "in_force_from": NULLABLE_DATE, "in_force_to": NULLABLE_DATE, "successors": STRINGS,
            "local": {"type": "boolean", "description": "Added by an administrator, not shipped with isa"},
        })},
    }),
    "PermittedAnswer": _object({
        "permitted": {"type": "boolean"},
        "question": _object({
            "discloser": STRING, "recipient": STRING, "category": {"enum": _values(DataCategory)},
            "purpose": NULLABLE_STRING, "on": DATE,
        }),
        "matches": {"type": "array", "items": _object({
            "agreement": STRING, "title": STRING, "status": {"enum": _values(AgreementStatus)}, "flow_id": {"type": "integer"},
            "items": STRING, "categories": STRINGS, "purposes": STRINGS,
            "lawful_bases": {"type": "array", "items": _object({
                "code": STRING,
                "title": {"type": ["string", "null"], "description": "Null for a code missing from the catalogue"},
                "summary": NULLABLE_STRING,
            })},
            "channel": {"oneOf": [{"type": "null"}, _object({"slug": STRING, "name": STRING})]},
            "consent": {"enum": _values(ConsentApproach)}, "frequency": {"enum": _values(Frequency)},
            "review_date": DATE,
            "review_overdue": {"type": "boolean", "description": "A warning for the owner, not a refusal"},
            "version": {"type": ["integer", "null"], "description": "The protocol version the answer comes from"},
            "awaiting_version": {"type": ["integer", "null"],
                                 "description": "A newer version awaiting signatures (the answer comes from the signed one)"},
        })},
        "reasons": {"type": "array", "items": _object({
            "code": {"enum": list(REASON_CODES)}, "message": STRING,
            "agreement": {"type": ["string", "null"], "description": "The agreement the reason is about"},
            "findings": {"type": "array", "description": "For legal_errors: the error findings of the flows that would cover it",
                         "items": _object({"rule": STRING, "severity": STRING, "message": STRING})},
        })},
        "notes": {"type": "array", "items": STRING,
                  "description": "Things to know whatever the answer: a version awaiting signatures, what anonymised means"},
        "advice": {"type": ["string", "null"], "description": "When not permitted: the reminder about ad hoc sharing"},
        "truncated": {"type": "boolean", "description": "True when more matches or reasons exist than the answer lists (a note says how many)"},
        "nearest_purposes": {"type": "array", "items": STRING,
                             "description": "When only the purpose's wording stood in the way: the purposes that would have matched, nearest first"},
    }),
}


_DECISION_FIELDS = {
    "decided_on": {**DATE, "description": "The day of the decision (default today)"},
    "discloser": {**STRING, "description": "The disclosing organisation's slug"},
    "recipient": {**STRING, "description": "The receiving organisation's slug"},
    "case_reference": {**STRING, "description": "Your case reference. Never a person's name or date of birth"},
    "purpose": STRING,
    "category": {"enum": _values(DataCategory), "description": "The kind of information (default personal)"},
    "answers": {"type": "object", "description": "The flowchart answers, question key to answer"},
    "outcome": {"enum": ["share", "do_not_share"]},
    "override_reason": {**NULLABLE_STRING, "description": "Why, when the outcome differs from the flowchart's suggestion"},
    "reasons": {**STRING, "description": "The reasons for the decision"},
    "lawful_bases": {**STRINGS, "description": "Catalogue codes relied on"},
    "shared": {**NULLABLE_STRING, "description": "What was shared"},
    "channel": {**NULLABLE_STRING, "description": "The transfer channel's slug"},
    "agreement": {**NULLABLE_STRING, "description": "The covering agreement's reference (default: the first that covers it)"},
}
SCHEMAS["DecisionInput"] = _object(_DECISION_FIELDS, required=["discloser", "recipient", "case_reference", "purpose", "answers", "outcome", "reasons"])
SCHEMAS["Decision"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "decided_on": DATE, "discloser": STRING, "recipient": STRING, "case_reference": STRING,
        "purpose": STRING, "category": {"enum": _values(DataCategory)}, "answers": {"type": "object"},
        "suggested_outcome": {"enum": ["share", "do_not_share"]}, "outcome": {"enum": ["share", "do_not_share"]},
        "override_reason": NULLABLE_STRING, "reasons": NULLABLE_STRING, "lawful_bases": STRINGS, "shared": NULLABLE_STRING,
        "channel": NULLABLE_STRING, "agreement": NULLABLE_STRING, "recorded_by": STRING, "recorded_via": STRING,
        "created_at": STRING,
    },
    "required": ["id", "decided_on", "discloser", "recipient", "case_reference", "outcome", "recorded_by"],
}
SCHEMAS["DecisionProblems"] = {
    "type": "object",
    "properties": {"error": STRING, "parameter": STRING, "errors": {"type": "object", "additionalProperties": STRING}},
    "required": ["error"],
}


def _error(description):
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


UNAUTHORISED = _error("No token, or a token that is not valid or has been revoked")
BAD_PARAMETER = _error("A parameter is missing or malformed; `parameter` names it")
NOT_FOUND = _error("No such agreement, or the token's organisation is not a party to it")
SLUG = {"name": "slug", "in": "path", "required": True, "schema": STRING, "description": "The organisation's slug, like herts-police"}
ORGANISATION_NOT_FOUND = _error("No such organisation, or a partner's token asked for another organisation's records")
REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": STRING, "description": "The agreement's reference, like ISA-2024-001"}


def _query(name, description, schema=STRING, required=False):
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _get(summary, ok, parameters=(), errors=None, security=True, description=None):
    operation = {"summary": summary, "parameters": list(parameters), "responses": {"200": ok}}
    if description:
        operation["description"] = description
    if security:
        operation["responses"]["401"] = UNAUTHORISED
    else:
        operation["security"] = []
    operation["responses"].update(errors or {})
    return {"get": operation}


def openapi_document(server_url="/api/v1"):
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "isa: the register of information sharing agreements",
            "version": "1.0.0",
            "description": (
                "For partner case systems. Send `Authorization: Bearer TOKEN` with a token an administrator "
                "created (or `flask --app isa tokens create EMAIL`). A partner's token sees only the agreements "
                "its organisation is party to (others answer 404); officers' and administrators' tokens see all. "
                "Errors are JSON `{\"error\": \"...\"}` with a 4xx status."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/openapi.json": _get("This description of the API", {"description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}, security=False),
            "/schema/register.json": _get("The JSON Schema of the import/export file (built from the same record schemas)", {"description": "A JSON Schema (2020-12)", "content": {"application/json": {"schema": {"type": "object"}}}}, security=False),
            "/me": _get("Who the token acts for", _json("The token's user", _ref("Me"))),
            "/organisations": _get(
                "Every organisation in the register",
                _json("Organisations by name", _object({"organisations": {"type": "array", "items": _ref("Organisation")}})),
            ),
            "/agreements": _get(
                "The agreements the token may see, filtered",
                _json("One page of agreements, by reference", _ref("AgreementList")),
                [
                    _query("party", "Only agreements this organisation (slug) is party to"),
                    _query("status", "Only agreements with this status", {"enum": _values(AgreementStatus)}),
                    _query("review_due_before", "Only agreements whose review date is before this day", DATE),
                    _query("q", "Only agreements whose reference or title contains this text"),
                    _query("page", "The page to return", {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1}),
                    _query("per_page", "Agreements per page", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}),
                ],
                {"400": BAD_PARAMETER},
            ),
            "/agreements/{reference}": _get(
                "One agreement in the import/export format", _json("The agreement", _ref("Agreement")), [REFERENCE], {"404": NOT_FOUND}
            ),
            "/agreements/{reference}/findings": _get(
                "The legal-mapping findings of one agreement (SPEC §3)",
                _json("Findings, errors first", _ref("Findings")), [REFERENCE], {"404": NOT_FOUND},
            ),
            "/agreements/{reference}/protocol.pdf": _get(
                "The agreement's Information Sharing Protocol as a PDF",
                {"description": "The PDF, as stored with its SHA-256 (header X-Content-SHA256)", "content": {"application/pdf": {}}},
                [REFERENCE, _query("lang", "The document's language: en (English, the default) or cy (Welsh)",
                                   {"type": "string", "enum": ["en", "cy"], "default": "en"})],
                {
                    "202": {
                        "description": "The scheduler is preparing the document of the current version: ask again at "
                        "`Location` after `Retry-After` seconds",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}, "Location": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "status": {"type": "string", "enum": ["queued", "rendering"]}, "version": {"type": "integer"},
                            "queued_at": {"type": "string", "format": "date-time"}, "message": {"type": "string"},
                            "location": {"type": "string"}}}}},
                    },
                    "400": BAD_PARAMETER,
                    "404": NOT_FOUND,
                    "503": {"description": "The document could not be prepared; officers can see why and ask again",
                            "content": {"application/json": {"schema": _ref("Error")}}},
                },
            ),
            "/organisations/{slug}/processing-record.xlsx": _get(
                "The organisation's record of processing activities (UK GDPR Art 30), built from the flows, as a workbook",
                {"description": "An XLSX workbook: a frozen header row with filters, dates as dates",
                 "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}},
                [SLUG], {"404": ORGANISATION_NOT_FOUND},
            ),
            "/organisations/{slug}/processing-record.csv": _get(
                "The same record of processing activities as CSV (UTF-8, dates as YYYY-MM-DD)",
                {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                [SLUG], {"404": ORGANISATION_NOT_FOUND},
            ),
            "/organisations/{slug}/processing-record.pdf": _get(
                "The same record of processing activities as PDF, made by the scheduler when first asked for",
                {"description": "The PDF", "headers": {"X-Content-SHA256": {"schema": {"type": "string"}}},
                 "content": {"application/pdf": {}}},
                [SLUG],
                {
                    "202": {
                        "description": "The scheduler is preparing the PDF: ask again at `Location` after `Retry-After` seconds",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}, "Location": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "status": {"type": "string", "enum": ["queued", "rendering"]},
                            "queued_at": {"type": "string", "format": "date-time"}, "message": {"type": "string"},
                            "location": {"type": "string"}}}}},
                    },
                    "404": ORGANISATION_NOT_FOUND,
                    "503": {"description": "The PDF could not be prepared", "content": {"application/json": {"schema": _ref("Error")}}},
                },
            ),
            "/organisations/{slug}/exit-pack.zip": _get(
                "Everything the register holds about the organisation: its agreements in the import format, protocol "
                "PDFs with SHA-256, signatures, sharing decisions and the history of its records",
                {"description": "A ZIP file", "content": {"application/zip": {}}},
                [SLUG], {"404": ORGANISATION_NOT_FOUND},
            ),
            "/legal-bases": _get("The lawful-basis catalogue", _json("Every entry, grouped by kind", _ref("LegalBases"))),
            "/permitted": _get(
                "May the discloser share this data category with the recipient, for this purpose, on this day? (SPEC §4)",
                _json("The answer: every matching agreement and flow, or the reasons nothing matches", _ref("PermittedAnswer")),
                [
                    _query("discloser", "The disclosing organisation's slug", required=True),
                    _query("recipient", "The receiving organisation's slug", required=True),
                    _query("category", "The data category", {"enum": _values(DataCategory)}, required=True),
                    _query("purpose", "The purpose, matched against each flow's purposes ignoring case"),
                    _query("on", "The day of the sharing (default today)", DATE),
                ],
                {"400": BAD_PARAMETER, "403": _error("A partner's token asked about sharing neither by nor with its own organisation")},
                description="Every check is logged with who asked, when, the question and the answer.",
            ),
            "/decisions": {"post": {
                "summary": "Record a sharing decision (golden rule 7), checked as the web form checks it",
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("DecisionInput")}}},
                "responses": {
                    "201": _json("The decision as recorded", _ref("Decision")),
                    "400": _json("The decision was not recorded: `errors` names each bad field", _ref("DecisionProblems")),
                    "401": UNAUTHORISED,
                },
            }},
            "/calendar.ics": _get(
                "Review dates of the agreements in force that the token may see, as an iCalendar feed",
                {"description": "An iCalendar (RFC 5545) feed with an all-day event per review date",
                 "content": {"text/calendar": {"schema": {"type": "string", "contentMediaType": "text/calendar"}}}},
                [_query("feed", "A calendar feed secret (`isacal_…`), for calendar apps that cannot send an Authorization header; "
                        "API tokens are refused in the URL"),
                 _query("token", "The same as `feed` (an older name)")],
                description="Subscribe in Outlook or Google Calendar with the URL `/api/v1/calendar.ics?feed=SECRET`, a "
                            "calendar feed secret an administrator created: it reads this calendar and nothing else.",
            ),
        },
    }
