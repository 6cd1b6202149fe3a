"""The DPIA of an agreement (issue 16): the rules, the journey through the pages, who may do what,
the history, the agreement page, the dpia-missing finding and the protocol's appendix."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from isa.agreements.models import AgreementStatus
from isa.audit.models import AuditEvent
from isa.dpia import rules
from isa.dpia.models import Dpia, DpiaRisk, DpiaState, RiskLevel
from tests.conftest import count, post_form

TODAY = date.today()


# --- the rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "likelihood, severity, level",
    [
        ("remote", "minimal", "low"), ("remote", "significant", "low"), ("remote", "severe", "medium"),
        ("possible", "minimal", "low"), ("possible", "significant", "medium"), ("possible", "severe", "high"),
        ("probable", "minimal", "medium"), ("probable", "significant", "high"), ("probable", "severe", "high"),
    ],
)
def test_risk_is_likelihood_times_severity(likelihood, severity, level):
    assert rules.risk_level(likelihood, severity) == RiskLevel(level)


@pytest.mark.parametrize(
    "answers, required",
    [
        ([], False),
        (["sensitive_at_scale"], True),
        (["children_or_vulnerable"], True),
        (["matching"], True),
        (["systematic_monitoring"], True),
        (["denial_of_service"], True),
        (["new_technology"], False),  # needs another indicator with it
        (["large_scale"], False),
        (["new_technology", "large_scale"], True),
    ],
)
def test_screening_says_whether_a_dpia_is_required(answers, required):
    assert rules.screening_required(answers) is required


@pytest.mark.parametrize(
    "required, signed_off_on, screened, state",
    [
        (False, None, False, DpiaState.NONE),
        (False, None, True, DpiaState.NOT_REQUIRED),
        (True, None, True, DpiaState.IN_PROGRESS),
        (True, date(2026, 1, 5), True, DpiaState.COMPLETE),
        (False, date(2026, 1, 5), True, DpiaState.COMPLETE),  # carried out anyway, as good practice
    ],
)
def test_state(required, signed_off_on, screened, state):
    assert rules.state_of(required, signed_off_on, screened) == state


def _risk(residual=("remote", "minimal")):
    return SimpleNamespace(residual_likelihood=residual[0], residual_severity=residual[1])


def test_prior_consultation_only_for_a_high_residual_risk():
    assert not rules.prior_consultation_needed([_risk(), _risk(("possible", "significant"))])
    assert rules.prior_consultation_needed([_risk(), _risk(("probable", "severe"))])


def _dpia(**overrides):
    values = dict(nature="How", purposes="Why", necessity="Needed", required=True, risks=[_risk()], dpo_outcome="accepted",
                  dpo_advice="Go ahead", dpo_overruled_reason="")
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({}, None),
        ({"nature": " "}, "Describe the processing and its purposes"),
        ({"necessity": ""}, "Assess necessity and proportionality"),
        ({"risks": []}, "Identify the risks to individuals, with the measures that reduce them"),
        ({"risks": [], "required": False}, None),
        ({"dpo_outcome": None}, "Record the DPO's advice and whether it was accepted or overruled"),
        ({"dpo_outcome": "overruled"}, "Give the reason the DPO's advice was overruled"),
        ({"dpo_outcome": "overruled", "dpo_overruled_reason": "The risk is accepted by the board"}, None),
    ],
)
def test_sign_off_needs_every_step(overrides, problem):
    assert rules.sign_off_problems(_dpia(**overrides)) == ([problem] if problem else [])


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def sensitive(make):
    """An active agreement with one flow of special category data."""
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    flow = agreement.flows[0]
    flow.categories = ["personal", "special_category"]
    flow.lawful_bases = ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]
    flow.channel = make.channel()
    make._save(agreement)
    return agreement


def _version(db, agreement):
    db.session.refresh(agreement)
    return str(agreement.version)


def _dpia_of(db, agreement):
    return db.session.scalar(sa.select(Dpia).where(Dpia.agreement_id == agreement.id))


def _date(day):
    return [str(day.day), str(day.month), str(day.year)]


def screen(client, db, agreement, answers=("sensitive_at_scale",), notes=""):
    url = f"/agreements/{agreement.reference}/dpia/screening"
    return post_form(client, url, {"version": _version(db, agreement), "screening": list(answers), "screening_notes": notes})


def describe(client, db, agreement, **changes):
    data = {"version": _version(db, agreement), "nature": "Police share call-outs.", "scope": "", "context": "",
            "purposes": "Safeguarding children.", "consultation": "", "necessity": "No less intrusive way."}
    data.update(changes)
    return post_form(client, f"/agreements/{agreement.reference}/dpia/description", data)


def add_risk(client, db, agreement, **changes):
    data = {"version": _version(db, agreement), "description": "Sent to the wrong person.", "likelihood": "possible",
            "severity": "severe", "measures": "Secure email only, checked addresses.", "residual_likelihood": "remote",
            "residual_severity": "severe"}
    data.update(changes)
    return post_form(client, f"/agreements/{agreement.reference}/dpia/risks/new", data)


def advise(client, db, agreement, **changes):
    data = {"version": _version(db, agreement), "dpo_name": "Dana Officer, Herts CC", "dpo_advice_on": _date(TODAY),
            "dpo_advice": "Proceed with the measures.", "dpo_outcome": "accepted", "dpo_overruled_reason": "",
            "dpo_decided_by": "Sam Director"}
    data.update(changes)
    return post_form(client, f"/agreements/{agreement.reference}/dpia/advice", data)


def sign(client, db, agreement, **changes):
    data = {"version": _version(db, agreement), "signed_off_by": "Sam Director, SIRO", "signed_off_on": _date(TODAY),
            "ico_consulted_on": ["", "", ""]}
    data.update(changes)
    return post_form(client, f"/agreements/{agreement.reference}/dpia/sign-off", data)


def test_the_whole_journey_from_screening_to_sign_off(client, db, login_as, sensitive):
    login_as("officer")
    page = client.get(f"/agreements/{sensitive.reference}").get_data(as_text=True)
    assert "Not screened" in page and "(dpia-missing)" in page

    form = client.get(f"/agreements/{sensitive.reference}/dpia/screening").get_data(as_text=True)
    assert 'value="sensitive_at_scale" checked' in form  # pre-answered from the flows
    assert screen(client, db, sensitive).status_code == 302
    dpia = _dpia_of(db, sensitive)
    assert dpia.required and "shares with" in dpia.nature  # the description starts from the flows
    assert "(dpia-missing)" in client.get(f"/agreements/{sensitive.reference}").get_data(as_text=True)

    assert describe(client, db, sensitive).status_code == 302
    assert add_risk(client, db, sensitive).status_code == 302
    assert advise(client, db, sensitive).status_code == 302
    assert sign(client, db, sensitive).status_code == 302

    dpia = _dpia_of(db, sensitive)
    assert dpia.signed_off_on == TODAY and dpia.risks[0].level == RiskLevel.HIGH and dpia.risks[0].residual_level == RiskLevel.MEDIUM
    page = client.get(f"/agreements/{sensitive.reference}").get_data(as_text=True)
    assert "Complete" in page and "(dpia-missing)" not in page
    shown = client.get(f"/agreements/{sensitive.reference}/dpia/").get_data(as_text=True)
    assert "Sent to the wrong person." in shown and "medium residual risk" in shown and "Sam Director, SIRO" in shown


def test_screening_with_nothing_ticked_needs_a_reason_and_then_needs_no_dpia(client, db, login_as, make):
    login_as("officer")
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    response = screen(client, db, agreement, answers=())
    assert response.status_code == 200
    assert "Explain why no DPIA is needed" in response.get_data(as_text=True)
    assert screen(client, db, agreement, answers=(), notes="Names and addresses of a few staff only.").status_code == 302
    assert _dpia_of(db, agreement).required is False
    assert "Not required" in client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)


def test_overruled_advice_needs_its_reason_next_to_the_field(client, db, login_as, sensitive):
    login_as("officer")
    screen(client, db, sensitive)
    response = advise(client, db, sensitive, dpo_outcome="overruled")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="dpo_overruled_reason-error"' in html and "Give the reason the DPO" in html
    assert advise(client, db, sensitive, dpo_outcome="overruled", dpo_overruled_reason="The board accepts the risk.").status_code == 302
    assert _dpia_of(db, sensitive).dpo_overruled_reason == "The board accepts the risk."


def test_a_residual_risk_cannot_exceed_the_risk_before_the_measures(client, db, login_as, sensitive):
    login_as("officer")
    screen(client, db, sensitive)
    response = add_risk(client, db, sensitive, likelihood="remote", residual_likelihood="probable")
    assert response.status_code == 200
    assert "cannot be higher than before the measures" in response.get_data(as_text=True)
    assert count(db, DpiaRisk) == 0


def test_sign_off_waits_for_every_step_and_a_high_residual_risk_asks_for_the_ico(client, db, login_as, sensitive):
    login_as("officer")
    screen(client, db, sensitive)
    page = client.get(f"/agreements/{sensitive.reference}/dpia/sign-off").get_data(as_text=True)
    assert "cannot be signed off yet" in page and "Record the DPO" in page
    assert sign(client, db, sensitive).status_code == 200
    assert _dpia_of(db, sensitive).signed_off_on is None

    describe(client, db, sensitive)
    add_risk(client, db, sensitive, residual_likelihood="possible", residual_severity="severe")
    advise(client, db, sensitive)
    page = client.get(f"/agreements/{sensitive.reference}/dpia/sign-off").get_data(as_text=True)
    assert "The ICO must be consulted" in page and "ico_consulted_on" in page
    assert sign(client, db, sensitive, signed_off_on=_date(TODAY + timedelta(days=2))).status_code == 200
    assert sign(client, db, sensitive, ico_consulted_on=_date(TODAY)).status_code == 302
    assert "ICO prior consultation needed" in client.get(f"/agreements/{sensitive.reference}/dpia/").get_data(as_text=True)


def test_a_change_after_sign_off_reopens_the_dpia(client, db, login_as, sensitive):
    login_as("officer")
    for step in (screen, describe, add_risk, advise, sign):
        assert step(client, db, sensitive).status_code == 302
    assert describe(client, db, sensitive, necessity="Reviewed: still the least intrusive way.").status_code == 302
    assert _dpia_of(db, sensitive).signed_off_on is None
    assert "(dpia-missing)" in client.get(f"/agreements/{sensitive.reference}").get_data(as_text=True)


def test_removing_a_risk_and_deleting_the_dpia_ask_first(client, db, login_as, sensitive):
    login_as("officer")
    screen(client, db, sensitive)
    add_risk(client, db, sensitive)
    risk = _dpia_of(db, sensitive).risks[0]
    url = f"/agreements/{sensitive.reference}/dpia/risks/{risk.id}/remove"
    assert "Yes, remove the risk" in client.get(url).get_data(as_text=True)
    assert count(db, DpiaRisk) == 1
    assert post_form(client, url, {"version": _version(db, sensitive)}).status_code == 302
    assert count(db, DpiaRisk) == 0

    url = f"/agreements/{sensitive.reference}/dpia/delete"
    assert "Yes, delete the DPIA" in client.get(url).get_data(as_text=True)
    assert count(db, Dpia) == 1
    assert post_form(client, url, {"version": _version(db, sensitive)}).status_code == 302
    assert count(db, Dpia) == 0


def test_every_change_is_in_the_agreements_history(client, db, login_as, sensitive):
    login_as("officer")
    screen(client, db, sensitive)
    add_risk(client, db, sensitive)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.agreement_id == sensitive.id, AuditEvent.entity_type.in_(["Dpia", "DpiaRisk"]))).all()
    assert [(e.entity_type, e.action) for e in events] == [("Dpia", "created"), ("DpiaRisk", "created")]
    assert events[0].changes["screening"] == [None, ["sensitive_at_scale"]]
    page = client.get(f"/agreements/{sensitive.reference}").get_data(as_text=True)
    assert "DPIA of " + sensitive.reference in page and "Special category or criminal offence data on a large scale" in page


def test_a_stale_form_is_refused(client, db, login_as, sensitive):
    login_as("officer")
    screen(client, db, sensitive)
    stale = str(int(_version(db, sensitive)) - 1)
    response = post_form(client, f"/agreements/{sensitive.reference}/dpia/description",
                         {"version": stale, "nature": "x", "purposes": "y", "necessity": "z"})
    assert "Someone else changed this agreement" in response.get_data(as_text=True)


def test_a_post_without_the_csrf_token_fails(client, db, login_as, sensitive):
    login_as("officer")
    response = client.post(f"/agreements/{sensitive.reference}/dpia/screening",
                           data={"version": _version(db, sensitive), "screening": ["sensitive_at_scale"]})
    assert response.status_code == 400
    assert count(db, Dpia) == 0


def test_partners_of_a_party_read_and_nobody_else_does(client, db, login_as, make, sensitive):
    party = sensitive.parties[0].organisation
    login_as("officer")
    screen(client, db, sensitive)
    post_form(client, "/logout", {}, get_url="/agreements/")
    login_as("partner", organisation=party)
    url = f"/agreements/{sensitive.reference}/dpia/"
    page = client.get(url)
    assert page.status_code == 200 and "Add a risk" not in page.get_data(as_text=True)
    assert client.get(f"/agreements/{sensitive.reference}/dpia/screening").status_code == 403
    assert client.get(f"/agreements/{sensitive.reference}/dpia/delete").status_code == 403
    post_form(client, "/logout", {}, get_url="/agreements/")
    login_as("partner", organisation=make.organisation())
    assert client.get(url).status_code == 404
    post_form(client, "/logout", {}, get_url="/agreements/")
    assert client.get(url).status_code == 302  # to sign in


def test_steps_before_the_screening_send_the_officer_to_it(client, login_as, sensitive):
    login_as("officer")
    response = client.get(f"/agreements/{sensitive.reference}/dpia/risks/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dpia/screening")


# --- the register-wide sweep and the protocol ----------------------------------------------------


def test_the_register_sweep_knows_each_dpia_state(app, db, make, client, login_as, sensitive):
    from isa.legal.queries import load_register, needs_attention

    elsewhere = make.agreement(status=AgreementStatus.ACTIVE, dpia_reference="DPIA-2024-07")
    elsewhere.flows[0].categories = ["criminal_offence"]
    make._save(elsewhere)
    states = {a.reference: a.dpia_state for a in load_register()}
    assert states[sensitive.reference] == DpiaState.NONE
    flagged = {item.agreement.reference for item in needs_attention(TODAY) if "dpia-missing" in item.rules}
    assert sensitive.reference in flagged and elsewhere.reference not in flagged

    login_as("officer")
    for step in (screen, describe, add_risk, advise, sign):
        step(client, db, sensitive)
    assert {a.reference: a.dpia_state for a in load_register()}[sensitive.reference] == DpiaState.COMPLETE
    assert sensitive.reference not in {item.agreement.reference for item in needs_attention(TODAY) if "dpia-missing" in item.rules}


def test_the_protocol_has_the_dpia_appendix_only_when_there_is_a_dpia(app, db, client, login_as, sensitive):
    from isa.documents.render import protocol_html

    assert "Appendix B" not in protocol_html(sensitive)
    login_as("officer")
    for step in (screen, describe, add_risk, advise, sign):
        step(client, db, sensitive)
    db.session.refresh(sensitive)
    html = protocol_html(sensitive)
    assert "Appendix B: Data protection impact assessment" in html
    assert "Sent to the wrong person." in html and "Signed off" in html and "Sam Director, SIRO" in html


def test_the_protocol_pdf_prints_the_appendix(app, db, client, login_as, sensitive):
    from isa.documents.render import render_protocol
    from tests.test_documents import pdf_text

    login_as("officer")
    for step in (screen, describe, add_risk, advise):
        step(client, db, sensitive)
    db.session.refresh(sensitive)
    _reader, text = pdf_text(render_protocol(sensitive))
    assert "Appendix B: Data protection impact assessment" in text
    assert "In progress" in text and "Sent to the wrong person." in text


def test_the_dpia_is_reviewed_with_the_agreement(client, db, login_as, sensitive):
    from isa.reviews.models import Review, ReviewOutcome

    login_as("officer")
    screen(client, db, sensitive)
    form = client.get(f"/agreements/{sensitive.reference}/reviews/new").get_data(as_text=True)
    assert "Review its data protection impact assessment with it" in form and "In progress" in form
    db.session.add(Review(agreement=sensitive, reviewed_on=date(2026, 6, 1), reviewer="Sam", outcome=ReviewOutcome.CONTINUE,
                          previous_review_date=date(2026, 6, 1), next_review_date=sensitive.review_date))
    db.session.commit()
    page = client.get(f"/agreements/{sensitive.reference}/dpia/").get_data(as_text=True)
    assert "next review due on <strong>1 December 2027</strong>" in page
    assert "The agreement was last reviewed on 1 June 2026." in page


def test_the_description_starts_from_the_register(client, db, login_as, make):
    login_as("officer")
    agreement = make.agreement(status=AgreementStatus.ACTIVE, data_subjects="Children in need and their parents",
                               retention="Six years after the case closes.")
    screen(client, db, agreement, answers=("children_or_vulnerable",))
    dpia = _dpia_of(db, agreement)
    flow = agreement.flows[0]
    assert dpia.nature.startswith(f"{flow.from_organisation.name} shares with {flow.to_organisation.name}: Names and addresses (personal data), "
                                  "for safeguarding children, by a channel not yet recorded, ad hoc.")
    assert "Retention: Six years after the case closes." in dpia.nature and "Where the data is held: United Kingdom." in dpia.nature
    assert dpia.purposes == "Safeguarding children\n\nPurposes of the data flows: safeguarding children."
    assert dpia.context == "Data subjects: Children in need and their parents"
    assert dpia.necessity == ""  # the officer's own assessment: the page shows the lawful bases beside it
    page = client.get(f"/agreements/{agreement.reference}/dpia/description").get_data(as_text=True)
    assert "Lawful bases relied on:" in page and "UKGDPR-A6-1E" in page
