"""Signing in through an organisation's own identity provider (OpenID Connect), against a real
provider on 127.0.0.1 (tests/oidc_provider.py): the app talks to it over HTTP as to any other."""
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from isa.audit.models import AuditEvent
from isa.identity.models import IdentityProvider
from isa.identity.operations import save_provider
from isa.users.models import Role, User
from tests.conftest import count, post_form
from tests.oidc_provider import Provider


@pytest.fixture
def provider():
    with Provider() as running:
        yield running


@pytest.fixture
def police(make, db, provider):
    """Hertfordshire Constabulary, signing in through the test provider for herts.police.uk."""
    organisation = make.organisation(slug="herts-police", name="Hertfordshire Constabulary")
    save_provider(organisation, provider.issuer, provider.client_id, provider.client_secret, ["herts.police.uk"], allow_new_accounts=False)
    db.session.commit()
    return organisation


def allow_new_accounts(db, allowed=True):
    db.session.scalar(sa.select(IdentityProvider)).allow_new_accounts = allowed
    db.session.commit()


def through_provider(client, provider, email, start_email=None):
    """Start at isa's sign-in page, sign in at the provider, and come back: the callback's response."""
    response = post_form(client, "/login/organisation", {"org_email": start_email or email}, get_url="/login")
    assert response.status_code == 302, response.get_data(as_text=True)
    authorize = response.headers["Location"]
    assert authorize.startswith(provider.issuer + "/authorize?")
    assert requests.get(authorize).status_code == 200  # the provider's sign-in page (it checks the client and PKCE)
    form = parse_qs(urlsplit(authorize).query)
    answer = requests.post(provider.issuer + "/authorize", data={**{k: v[0] for k, v in form.items()}, "who": email}, allow_redirects=False)
    callback = urlsplit(answer.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_as(client):
    response = client.get("/account/password")
    return response.status_code == 200


def test_a_known_partner_signs_in_through_the_organisation_with_pkce_state_and_nonce(client, db, make, police, provider):
    partner = make.user(role="partner", organisation=police, email="pc.jones@herts.police.uk")
    response = through_provider(client, provider, partner.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_as(client)
    asked = provider.authorize_requests[-1]
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) >= 43
    assert asked["state"] and asked["nonce"] and asked["scope"] == "openid email profile"
    assert provider.token_requests[-1]["code_verifier"]  # the provider checked it against the challenge


def test_an_officer_of_a_covered_domain_is_not_asked_for_a_second_factor(client, db, make, police, provider):
    officer = make.user(role="officer", email="governance@herts.police.uk")
    assert officer.has_second_factor
    response = through_provider(client, provider, officer.email)
    assert response.headers["Location"] == "/" and signed_in_as(client)


def test_an_unknown_person_gets_nothing_without_just_in_time_accounts(client, db, police, provider):
    users, events = count(db, User), count(db, AuditEvent)
    response = through_provider(client, provider, "new.starter@herts.police.uk")
    assert response.status_code == 403
    assert "There is no account for new.starter@herts.police.uk" in response.get_data(as_text=True)
    assert count(db, User) == users and count(db, AuditEvent) == events
    assert not signed_in_as(client)


def test_just_in_time_accounts_are_partners_of_that_organisation_only(client, db, police, provider):
    allow_new_accounts(db)
    provider.person("new.starter@herts.police.uk", name="New Starter")
    response = through_provider(client, provider, "new.starter@herts.police.uk")
    assert response.headers["Location"] == "/" and signed_in_as(client)
    user = db.session.scalar(sa.select(User).where(User.email == "new.starter@herts.police.uk"))
    assert user.role == Role.PARTNER and user.organisation_id == police.id and user.name == "New Starter"
    assert not user.check_password("")  # no password: they sign in through their organisation
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "account from IdP", AuditEvent.entity_id == user.id))


def test_a_partner_of_another_organisation_cannot_use_this_provider(client, db, make, police, provider):
    make.user(role="partner", email="someone@herts.police.uk")  # belongs to another organisation
    response = through_provider(client, provider, "someone@herts.police.uk")
    assert response.status_code == 403 and not signed_in_as(client)


@pytest.mark.parametrize("misbehaviour", ["forged", "wrong_audience", "expired", "stale_nonce"])
def test_a_bad_id_token_is_refused_and_nothing_changes(client, db, police, provider, misbehaviour):
    allow_new_accounts(db)  # even where an account would be made, none is
    provider.misbehave = misbehaviour
    users, events = count(db, User), count(db, AuditEvent)
    response = through_provider(client, provider, "attacker@herts.police.uk")
    assert response.status_code == 403
    assert "could not be verified" in response.get_data(as_text=True)
    assert count(db, User) == users and count(db, AuditEvent) == events
    assert not signed_in_as(client)


def test_a_replayed_callback_is_refused(client, db, make, police, provider):
    partner = make.user(role="partner", organisation=police, email="pc.jones@herts.police.uk")
    response = post_form(client, "/login/organisation", {"org_email": partner.email}, get_url="/login")
    form = parse_qs(urlsplit(response.headers["Location"]).query)
    answer = requests.post(provider.issuer + "/authorize", data={**{k: v[0] for k, v in form.items()}, "who": partner.email}, allow_redirects=False)
    callback = urlsplit(answer.headers["Location"])
    first = client.get(f"{callback.path}?{callback.query}")
    assert first.status_code == 302
    post_form(client, "/logout", {}, get_url="/account/password")
    replay = client.get(f"{callback.path}?{callback.query}")  # the same state and code again
    assert replay.status_code == 403 and "already been used" in replay.get_data(as_text=True)
    assert not signed_in_as(client)


def test_a_callback_with_another_state_is_refused(client, db, make, police, provider):
    partner = make.user(role="partner", organisation=police, email="pc.jones@herts.police.uk")
    response = post_form(client, "/login/organisation", {"org_email": partner.email}, get_url="/login")
    form = parse_qs(urlsplit(response.headers["Location"]).query)
    answer = requests.post(provider.issuer + "/authorize", data={**{k: v[0] for k, v in form.items()}, "state": "forged", "who": partner.email},
                           allow_redirects=False)
    callback = urlsplit(answer.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 403
    assert not signed_in_as(client)


def test_an_address_no_provider_covers_is_told_next_to_the_field(client, police):
    response = post_form(client, "/login/organisation", {"org_email": "someone@elsewhere.example"}, get_url="/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "does not sign in to isa through its own accounts" in html


def test_an_admin_configures_a_provider_and_the_secret_is_kept_encrypted(client, db, login_as, make):
    login_as("admin")
    org = make.organisation(slug="nhs-trust")
    response = post_form(client, f"/organisations/{org.slug}/identity-provider", {
        "issuer": "https://login.example.nhs.uk/tenant/v2.0", "client_id": "isa", "client_secret": "s3cret-from-the-provider",
        "email_domains": "nhs.net\nexample.nhs.uk", "allow_new_accounts": "y", "enabled": "y",
    })
    assert response.status_code == 302
    provider = db.session.scalar(sa.select(IdentityProvider))
    assert provider.email_domains == ["example.nhs.uk", "nhs.net"] and provider.allow_new_accounts
    assert "s3cret" not in provider.client_secret_encrypted
    page = client.get(f"/organisations/{org.slug}/identity-provider").get_data(as_text=True)
    assert "s3cret" not in page and "/login/organisation/callback" in page
    history = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "IdentityProvider"))
    assert "client_secret_encrypted" not in history.changes


@pytest.mark.parametrize("field,value,message", [
    ("issuer", "http://login.example.org", "must be an https:// address"),
    ("email_domains", "not a domain!", "Enter e-mail domains like example.org"),
    ("client_secret", "", "Enter the client secret"),
])
def test_the_provider_form_explains_each_mistake_next_to_its_field(client, db, login_as, make, field, value, message):
    login_as("admin")
    org = make.organisation()
    data = {"issuer": "https://login.example.org", "client_id": "isa", "client_secret": "secret", "email_domains": "example.org",
            "enabled": "y", field: value}
    response = post_form(client, f"/organisations/{org.slug}/identity-provider", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and "govuk-error-message" in html
    assert count(db, IdentityProvider) == 0
