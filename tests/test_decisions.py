"""Sharing decisions (golden rule 7): the flowchart, the case-reference guard, the form, who sees what,
the governance list, its CSV and its counts per month, and the JSON API's operation."""
import csv
import html
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isa.agreements.models import AgreementStatus
from isa.audit.models import AuditEvent
from isa.decisions import flowchart
from isa.decisions.flowchart import Outcome
from isa.decisions.models import SharingDecision
from isa.decisions.operations import create_decision_from_json
from isa.decisions.queries import counts_per_month
from isa.decisions.rules import case_reference_problem
from isa.extensions import db as _db
from isa.flows.models import ConsentApproach, DataFlow, Frequency
from isa.organisations.types import OrganisationType
from tests.conftest import count, post_form

HOW_ALL = ["how_much", "fact_opinion", "right_recipient", "secure"]

# --- the flowchart ------------------------------------------------------------------------------


def _answers(purpose="yes", identifiable="yes", confidential="yes", consent="refused", reasons=("safeguarding",)):
    return {"legitimate_purpose": purpose, "identifiable": identifiable, "confidential": confidential,
            "consent": consent, "lawful_reasons": list(reasons)}


@pytest.mark.parametrize(
    "answers, outcome, decided_by, seek_advice",
    [
        # Question 1: no clear and legitimate purpose: do not share, whatever follows
        (_answers(purpose="no", consent="yes"), Outcome.DO_NOT_SHARE, "legitimate_purpose", False),
        (_answers(purpose="not_sure"), Outcome.DO_NOT_SHARE, "legitimate_purpose", True),
        # Question 2: anonymised information can be shared, considering how
        (_answers(identifiable="no", consent="refused", reasons=()), Outcome.SHARE, "identifiable", False),
        # Question 3: information that is not confidential can be shared
        (_answers(confidential="no", reasons=("none",)), Outcome.SHARE, "confidential", False),
        # Question 4: consent that covers this share
        (_answers(consent="yes", reasons=()), Outcome.SHARE, "consent", False),
        # Question 5: no consent, but a lawful reason to share without it
        (_answers(consent="refused", reasons=("safeguarding",)), Outcome.SHARE, "lawful_reasons", False),
        (_answers(consent="not_sought", reasons=("statutory_duty",)), Outcome.SHARE, "lawful_reasons", False),
        (_answers(consent="not_sought", reasons=("public_interest", "vital_interests")), Outcome.SHARE, "lawful_reasons", False),
        # Partial consent that does not reach this recipient is no consent for this share (seed 004)
        (_answers(consent="partial", reasons=("public_interest",)), Outcome.SHARE, "lawful_reasons", False),
        (_answers(consent="partial", reasons=("none",)), Outcome.DO_NOT_SHARE, "lawful_reasons", False),
        # Consent refused and no other lawful reason: do not share
        (_answers(consent="refused", reasons=("none",)), Outcome.DO_NOT_SHARE, "lawful_reasons", False),
        # "Not sure" is treated as the protective answer, and asks for advice
        (_answers(identifiable="not_sure", consent="yes"), Outcome.SHARE, "consent", True),
        (_answers(confidential="not_sure", consent="refused", reasons=("none",)), Outcome.DO_NOT_SHARE, "lawful_reasons", True),
    ],
)
def test_flowchart_suggests_an_outcome(answers, outcome, decided_by, seek_advice):
    suggestion = flowchart.suggested_outcome(answers)
    assert (suggestion.outcome, suggestion.decided_by, suggestion.seek_advice) == (outcome, decided_by, seek_advice)
    assert suggestion.reason


@pytest.mark.parametrize(
    "answers, outcome, problems",
    [
        ({}, None, {"legitimate_purpose", "identifiable", "confidential", "consent", "lawful_reasons"}),
        ({"legitimate_purpose": "no"}, None, set()),  # the flowchart stops at the first question
        ({"legitimate_purpose": "yes"}, None, {"identifiable", "confidential", "consent", "lawful_reasons"}),
        ({"legitimate_purpose": "yes", "identifiable": "no"}, None, set()),
        ({"legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "yes"}, None, set()),
        ({"legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "refused"}, None, {"lawful_reasons"}),
        (_answers(reasons=("none", "safeguarding")), None, {"lawful_reasons"}),
        (_answers(reasons=("magic",)), None, {"lawful_reasons"}),
        (_answers(consent="maybe"), None, {"consent"}),
        # the how-to-share questions are needed only to share
        (_answers(), Outcome.DO_NOT_SHARE, set()),
        (_answers(), Outcome.SHARE, {"how", "inform"}),
        (dict(_answers(), how=HOW_ALL[:3], inform="yes"), Outcome.SHARE, {"how"}),
        (dict(_answers(), how=HOW_ALL, inform="yes"), Outcome.SHARE, set()),
        (dict(_answers(), how=HOW_ALL, inform="perhaps"), Outcome.SHARE, {"inform"}),
    ],
)
def test_flowchart_asks_only_the_questions_on_its_path(answers, outcome, problems):
    assert set(flowchart.answer_problems(answers, outcome)) == problems


def test_every_question_has_help_from_the_seeds():
    for question in flowchart.QUESTIONS:
        assert question.help and all(paragraph.strip() for paragraph in question.help), question.key
        assert len(question.options) >= 2


def test_stored_answers_keep_only_the_path():
    answers = dict(_answers(purpose="no"), how=HOW_ALL, inform="yes")
    assert flowchart.clean_answers(answers, Outcome.DO_NOT_SHARE) == {"legitimate_purpose": "no"}


# --- the case-reference guard -------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    ["CS-2024-00123", "MASH/1234", "LL-99812", "MR-1234", "case 12345", "EH 4471/B", "REF-20240115", "CS-2024-123456", "MS 1234"],
)
def test_case_references_accepted(reference):
    assert case_reference_problem(reference) is None


@pytest.mark.parametrize(
    "reference, words",
    [
        ("", "Enter the case reference"),
        ("John Smith", "person's name"),
        ("John Smith 1234", "person's name"),
        ("Mary-Jane O'Neil", "person's name"),
        ("Mrs Jones", "person's name"),
        ("mr smith 12", "person's name"),
        ("Dr. Patel", "person's name"),
        ("MrSmith1", "person's name"),
        ("01/02/2010", "date of birth"),
        ("1-2-10", "date of birth"),
        ("CS 01.02.2010", "date of birth"),
        ("2010-02-01", "date of birth"),
        ("01022010", "date of birth"),
        ("12/31/2009", "date of birth"),  # month first
        ("1 Feb 2010", "date of birth"),
        ("3rd March 2011", "date of birth"),
        ("February 1st, 2010", "date of birth"),
        ("DOB 1234", "date of birth"),
        ("smith", "must include a number"),
        ("CS<1234>", "can only include"),
        ("x" * 41, "40 characters or fewer"),
    ],
)
def test_case_references_refused(reference, words):
    problem = case_reference_problem(reference)
    assert problem is not None and words in problem


# --- the form -----------------------------------------------------------------------------------


@pytest.fixture
def register(make, db):
    """Police → council under an active agreement covering special category data for safeguarding."""
    council = make.organisation(slug="council", name="Hertfordshire County Council")
    police = make.organisation(slug="police", name="Hertfordshire Constabulary", type=OrganisationType.POLICE)
    school = make.organisation(slug="school", name="Oakfield Primary School", type=OrganisationType.SCHOOL)
    email = make.channel(slug="secure-email", name="Secure email")
    make.channel(slug="phone", name="Phone", special_category_approved=False)
    agreement = make.agreement(parties=[police, council], flows=False, reference="ISA-2025-001",
                               title="Family Safeguarding", status=AgreementStatus.ACTIVE)
    agreement.flows.append(
        DataFlow(from_organisation=police, to_organisation=council, categories=["personal", "special_category"],
                 items="Call-outs", purposes=["safeguarding children"], channel=email, frequency=Frequency.AD_HOC,
                 lawful_bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18", "DPA1998-SCH2-5B"],
                 consent=ConsentApproach.NO_CONSENT_LAWFUL_BASIS)
    )
    db.session.commit()
    return {"council": council, "police": police, "school": school, "agreement": agreement}


CASE = {
    "decided_on": ["3", "3", "2025"], "discloser": "police", "recipient": "council", "category": "special_category",
    "case_reference": "CS-2024-00123", "purpose": "safeguarding children",
    "legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "refused",
    "lawful_reasons": ["safeguarding"],
}
DECISION = dict(
    CASE, action="record", outcome="share", reasons="Refused consent; the child's safety outweighs it.",
    how=HOW_ALL, inform="no", shared="Police call-outs to the address in the last year",
    lawful_bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"], channel="secure-email", agreement="ISA-2025-001",
)


def _page(response):
    return html.unescape(response.get_data(as_text=True))


def test_checking_the_answers_shows_the_suggestion_and_the_covering_agreement(client, login_as, register, db):
    login_as("officer")
    response = post_form(client, "/decisions/new", dict(CASE, action="check"))
    page = _page(response)
    assert response.status_code == 200
    assert "The flowchart suggests: " in page and "lawful reason to share without it" in page
    assert "ISA-2025-001: Family Safeguarding" in page
    # the agreement's lawful bases in force on the day, and its channel, are filled in; the DPA 1998 one is not
    for code in ("UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"):
        assert f'value="{code}" checked' in page
    assert 'value="DPA1998-SCH2-5B"' not in page
    assert '<option value="secure-email" selected' in page
    assert 'id="outcome" name="outcome" type="radio" value="share" checked' in page
    assert count(db, SharingDecision) == 0
    # checking again brings the reloaded page to the suggestion, not to its top
    assert 'formaction="/decisions/new#decision"' in page and 'id="decision"' in page


def test_without_a_covering_agreement_the_form_says_so(client, login_as, register):
    login_as("officer")
    page = _page(post_form(client, "/decisions/new", dict(CASE, action="check", recipient="school")))
    assert "No agreement in force covers this share" in page
    assert "No agreement in the register has both Hertfordshire Constabulary and Oakfield Primary School" in page
    assert "An agreement is not required for ad hoc sharing" in page


def test_recording_a_decision(client, login_as, register, db):
    officer = login_as("officer")
    response = post_form(client, "/decisions/new", DECISION)
    assert response.status_code == 302
    decision = db.session.scalar(sa.select(SharingDecision))
    assert response.headers["Location"].endswith(f"/decisions/{decision.id}")
    assert (decision.decided_on, decision.discloser.slug, decision.recipient.slug) == (date(2025, 3, 3), "police", "council")
    assert (decision.case_reference, decision.outcome, decision.suggested_outcome) == ("CS-2024-00123", Outcome.SHARE, Outcome.SHARE)
    assert decision.override_reason is None
    assert decision.answers == {
        "legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "refused",
        "lawful_reasons": ["safeguarding"], "how": HOW_ALL, "inform": "no",
    }
    assert decision.lawful_bases == ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]
    assert (decision.channel.slug, decision.agreement.reference, decision.recorded_by.id) == ("secure-email", "ISA-2025-001", officer.id)
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "SharingDecision"))
    assert audit.actor == officer.email and audit.action == "created"
    page = _page(client.get(f"/decisions/{decision.id}"))
    assert "Case CS-2024-00123" in page and "Police call-outs to the address in the last year" in page
    assert "Is there another lawful reason to share without consent?" in page


def test_a_decision_not_to_share_keeps_nothing_about_sharing(client, login_as, register, db):
    login_as("officer")
    data = dict(CASE, action="record", lawful_reasons=["none"], outcome="do_not_share", reasons="No lawful reason.",
                shared="should be dropped", how=HOW_ALL, inform="yes", channel="", lawful_bases=[], agreement="")
    assert post_form(client, "/decisions/new", data).status_code == 302
    decision = db.session.scalar(sa.select(SharingDecision))
    assert (decision.outcome, decision.suggested_outcome, decision.shared) == (Outcome.DO_NOT_SHARE, Outcome.DO_NOT_SHARE, None)
    assert "how" not in decision.answers and decision.agreement is None


def test_overriding_the_flowchart_needs_a_reason(client, login_as, register, db):
    login_as("officer")
    data = dict(DECISION, lawful_reasons=["none"])  # the flowchart says do not share
    page = _page(post_form(client, "/decisions/new", data))
    assert "Give your reason for deciding differently from the flowchart's suggestion" in page
    assert count(db, SharingDecision) == 0
    data["override_reason"] = "Urgent risk to a child: the manager agreed to share."
    assert post_form(client, "/decisions/new", data).status_code == 302
    decision = db.session.scalar(sa.select(SharingDecision))
    assert (decision.suggested_outcome, decision.outcome) == (Outcome.DO_NOT_SHARE, Outcome.SHARE)
    assert decision.override_reason == "Urgent risk to a child: the manager agreed to share."


FUTURE = date.today() + timedelta(days=2)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"case_reference": "John Smith"}, "looks like a person's name"),
        ({"case_reference": "Mrs Jones"}, "looks like a person's name"),
        ({"case_reference": "CS 01/02/2010"}, "looks like it contains a date of birth"),
        ({"case_reference": ""}, "Enter the case reference"),
        ({"decided_on": [str(FUTURE.day), str(FUTURE.month), str(FUTURE.year)]}, "must be today or in the past"),
        ({"decided_on": ["31", "2", "2025"]}, "Date of the decision must be a real date"),
        ({"decided_on": ["", "", ""]}, "Enter the date of the decision"),
        ({"discloser": ""}, "Choose the organisation sharing the information"),
        ({"recipient": "nowhere"}, "Choose the organisation the information would go to"),
        ({"recipient": "police"}, "The recipient must be a different organisation"),
        ({"category": "secret"}, "Choose the kind of information"),
        ({"purpose": ""}, "Enter the purpose of sharing"),
        ({"purpose": "x" * 201}, "short label of 200 characters or fewer"),
        ({"legitimate_purpose": ""}, "Answer the question: Is there a clear and legitimate purpose"),
        ({"consent": "maybe"}, "Choose an answer from the list for: Do you have consent to share?"),
        ({"lawful_reasons": []}, "Choose the lawful reasons to share without consent, or none of these"),
        ({"lawful_reasons": ["none", "safeguarding"]}, "Choose the lawful reasons, or none of these, not both"),
        ({"outcome": ""}, "Choose whether you share the information or not"),
        ({"reasons": "  "}, "Explain the reasons for your decision"),
        ({"how": HOW_ALL[:3]}, "Not ticked: “I am sharing it securely”"),
        ({"inform": ""}, "Say whether you will tell the person"),
        ({"shared": ""}, "Say what information you shared"),
        ({"lawful_bases": []}, "Choose the lawful basis you rely on to share"),
        ({"lawful_bases": ["NOPE-1"]}, "Unknown lawful basis: NOPE-1"),
        ({"lawful_bases": ["DPA1998-SCH2-5B"]}, "DPA1998-SCH2-5B was not in force on 3 March 2025"),
        ({"channel": ""}, "Choose how you shared the information"),
        ({"channel": "carrier-pigeon"}, "Choose a transfer channel from the list"),
        ({"agreement": "ISA-NOT-THERE"}, "Agreement ISA-NOT-THERE does not cover this share"),
    ],
)
def test_bad_input_is_refused_next_to_its_field(client, login_as, register, db, change, message):
    login_as("officer")
    response = post_form(client, "/decisions/new", dict(DECISION, **change))
    page = _page(response)
    assert response.status_code == 200
    assert message in page
    assert "There is a problem" in page  # the error summary
    assert count(db, SharingDecision) == 0


def test_a_post_without_the_csrf_token_is_refused(client, login_as, register, db):
    login_as("officer")
    response = client.post("/decisions/new", data=DECISION)
    assert response.status_code == 400
    assert count(db, SharingDecision) == 0


def test_partners_record_decisions_for_their_own_organisation(client, login_as, register, db, make):
    login_as("partner", organisation=register["police"])
    page = _page(client.get("/decisions/new"))
    assert '<option value="police" selected' in page and '<option value="council"' in page  # council only as recipient
    page = _page(post_form(client, "/decisions/new", dict(DECISION, discloser="council", recipient="police")))
    assert "You can record decisions for your own organisation only" in page
    assert count(db, SharingDecision) == 0
    assert post_form(client, "/decisions/new", DECISION).status_code == 302


def test_decision_pages_escape_what_practitioners_typed(client, login_as, register, make):
    officer = login_as("officer")
    decision = make.decision(discloser=register["police"], recipient=register["council"], recorded_by=officer,
                             reasons="<script>alert(1)</script>", purpose="<b>safeguarding</b>")
    body = client.get(f"/decisions/{decision.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<b>safeguarding</b>" not in client.get("/decisions/").get_data(as_text=True)


# --- who sees which decisions -------------------------------------------------------------------


@pytest.fixture
def decisions(make, register):
    police, council, school = register["police"], register["council"], register["school"]
    officer = make.user(role="officer")
    return {
        "police_to_council": make.decision(discloser=police, recipient=council, recorded_by=officer, case_reference="PC-0001",
                                           decided_on=date(2025, 1, 10), lawful_bases=["UKGDPR-A6-1E", "DPA2018-SCH1-18", "CA2004-S11"]),
        "council_to_school": make.decision(discloser=council, recipient=school, recorded_by=officer, case_reference="CS-0002",
                                           decided_on=date(2025, 1, 20), outcome=Outcome.DO_NOT_SHARE,
                                           suggested_outcome=Outcome.DO_NOT_SHARE, lawful_bases=[], shared=None),
        "school_to_police": make.decision(discloser=school, recipient=police, recorded_by=officer, case_reference="SP-0003",
                                          decided_on=date(2025, 3, 5), lawful_bases=["UKGDPR-A6-1A"],
                                          reasons="=HYPERLINK(\"http://evil.example\")"),
    }


def _listed(client, query=""):
    page = client.get("/decisions/" + query).get_data(as_text=True)
    return {ref for ref in ("PC-0001", "CS-0002", "SP-0003") if ref in page}


def test_officers_see_every_decision(client, login_as, decisions):
    login_as("officer")
    assert _listed(client) == {"PC-0001", "CS-0002", "SP-0003"}
    for decision in decisions.values():
        assert client.get(f"/decisions/{decision.id}").status_code == 200


def test_partners_see_their_organisations_decisions_as_discloser_or_recipient(client, login_as, decisions, register, caplog):
    login_as("partner", organisation=register["police"])
    assert _listed(client) == {"PC-0001", "SP-0003"}
    assert client.get(f"/decisions/{decisions['police_to_council'].id}").status_code == 200
    assert client.get(f"/decisions/{decisions['school_to_police'].id}").status_code == 200
    with caplog.at_level("WARNING"):
        assert client.get(f"/decisions/{decisions['council_to_school'].id}").status_code == 404
        assert client.get("/decisions/999999").status_code == 404
    refused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("access refused")]
    assert len(refused) == 1 and refused[0].endswith(f"/decisions/{decisions['council_to_school'].id}: another organisation's decision")
    # nor through the filters, the CSV or the counts
    assert _listed(client, "?organisation=school") == {"SP-0003"}
    assert "CS-0002" not in client.get("/decisions/export.csv").get_data(as_text=True)
    assert "January 2025" in client.get("/decisions/months").get_data(as_text=True)


def test_signing_in_is_needed(client, decisions):
    for url in ("/decisions/", "/decisions/new", "/decisions/months", "/decisions/export.csv", f"/decisions/{decisions['police_to_council'].id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the governance list, its filters, the CSV and the counts per month -------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"PC-0001", "CS-0002", "SP-0003"}),
        ("?organisation=school", {"CS-0002", "SP-0003"}),
        ("?organisation=police", {"PC-0001", "SP-0003"}),
        ("?outcome=do_not_share", {"CS-0002"}),
        ("?outcome=share", {"PC-0001", "SP-0003"}),
        ("?basis=CA2004-S11", {"PC-0001"}),
        ("?basis=UKGDPR-A6-1A", {"SP-0003"}),
        ("?basis=DPA2018-SCH1-18", {"PC-0001"}),
        ("?basis=DPA2018-SCH1-1", set()),  # a code matches whole, never as the start of another
        ("?from=2025-01-15", {"CS-0002", "SP-0003"}),
        ("?to=2025-01-15", {"PC-0001"}),
        ("?from=2025-01-01&to=2025-01-31", {"PC-0001", "CS-0002"}),
        ("?q=sp-00", {"SP-0003"}),
        ("?organisation=school&outcome=share", {"SP-0003"}),
    ],
)
def test_filters(client, login_as, decisions, query, expected):
    login_as("officer")
    assert _listed(client, query) == expected


@pytest.mark.parametrize(
    "query, message",
    [
        ("?outcome=maybe", "Choose an outcome from the list"),
        ("?organisation=nowhere", "Choose an organisation from the list"),
        ("?basis=NOPE", "Choose a lawful basis from the list"),
        ("?from=yesterday", "Decided from must be a real date, for example 1 3 2025"),
        ("?from=2025-02-01&to=2025-01-01", "Decided to must be the same as or after decided from"),
        ("?from-day=1&from-month=2", "Decided from must include a year"),
        ("?from-day=31&from-month=2&from-year=2025", "Decided from must be a real date"),
    ],
)
def test_bad_filters_are_reported_not_applied(client, login_as, decisions, query, message):
    login_as("officer")
    response = client.get("/decisions/" + query)
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))
    assert _listed(client, query) == {"PC-0001", "CS-0002", "SP-0003"}


def test_csv_export(client, login_as, decisions):
    login_as("officer")
    response = client.get("/decisions/export.csv?outcome=share")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["case_reference"] for row in rows} == {"PC-0001", "SP-0003"}
    row = next(r for r in rows if r["case_reference"] == "PC-0001")
    assert (row["discloser"], row["recipient"], row["outcome"], row["lawful_bases"]) == ("police", "council", "share", "UKGDPR-A6-1E DPA2018-SCH1-18 CA2004-S11")
    assert row["decided_on"] == "2025-01-10"
    # a cell a spreadsheet would run as a formula is defused
    formula = next(r for r in rows if r["case_reference"] == "SP-0003")["reasons"]
    assert formula.startswith("'=HYPERLINK")


def test_a_bad_filter_makes_no_export(client, login_as, decisions):
    login_as("officer")
    response = client.get("/decisions/export.csv?outcome=maybe")
    assert response.status_code == 302


def test_counts_per_month(client, login_as, decisions, make, register, db):
    officer = login_as("officer")
    make.decision(discloser=register["police"], recipient=register["council"], recorded_by=officer, decided_on=date(2025, 1, 31))
    from isa.users.models import User

    user = db.session.get(User, officer.id)
    months = [(m.year, m.month, m.share, m.do_not_share, m.total) for m in counts_per_month({}, user)]
    assert months == [(2025, 3, 1, 0, 1), (2025, 1, 2, 1, 3)]
    page = client.get("/decisions/months").get_data(as_text=True)
    assert "January 2025" in page and "March 2025" in page and "<svg" in page
    assert 'style="' not in page  # the content security policy allows no inline style
    filtered = client.get("/decisions/months?outcome=do_not_share").get_data(as_text=True)
    assert "January 2025" in filtered and "March 2025" not in filtered


# --- POST /api/v1/decisions: the operation the API calls ----------------------------------------

PAYLOAD = {
    "decided_on": "2025-03-03", "discloser": "police", "recipient": "council", "category": "special_category",
    "case_reference": "CS-2024-00123", "purpose": "safeguarding children",
    "answers": {"legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "refused",
                "lawful_reasons": ["safeguarding"], "how": HOW_ALL, "inform": "no"},
    "outcome": "share", "reasons": "Safety of the child.", "shared": "Call-outs",
    "lawful_bases": ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"], "channel": "secure-email",
}


def test_a_case_system_records_a_decision(register, make, db):
    user = make.user(role="partner", organisation=register["police"])
    decision, problems = create_decision_from_json(dict(PAYLOAD), user)
    assert problems == {}
    stored = db.session.get(SharingDecision, decision.id)
    assert (stored.recorded_via, stored.agreement.reference, stored.recorded_by.id) == ("api", "ISA-2025-001", user.id)
    assert stored.as_dict()["case_reference"] == "CS-2024-00123"
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "SharingDecision"))
    assert audit.actor == user.email


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"case_reference": "John Smith"}, "case_reference", "person's name"),
        ({"case_reference": "DOB 01/02/2010"}, "case_reference", "date of birth"),
        ({"decided_on": "3 March 2025"}, "decided_on", "YYYY-MM-DD"),
        ({"answers": ["yes"]}, "answers", "object"),
        ({"answers": {}}, "legitimate_purpose", "Answer the question"),
        ({"lawful_bases": "UKGDPR-A6-1E"}, "lawful_bases", "list of codes"),
        ({"discloser": "council", "recipient": "police"}, "discloser", "your own organisation only"),
        ({"agreement": "ISA-NOT-THERE"}, "agreement", "does not cover"),
        ({"colour": "blue"}, "colour", "Unknown field"),
    ],
)
def test_a_case_system_gets_the_same_validation(register, make, db, change, field, words):
    user = make.user(role="partner", organisation=register["police"])
    decision, problems = create_decision_from_json(dict(PAYLOAD, **change), user)
    assert decision is None
    assert words in problems[field]
    assert count(db, SharingDecision) == 0


def test_a_body_that_is_not_an_object_is_refused(register, make):
    decision, problems = create_decision_from_json(["not", "an", "object"], make.user(role="officer"))
    assert decision is None and problems == {"body": "Send the decision as a JSON object"}


# --- hostile input never fails ------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["yes", "no", "share", "police", "council", "2025-03-03", "CS-1", "UKGDPR-A6-1E", "safeguarding"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=10,
)
FIELDS = ["decided_on", "discloser", "recipient", "case_reference", "purpose", "category", "answers", "outcome",
          "override_reason", "reasons", "lawful_bases", "shared", "channel", "agreement"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=6),
       answers=st.dictionaries(st.sampled_from([q.key for q in flowchart.QUESTIONS]), JSON_VALUES, max_size=7))
def test_hostile_json_never_fails(register, make, db, changes, answers):
    user = make.user(role="officer")
    payload = dict(PAYLOAD, **changes)
    if "answers" not in changes:
        payload["answers"] = dict(PAYLOAD["answers"], **answers)
    before = count(db, SharingDecision)
    decision, problems = create_decision_from_json(payload, user)
    assert (decision is None) == bool(problems)
    assert count(db, SharingDecision) == before + (0 if problems else 1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(["case_reference", "purpose", "outcome", "category", "consent", "how",
                                               "lawful_bases", "channel", "agreement", "discloser"]),
                              st.text(max_size=40), max_size=5))
def test_hostile_form_input_never_fails(client, login_as, register, db, values):
    if not hasattr(client, "_signed_in"):
        login_as("officer")
        client._signed_in = True
    before = count(db, SharingDecision)
    response = post_form(client, "/decisions/new", dict(DECISION, **values))
    nul = any("\x00" in value for value in values.values())
    assert response.status_code == 400 if nul else response.status_code in (200, 302)
    if response.status_code != 302:
        assert count(db, SharingDecision) == before


def test_the_list_filters_with_govuk_date_inputs_not_the_browser_picker(client, login_as, decisions):
    login_as("officer")
    page = client.get("/decisions/").get_data(as_text=True)
    assert 'type="date"' not in page and 'name="from-day"' in page and 'name="to-year"' in page
    everything = _listed(client, "")
    first = min(d.decided_on for d in _db.session.scalars(sa.select(SharingDecision)))
    later = {d.case_reference for d in _db.session.scalars(sa.select(SharingDecision).where(SharingDecision.decided_on > first))}
    after = first + timedelta(days=1)
    query = f"?from-day={after.day}&from-month={after.month}&from-year={after.year}"
    assert _listed(client, query) == later != everything
    # the links onwards carry the date as 2025-03-01
    assert f"/decisions/months?from={after.isoformat()}" in client.get("/decisions/" + query).get_data(as_text=True)


@pytest.mark.parametrize("sort", ["case_reference", "-case_reference", "purpose", "outcome", "decided_on"])
def test_the_list_sorts_by_its_columns(client, login_as, decisions, sort):
    login_as("officer")
    page = client.get(f"/decisions/?sort={sort}").get_data(as_text=True)
    decisions_ = _db.session.scalars(sa.select(SharingDecision)).all()
    key = sort.lstrip("-")
    expected = [d.case_reference for d in sorted(decisions_, key=lambda d: (getattr(d, key).value if key == "outcome" else getattr(d, key), -d.id),
                                               reverse=sort.startswith("-"))]
    positions = [page.index(reference) for reference in expected]
    assert positions == sorted(positions), (sort, expected)
