"""The protocol as an archival, accessible, self-describing PDF, and reading one back.

WeasyPrint writes PDF/A-3b (fonts embedded, the sRGB output intent, XMP identification), tags the
document (`pdf_tags`: headings, paragraphs, lists, tables with their header cells, links) and
embeds the agreement's record as an associated file of relationship `Data`. `finish` completes
what WeasyPrint leaves for PDF/UA-1:

- the running header and footer become artefacts: WeasyPrint marks their text but keeps it out of
  the structure tree, which a checker reports as content neither tagged nor artefact;
- the XMP says PDF/UA-1, and carries the protocol's reference, version, content fingerprint and
  whether it is the signed copy, under PDF/A extension schemas that declare them;
- each contents link says where it goes, instead of the anchor's name;
- each table header cell says whether it heads a row or a column (/Scope), beside the /Headers
  WeasyPrint gives the data cells, for readers that look at the header cell.

`read_protocol(pdf)` reads what a file says about itself (the XMP and the embedded record), for
`flask documents verify` and `flask pdf --data`. It uses pypdf and never trusts the file: anything
unreadable is reported as missing.
"""
import html as html_module
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pydyf
from flask_babel import gettext as _
from weasyprint import Attachment

PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}
DATA_DESCRIPTION = "The agreement's record in the register's import/export format (JSON), as this document shows it"
NS = "urn:isa-register:protocol:1.0/"  # the XMP namespace of the protocol's own properties
PREFIX = "isaprotocol"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CONTENTS_LINK = re.compile(r'<a href="#([^"]+)">(.*?)</a>', re.S)
TAG = re.compile(r"<[^>]+>")

# (name, XMP value type, description) of each property in NS.
PROPERTIES = (
    ("reference", "Text", "The agreement's reference in the register"),
    ("protocolVersion", "Integer", "The protocol version the document shows"),
    ("contentSHA256", "Text", "SHA-256 of what the document says (its text without the generation line, and its embedded record)"),
    ("signedCopy", "Boolean", "True when every party had signed this version and the signature page shows their signatures"),
    ("dataFile", "Text", "The name of the embedded file holding the agreement's record"),
)


@dataclass(frozen=True)
class ProtocolArchive:
    """What the PDF carries about itself besides its pages."""

    reference: str
    version: int
    content_sha256: str
    data: bytes  # the agreement's record (export_agreement), as JSON
    created: object  # datetime of the embedded file
    signed_copy: bool = False
    link_labels: tuple = ()  # ((anchor, text), ...) from the contents page

    @property
    def data_name(self):
        return f"{self.reference}-protocol-v{self.version}.json"


def record_json(record):
    """The embedded record's bytes: the export's own JSON layout, so a partner reads it as exported."""
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def link_labels(html):
    """Each contents entry's anchor and text, for the link annotations' descriptions."""
    labels = {}
    for anchor, text in CONTENTS_LINK.findall(html):
        text = " ".join(html_module.unescape(TAG.sub(" ", text)).split())
        if anchor.startswith("flow-"):  # the contents number flows with a counter the text does not carry
            text = _("data flow 4.%(number)s, %(flow)s", number=anchor[5:], flow=text)
        labels.setdefault(anchor, text)
    return tuple(labels.items())


def write_options(archive, fetcher):
    """Keyword arguments for WeasyPrint's write_pdf."""
    attachment = Attachment(
        file_obj=io.BytesIO(archive.data), url_fetcher=fetcher, name=archive.data_name, description=DATA_DESCRIPTION,
        created=archive.created, modified=archive.created, relationship="Data",
    )
    return dict(PDF_OPTIONS, attachments=[attachment], finisher=lambda document, pdf: finish(pdf, archive))


# --- completing WeasyPrint's PDF ------------------------------------------------------------------


def _number(reference):
    return int(reference.split()[0])


def finish(pdf, archive):
    """WeasyPrint's finisher: runs on the pydyf objects before the file is written."""
    _margin_text_as_artifacts(pdf)
    _describe_links(pdf, dict(archive.link_labels))
    _header_scopes(pdf)
    _extend_xmp(pdf, archive)
    if "AF" in pdf.catalog:  # WeasyPrint lists the embedded file twice (from the name tree and as a file spec)
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def _reachable_elements(pdf):
    """Object numbers of the structure elements a reader of the structure tree reaches."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    seen, todo = set(), [root]
    while todo:
        element = todo.pop()
        kids = element.get("K", ())
        for kid in kids if isinstance(kids, list) else (kids,):
            if isinstance(kid, bytes) and kid.endswith(b" R"):
                number = _number(kid)
                if number not in seen:
                    seen.add(number)
                    child = pdf.objects[number]
                    if isinstance(child, dict):
                        todo.append(child)
    return seen


def _margin_text_as_artifacts(pdf):
    """Running headers and footers (page margin boxes) become pagination artefacts.

    WeasyPrint gives their text marked-content ids mapped to structure elements that hang outside
    the tree. Those ids are found through the parent tree, their marked content is turned into
    `/Artifact` in the page's content stream, and the parent tree forgets them.
    """
    if "StructTreeRoot" not in pdf.catalog:
        return
    reachable = _reachable_elements(pdf)
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    nums = pdf.objects[_number(root["ParentTree"])]["Nums"]
    pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]
    for key, value in zip(nums[::2], nums[1::2]):
        if not isinstance(value, list) or key >= len(pages):
            continue  # an annotation's entry, not a page's
        outside = {mcid for mcid, reference in enumerate(value) if _number(reference) not in reachable}
        if not outside:
            continue
        items = pdf.objects[_number(pages[key]["Contents"])].stream
        for index in range(len(items) - 2):
            properties = items[index + 1]
            if (items[index + 2] == b"BDC" and isinstance(properties, dict) and properties.get("MCID") in outside
                    and isinstance(items[index], str)):
                items[index] = "/Artifact"
                items[index + 1] = pydyf.Dictionary({"Type": "/Pagination"})
        for mcid in outside:
            value[mcid] = "null"


def _describe_links(pdf, labels):
    """A link's description (its /Contents) says where it goes: WeasyPrint puts the anchor's name there."""
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Subtype") == "/Link" and "Dest" in obj:
            label = labels.get(getattr(obj["Dest"], "string", None))
            if label:
                obj["Contents"] = pydyf.String(_("Go to %(section)s", section=label))


def _header_scopes(pdf):
    """/Scope of each header cell: /Row when a data cell of its own row names it, else /Column."""
    headers, cells = {}, []
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem":
            if obj.get("S") == "/TH" and "ID" in obj:
                headers[obj["ID"].string] = obj
            elif obj.get("S") == "/TD":
                cells.append(obj)
    for cell in cells:
        for key in cell["A"].get("Headers", ()):
            header = headers.get(getattr(key, "string", None))
            if header is not None:
                header["A"].setdefault("Scope", "/Row" if header["P"] == cell["P"] else "/Column")
    for header in headers.values():
        header["A"].setdefault("Scope", "/Column")


def _extension_schema(name, namespace, prefix, properties):
    entries = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{prop}</pdfaProperty:name><pdfaProperty:valueType>{kind}</pdfaProperty:valueType>"
        f"<pdfaProperty:category>internal</pdfaProperty:category><pdfaProperty:description>{escape(text)}</pdfaProperty:description>"
        "</rdf:li>"
        for prop, kind, text in properties
    )
    return (
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaSchema:schema>{escape(name)}</pdfaSchema:schema><pdfaSchema:namespaceURI>{namespace}</pdfaSchema:namespaceURI>"
        f"<pdfaSchema:prefix>{prefix}</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>{entries}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li>"
    )


def xmp_descriptions(archive):
    """The XMP added to WeasyPrint's: PDF/UA-1 identification and the protocol's own properties,
    with the extension schemas PDF/A requires for properties outside its predefined schemas."""
    values = {
        "reference": archive.reference, "protocolVersion": str(archive.version), "contentSHA256": archive.content_sha256,
        "signedCopy": "True" if archive.signed_copy else "False", "dataFile": archive.data_name,
    }
    schemas = _extension_schema("PDF/UA Universal Accessibility Schema", PDFUAID, "pdfuaid", (
        ("part", "Integer", "Indicates, which part of ISO 14289 standard is followed"),
    )) + _extension_schema("isa Information Sharing Protocol", NS, PREFIX, PROPERTIES)
    own = "".join(f"<{PREFIX}:{name}>{escape(values[name])}</{PREFIX}:{name}>" for name, _kind, _text in PROPERTIES)
    return (
        '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        f"<pdfaExtension:schemas><rdf:Bag>{schemas}</rdf:Bag></pdfaExtension:schemas></rdf:Description>"
        f'<rdf:Description rdf:about="" xmlns:pdfuaid="{PDFUAID}"><pdfuaid:part>1</pdfuaid:part></rdf:Description>'
        f'<rdf:Description rdf:about="" xmlns:{PREFIX}="{NS}">{own}</rdf:Description>'
    ).encode("utf-8")


def _extend_xmp(pdf, archive):
    stream = pdf.objects[_number(pdf.catalog["Metadata"])]
    content = b"".join(item if isinstance(item, bytes) else str(item).encode() for item in stream.stream)
    end = content.rindex(b"</rdf:RDF>")
    stream.stream = [content[:end] + xmp_descriptions(archive) + content[end:]]


# --- reading a file back --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolFacts:
    """What a PDF says about itself; every field None when the file does not say it (or cannot be read)."""

    readable: bool
    reference: str | None = None
    version: int | None = None
    content_sha256: str | None = None
    signed_copy: bool | None = None
    data_name: str | None = None
    data: bytes | None = None  # the embedded record's bytes
    record: dict | None = None  # ... parsed, when it is a JSON object
    pdfa: str | None = None  # "3B" for PDF/A-3b
    problem: str | None = None  # why something could not be read


def _xmp_values(xml_bytes):
    values = {}
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError:
        return values
    wanted = {f"{{{NS}}}{name}": name for name, _kind, _text in PROPERTIES}
    wanted |= {"{http://www.aiim.org/pdfa/ns/id/}part": "pdfa_part", "{http://www.aiim.org/pdfa/ns/id/}conformance": "pdfa_conformance"}
    for description in root.iter(f"{{{RDF}}}Description"):
        for key, name in wanted.items():
            if key in description.attrib:  # WeasyPrint writes pdfaid as attributes
                values[name] = description.attrib[key]
        for child in description:
            if child.tag in wanted:
                values[wanted[child.tag]] = (child.text or "").strip()
    return values


def read_protocol(pdf_bytes):
    """ProtocolFacts of a PDF's bytes (never raises for a malformed file)."""
    import pypdf  # only the commands that read files back need it

    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf_bytes), strict=False)
        root = reader.trailer["/Root"]
        metadata = root.get("/Metadata")
        values = _xmp_values(metadata.get_object().get_data()) if metadata is not None else {}
        attachments = reader.attachments
    except Exception as error:  # a damaged or hostile file: say so rather than fail
        return ProtocolFacts(readable=False, problem=f"it cannot be read as a PDF ({type(error).__name__})")
    name = values.get("dataFile")
    data = None
    if name and attachments.get(name):
        data = attachments[name][0]
    elif len(attachments) == 1:
        name, contents = next(iter(attachments.items()))
        data = contents[0] if contents else None
    record = None
    if data is not None:
        try:
            record = json.loads(data)
        except ValueError:
            record = None
    version = values.get("protocolVersion")
    pdfa = values.get("pdfa_part", "") + values.get("pdfa_conformance", "") or None
    return ProtocolFacts(
        readable=True, reference=values.get("reference"), version=int(version) if version and version.isdigit() else None,
        content_sha256=values.get("contentSHA256"), signed_copy={"True": True, "False": False}.get(values.get("signedCopy")),
        data_name=name if data is not None else None, data=data, record=record if isinstance(record, dict) else None, pdfa=pdfa,
    )
