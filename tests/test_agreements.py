import re
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from isa.agreements import lifecycle
from isa.agreements.models import Agreement, AgreementStatus as S, Party
from isa.audit.models import AuditEvent
from isa.flows.models import DataFlow
from tests.conftest import count, post_form

AGREEMENT = {
    "reference": "ISA-2024-001", "title": "Family Safeguarding", "purpose": "Safeguarding children", "scope": "",
    "lead_organisation": "", "owner": "", "start_date": ["1", "12", "2024"], "review_date": ["1", "12", "2027"],
    "end_date": ["", "", ""], "review_interval_months": "12", "data_subjects": "", "retention": "", "security": "",
    "data_location": "uk", "dpia_reference": "", "supersedes": "",
}


def _org(name="Council"):
    return SimpleNamespace(name=name)


def _fake(status, signed=(True, True), flows=1):
    parties = [SimpleNamespace(organisation=_org(f"Org {i}"), signed_on=date(2024, 1, 1) if s else None) for i, s in enumerate(signed)]
    return SimpleNamespace(status=status, parties=parties, flows=[object()] * flows)


@pytest.mark.parametrize(
    "status, target, signed, flows, allowed",
    [
        (S.DRAFT, S.CONSULTATION, (True, True), 1, True),
        (S.DRAFT, S.ACTIVE, (True, True), 1, False),  # must go through signatures
        (S.CONSULTATION, S.AWAITING_SIGNATURES, (False, False), 1, True),
        (S.AWAITING_SIGNATURES, S.ACTIVE, (True, True), 1, True),
        (S.AWAITING_SIGNATURES, S.ACTIVE, (True, False), 1, False),  # a party has not signed
        (S.AWAITING_SIGNATURES, S.ACTIVE, (True,), 1, False),  # one party is not an agreement
        (S.AWAITING_SIGNATURES, S.ACTIVE, (True, True), 0, False),  # no flows
        (S.ACTIVE, S.UNDER_REVIEW, (True, True), 1, True),
        (S.UNDER_REVIEW, S.ACTIVE, (True, True), 1, True),
        (S.UNDER_REVIEW, S.ACTIVE, (True, False), 1, False),
        (S.ACTIVE, S.SUPERSEDED, (True, True), 1, True),
        (S.ACTIVE, S.EXPIRED, (True, True), 1, True),
        (S.ACTIVE, S.DRAFT, (True, True), 1, False),
        (S.TERMINATED, S.ACTIVE, (True, True), 1, False),
        (S.SUPERSEDED, S.ACTIVE, (True, True), 1, False),
        (S.EXPIRED, S.UNDER_REVIEW, (True, True), 1, True),
        (S.ACTIVE, S.ACTIVE, (True, True), 1, False),
    ],
)
def test_lifecycle_rules(status, target, signed, flows, allowed):
    problems = lifecycle.transition_problems(_fake(status, signed, flows), target)
    assert (problems == []) is allowed, problems


def test_unsigned_party_is_named_in_the_reason():
    problems = lifecycle.transition_problems(_fake(S.AWAITING_SIGNATURES, (True, False)), S.ACTIVE)
    assert problems == ["Org 1 has not signed"]


@pytest.mark.parametrize(
    "start, review, end, problems",
    [
        (date(2024, 12, 1), date(2027, 12, 1), None, {}),
        (date(2024, 12, 1), date(2024, 12, 1), None, {"review_date": "The review date must be after the start date"}),
        (date(2024, 12, 1), date(2023, 1, 1), None, {"review_date": "The review date must be after the start date"}),
        (date(2024, 12, 1), date(2027, 12, 1), date(2024, 1, 1), {"end_date": "The end date must be on or after the start date"}),
    ],
)
def test_date_rules(start, review, end, problems):
    assert lifecycle.date_problems(start, review, end) == problems


def test_officer_creates_an_agreement_as_a_draft(client, login_as, make, db):
    officer = login_as("officer")
    lead = make.organisation(slug="herts-cc")
    response = post_form(client, "/agreements/new", dict(AGREEMENT, lead_organisation="herts-cc", owner=str(officer.id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    agreement = db.session.scalar(sa.select(Agreement))
    assert agreement.status == S.DRAFT and agreement.version == 1
    assert agreement.lead_organisation_id == lead.id and agreement.owner_id == officer.id
    page = client.get("/agreements/ISA-2024-001").get_data(as_text=True)
    assert "1 December 2027" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"reference": ""}, "Enter a reference"),
        ({"reference": "ISA 2024/001 <b>"}, "Enter a reference of letters, numbers and hyphens"),
        ({"title": ""}, "Enter a title"),
        ({"review_date": ["1", "12", "2023"]}, "The review date must be after the start date"),
        ({"start_date": ["31", "2", "2024"]}, "Start date must be a real date"),
        ({"start_date": ["1", "", "2024"]}, "Start date must include a month"),
        ({"review_interval_months": "0"}, "Enter a review interval between 1 and 60 months"),
        ({"review_interval_months": "twelve"}, "Not a valid integer value"),
        ({"data_location": "mars"}, "Choose where the data is held"),
        ({"lead_organisation": "nope"}, "Choose the lead organisation"),
    ],
)
def test_agreement_form_validation(client, login_as, make, db, changes, message):
    login_as("officer")
    make.organisation(slug="herts-cc")
    response = post_form(client, "/agreements/new", {**AGREEMENT, "lead_organisation": "herts-cc", **changes})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db, Agreement) == 0


def test_activation_waits_for_every_signature(client, login_as, make, db):
    agreement = make.agreement(signed=False, status=S.AWAITING_SIGNATURES)
    login_as("officer")
    page = client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)
    assert "Activate is not possible yet" in page and "has not signed" in page
    response = post_form(client, f"/agreements/{agreement.reference}/status", {"target": "active", "version": agreement.version}, get_url=f"/agreements/{agreement.reference}")
    db.session.refresh(agreement)
    assert agreement.status == S.AWAITING_SIGNATURES
    assert "has not signed" in client.get(response.headers["Location"]).get_data(as_text=True)

    for party in list(agreement.parties):
        version = db.session.get(Agreement, agreement.id).version
        response = post_form(
            client, f"/agreements/{agreement.reference}/parties/{party.id}/edit",
            {"organisation": party.organisation.slug, "role": "both", "signatory_name": "Jane Doe", "signatory_title": "Director",
             "signed_on": [str(date.today().day), str(date.today().month), str(date.today().year)], "version": version},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(agreement)
    assert agreement.status == S.ACTIVE  # the last signature activates it


def test_every_change_raises_the_version_and_is_audited(client, login_as, make, db):
    agreement = make.agreement(status=S.DRAFT)
    start = agreement.version
    login_as("officer")
    party = agreement.parties[1]
    post_form(client, f"/agreements/{agreement.reference}/parties/{party.id}/edit",
              {"organisation": party.organisation.slug, "role": "recipient", "signatory_name": "New Name", "signatory_title": "CEO",
               "signed_on": ["20", "11", "2024"], "version": start})
    db.session.refresh(agreement)
    assert agreement.version == start + 1
    # (a new role is a material change: the other party's signature is reset too, see test_documents.py)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "Party", AuditEvent.action == "updated",
                                                           AuditEvent.entity_id == party.id)).one()
    assert event.agreement_id == agreement.id
    assert event.changes["role"] == ["both", "recipient"]
    assert event.changes["signatory_name"] == ["A Signatory", "New Name"]
    page = client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)
    assert "New Name" in page and "A Signatory" in page  # the history shows old and new


def test_second_concurrent_save_is_refused(client, login_as, make, db):
    agreement = make.agreement()
    login_as("officer")
    url = f"/agreements/{agreement.reference}/edit"
    form = dict(AGREEMENT, reference=agreement.reference, lead_organisation=agreement.lead_organisation.slug,
                title="First officer's title", version=str(agreement.version))
    stale = dict(form, title="Second officer's title")
    assert post_form(client, url, form).status_code == 302
    response = post_form(client, url, stale)  # started from the same version
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this agreement" in html
    assert "Second officer&#39;s title" in html  # their input is still on the form, not lost
    db.session.refresh(agreement)
    assert agreement.title == "First officer's title"
    # the form now carries the version the officer was warned about: saving again works
    version = re.search(r'name="version" type="hidden" value="(\d+)"|value="(\d+)"[^>]*name="version"', html)
    assert int(version.group(1) or version.group(2)) == agreement.version
    assert post_form(client, url, dict(stale, version=version.group(1) or version.group(2))).status_code == 302
    db.session.refresh(agreement)
    assert agreement.title == "Second officer's title"


def test_database_refuses_a_stale_write(app, make, db):
    """Two sessions load the same row; the later commit fails even if the check was passed."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    agreement = make.agreement()
    with Session(db.engine) as first, Session(db.engine) as second:
        a1 = first.get(Agreement, agreement.id)
        a2 = second.get(Agreement, agreement.id)
        a1.title = "one"
        first.commit()
        a2.title = "two"
        with pytest.raises(StaleDataError):
            second.commit()


def test_officer_adds_a_flow_with_lawful_bases(client, login_as, make, db):
    agreement = make.agreement(flows=False)
    channel = make.channel(slug="secure-email")
    login_as("officer")
    a, b = (p.organisation for p in agreement.parties)
    page = client.get(f"/agreements/{agreement.reference}/flows/new").get_data(as_text=True)
    assert "UKGDPR-A6-1E" in page and "DPA 2018 Schedule 1 conditions" in page
    response = post_form(client, f"/agreements/{agreement.reference}/flows/new", {
        "from_organisation": a.slug, "to_organisation": "*", "categories": ["personal", "special_category"],
        "items": "Case notes", "purposes": "Safeguarding children\nsafeguarding children\nPrevention of crime",
        "lawful_bases": ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"], "channel": "secure-email",
        "frequency": "ad_hoc", "consent": "no_consent_lawful_basis", "version": agreement.version,
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    flow = db.session.scalar(sa.select(DataFlow))
    assert flow.to_organisation_id is None
    assert flow.purposes == ["Safeguarding children", "Prevention of crime"]
    assert flow.lawful_bases == ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]
    assert flow.channel_id == channel.id


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"lawful_bases": ["NOT-A-CODE"]}, "Choose lawful bases from the list"),
        ({"categories": []}, "Choose at least one category of data"),
        ({"from_organisation": "someone-else"}, "Choose who discloses the data"),
        ({"to_organisation": "FROM"}, "The receiving party must be different from the disclosing party"),
        ({"frequency": "hourly"}, "Choose how often"),
    ],
)
def test_flow_form_validation(client, login_as, make, db, changes, message):
    agreement = make.agreement(flows=False)
    login_as("officer")
    a, b = (p.organisation for p in agreement.parties)
    data = {"from_organisation": a.slug, "to_organisation": b.slug, "categories": ["personal"], "items": "x", "purposes": "p",
            "lawful_bases": ["UKGDPR-A6-1E"], "channel": "", "frequency": "ad_hoc", "consent": "consent", "version": agreement.version}
    data.update({k: (a.slug if v == "FROM" else v) for k, v in changes.items()})
    response = post_form(client, f"/agreements/{agreement.reference}/flows/new", data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db, DataFlow) == 0


def test_a_flow_is_saved_without_its_lawful_bases_items_or_purposes_and_the_finding_says_so(client, login_as, make, db):
    """What the importer takes (SPEC §7, the register as it is), the form takes: the findings name what is missing."""
    agreement = make.agreement(flows=False)
    login_as("officer")
    a, b = (p.organisation for p in agreement.parties)
    response = post_form(client, f"/agreements/{agreement.reference}/flows/new", {
        "from_organisation": a.slug, "to_organisation": b.slug, "categories": ["personal"], "items": "", "purposes": " \n ",
        "channel": "", "frequency": "ad_hoc", "consent": "no_consent_lawful_basis", "version": agreement.version})
    assert response.status_code == 302, response.get_data(as_text=True)
    flow = db.session.scalar(sa.select(DataFlow))
    assert (flow.lawful_bases, flow.items, flow.purposes) == ([], "", [])
    assert "art6-missing" in client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)


def test_party_with_flows_cannot_be_removed(client, login_as, make, db):
    agreement = make.agreement()
    login_as("officer")
    party = agreement.parties[0]
    response = post_form(client, f"/agreements/{agreement.reference}/parties/{party.id}/remove", {"version": agreement.version})
    assert response.status_code == 302
    assert db.session.get(Party, party.id) is not None
    assert "Remove those flows first" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_flow_removal_needs_confirmation_then_removes(client, login_as, make, db):
    agreement = make.agreement()
    login_as("officer")
    flow = agreement.flows[0]
    url = f"/agreements/{agreement.reference}/flows/{flow.id}/remove"
    assert "Yes, remove the data flow" in client.get(url).get_data(as_text=True)
    assert count(db, DataFlow) == 1
    post_form(client, url, {"version": agreement.version})
    assert count(db, DataFlow) == 0
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "DataFlow", AuditEvent.action == "deleted"))


def test_partner_sees_only_its_own_agreements(client, login_as, make, caplog):
    mine = make.agreement()
    theirs = make.agreement()
    user = login_as("partner", organisation=mine.parties[0].organisation)
    listing = client.get("/agreements/").get_data(as_text=True)
    assert mine.reference in listing and theirs.reference not in listing
    assert client.get(f"/agreements/{mine.reference}").status_code == 200
    with caplog.at_level("WARNING"):
        assert client.get(f"/agreements/{theirs.reference}").status_code == 404
        assert client.get(f"/agreements/{mine.reference}/edit").status_code == 403
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("access refused")]
    assert refusals == [
        f"access refused: {user.email} (partner) to /agreements/{theirs.reference}: not a party to the agreement",
        f"access refused: {user.email} (partner) to /agreements/{mine.reference}/edit: role",
    ]


def test_list_filters_and_search(client, login_as, make):
    a = make.agreement(title="Family Safeguarding", status=S.ACTIVE, review_date=date(2025, 1, 1))
    b = make.agreement(title="Youth Justice", status=S.DRAFT, review_date=date(2028, 1, 1))
    login_as("officer")

    def listed(query):
        html = client.get(f"/agreements/?{query}").get_data(as_text=True)
        return {ref for ref in (a.reference, b.reference) if ref in html}

    assert listed("status=active") == {a.reference}
    assert listed("q=youth") == {b.reference}
    assert listed(f"q={a.reference.lower()}") == {a.reference}
    assert listed(f"party={b.parties[0].organisation.slug}") == {b.reference}
    assert listed("review_due_before=2026-01-01") == {a.reference}
    html = client.get("/agreements/?review_due_before=tomorrow&status=nonsense").get_data(as_text=True)
    assert "Review due before must be a real date" in html and "Unknown status" in html
    # the GOV.UK date input's three boxes
    assert listed("review_due_before-day=1&review_due_before-month=1&review_due_before-year=2026") == {a.reference}
    html = client.get("/agreements/?review_due_before-day=1&review_due_before-year=2026").get_data(as_text=True)
    assert "Review due before must include a month" in html


def test_search_is_word_by_word_across_reference_title_purpose_and_parties(client, login_as, make):
    police = make.organisation(name="Hertfordshire Constabulary")
    a = make.agreement(title="Family Safeguarding Service", purpose="The FSS model of social work",
                       parties=[police, make.organisation()])
    b = make.agreement(title="Youth Justice")
    login_as("officer")

    def listed(query):
        html = client.get(f"/agreements/?q={query}").get_data(as_text=True)
        return {ref for ref in (a.reference, b.reference) if ref in html}

    assert listed("constabulary") == {a.reference}
    assert listed("FSS") == {a.reference}
    assert listed("safeguarding+family") == {a.reference}
    assert listed("youth+constabulary") == set()
    assert listed("100%25") == set()  # a wildcard typed is a character searched for


def test_the_list_sorts_by_its_columns(client, login_as, make):
    make.agreement(reference="ISA-S-001", title="Bravo", review_date=date(2029, 1, 1))
    make.agreement(reference="ISA-S-002", title="Alpha", review_date=date(2028, 1, 1))
    login_as("officer")

    def order(query):
        html = client.get(f"/agreements/?{query}").get_data(as_text=True)
        return sorted(("ISA-S-001", "ISA-S-002"), key=html.index)

    assert order("") == ["ISA-S-001", "ISA-S-002"]
    assert order("sort=title") == ["ISA-S-002", "ISA-S-001"]
    assert order("sort=-reference") == ["ISA-S-002", "ISA-S-001"]
    assert order("sort=review_date") == ["ISA-S-002", "ISA-S-001"]
    html = client.get("/agreements/?sort=title").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and "sort=-title" in html
    assert client.get("/agreements/?sort=nonsense").status_code == 200


def test_a_partner_is_told_which_agreements_wait_for_its_signature(client, login_as, make):
    mine = make.organisation(name="County Council")
    make.agreement(reference="ISA-WAIT-001", parties=[mine, make.organisation()], signed=False, status=S.AWAITING_SIGNATURES)
    make.agreement(reference="ISA-WAIT-002", parties=[mine, make.organisation()], status=S.ACTIVE)
    login_as("partner", organisation=mine)
    html = client.get("/agreements/").get_data(as_text=True)
    assert "1 agreement is waiting for County Council to sign" in html
    assert 'href="/agreements/ISA-WAIT-001/sign"' in html and "/agreements/ISA-WAIT-002/sign" not in html


def test_list_is_paginated(client, login_as, make, app):
    app.config["AGREEMENTS_PER_PAGE"] = 2
    for _ in range(5):
        make.agreement()
    login_as("officer")
    html = client.get("/agreements/?page=3").get_data(as_text=True)
    assert "page 3 of 3" in html
    assert client.get("/agreements/?page=99").status_code == 200


def test_audit_events_cannot_be_changed(make, db):
    make.organisation()
    event = db.session.scalars(sa.select(AuditEvent)).first()
    event.actor = "someone else"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()


def test_the_agreement_page_offers_the_re_mapping_and_applies_it_in_one_step(client, login_as, make, db):
    from datetime import date as _date

    from isa.audit.models import AuditEvent
    from tests.conftest import post_form

    police = make.organisation(type="police", name="Police")
    council = make.organisation(name="Council")
    agreement = make.agreement(parties=[police, council], status="active", start_date=_date(2016, 4, 1), reference="ISA-OLD")
    agreement.flows[0].lawful_bases = ["DPA1998-SCH2-5B", "CDA1998-S115"]
    db.session.commit()
    login_as("officer")
    page = client.get("/agreements/ISA-OLD").get_data(as_text=True)
    assert "1 data flow still cites Data Protection Act 1998 conditions" in page and "/agreements/ISA-OLD/remap" in page
    proposal = client.get("/agreements/ISA-OLD/remap").get_data(as_text=True)
    assert "DPA1998-SCH2-5B" in proposal and "UKGDPR-A6-1E" in proposal and "must sign it again" in proposal
    response = post_form(client, "/agreements/ISA-OLD/remap", {"version": str(agreement.version)})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.scalar(sa.select(Agreement).where(Agreement.reference == "ISA-OLD"))
    assert stored.flows[0].lawful_bases == ["UKGDPR-A6-1E", "CDA1998-S115"]
    assert stored.protocol_version == 2 and stored.status == "awaiting_signatures"
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.agreement_id == stored.id, AuditEvent.action == "remapped")).all()
    assert len(events) == 1
    assert "relies on no DPA 1998 basis" in client.get("/agreements/ISA-OLD/remap").get_data(as_text=True)


def test_partners_cannot_re_map(client, login_as, make):
    from tests.conftest import post_form

    police = make.organisation(type="police")
    agreement = make.agreement(parties=[police, make.organisation()], reference="ISA-OLD2")
    login_as("partner", organisation=police)
    assert client.get("/agreements/ISA-OLD2/remap").status_code == 403
    # With a valid token (from a page the partner may open), so the role check is what refuses it.
    response = post_form(client, "/agreements/ISA-OLD2/remap", {"version": str(agreement.version)}, get_url="/check")
    assert response.status_code == 403


def test_pages_show_only_the_protocol_version_not_the_edit_counter(client, login_as, make, db):
    agreement = make.agreement(reference="ISA-VER-001")
    for n in range(5):  # five edits: the edit counter moves, the protocol version does not
        agreement.title = f"Title {n}"
        db.session.commit()
    assert agreement.version > 5 and agreement.protocol_version == 1
    login_as("officer")
    for url in ("/agreements/ISA-VER-001", "/agreements/ISA-VER-001/edit"):
        page = client.get(url).get_data(as_text=True)
        assert "protocol version 1" in page
        assert f"version {agreement.version}" not in page.lower()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": "x" * 301}, "Title must be 300 characters or less"),
        ({"end_date": ["1", "", "2028"]}, "End date must include a month"),
        ({"end_date": ["", "", "2028"]}, "End date must include a day and month"),
    ],
)
def test_messages_follow_the_gov_uk_pattern(client, login_as, make, db, changes, message):
    login_as("officer")
    make.organisation(slug="herts-cc")
    html = post_form(client, "/agreements/new", {**AGREEMENT, "lead_organisation": "herts-cc", **changes}).get_data(as_text=True)
    assert message in html
    assert "Field cannot be longer" not in html and "(optional) must" not in html


def test_a_status_change_is_told_in_plain_words(client, login_as, make, db):
    agreement = make.agreement(reference="ISA-WORDS-001")
    login_as("officer")
    response = post_form(client, "/agreements/ISA-WORDS-001/status", {"target": "consultation", "version": agreement.version},
                         get_url="/agreements/ISA-WORDS-001")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ISA-WORDS-001 has been sent for consultation" in page and "is now consultation" not in page
