"""The product as its users meet it, in a real browser, every page checked for accessibility."""
import re
from datetime import date
from pathlib import Path

from playwright.sync_api import expect


def fill_date(page, field, day, month, year):
    page.fill(f"#{field}-day", str(day))
    page.fill(f"#{field}-month", str(month))
    page.fill(f"#{field}-year", str(year))


def submit(visitor, label):
    visitor.page.click(f"button:has-text('{label}'), input[type=submit][value='{label}']")
    visitor.checked()


def create_organisation(visitor, name, slug, org_type):
    visitor.goto("/organisations/new")
    page = visitor.page
    page.fill("#name", name)
    page.fill("#slug", slug)
    page.select_option("#type", org_type)
    page.fill("#ico_registration", "Z1234567")
    page.fill("#spoc_email", f"ig@{slug}.example.org")
    submit(visitor, "Save organisation")
    expect(page.locator("h1")).to_have_text(name)


def add_party(visitor, reference, slug, signatory, signed_on):
    visitor.goto(f"/agreements/{reference}")
    visitor.page.click("text=Add a party")
    visitor.checked()
    visitor.page.select_option("#organisation", slug)
    visitor.page.select_option("#role", "both")
    submit(visitor, "Save party")


def record_signature(visitor, organisation_name, signatory, title, day, month, year):
    page = visitor.page
    page.click(f"a:has-text('Record signature for {organisation_name}')")
    visitor.checked()
    page.fill("#signatory_name", signatory)
    page.fill("#signatory_title", title)
    fill_date(page, "signed_on", day, month, year)
    submit(visitor, "Save party")


def test_officer_builds_an_agreement_from_nothing_to_active(visitor, seed):
    officer = seed("user", role="officer")
    page = visitor.page
    visitor.sign_in(officer.email)

    create_organisation(visitor, "Hertfordshire County Council", "e2e-herts-cc", "local_authority")
    create_organisation(visitor, "Hertfordshire Constabulary", "e2e-herts-police", "police")
    channel = seed("channel", slug="e2e-secure-email", name="Secure email")

    visitor.goto("/agreements/new")
    page.fill("#reference", "ISA-E2E-001")
    page.fill("#title", "Family Safeguarding")
    page.fill("#purpose", "Safeguarding children and promoting their welfare")
    page.select_option("#lead_organisation", "e2e-herts-cc")
    fill_date(page, "start_date", 1, 12, 2024)
    fill_date(page, "review_date", 1, 12, 2027)
    submit(visitor, "Save agreement")
    expect(page.locator("h1")).to_have_text("Family Safeguarding")
    expect(page.locator("body")).to_contain_text("1 December 2027")

    add_party(visitor, "ISA-E2E-001", "e2e-herts-cc", "Jane Doe", None)
    add_party(visitor, "ISA-E2E-001", "e2e-herts-police", "John Roe", None)

    page.click("text=Add a data flow")
    visitor.checked()
    page.select_option("#from_organisation", "e2e-herts-police")
    page.select_option("#to_organisation", "e2e-herts-cc")
    page.check("input[name=categories][value=personal]")
    page.fill("#items", "Police call-outs to the family home")
    page.fill("#purposes", "safeguarding children")
    page.fill("#basis-filter", "public task")
    page.check("#basis-UKGDPR-A6-1E")
    page.select_option("#channel", channel.slug)
    submit(visitor, "Save data flow")
    expect(page.locator("#flows")).to_be_visible()
    expect(page.locator("body")).to_contain_text("UKGDPR-A6-1E")

    page.click("button:has-text('Send for signature')")
    visitor.checked()
    expect(page.locator("body")).to_contain_text("Awaiting signatures")
    expect(page.locator("body")).to_contain_text("has not signed")

    today = date.today()  # a signature cannot be dated before the agreement existed
    record_signature(visitor, "Hertfordshire County Council", "Jane Doe", "Director of Children's Services", today.day, today.month, today.year)
    record_signature(visitor, "Hertfordshire Constabulary", "John Roe", "Head of Public Protection", today.day, today.month, today.year)

    # the last signature makes it active
    expect(page.locator(".govuk-tag").first).to_have_text("Active")
    expect(page.locator("body")).to_contain_text(f"{today.day} {today:%B %Y}")

    history = page.locator("table:has(caption:has-text('History'))")
    expect(history).to_contain_text(officer.name)  # who, by name as on every page
    expect(history).to_contain_text(re.compile("Status: Awaiting signatures → Active"))

    # the scheduler prepares the document; the page says so, then refreshes itself once it is stored
    download = page.locator("text=Download the protocol (PDF)")
    expect(download).to_be_visible(timeout=30000)
    visitor.checked()
    with page.expect_download() as download_info:
        download.click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    visitor.goto("/agreements/ISA-E2E-001")
    expect(page.locator("body")).to_contain_text("SHA-256")


def test_partner_asks_whether_it_may_share(visitor, seed):
    agreement = seed("agreement", status="active")
    source, target = (party.organisation for party in agreement.parties)
    partner = seed("partner_of", slug=source.slug)
    page = visitor.page
    visitor.sign_in(partner.email)
    visitor.goto("/check")
    page.select_option("#recipient", target.slug)
    page.check("input[name=category][value=personal]")
    page.fill("#purpose", "safeguarding children")
    submit(visitor, "Check")
    expect(page.locator("main")).to_contain_text(agreement.reference)
    expect(page.locator("main")).to_contain_text("UKGDPR-A6-1E")
    page.fill("#purpose", "marketing")
    submit(visitor, "Check")
    expect(page.locator("main")).to_contain_text("No agreement covers this")


def test_form_errors_are_shown_next_to_fields_and_accessible(visitor, seed):
    officer = seed("user", role="officer")
    visitor.sign_in(officer.email)
    visitor.goto("/organisations/new")
    visitor.page.fill("#slug", "Not A Slug")
    visitor.page.fill("#ico_registration", "123")
    submit(visitor, "Save organisation")
    summary = visitor.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the organisation's name")
    expect(visitor.page.locator("#ico_registration-error")).to_contain_text("ICO registration number")


def test_partner_sees_its_agreements_and_cannot_edit(visitor, seed):
    agreement = seed("agreement")
    partner = seed("partner_of", slug=agreement.parties[0].organisation.slug)
    visitor.sign_in(partner.email)
    visitor.goto("/agreements/")
    expect(visitor.page.locator("body")).to_contain_text(agreement.reference)
    visitor.goto(f"/agreements/{agreement.reference}")
    expect(visitor.page.locator("body")).not_to_contain_text("Edit details")
    response = visitor.page.goto(visitor.base + f"/agreements/{agreement.reference}/edit")
    assert response.status == 403
    visitor.checked()


def test_sign_in_page_for_the_public(visitor):
    visitor.goto("/login")
    expect(visitor.page.locator("h1")).to_have_text("Sign in")


def test_the_accessibility_check_catches_a_violation(visitor):
    """The axe-core check is real: a page with an unlabelled image and input fails it."""
    import pytest

    visitor.page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="x.png"><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        visitor.checked()


def test_admin_rewords_a_shipped_entry_then_goes_back(visitor, seed):
    admin = seed("user", role="admin")
    page = visitor.page
    visitor.sign_in(admin.email)
    visitor.goto("/legal-bases/UKGDPR-A6-1E")
    page.click("text=Change the title and summary")
    visitor.checked()
    page.fill("#title", "")
    submit(visitor, "Save the local wording")
    expect(page.locator("#title-error")).to_contain_text("Enter a title")
    page.fill("#title", "Public task, in our partnership's words")
    submit(visitor, "Save the local wording")
    expect(page.locator("h1")).to_contain_text("Public task, in our partnership's words")
    expect(page.locator("main")).to_contain_text("shows a local wording")
    expect(page.locator("table:has(caption:has-text('History'))")).to_contain_text(admin.name)

    page.click("main >> text=Go back to the shipped wording")
    visitor.checked()
    expect(page.locator("main")).to_contain_text("Local wording (shown in isa)")
    submit(visitor, "Yes, discard the local wording")
    expect(page.locator("h1")).to_contain_text("Art 6(1)(e) public task")
