"""The lawful-basis catalogue and the public register in Welsh (issue 17): a shipped title and
summary in the page's language, a local wording as its author wrote it, and English, the API
and the open data feed unchanged."""
import html
from datetime import date

import pytest

from isa.agreements.models import AgreementStatus
from isa.extensions import db as _db
from isa.flows.models import DataCategory, DataFlow
from isa.legal.catalogue import CATALOGUE_FILE, extract_catalogue, shipped_entries
from isa.legal.models import LegalBasis
from isa.legal.operations import reword

WELSH = {"Accept-Language": "cy"}


def _page(client, url, headers=None):
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def published(make, db):
    council = make.organisation(slug="council", name="Cyngor Sir Ddinbych")
    police = make.organisation(slug="police", name="Heddlu Gogledd Cymru")
    agreement = make.agreement(parties=[council, police], flows=False, reference="ISA-2024-001", title="Family Safeguarding",
                               status=AgreementStatus.ACTIVE, start_date=date(2024, 12, 1), review_date=date(2027, 12, 1))
    agreement.flows.append(DataFlow(from_organisation=police, to_organisation=council, categories=["personal"],
                                    items="Names", purposes=["Safeguarding"], lawful_bases=["UKGDPR-A6-1E", "CA1989-S47"]))
    db.session.commit()
    return agreement


def test_every_shipped_title_and_summary_is_extracted_for_translation():
    with CATALOGUE_FILE.open("rb") as handle:
        found = [message for _line, _function, message, _comments in extract_catalogue(handle, {}, [], {})]
    assert found == [entry[key] for entry in shipped_entries() for key in ("title", "summary")]


def test_the_public_register_in_welsh(client, published):
    page = _page(client, "/register", WELSH)
    assert "Cofrestr gyhoeddus o gytundebau rhannu gwybodaeth" in page
    assert "Chwilio yn ôl cyfeirnod, teitl neu ddiben" in page and "1 cytundeb mewn grym." in page
    assert "Search by reference, title or purpose" not in page and "agreement in force" not in page
    assert "Family Safeguarding" in page  # an agreement's own words are not ours to translate


def test_a_gateway_on_the_public_agreement_page_in_welsh(client, published):
    page = _page(client, "/register/ISA-2024-001", WELSH)
    assert "CA1989-S47: Deddf Plant 1989 adran 47: ymholiadau amddiffyn plant" in page
    assert "Pwerau cyfreithiol" in page and "cysylltwch â swyddog diogelu data unrhyw un o'r partïon" in page
    assert "Children Act 1989" not in page and "Legal powers" not in page


def test_english_is_unchanged_and_the_open_data_stays_english(client, published):
    page = _page(client, "/register/ISA-2024-001")
    assert "CA1989-S47: Children Act 1989 s47: child protection enquiries" in page
    assert "Personal data" in page and "Deddf Plant" not in page
    feed = client.get("/register.json", headers=WELSH).get_json()
    record = next(r for r in feed["agreements"] if r["reference"] == "ISA-2024-001")
    assert record["legal_power"] == ["CA1989-S47: Children Act 1989 s47: child protection enquiries"]
    assert record["data_shared"] == [DataCategory.PERSONAL.label] == ["Personal data"]


def test_a_lawful_basis_in_welsh_on_the_catalogue_pages(client, login_as):
    login_as("officer", language="cy")
    page = _page(client, "/legal-bases/UKGDPR-A6-1E")
    assert "Erthygl 6(1)(e) tasg gyhoeddus" in page
    assert "Y sail arferol i gyrff cyhoeddus; cofnodwch y ddeddf y tu ôl i'r dasg." in page
    assert "Art 6(1)(e) public task" not in page and "The usual basis for public bodies" not in page
    listing = _page(client, "/legal-bases?q=plant")  # a search in Welsh finds the Welsh wording
    assert "Deddf Plant 1989 adran 17: plant mewn angen" in listing


def test_a_locally_reworded_basis_is_shown_as_worded(client, login_as, db):
    basis = db.session.get(LegalBasis, "UKGDPR-A6-1E")
    reword(basis, "Public task (our wording)", "Our own words for the public task.")
    db.session.commit()
    login_as("officer", language="cy")
    page = _page(client, "/legal-bases/UKGDPR-A6-1E")
    assert "Public task (our wording)" in page and "Our own words for the public task." in page
    assert "Erthygl 6(1)(e) tasg gyhoeddus" not in page
    other = _page(client, "/legal-bases/UKGDPR-A6-1C")  # the others still in Welsh
    assert "Erthygl 6(1)(c) rhwymedigaeth gyfreithiol" in other


def test_the_english_page_and_the_api_keep_the_stored_wording(client, login_as, app):
    login_as("officer")
    page = _page(client, "/legal-bases/UKGDPR-A6-1E")
    assert "Art 6(1)(e) public task" in page and "Erthygl" not in page
    with app.test_request_context("/", headers=WELSH):
        basis = _db.session.get(LegalBasis, "UKGDPR-A6-1E")
        assert basis.title_in_language == "Erthygl 6(1)(e) tasg gyhoeddus"
        assert basis.title == "Art 6(1)(e) public task"  # what the API and exports give


def test_the_bases_to_choose_from_on_a_flow_are_in_welsh(client, login_as, make):
    agreement = make.agreement(flows=False)
    login_as("officer", language="cy")
    page = _page(client, f"/agreements/{agreement.reference}/flows/new")
    assert "Erthygl 6(1)(e) tasg gyhoeddus" in page and 'data-basis-item="ukgdpr-a6-1e erthygl 6(1)(e) tasg gyhoeddus"' in page
    assert "Art 6(1)(e) public task" not in page
