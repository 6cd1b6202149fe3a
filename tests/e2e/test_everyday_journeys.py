"""The daily journeys of each kind of user, end to end, on a desktop (1280 px) and a phone (375 px).

Every page is checked with axe-core and must be no wider than the screen (see conftest.Visitor).
"""
from datetime import date

import pytest
from playwright.sync_api import expect

from isa.agreements.models import AgreementStatus
from tests.e2e.conftest import Visitor

WIDTHS = [1280, 375]


@pytest.fixture(params=WIDTHS, ids=["desktop", "phone"])
def people(request, browser, live_server):
    """New browsers, one per person, at the width of the run."""
    _app, base = live_server
    width = request.param
    contexts = []

    def person(email=None):
        context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
        contexts.append(context)
        visitor = Visitor(context.new_page(), base, [])
        visitor.width = width
        if email:
            visitor.sign_in(email)
        return visitor

    yield person
    for context in contexts:
        context.close()


def fill_date(page, field, value):
    page.fill(f"#{field}-day", str(value.day))
    page.fill(f"#{field}-month", str(value.month))
    page.fill(f"#{field}-year", str(value.year))


def submit(visitor, label):
    visitor.page.click(f"button:has-text(\"{label}\"), input[type=submit][value=\"{label}\"]")
    visitor.checked()


def test_an_officer_makes_an_agreement_that_two_partners_sign(people, seed, request):
    run = request.node.callspec.id
    officer = seed("user", role="officer")
    council = seed("organisation", slug=f"cc-{run}", name=f"County Council {run}")
    police = seed("organisation", slug=f"police-{run}", name=f"Constabulary {run}", type="police")
    council_partner = seed("partner_of", slug=council.slug)
    police_partner = seed("partner_of", slug=police.slug)
    reference = f"ISA-J-{run.upper()}"

    desk = people(officer.email)
    page = desk.page
    desk.navigate("Agreements")
    page.click("text=Create an agreement")
    desk.checked()
    page.fill("#reference", reference)
    page.fill("#title", "Family Safeguarding")
    page.fill("#purpose", "Safeguarding children and promoting their welfare")
    page.select_option("#lead_organisation", council.slug)
    fill_date(page, "start_date", date.today())
    fill_date(page, "review_date", date(date.today().year + 3, 1, 1))
    submit(desk, "Save agreement")
    expect(page.locator("h1")).to_have_text("Family Safeguarding")
    expect(page.locator("#checks ~ p").first).to_contain_text("Nothing to check yet")

    for organisation in (council, police):
        page.click("text=Add a party")
        desk.checked()
        page.select_option("#organisation", organisation.slug)
        page.select_option("#role", "both")
        submit(desk, "Save party")

    page.click("text=Add a data flow")
    desk.checked()
    page.select_option("#from_organisation", police.slug)
    page.select_option("#to_organisation", council.slug)
    page.check("input[name=categories][value=personal]")
    page.fill("#items", "Police call-outs to the family home")
    page.fill("#purposes", "safeguarding children")
    # the basis picker's search narrows the list to what matches
    everything = page.locator("[data-basis-item]").count()
    page.fill("#basis-filter", "public task")
    shown = page.locator("[data-basis-item]:visible").count()
    assert 0 < shown < 10 < everything, (shown, everything)
    page.check("#basis-UKGDPR-A6-1E")
    submit(desk, "Save data flow")
    expect(page.locator("#flows ~ .govuk-summary-card").first).to_contain_text("UKGDPR-A6-1E")

    page.click("button:has-text('Send for signature')")
    desk.checked()
    expect(page.locator("body")).to_contain_text("Awaiting signatures")

    for partner, organisation in ((council_partner, council), (police_partner, police)):
        phone = people(partner.email)
        banner = phone.page.locator(".govuk-notification-banner", has_text="waiting for")
        expect(banner).to_contain_text(f"waiting for {organisation.name} to sign")
        banner.locator(f"a:has-text('{reference}')").click()
        phone.checked()
        phone.page.fill("#signatory_name", f"Signatory of {organisation.name}")
        phone.page.fill("#signatory_title", "Director")
        phone.page.check("#confirm")
        submit(phone, "Sign the protocol")
        expect(phone.page.locator(".govuk-notification-banner").first).to_contain_text(f"You signed version 1 of {reference}")

    expect(phone.page.locator("body")).to_contain_text(f"Every party has now signed. {reference} is active.")
    desk.goto(f"/agreements/{reference}")
    expect(page.locator(".govuk-tag").first).to_have_text("Active")
    desk.navigate("Dashboard")


def test_a_partner_is_refused_and_records_a_decision_from_the_refusal(people, seed, request):
    run = request.node.callspec.id
    agreement = seed("agreement", status=AgreementStatus.ACTIVE, reference=f"ISA-R-{run.upper()}")
    discloser, recipient = (party.organisation for party in agreement.parties)
    partner = seed("partner_of", slug=discloser.slug)
    channel = seed("channel", slug=f"cjsm-{run}", name=f"Secure email {run}")
    phone = people(partner.email)
    page = phone.page
    phone.navigate("Check before sharing")
    page.select_option("#recipient", recipient.slug)
    page.check("input[name=category][value=criminal_offence]")
    page.fill("#purpose", "youth offending")
    submit(phone, "Check")
    expect(page.locator("h1")).to_have_text("No agreement covers this")

    page.click("a:has-text('Record a sharing decision')")
    phone.checked()
    expect(page.locator("#recipient")).to_have_value(recipient.slug)
    expect(page.locator("#category")).to_have_value("criminal_offence")
    expect(page.locator("#purpose")).to_have_value("youth offending")
    page.fill("#case_reference", f"YOT-{run}-1")
    page.check("#legitimate_purpose")
    page.check("#identifiable")
    page.check("#confidential")
    page.check("input[name=consent][value=refused]")
    page.check("input[name=lawful_reasons][value=safeguarding]")
    page.click("button[name=action][value=check]")
    phone.checked()
    assert page.url.endswith("#decision")  # the reloaded page opens at the suggestion
    suggestion = page.locator("text=The flowchart suggests:")
    expect(suggestion).to_be_in_viewport()
    page.fill("#reasons", "Consent refused; the risk to the child outweighs it.")
    for check in ("how_much", "fact_opinion", "right_recipient", "secure"):
        page.check(f"input[name=how][value={check}]")
    page.check("input[name=inform][value=no]")
    page.fill("#shared", "Dates of the call-outs")
    page.select_option("#channel", channel.slug)
    page.fill("#basis-filter", "public task")
    page.check("#basis-UKGDPR-A6-1E")
    page.click("button[name=action][value=record]")
    phone.checked()
    expect(page.locator("h1")).to_have_text(f"Case YOT-{run}-1")


def test_an_admin_adds_a_user(people, seed, request):
    run = request.node.callspec.id
    admin = seed("user", role="admin")
    organisation = seed("organisation", slug=f"add-user-{run}", name=f"Adders {run}")
    visitor = people(admin.email)
    page = visitor.page
    visitor.navigate("Users")
    page.click("text=Add a user")
    visitor.checked()
    submit(visitor, "Save user")  # every problem at once
    summary = page.locator(".govuk-error-summary")
    for message in ("Enter an email address", "Enter the person's name", "Choose a role", "Enter a password"):
        expect(summary).to_contain_text(message)
    page.fill("#email", f"new-{run}@example.org")
    page.fill("#name", "New Partner")
    page.select_option("#role", "partner")
    page.select_option("#organisation", organisation.slug)
    page.fill("#password", "a long enough password")
    submit(visitor, "Save user")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"new-{run}@example.org")


def test_the_public_reads_the_register(people, seed, request):
    run = request.node.callspec.id
    long_word = "x" * 6000  # a pasted word of any length wraps instead of widening the page
    seed("agreement", status=AgreementStatus.ACTIVE, reference=f"ISA-P-{run.upper()}", title=f"Published {run}",
         purpose=f"Safeguarding children {long_word}")
    visitor = people()
    visitor.goto("/register")
    visitor.page.click(f"a:has-text('ISA-P-{run.upper()}')")
    visitor.checked()
    expect(visitor.page.locator("h1")).to_have_text(f"Published {run}")
    expect(visitor.page.locator("#contact ~ ul")).to_contain_text("@example.org")
