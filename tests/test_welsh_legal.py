"""The lawful-basis catalogue, the findings and the records in Welsh (issue 17).

A finding is worded when it is shown: a Welsh page shows it in Welsh, while the API, the command
line and anything stored get the English, whoever asked. The records' CSV files stay English.
"""
import html
import csv
import io
import json
from datetime import date

import pytest
from flask_babel import refresh
from openpyxl import load_workbook

from isa.agreements.models import AgreementStatus, DataLocation
from isa.legal.words import N_, AndList, Words

WELSH = {"Accept-Language": "cy"}


def _text(response):
    return html.unescape(response.get_data(as_text=True))


def test_the_lawful_bases_page_is_in_welsh(client, login_as):
    login_as("officer")
    page = _text(client.get("/legal-bases", headers=WELSH))
    assert "Y catalog o seiliau cyfreithlon, amodau a phyrth statudol" in page
    assert "Chwilio yn ôl cod, teitl neu grynodeb" in page and ">Pob cofnod</option>" in page
    assert "Amodau Erthygl 6 GDPR y DU (Atodlen 2 i Ddeddf Diogelu Data 1998)" in page
    assert "The catalogue of lawful bases" not in page and "Search by code, title or summary" not in page


def test_one_lawful_basis_reads_in_welsh(client, login_as):
    login_as("officer")
    page = _text(client.get("/legal-bases/DPA1998-SCH2-5", headers=WELSH))
    assert "Sail etifeddol: nid yw mewn grym ers 24 Mai 2018." in page
    assert "Olynwyr arferol" in page and "Wedi'i gyflenwi gydag isa" in page
    assert "A legacy basis" not in page and "Usual successors" not in page


def test_the_findings_of_an_agreement_are_shown_in_welsh(client, login_as, make, db):
    agreement = make.agreement(status=AgreementStatus.ACTIVE, data_location=DataLocation.OTHER, reference="ISA-CY-0001")
    agreement.flows[0].lawful_bases = []
    db.session.commit()
    login_as("officer")
    page = _text(client.get("/agreements/ISA-CY-0001", headers=WELSH))
    assert "Nid oes gan y llif hwn o ddata personol sail gyfreithlon sy'n cyfrif ar ei gyfer" in page
    assert "Trosglwyddiad cyfyngedig yw hynny" in page and "y cytundeb cyfan" in page
    assert "1 gwall" in page and "1 rhybudd" in page
    assert "has no lawful basis that counts for it" not in page and "the whole agreement" not in page


def test_the_api_and_the_command_line_keep_the_english_of_a_finding(client, make, db, app, runner):
    from isa.api.tokens import create_token

    agreement = make.agreement(status=AgreementStatus.ACTIVE, reference="ISA-CY-0002")
    agreement.flows[0].lawful_bases = []
    db.session.commit()
    user = make.user(role="officer", language="cy")
    _record, token = create_token(user, "welsh system")
    db.session.commit()
    body = client.get("/api/v1/agreements/ISA-CY-0002/findings",
                      headers={"Authorization": f"Bearer {token}", **WELSH}).get_json()
    messages = [finding["message"] for finding in body["findings"]]
    assert any("has no lawful basis that counts for it" in message for message in messages)
    assert not any("sail gyfreithlon" in message for message in messages)
    result = runner.invoke(args=["check", "ISA-CY-0002"])
    assert "art6-missing" in result.output and "has no lawful basis that counts for it" in result.output


def test_a_finding_is_english_as_text_and_welsh_on_a_welsh_page(app):
    words = N_("%(code)s only comes into force on %(day)s", code="X-1", day=date(2030, 1, 1))
    listed = AndList(["UKGDPR-A6-1E", "UKGDPR-A6-1C"])
    assert words == "X-1 only comes into force on 1 January 2030" and str(listed) == "UKGDPR-A6-1E and UKGDPR-A6-1C"
    with app.test_request_context("/", headers=WELSH):
        assert words.__html__() == "nid yw X-1 yn dod i rym tan 1 Ionawr 2030"
        assert words == "X-1 only comes into force on 1 January 2030"  # text, as stored or sent, stays English
        assert json.dumps({"message": words}) == '{"message": "X-1 only comes into force on 1 January 2030"}'
        assert " ".join([words]) == "X-1 only comes into force on 1 January 2030"
        from isa.legal.words import page_wording

        assert listed.worded(page_wording()) == "UKGDPR-A6-1E ac UKGDPR-A6-1C"  # "a" is "ac" before a vowel
    assert isinstance(words.capitalised(), Words) and words.capitalised().startswith("X-1")


def test_the_records_pages_are_in_welsh(client, login_as, make):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    slug = agreement.parties[0].organisation.slug
    login_as("officer")
    page = _text(client.get(f"/records/{slug}", headers=WELSH))
    assert "Cofnod o weithgareddau prosesu" in page and ">Yn datgelu</td>" in page and ">Dibenion</th>" in page
    assert "1 gweithgaredd prosesu" in page
    assert "one entry for each data flow" not in page and ">Discloses<" not in page
    register = _text(client.get(f"/records/{slug}/sharing-register", headers=WELSH))
    assert "Cofrestr rhannu data (DSPT 1.1.2)" in register and ">Allan</td>" in register
    assert ">Cytundeb ysgrifenedig ar waith</th>" in register and "Every sharing in or out of" not in register


def test_the_records_csv_stays_english_and_the_xlsx_follows_the_reader(client, login_as, make):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    slug = agreement.parties[0].organisation.slug
    login_as("officer")
    rows = list(csv.reader(io.StringIO(_text(client.get(f"/records/{slug}/processing-record.csv", headers=WELSH)).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Agreement", "Agreement title", "Agreement status", "Role"] and rows[1][3] == "Discloses"
    sharing = list(csv.reader(io.StringIO(_text(client.get(f"/records/{slug}/sharing-register.csv", headers=WELSH)).lstrip("\ufeff"))))
    assert sharing[0][2] == "Direction" and sharing[1][2] == "Outgoing"
    book = load_workbook(io.BytesIO(client.get(f"/records/{slug}/processing-record.xlsx", headers=WELSH).data))
    sheet = book.worksheets[0]
    cells = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "Dibenion" in cells and "Yn datgelu" in cells and "Purposes" not in cells
    assert any(str(value).startswith("Cofnod o weithgareddau prosesu (Erthygl 30 GDPR y DU)") for value in cells)


def test_the_record_pdf_is_a_document_of_its_own_in_welsh(app, make):
    from isa.records.documents import processing_record_html
    from isa.records.queue import kind_language, processing_record_document

    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    organisation = agreement.parties[0].organisation
    welsh = processing_record_html(organisation.id, date(2026, 1, 1), "cy")
    assert '<html lang="cy">' in welsh and "<h1>Cofnod o weithgareddau prosesu</h1>" in welsh
    assert "Yn datgelu" in welsh and "Record of processing activities" not in welsh
    english = processing_record_html(organisation.id, date(2026, 1, 1))
    assert "<h1>Record of processing activities</h1>" in english
    with app.test_request_context("/", headers=WELSH):  # the page asking does not change an English record
        assert processing_record_html(organisation.id, date(2026, 1, 1)) == english
    document = processing_record_document(organisation, "test", "cy")
    assert document.kind == "processing-record-cy" and kind_language(document.kind) == "cy"
    assert processing_record_document(organisation, "test").kind == "processing-record"


@pytest.mark.parametrize("path", ["/legal-bases/new"])
def test_the_form_to_add_a_lawful_basis_is_in_welsh(client, login_as, path):
    login_as("admin")
    page = _text(client.get(path, headers=WELSH))
    assert "Crynodeb mewn iaith glir" in page and "Dewiswch gyfundrefn" in page and "Cadw'r cofnod" in page
    assert "Summary in plain English" not in page


def test_a_re_mapping_note_and_a_legacy_finding_read_in_welsh(app, make, db):
    from isa.legal.queries import agreement_findings, catalogue_map
    from isa.legal.remap import propose

    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    flow = agreement.flows[0]
    flow.categories, flow.lawful_bases = ["personal", "criminal_offence"], ["DPA1998-SCH2-5"]
    db.session.commit()
    notes = [note for proposal in propose(agreement, catalogue_map()) for note in proposal.notes]
    legacy = next(f for f in agreement_findings(agreement, date(2026, 1, 1)) if f.rule == "legacy-basis")
    assert any(note.startswith("Criminal offence data needs a Schedule 1 condition") for note in notes)
    with app.test_request_context("/", headers=WELSH):
        refresh()  # the test's app context already chose English while the findings were made
        assert any(note.__html__().startswith("Mae angen amod yn Atodlen 1 gydag Erthygl 10") for note in notes)
        shown = legacy.detail.__html__()
        assert "yn cwmpasu prosesu hyd at 24 Mai 2018 yn unig" in shown and "Ei olynydd ar gyfer y llif hwn yw" in shown
