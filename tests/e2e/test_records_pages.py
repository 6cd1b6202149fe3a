"""The records pages in the browser, on a desktop and a phone: the Art 30 record, the DSPT sharing
register and the Art 30 record as PDF, which the scheduler prepares while the page waits."""
import io

import pypdf
import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("width", [1280, 375])
def test_an_officer_reads_the_records_and_downloads_the_pdf_when_it_is_ready(visitor, seed, width):
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    officer = seed("user", role="officer")
    agreement = seed("agreement", status="active")
    organisation = agreement.parties[0].organisation
    visitor.sign_in(officer.email)

    visitor.goto("/records/")
    page.click(f"text={organisation.name}")
    visitor.checked()
    expect(page.locator("h1")).to_have_text("Record of processing activities")
    expect(page.locator("main")).to_contain_text(agreement.reference)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # wide tables scroll in their own region

    page.click("text=See the data sharing register (DSPT 1.1.2)")
    visitor.checked()
    expect(page.locator("main")).to_contain_text(agreement.reference)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    visitor.goto(f"/records/{organisation.slug}")
    with page.expect_download(timeout=60_000) as download:
        page.click("a:has-text('PDF')")
        visitor.checked()  # the page that waits for the scheduler, then downloads the PDF by itself
        expect(page.locator("[role=status]")).to_contain_text("The PDF is being prepared")
    data = open(download.value.path(), "rb").read()  # the whole file, as the browser saved it
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Record of processing activities" in text and agreement.reference in text
    assert download.value.suggested_filename.startswith(f"processing-record-{organisation.slug}-")


def test_a_partner_reads_its_own_organisations_records(visitor, seed):
    agreement = seed("agreement", status="active")
    organisation = agreement.parties[1].organisation
    partner = seed("partner_of", slug=organisation.slug)
    visitor.sign_in(partner.email)
    visitor.goto("/records/")  # a partner goes straight to its own organisation's record
    expect(visitor.page.locator(".govuk-caption-l")).to_have_text(organisation.name)
    visitor.goto(f"/records/{organisation.slug}/sharing-register")
    expect(visitor.page.locator("main")).to_contain_text(agreement.reference)
