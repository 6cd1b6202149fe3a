"""Recording a sharing decision and reading the public register, in a real browser, every page
checked for accessibility."""
from playwright.sync_api import expect

from isa.agreements.models import AgreementStatus


def submit(visitor, value):
    visitor.page.click(f"button[name=action][value={value}]")
    visitor.checked()


def test_partner_records_a_decision_with_the_flowchart(visitor, seed):
    agreement = seed("agreement", status=AgreementStatus.ACTIVE, reference="ISA-E2E-D1", title="E2E Safeguarding")
    discloser, recipient = (party.organisation for party in agreement.parties)
    partner = seed("partner_of", slug=discloser.slug)
    seed("channel", slug="e2e-decisions-email", name="E2E secure email")
    page = visitor.page
    visitor.sign_in(partner.email)

    visitor.goto("/decisions/new")
    page.select_option("#recipient", recipient.slug)
    page.fill("#case_reference", "E2E-2025-0001")
    page.fill("#purpose", "safeguarding children")
    page.check("#legitimate_purpose")
    page.check("#identifiable")
    page.check("#confidential")
    page.check("input[name=consent][value=refused]")
    page.check("input[name=lawful_reasons][value=safeguarding]")
    submit(visitor, "check")
    expect(page.locator("text=The flowchart suggests:")).to_be_visible()
    expect(page.locator("a:has-text('ISA-E2E-D1: E2E Safeguarding')")).to_be_visible()
    expect(page.locator("#basis-UKGDPR-A6-1E")).to_be_checked()  # from the covering agreement

    submit(visitor, "record")  # the how-to-share answers are missing
    expect(page.locator(".govuk-error-summary")).to_contain_text("Explain the reasons for your decision")

    page.fill("#reasons", "Consent refused; the risk to the child outweighs it.")
    for check in ("how_much", "fact_opinion", "right_recipient", "secure"):
        page.check(f"input[name=how][value={check}]")
    page.check("input[name=inform][value=no]")
    page.fill("#shared", "Dates of the call-outs")
    page.select_option("#channel", "e2e-decisions-email")
    submit(visitor, "record")
    expect(page.locator("h1")).to_have_text("Case E2E-2025-0001")

    visitor.goto("/decisions/")
    expect(page.locator("a:has-text('E2E-2025-0001')")).to_be_visible()
    visitor.goto("/decisions/months")


def test_the_public_reads_the_register(visitor, seed):
    seed("agreement", status=AgreementStatus.ACTIVE, reference="ISA-E2E-P1", title="E2E Published agreement")
    visitor.goto("/register")
    visitor.page.click("a:has-text('ISA-E2E-P1')")
    visitor.checked()
    expect(visitor.page.locator("h1")).to_have_text("E2E Published agreement")
