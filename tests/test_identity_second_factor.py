"""Two-factor sign-in (TOTP): required for officers and admins, a choice for partners; recovery
codes; a code is never accepted twice; wrong codes are throttled; an admin can reset it."""
import re

import pyotp
import sqlalchemy as sa

from isa.audit.models import AuditEvent
from isa.identity.models import RecoveryCode
from isa.users.models import User
from tests.conftest import PASSWORD, count, post_form, sign_in
from tests.factories import totp_code


def password_only(client, user):
    return post_form(client, "/login", {"email": user.email, "password": PASSWORD})


def signed_in(client):
    return client.get("/account/password").status_code == 200


def enrol_through_the_page(client, path):
    """Read the key from the enrolment page (as the app would from the QR code) and confirm it."""
    page = client.get(path).get_data(as_text=True)
    assert "<svg" in page and "<img" not in page  # the QR code is drawn inline: nothing is fetched
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    return secret, post_form(client, path, {"code": pyotp.TOTP(secret).now()})


def test_an_officer_enters_a_code_after_the_password(client, make):
    officer = make.user(role="officer")
    response = password_only(client, officer)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert not signed_in(client)  # the password alone is not enough
    response = post_form(client, "/login/code", {"code": totp_code()})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(client)


def test_a_replayed_code_is_refused(client, make, db):
    officer = make.user(role="officer")
    password_only(client, officer)
    code = totp_code()
    assert post_form(client, "/login/code", {"code": code}).status_code == 302
    post_form(client, "/logout", {}, get_url="/account/password")
    step = db.session.get(User, officer.id).totp_last_step
    password_only(client, officer)
    response = post_form(client, "/login/code", {"code": code})  # seen by someone looking over a shoulder
    assert response.status_code == 200 and "Enter the current code from your authenticator app" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert db.session.get(User, officer.id).totp_last_step == step


def test_wrong_codes_are_throttled_then_even_the_right_one_waits(client, make, app):
    officer = make.user(role="officer")
    password_only(client, officer)
    for _ in range(app.config["SECOND_FACTOR_MAX_FAILURES"]):
        assert "Enter the current code" in post_form(client, "/login/code", {"code": "000000"}).get_data(as_text=True)
    response = post_form(client, "/login/code", {"code": totp_code()})
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_code_entries_from_one_address_are_rate_limited(client, make, app):
    app.config["SECOND_FACTOR_RATE_PER_ADDRESS"] = "3 per minute"
    officer = make.user(role="officer")
    password_only(client, officer)
    statuses = [post_form(client, "/login/code", {"code": "12345x"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_an_officer_without_a_second_factor_sets_it_up_before_getting_in(client, make, db):
    officer = make.user(role="officer", second_factor=False)
    response = password_only(client, officer)
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get("/agreements/").status_code == 302  # not signed in while setting up
    secret, response = enrol_through_the_page(client, "/login/two-factor")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your recovery codes" in page
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert signed_in(client)
    user = db.session.get(User, officer.id)
    assert user.has_second_factor and secret not in user.totp_secret_encrypted
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in codes for h in stored)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "2FA enrolled", AuditEvent.entity_id == user.id))


def test_a_wrong_first_code_does_not_enrol(client, make, db):
    officer = make.user(role="officer", second_factor=False)
    password_only(client, officer)
    client.get("/login/two-factor")
    response = post_form(client, "/login/two-factor", {"code": "000000"})
    assert "Enter the 6-digit code your authenticator app shows now" in response.get_data(as_text=True)
    assert not db.session.get(User, officer.id).has_second_factor and not signed_in(client)


def test_a_recovery_code_works_once(client, make, db):
    officer = make.user(role="officer", second_factor=False)
    password_only(client, officer)
    _, response = enrol_through_the_page(client, "/login/two-factor")
    code = re.findall(r"<li><code>([0-9a-f-]{11})</code></li>", response.get_data(as_text=True))[0]
    post_form(client, "/logout", {}, get_url="/account/password")
    password_only(client, officer)
    assert post_form(client, "/login/code", {"code": code.upper()}).status_code == 302
    assert signed_in(client)
    post_form(client, "/logout", {}, get_url="/account/password")
    password_only(client, officer)
    assert post_form(client, "/login/code", {"code": code}).status_code == 200
    assert not signed_in(client)


def test_partners_choose_two_factor_and_are_then_asked_for_it(client, make, db):
    partner = make.user(role="partner")
    assert sign_in(client, partner.email).headers["Location"] == "/"  # no second factor: straight in
    _, response = enrol_through_the_page(client, "/account/two-factor")
    assert "Your recovery codes" in response.get_data(as_text=True)
    assert "Two-factor sign-in is <strong>on</strong>" in client.get("/account/two-factor").get_data(as_text=True)
    post_form(client, "/logout", {}, get_url="/account/password")
    assert password_only(client, partner).headers["Location"] == "/login/code"


def test_an_admin_resets_a_second_factor_and_it_is_audited(client, make, db, login_as, app):
    officer = make.user(role="officer")
    other = app.test_client()
    sign_in(other, officer.email)
    admin = login_as("admin")
    response = post_form(client, f"/users/{officer.id}/two-factor/reset", {}, get_url="/users")
    assert response.status_code == 302
    user = db.session.get(User, officer.id)
    assert not user.has_second_factor and user.totp_secret_encrypted is None
    assert count(db, RecoveryCode) == 0
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "2FA reset"))
    assert event.actor == admin.email and event.entity_id == officer.id
    assert other.get("/agreements/").status_code == 302  # their sessions ended
    assert password_only(other, officer).headers["Location"] == "/login/two-factor"  # and they enrol again


def test_a_partner_cannot_reset_anyones_second_factor(client, make, db, login_as):
    officer = make.user(role="officer")
    login_as("partner")
    assert post_form(client, f"/users/{officer.id}/two-factor/reset", {}, get_url="/agreements/").status_code == 403
    assert db.session.get(User, officer.id).has_second_factor


def test_the_code_page_needs_a_password_first(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_demo_officer_signs_in_with_the_documented_key(runner, app, db):
    from isa.exchange.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    result = runner.invoke(args=["demo"])
    assert DEMO_TOTP_SECRET in result.output
    client = app.test_client()
    post_form(client, "/login", {"email": "officer@example.org", "password": DEMO_PASSWORD})
    response = post_form(client, "/login/code", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_command_line_resets_a_second_factor_when_no_admin_can(runner, make, db):
    admin = make.user(role="admin")
    result = runner.invoke(args=["users", "reset-two-factor", admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert not db.session.get(User, admin.id).has_second_factor
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "2FA reset"))
    assert event.actor == "command line"
    assert runner.invoke(args=["users", "reset-two-factor", "nobody@example.org"]).exit_code != 0
