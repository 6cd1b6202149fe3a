"""Signing in as partners and officers do, in the browser: a code from the authenticator app,
setting one up, the organisation's own identity provider, a forgotten password. Every page is
checked with axe-core, and the accessibility statement is reached from the footer."""
import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from isa.extensions import db
from isa.identity.operations import save_provider
from isa.organisations.models import Organisation
from tests.oidc_provider import Provider
from tests.test_reminders import SmtpServer, free_port


def click(visitor, label):
    visitor.page.click(f"button:has-text(\"{label}\"), input[type=submit][value=\"{label}\"], a:has-text(\"{label}\")")
    visitor.checked()


def test_an_officer_signs_in_with_a_code_from_the_app(visitor, seed):
    officer = seed("user", role="officer")
    page = visitor.page
    visitor.goto("/login")
    page.fill("#email", officer.email)
    page.fill("#password", "correct horse battery staple")
    click(visitor, "Sign in")
    expect(page.locator("h1")).to_have_text("Enter your code")
    page.fill("#code", "000000")
    click(visitor, "Continue")
    expect(page.locator("#code-error")).to_contain_text("Enter the current code")
    page.fill("#code", visitor_code(visitor, officer.email))
    click(visitor, "Continue")
    expect(page.locator("h1")).to_contain_text("dashboard")


def visitor_code(visitor, email):
    from tests.factories import totp_code

    return totp_code(visitor.last_totp_step(email))


def test_an_officer_sets_up_two_factor_at_the_first_sign_in(visitor, seed):
    officer = seed("user", role="officer", second_factor=False)
    page = visitor.page
    visitor.goto("/login")
    page.fill("#email", officer.email)
    page.fill("#password", "correct horse battery staple")
    click(visitor, "Sign in")
    expect(page.locator("h1")).to_have_text("Set up two-factor sign-in")
    expect(page.locator(".isa-qr-code svg")).to_be_visible()
    page.click("text=I cannot scan the QR code")
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.fill("#code", pyotp.TOTP(secret).now())
    click(visitor, "Turn on two-factor sign-in")
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    click(visitor, "I have saved my recovery codes")
    expect(page.locator("h1")).to_contain_text("dashboard")


@pytest.fixture
def provider(live_server):
    app, _ = live_server
    with Provider() as running, app.app_context():
        organisation = db.session.scalar(db.select(Organisation).where(Organisation.slug == "e2e-idp-police"))
        if organisation is None:
            organisation = Organisation(slug="e2e-idp-police", name="Constabulary with its own sign-in", type="police",
                                        ico_registration="Z7654321", spoc_email="dp@idp-police.example.org")
            db.session.add(organisation)
            db.session.flush()
        save_provider(organisation, running.issuer, running.client_id, running.client_secret, ["idp-police.example.org"],
                      allow_new_accounts=True)
        db.session.commit()
        yield running


def through_the_provider(visitor, email):
    page = visitor.page
    visitor.goto("/login")
    page.fill("#org_email", email)
    page.click("button:has-text(\"Continue to your organisation's sign-in\")")
    expect(page.locator("h1")).to_have_text("Test provider")  # the provider's page, not ours to check
    page.fill("#who", email)
    page.click("text=Sign in at the provider")
    visitor.checked()


def test_a_partner_signs_in_through_the_organisations_identity_provider(visitor, provider):
    through_the_provider(visitor, "new.starter@idp-police.example.org")
    page = visitor.page
    expect(page.locator("h1")).to_contain_text("Agreements")  # signed in, not asked for a code: the provider answers for it
    expect(page.locator(".isa-header__user")).to_contain_text("Partner user, Constabulary with its own sign-in")


@pytest.mark.parametrize("misbehaviour", ["forged", "wrong_audience", "expired"])
def test_a_bad_token_from_the_provider_is_refused_in_the_browser(visitor, provider, misbehaviour):
    provider.misbehave = misbehaviour
    through_the_provider(visitor, f"{misbehaviour}@idp-police.example.org")
    expect(visitor.page.locator("h1")).to_have_text("You could not be signed in")
    visitor.goto("/agreements/")
    expect(visitor.page.locator("h1")).to_have_text("Sign in")


@pytest.fixture
def mail(live_server):
    app, _ = live_server
    server = SmtpServer(free_port())
    server.start()
    before = {key: app.config.get(key) for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_TIMEOUT")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5)
    yield server.inbox
    app.config.update(before)
    server.stop()


def test_a_partner_resets_a_forgotten_password_by_e_mail(visitor, seed, mail):
    partner = seed("user", role="partner")
    page = visitor.page
    visitor.goto("/login")
    click(visitor, "I have forgotten my password")
    expect(page.locator("h1")).to_have_text("Reset your password")
    page.fill("#email", "not an address")
    click(visitor, "Send the reset link")
    expect(page.locator("#email-error")).to_contain_text("correct format")
    page.fill("#email", partner.email)
    click(visitor, "Send the reset link")
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    deadline = time.monotonic() + 30
    while not mail.messages and time.monotonic() < deadline:  # the server's scheduler sends the outbox
        time.sleep(0.2)
    body = mail.messages[-1].message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/password-reset/\S+", body).group(0)
    page.goto(link)
    visitor.checked()
    page.fill("#new", "a brand new passphrase")
    page.fill("#confirm", "a different passphrase")
    click(visitor, "Set the new password")
    expect(page.locator("#confirm-error")).to_contain_text("do not match")
    page.fill("#new", "a brand new passphrase")
    page.fill("#confirm", "a brand new passphrase")
    click(visitor, "Set the new password")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")
    page.goto(link)  # the link works once
    visitor.checked()
    expect(page.locator("h1")).to_have_text("This link has expired")
    visitor.sign_in(partner.email, "a brand new passphrase")
    expect(page.locator("h1")).to_contain_text("Agreements")


def test_the_accessibility_statement_is_linked_from_the_footer(visitor):
    visitor.goto("/login")
    visitor.page.click("footer >> text=Accessibility statement")
    visitor.checked()
    page = visitor.page
    expect(page.locator("h1")).to_have_text("Accessibility statement for isa")
    expect(page.locator("#compliance-status")).to_contain_text("Web Content Accessibility Guidelines version 2.2")
    expect(page.locator("main")).to_contain_text("WCAG 2.2 level A and AA")


def test_an_admin_sets_up_an_identity_provider_and_resets_a_second_factor(visitor, seed):
    admin = seed("user", role="admin")
    officer = seed("user", role="officer")
    organisation = seed("organisation", name="Council with its own sign-in")
    page = visitor.page
    visitor.sign_in(admin.email)
    visitor.goto(f"/organisations/{organisation.slug}")
    page.click("text=Identity provider")
    visitor.checked()
    page.fill("#issuer", "http://login.example.org")
    click(visitor, "Save the identity provider")
    expect(page.locator("#issuer-error")).to_contain_text("https://")
    page.fill("#issuer", "https://login.example.org/tenant/v2.0")
    page.fill("#client_id", "isa")
    page.fill("#client_secret", "secret from the provider")
    page.fill("#email_domains", "council.example.org")
    click(visitor, "Save the identity provider")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Identity provider saved")
    visitor.goto(f"/users/{officer.id}/edit")
    page.on("dialog", lambda dialog: dialog.accept())
    click(visitor, "Reset two-factor sign-in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Two-factor sign-in reset for {officer.email}")
