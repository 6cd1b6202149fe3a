"""Records built from the register (issue 16): the Art 30 record, the DSPT sharing register, the exit
pack and the open data feed; who may have each."""
import csv
import hashlib
import io
import json
import zipfile
from datetime import date, datetime, timedelta

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa

from isa import create_app
from isa.agreements.models import AgreementStatus, DataLocation
from isa.api.tokens import create_token
from isa.core.clock import today as london_today
from isa.exchange.operations import ImportRejected, export_register, import_register
from isa.extensions import db as _db
from isa.flows.models import ConsentApproach, DataFlow, Frequency
from isa.legal.catalogue import sync_catalogue
from isa.organisations.models import Organisation
from isa.records import rules
from isa.records.queries import snapshot
from tests.conftest import post_form

TODAY = london_today()
POLICE, COUNCIL = "Hertfordshire Constabulary", "Hertfordshire County Council"
RETENTION = ("Each partner keeps shared information in line with its own retention policy and destroys it securely at "
             "the end of the retention period.")
SECURITY = ("Shared only by secure email or HertsFX, and only with those who need to have it. Each partner follows its own "
            "policy on the security of personal information.")
TITLE = "Hertfordshire Family Safeguarding Service information sharing agreement"
EVERYONE_BUT_COUNCIL = [
    POLICE, "Bedfordshire Northamptonshire Cambridgeshire & Hertfordshire Community Rehabilitation Company",
    "National Probation Service", "CGL (Change Grow Live)", "East of England Probation Service",
    "East and North Hertfordshire NHS Trust", "Hertfordshire Community NHS Trust",
    "Hertfordshire Partnership University NHS Foundation Trust", "Princess Alexandra Hospital NHS Trust",
    "West Hertfordshire Hospitals NHS Trust",
]
SCH2_5B = "DPA1998-SCH2-5B: Sch 2 para 5(b) functions under an enactment (DPA 1998)"
SCH3_7 = "DPA1998-SCH3-7: Sch 3 para 7 justice, statutory and Crown functions (DPA 1998)"

# Hertfordshire Constabulary's record for ISA-2024-001 (seed 004), written by hand from the demo data.
HERTS_POLICE_RECORD = [
    {
        "Agreement": "ISA-2024-001", "Agreement title": TITLE, "Agreement status": "Active", "Role": "Discloses",
        "Disclosed by": POLICE, "Received by": COUNCIL,
        "Purposes": "safeguarding children; prevention and detection of related crime",
        "Categories of data subjects": "Children; Parents and carers; Victims and witnesses; Offenders and suspects; "
                                       "Other adults in the household where relevant to the risk to the children.",
        "Categories of personal data": "Personal data; Special category data; Criminal offence data",
        "Data items": "Domestic abuse incident reports, intelligence and offending history about parents and carers, and "
                      "concerns about children in the household.",
        "Transfers outside the UK": "None: the data stays in the United Kingdom",
        "Retention": "Reviewed at each case closure; held under the police management of police information (MoPI) guidance.",
        "Security measures": SECURITY + "; Sent by HertsFX",
        "Transfer channel": "HertsFX", "Frequency": "Daily", "Consent approach": "Without consent, under another lawful basis",
        "Article 6 lawful basis": SCH2_5B, "Article 9 condition (special category data)": SCH3_7,
        "Article 10 (criminal offence data)": "", "DPA 2018 Schedule 1 conditions": "",
        "DPA 2018 Part 3 (law enforcement)": "",
        "Statutory gateways": "CA2004-S11: Children Act 2004 s11: safeguarding duty; "
                              "CDA1998-S115: Crime and Disorder Act 1998 s115: disclosure to relevant authorities",
        "Common law": "", "Source system or information asset": "Police records management system",
        "Information asset owner": "Head of Public Protection",
        "Start date": date(2024, 12, 1), "Review date": date(2027, 12, 1), "End date": None, "Signed on": date(2024, 11, 22),
    },
    {
        "Agreement": "ISA-2024-001", "Agreement title": TITLE, "Agreement status": "Active", "Role": "Receives",
        "Disclosed by": COUNCIL, "Received by": "; ".join(EVERYONE_BUT_COUNCIL),
        "Purposes": "safeguarding children; promoting the welfare of children and vulnerable adults; "
                    "prevention and detection of related crime",
        "Categories of data subjects": "Children; Parents and carers; Other family and household members; Adults at risk",
        "Categories of personal data": "Personal data; Special category data; Criminal offence data",
        "Data items": "Family Safeguarding case information: referrals, assessments, child protection plans and the "
                      "outcome of multi-agency case discussions.",
        "Transfers outside the UK": "None: the data stays in the United Kingdom",
        "Retention": RETENTION, "Security measures": SECURITY + "; Sent by HertsFX",
        "Transfer channel": "HertsFX", "Frequency": "Ad hoc", "Consent approach": "Without consent, under another lawful basis",
        "Article 6 lawful basis": SCH2_5B, "Article 9 condition (special category data)": SCH3_7,
        "Article 10 (criminal offence data)": "", "DPA 2018 Schedule 1 conditions": "",
        "DPA 2018 Part 3 (law enforcement)": "",
        "Statutory gateways": "CA2004-S11: Children Act 2004 s11: safeguarding duty; "
                              "CA1989-S17: Children Act 1989 s17: children in need; "
                              "CA1989-S47: Children Act 1989 s47: child protection enquiries",
        "Common law": "", "Source system or information asset": "Children's social care case management system",
        "Information asset owner": "Director of Children's Services",
        "Start date": date(2024, 12, 1), "Review date": date(2027, 12, 1), "End date": None, "Signed on": date(2024, 11, 22),
    },
]


@pytest.fixture
def demo(runner, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def org_id(db, slug):
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug))


def as_dicts(rows):
    return [dict(zip(rules.PROCESSING_COLUMNS, row)) for row in rows]


def herts(rows):
    return [row for row in rows if row["Agreement"] == "ISA-2024-001"]


def read_xlsx(data, sheet=None):
    """(heading lines, header, rows as dicts) of one sheet, read back with openpyxl."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[sheet] if sheet else book.worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = values[2]
    rows = [{column: (cell.date() if isinstance(cell, datetime) else ("" if cell is None else cell))
             for column, cell in zip(header, row)} for row in values[3:]]
    return [values[0][0], values[1][0]], header, rows, sheet


def read_csv(response):
    text = response.get_data(as_text=True)  # the whole body, as a browser reads it
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def expected_as_text(record):
    return {key: (value.isoformat() if isinstance(value, date) else (value or "")) for key, value in record.items()}


# --- Art 30: the Hertfordshire record, cell by cell -------------------------------------------


def test_the_hertfordshire_record_of_processing_cell_by_cell(demo, db):
    rows = as_dicts(rules.processing_rows(snapshot(org_id(db, "herts-police")), org_id(db, "herts-police"), TODAY))
    found = [{key: (value if value is not None else ("" if key != "End date" else None)) for key, value in row.items()} for row in herts(rows)]
    assert len(found) == len(HERTS_POLICE_RECORD)
    for got, expected in zip(found, HERTS_POLICE_RECORD):
        for column in rules.PROCESSING_COLUMNS:
            assert got[column] == expected[column], column


def test_the_record_as_xlsx_reads_back_with_dates_as_dates(demo, db, client, login_as):
    login_as("officer")
    response = client.get("/records/herts-police/processing-record.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    heading, header, rows, sheet = read_xlsx(response.get_data())
    assert heading[0] == f"Record of processing activities (UK GDPR Article 30): {POLICE}"
    assert "Z4820517" in heading[1] and "Rebecca Lowe" in heading[1]
    assert tuple(header) == rules.PROCESSING_COLUMNS
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref.startswith("A3:")
    for got, expected in zip(herts(rows), HERTS_POLICE_RECORD):
        assert got == {key: ("" if value is None else value) for key, value in expected.items()}
    assert isinstance(sheet["Z4"].value, datetime) and sheet["Z4"].number_format == "d mmmm yyyy"


def test_the_record_as_csv(demo, client, login_as):
    login_as("officer")
    response = client.get("/records/herts-police/processing-record.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = read_csv(response)
    assert herts(rows) == [expected_as_text(record) for record in HERTS_POLICE_RECORD]


def test_the_partnership_workbook_has_a_sheet_per_organisation(demo, db, client, login_as):
    login_as("officer")
    response = client.get("/records/processing-records.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    names = db.session.scalars(sa.select(Organisation.name)).all()
    assert len(book.sheetnames) == len(names)
    assert all(len(name) <= 31 for name in book.sheetnames) and len({n.lower() for n in book.sheetnames}) == len(names)
    _, _, rows, _ = read_xlsx(response.get_data(), POLICE)
    assert herts(rows)[0]["Role"] == "Discloses"


def test_the_pdf_from_the_command_line(demo, runner, tmp_path):
    target = tmp_path / "record.pdf"
    result = runner.invoke(args=["records", "pdf", "herts-police", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(target).pages)
    text = " ".join(text.split())
    for expected in ("Record of processing activities", "ICO registration: Z4820517", "ISA-2024-001: Discloses – Hertfordshire County Council",
                     "Police records management system", "Sch 3 para 7 justice, statutory and Crown functions", "1 December 2027"):
        assert expected in text
    assert f"{POLICE} – record of processing activities – Page 1 of" in text
    assert runner.invoke(args=["records", "pdf", "nobody", "-o", str(target)]).exit_code != 0


def test_only_agreements_in_force_are_in_the_record(make, db):
    police, council = make.organisation(slug="p"), make.organisation(slug="c")
    make.agreement(parties=[police, council], reference="ISA-ON", status=AgreementStatus.ACTIVE)
    make.agreement(parties=[police, council], reference="ISA-DRAFT", status=AgreementStatus.DRAFT)
    make.agreement(parties=[police, council], reference="ISA-ENDED", status=AgreementStatus.ACTIVE, end_date=TODAY - timedelta(days=1))
    rows = rules.processing_rows(snapshot(police.id), police.id, TODAY)
    assert [row[0] for row in rows] == ["ISA-ON"]


def test_transfers_outside_the_uk_come_from_the_data_location(make, db):
    agreement = make.agreement(status=AgreementStatus.ACTIVE, data_location=DataLocation.OTHER)
    source = agreement.parties[0].organisation_id
    row = dict(zip(rules.PROCESSING_COLUMNS, rules.processing_rows(snapshot(source), source, TODAY)[0]))
    assert row["Transfers outside the UK"].startswith("Outside the UK and EEA: a restricted transfer")


# --- who may have which record ---------------------------------------------------------------

RECORD_URLS = ["/records/{slug}", "/records/{slug}/sharing-register", "/records/{slug}/processing-record.xlsx",
               "/records/{slug}/processing-record.csv", "/records/{slug}/sharing-register.xlsx",
               "/records/{slug}/sharing-register.csv", "/records/{slug}/exit-pack.zip"]


@pytest.mark.parametrize("url", RECORD_URLS)
def test_a_partner_has_its_own_organisations_records_only(client, make, login_as, url):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    mine, theirs = (party.organisation for party in agreement.parties)
    login_as("partner", organisation=mine)
    assert client.get(url.format(slug=mine.slug)).status_code == 200
    assert client.get(url.format(slug=theirs.slug)).status_code == 404
    assert client.get(url.format(slug="nobody")).status_code == 404


@pytest.mark.parametrize("url", RECORD_URLS + ["/records/", "/records/processing-records.xlsx"])
def test_records_need_a_sign_in(client, make, url):
    organisation = make.organisation()
    response = client.get(url.format(slug=organisation.slug))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_only_officers_have_the_partnership_workbook(client, make, login_as):
    login_as("partner")
    assert client.get("/records/processing-records.xlsx").status_code == 403
    response = client.get("/records/")
    assert response.status_code == 302 and "/records/" in response.headers["Location"]


def test_the_record_page_escapes_what_users_wrote(client, make, login_as):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    agreement.flows[0].purposes = ["<script>alert(1)</script>"]
    _db.session.commit()
    login_as("officer")
    page = client.get(f"/records/{agreement.parties[0].organisation.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_csv_and_xlsx_never_hold_a_formula(client, make, login_as):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    agreement.flows[0].items = '=HYPERLINK("http://evil.example","click")'
    agreement.flows[0].purposes = ["+1", "-2", "@SUM(A1)"]
    _db.session.commit()
    slug = agreement.parties[0].organisation.slug
    login_as("officer")
    row = read_csv(client.get(f"/records/{slug}/processing-record.csv"))[0]
    assert row["Data items"].startswith("'=") and row["Purposes"] == "'+1; -2; @SUM(A1)"
    _, _, rows, sheet = read_xlsx(client.get(f"/records/{slug}/processing-record.xlsx").get_data())
    assert rows[0]["Data items"] == '=HYPERLINK("http://evil.example","click")'
    assert sheet["J4"].data_type == "s"  # text, not a formula


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def tokens(make, db):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    mine, theirs = (party.organisation for party in agreement.parties)
    result = {"mine": mine, "theirs": theirs}
    for role in ("officer", "partner"):
        user = make.user(role=role, organisation=mine if role == "partner" else None)
        _record, result[role] = create_token(user, f"{role} system")
    db.session.commit()
    return result


@pytest.mark.parametrize("suffix", ["processing-record.xlsx", "processing-record.csv", "exit-pack.zip"])
def test_the_api_serves_records_to_tokens_with_partner_isolation(client, tokens, suffix):
    url = "/api/v1/organisations/{}/" + suffix
    mine, theirs = tokens["mine"].slug, tokens["theirs"].slug
    assert client.get(url.format(mine)).status_code == 401
    assert client.get(url.format(mine), headers={"Authorization": "Bearer isa_nope"}).status_code == 401
    partner = {"Authorization": f"Bearer {tokens['partner']}"}
    officer = {"Authorization": f"Bearer {tokens['officer']}"}
    response = client.get(url.format(mine), headers=partner)
    assert response.status_code == 200 and len(response.get_data()) > 0
    refused = client.get(url.format(theirs), headers=partner)
    assert refused.status_code == 404 and "error" in refused.get_json()
    assert client.get(url.format(theirs), headers=officer).status_code == 200
    assert client.get(url.format("nobody"), headers=officer).status_code == 404


# --- DSPT 1.1.2 ------------------------------------------------------------------------------


def test_the_sharing_register_says_whether_a_written_agreement_is_in_place_and_when_it_ends(make, db, client, login_as):
    police, council = make.organisation(slug="police", name="Police"), make.organisation(slug="council", name="Council")
    make.agreement(parties=[police, council], reference="ISA-1", status=AgreementStatus.ACTIVE, end_date=date(2030, 3, 31))
    make.agreement(parties=[police, council], reference="ISA-2", status=AgreementStatus.DRAFT)
    make.agreement(parties=[police, council], reference="ISA-3", status=AgreementStatus.ACTIVE, signed=False)
    make.agreement(parties=[police, council], reference="ISA-4", status=AgreementStatus.TERMINATED)
    login_as("officer")
    rows = read_csv(client.get("/records/council/sharing-register.csv"))
    assert [(r["Agreement"], r["Direction"], r["Shared with"], r["Written agreement in place"], r["Agreement ends"]) for r in rows] == [
        ("ISA-1", "Incoming", "Police", "Yes", "2030-03-31"),
        ("ISA-2", "Incoming", "Police", "No", ""),
        ("ISA-3", "Incoming", "Police", "No", ""),
    ]
    _, header, xlsx_rows, _ = read_xlsx(client.get("/records/council/sharing-register.xlsx").get_data())
    assert tuple(header) == rules.SHARING_COLUMNS and xlsx_rows[0]["Agreement ends"] == date(2030, 3, 31)
    page = client.get("/records/council/sharing-register").get_data(as_text=True)
    assert "31 March 2030" in page and "ISA-4" not in page


# --- the flow's new fields -------------------------------------------------------------------


def test_the_flow_form_keeps_the_record_fields(client, make, login_as, db):
    agreement = make.agreement(status=AgreementStatus.DRAFT, flows=False)
    login_as("officer")
    source, target = (party.organisation.slug for party in agreement.parties)
    url = f"/agreements/{agreement.reference}/flows/new"
    response = post_form(client, url, {
        "from_organisation": source, "to_organisation": target, "categories": "personal", "items": "Names",
        "purposes": "safeguarding children", "lawful_bases": "UKGDPR-A6-1E", "channel": "", "frequency": "ad_hoc",
        "consent": "no_consent_lawful_basis", "version": str(agreement.version),
        "data_subject_categories": ["children", "parents_carers"], "data_subjects": "Young carers",
        "retention": "Six years", "source_system": "Case system", "asset_owner": "Head of Service",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    flow = db.session.scalar(sa.select(DataFlow).where(DataFlow.agreement_id == agreement.id))
    assert (flow.data_subject_categories, flow.data_subjects, flow.retention, flow.source_system, flow.asset_owner) == (
        ["children", "parents_carers"], "Young carers", "Six years", "Case system", "Head of Service")
    page = client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)
    assert "Children; Parents and carers; Young carers" in page and "Case system (owner: Head of Service)" in page
    flow_json = export_register()["agreements"][0]["flows"][0]
    assert flow_json["data_subject_categories"] == ["children", "parents_carers"] and flow_json["asset_owner"] == "Head of Service"


def test_the_import_checks_the_record_fields(make, db):
    agreement = make.agreement(status=AgreementStatus.DRAFT)
    document = export_register()
    document["agreements"][0]["flows"][0]["data_subject_categories"] = ["children", "aliens"]
    document["agreements"][0]["flows"][0]["source_system"] = "x" * 201
    with pytest.raises(ImportRejected) as rejected:
        import_register(document)
    problems = "\n".join(rejected.value.problems)
    assert 'unknown data subject category "aliens"' in problems and "source_system: must be 200 characters or fewer" in problems
    assert agreement.reference in problems


# --- the exit pack ---------------------------------------------------------------------------

SECRET = "SENTINEL-NOT-YOURS"


@pytest.fixture
def two_agreements(make, db):
    mine, shared, stranger = (make.organisation(slug=s, name=f"Org {s}") for s in ("mine", "shared", "stranger"))
    ours = make.agreement(parties=[mine, shared], reference="ISA-OURS", status=AgreementStatus.ACTIVE)
    theirs = make.agreement(parties=[shared, stranger], reference=f"ISA-{SECRET}", title=SECRET,
                            status=AgreementStatus.ACTIVE, purpose=SECRET)
    theirs.flows[0].items = SECRET
    db.session.commit()
    make.decision(discloser=mine, recipient=shared, case_reference="CASE-MINE", agreement=ours)
    make.decision(discloser=shared, recipient=stranger, case_reference=f"CASE-{SECRET}", reasons=SECRET, agreement=theirs)
    return mine, ours, theirs


def test_the_exit_pack_holds_nothing_about_agreements_it_is_not_party_to(client, login_as, two_agreements, db, tmp_path):
    mine, ours, _theirs = two_agreements
    from isa.documents.operations import current_document

    current_document(ours)  # a stored protocol PDF
    db.session.commit()
    login_as("partner", organisation=mine)
    response = client.get("/records/mine/exit-pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    pack = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = pack.namelist()
    for name in names:
        data = pack.read(name)
        assert SECRET.encode() not in data, name
        assert b"Org stranger" not in data and b"stranger" not in data, name
    document = json.loads(pack.read("register.json"))
    assert [a["reference"] for a in document["agreements"]] == ["ISA-OURS"]
    assert {o["slug"] for o in document["organisations"]} == {"mine", "shared"}
    pdfs = [name for name in names if name.endswith(".pdf")]
    assert len(pdfs) == 1
    sums = pack.read("protocols/SHA256SUMS").decode()
    assert hashlib.sha256(pack.read(pdfs[0])).hexdigest() in sums
    manifest = json.loads(pack.read("manifest.json"))["sha256"]
    assert all(hashlib.sha256(pack.read(name)).hexdigest() == digest for name, digest in manifest.items())
    decisions = json.loads(pack.read("decisions.json"))["decisions"]
    assert [d["case_reference"] for d in decisions] == ["CASE-MINE"]
    history = json.loads(pack.read("history.json"))["events"]
    assert any(e["record"] == "ISA-OURS" for e in history)
    assert "ISA-OURS" in pack.read("signatures.csv").decode() or pack.read("signatures.csv").decode().count("\n") == 1


def test_the_exit_pack_reimports_into_an_empty_register(runner, two_agreements, tmp_path):
    mine = two_agreements[0]
    target = tmp_path / "pack.zip"
    result = runner.invoke(args=["records", "exit-pack", mine.slug, "-o", str(target)])
    assert result.exit_code == 0, result.output
    register_file = tmp_path / "register.json"
    register_file.write_bytes(zipfile.ZipFile(target).read("register.json"))
    exported = json.loads(register_file.read_text())

    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite'}", "SECRET_KEY": "t"})
    with other.app_context():
        _db.create_all()
        sync_catalogue(_db.session.connection())
        _db.session.commit()
        outcome = other.test_cli_runner().invoke(args=["import", str(register_file)])
        assert outcome.exit_code == 0, outcome.output
        assert export_register() == exported
        _db.session.remove()
        _db.drop_all()


# --- the open data feed ----------------------------------------------------------------------


@pytest.fixture
def published(make, db):
    from tests.test_public_register import SENTINELS

    lead = make.organisation(slug="council", name="Hertfordshire County Council", spoc_email=SENTINELS["spoc_email"],
                             dpo_name=SENTINELS["dpo_name"])
    police = make.organisation(slug="police", name="Hertfordshire Constabulary")
    active = make.agreement(parties=[lead, police], flows=False, reference="ISA-2024-001", title="Family Safeguarding",
                            purpose="Safeguarding children.", status=AgreementStatus.ACTIVE, start_date=date(2024, 12, 1),
                            review_date=TODAY - timedelta(days=1), end_date=date(2030, 3, 31), scope=SENTINELS["scope"],
                            retention=SENTINELS["retention"], security=SENTINELS["security"])
    active.flows.append(DataFlow(from_organisation=police, to_organisation=lead, categories=["personal", "criminal_offence"],
                                 items=SENTINELS["items"], purposes=[SENTINELS["flow_purpose"]],
                                 lawful_bases=["UKGDPR-A6-1E", "UKGDPR-A10", "DPA2018-SCH1-10", "CDA1998-S115"],
                                 frequency=Frequency.AD_HOC, consent=ConsentApproach.NO_CONSENT_LAWFUL_BASIS,
                                 source_system="SENTINEL-SYSTEM", retention="SENTINEL-FLOW-RETENTION"))
    make.agreement(parties=[lead, police], reference="ISA-2026-009", title=SENTINELS["draft"], status=AgreementStatus.DRAFT)
    make.agreement(parties=[police, lead], reference="ISA-2023-004", title="Youth Justice", status=AgreementStatus.UNDER_REVIEW,
                   start_date=date(2023, 4, 1), review_date=TODAY + timedelta(days=30))
    db.session.commit()
    return SENTINELS


def test_the_open_data_feed_as_json(client, published):
    response = client.get("/register.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["count"] == 2
    first = body["agreements"][0]
    assert first == {
        "reference": "ISA-2023-004", "title": "Youth Justice", "controller": "Hertfordshire Constabulary",
        "other_parties": ["Hertfordshire County Council"], "purpose": "Safeguarding children", "legal_power": [],
        "data_shared": ["Personal data"], "start_date": "2023-04-01", "end_date": None,
        "review_date": (TODAY + timedelta(days=30)).isoformat(), "review_status": "under review",
    }
    second = body["agreements"][1]
    assert second["controller"] == "Hertfordshire County Council" and second["other_parties"] == ["Hertfordshire Constabulary"]
    assert second["legal_power"] == ["CDA1998-S115: Crime and Disorder Act 1998 s115: disclosure to relevant authorities"]
    assert second["data_shared"] == ["Personal data", "Criminal offence data"]
    assert second["end_date"] == "2030-03-31" and second["review_status"] == "overdue"


def test_the_open_data_feed_as_csv(client, published):
    rows = read_csv(client.get("/register.csv"))
    assert [row["Reference"] for row in rows] == ["ISA-2023-004", "ISA-2024-001"]
    assert rows[1]["Review status"] == "overdue" and rows[1]["Data shared"] == "Personal data; Criminal offence data"


@pytest.mark.parametrize("url", ["/register.json", "/register.csv"])
def test_the_feed_holds_nothing_the_public_page_does_not_show(client, published, url):
    feed = client.get(url).get_data(as_text=True)
    for value in list(published.values()) + ["SENTINEL-SYSTEM", "SENTINEL-FLOW-RETENTION", "UKGDPR-A10", "DPA2018-SCH1-10"]:
        assert value.lower() not in feed.lower()
    page = client.get("/register/ISA-2024-001").get_data(as_text=True)
    for shown in ("Hertfordshire County Council", "Criminal offence data", "Crime and Disorder Act 1998 s115",
                  "31 March 2030", "Review overdue"):
        assert shown in page


# --- the Art 30 record as PDF, through the scheduler's queue ---------------------------------


def pdf_text(data):
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).split())


def test_the_pdf_is_queued_for_the_scheduler_and_then_served_whole(demo, app, client, login_as, db):
    from isa.records.models import RecordDocument
    from tests.conftest import run_render_queue

    run_render_queue(app)  # the demo's protocols first, so the queue below holds just the record
    login_as("officer")
    waiting = client.get("/records/herts-police/processing-record.pdf")
    assert waiting.status_code == 202 and waiting.headers["Retry-After"]
    page = waiting.get_data(as_text=True)
    assert "The PDF is being prepared." in page and "/records/herts-police/processing-record/status.json" in page
    assert client.get("/records/herts-police/processing-record/status.json").get_json() == {"ready": False, "status": "queued"}
    assert client.get("/records/herts-police/processing-record.pdf").status_code == 202  # asking again queues nothing new
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordDocument)) == 1

    assert run_render_queue(app).records == 1
    assert client.get("/records/herts-police/processing-record/status.json").get_json()["ready"] is True
    response = client.get("/records/herts-police/processing-record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert hashlib.sha256(data).hexdigest() == response.headers["X-Content-SHA256"]
    assert f"processing-record-herts-police-{TODAY.isoformat()}.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(data)
    for expected in ("Record of processing activities", "ICO registration: Z4820517", "Police records management system",
                     "ISA-2024-001: Discloses – Hertfordshire County Council", "Sch 3 para 7 justice, statutory and Crown functions"):
        assert expected in text


def test_a_change_to_the_register_makes_a_new_pdf_and_the_old_one_goes(demo, app, client, login_as, db):
    from isa.records.models import RecordDocument
    from tests.conftest import run_render_queue

    run_render_queue(app)
    login_as("officer")
    client.get("/records/herts-police/processing-record.pdf")
    run_render_queue(app)
    before = client.get("/records/herts-police/processing-record.pdf")
    assert before.status_code == 200
    flow = db.session.scalars(sa.select(DataFlow).where(DataFlow.source_system == "Police records management system")).first()
    flow.source_system = "Athena"
    db.session.commit()
    assert client.get("/records/herts-police/processing-record.pdf").status_code == 202  # the record shows something new
    run_render_queue(app)
    after = client.get("/records/herts-police/processing-record.pdf")
    assert after.status_code == 200 and "Athena" in pdf_text(after.get_data()) and "Athena" not in pdf_text(before.get_data())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecordDocument)) == 1  # the latest one is kept


def test_a_pdf_given_up_on_says_so_and_can_be_asked_for_again(demo, app, client, login_as, db):
    from isa.documents.models import RenderStatus
    from isa.records.queue import processing_record_document
    from tests.conftest import run_render_queue

    run_render_queue(app)
    police = db.session.get(Organisation, org_id(db, "herts-police"))
    document = processing_record_document(police, "test")
    document.status, document.attempts, document.last_error = RenderStatus.FAILED, 3, "Gave up after 3 attempts. OSError: disk full"
    db.session.commit()
    login_as("officer")
    response = client.get("/records/herts-police/processing-record.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "could not be prepared" in page and "disk full" in page and "Try again" in page
    retried = post_form(client, "/records/herts-police/processing-record/retry", {}, get_url="/records/herts-police/processing-record.pdf")
    assert retried.status_code == 302
    db.session.expire_all()
    assert document.status == RenderStatus.QUEUED and document.attempts == 0
    run_render_queue(app)
    assert client.get("/records/herts-police/processing-record.pdf").status_code == 200


def test_a_partner_asks_only_for_its_own_organisations_pdf(client, make, login_as):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    mine, theirs = (party.organisation for party in agreement.parties)
    login_as("partner", organisation=mine)
    assert client.get(f"/records/{mine.slug}/processing-record.pdf").status_code == 202
    assert client.get(f"/records/{theirs.slug}/processing-record.pdf").status_code == 404
    assert client.get(f"/records/{theirs.slug}/processing-record/status.json").status_code == 404
    assert client.post(f"/records/{theirs.slug}/processing-record/retry").status_code in (400, 404)


def test_the_api_answers_202_until_the_pdf_is_ready(app, client, tokens, db):
    from tests.conftest import run_render_queue
    from tests.test_api import validated  # checked against openapi.json

    run_render_queue(app)
    url = f"/api/v1/organisations/{tokens['mine'].slug}/processing-record.pdf"
    partner = {"Authorization": f"Bearer {tokens['partner']}"}
    assert client.get(url).status_code == 401
    waiting = validated(client.get(url, headers=partner))
    assert waiting.status_code == 202 and waiting.headers["Location"] == url and waiting.headers["Retry-After"]
    assert waiting.get_json()["status"] == "queued"
    assert client.get(f"/api/v1/organisations/{tokens['theirs'].slug}/processing-record.pdf", headers=partner).status_code == 404
    assert run_render_queue(app).records == 1
    ready = validated(client.get(url, headers=partner))
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert hashlib.sha256(ready.get_data()).hexdigest() == ready.headers["X-Content-SHA256"]
    assert tokens["mine"].name in pdf_text(ready.get_data())
