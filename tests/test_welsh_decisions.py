"""Welsh (issue 17) for sharing decisions, the check before sharing and its log, and the review
reminder e-mails, which go out in each recipient's language from a sweep that has no request."""
import csv
import html
import io
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale

from isa.agreements.models import AgreementStatus
from isa.decisions.operations import create_decision_from_json
from isa.reminders.sweep import run_sweep
from isa.sharing.models import CheckLog
from isa.sharing.queries import permitted
from tests.conftest import post_form
from tests.test_decisions import CASE, DECISION, register  # noqa: F401 (a fixture)
from tests.test_reminders import inbox, smtp  # noqa: F401 (fixtures: a real SMTP server)

WELSH = {"Accept-Language": "cy"}


def _page(response):
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


# --- sharing decisions --------------------------------------------------------------------------


def test_the_decision_form_and_the_flowchart_in_welsh(client, login_as, register):  # noqa: F811
    login_as("officer", language="cy")
    page = _page(client.get("/decisions/new"))
    assert '<html lang="cy"' in page
    assert "Cofnodi penderfyniad rhannu" in page and "Record a sharing decision" not in page
    assert "A oes diben clir a dilys dros rannu'r wybodaeth?" in page
    assert "Nid yw cyfraith diogelu data yn rhwystr i rannu" in page  # a question's help from the seeds
    assert "Cyfeirnod eich system achosion, fel CS-2024-00123" in page  # a form hint
    assert "Is there a clear and legitimate purpose" not in page and "Case reference" not in page

    page = _page(post_form(client, "/decisions/new", dict(CASE, action="check")))
    assert "Mae'r siart llif yn awgrymu:" in page and "Rhannu</strong>" in page
    assert "Nid oes gennych ganiatâd, ond mae rheswm cyfreithlon i rannu hebddo" in page
    assert "The flowchart suggests" not in page and "lawful reason to share without it" not in page


def test_a_problem_with_a_decision_is_explained_in_welsh(client, login_as, register):  # noqa: F811
    login_as("officer", language="cy")
    page = _page(post_form(client, "/decisions/new", dict(DECISION, case_reference="John Smith", reasons="")))
    assert "Mae cyfeirnod yr achos yn edrych fel enw person" in page
    assert "Esboniwch y rhesymau dros eich penderfyniad" in page
    assert "looks like a person's name" not in page and "Explain the reasons" not in page


def test_a_recorded_decision_reads_in_welsh(client, login_as, register):  # noqa: F811
    login_as("officer", language="cy")
    response = post_form(client, "/decisions/new", DECISION)
    assert response.status_code == 302
    page = _page(client.get(response.headers["Location"]))
    assert "Penderfyniad wedi'i gofnodi: rhannu, achos CS-2024-00123." in page  # the flash
    assert "Achos CS-2024-00123" in page and "Atebion y siart llif" in page
    assert "3 Mawrth 2025" in page  # the decision's date, in Welsh
    assert "Mae'n diogelu plentyn neu unigolyn sy'n wynebu risg" in page  # an answer, as its label
    assert "Gwiriadau a gadarnhawyd cyn rhannu" in page
    assert "The flowchart answers" not in page and "Date of the decision" not in page

    listed = _page(client.get("/decisions/"))
    assert "Penderfyniadau rhannu" in listed and "Lawrlwytho'r penderfyniadau hyn (CSV)" in listed
    months = _page(client.get("/decisions/months"))
    assert "Penderfyniadau rhannu fesul mis" in months and "Mawrth 2025" in months and "March 2025" not in months
    export = client.get("/decisions/export.csv").get_data(as_text=True)
    assert export.lstrip("\ufeff").startswith("id,decided_on,")  # a machine format: as it was


def test_the_decisions_api_answers_in_english_whatever_the_request_asks(app, register, make):  # noqa: F811
    user = make.user(role="officer")
    with app.test_request_context("/api/v1/decisions", headers=WELSH), force_locale("cy"):
        decision, problems = create_decision_from_json({"case_reference": "John Smith"}, user)
    assert decision is None
    assert "looks like a person's name" in problems["case_reference"]
    assert problems["reasons"] == "Explain the reasons for your decision"


# --- check before sharing, and its log ----------------------------------------------------------


def _ask(client, purpose):
    return post_form(client, "/check", {
        "discloser": "police", "recipient": "council", "category": "special_category", "purpose": purpose,
        "on": ["3", "3", "2025"],
    })


def test_the_check_and_its_reasons_in_welsh_while_the_log_keeps_english(client, login_as, register, db):  # noqa: F811
    login_as("officer", language="cy")
    page = _page(client.get("/check"))
    assert "Gwirio cyn rhannu" in page and "Pa fath o ddata" in page and "What kind of data" not in page

    page = _page(_ask(client, "safeguarding children"))
    assert "Ydy, o dan ISA-2025-001" in page
    assert "Caiff Hertfordshire Constabulary rannu" in page and "may share" not in page

    page = _page(_ask(client, "housing"))
    assert "Nid oes cytundeb yn cwmpasu hyn" in page
    assert "Nid oes llif yn ISA-2025-001 ar gyfer" in page and "yn rhestru'r diben “housing”" in page
    assert "No flow in ISA-2025-001" not in page

    # The log keeps the reason in English (the API and the CSV carry it) and shows it in the reader's language.
    entry = db.session.scalars(sa.select(CheckLog).where(CheckLog.permitted.is_(False))).one()
    assert entry.reasons[0]["message"].startswith("No flow in ISA-2025-001 for special category data")
    log = _page(client.get("/check/log"))
    assert "Cofnod gwiriadau" in log and "2 wiriad: caniatawyd 1, ni chwmpaswyd 1 gan gytundeb." in log
    assert "Nid oes llif yn ISA-2025-001 ar gyfer" in log and "No flow in ISA-2025-001" not in log
    rows = list(csv.reader(io.StringIO(client.get("/check/log.csv").get_data(as_text=True))))
    assert rows[0][0].lstrip("\ufeff") == "When (UTC)" and any("No flow in ISA-2025-001" in cell for row in rows for cell in row)


def test_the_permitted_answer_for_the_api_stays_in_english_on_a_welsh_request(app, register):  # noqa: F811
    with app.test_request_context("/", headers=WELSH):
        answer = permitted(register["police"], register["council"], "personal", "housing", date(2025, 3, 3))
        (reason,) = answer.reasons
        assert reason.as_dict()["message"].startswith("No flow in ISA-2025-001 for personal data")
        assert answer.as_dict()["advice"].startswith("An agreement is not required for ad hoc sharing")
        assert reason.text.startswith("Nid oes llif yn ISA-2025-001 ar gyfer") and "3 Mawrth 2025" not in reason.text


# --- review reminders, in each recipient's language ---------------------------------------------


def test_one_sweep_sends_each_reminder_in_its_recipients_language(app, db, make, inbox):  # noqa: F811
    review = date(2027, 12, 1)
    welsh = make.user(role="officer", email="swyddog@cyngor.example.org", language="cy")
    english = make.user(role="officer", email="officer@council.example.org", language="en")
    for n, owner in enumerate((welsh, english)):
        parties = [make.organisation(spoc_email=None), make.organisation(name="Ysgol Gynradd", spoc_email=None)]
        make.agreement(parties=parties, reference=f"ISA-2027-00{n}", title="Diogelu Teuluoedd", status=AgreementStatus.ACTIVE,
                       review_date=review, owner=owner)

    report = run_sweep(date(2027, 11, 1))
    assert len(report.sent) == 2 and not report.failed
    by_recipient = {received.to[0]: received.message for received in inbox.messages}

    cymraeg = by_recipient["swyddog@cyngor.example.org"]
    assert cymraeg["Subject"] == "Adolygiad i fod ymhen 30 diwrnod: ISA-2027-000 Diogelu Teuluoedd"
    text, page = cymraeg.get_body("plain").get_content(), cymraeg.get_body("html").get_content()
    assert "Mae'r adolygiad i fod ar 1 Rhagfyr 2027, ymhen 30 diwrnod." in text
    assert "Dyddiad adolygu:      1 Rhagfyr 2027" in text  # the labels still line up
    assert "Beth i'w wneud" in text and "What to do" not in text
    assert '<html lang="cy">' in page and "Nodyn atgoffa am adolygiad: ISA-2027-000" in page and "Review reminder" not in page

    english_mail = by_recipient["officer@council.example.org"]
    assert english_mail["Subject"] == "Review due in 30 days: ISA-2027-001 Diogelu Teuluoedd"
    text = english_mail.get_body("plain").get_content()
    assert "The review is due on 1 December 2027, in 30 days." in text and "Beth i'w wneud" not in text
    assert '<html lang="en-GB">' in english_mail.get_body("html").get_content()


def test_an_overdue_escalated_reminder_in_welsh(app, db, make, inbox):  # noqa: F811
    owner = make.user(role="officer", email="swyddog@cyngor.example.org", language="cy")
    lead = make.organisation(name="Cyngor Sir", spoc_email=None, dpo_email="dpo@cyngor.example.org")
    make.agreement(parties=[lead, make.organisation(spoc_email=None)], reference="ISA-2027-010", title="Diogelu",
                   status=AgreementStatus.ACTIVE, review_date=date(2027, 12, 1), owner=owner, lead_organisation=lead)
    run_sweep(date(2028, 1, 6))
    [received] = inbox.messages
    assert received.message["Subject"] == "Wedi'i uwchgyfeirio: adolygiad 36 diwrnod yn hwyr: ISA-2027-010 Diogelu"
    text = received.message.get_body("plain").get_content()
    assert "Roedd yr adolygiad i fod ar 1 Rhagfyr 2027 ac mae 36 diwrnod yn hwyr." in text
    assert "swyddog diogelu data Cyngor Sir" in text
