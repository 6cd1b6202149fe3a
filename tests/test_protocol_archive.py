"""The protocol as an accessible, archival, self-describing document (issue 18).

Tagged for PDF/UA-1, PDF/A-3b, the agreement's record embedded as JSON, the signed copy's
signature page, and `flask documents verify`. The PDFs are read with pikepdf (qpdf), a different
reader from the pypdf the product uses to read them back.
"""
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date

import pikepdf
import pytest
import sqlalchemy as sa

from isa.agreements.models import AgreementStatus as S
from isa.audit.tracking import acting_as
from isa.documents import render as rendering
from isa.documents.archive import NS
from isa.agreements.models import SignatureMethod
from isa.documents.models import ProtocolDocument
from isa.agreements.signatures import record_paper_signature, sign_in_app
from isa.documents.operations import current_document
from isa.exchange.demo import load_demo
from isa.exchange.operations import export_agreement, export_register
from tests.conftest import count

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


@pytest.fixture
def demo_document(app, db):
    """The Hertfordshire agreement's stored document (11 parties, 11 flows)."""
    from isa.agreements.operations import find_by_reference

    with acting_as("demo"):
        load_demo(date(2025, 1, 15))
    agreement = find_by_reference("ISA-2024-001")
    with acting_as("tester@example.org"):
        document = current_document(agreement)
    return agreement, document


def open_pdf(data):
    return pikepdf.open(io.BytesIO(data))


def structure(pdf):
    """[(type, element)] of the structure tree in reading order, and the set of elements reached."""
    found, reached = [], set()

    def walk(element):
        if not isinstance(element, pikepdf.Dictionary):
            return
        reached.add(element.objgen)
        if "/S" in element:
            found.append((str(element.S), element))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return found, reached


def xmp(pdf):
    root = ET.fromstring(pdf.Root.Metadata.read_bytes())
    values = {}
    for description in root.iter(f"{RDF}Description"):
        values.update(description.attrib)
        for child in description:
            values[child.tag] = child.text
    return root, values


def outline_titles(pdf):
    titles = []
    with pdf.open_outline() as outline:
        todo = list(outline.root)
        while todo:
            item = todo.pop(0)
            titles.append(item.title)
            todo[:0] = list(item.children)
    return titles


def embedded(pdf):
    (spec,) = list(pdf.Root.AF)
    return spec, json.loads(spec.EF.F.read_bytes())


# --- tagged, accessible --------------------------------------------------------------------------


def test_the_protocol_is_tagged_with_its_language_title_headings_and_table_headers(demo_document):
    agreement, document = demo_document
    pdf = open_pdf(document.pdf)
    assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "en-GB"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True  # the title, not the file name, in the title bar
    assert str(pdf.docinfo.Title) == "ISA-2024-001 Information Sharing Protocol, version 1"
    elements, _reached = structure(pdf)
    kinds = [kind for kind, _ in elements]
    assert kinds.count("/H1") == 1 and kinds.count("/H2") == 14  # the title; 13 sections and the contents
    assert kinds.count("/H3") >= len(agreement.flows)  # a heading per data flow
    assert {"/Document", "/Sect", "/P", "/L", "/LI", "/Lbl", "/LBody", "/Table", "/TR", "/TH", "/TD", "/Link", "/Caption"} <= set(kinds)
    # header cells: identified, and each data cell names its headers
    headers = [e for kind, e in elements if kind == "/TH"]
    assert headers and all("/ID" in e for e in headers)
    cells = [e for kind, e in elements if kind == "/TD"]
    assert cells and all(len(e.A.Headers) >= 1 for e in cells)
    assert all(str(e.A.O) == "/Table" for e in headers + cells)
    scopes = {str(e.A.Scope) for e in headers}
    assert scopes == {"/Row", "/Column"}  # the cover's facts head rows; the parties table's header heads columns


def test_pdfinfo_reports_the_protocol_tagged(demo_document, tmp_path):
    assert shutil.which("pdfinfo"), "pdfinfo (poppler-utils) is missing: scripts/system-deps.sh installs it"
    _agreement, document = demo_document
    (tmp_path / "protocol.pdf").write_bytes(document.pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "protocol.pdf")], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info and "Title:           ISA-2024-001 Information Sharing Protocol, version 1" in info


def test_headers_and_footers_are_artefacts_and_everything_else_is_in_the_tree(demo_document):
    """Nothing read twice: the running header and footer are pagination artefacts, every other piece
    of marked content belongs to an element of the structure tree."""
    _agreement, document = demo_document
    pdf = open_pdf(document.pdf)
    _elements, reached = structure(pdf)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for index, page in enumerate(pdf.pages):
        mapped = nums[2 * index + 1]
        operators = [op for _operands, op in pikepdf.parse_content_stream(page)]
        artefacts = [operands for operands, op in pikepdf.parse_content_stream(page)
                     if str(op) == "BDC" and str(operands[0]) == "/Artifact" and str(operands[1].get("/Type")) == "/Pagination"]
        assert len(artefacts) == 4, index  # reference and version, OFFICIAL twice, "Page N of M"
        assert operators.count(pikepdf.Operator("BDC")) - len(artefacts) == sum(1 for e in mapped if e is not None)
        assert all(e is None or e.objgen in reached for e in mapped), index


def test_bookmarks_for_every_section_and_every_data_flow(demo_document):
    agreement, document = demo_document
    titles = outline_titles(open_pdf(document.pdf))
    for section in ("About this protocol", "Organisations involved", "Data to be shared", "Lawful basis for sharing",
                    "Breach handling", "Review arrangements", "Signatures", "Appendix A: The seven golden rules to sharing information"):
        assert any(section in title for title in titles), section
    for number, flow in enumerate(agreement.flows, 1):
        assert any(title.startswith(f"4.{number}\u2002{flow.from_organisation.name}") for title in titles), number


def test_contents_links_say_where_they_go(demo_document):
    _agreement, document = demo_document
    pdf = open_pdf(document.pdf)
    described = {str(a.Contents) for a in pdf.pages[1].Annots if a.Subtype == "/Link"}
    assert "Go to Organisations involved" in described
    assert any(text.startswith("Go to data flow 4.1, Hertfordshire Constabulary to") for text in described)


# --- archival --------------------------------------------------------------------------------------


def test_the_protocol_is_pdf_a_3b_with_its_reference_version_and_fingerprint_in_the_xmp(demo_document):
    agreement, document = demo_document
    pdf = open_pdf(document.pdf)
    _root, values = xmp(pdf)
    pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
    assert (values[f"{pdfaid}part"], values[f"{pdfaid}conformance"]) == ("3", "B")
    assert values["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
    assert values[f"{{{NS}}}reference"] == "ISA-2024-001" and values[f"{{{NS}}}protocolVersion"] == "1"
    assert values[f"{{{NS}}}contentSHA256"] == document.content_sha256
    assert values[f"{{{NS}}}signedCopy"] == "True" and document.signed_copy  # the demo's parties have all signed
    # every property outside PDF/A's predefined schemas is declared by an extension schema
    declared = {li.text for li in _root.iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI")}
    assert {NS, "http://www.aiim.org/pdfua/ns/id/"} <= declared
    assert pdf.pdf_version == "1.7" and not pdf.is_encrypted
    (intent,) = list(pdf.Root.OutputIntents)
    assert str(intent.S) == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3  # sRGB
    fonts = {font.objgen: font for page in pdf.pages for font in page.Resources.Font.values()}
    assert fonts
    for font in fonts.values():
        descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont  # embedded


def test_the_embedded_record_is_the_export_of_the_version_shown(demo_document):
    agreement, document = demo_document
    pdf = open_pdf(document.pdf)  # kept: pikepdf's objects live as long as their file
    spec, record = embedded(pdf)
    assert str(spec.AFRelationship) == "/Data" and str(spec.EF.F.Subtype) == "/application/json"
    assert str(spec.UF) == "ISA-2024-001-protocol-v1.json"
    assert record == export_agreement(agreement.id)
    everything = export_register()
    assert record["agreements"] == [a for a in everything["agreements"] if a["reference"] == "ISA-2024-001"]
    slugs = {o["slug"] for o in record["organisations"]}
    assert slugs >= {p.organisation.slug for p in agreement.parties}
    assert record["organisations"] == [o for o in everything["organisations"] if o["slug"] in slugs]
    assert record["channels"] == [c for c in everything["channels"] if c["slug"] in {c["slug"] for c in record["channels"]}]


def test_pdf_data_prints_the_record_of_a_stored_document(runner, make, db, app):
    agreement = make.agreement(reference="ISA-DATA-001", signed=False, status=S.AWAITING_SIGNATURES)
    result = runner.invoke(args=["pdf", "ISA-DATA-001", "--data"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)
    assert first == export_agreement(agreement.id) and first["agreements"][0]["reference"] == "ISA-DATA-001"
    assert count(db, ProtocolDocument) == 1
    # after a material change, the stored document of version 1 still says what version 1 said
    agreement.parties[0].signed_on = date(2025, 1, 2)
    db.session.commit()
    from isa.agreements.versions import after_material_change
    from isa.agreements.rules import material_terms

    before = material_terms(agreement)
    agreement.flows[0].purposes = ["safeguarding adults"]
    after_material_change(agreement, before)
    db.session.commit()
    assert agreement.protocol_version == 2
    now = json.loads(runner.invoke(args=["pdf", "ISA-DATA-001", "--data"]).stdout)
    assert now["agreements"][0]["flows"][0]["purposes"] == ["safeguarding adults"]
    then = runner.invoke(args=["pdf", "ISA-DATA-001", "--data", "--version", "1"])
    assert then.exit_code == 0 and json.loads(then.stdout) == first
    missing = runner.invoke(args=["pdf", "ISA-DATA-001", "--data", "--version", "7"])
    assert missing.exit_code == 1 and "No document of ISA-DATA-001 version 7 is stored" in missing.output
    assert runner.invoke(args=["pdf", "ISA-DATA-001"]).exit_code == 2  # neither -o nor --data


def test_the_archival_document_fetches_nothing_and_embeds_only_its_record(app, make, db, monkeypatch):
    fetchers = []

    class Recording(rendering.StaticFilesOnly):
        def __init__(self):
            super().__init__()
            fetchers.append(self)

    monkeypatch.setattr(rendering, "StaticFilesOnly", Recording)
    agreement = make.agreement(purpose='<link rel=attachment href="file:///etc/hostname">', scope='<img src="https://127.0.0.1:9/x">')
    pdf = rendering.render(agreement).pdf
    (fetcher,) = fetchers
    assert fetcher.refused == [] and [url.rsplit("/", 2)[-2:] for url in fetcher.fetched] == [["print", "protocol.css"]]
    opened = open_pdf(pdf)
    assert list(opened.attachments) == [f"{agreement.reference}-protocol-v1.json"]
    assert b"/URI" not in pdf


# --- the signed copy -----------------------------------------------------------------------------


def test_the_signed_copy_shows_each_signature_and_the_document_signed(app, make, db, client, login_as):
    from tests.test_documents import flat, pdf_text

    council, police = make.organisation(name="County Council"), make.organisation(name="Constabulary", type="police")
    agreement = make.agreement(parties=[council, police], signed=False, status=S.AWAITING_SIGNATURES, reference="ISA-SIGNED-001")
    with acting_as("tester"):
        pinned = current_document(agreement)
    assert not pinned.signed_copy and not re.search(r"[0-9a-f]{64}", flat(pdf_text(pinned.pdf)[1]))  # blank signature blocks
    council_party, police_party = agreement.parties
    sign_in_app(agreement, council_party, pinned, "Jane Doe", "Director of Children's Services", "partner@council", today=date(2025, 2, 1))
    db.session.commit()
    assert current_document(agreement).id == pinned.id  # the first signature changes nothing: the second signs the same
    police_party.signatory_name, police_party.signatory_title, police_party.signed_on = "John Roe", "Chief Constable", date(2025, 2, 3)
    record_paper_signature(agreement, police_party, pinned, "officer@example.org")
    db.session.commit()
    assert agreement.status == S.ACTIVE  # the last signature brings it into force
    with acting_as("tester"):
        signed = current_document(agreement)
    assert signed.id != pinned.id and signed.signed_copy and signed.protocol_version == 1
    assert signed.filename.startswith("ISA-SIGNED-001-protocol-v1-signed-")
    text = flat(pdf_text(signed.pdf)[1])
    assert "Signed by every party: this is the signed copy of version 1" in text
    page = text.split("Every party has signed version 1 of this protocol", 1)[1]
    for words in ("County Council", "Jane Doe", "Director of Children's Services", "1 February 2025", SignatureMethod.IN_APP.label,
                  "Constabulary", "John Roe", "Chief Constable", "3 February 2025", SignatureMethod.PAPER.label):
        assert words in page, words
    assert page.count(f"Document signed (SHA-256) {pinned.sha256}") == 2  # both signed the pinned document
    pdf = open_pdf(signed.pdf)
    _spec, record = embedded(pdf)
    assert [p["signed_on"] for p in record["agreements"][0]["parties"]] == ["2025-02-01", "2025-02-03"]
    assert record == export_agreement(agreement.id)
    # the agreement page tags it; it is never offered as the copy a party signed on paper
    login_as("officer")
    page = client.get("/agreements/ISA-SIGNED-001").get_data(as_text=True)
    assert "Signed copy" in page and signed.sha256 in page
    form = client.get(f"/agreements/ISA-SIGNED-001/parties/{police_party.id}/edit").get_data(as_text=True)
    assert pinned.sha256[:16] in form and signed.sha256[:16] not in form


# --- verify ----------------------------------------------------------------------------------------


@pytest.fixture
def two_stored(app, make, db, tmp_path):
    first = make.agreement(reference="ISA-VER-001", signed=False, status=S.AWAITING_SIGNATURES)
    second = make.agreement(reference="ISA-VER-002", signed=False, status=S.AWAITING_SIGNATURES)
    with acting_as("tester@example.org"):
        documents = current_document(first), current_document(second)
    sign_in_app(first, first.parties[0], documents[0], "Jane Doe", "Director", "partner@example.org", today=date(2025, 3, 4))
    db.session.commit()
    return first, second, documents


def test_verify_names_the_stored_document_a_file_is(runner, two_stored, tmp_path):
    _first, _second, (document, other) = two_stored
    path = tmp_path / "emailed.pdf"
    path.write_bytes(document.pdf)
    result = runner.invoke(args=["documents", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert f"SHA-256 {document.sha256}" in result.output
    assert f"Matches the stored document {document.id}: the protocol for ISA-VER-001 version 1" in result.output
    assert "Signed as this document for" in result.output and "by Jane Doe, Director on 4 March 2025" in result.output
    assert "Embedded record (ISA-VER-001-protocol-v1.json): ISA-VER-001, status awaiting_signatures, 2 parties (0 signed), 1 data flow." in result.output
    # a PDF of another agreement is that agreement's document, not this one's
    path.write_bytes(other.pdf)
    result = runner.invoke(args=["documents", "verify", str(path)])
    assert result.exit_code == 0 and "ISA-VER-002 version 1" in result.output and "ISA-VER-001" not in result.output


def test_verify_a_copy_with_one_byte_changed_matches_no_stored_document(runner, two_stored, tmp_path):
    _first, _second, (document, _other) = two_stored
    changed = bytearray(document.pdf)
    changed[document.pdf.index(b"%PDF-1.7") + 7] ^= 0x01  # "%PDF-1.7" becomes "%PDF-1.6": one byte, still readable
    path = tmp_path / "changed.pdf"
    path.write_bytes(bytes(changed))
    result = runner.invoke(args=["documents", "verify", str(path)])
    assert result.exit_code == 1, result.output
    assert "Matches no document stored in this register." in result.output
    assert "It says it is ISA-VER-001 version 1." in result.output
    assert f"The stored document {document.id} (SHA-256 {document.sha256}) has the content fingerprint it claims, but not its bytes" in result.output
    # a byte changed anywhere else: still matches nothing, whatever can be read of it
    for offset in (len(document.pdf) // 3, len(document.pdf) // 2, len(document.pdf) - 40):
        changed = bytearray(document.pdf)
        changed[offset] ^= 0xFF
        path.write_bytes(bytes(changed))
        result = runner.invoke(args=["documents", "verify", str(path)])
        assert result.exit_code == 1 and "Matches no document stored in this register." in result.output, offset


def test_verify_a_pdf_the_register_did_not_make(runner, app, make, db, tmp_path):
    stranger = make.agreement(reference="ISA-ELSEWHERE-001")
    pdf = rendering.render(stranger).pdf  # rendered, never stored: another register's copy, say
    path = tmp_path / "stranger.pdf"
    path.write_bytes(pdf)
    result = runner.invoke(args=["documents", "verify", str(path)])
    assert result.exit_code == 1 and "Matches no document stored in this register." in result.output
    assert "It says it is ISA-ELSEWHERE-001 version 1." in result.output and "No stored document of that agreement has the content it claims" in result.output
    path.write_bytes(b"%PDF-1.4\nnot really a PDF")
    result = runner.invoke(args=["documents", "verify", str(path)])
    assert result.exit_code == 1 and "cannot be read as a PDF" in result.output
