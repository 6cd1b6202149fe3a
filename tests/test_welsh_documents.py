"""The protocol in Welsh (issue 17): a Welsh-speaking user gets the protocol PDF written in Welsh,
rendered by the scheduler and stored apart from the English one; the signing and preparing pages
are in Welsh too. English stays the default."""
import html
import re
import subprocess
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from isa.agreements.models import AgreementStatus as S
from isa.api.tokens import create_token
from isa.audit.tracking import acting_as
from isa.documents.models import ProtocolDocument, RenderJob, RenderStatus as RS
from isa.documents.queue import reconcile
from isa.documents.render import protocol_html
from isa.exchange.demo import load_demo
from tests.conftest import post_form, run_render_queue
from tests.test_dpia import add_risk, advise, describe, screen, sign

WELSH_HEADINGS = (
    "Ynglŷn â'r protocol hwn", "Diben rhannu'r data", "Y sefydliadau dan sylw", "Y data i'w rannu",
    "Sail gyfreithlon dros rannu", "Ble mae'r data'n cael eu cadw", "Cadw a gwaredu", "Trefniadau adolygu", "Llofnodion",
    "Atodiad A: Y saith rheol euraidd ar gyfer rhannu gwybodaeth",
)
ENGLISH_HEADINGS = (
    "About this protocol", "Purpose of the data sharing", "Organisations involved", "Data to be shared",
    "Lawful basis for sharing", "Where the data is held", "Retention and disposal", "Review arrangements",
    "Signed for and on behalf of", "The seven golden rules",
)


def pdf_text(pdf, tmp_path):
    """The PDF's text as pdftotext reads it, with line breaks joined."""
    path = tmp_path / "protocol.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True).stdout.decode()
    return " ".join(text.replace("-\n", "-").split())


def documents(db, agreement_id):
    db.session.expire_all()
    query = sa.select(ProtocolDocument).where(ProtocolDocument.agreement_id == agreement_id).order_by(ProtocolDocument.id)
    return db.session.scalars(query).all()


@pytest.fixture
def demo(db):
    with acting_as("demo"):
        load_demo(date(2025, 1, 15))
    from isa.agreements.operations import find_by_reference

    return find_by_reference("ISA-2024-001")


def test_a_welsh_user_gets_the_protocol_written_in_welsh(client, login_as, demo, db, app, tmp_path):
    login_as("officer", language="cy")
    waiting = client.get("/agreements/ISA-2024-001/protocol.pdf")
    assert waiting.status_code == 202
    assert "Mae'r protocol ar gyfer fersiwn 1 wrthi'n cael ei baratoi." in html.unescape(waiting.get_data(as_text=True))
    run_render_queue(app)  # the scheduler renders the English document and the Welsh one asked for

    response = client.get("/agreements/ISA-2024-001/protocol.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert re.fullmatch(r"ISA-2024-001-protocol-v1-signed-cy-[0-9a-f]{8}\.pdf", response.headers["Content-Disposition"].split("filename=")[1])
    words = pdf_text(response.data, tmp_path)
    assert "Protocol Rhannu Gwybodaeth" in words and "Information Sharing Protocol" not in words
    for heading in WELSH_HEADINGS:
        assert heading in words, heading
    for heading in ENGLISH_HEADINGS:
        assert heading not in words, heading
    assert "1 Rhagfyr 2027" in words and "1 December 2027" not in words  # dates through govdate, in Welsh
    assert "Tudalen 1 o " in words and "Page 1 of" not in words  # the running footer too
    assert "SWYDDOGOL" in words
    assert "Llofnodwyd ar ran" in words

    english, welsh = documents(db, demo.id)  # each language's copy of version 1 is its own document
    assert (english.language, welsh.language) == ("en", "cy") and english.protocol_version == welsh.protocol_version == 1
    assert english.sha256 != welsh.sha256 and english.content_sha256 != welsh.content_sha256
    assert "About this protocol" in pdf_text(english.pdf, tmp_path)


def test_english_stays_the_default_and_each_language_is_kept_current(client, login_as, demo, db, app, tmp_path):
    user = login_as("officer")
    run_render_queue(app)
    assert [d.language for d in documents(db, demo.id)] == ["en"]  # nobody asked for Welsh: none is made
    english = client.get("/agreements/ISA-2024-001/protocol.pdf")
    assert english.status_code == 200 and "About this protocol" in pdf_text(english.data, tmp_path)

    user.language = "cy"
    db.session.commit()
    assert client.get("/agreements/ISA-2024-001/protocol.pdf").status_code == 202
    run_render_queue(app)
    assert sorted(d.language for d in documents(db, demo.id)) == ["cy", "en"]

    # from now on a change to what the protocol prints queues both languages
    demo.title = "Safeguarding children: Hertfordshire"
    db.session.commit()
    queued = db.session.scalars(sa.select(RenderJob.language).where(RenderJob.status == RS.QUEUED)).all()
    assert sorted(queued) == ["cy", "en"]
    run_render_queue(app)
    welsh = client.get("/agreements/ISA-2024-001/protocol.pdf")
    assert welsh.status_code == 200 and "Safeguarding children: Hertfordshire" in pdf_text(welsh.data, tmp_path)
    assert reconcile() == 0  # the daily check finds both languages' documents current


def test_the_api_gives_the_welsh_protocol_with_lang_cy(client, make, db, app, tmp_path):
    agreement = make.agreement(status=S.ACTIVE)
    officer = make.user(role="officer")
    with acting_as("test"):
        _record, token = create_token(officer, "welsh")
        db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/agreements/{agreement.reference}/protocol.pdf"
    assert client.get(url + "?lang=fr", headers=auth).status_code == 400
    waiting = client.get(url + "?lang=cy", headers=auth)
    assert waiting.status_code == 202 and waiting.headers["Location"].endswith("?lang=cy")
    assert waiting.get_json()["message"] == "The protocol for version 1 is being prepared."  # JSON stays in English
    run_render_queue(app)
    welsh = client.get(url + "?lang=cy", headers=auth)
    english = client.get(url, headers=auth)
    assert welsh.status_code == english.status_code == 200
    assert "Ynglŷn â'r protocol hwn" in pdf_text(welsh.data, tmp_path)
    assert "About this protocol" in pdf_text(english.data, tmp_path)


def test_signing_in_welsh(client, login_as, make, db, app):
    council, police = make.organisation(name="Cyngor Sir"), make.organisation(name="Heddlu", type="police")
    make.agreement(parties=[council, police], signed=False, status=S.AWAITING_SIGNATURES, reference="ISA-SIGN-CY")
    login_as("partner", organisation=council, language="cy")
    page = html.unescape(client.get("/agreements/ISA-SIGN-CY/sign").get_data(as_text=True))
    assert "Llofnodi ar ran Cyngor Sir" in page and "Rydych yn llofnodi'r union ddogfen" in page
    assert "Sign for Cyngor Sir" not in page
    run_render_queue(app)
    page = html.unescape(client.get("/agreements/ISA-SIGN-CY/sign").get_data(as_text=True))
    assert "Rydych yn llofnodi'r Protocol Rhannu Gwybodaeth ar ran Cyngor Sir" in page
    assert "Eich enw llawn" in page and "Teitl eich swydd" in page and "Your full name" not in page
    document_id = re.search(r'name="document_id" type="hidden" value="(\d+)"', page).group(1)
    assert db.session.get(ProtocolDocument, int(document_id)).language == "cy"  # they sign the Welsh copy they read
    response = post_form(client, "/agreements/ISA-SIGN-CY/sign", {"document_id": document_id, "signatory_title": ""})
    assert "Rhowch deitl eich swydd" in html.unescape(response.get_data(as_text=True))
    response = post_form(client, "/agreements/ISA-SIGN-CY/sign", {
        "document_id": document_id, "signatory_name": "Siân Jones", "signatory_title": "Cyfarwyddwr", "confirm": "y",
    })
    assert response.status_code == 302
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Rydych wedi llofnodi fersiwn 1 o ISA-SIGN-CY ar ran Cyngor Sir." in page
    assert 'id="protocol">Dogfen y protocol</h2>' in page and "Cofnod llofnodion" in page  # the agreement page's section
    assert "Generated documents" not in page and "Signature record" not in page


@pytest.fixture
def sensitive(make):
    """An active agreement with a flow of special category data (as in test_dpia)."""
    agreement = make.agreement(status=S.ACTIVE)
    flow = agreement.flows[0]
    flow.categories = ["personal", "special_category"]
    flow.lawful_bases = ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]
    flow.channel = make.channel()
    return make._save(agreement)


def test_the_dpia_appendix_in_welsh(client, db, login_as, sensitive):
    agreement = sensitive
    login_as("officer")
    for step in (screen, describe, add_risk, advise, sign):
        step(client, db, agreement)
    db.session.refresh(agreement)
    with force_locale("cy"):
        welsh = html.unescape(protocol_html(agreement))
    assert "Atodiad B: Asesiad o'r effaith ar ddiogelu data" in welsh and "Risgiau a mesurau" in welsh and "Cymeradwywyd" in welsh
    assert "Sent to the wrong person." in welsh  # what the register holds stays as written
    assert '<html lang="cy">' in welsh and "Appendix B" not in welsh and "Risks and measures" not in welsh
    english = protocol_html(agreement)
    assert '<html lang="en-GB">' in english and "Appendix B: Data protection impact assessment" in english
