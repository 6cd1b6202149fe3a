"""Every route × every role → the expected status, generated from the app's URL map.

A new route that is not in ACCESS fails `test_every_route_is_in_the_table`, so none is forgotten.
"""
import re

import pytest

from isa.agreements.models import AgreementStatus
from isa.core.heartbeat import beat
from tests.conftest import PASSWORD, csrf_token, run_render_queue, sign_in

ROLES = ("anonymous", "partner_of_party", "partner_not_party", "officer", "admin")

# level → expected GET status per role
LEVELS = {
    "public": dict(anonymous=200, partner_of_party=200, partner_not_party=200, officer=200, admin=200),
    "login": dict(anonymous=200, partner_of_party=302, partner_not_party=302, officer=302, admin=302),
    "home": dict(anonymous=302, partner_of_party=302, partner_not_party=302, officer=302, admin=302),
    "signed_in": dict(anonymous=302, partner_of_party=200, partner_not_party=200, officer=200, admin=200),
    "party": dict(anonymous=302, partner_of_party=200, partner_not_party=404, officer=200, admin=200),
    "officer": dict(anonymous=302, partner_of_party=403, partner_not_party=403, officer=200, admin=200),
    "admin": dict(anonymous=302, partner_of_party=403, partner_not_party=403, officer=403, admin=200),
    # the public summary of the world's agreement, a draft: not published, so not found for anyone
    "unpublished": dict(anonymous=404, partner_of_party=404, partner_not_party=404, officer=404, admin=404),
    # the JSON API takes a bearer token, never a browser session
    "token": dict(anonymous=401, partner_of_party=401, partner_not_party=401, officer=401, admin=401),
    "no_such_endpoint": dict(anonymous=404, partner_of_party=404, partner_not_party=404, officer=404, admin=404),
    # a partner user acting for its own organisation (signing): officers record paper signatures instead
    "own_party": dict(anonymous=302, partner_of_party=200, partner_not_party=404, officer=403, admin=403),
    # the records index: officers choose an organisation, a partner is sent to its own
    "records_index": dict(anonymous=302, partner_of_party=302, partner_not_party=302, officer=200, admin=200),
    # the second step of a sign-in: only for someone whose password was just accepted, else back to sign in
    "pending_sign_in": dict(anonymous=302, partner_of_party=302, partner_not_party=302, officer=302, admin=302),
    # an organisation's sign-in coming back with no sign-in started here: refused
    "no_sign_in_started": dict(anonymous=403, partner_of_party=403, partner_not_party=403, officer=403, admin=403),
    # a password reset link that is not one: gone, for everyone
    "reset_link": dict(anonymous=410, partner_of_party=410, partner_not_party=410, officer=410, admin=410),
    # a document the scheduler makes when asked: 202 while it is prepared, for whoever may have it
    "party_queued": dict(anonymous=302, partner_of_party=202, partner_not_party=404, officer=202, admin=202),
}

ACCESS = {
    "core.home": "home",
    "users.login": "login",
    "users.logout": "public",
    "users.index": "admin",
    "users.new": "admin",
    "users.edit": "admin",
    "users.toggle_active": "admin",
    "users.password": "signed_in",
    "core.accessibility": "public",
    "identity.code": "pending_sign_in",
    "identity.enrol": "pending_sign_in",
    "identity.account": "signed_in",
    "identity.new_codes": "signed_in",
    "identity.admin_reset": "admin",
    "identity.oidc_start": "public",
    "identity.oidc_callback": "no_sign_in_started",
    "identity.provider": "admin",
    "identity.reset_request": "public",
    "identity.reset": "reset_link",
    "organisations.index": "signed_in",
    "organisations.show": "signed_in",
    "organisations.new": "officer",
    "organisations.edit": "officer",
    "organisations.delete": "officer",
    "channels.index": "officer",
    "channels.new": "officer",
    "channels.edit": "officer",
    "channels.delete": "officer",
    "agreements.index": "signed_in",
    "agreements.show": "party",
    "agreements.new": "officer",
    "agreements.edit": "officer",
    "agreements.status": "officer",
    "agreements.new_party": "officer",
    "agreements.edit_party": "officer",
    "agreements.remove_party_view": "officer",
    "agreements.remap": "officer",
    "flows.new": "officer",
    "flows.edit": "officer",
    "flows.remove": "officer",
    "audit.index": "officer",
    "legal.index": "signed_in",
    "legal.show": "signed_in",
    "legal.new": "admin",
    "legal.edit": "admin",
    "legal.restore": "admin",
    "legal.attention": "officer",
    "legal.legacy": "officer",
    "reviews.dashboard": "officer",
    "reviews.new": "officer",
    "reminders.resend": "officer",
    "reminders.dismiss": "officer",
    "exchange.index": "admin",
    "exchange.export": "admin",
    "decisions.index": "signed_in",
    "decisions.new": "signed_in",
    "decisions.show": "party",
    "decisions.months": "signed_in",
    "decisions.export": "signed_in",
    "public.register": "public",
    "public.agreement": "unpublished",
    "agreements_csv.download": "signed_in",
    "sharing.check": "signed_in",
    "sharing.log": "officer",
    "sharing.log_csv": "officer",
    "api.openapi": "public",
    "api.register_schema": "public",
    "api.me": "token",
    "api.organisations": "token",
    "api.agreements": "token",
    "api.agreement": "token",
    "api.findings": "token",
    "api.protocol": "token",
    "api.legal_bases": "token",
    "api.permitted": "token",
    "api.calendar": "token",
    "api.record_decision": "token",
    "api.not_found": "no_such_endpoint",
    "tokens.index": "admin",
    "tokens.new": "admin",
    "tokens.revoke": "admin",
    "documents.protocol": "party",
    "documents.document": "party",
    "documents.sign": "own_party",
    "documents.protocol_status": "party",
    "documents.retry": "officer",
    "core.healthz": "public",
    "language.choose": "public",
    "dpia.show": "party",
    "dpia.screening": "officer",
    "dpia.description": "officer",
    "dpia.new_risk": "officer",
    "dpia.edit_risk": "officer",
    "dpia.remove_risk": "officer",
    "dpia.advice": "officer",
    "dpia.sign_off": "officer",
    "dpia.delete": "officer",
    # an organisation's records: officers for any, a partner for its own ("mine" is partner_of_party's)
    "records.index": "records_index",
    "records.show": "party",
    "records.sharing_register": "party",
    "records.processing_xlsx": "party",
    "records.processing_csv": "party",
    "records.sharing_xlsx": "party",
    "records.sharing_csv": "party",
    "records.exit_pack": "party",
    "records.processing_pdf": "party_queued",
    "records.processing_pdf_status": "party",
    "records.processing_pdf_retry": "party",
    "records.partnership_xlsx": "officer",
    "feed.register_json": "public",
    "feed.register_csv": "public",
    "api.processing_record_xlsx": "token",
    "api.processing_record_csv": "token",
    "api.exit_pack": "token",
    "api.processing_record_pdf": "token",
}
SKIPPED = {"static", "govuk_static"}  # files, not pages


@pytest.fixture
def world(app, make, db):
    return build_world(app, make, db)


def build_world(app, make, db):
    """Users of every role, an agreement, a channel and the values that fill every route's URL."""
    mine = make.organisation(slug="mine")
    other = make.organisation(slug="other")
    outsider = make.organisation(slug="outsider")
    agreement = make.agreement(parties=[mine, other], reference="ISA-ACCESS-1", status=AgreementStatus.DRAFT)
    channel = make.channel(slug="secure-email")
    users = {
        "partner_of_party": make.user(role="partner", organisation=mine, email="pp@example.org"),
        "partner_not_party": make.user(role="partner", organisation=outsider, email="pn@example.org"),
        "officer": make.user(role="officer", email="o@example.org"),
        "admin": make.user(role="admin", email="a@example.org"),
    }
    values = {
        "reference": agreement.reference, "slug": "mine", "party_id": agreement.parties[0].id,
        "flow_id": agreement.flows[0].id, "user_id": users["officer"].id, "code": "UKGDPR-A6-1E",
        "token_id": _api_token(db, users["officer"]), "path": "no-such-endpoint", "token": "not-a-reset-token",
        "decision_id": make.decision(discloser=mine, recipient=other, recorded_by=users["officer"]).id,
        "document_id": _protocol_document(db, agreement),
        "risk_id": _dpia_risk(db, agreement),
    }
    channel_values = dict(values, slug=channel.slug)
    run_render_queue(app)  # the scheduler has stored the protocol: its download answers 200
    beat("test scheduler")  # and it is alive: /healthz answers 200
    return users, values, channel_values


def _dpia_risk(db, agreement):
    from datetime import date

    from isa.dpia.models import Dpia, DpiaRisk

    dpia = Dpia(agreement=agreement, screening=["sensitive_at_scale"], required=True, screened_on=date(2026, 1, 5))
    dpia.risks.append(DpiaRisk(description="Sent to the wrong person", likelihood="possible", severity="severe",
                               measures="Secure email", residual_likelihood="remote", residual_severity="severe"))
    db.session.add(dpia)
    db.session.commit()
    return dpia.risks[0].id


def _protocol_document(db, agreement):
    from isa.documents.models import ProtocolDocument

    stored = ProtocolDocument(agreement=agreement, protocol_version=1, sha256="0" * 64, content_sha256="0" * 64,
                              generated_by="test", page_count=1, size=9, pdf=b"%PDF-1.7\n")
    db.session.add(stored)
    db.session.commit()
    return stored.id


def _api_token(db, user):
    from isa.api.tokens import create_token

    record, _token = create_token(user, "access test")
    db.session.commit()
    return record.id


def _rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED]
    return sorted(rules, key=lambda rule: rule.endpoint == "users.logout")  # signing out goes last


def test_every_route_is_in_the_table(app):
    missing = sorted({rule.endpoint for rule in _rules(app)} - set(ACCESS))
    assert not missing, f"add these routes to ACCESS with their access level: {missing}"


def _url(rule, values, channel_values):
    source = channel_values if rule.endpoint.startswith("channels.") else values
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(source[m.group(1)]), rule.rule)


def _sign_in(client, user):
    if user is None:
        return
    response = sign_in(client, user.email)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(app, world, role):
    users, values, channel_values = world
    client = app.test_client()
    _sign_in(client, users.get(role))
    failures = []
    for rule in _rules(app):
        url = _url(rule, values, channel_values)
        expected = LEVELS[ACCESS[rule.endpoint]][role]
        if "GET" in rule.methods:
            status = client.get(url).status_code
        else:
            # POST-only actions: with a valid token, the role check decides (403/302/404)
            status = client.post(url, data={"csrf_token": csrf_token(client, "/login" if role == "anonymous" else "/agreements/")}).status_code
            if expected == 200:
                expected = status if status in (200, 302) else "200 or 302"
        if status != expected:
            failures.append(f"{rule.endpoint} {url}: expected {expected}, got {status}")
    assert not failures, "\n".join(failures)


def test_forbidden_page_explains(app, world):
    users, values, _ = world
    client = app.test_client()
    _sign_in(client, users["partner_of_party"])
    response = client.get("/agreements/new")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.get_data(as_text=True)


# --- route × role × object owner: nothing of another organisation's agreements leaks ------------

FOREIGN_MARKS = ("ISA-FOREIGN-1", "ISA-FOREIGN-2", "Foreign draft qz", "Foreign awaiting qz", "CS-FOREIGN-1")


@pytest.fixture
def owned(app, make, db):
    """Objects owned by the partner's organisation and objects of two others it has nothing to do with."""
    mine, other, theirs = make.organisation(slug="mine"), make.organisation(slug="other"), make.organisation(slug="theirs")
    own = make.agreement(parties=[mine, other], reference="ISA-OWN-1", title="Own agreement", status=AgreementStatus.DRAFT)
    foreign = make.agreement(parties=[other, theirs], reference="ISA-FOREIGN-1", title="Foreign draft qz", status=AgreementStatus.DRAFT)
    make.agreement(parties=[theirs, other], reference="ISA-FOREIGN-2", title="Foreign awaiting qz",
                   status=AgreementStatus.AWAITING_SIGNATURES, signed=False)
    make.channel(slug="secure-email")
    users = {
        "anonymous": None,
        "partner": make.user(role="partner", organisation=mine, email="pp@example.org"),
        "officer": make.user(role="officer", email="o@example.org"),
        "admin": make.user(role="admin", email="a@example.org"),
    }
    common = {"user_id": users["officer"].id, "code": "UKGDPR-A6-1E", "token_id": _api_token(db, users["officer"]),
              "path": "no-such-endpoint", "token": "not-a-reset-token"}

    def values(agreement, slug, discloser, recipient, case):
        return dict(
            common, reference=agreement.reference, slug=slug, party_id=agreement.parties[0].id, flow_id=agreement.flows[0].id,
            decision_id=make.decision(discloser=discloser, recipient=recipient, recorded_by=users["officer"], case_reference=case).id,
            document_id=_protocol_document(db, agreement), risk_id=_dpia_risk(db, agreement),
        )

    objects = {
        "own": values(own, "mine", mine, other, "CS-OWN-1"),
        "foreign": values(foreign, "theirs", other, theirs, "CS-FOREIGN-1"),
    }
    run_render_queue(app)  # protocols stored, as the scheduler does
    beat("test scheduler")  # and it is alive: /healthz answers 200
    return users, objects


def _expected(level, role, owner):
    column = {"anonymous": "anonymous", "partner": "partner_of_party", "officer": "officer", "admin": "admin"}[role]
    expected = LEVELS[level][column]
    if role == "partner" and owner == "foreign" and level in ("party", "own_party", "party_queued"):
        return 404  # another organisation's record: not found, as if it did not exist
    return expected


@pytest.mark.parametrize("owner", ("own", "foreign"))
@pytest.mark.parametrize("role", ("anonymous", "partner", "officer", "admin"))
def test_route_role_and_owner_matrix(app, owned, role, owner):
    """Every GET route, as every role, on objects of the user's own organisation and of others:
    the expected status, and no page shown to a partner or the public names another organisation's
    agreement that is not public (drafts, awaiting signatures) or its decisions."""
    users, objects = owned
    client = app.test_client()
    _sign_in(client, users[role])
    values = objects[owner]
    failures = []
    for rule in _rules(app):
        if "GET" not in rule.methods or rule.endpoint == "users.logout":
            continue
        url = _url(rule, values, dict(values, slug="secure-email"))
        response = client.get(url)
        expected = _expected(ACCESS[rule.endpoint], role, owner)
        if response.status_code != expected:
            failures.append(f"{rule.endpoint} {url}: expected {expected}, got {response.status_code}")
        if role in ("anonymous", "partner") and not response.location:  # a redirect to sign in names only the URL asked for
            body = response.get_data().decode("utf-8", "replace")
            leaked = [mark for mark in FOREIGN_MARKS if mark in body]
            if leaked:
                failures.append(f"{rule.endpoint} {url}: shows {leaked}")
    assert not failures, "\n".join(failures)
