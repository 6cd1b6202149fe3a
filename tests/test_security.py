"""Security by default: headers, cookies, escaping, and hostile input that changes nothing."""
import string

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isa import create_app
from isa.agreements.models import Agreement
from isa.organisations.models import Organisation
from tests.conftest import count, post_form

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_security_headers_on_every_response(client):
    for url in ("/login", "/organisations/", "/no-such-page"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert "max-age" in client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_session_cookie_is_secure_outside_development(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}", "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    dev = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'y.sqlite'}", "SECRET_KEY": "x", "DEVELOPMENT": True})
    assert dev.config["SESSION_COOKIE_SECURE"] is False


def test_no_inline_script_in_pages(client, login_as, make):
    make.agreement()
    login_as("officer")
    for url in ("/agreements/", "/organisations/", "/agreements/new"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html


def test_user_text_is_escaped_in_pages(client, login_as, make):
    org = make.organisation(name=PAYLOAD)
    agreement = make.agreement(title=PAYLOAD, purpose=PAYLOAD, parties=[org, make.organisation()])
    login_as("officer")
    for url in (f"/agreements/{agreement.reference}", "/agreements/", f"/organisations/{org.slug}", "/organisations/"):
        html = client.get(url).get_data(as_text=True)
        assert PAYLOAD not in html, url
        assert "&lt;script&gt;" in html, url


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=text, slug=text, org_type=text, ico=text, email=text)
def test_hostile_organisation_form_never_fails_and_stores_nothing_rejected(client, login_as, db, name, slug, org_type, ico, email):
    if not hasattr(client, "_signed_in"):
        login_as("officer")
        client._signed_in = True
    before = count(db, Organisation)
    response = post_form(client, "/organisations/new", {"name": name, "slug": slug, "type": org_type, "ico_registration": ico, "spoc_email": email}, get_url="/organisations/new")
    assert response.status_code in (200, 302, 400)
    if response.status_code == 200:  # rejected: the form again with its errors
        assert count(db, Organisation) == before
        assert "govuk-error-summary" in response.get_data(as_text=True)
    elif response.status_code == 400:  # refused outright (a NUL character)
        assert count(db, Organisation) == before
    else:
        db.session.expire_all()
        assert count(db, Organisation) == before + 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reference=text, title=text, day=st.text(string.digits + "-x ", max_size=5), month=st.text(string.digits + "-x ", max_size=5), year=st.text(string.digits + "-x ", max_size=6), interval=text, location=text)
def test_hostile_agreement_form_never_fails(client, login_as, make, db, reference, title, day, month, year, interval, location):
    if not hasattr(client, "_signed_in"):
        login_as("officer")
        make.organisation(slug="lead")
        client._signed_in = True
    before = count(db, Agreement)
    response = post_form(client, "/agreements/new", {
        "reference": reference, "title": title, "purpose": "p", "lead_organisation": "lead",
        "start_date": [day, month, year], "review_date": ["1", "1", "2030"], "end_date": ["", "", ""],
        "review_interval_months": interval, "data_location": location,
    }, get_url="/agreements/new")
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert count(db, Agreement) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["status", "party", "review_due_before", "q", "page", "type"]), text, max_size=5))
def test_hostile_list_parameters_never_fail(client, login_as, query):
    if not hasattr(client, "_signed_in"):
        login_as("officer")
        client._signed_in = True
    expected = 400 if any("\x00" in value for value in query.values()) else 200
    assert client.get("/agreements/", query_string=query).status_code == expected
    assert client.get("/organisations/", query_string=query).status_code == expected


def test_nul_characters_are_refused_with_a_message(client, login_as, db):
    login_as("officer")
    response = client.get("/agreements/", query_string={"party": "\x00"})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    before = count(db, Organisation)
    response = post_form(client, "/organisations/new", {"name": "A\x00B", "slug": "ab", "type": "police"}, get_url="/organisations/new")
    assert response.status_code == 400
    assert count(db, Organisation) == before


def test_huge_page_numbers_are_clamped(client, login_as, make):
    make.agreement()
    login_as("officer")
    for url in ("/agreements/", "/organisations/", "/audit/", "/decisions/", "/check/log"):
        assert client.get(url, query_string={"page": "99999999999999999999999"}).status_code == 200, url
        assert client.get(url, query_string={"page": "-5"}).status_code == 200, url


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.one_of(
    json_values,
    st.fixed_dictionaries({"organisations": st.lists(st.dictionaries(st.sampled_from(
        ["slug", "name", "type", "ico_registration", "spoc_email", "dpo_email"]), json_values), max_size=3)}),
    st.fixed_dictionaries({"agreements": st.lists(st.dictionaries(st.sampled_from(
        ["reference", "title", "purpose", "status", "start_date", "review_date", "parties", "flows", "owner_email"]), json_values), max_size=3)}),
))
def test_hostile_import_documents_are_rejected_whole_or_imported(app, db, document):
    from isa.exchange.operations import ImportRejected, import_register

    before = count(db, Organisation), count(db, Agreement)
    try:
        import_register(document)
    except ImportRejected as rejected:
        assert rejected.problems and all(isinstance(p, str) for p in rejected.problems)
        assert (count(db, Organisation), count(db, Agreement)) == before
    db.session.rollback()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["discloser", "recipient", "category", "purpose", "on", "status", "party",
                                               "review_due_before", "page", "per_page", "q"]), text, max_size=6),
       endpoint=st.sampled_from(["/api/v1/permitted", "/api/v1/agreements", "/api/v1/organisations", "/api/v1/calendar.ics"]))
def test_hostile_api_parameters_get_json_errors_never_500(client, make, db, query, endpoint):
    from isa.api.tokens import create_token

    if not hasattr(client, "_token"):
        officer = make.user(role="officer")
        _record, client._token = create_token(officer, "fuzz")
        db.session.commit()
    response = client.get(endpoint, query_string=query, headers={"Authorization": f"Bearer {client._token}"})
    assert response.status_code in (200, 400), (response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code == 400:
        assert response.is_json and response.json["error"]
