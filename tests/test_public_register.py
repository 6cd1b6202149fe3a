"""The published register (/register): open to everyone, only agreements in force, and nothing
beyond reference, title, parties, purpose and dates."""
import html
from datetime import date

import pytest

from isa.agreements.models import AgreementStatus
from isa.decisions.flowchart import Outcome
from isa.flows.models import ConsentApproach, DataFlow, Frequency

SENTINELS = {
    # contacts
    "spoc_name": "SENTINEL-SPOC-NAME", "spoc_email": "sentinel-spoc@example.org",
    "dpo_name": "SENTINEL-DPO-NAME", "address": "SENTINEL ADDRESS",
    # agreement fields that are not published
    "scope": "SENTINEL-SCOPE", "data_subjects": "SENTINEL-DATA-SUBJECTS", "retention": "SENTINEL-RETENTION",
    "security": "SENTINEL-SECURITY", "dpia_reference": "SENTINEL-DPIA", "owner": "sentinel-owner@example.org",
    # flows
    "items": "SENTINEL-DATA-ITEMS", "flow_purpose": "sentinel flow purpose", "channel": "SENTINEL CHANNEL",
    "basis": "UKGDPR-A9-2G",
    # decisions
    "case_reference": "SENTINEL-CASE-1", "decision_reasons": "SENTINEL-DECISION-REASONS",
    # agreements not in force
    "draft": "SENTINEL DRAFT AGREEMENT", "terminated": "SENTINEL TERMINATED AGREEMENT",
}


@pytest.fixture
def published(make, db):
    s = SENTINELS
    council = make.organisation(slug="council", name="Hertfordshire County Council", spoc_name=s["spoc_name"],
                                spoc_email=s["spoc_email"], dpo_name=s["dpo_name"], dpo_email="dpo@herts.example.org", address=s["address"])
    police = make.organisation(slug="police", name="Hertfordshire Constabulary")
    owner = make.user(role="officer", email=s["owner"])
    channel = make.channel(name=s["channel"])
    active = make.agreement(
        parties=[council, police], flows=False, reference="ISA-2024-001", title="Family Safeguarding",
        purpose="Safeguarding children and promoting their welfare.", status=AgreementStatus.ACTIVE,
        start_date=date(2024, 12, 1), review_date=date(2027, 12, 1), scope=s["scope"], data_subjects=s["data_subjects"],
        retention=s["retention"], security=s["security"], dpia_reference=s["dpia_reference"], owner=owner,
    )
    active.flows.append(
        DataFlow(from_organisation=police, to_organisation=council, categories=["special_category"], items=s["items"],
                 purposes=[s["flow_purpose"]], lawful_bases=["UKGDPR-A6-1E", s["basis"]], channel=channel,
                 frequency=Frequency.AD_HOC, consent=ConsentApproach.NO_CONSENT_LAWFUL_BASIS)
    )
    db.session.commit()
    review = make.agreement(parties=[council, police], reference="ISA-2023-004", title="Youth Justice Exchange",
                            status=AgreementStatus.UNDER_REVIEW, start_date=date(2023, 4, 1), review_date=date(2024, 4, 1))
    make.agreement(parties=[council, police], reference="ISA-2026-009", title=s["draft"], status=AgreementStatus.DRAFT)
    make.agreement(parties=[council, police], reference="ISA-2020-008", title=s["terminated"], status=AgreementStatus.TERMINATED)
    for status in (AgreementStatus.CONSULTATION, AgreementStatus.AWAITING_SIGNATURES, AgreementStatus.EXPIRED, AgreementStatus.SUPERSEDED):
        make.agreement(parties=[council, police], reference=f"ISA-HIDDEN-{status.value}", title=f"Hidden {status.value}", status=status)
    make.decision(discloser=police, recipient=council, case_reference=s["case_reference"], reasons=s["decision_reasons"],
                  agreement=active, outcome=Outcome.SHARE)
    return active, review


def _page(client, url):
    response = client.get(url)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def test_the_register_needs_no_sign_in_and_lists_agreements_in_force(client, published):
    status, page = _page(client, "/register")
    assert status == 200
    for text in ("ISA-2024-001", "Family Safeguarding", "Safeguarding children and promoting their welfare.",
                 "Hertfordshire County Council", "Hertfordshire Constabulary", "1 December 2024", "1 December 2027",
                 "ISA-2023-004", "Youth Justice Exchange", "Under review"):
        assert text in page
    assert 'href="/register/ISA-2024-001"' in page
    assert "2 agreements in force" in page


@pytest.mark.parametrize("status", ["draft", "consultation", "awaiting_signatures", "expired", "terminated", "superseded"])
def test_agreements_not_in_force_are_not_published(client, published, status):
    _, page = _page(client, "/register")
    assert f"Hidden {status}" not in page and f"ISA-HIDDEN-{status}" not in page


@pytest.mark.parametrize("reference", ["ISA-2026-009", "ISA-2020-008", "ISA-HIDDEN-awaiting_signatures", "ISA-NOPE"])
def test_summaries_of_agreements_not_in_force_are_not_found(client, published, reference):
    status, page = _page(client, f"/register/{reference}")
    assert status == 404
    assert SENTINELS["draft"] not in page and SENTINELS["terminated"] not in page


def test_the_public_summary(client, published):
    status, page = _page(client, "/register/ISA-2024-001")
    assert status == 200
    for text in ("ISA-2024-001", "Family Safeguarding", "Safeguarding children and promoting their welfare.",
                 "Hertfordshire County Council", "Hertfordshire Constabulary", "1 December 2024", "1 December 2027"):
        assert text in page
    assert client.get("/register/ISA-2023-004").status_code == 200
    assert "Status In force" in " ".join(page.replace("<", " <").split()) or ">In force<" in page


def test_the_public_summary_gives_each_partys_data_protection_officer(client, published):
    _, page = _page(client, "/register/ISA-2024-001")
    assert 'href="mailto:dpo@herts.example.org"' in page
    assert "Hertfordshire County Council: " in page
    _, listing = _page(client, "/register")
    assert "dpo@herts.example.org" not in listing  # the contact is on the agreement's own page


def test_an_agreement_signed_but_not_yet_started_is_not_in_force(client, make):
    from datetime import timedelta

    make.agreement(reference="ISA-2030-001", title="Starts next month", status=AgreementStatus.ACTIVE,
                   start_date=date.today() + timedelta(days=30), review_date=date.today() + timedelta(days=400))
    _, page = _page(client, "/register/ISA-2030-001")
    assert "Signed, in force from" in page and ">In force<" not in page
    _, listing = _page(client, "/register")
    assert "In force from" in listing


@pytest.mark.parametrize("hidden", sorted(SENTINELS))
@pytest.mark.parametrize("url", ["/register", "/register/ISA-2024-001", "/register?q=safeguarding"])
def test_what_is_never_published(client, published, url, hidden):
    """Contacts, unpublished agreement fields, data items, flows, decisions and drafts stay hidden."""
    _, page = _page(client, url)
    assert SENTINELS[hidden].lower() not in page.lower()


def test_signed_in_users_see_the_same_register(client, published, login_as):
    login_as("officer")
    _, page = _page(client, "/register/ISA-2024-001")
    for value in SENTINELS.values():
        assert value.lower() not in page.lower()


def test_search(client, published):
    _, page = _page(client, "/register?q=youth")
    assert "ISA-2023-004" in page and "ISA-2024-001" not in page
    _, page = _page(client, "/register?q=draft")
    assert "No agreements in force match your search" in page


def test_the_register_pages(client, make):
    council, police = make.organisation(), make.organisation()
    for n in range(55):
        make.agreement(parties=[council, police], flows=False, reference=f"ISA-P-{n:03d}", status=AgreementStatus.ACTIVE)
    _, first = _page(client, "/register")
    _, second = _page(client, "/register?page=2")
    assert "ISA-P-000" in first and "ISA-P-050" not in first and "page 1 of 2" in first
    assert "ISA-P-050" in second and "ISA-P-000" not in second
    assert client.get("/register?page=nonsense").status_code == 200


def test_text_is_escaped(client, make):
    make.agreement(reference="ISA-X-1", title="<script>alert(1)</script>", status=AgreementStatus.ACTIVE)
    for url in ("/register", "/register/ISA-X-1"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_the_footer_and_the_sign_in_page_link_to_it(client):
    page = client.get("/login").get_data(as_text=True)
    assert page.count('href="/register"') == 2  # the sign-in page's sentence and the footer
