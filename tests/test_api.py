"""The JSON API (SPEC §7): tokens, every endpoint, JSON errors, and responses that match openapi.json."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.deserializing.media_types.util import plain_loads

from isa.agreements.models import AgreementStatus
from isa.api.models import ApiToken
from isa.api.openapi import openapi_document
from isa.api.tokens import TokenError, create_token, hash_token
from isa.audit.tracking import acting_as
from isa.core.db import utcnow
from isa.core.i18n import govdate
from isa.users.models import Role
from isa.sharing.models import CheckLog
from isa.documents.models import ProtocolDocument
from isa.extensions import db as _db
from tests.conftest import count, post_form, run_render_queue

# iCalendar is text: read it as a string, as a client would, before checking it against its schema.
SPEC = OpenAPI.from_dict(
    openapi_document("http://localhost/api/v1"), config=Config(extra_media_type_deserializers={"text/calendar": plain_loads})
)


@pytest.fixture
def world(make, db):
    police = make.organisation(slug="herts-police", name="Hertfordshire Constabulary", type="police")
    council = make.organisation(slug="herts-cc", name="Hertfordshire County Council")
    charity = make.organisation(slug="safe-families", name="Safe <Families> & Co", type="charity")
    outsider = make.organisation(slug="outsider", name="Outsider Trust")
    channel = make.channel(slug="secure-email", name="Secure email")
    safeguarding = make.agreement(
        parties=[police, council], reference="ISA-2024-001", title="Family safeguarding", status=AgreementStatus.ACTIVE,
        review_date=date.today() - timedelta(days=3),
    )
    safeguarding.flows[0].categories = ["personal", "special_category"]
    safeguarding.flows[0].lawful_bases = ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]
    safeguarding.flows[0].channel = channel
    make.agreement(parties=[council, charity], reference="ISA-2025-002", title="Youth <work>", status=AgreementStatus.ACTIVE,
                   review_date=date(2028, 3, 1))
    make.agreement(parties=[police, council], reference="ISA-2025-003", title="Draft protocol", status=AgreementStatus.DRAFT)
    db.session.commit()
    users = {
        "officer": make.user(role="officer", email="officer@example.org"),
        "admin": make.user(role="admin", email="admin@example.org"),
        "partner": make.user(role="partner", organisation=police, email="partner@example.org"),
        "outsider": make.user(role="partner", organisation=outsider, email="outsider@example.org"),
    }
    tokens = {}
    with acting_as("test"):
        for role, user in users.items():
            if role != "admin":  # an API token never acts as an administrator
                _record, tokens[role] = create_token(user, f"{role} system")
        db.session.commit()
    return tokens


def get(client, path, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(path, headers=headers)


def validated(response):
    """The response, after checking the request and the response against openapi.json."""
    request = WerkzeugOpenAPIRequest(response.request)
    SPEC.validate_response(request, WerkzeugOpenAPIResponse(response))
    return response


# --- authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer isa_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
    ids=["none", "empty", "unknown", "basic", "huge"],
)
def test_without_a_valid_token_the_answer_is_401(client, world, headers):
    response = client.get("/api/v1/agreements", headers=headers)
    assert response.status_code == 401
    assert response.is_json and set(response.json) == {"error"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    validated(response)


def test_a_browser_session_does_not_open_the_api(client, world, login_as):
    login_as("officer")
    assert client.get("/api/v1/agreements").status_code == 401


def test_tokens_are_stored_hashed_and_record_their_last_use(client, db, world):
    token = world["partner"]
    record = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "partner system")).one()
    assert record.token_hash == hash_token(token) and token not in (record.token_hash, record.prefix)
    assert token.startswith(record.prefix) and record.last_used_at is None
    assert get(client, "/api/v1/me", token).status_code == 200
    db.session.refresh(record)
    assert record.last_used_at is not None


def test_a_revoked_token_or_a_deactivated_user_is_refused(client, db, world):
    record = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "officer system")).one()
    record.revoked_at = record.created_at
    partner = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "partner system")).one()
    partner.user.active = False
    db.session.commit()
    assert get(client, "/api/v1/me", world["officer"]).status_code == 401
    assert get(client, "/api/v1/me", world["partner"]).status_code == 401
    assert get(client, "/api/v1/me", world["outsider"]).status_code == 200


def test_a_token_expires_after_its_chosen_lifetime(client, db, world):
    record = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "officer system")).one()
    assert record.expires_at - record.created_at == timedelta(days=90)  # the default
    assert get(client, "/api/v1/me", world["officer"]).status_code == 200
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = get(client, "/api/v1/me", world["officer"])
    assert response.status_code == 401 and "expired" in response.json["error"]


def test_no_token_acts_as_an_administrator(client, db, world, make):
    admin = make.user(role="admin", email="another-admin@example.org")
    with acting_as("test"), pytest.raises(TokenError, match="cannot act as an administrator"):
        create_token(admin, "admin system")
    # an officer's token, the officer later made an administrator: refused, not promoted
    record = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "officer system")).one()
    record.user.role = Role.ADMIN
    db.session.commit()
    response = get(client, "/api/v1/me", world["officer"])
    assert response.status_code == 403 and "cannot act as an administrator" in response.json["error"]


def test_the_admin_page_refuses_an_administrators_token_and_shows_the_expiry(client, db, world, login_as):
    admin = login_as("admin")
    before = count(db, ApiToken)
    response = post_form(client, "/tokens/new", {"scope": "api", "user": str(admin.id), "name": "Mine", "lifetime": "30"})
    assert "cannot act as an administrator" in response.get_data(as_text=True) and count(db, ApiToken) == before
    officer = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "officer system")).one().user
    response = post_form(client, "/tokens/new", {"scope": "api", "user": str(officer.id), "name": "Case system", "lifetime": "30"})
    record = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "Case system")).one()
    assert record.expires_at - record.created_at == timedelta(days=30)
    assert f"Expires on {govdate(record.expires_at)}" in response.get_data(as_text=True)


def test_me_names_the_tokens_user(client, world):
    response = validated(get(client, "/api/v1/me", world["partner"]))
    assert response.json["email"] == "partner@example.org"
    assert response.json["role"] == "partner" and response.json["organisation"] == "herts-police"
    assert response.json["token"]["name"] == "partner system"


# --- the register ---------------------------------------------------------------------------------


def test_organisations(client, world):
    response = validated(get(client, "/api/v1/organisations", world["partner"]))
    slugs = [org["slug"] for org in response.json["organisations"]]
    assert set(slugs) == {"herts-police", "herts-cc", "safe-families", "outsider"}
    police = next(org for org in response.json["organisations"] if org["slug"] == "herts-police")
    assert police["type"] == "police" and "cda1998_s115_authority" in police["statutory_roles"]


def test_json_escapes_markup(client, world):
    response = get(client, "/api/v1/organisations", world["officer"])
    body = response.get_data(as_text=True)
    assert "<Families>" not in body and "\\u003cFamilies\\u003e \\u0026 Co" in body
    assert any(org["name"] == "Safe <Families> & Co" for org in response.json["organisations"])


def test_officer_token_sees_every_agreement_partner_token_its_own(client, world):
    officer = validated(get(client, "/api/v1/agreements", world["officer"])).json
    assert [a["reference"] for a in officer["agreements"]] == ["ISA-2024-001", "ISA-2025-002", "ISA-2025-003"]
    assert officer["total"] == 3 and officer["page"] == 1
    partner = validated(get(client, "/api/v1/agreements", world["partner"])).json
    assert [a["reference"] for a in partner["agreements"]] == ["ISA-2024-001", "ISA-2025-003"]
    first = partner["agreements"][0]
    assert first["review_overdue"] is True
    assert {p["organisation"] for p in first["parties"]} == {"herts-police", "herts-cc"}
    assert validated(get(client, "/api/v1/agreements", world["outsider"])).json["agreements"] == []


@pytest.mark.parametrize(
    "query, references",
    [
        ("status=active", ["ISA-2024-001", "ISA-2025-002"]),
        ("party=safe-families", ["ISA-2025-002"]),
        ("review_due_before=2028-01-01", ["ISA-2024-001", "ISA-2025-003"]),
        ("status=draft&party=herts-police", ["ISA-2025-003"]),
        ("q=youth", ["ISA-2025-002"]),
        ("per_page=1&page=2", ["ISA-2025-002"]),
    ],
)
def test_agreement_filters(client, world, query, references):
    response = validated(get(client, f"/api/v1/agreements?{query}", world["officer"]))
    assert [a["reference"] for a in response.json["agreements"]] == references


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("status=lapsed", "status"),
        ("party=nowhere", "party"),
        ("review_due_before=01/12/2027", "review_due_before"),
        ("review_due_before=2027-02-30", "review_due_before"),
        ("page=0", "page"),
        ("per_page=100000", "per_page"),
        ("page=abc", "page"),
        ("page=99999999999999999999", "page"),
    ],
)
def test_a_bad_agreement_filter_is_400_naming_it(client, world, query, parameter):
    response = validated(get(client, f"/api/v1/agreements?{query}", world["officer"]))
    assert response.status_code == 400
    assert parameter in response.json["error"] and response.json["parameter"] == parameter


def test_one_agreement_in_the_export_shape(client, world):
    response = validated(get(client, "/api/v1/agreements/ISA-2024-001", world["partner"]))
    data = response.json
    assert (data["reference"], data["status"], data["review_overdue"]) == ("ISA-2024-001", "active", True)
    assert data["flows"] == [{
        "from": "herts-police", "to": "herts-cc", "categories": ["personal", "special_category"], "items": "Names and addresses",
        "purposes": ["safeguarding children"], "lawful_bases": ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"],
        "channel": "secure-email", "frequency": "ad_hoc", "consent": "no_consent_lawful_basis",
        "data_subject_categories": [], "data_subjects": None, "retention": None, "source_system": None, "asset_owner": None,
    }]
    assert data["parties"][0] == {"organisation": "herts-police", "role": "both", "signatory": "A Signatory, Director",
                                  "signed_on": "2024-11-20"}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/agreements/ISA-2025-002", "/api/v1/agreements/ISA-2025-002/findings", "/api/v1/agreements/ISA-2025-002/protocol.pdf",
     "/api/v1/agreements/ISA-9999-999", "/api/v1/agreements/ISA-9999-999/findings"],
)
def test_agreements_a_partner_is_not_party_to_are_404(client, world, path, caplog):
    with caplog.at_level("WARNING"):
        response = validated(get(client, path, world["partner"]))
    assert response.status_code == 404
    assert response.is_json and "error" in response.json
    refused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("access refused")]
    assert len(refused) == ("9999" not in path)  # a refusal for a real agreement; nothing to refuse for none


def test_findings(client, world):
    response = validated(get(client, "/api/v1/agreements/ISA-2024-001/findings", world["partner"]))
    rules = [finding["rule"] for finding in response.json["findings"]]
    assert "review-overdue" in rules
    assert all(set(f) == {"rule", "severity", "message", "flow_id", "flow_label"} for f in response.json["findings"])


def test_protocol_pdf(client, world, app):
    """202 with Retry-After and Location while the scheduler prepares it, then 200 with the stored PDF."""
    url = "/api/v1/agreements/ISA-2024-001/protocol.pdf"
    response = validated(get(client, url, world["partner"]))
    assert response.status_code == 202 and int(response.headers["Retry-After"]) > 0
    assert response.headers["Location"].endswith(url) and response.json["location"] == url
    assert response.json["status"] == "queued" and response.json["version"] == 1
    assert "The protocol for version 1 is being prepared" in response.json["message"]
    assert run_render_queue(app).rendered >= 1  # the world's other agreements too
    response = validated(get(client, response.headers["Location"], world["partner"]))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    stored = _db.session.scalars(sa.select(ProtocolDocument).where(ProtocolDocument.sha256 == response.headers["X-Content-SHA256"])).one()
    assert response.data == stored.pdf and stored.agreement.reference == "ISA-2024-001"


def test_legal_bases(client, world):
    response = validated(get(client, "/api/v1/legal-bases", world["partner"]))
    codes = {basis["code"]: basis for basis in response.json["legal_bases"]}
    assert {"UKGDPR-A6-1E", "CDA1998-S115", "DPA1998-SCH2-5A", "CL-CONSENT"} <= set(codes)
    assert codes["DPA1998-SCH2-1"]["in_force_to"] == "2018-05-24" and codes["DPA1998-SCH2-1"]["successors"]


# --- the permitted-purpose check ------------------------------------------------------------------


def test_permitted_yes(client, db, world):
    response = validated(get(
        client, "/api/v1/permitted?discloser=herts-police&recipient=herts-cc&category=special_category&purpose=Safeguarding%20Children",
        world["partner"],
    ))
    data = response.json
    assert data["permitted"] is True and data["reasons"] == []
    (match,) = data["matches"]
    assert match["agreement"] == "ISA-2024-001" and match["review_overdue"] is True
    assert [b["code"] for b in match["lawful_bases"]] == ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]
    assert all(b["title"] and b["summary"] for b in match["lawful_bases"])
    assert match["channel"] == {"slug": "secure-email", "name": "Secure email"}
    assert match["consent"] == "no_consent_lawful_basis"
    entry = db.session.scalars(sa.select(CheckLog)).one()
    assert (entry.asked_by, entry.via, entry.permitted, entry.purpose) == ("partner@example.org", "api", True, "Safeguarding Children")


def test_permitted_no_gives_each_reason(client, world):
    data = validated(get(
        client, "/api/v1/permitted?discloser=herts-cc&recipient=herts-police&category=personal&on=2026-01-01", world["partner"]
    )).json
    assert data["permitted"] is False and data["matches"] == []
    assert [(r["code"], r["agreement"]) for r in data["reasons"]] == [
        ("direction", "ISA-2024-001"), ("not-in-force", "ISA-2025-003"), ("direction", "ISA-2025-003"),
    ]
    assert "ad hoc" in data["advice"]
    nothing = validated(get(client, "/api/v1/permitted?discloser=herts-police&recipient=outsider&category=personal", world["officer"])).json
    assert [r["code"] for r in nothing["reasons"]] == ["no-agreement"]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("recipient=herts-cc&category=personal", "discloser"),
        ("discloser=herts-police&category=personal", "recipient"),
        ("discloser=herts-police&recipient=herts-cc", "category"),
        ("discloser=nowhere&recipient=herts-cc&category=personal", "discloser"),
        ("discloser=herts-police&recipient=nowhere&category=personal", "recipient"),
        ("discloser=herts-police&recipient=herts-police&category=personal", "recipient"),
        ("discloser=herts-police&recipient=herts-cc&category=health", "category"),
        ("discloser=herts-police&recipient=herts-cc&category=personal&on=tomorrow", "on"),
        ("discloser=herts-police&recipient=herts-cc&category=personal&on=2027-13-01", "on"),
        ("discloser=herts-police&recipient=herts-cc&category=personal&purpose=" + "x" * 201, "purpose"),
    ],
)
def test_a_bad_permitted_parameter_is_400_naming_it(client, db, world, query, parameter):
    response = get(client, f"/api/v1/permitted?{query}", world["officer"])
    assert response.status_code == 400
    assert f"'{parameter}'" in response.json["error"] and response.json["parameter"] == parameter
    assert count(db, CheckLog) == 0
    validated(response)


def test_a_partner_token_asks_only_about_its_own_organisation(client, db, world):
    response = validated(get(client, "/api/v1/permitted?discloser=herts-cc&recipient=safe-families&category=personal", world["partner"]))
    assert response.status_code == 403 and "own organisation" in response.json["error"]
    assert count(db, CheckLog) == 0
    officer = validated(get(client, "/api/v1/permitted?discloser=herts-cc&recipient=safe-families&category=personal", world["officer"]))
    assert officer.json["permitted"] is True


# --- the calendar ---------------------------------------------------------------------------------


def test_calendar_lists_review_dates_of_agreements_in_force_the_token_may_see(client, world):
    response = validated(get(client, "/api/v1/calendar.ics", world["officer"]))
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Review due: ISA-2024-001 Family safeguarding", "Review due: ISA-2025-002 Youth <work>"}
    youth = events["Review due: ISA-2025-002 Youth <work>"]
    assert youth.decoded("DTSTART") == date(2028, 3, 1) and youth.decoded("DTEND") == date(2028, 3, 2)
    assert str(youth["UID"]) == "review-ISA-2025-002@isa"
    assert str(youth["URL"]) == "http://localhost/agreements/ISA-2025-002"
    for event in events.values():
        assert event["DTSTAMP"] and event["UID"]

    partner = Calendar.from_ical(get(client, "/api/v1/calendar.ics", world["partner"]).data)
    assert [str(e["SUMMARY"]) for e in partner.walk("VEVENT")] == ["Review due: ISA-2024-001 Family safeguarding"]


def test_calendar_apps_subscribe_with_a_feed_secret_that_reads_only_the_calendar(client, world, db):
    from isa.api.tokens import create_token, revoke_token
    from isa.users.models import User

    partner = db.session.scalar(sa.select(User).where(User.email == "partner@example.org"))
    with acting_as("test"):
        record, feed = create_token(partner, "Outlook", scope="calendar")
        db.session.commit()
    assert feed.startswith("isacal_")
    response = client.get(f"/api/v1/calendar.ics?feed={feed}")
    assert response.status_code == 200 and b"BEGIN:VCALENDAR" in response.data
    assert b"ISA-2024-001" in response.data and b"ISA-2025-002" not in response.data  # what its user may see
    assert client.get(f"/api/v1/calendar.ics?token={feed}").status_code == 200  # the older parameter name
    # the feed secret reads nothing else, in the address or in the header
    assert client.get(f"/api/v1/agreements?feed={feed}").status_code == 401
    assert get(client, "/api/v1/agreements", feed).status_code == 401
    assert get(client, "/api/v1/me", feed).status_code == 401
    # revoked on its own
    with acting_as("test"):
        revoke_token(db.session.merge(record))
        db.session.commit()
    assert client.get(f"/api/v1/calendar.ics?feed={feed}").status_code == 401
    assert get(client, "/api/v1/calendar.ics", world["partner"]).status_code == 200


def test_an_api_token_is_never_accepted_in_an_address(client, world):
    response = client.get(f"/api/v1/calendar.ics?token={world['partner']}")
    assert response.status_code == 401 and "calendar feed secret" in response.json["error"]
    assert client.get("/api/v1/calendar.ics?feed=isacal_wrong").status_code == 401
    assert client.get(f"/api/v1/agreements?token={world['partner']}").status_code == 401


# --- the description and the edges ---------------------------------------------------------------


def test_openapi_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.1")
    described = set(document["paths"])
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<reference>", "{reference}").replace("<slug>", "{slug}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.not_found"
    }
    assert routes == described
    OpenAPI.from_dict(document)  # a valid OpenAPI 3.1 document


def test_unknown_addresses_and_methods_answer_in_json(client, world):
    missing = get(client, "/api/v1/nothing-here", world["officer"])
    assert missing.status_code == 404 and missing.is_json
    wrong_method = client.post("/api/v1/agreements", headers={"Authorization": f"Bearer {world['officer']}"})
    assert wrong_method.status_code == 405 and wrong_method.is_json and "GET" in wrong_method.json["error"]


# --- tokens on the command line and on the admin pages --------------------------------------------


def test_cli_creates_a_working_token(client, runner, world):
    result = runner.invoke(args=["tokens", "create", "partner@example.org", "--name", "Case system"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("isa_")
    assert get(client, "/api/v1/me", token).json["token"]["name"] == "Case system"

    listed = runner.invoke(args=["tokens", "list"])
    assert "Case system" in listed.output and token not in listed.output
    revoked = runner.invoke(args=["tokens", "revoke", token[:12]])
    assert revoked.exit_code == 0, revoked.output
    assert get(client, "/api/v1/me", token).status_code == 401


def test_cli_refuses_an_unknown_user(runner, world):
    result = runner.invoke(args=["tokens", "create", "nobody@example.org"])
    assert result.exit_code != 0 and "No user has the email" in result.output


def test_admin_creates_a_token_shown_once_and_revokes_it(client, db, world, login_as):
    login_as("admin")
    partner = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "partner system")).one().user
    response = post_form(client, "/tokens/new", {"scope": "api", "user": str(partner.id), "name": "Police case system"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = html.split('id="token" type="text" value="')[1].split('"')[0]
    assert get(client, "/api/v1/me", token).json["email"] == "partner@example.org"

    listing = client.get("/tokens/").get_data(as_text=True)
    assert "Police case system" in listing and token not in listing and token[:12] in listing

    record = db.session.scalars(sa.select(ApiToken).where(ApiToken.name == "Police case system")).one()
    assert record.created_by.startswith("admin")
    response = post_form(client, f"/tokens/{record.id}/revoke", {})
    assert response.status_code == 302
    assert get(client, "/api/v1/me", token).status_code == 401


@pytest.mark.parametrize(
    "data, message",
    [
        ({"user": "", "name": "x"}, "Choose the user the token acts for"),
        ({"user": "999999", "name": "x"}, "Choose the user the token acts for"),
        ({"user": "ME", "name": ""}, "Enter what the token is for"),
    ],
)
def test_a_bad_token_form_changes_nothing(client, db, world, login_as, data, message):
    admin = login_as("admin")
    data = {**data, "user": str(admin.id) if data["user"] == "ME" else data["user"]}
    before = count(db, ApiToken)
    response = post_form(client, "/tokens/new", data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count(db, ApiToken) == before


def test_revoking_an_unknown_token_is_404(client, world, login_as):
    login_as("admin")
    assert client.get("/tokens/999999/revoke").status_code == 404


# --- recording decisions -------------------------------------------------------------------------


def _decision(**changes):
    body = {
        "discloser": "herts-police", "recipient": "herts-cc", "case_reference": "CS-2025-00123",
        "purpose": "safeguarding children", "category": "personal",
        "answers": {"legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "yes",
                    "how": ["how_much", "fact_opinion", "right_recipient", "secure"], "inform": "aware"},
        "outcome": "share", "reasons": "The family agreed to the referral.", "lawful_bases": ["UKGDPR-A6-1E"],
        "shared": "The referral form", "channel": "secure-email",
    }
    body.update(changes)
    return body


def post(client, path, token, body):
    """POST JSON, then check the response against openapi.json (with a copy of the request:
    the app has read the original's body)."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(path, json=body, headers=headers)
    copy = Request(EnvironBuilder(path=path, base_url="http://localhost", method="POST", json=body, headers=headers).get_environ())
    SPEC.validate_response(WerkzeugOpenAPIRequest(copy), WerkzeugOpenAPIResponse(response))
    return response


def test_partner_system_records_a_decision(client, world, db):
    from isa.decisions.models import SharingDecision

    response = post(client, "/api/v1/decisions", world["partner"], _decision())
    assert response.status_code == 201, response.json
    assert response.json["case_reference"] == "CS-2025-00123"
    assert response.json["recorded_via"] == "api" and response.json["recorded_by"] == "partner@example.org"
    assert response.json["agreement"] == "ISA-2024-001"  # the covering agreement, found by the permitted check
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharingDecision)) == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"case_reference": "Jane Smith"}, "case_reference"),
        ({"case_reference": "CS 01/02/2015"}, "case_reference"),
        ({"discloser": "nobody"}, "discloser"),
        ({"lawful_bases": ["NOT-A-CODE"]}, "lawful_bases"),
        ({"decided_on": "yesterday"}, "decided_on"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_decisions_are_refused_naming_the_field(client, world, db, changes, field):
    from isa.decisions.models import SharingDecision

    response = post(client, "/api/v1/decisions", world["officer"], _decision(**changes))
    assert response.status_code == 400
    assert field in response.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharingDecision)) == 0


def test_decisions_need_a_token_and_a_json_body(client, world):
    assert client.post("/api/v1/decisions", json=_decision()).status_code == 401
    response = client.post("/api/v1/decisions", data="not json", headers={"Authorization": f"Bearer {world['officer']}"})
    assert response.status_code == 400 and response.json["parameter"] == "body"


def test_partner_cannot_record_for_another_organisation(client, world):
    response = client.post("/api/v1/decisions", json=_decision(), headers={"Authorization": f"Bearer {world['outsider']}"})
    assert response.status_code == 400
    assert "discloser" in response.json["errors"]
