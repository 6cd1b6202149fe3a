"""The DPIA journey in the browser, on a desktop and a phone: screening → risks → DPO advice → sign-off."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_journeys import fill_date, submit


@pytest.mark.parametrize("width", [1280, 375])
def test_officer_carries_out_a_dpia_from_screening_to_sign_off(visitor, seed, width):
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    officer = seed("user", role="officer")
    agreement = seed("agreement", status="active")
    reference = agreement.reference
    visitor.sign_in(officer.email)

    visitor.goto(f"/agreements/{reference}")
    expect(page.locator("#dpia + p")).to_contain_text("Not screened")
    page.click("text=Screen the agreement for a DPIA")
    visitor.checked()
    page.click("text=Start the screening")
    visitor.checked()
    submit(visitor, "Save screening")  # nothing ticked, no reason given
    expect(page.locator("#screening_notes-error")).to_contain_text("Explain why no DPIA is needed")
    page.check("input[name=screening][value=children_or_vulnerable]")
    page.check("input[name=screening][value=matching]")
    submit(visitor, "Save screening")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("a DPIA is required")
    expect(page.locator("main")).to_contain_text("In progress")

    visitor.goto(f"/agreements/{reference}/dpia/description")
    expect(page.locator("#nature")).to_contain_text("shares with")  # started from the data flows
    page.fill("#necessity", "Sharing is the only way to see the whole picture of a child's needs.")
    submit(visitor, "Save description")

    page.click("text=Add a risk")
    visitor.checked()
    page.fill("#description", "A referral sent to the wrong address reveals where a family lives.")
    page.check("input[name=likelihood][value=possible]")
    page.check("input[name=severity][value=severe]")
    page.fill("#measures", "Secure email to verified team addresses only.")
    page.check("input[name=residual_likelihood][value=remote]")
    page.check("input[name=residual_severity][value=severe]")
    submit(visitor, "Save risk")
    risk = page.locator("#risk-1")
    expect(risk).to_contain_text("Possible × severe: High")
    expect(risk).to_contain_text("medium residual risk")

    page.click("text=Record the DPO's advice")
    visitor.checked()
    page.fill("#dpo_name", "Dana Officer, Hertfordshire County Council")
    fill_date(page, "dpo_advice_on", 3, 11, 2026)
    page.fill("#dpo_advice", "Go ahead once addresses are verified.")
    page.check("input[name=dpo_outcome][value=overruled]")
    page.fill("#dpo_decided_by", "Sam Director, SIRO")
    submit(visitor, "Save the advice")
    expect(page.locator("#dpo_overruled_reason-error")).to_contain_text("Give the reason")
    page.check("input[name=dpo_outcome][value=accepted]")
    submit(visitor, "Save the advice")
    expect(page.locator("#advice + dl")).to_contain_text("Accepted by Sam Director, SIRO")

    page.click("a:has-text('Sign off the DPIA')")
    visitor.checked()
    page.fill("#signed_off_by", "Sam Director, SIRO")
    submit(visitor, "Sign off the DPIA")
    expect(page.locator("main")).to_contain_text("Complete")

    visitor.goto(f"/agreements/{reference}")
    expect(page.locator("#dpia + p")).to_contain_text("Complete")
    page.click("text=View the DPIA")
    visitor.checked()

    folder = os.environ.get("ISA_E2E_SHOTS")  # to look at the pages: ISA_E2E_SHOTS=/tmp/shots
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for n, png in enumerate(visitor.shots, 1):
            (Path(folder) / f"dpia-{width}-{n:02d}.png").write_bytes(png)
