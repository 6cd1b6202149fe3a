"""The Information Sharing Protocol (PDF) and sign-off on a pinned version (SPEC §6, issue 6).

PDFs are checked by extracting their text with pypdf, as a reader would see them.
"""
import hashlib
import http.server
import io
import re
import threading
from datetime import date, timedelta
from types import SimpleNamespace

import pypdf
import pytest
import sqlalchemy as sa

from isa.agreements.models import Agreement, AgreementStatus as S
from isa.audit.models import AuditEvent
from isa.audit.tracking import acting_as
from isa.agreements import rules as versions
from isa.documents import render as rendering
from isa.documents.content import GOLDEN_RULES
from isa.agreements.models import Signature, SignatureMethod
from isa.documents.models import ProtocolDocument
from isa.agreements.signatures import sign_in_app
from isa.documents.operations import current_document, documents_of
from isa.documents.render import StaticFilesOnly, html_to_pdf, protocol_html, render_protocol
from isa.exchange.demo import load_demo
from isa.extensions import db as _db
from isa.flows.models import DataFlow
from isa.legal.models import LegalBasis
from tests.conftest import count, post_form, run_render_queue

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel=attachment href="file:///etc/hostname">',
    "<script>alert(1)</script>",
    "</p><h2>Injected heading</h2>",
]


def pdf_text(pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def flat(text):
    """Extracted text with line breaks and hyphenation joined, for phrases that may wrap."""
    return " ".join(text.replace("-\n", "-").split())


def unbracketed(text):
    """Text with the breaks a line may take inside a reference such as Art 6(1)(c) closed up."""
    return re.sub(r"\)\s+\(", ")(", text)


def running_text(reader):
    """The document's text in reading order, as one flow, without each page's header and footer."""
    header = re.compile(r"^\S+ · Version \d+ OFFICIAL ")
    footer = re.compile(r" OFFICIAL Page \d+ of \d+$")
    pages = (flat(page.extract_text(extraction_mode="layout")) for page in reader.pages)
    return " ".join(footer.sub("", header.sub("", text)) for text in pages)


def embedded_files(reader):
    names = reader.trailer["/Root"].get("/Names")
    return reader.attachments or (names is not None and "/EmbeddedFiles" in names.get_object())


# --- the document ---------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    with acting_as("demo"):
        load_demo(date(2025, 1, 15))
    from isa.agreements.operations import find_by_reference

    return find_by_reference("ISA-2024-001")


def test_section_5_shows_the_checks_on_the_lawful_bases(app, demo):
    """Seed 004's DPA 1998 citations: section 5 says which flows have no basis that counts, and what to cite."""
    _reader, text = pdf_text(render_protocol(demo))  # outside a request: only the scheduler and `flask pdf` render
    words = flat(text)
    section = words[words.index("Checks on these lawful bases"):]
    assert "4.1 Error" in section and "no lawful basis that counts" in section
    assert "UKGDPR-A6-1E" in section


def test_hertfordshire_protocol_has_every_party_basis_and_date(app, demo):
    pdf = render_protocol(demo)
    reader, text = pdf_text(pdf)
    words = flat(text)
    assert pdf.startswith(b"%PDF-")
    assert 8 <= len(reader.pages) <= 40, len(reader.pages)
    assert "ISA-2024-001" in words and "Information Sharing Protocol" in words.title()
    for party in demo.parties:
        assert flat(party.organisation.name) in words, party.organisation.name
    codes = {code for flow in demo.flows for code in flow.lawful_bases}
    assert len(codes) >= 9
    for code in codes:
        basis = _db.session.get(LegalBasis, code)
        assert code in words and flat(basis.title) in words, code
        assert flat(basis.summary)[:60] in words, f"summary of {code}"
    assert "1 December 2027" in words and "1 December 2024" in words  # review and start dates, GOV.UK style
    assert "2027-12-01" not in words
    assert "OFFICIAL" in words
    for heading in ("Purpose of the data sharing", "Organisations involved", "Data to be shared", "Lawful basis for sharing",
                    "Where the data is held", "Retention and disposal", "Security", "Data subjects' rights and subject access requests",
                    "Breach handling", "Review arrangements", "Signatures", "The seven golden rules to sharing information"):
        assert heading in words, heading
    for rule in GOLDEN_RULES:
        assert flat(rule)[:80] in words
    # running header and footer on every page: reference, version, page N of M
    for number, page in enumerate(reader.pages, 1):
        page_text = flat(page.extract_text())
        assert f"Page {number} of {len(reader.pages)}" in page_text
        assert "ISA-2024-001 · Version 1" in page_text
    # one signature block per party
    assert words.count("Signed for and on behalf of") == len(demo.parties)
    # one section per flow, numbered 4.1 onwards, each in the contents
    for number in range(1, len(demo.flows) + 1):
        assert words.count(f"4.{number} ") >= 2, number


def test_each_flow_section_explains_its_own_lawful_bases(app, demo):
    """SPEC §6: inside each flow's section, every lawful basis it relies on with code, title and summary."""
    reader, _text = pdf_text(render_protocol(demo))
    words = running_text(reader)
    start = words.index("4 Data to be shared", words.index("Contents") + 100)
    body = words[start:words.index("5 Lawful basis for sharing", words.index("4.1 ", start))]
    flows = list(demo.flows)
    for number, flow in enumerate(flows, 1):
        start = body.index(f"4.{number} ")
        end = body.index(f"4.{number + 1} ") if number < len(flows) else len(body)
        section = body[start:end]
        assert flat(flow.from_organisation.name) in section
        for code in flow.lawful_bases:
            basis = _db.session.get(LegalBasis, code)
            assert f"{code} – {flat(basis.title)}" in section, (number, code)
            # A line may break between the brackets of a reference: "Art 6(1)" / "(c)".
            assert unbracketed(flat(basis.summary)) in unbracketed(section), (number, code)
        others = {c for f in flows for c in f.lawful_bases} - set(flow.lawful_bases)
        assert not any(f"{code} – " in section for code in others), number


def test_headings_never_sit_alone_at_the_foot_of_a_page(app, demo):
    """Lay the document out and look at the last line of every page: never a heading."""
    from weasyprint import HTML

    html = protocol_html(demo)
    document = HTML(string=html, base_url=rendering.BASE_URL, url_fetcher=StaticFilesOnly()).render()

    def last_text(box, tags=()):
        found = None
        tag = getattr(box, "element_tag", None)
        tags = tags + (tag,) if tag else tags
        if getattr(box, "text", "").strip():
            found = (box.text, tags)
        for child in getattr(box, "children", ()):
            found = last_text(child, tags) or found
        return found

    for number, page in enumerate(document.pages, 1):
        text, tags = last_text(page._page_box.children[0])
        assert not {"h1", "h2", "h3", "h4"} & set(tags), f"page {number} ends with the heading {text!r}"


def test_user_text_is_printed_escaped_and_fetches_nothing(app, make, db):
    agreement = make.agreement(
        purpose=HOSTILE[0], scope=HOSTILE[1], title="Agreement <b>bold</b> & co", retention=HOSTILE[2], security=HOSTILE[3],
    )
    agreement.flows[0].items = HOSTILE[1]
    agreement.flows[0].purposes = [HOSTILE[0]]
    agreement.parties[0].organisation.name = '<img src="https://127.0.0.1:9/x.png"> Council'
    db.session.commit()
    fetcher = StaticFilesOnly()
    html = protocol_html(agreement)
    pdf, _pages = html_to_pdf(html, fetcher)
    reader, text = pdf_text(pdf)
    words = flat(text)
    for hostile in HOSTILE + ["Agreement <b>bold</b> & co", '<img src="https://127.0.0.1:9/x.png"> Council']:
        assert hostile in words, hostile
    assert "<img" not in html.replace("&lt;img", "")  # no element made from user text
    assert fetcher.refused == []  # nothing was even attempted
    assert [url.rsplit("/", 2)[-2:] for url in fetcher.fetched] == [["print", "protocol.css"]]
    assert not embedded_files(reader)
    assert b"/EmbeddedFile" not in pdf and b"/URI" not in pdf


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):
        self.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A web server on the loopback address that records every request it gets."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()
    server.server_close()


def test_the_fetcher_refuses_everything_outside_our_static_files(listener):
    """Even markup that escaping would never let through fetches nothing (defence in depth)."""
    base, hits = listener
    climb = "../" * (len(rendering.STATIC_ROOT.parts) + 2)  # more than enough to reach / wherever the checkout is
    html = f"""<link rel="stylesheet" href="print/protocol.css"><link rel="stylesheet" href="{base}/style.css">
    <link rel="attachment" href="file:///etc/hostname"><link rel="attachment" href="{base}/file.txt">
    <p>Text <img src="file:///etc/passwd"> <img src="{base}/redirect"> <img src="{climb}etc/passwd">
    <img src="https://example.org/tracker.png"> <img src="ftp://127.0.0.1/x">
    <img src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="></p>"""
    fetcher = StaticFilesOnly()
    pdf, _pages = html_to_pdf(html, fetcher)
    reader, text = pdf_text(pdf)
    assert hits == []  # no request ever reached the server, and no redirect was followed
    assert not embedded_files(reader)
    assert "root:" not in text
    assert set(fetcher.refused) == {  # the climbing path is file:///etc/passwd once resolved
        f"{base}/style.css", "file:///etc/hostname", f"{base}/file.txt", "file:///etc/passwd", f"{base}/redirect",
        "https://example.org/tracker.png", "ftp://127.0.0.1/x",
    }
    assert any(url.endswith("/print/protocol.css") for url in fetcher.fetched)
    assert any(url.startswith("data:image/gif") for url in fetcher.fetched)


@pytest.mark.parametrize(
    "url, allowed",
    [
        (rendering.STATIC_ROOT.as_uri() + "/print/protocol.css", True),
        ("file://localhost" + str(rendering.STATIC_ROOT) + "/print/protocol.css", True),
        ("data:text/plain;base64,aGVsbG8=", True),
        ("file:///etc/passwd", False),
        (rendering.STATIC_ROOT.as_uri() + "/../../../../etc/passwd", False),
        (rendering.STATIC_ROOT.as_uri() + "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", False),
        ("file://evil.example.org" + str(rendering.STATIC_ROOT) + "/print/protocol.css", False),
        (rendering.STATIC_ROOT.as_uri() + "/print", False),  # a folder, not a file
        (rendering.STATIC_ROOT.as_uri() + "/print/missing.css", False),
        ("http://127.0.0.1:5000/static/print/protocol.css", False),
        ("https://example.org/", False),
        ("ftp://example.org/x", False),
        ("gopher://example.org/x", False),
    ],
)
def test_fetcher_table(url, allowed):
    fetcher = StaticFilesOnly()
    if allowed:
        response = fetcher.fetch(url)
        assert response.read()
    else:
        with pytest.raises(Exception):
            fetcher.fetch(url)
        assert fetcher.refused or not url.startswith(("file:", "data:"))


def test_a_symbolic_link_out_of_the_static_folder_is_refused(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p { color: black }")
    (static / "leak.css").symlink_to("/etc/hostname")
    monkeypatch.setattr(rendering, "STATIC_ROOT", static.resolve())
    fetcher = StaticFilesOnly()
    assert fetcher.fetch((static / "ok.css").as_uri()).read() == b"p { color: black }"
    with pytest.raises(rendering.FetchRefused):
        fetcher.fetch((static / "leak.css").as_uri())


def test_rendering_an_unchanged_agreement_gives_the_same_document(app, make):
    agreement = make.agreement()
    first, second = render_protocol(agreement), render_protocol(agreement)
    assert first == second  # byte for byte: no clock, no random identifiers
    assert pdf_text(first)[1] == pdf_text(second)[1]


def test_current_document_is_stored_once_per_content(app, make, db):
    agreement = make.agreement(status=S.AWAITING_SIGNATURES, signed=False)
    with acting_as("tester@example.org"):
        document = current_document(agreement)
        again = current_document(agreement)
    assert again.id == document.id and count(db, ProtocolDocument) == 1
    assert document.protocol_version == 1 and document.generated_by == "tester@example.org"
    assert document.sha256 == hashlib.sha256(document.pdf).hexdigest() and document.size == len(document.pdf)
    words = flat(pdf_text(document.pdf)[1])
    assert "Generated from the isa register by tester@example.org on" in words
    # an editorial change (the title) gives a new document of the same version
    agreement.title = "Agreement with its typo fixed"
    db.session.commit()
    edited = current_document(agreement)
    assert edited.id != document.id and edited.protocol_version == 1
    assert "Agreement with its typo fixed" in flat(pdf_text(edited.pdf)[1])
    # signing does not change the document: every party signs the same fingerprint
    agreement.parties[0].signed_on = date(2025, 1, 2)
    db.session.commit()
    assert current_document(agreement).id == edited.id
    # ... until the last signature: the signed copy shows every signature
    agreement.parties[1].signed_on = date(2025, 1, 3)
    db.session.commit()
    signed = current_document(agreement)
    assert signed.id != edited.id and signed.signed_copy and not edited.signed_copy and signed.protocol_version == 1
    assert "this is the signed copy of version 1" in flat(pdf_text(signed.pdf)[1])


def test_pdf_command_writes_and_stores_the_document(runner, make, db, tmp_path):
    agreement = make.agreement(reference="ISA-CLI-001")
    target = tmp_path / "protocol.pdf"
    result = runner.invoke(args=["pdf", "ISA-CLI-001", "-o", str(target)])
    assert result.exit_code == 0, result.output
    stored = db.session.scalars(sa.select(ProtocolDocument)).one()
    assert target.read_bytes() == stored.pdf
    assert stored.sha256 in result.output and stored.generated_by == "command line"
    assert "ISA-CLI-001" in pdf_text(target.read_bytes())[1]
    assert agreement.version == db.session.get(type(agreement), agreement.id).version  # generating changes nothing


def test_pdf_command_names_an_unknown_reference(runner, tmp_path):
    result = runner.invoke(args=["pdf", "ISA-NOPE", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "no agreement with the reference ISA-NOPE" in result.output
    assert not (tmp_path / "x.pdf").exists()


# --- download routes ------------------------------------------------------------------------------


def test_download_from_the_agreement_page(client, login_as, make, db):
    mine = make.organisation()
    agreement = make.agreement(parties=[mine, make.organisation()], reference="ISA-DL-001")
    login_as("partner", organisation=mine)
    page = client.get("/agreements/ISA-DL-001").get_data(as_text=True)
    assert "The protocol for version 1 is being prepared" in page and "Protocol document" in page
    waiting = client.get("/agreements/ISA-DL-001/protocol.pdf")
    assert waiting.status_code == 202 and waiting.headers["Retry-After"] and "is being prepared" in waiting.get_data(as_text=True)
    assert client.get("/agreements/ISA-DL-001/protocol/status.json").json["ready"] is False
    assert run_render_queue(client.application).rendered == 1
    assert client.get("/agreements/ISA-DL-001/protocol/status.json").json["ready"] is True
    page = client.get("/agreements/ISA-DL-001").get_data(as_text=True)
    assert "/agreements/ISA-DL-001/protocol.pdf" in page and "is being prepared" not in page
    response = client.get("/agreements/ISA-DL-001/protocol.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    stored = db.session.scalars(sa.select(ProtocolDocument)).one()
    assert response.data == stored.pdf and response.headers["X-Content-SHA256"] == stored.sha256
    assert "attachment" in response.headers["Content-Disposition"]
    page = client.get("/agreements/ISA-DL-001").get_data(as_text=True)
    assert stored.sha256 in page  # the list of generated documents
    assert client.get(f"/agreements/ISA-DL-001/documents/{stored.id}.pdf").data == stored.pdf
    other = make.agreement(reference="ISA-DL-002")
    assert client.get(f"/agreements/{other.reference}/documents/{stored.id}.pdf").status_code == 404  # not a party
    assert client.get(f"/agreements/ISA-DL-001/documents/{stored.id + 1}.pdf").status_code == 404
    assert agreement.id


# --- material changes (pure rules) ---------------------------------------------------------------


def _agreement(**flow_changes):
    council, police, email = SimpleNamespace(id=1), SimpleNamespace(id=2), SimpleNamespace(id=7)
    flow = dict(from_organisation=police, to_organisation=council, categories=["personal"], items="Names",
                purposes=["safeguarding children"], lawful_bases=["UKGDPR-A6-1E"], channel=email, frequency="ad_hoc",
                consent="no_consent_lawful_basis")
    flow.update(flow_changes)
    parties = [SimpleNamespace(organisation=council, role="both", signed_on=date(2024, 1, 1)),
               SimpleNamespace(organisation=police, role="both", signed_on=date(2024, 1, 2))]
    return SimpleNamespace(parties=parties, flows=[SimpleNamespace(**flow)], status=S.ACTIVE, protocol_version=1, resume_status=None)


@pytest.mark.parametrize(
    "change, material",
    [
        (dict(categories=["personal", "special_category"]), True),
        (dict(items="Names and addresses"), True),
        (dict(purposes=["safeguarding children", "crime"]), True),
        (dict(lawful_bases=["UKGDPR-A6-1E", "CA2004-S11"]), True),
        (dict(channel=SimpleNamespace(id=8)), True),
        (dict(channel=None), True),
        (dict(to_organisation=None), True),  # now to every other party
        (dict(frequency="daily"), True),
        (dict(consent="consent"), True),
        (dict(lawful_bases=["UKGDPR-A6-1E"]), False),  # the same
        (dict(items="  Names "), False),  # only spacing
        (dict(categories=["personal"]), False),
    ],
)
def test_which_flow_changes_are_material(change, material):
    before = versions.material_terms(_agreement())
    assert (versions.material_terms(_agreement(**change)) != before) is material


def test_party_changes_are_material_and_signatures_are_not():
    agreement = _agreement()
    before = versions.material_terms(agreement)
    agreement.parties[0].signed_on = None  # a signature is not a term
    agreement.parties[0].signatory_name = "Someone else"
    assert versions.material_terms(agreement) == before
    agreement.parties[1].role = "discloser"
    assert versions.material_terms(agreement) != before
    agreement = _agreement()
    agreement.parties.append(SimpleNamespace(organisation=SimpleNamespace(id=3), role="both", signed_on=None))
    assert versions.material_terms(agreement) != before
    assert versions.material_terms(agreement, leaving=[agreement.parties[-1]]) == before


def test_a_new_version_resets_signatures_and_pauses_an_agreement_in_force():
    agreement = _agreement()
    before = versions.material_terms(agreement)
    agreement.flows[0].lawful_bases = ["UKGDPR-A6-1C"]
    kept = []
    assert versions.after_change(agreement, before, keep=lambda a, party: kept.append((a.protocol_version, party.signed_on))) is True
    assert kept == [(1, date(2024, 1, 1)), (1, date(2024, 1, 2))]  # each signature, before it is cleared
    assert agreement.protocol_version == 2
    assert all(p.signed_on is None and p.signed_document_version is None for p in agreement.parties)
    assert agreement.status == S.AWAITING_SIGNATURES and agreement.resume_status == S.ACTIVE
    for party in agreement.parties:
        party.signed_on = date(2025, 2, 1)
    assert versions.resume_when_signed(agreement) and agreement.status == S.ACTIVE and agreement.resume_status is None


def test_no_new_version_before_anyone_has_signed():
    agreement = _agreement()
    for party in agreement.parties:
        party.signed_on = None
    agreement.status = S.DRAFT
    before = versions.material_terms(agreement)
    agreement.flows[0].items = "Everything"
    assert versions.after_change(agreement, before) is False and agreement.protocol_version == 1


# --- signing in the register ----------------------------------------------------------------------


@pytest.fixture
def awaiting(make):
    council, police = make.organisation(name="County Council"), make.organisation(name="Constabulary", type="police")
    agreement = make.agreement(parties=[council, police], signed=False, status=S.AWAITING_SIGNATURES, reference="ISA-SIGN-001")
    return SimpleNamespace(agreement=agreement, council=council, police=police)


def _sign(client, reference, **fields):
    run_render_queue(client.application)  # the scheduler has stored the document by the time they read it
    page = client.get(f"/agreements/{reference}/sign").get_data(as_text=True)
    document_id = re.search(r'name="document_id" type="hidden" value="(\d+)"', page) or re.search(r'id="document_id" name="document_id" type="hidden" value="(\d+)"', page)
    data = {"document_id": document_id.group(1) if document_id else "", "signatory_name": "Jane Doe",
            "signatory_title": "Director of Children's Services", "confirm": "y"}
    data.update(fields)
    return post_form(client, f"/agreements/{reference}/sign", data)


def test_partner_signs_for_its_own_organisation_pinned_to_the_document(client, login_as, awaiting, db, app):
    login_as("partner", organisation=awaiting.council)
    page = client.get("/agreements/ISA-SIGN-001").get_data(as_text=True)
    assert "Sign for County Council" in page
    page = client.get("/agreements/ISA-SIGN-001/sign").get_data(as_text=True)
    assert "The protocol for version 1 is being prepared" in page and 'name="confirm"' not in page  # nothing to sign yet
    run_render_queue(app)
    page = client.get("/agreements/ISA-SIGN-001/sign").get_data(as_text=True)
    document = db.session.scalars(sa.select(ProtocolDocument)).one()
    assert document.sha256 in page and "version 1" in page.lower()
    response = _sign(client, "ISA-SIGN-001")
    assert response.status_code == 302
    party = next(p for p in awaiting.agreement.parties if p.organisation_id == awaiting.council.id)
    db.session.refresh(party)
    assert (party.signatory_name, party.signatory_title, party.signed_on) == ("Jane Doe", "Director of Children's Services", date.today())
    assert (party.signed_document_version, party.signed_document_sha256) == (1, document.sha256)
    signature = db.session.scalars(sa.select(Signature)).one()
    assert (signature.method, signature.document_id, signature.protocol_version) == (SignatureMethod.IN_APP, document.id, 1)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "Party", AuditEvent.action == "updated")).all()[-1]
    assert event.changes["signed_document_sha256"] == [None, document.sha256] and event.actor.startswith("partner")
    # signed once: the page says so and a second signature is refused
    assert "Signed" in client.get("/agreements/ISA-SIGN-001/sign").get_data(as_text=True)
    assert _sign(client, "ISA-SIGN-001", signatory_name="Someone Else").status_code == 302
    db.session.refresh(party)
    assert party.signatory_name == "Jane Doe" and count(db, Signature) == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        (dict(signatory_name=""), "Enter your full name"),
        (dict(signatory_title=""), "Enter your job title"),
        (dict(confirm=""), "Confirm that you have read the protocol"),
        (dict(signatory_name="x" * 201), "200 characters or fewer"),
    ],
)
def test_sign_form_validation_changes_nothing(client, login_as, awaiting, db, fields, message):
    login_as("partner", organisation=awaiting.police)
    response = _sign(client, "ISA-SIGN-001", **fields)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert all(p.signed_on is None for p in awaiting.agreement.parties) and count(db, Signature) == 0


def test_signing_a_document_that_is_no_longer_current_is_refused(client, login_as, awaiting, db, app):
    login_as("partner", organisation=awaiting.police)
    run_render_queue(app)
    page = client.get("/agreements/ISA-SIGN-001/sign").get_data(as_text=True)
    document_id = re.search(r'name="document_id" type="hidden" value="(\d+)"', page).group(1)
    awaiting.agreement.protocol_version = 2  # a material change while the page was open
    db.session.commit()
    response = post_form(client, "/agreements/ISA-SIGN-001/sign", {"document_id": document_id, "signatory_name": "A", "signatory_title": "B", "confirm": "y"})
    assert response.status_code == 302
    assert "The protocol has changed since you opened the page" in client.get(response.location).get_data(as_text=True)
    assert count(db, Signature) == 0


def test_only_the_partys_own_partners_sign(client, login_as, awaiting, make, db):
    """Other roles are covered by tests/test_access.py; here a POST from an outsider changes nothing."""
    login_as("partner", organisation=make.organisation())
    assert client.get("/agreements/ISA-SIGN-001/sign").status_code == 404
    response = post_form(client, "/agreements/ISA-SIGN-001/sign", {"signatory_name": "A", "signatory_title": "B", "confirm": "y"}, get_url="/agreements/")
    assert response.status_code == 404 and count(db, Signature) == 0


def test_a_draft_cannot_be_signed_in_the_register(client, login_as, make, db):
    mine = make.organisation()
    make.agreement(parties=[mine, make.organisation()], signed=False, status=S.DRAFT, reference="ISA-DRAFT-001")
    login_as("partner", organisation=mine)
    assert "Sign for" not in client.get("/agreements/ISA-DRAFT-001").get_data(as_text=True)
    assert "has not been sent for signature yet" in client.get("/agreements/ISA-DRAFT-001/sign").get_data(as_text=True)
    response = post_form(client, "/agreements/ISA-DRAFT-001/sign", {"signatory_name": "A", "signatory_title": "B", "confirm": "y"}, get_url="/agreements/")
    assert response.status_code == 302 and count(db, Signature) == 0


def test_last_signature_of_a_new_version_restores_the_agreement(app, awaiting, db):
    agreement = awaiting.agreement
    agreement.status, agreement.resume_status, agreement.protocol_version = S.AWAITING_SIGNATURES, S.ACTIVE, 2
    db.session.commit()
    with acting_as("tester"):
        document = current_document(agreement)
        for party in agreement.parties:
            sign_in_app(agreement, party, document, "Name", "Title", "tester")
        db.session.commit()
    assert agreement.status == S.ACTIVE and agreement.resume_status is None


def test_the_last_signature_activates_an_agreement_sent_for_signature(client, login_as, awaiting, db, make):
    for organisation in (awaiting.council, awaiting.police):
        client._cookies.clear()  # a new browser for each partner
        login_as("partner", organisation=organisation)
        response = _sign(client, "ISA-SIGN-001")
        assert response.status_code == 302
    db.session.refresh(awaiting.agreement)
    assert awaiting.agreement.status == S.ACTIVE
    page = client.get("/agreements/ISA-SIGN-001").get_data(as_text=True)
    assert "Every party has now signed. ISA-SIGN-001 is active." in page
    client._cookies.clear()
    login_as("officer")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Agreements awaiting signatures (0)" in dashboard


# --- a material change after signing, through the pages -------------------------------------------


def test_material_change_starts_a_new_version_that_everyone_signs(client, login_as, make, db, app):
    council, police = make.organisation(name="County Council"), make.organisation(name="Constabulary", type="police")
    agreement = make.agreement(parties=[council, police], signed=False, status=S.AWAITING_SIGNATURES, reference="ISA-MAT-001")
    with acting_as("tester"):
        document = current_document(agreement)
        for party in agreement.parties:
            sign_in_app(agreement, party, document, "Signatory", "Director", "tester")
        agreement.status = S.ACTIVE
        db.session.commit()
    login_as("officer")
    flow = agreement.flows[0]
    edit = f"/agreements/ISA-MAT-001/flows/{flow.id}/edit"
    assert "Changing the parties or data flows starts version 2" in client.get(edit).get_data(as_text=True)

    # an editorial change keeps the version and the signatures
    response = post_form(client, "/agreements/ISA-MAT-001/edit", {
        "reference": "ISA-MAT-001", "title": "Agreement with a fixed typo", "purpose": "Safeguarding children",
        "lead_organisation": council.slug, "owner": "", "start_date": ["1", "12", "2024"], "review_date": ["1", "12", "2027"],
        "end_date": ["", "", ""], "review_interval_months": "12", "data_location": "uk", "supersedes": "",
        "version": str(agreement.version)})
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.protocol_version == 1 and all(p.signed for p in agreement.parties) and agreement.status == S.ACTIVE

    # a material change: a new lawful basis on the flow
    response = post_form(client, edit, {
        "from_organisation": council.slug, "to_organisation": police.slug, "categories": ["personal"], "items": "Names and addresses",
        "purposes": "safeguarding children", "lawful_bases": ["UKGDPR-A6-1E", "CA2004-S11"], "channel": "", "frequency": "ad_hoc",
        "consent": "no_consent_lawful_basis", "version": str(agreement.version)})
    assert response.status_code == 302
    shown = client.get(response.location).get_data(as_text=True)
    assert "this is now version 2 of the protocol" in shown
    db.session.refresh(agreement)
    assert agreement.protocol_version == 2 and agreement.status == S.AWAITING_SIGNATURES and agreement.resume_status == S.ACTIVE
    assert all(p.signed_on is None and p.signed_document_sha256 is None for p in agreement.parties)
    # the earlier signatures stay on record against version 1
    record = db.session.scalars(sa.select(Signature)).all()
    assert len(record) == 2 and {s.protocol_version for s in record} == {1} and {s.document_sha256 for s in record} == {document.sha256}
    assert "Earlier version" in shown
    # the change is in the agreement's history
    changes = [e.changes for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "Agreement")).all()]
    assert any(c.get("protocol_version") == [1, 2] and c.get("status") == ["active", "awaiting_signatures"] for c in changes)

    # every party signs version 2; the last signature puts the agreement back in force
    for organisation in (council, police):
        post_form(client, "/logout", {}, get_url="/agreements/")
        login_as("partner", organisation=organisation)
        assert _sign(client, "ISA-MAT-001").status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == S.ACTIVE and {p.signed_document_version for p in agreement.parties} == {2}
    assert count(db, Signature) == 4 and [d.protocol_version for d in documents_of(agreement)] == [2, 1]


def test_adding_a_party_to_a_signed_agreement_asks_everyone_again(client, login_as, make, db):
    agreement = make.agreement(reference="ISA-MAT-002", status=S.ACTIVE)
    newcomer = make.organisation(name="Newcomer Trust")
    login_as("officer")
    assert "starts version 2" in client.get("/agreements/ISA-MAT-002/parties/new").get_data(as_text=True)
    response = post_form(client, "/agreements/ISA-MAT-002/parties/new", {
        "organisation": newcomer.slug, "role": "both", "signatory_name": "Early Bird", "signatory_title": "Chief",
        "signed_on": ["1", "2", "2025"], "signed_document": "", "version": str(agreement.version)})
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.protocol_version == 2 and agreement.status == S.AWAITING_SIGNATURES
    assert not any(p.signed for p in agreement.parties)
    # signatures recorded on the parties (by the import, here the factory) stay on record against version 1
    record = db.session.scalars(sa.select(Signature)).all()
    assert sorted((s.protocol_version, s.method, s.signed_on, s.signatory) for s in record) == [
        (1, SignatureMethod.RECORDED, date(2024, 11, 20), "A Signatory, Director")] * 2
    assert "Earlier version" in client.get("/agreements/ISA-MAT-002").get_data(as_text=True)


def test_officer_records_a_paper_signature_of_a_stored_copy(client, login_as, make, db, app):
    agreement = make.agreement(reference="ISA-PAPER-001", signed=False, status=S.AWAITING_SIGNATURES)
    with acting_as("tester"):
        document = current_document(agreement)
    party = agreement.parties[0]
    login_as("officer")
    form = client.get(f"/agreements/ISA-PAPER-001/parties/{party.id}/edit").get_data(as_text=True)
    assert document.sha256[:16] in form and "Document signed" in form
    response = post_form(client, f"/agreements/ISA-PAPER-001/parties/{party.id}/edit", {
        "organisation": party.organisation.slug, "role": "both", "signatory_name": "Pat Paper", "signatory_title": "Director",
        "signed_on": _form_date(date.today()), "signed_document": str(document.id), "version": str(agreement.version)})
    assert response.status_code == 302
    db.session.refresh(party)
    assert (party.signed_on, party.signed_document_version, party.signed_document_sha256) == (date.today(), 1, document.sha256)
    signature = db.session.scalars(sa.select(Signature)).one()
    assert signature.method == SignatureMethod.PAPER and signature.signatory == "Pat Paper, Director"
    # a document that is not a copy of this agreement's current version is refused, changing nothing
    response = post_form(client, f"/agreements/ISA-PAPER-001/parties/{party.id}/edit", {
        "organisation": party.organisation.slug, "role": "both", "signatory_name": "Pat Paper", "signatory_title": "Director",
        "signed_on": _form_date(date.today()), "signed_document": "999999", "version": str(agreement.version)})
    assert response.status_code == 200
    db.session.refresh(party)
    assert party.signed_on == date.today() and count(db, Signature) == 1


def _form_date(value):
    return [str(value.day), str(value.month), str(value.year)]


def _record_signature(client, agreement, party, signed_on, **extra):
    return post_form(client, f"/agreements/{agreement.reference}/parties/{party.id}/edit", {
        "organisation": party.organisation.slug, "role": "both", "signatory_name": "Pat Paper", "signatory_title": "Director",
        "signed_on": _form_date(signed_on) if signed_on else ["", "", ""], "version": str(db_version(agreement)), **extra})


def db_version(agreement):
    from isa.extensions import db

    return db.session.get(Agreement, agreement.id).version


@pytest.mark.parametrize("days, message", [
    (1, "The date signed must be today or in the past"),
    (-400, "when the agreement was created"),
])
def test_a_signature_date_must_be_possible(client, login_as, make, db, days, message):
    agreement = make.agreement(reference="ISA-DATE-001", signed=False, status=S.AWAITING_SIGNATURES)
    login_as("officer")
    response = _record_signature(client, agreement, agreement.parties[0], date.today() + timedelta(days=days))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count(db, Signature) == 0


def test_a_signature_date_before_the_signed_copy_existed_is_refused(client, login_as, make, db, app):
    agreement = make.agreement(reference="ISA-DATE-002", signed=False, status=S.AWAITING_SIGNATURES)
    agreement.created_at = agreement.created_at - timedelta(days=30)
    db.session.commit()
    with acting_as("tester"):  # as the scheduler does: a web request never renders
        document = current_document(agreement)
    login_as("officer")
    response = _record_signature(client, agreement, agreement.parties[0], date.today() - timedelta(days=3), signed_document=str(document.id))
    assert response.status_code == 200 and "when the signed copy was made" in response.get_data(as_text=True)
    assert count(db, Signature) == 0


def test_a_draft_cannot_have_a_signature_recorded(client, login_as, make, db):
    agreement = make.agreement(reference="ISA-DATE-003", signed=False, status=S.DRAFT)
    login_as("officer")
    response = _record_signature(client, agreement, agreement.parties[0], date.today())
    assert response.status_code == 200 and "Send the agreement for signature before you record a signature" in response.get_data(as_text=True)


def test_a_corrected_signature_leaves_one_record_and_a_withdrawn_one_none(client, login_as, make, db):
    agreement = make.agreement(reference="ISA-DATE-004", signed=False, status=S.AWAITING_SIGNATURES,
                               parties=[make.organisation(), make.organisation(), make.organisation()])
    agreement.created_at = agreement.created_at - timedelta(days=30)
    db.session.commit()
    party = agreement.parties[0]
    login_as("officer")
    assert _record_signature(client, agreement, party, date.today()).status_code == 302
    assert _record_signature(client, agreement, party, date.today() - timedelta(days=1)).status_code == 302
    signatures = db.session.scalars(sa.select(Signature)).all()
    assert [s.signed_on for s in signatures] == [date.today() - timedelta(days=1)]
    assert _record_signature(client, agreement, party, None).status_code == 302
    assert count(db, Signature) == 0


def test_removing_a_flow_of_a_signed_agreement_starts_a_new_version(client, login_as, make, db):
    agreement = make.agreement(reference="ISA-MAT-003", status=S.AWAITING_SIGNATURES)
    extra = DataFlow(from_organisation=agreement.parties[1].organisation, to_organisation=agreement.parties[0].organisation,
                     categories=["personal"], items="Dates", purposes=["safeguarding children"], lawful_bases=["UKGDPR-A6-1E"])
    agreement.flows.append(extra)
    db.session.commit()
    login_as("officer")
    url = f"/agreements/ISA-MAT-003/flows/{extra.id}/remove"
    assert "starts version 2" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {"version": str(agreement.version)}).status_code == 302
    db.session.refresh(agreement)
    assert agreement.protocol_version == 2 and len(agreement.flows) == 1 and not any(p.signed for p in agreement.parties)
    assert agreement.status == S.AWAITING_SIGNATURES and agreement.resume_status is None  # it was not in force


def test_no_warning_before_anyone_has_signed(client, login_as, make):
    agreement = make.agreement(reference="ISA-MAT-004", signed=False)
    login_as("officer")
    page = client.get(f"/agreements/ISA-MAT-004/flows/{agreement.flows[0].id}/edit").get_data(as_text=True)
    assert "starts version" not in page



# --- field lengths: no record makes a runaway document ---------------------------------------------


def _register(agreement_changes=None, flow_changes=None, channel_changes=None):
    flow = {"from": "cap-a", "to": "cap-b", "categories": ["personal"], "items": "Names", "purposes": ["safeguarding children"],
            "lawful_bases": ["UKGDPR-A6-1E"], "channel": "cap-email"}
    flow.update(flow_changes or {})
    agreement = {"reference": "ISA-CAP-001", "title": "Caps", "purpose": "Safeguarding", "status": "draft",
                 "start_date": "2024-12-01", "review_date": "2027-12-01",
                 "parties": [{"organisation": "cap-a"}, {"organisation": "cap-b"}], "flows": [flow]}
    agreement.update(agreement_changes or {})
    channel = {"slug": "cap-email", "name": "Secure email", "special_category_approved": True}
    channel.update(channel_changes or {})
    return {"organisations": [{"slug": "cap-a", "name": "A", "type": "local_authority"}, {"slug": "cap-b", "name": "B", "type": "police"}],
            "channels": [channel], "agreements": [agreement]}


@pytest.mark.parametrize(
    "document, where, message",
    [
        (_register({"purpose": "x" * 10001}), "agreements[0] (ISA-CAP-001).purpose", "10000 characters or fewer"),
        (_register({"scope": "x" * 10001}), "agreements[0] (ISA-CAP-001).scope", "10000 characters or fewer"),
        (_register({"retention": "x" * 5001}), "agreements[0] (ISA-CAP-001).retention", "5000 characters or fewer"),
        (_register({"security": "x" * 5001}), "agreements[0] (ISA-CAP-001).security", "5000 characters or fewer"),
        (_register({"data_subjects": "x" * 5001}), "agreements[0] (ISA-CAP-001).data_subjects", "5000 characters or fewer"),
        (_register(flow_changes={"items": "x" * 10001}), "flows[0].items", "10000 characters or fewer"),
        (_register(flow_changes={"purposes": [f"purpose {n}" for n in range(31)]}), "flows[0].purposes", "30 items or fewer"),
        (_register(flow_changes={"purposes": ["x" * 201]}), "flows[0].purposes", "200 characters or fewer"),
        (_register(channel_changes={"description": "x" * 2001}), "channels[0] (cap-email).description", "2000 characters or fewer"),
    ],
)
def test_import_refuses_runaway_text(db, document, where, message):
    from isa.exchange.operations import ImportRejected, import_register

    with pytest.raises(ImportRejected) as rejected, acting_as("test"):
        import_register(document)
    assert any(where in problem and message in problem for problem in rejected.value.problems), rejected.value.problems


def test_import_within_the_limits_is_accepted(db):
    from isa.exchange.operations import import_register

    with acting_as("test"):
        import_register(_register({"purpose": "x" * 10000}, {"purposes": [f"purpose {n}" for n in range(30)]}))
    assert count(db, DataFlow) == 1


def test_flow_form_refuses_too_many_purposes(client, login_as, make, db):
    agreement = make.agreement(reference="ISA-CAP-002", signed=False)
    flow = agreement.flows[0]
    login_as("officer")
    response = post_form(client, f"/agreements/ISA-CAP-002/flows/{flow.id}/edit", {
        "from_organisation": flow.from_organisation.slug, "to_organisation": flow.to_organisation.slug, "categories": ["personal"],
        "items": "Names", "purposes": "\n".join(f"p{n}" for n in range(31)), "lawful_bases": ["UKGDPR-A6-1E"], "channel": "",
        "frequency": "ad_hoc", "consent": "no_consent_lawful_basis", "version": str(agreement.version)})
    assert response.status_code == 200 and "Enter 30 purposes or fewer" in response.get_data(as_text=True)
    db.session.refresh(flow)
    assert flow.purposes == ["safeguarding children"]


def test_a_removed_partys_signature_stays_on_record(client, login_as, make, db):
    leaving = make.organisation(name="Leaving Trust")
    agreement = make.agreement(parties=[make.organisation(), make.organisation(), leaving], reference="ISA-MAT-005", status=S.CONSULTATION)
    party = agreement.party_for(leaving)
    login_as("officer")
    url = f"/agreements/ISA-MAT-005/parties/{party.id}/remove"
    assert "starts version 2" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {"version": str(agreement.version)}).status_code == 302
    db.session.refresh(agreement)
    assert agreement.protocol_version == 2 and len(agreement.parties) == 2
    names = sorted(s.organisation_name for s in db.session.scalars(sa.select(Signature)))
    assert "Leaving Trust" in names and len(names) == 3
    assert "Leaving Trust" in client.get("/agreements/ISA-MAT-005").get_data(as_text=True)


def test_the_small_user_agent_stylesheet_keeps_bookmarks_links_and_list_numbers(app, demo):
    """What the protocol needs of the user-agent stylesheet it uses in place of WeasyPrint's own."""
    reader, text = pdf_text(render_protocol(demo))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert any("Data to be shared" in title for title in titles) and any("Signatures" in title for title in titles)
    contents = reader.pages[1]
    links = [a.get_object() for a in contents.get("/Annots", [])]
    assert sum(1 for link in links if link.get("/Subtype") == "/Link") >= 12  # every contents entry is live
    appendix = flat(reader.pages[-1].extract_text())
    assert all(f"{n}. " in appendix for n in range(1, 8))  # the seven golden rules, numbered
    assert "Information Sharing Protocol, version 1" not in flat(reader.pages[0].extract_text())  # <title> is not printed


def test_section_3_keeps_each_line_of_a_cell_apart_and_several_parties_to_a_page(make, db):
    names = ("Watford Borough Council", "Hertfordshire Constabulary", "Hertfordshire County Council", "NHS Herts Valleys",
             "Three Rivers District Council", "St Albans City Council", "Dacorum Borough Council")
    parties = [make.organisation(name=name, dpo_name="Sam Green", dpo_email=f"dpo{n}@example.gov.uk") for n, name in enumerate(names)]
    agreement = make.agreement(parties=parties, signed=False, status=S.AWAITING_SIGNATURES, reference="ISA-CELLS-1")
    with acting_as("tester"):
        reader, _text = pdf_text(current_document(agreement).pdf)
    pages = [page.extract_text() for page in reader.pages]
    section = [n for n, page in enumerate(pages) if "Single point of contact" in page]  # the table's header, on each page
    assert section and len(section) <= 2  # rows follow one another, not one to a page
    text = "\n".join(pages[n] for n in section)
    for n, name in enumerate(names):
        assert f"{name}\nDiscloser and recipient" in text, name  # a line break, not "CouncilDiscloser"
        assert f"Sam Green\ndpo{n}@" in text
    assert "CouncilDiscloser" not in text and "Greendpo" not in text
