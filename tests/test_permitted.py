"""The permitted-purpose check (SPEC §4): the rule, the page, the log and its fixed cost."""
import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from isa.agreements.models import AgreementStatus
from isa.flows.models import DataCategory, DataFlow
from isa.sharing import rules
from isa.sharing.models import CheckLog
from isa.sharing.queries import permitted
from tests.conftest import count, post_form

# --- the rule, over plain rows --------------------------------------------------------------------

ON = date(2026, 11, 21)
POLICE = rules.Org(1, "herts-police", "Hertfordshire Constabulary")
COUNCIL = rules.Org(2, "herts-cc", "Hertfordshire County Council")
CHARITY = rules.Org(3, "safe-families", "Safe Families")
CATALOGUE = {
    "UKGDPR-A6-1E": rules.Basis("UKGDPR-A6-1E", "Public task", "Processing is necessary for a task in the public interest."),
    "UKGDPR-A9-2G": rules.Basis("UKGDPR-A9-2G", "Substantial public interest", "With a basis in law."),
}


def flow(frm=POLICE, to=COUNCIL, categories=("personal", "special_category"), purposes=("safeguarding children",), **extra):
    values = dict(
        id=100, from_id=frm.id, to_id=None if to == "*" else to.id, categories=list(categories), items="Case notes",
        purposes=list(purposes), lawful_bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G"], frequency="ad_hoc",
        consent="no_consent_lawful_basis", channel_slug="secure-email", channel_name="Secure email",
    )
    values.update(extra)
    return rules.CandidateFlow(**values)


def candidate(reference="ISA-2024-001", status="active", start=date(2024, 12, 1), review=date(2027, 12, 1), end=None,
              discloser_signed=date(2024, 11, 20), recipient_signed=date(2024, 11, 22), flows=None):
    return rules.Candidate(
        1, reference, "Family safeguarding", status, start, review, end, discloser_signed, recipient_signed,
        [flow()] if flows is None else flows,
    )


def question(category="special_category", purpose=None, on=ON, discloser=POLICE, recipient=COUNCIL):
    return rules.Question(discloser, recipient, DataCategory(category), rules.normalise_purpose(purpose), on)


# (name, candidates, question, permitted, reason codes)
CASES = [
    ("covered", [candidate()], question(), True, []),
    ("covered for the purpose asked", [candidate()], question(purpose="safeguarding children"), True, []),
    ("purpose matched ignoring case and spacing", [candidate()], question(purpose="  Safeguarding   CHILDREN "), True, []),
    ("flow to every other party", [candidate(flows=[flow(to="*")])], question(), True, []),
    ("under review is in force", [candidate(status="under_review")], question(), True, []),
    ("ends on the day asked about", [candidate(end=ON)], question(), True, []),
    ("starts on the day asked about", [candidate(start=ON)], question(), True, []),
    ("overdue review still permits", [candidate(review=date(2026, 1, 1))], question(), True, []),
    ("no agreement between them", [], question(), False, [rules.NO_AGREEMENT]),
    ("draft", [candidate(status="draft")], question(), False, [rules.NOT_IN_FORCE]),
    ("awaiting signatures", [candidate(status="awaiting_signatures")], question(), False, [rules.NOT_IN_FORCE]),
    ("expired", [candidate(status="expired")], question(), False, [rules.NOT_IN_FORCE]),
    ("terminated", [candidate(status="terminated")], question(), False, [rules.NOT_IN_FORCE]),
    ("starts later", [candidate(start=date(2027, 1, 1))], question(), False, [rules.NOT_IN_FORCE]),
    ("ended before", [candidate(end=date(2026, 11, 20))], question(), False, [rules.NOT_IN_FORCE]),
    ("asked about a day before the start", [candidate()], question(on=date(2024, 11, 30)), False, [rules.NOT_IN_FORCE]),
    ("discloser has not signed", [candidate(discloser_signed=None)], question(), False, [rules.NOT_SIGNED]),
    ("recipient has not signed", [candidate(recipient_signed=None)], question(), False, [rules.NOT_SIGNED]),
    ("neither has signed", [candidate(discloser_signed=None, recipient_signed=None)], question(), False,
     [rules.NOT_SIGNED, rules.NOT_SIGNED]),
    ("flows only the other way", [candidate(flows=[flow(frm=COUNCIL, to=POLICE)])], question(), False, [rules.DIRECTION]),
    ("flow to someone else", [candidate(flows=[flow(to=CHARITY)])], question(), False, [rules.DIRECTION]),
    ("no flows at all", [candidate(flows=[])], question(), False, [rules.DIRECTION]),
    ("category not covered", [candidate()], question(category="criminal_offence"), False, [rules.CATEGORY]),
    ("purpose not listed", [candidate()], question(purpose="housing"), False, [rules.PURPOSE]),
    ("not in force and category not covered", [candidate(status="draft")], question(category="anonymised"), False,
     [rules.NOT_IN_FORCE, rules.CATEGORY]),
    ("one of two agreements covers it", [candidate("ISA-1", status="draft"), candidate("ISA-2")], question(), True, []),
    ("neither of two agreements covers it", [candidate("ISA-1", status="draft"), candidate("ISA-2", flows=[])], question(), False,
     [rules.DIRECTION, rules.NOT_IN_FORCE]),  # the agreement in force first
]


@pytest.mark.parametrize("name, candidates, asked, expected, reasons", CASES, ids=[case[0] for case in CASES])
def test_permitted_rule(name, candidates, asked, expected, reasons):
    answer = rules.answer(asked, candidates, CATALOGUE)
    assert answer.permitted is expected
    assert [reason.code for reason in answer.reasons] == reasons
    assert all(reason.message for reason in answer.reasons)


def test_every_matching_agreement_and_flow_is_listed():
    second = flow(id=101, categories=["special_category"], purposes=["safeguarding children", "crime"], channel_slug=None, channel_name=None)
    answer = rules.answer(question(), [candidate("ISA-2"), candidate("ISA-1", flows=[flow(), second])], CATALOGUE)
    assert [(m.reference, m.flow_id) for m in answer.matches] == [("ISA-1", 100), ("ISA-1", 101), ("ISA-2", 100)]
    assert answer.references == ["ISA-1", "ISA-2"]


def test_a_match_carries_lawful_bases_channel_consent_and_review():
    stale = candidate(review=date(2026, 6, 1), flows=[flow(lawful_bases=["UKGDPR-A6-1E", "LOCAL-UNKNOWN"])])
    (match,) = rules.answer(question(), [stale], CATALOGUE).matches
    assert match.lawful_bases == [
        rules.Basis("UKGDPR-A6-1E", "Public task", "Processing is necessary for a task in the public interest."),
        rules.Basis("LOCAL-UNKNOWN", None, None),
    ]
    assert (match.channel_name, match.consent, match.review_date, match.review_overdue) == (
        "Secure email", "no_consent_lawful_basis", date(2026, 6, 1), True
    )
    data = rules.answer(question(), [stale], CATALOGUE).as_dict()
    assert data["permitted"] is True and data["reasons"] == [] and data["advice"] is None
    assert data["matches"][0]["channel"] == {"slug": "secure-email", "name": "Secure email"}


def test_reasons_name_the_agreement_and_what_is_missing():
    answer = rules.answer(question(purpose="housing"), [candidate()], CATALOGUE)
    (reason,) = answer.reasons
    assert reason.agreement == "ISA-2024-001"
    assert "housing" in reason.message and "safeguarding children" in reason.message
    assert answer.as_dict()["advice"] == rules.AD_HOC_REMINDER

    (unsigned,) = rules.answer(question(), [candidate(recipient_signed=None)], CATALOGUE).reasons
    assert unsigned.message == "Hertfordshire County Council has not signed ISA-2024-001."

    (later,) = rules.answer(question(), [candidate(start=date(2027, 1, 1))], CATALOGUE).reasons
    assert later.message == "ISA-2024-001 is not in force on 21 November 2026: it starts on 1 January 2027."

    (nothing,) = rules.answer(question(), [], CATALOGUE).reasons
    assert "Hertfordshire Constabulary" in nothing.message and "Hertfordshire County Council" in nothing.message


def test_reversed_flows_are_explained():
    (reason,) = rules.answer(question(), [candidate(flows=[flow(frm=COUNCIL, to=POLICE)])], CATALOGUE).reasons
    assert "only from Hertfordshire County Council to Hertfordshire Constabulary" in reason.message


@pytest.mark.parametrize(
    "role, organisation_id, discloser, recipient, allowed",
    [
        ("officer", None, 1, 2, True),
        ("admin", None, 1, 2, True),
        ("partner", 1, 1, 2, True),
        ("partner", 2, 1, 2, True),
        ("partner", 3, 1, 2, False),
    ],
)
def test_who_may_ask_about_whom(role, organisation_id, discloser, recipient, allowed):
    user = type("U", (), {"is_officer": role != "partner", "organisation_id": organisation_id})()
    assert rules.partner_may_ask(user, discloser, recipient) is allowed


# --- against the database -------------------------------------------------------------------------


@pytest.fixture
def herts(make):
    police = make.organisation(slug="herts-police", name="Hertfordshire Constabulary", type="police")
    council = make.organisation(slug="herts-cc", name="Hertfordshire County Council")
    charity = make.organisation(slug="safe-families", name="Safe Families", type="charity")
    channel = make.channel(slug="secure-email", name="Secure email")
    agreement = make.agreement(
        parties=[police, council], reference="ISA-2024-001", title="Family safeguarding", status=AgreementStatus.ACTIVE
    )
    agreement.flows[0].categories = ["personal", "special_category"]
    agreement.flows[0].lawful_bases = ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]
    agreement.flows[0].channel = channel
    make.db.session.commit()
    return police, council, charity, agreement


def test_permitted_reads_the_register(app, herts):
    police, council, charity, agreement = herts
    answer = permitted(police, council, "special_category", "Safeguarding children", date(2026, 11, 21))
    assert answer.permitted
    (match,) = answer.matches
    assert match.reference == "ISA-2024-001" and match.channel_name == "Secure email"
    assert [basis.code for basis in match.lawful_bases] == ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]
    assert match.lawful_bases[0].title  # from the shipped catalogue
    assert not permitted(council, police, "personal").permitted  # the flow runs police -> council only
    assert [r.code for r in permitted(police, charity, "personal").reasons] == [rules.NO_AGREEMENT]


class StatementCounter:
    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self.record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)


def _statements_for_a_check(db, police, council):
    from isa.sharing.queries import organisations_by_slug

    slugs = police.slug, council.slug
    db.session.expire_all()
    with StatementCounter(db.engine) as counter:
        found = organisations_by_slug(slugs)
        answer = permitted(found[slugs[0]], found[slugs[1]], "personal", "safeguarding children")
    assert answer.permitted
    return len(counter.statements)


def test_a_check_costs_the_same_few_statements_whatever_the_register_size(app, db, make, herts):
    police, council, _charity, _agreement = herts
    for _ in range(2):
        make.agreement(parties=[police, council], status=AgreementStatus.ACTIVE)
    small = _statements_for_a_check(db, police, council)

    for n in range(27):
        extra = make.agreement(parties=[police, council, make.organisation()], status=AgreementStatus.ACTIVE)
        for k in range(3):
            extra.flows.append(DataFlow(from_organisation=police, to_organisation=None, categories=["personal"], items="x",
                                        purposes=[f"purpose {n}-{k}"], lawful_bases=["UKGDPR-A6-1E"]))
        make.db.session.commit()
    assert count(db, DataFlow) > 100
    large = _statements_for_a_check(db, police, council)
    # the two organisations, the agreements with their flows, their parties, the catalogue entries
    assert small == large == 4


# --- the check page -------------------------------------------------------------------------------


def _check(client, **data):
    values = {"discloser": "herts-police", "recipient": "herts-cc", "category": "special_category", "purpose": "", "on": ["", "", ""]}
    values.update(data)
    return post_form(client, "/check", values)


def test_partner_page_defaults_to_their_organisation(client, login_as, herts):
    police, *_ = herts
    login_as("partner", organisation=police)
    html = client.get("/check").get_data(as_text=True)
    assert '<option value="herts-police" selected>' in html
    assert "Check before sharing" in html


def test_partner_is_told_yes_with_bases_channel_and_consent(client, db, login_as, herts):
    police, *_ = herts
    user = login_as("partner", organisation=police)
    response = _check(client, purpose="safeguarding children")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Yes, under ISA-2024-001" in html
    assert "UKGDPR-A9-2G" in html and "DPA2018-SCH1-18" in html
    assert "Secure email" in html
    assert "Without consent, under another lawful basis" in html
    entry = db.session.scalars(sa.select(CheckLog)).one()
    assert (entry.asked_by, entry.via, entry.discloser_slug, entry.recipient_slug, entry.category, entry.purpose) == (
        user.email, "web", "herts-police", "herts-cc", "special_category", "safeguarding children"
    )
    assert entry.permitted is True and entry.agreements == ["ISA-2024-001"] and entry.reasons == []
    assert entry.on_date == date.today()


def test_no_answer_explains_and_reminds_about_ad_hoc_sharing(app, client, db, login_as, herts):
    police, *_ = herts
    login_as("partner", organisation=police)
    html = _check(client, category="criminal_offence").get_data(as_text=True)
    assert "No agreement covers this" in html
    assert "do not cover criminal offence data" in html
    assert "You do not need an agreement to share information in a one-off (ad hoc) case" in html
    # the link to record the decision appears once the decisions feature is installed
    assert ("Record a sharing decision" in html) == ("decisions.new" in app.view_functions)
    entry = db.session.scalars(sa.select(CheckLog)).one()
    assert entry.permitted is False and entry.reasons[0]["code"] == rules.CATEGORY


def test_recording_a_decision_from_a_refusal_carries_the_question_over(client, login_as, herts):
    police, *_ = herts
    login_as("partner", organisation=police)
    html = _check(client, category="criminal_offence", purpose="youth offending").get_data(as_text=True)
    link = re.search(r'href="(/decisions/new\?[^"]+)">Record a sharing decision', html).group(1).replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert '<option value="herts-cc" selected' in form
    assert '<option value="criminal_offence" selected' in form
    assert 'value="youth offending"' in form


def test_review_overdue_is_a_warning_not_a_refusal(client, make, login_as, herts):
    police, council, _charity, agreement = herts
    agreement.review_date = date(2025, 1, 1)
    make.db.session.commit()
    login_as("officer")
    html = _check(client).get_data(as_text=True)
    assert "Yes, under ISA-2024-001" in html
    assert "was due on 1 January 2025" in html


def test_a_date_can_be_asked_about(client, login_as, herts):
    login_as("officer")
    html = _check(client, on=["30", "11", "2024"]).get_data(as_text=True)
    assert "is not in force on 30 November 2024: it starts on 1 December 2024" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"recipient": "herts-police"}, "Choose a recipient other than the organisation sharing the data"),
        ({"category": "gossip"}, "Choose the kind of data you want to share"),
        ({"discloser": "nowhere"}, "Choose who is sharing the data"),
        ({"on": ["31", "2", "2027"]}, "must be a real date"),
        ({"purpose": "x" * 201}, "Enter the purpose in 200 characters or fewer"),
    ],
)
def test_bad_questions_are_refused_next_to_the_field(client, db, login_as, herts, data, message):
    login_as("officer")
    response = _check(client, **data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db, CheckLog) == 0


def test_a_partner_asks_only_about_its_own_organisation(client, db, login_as, herts):
    police, council, charity, _agreement = herts
    login_as("partner", organisation=charity)
    html = _check(client).get_data(as_text=True)
    assert "You can ask only about sharing by or with Safe Families" in html
    assert count(db, CheckLog) == 0


def test_the_check_needs_the_csrf_token(client, db, login_as, herts):
    login_as("officer")
    response = client.post("/check", data={"discloser": "herts-police", "recipient": "herts-cc", "category": "personal"})
    assert response.status_code == 400
    assert count(db, CheckLog) == 0


def test_user_text_is_escaped_on_the_answer(client, make, login_as, herts):
    police, council, _charity, agreement = herts
    agreement.title = "<script>alert(1)</script>"
    make.db.session.commit()
    login_as("officer")
    html = _check(client).get_data(as_text=True)
    assert "Yes, under ISA-2024-001" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = _check(client, purpose="<b>safeguarding</b>").get_data(as_text=True)
    assert "<b>safeguarding</b>" not in html and "&lt;b&gt;safeguarding&lt;/b&gt;" in html


# --- the check log --------------------------------------------------------------------------------


def test_the_log_shows_questions_and_the_unanswered_ones(client, login_as, herts):
    login_as("officer")
    _check(client, purpose="safeguarding children")
    _check(client, category="criminal_offence")
    _check(client, category="criminal_offence")
    html = client.get("/check/log").get_data(as_text=True)
    assert "3 checks: 1 permitted, 2 not covered by an agreement" in html
    assert "Questions most often not covered" in html
    assert ">2</td>" in html  # the criminal offence question, asked twice
    refused = client.get("/check/log?outcome=not_permitted").get_data(as_text=True)
    assert "2 checks: 0 permitted" in refused
    assert client.get("/check/log?page=99999999999999999999").status_code == 200


def test_the_log_downloads_as_csv_with_the_filters(client, make, login_as, herts):
    police, council, charity, _agreement = herts
    login_as("officer")
    _check(client, purpose="safeguarding children")
    _check(client, recipient="safe-families", purpose="=HYPERLINK(\"http://evil\")")
    response = client.get("/check/log.csv?outcome=not_permitted")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["When (UTC)", "Asked by", "Via"]
    assert len(rows) == 2
    assert rows[1][4] == "Safe Families" and rows[1][8] == "no"
    assert rows[1][6].startswith("'=HYPERLINK")  # a spreadsheet shows it as text, never runs it
    assert "No agreement in the register has both" in rows[1][10]


def test_only_officers_see_the_log(client, login_as, herts):
    police, *_ = herts
    login_as("partner", organisation=police)
    assert client.get("/check/log").status_code == 403
    assert client.get("/check/log.csv").status_code == 403


# --- the agreements list as CSV -------------------------------------------------------------------


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_agreements_csv_applies_the_filters(client, make, login_as, herts):
    police, council, charity, agreement = herts
    make.agreement(parties=[council, charity], reference="ISA-2025-002", title="+Youth work", status=AgreementStatus.DRAFT)
    login_as("officer")
    rows = _csv(client.get("/agreements.csv"))
    assert rows[0][:3] == ["Reference", "Title", "Status"]
    assert [row[0] for row in rows[1:]] == ["ISA-2024-001", "ISA-2025-002"]
    assert rows[2][1] == "'+Youth work"
    assert rows[1][4] == "Hertfordshire Constabulary; Hertfordshire County Council"
    assert [row[0] for row in _csv(client.get("/agreements.csv?status=draft"))[1:]] == ["ISA-2025-002"]
    assert [row[0] for row in _csv(client.get("/agreements.csv?party=herts-police"))[1:]] == ["ISA-2024-001"]
    assert client.get("/agreements.csv?review_due_before=soon").status_code == 400
    assert 'href="/agreements.csv?status=draft"' in client.get("/agreements/?status=draft").get_data(as_text=True)


def test_agreements_csv_shows_a_partner_only_its_agreements(client, make, login_as, herts):
    police, council, charity, agreement = herts
    make.agreement(parties=[council, charity], reference="ISA-2025-002")
    login_as("partner", organisation=police)
    assert [row[0] for row in _csv(client.get("/agreements.csv"))[1:]] == ["ISA-2024-001"]


# --- the permitted answer honours the law and the signed version (issue 11) ----------------------


def test_a_flow_on_dpa_1998_bases_alone_is_refused_with_its_findings(app, make):
    police = make.organisation(slug="herts-police", name="Hertfordshire Constabulary", type="police")
    council = make.organisation(slug="herts-cc", name="Hertfordshire County Council")
    agreement = make.agreement(parties=[police, council], status=AgreementStatus.ACTIVE, start_date=date(2016, 4, 1))
    agreement.flows[0].categories = ["personal", "special_category"]
    agreement.flows[0].lawful_bases = ["DPA1998-SCH2-5B", "DPA1998-SCH3-7"]
    agreement.flows[0].channel = make.channel(special_category_approved=True)
    for party in agreement.parties:
        party.signed_on = date(2016, 3, 20)
    make.db.session.commit()
    answer = permitted(police, council, "special_category", None, date(2026, 11, 21))
    assert not answer.permitted
    (reason,) = answer.reasons
    assert reason.code == rules.LEGAL_ERRORS == "legal_errors"
    assert {f.rule for f in reason.findings} == {"art6-missing", "art9-missing"}
    assert "UKGDPR-A6-1E" in reason.message  # says what to cite instead
    assert reason.as_dict()["findings"][0]["severity"] == "error"
    # Before 25 May 2018 the same flow stood on the 1998 Act.
    assert permitted(police, council, "special_category", None, date(2017, 6, 1)).permitted


def test_a_signature_counts_from_its_date(app, make):
    police = make.organisation(type="police")
    council = make.organisation()
    agreement = make.agreement(parties=[police, council], status=AgreementStatus.ACTIVE, start_date=date(2024, 1, 1))
    agreement.parties[1].signed_on = date(2025, 3, 1)
    make.db.session.commit()
    before = permitted(police, council, "personal", None, date(2025, 2, 1))
    assert not before.permitted
    assert [r.code for r in before.reasons] == [rules.NOT_SIGNED]
    assert "1 March 2025" in before.reasons[0].message
    assert permitted(police, council, "personal", None, date(2025, 3, 1)).permitted


def test_an_amendment_awaiting_signatures_leaves_the_signed_version_in_force(app, make):
    from isa.flows.operations import save_flow

    police = make.organisation(type="police", name="Police")
    council = make.organisation(name="Council")
    agreement = make.agreement(parties=[police, council], status=AgreementStatus.ACTIVE)
    original = agreement.flows[0]
    # The amendment changes the flow's purposes: a material change that every party signs again.
    save_flow(agreement, original, {
        "from_organisation": police.slug, "to_organisation": council.slug, "categories": ["personal"],
        "items": "Names and addresses", "purposes": ["early help"], "lawful_bases": ["UKGDPR-A6-1E"],
        "channel": None, "frequency": "ad_hoc", "consent": "no_consent_lawful_basis",
    }, agreement.version)
    make.db.session.commit()
    assert agreement.status == AgreementStatus.AWAITING_SIGNATURES and agreement.protocol_version == 2
    answer = permitted(police, council, "personal", "safeguarding children", date(2026, 11, 21))
    assert answer.permitted, answer.reasons
    (match,) = answer.matches
    assert (match.version, match.awaiting_version) == (1, 2)
    assert any("Version 2" in note and "version 1" in note for note in answer.notes)
    # The new purpose is not in force until every party has signed version 2.
    refused = permitted(police, council, "personal", "early help", date(2026, 11, 21))
    assert not refused.permitted and [r.code for r in refused.reasons] == [rules.PURPOSE]


def test_asking_about_anonymised_data_explains_what_truly_anonymised_means(app, herts):
    police, council, _charity, _agreement = herts
    answer = permitted(police, council, "anonymised", None, date(2026, 11, 21))
    assert any("Pseudonymised" in note for note in answer.notes)
    assert answer.as_dict()["notes"] == answer.notes


def test_the_check_page_shows_legal_errors_and_notes(client, login_as, make):
    police = make.organisation(slug="old-police", name="Old Police", type="police")
    council = make.organisation(slug="old-council", name="Old Council")
    agreement = make.agreement(parties=[police, council], status=AgreementStatus.ACTIVE, start_date=date(2016, 4, 1),
                               reference="ISA-2016-OLD")
    agreement.flows[0].lawful_bases = ["DPA1998-SCH2-5B"]
    make.db.session.commit()
    login_as("officer")
    html = _check(client, discloser="old-police", recipient="old-council", category="personal").get_data(as_text=True)
    assert "No agreement covers this" in html and "ISA-2016-OLD" in html
    assert "no lawful basis that counts" in html and "UKGDPR-A6-1E" in html
    anonymised = _check(client, discloser="old-police", recipient="old-council", category="anonymised").get_data(as_text=True)
    assert "Pseudonymised data" in anonymised


# --- the partnership's purposes -------------------------------------------------------------------


@pytest.mark.parametrize("asked, purposes, nearest", [
    ("safeguarding", ["safeguarding children", "housing", "safeguarding adults"], ["safeguarding adults", "safeguarding children"]),
    ("safegaurding children", ["safeguarding children", "crime prevention"], ["safeguarding children"]),
    ("family support", ["Early help for families", "family support services", "FAMILY SUPPORT SERVICES"], ["family support services"]),
    ("housing", ["safeguarding children"], []),
    (None, ["safeguarding children"], []),
])
def test_nearest_purposes(asked, purposes, nearest):
    assert rules.nearest_purposes(asked, purposes) == nearest


def test_a_purpose_worded_differently_is_answered_with_the_purposes_that_would_match_first():
    superseded = candidate("ISA-2020-001", status="superseded", flows=[flow(purposes=["safeguarding"])])
    answer = rules.answer(question(purpose="safeguarding"), [superseded, candidate("ISA-2024-001")], CATALOGUE)
    assert not answer.permitted
    assert answer.nearest_purposes == ["safeguarding children"]  # from the agreement in force only
    assert [reason.agreement for reason in answer.reasons] == ["ISA-2024-001", "ISA-2020-001"]  # in force first
    assert answer.as_dict()["nearest_purposes"] == ["safeguarding children"]


def test_the_check_page_offers_the_partnerships_purposes_and_the_nearest_ones(client, login_as, herts, make):
    police, council, _charity, _agreement = herts
    make.agreement(parties=[police, council], status=AgreementStatus.TERMINATED, reference="ISA-2019-001").flows[0].purposes = ["old purpose"]
    make.db.session.commit()
    login_as("partner", organisation=police)
    page = client.get("/check").get_data(as_text=True)
    assert 'list="known-purposes"' in page and '<option value="safeguarding children">' in page
    assert "old purpose" not in page  # only the agreements in force make the vocabulary
    html = _check(client, purpose="safeguarding").get_data(as_text=True)
    assert "No agreement covers this" in html
    assert html.index("Check for safeguarding children") < html.index("Why no agreement covers it")
    terminated = [r for r in re.findall(r'href="/agreements/([^"]+)">\1</a></h3>', html)]
    assert terminated[0] == "ISA-2024-001" and len(terminated) == 2  # the agreement in force first, the terminated one after
    again = _check(client, purpose="safeguarding children").get_data(as_text=True)
    assert "Yes, under ISA-2024-001" in again


def test_the_flow_form_offers_the_partnerships_purposes(client, login_as, herts, make):
    police, council, _charity, _agreement = herts
    draft = make.agreement(parties=[police, council], status=AgreementStatus.DRAFT)
    login_as("officer")
    page = client.get(f"/agreements/{draft.reference}/flows/new").get_data(as_text=True)
    listed = page[page.index("Purposes the partnership already uses"):]
    assert "<li>safeguarding children</li>" in listed
