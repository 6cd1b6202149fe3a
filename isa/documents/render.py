"""Rendering an agreement as its Information Sharing Protocol (PDF) with WeasyPrint.

The HTML comes from a Jinja template with autoescaping, so user text reaches the document as text.
WeasyPrint fetches through `StaticFilesOnly`: the product's own static files (read from disk) and
`data:` URLs, nothing else: no network, no redirects, no other file on the machine.

The PDF is PDF/A-3b and tagged for PDF/UA-1, with the agreement's record (the export's JSON)
embedded: archive.py. Once every party has signed the version it shows, its signature page shows
their signatures: the signed copy.

A document is written in English or Welsh: the scheduler renders inside `force_locale`, so the
template's messages, the dates (govdate) and the link descriptions are in that language.
"""
import hashlib
import json
import logging
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import has_request_context, render_template
from flask_babel import force_locale, gettext as _
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..core.i18n import DEFAULT as ENGLISH
from ..core.perf import collector_paused
from ..extensions import db
from ..legal.models import BasisKind
from ..legal.queries import _code_sort_key, catalogue_map
from . import archive
from .content import GOLDEN_RULES, GOLDEN_RULES_SOURCE
from ..agreements.models import Signature, SignatureMethod
from ..agreements.records import export_agreement

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
BASE_URL = STATIC_ROOT.as_uri() + "/"  # relative links in the template resolve under isa/static
TEMPLATE = "documents/protocol.html"
USER_AGENT_CSS = CSS(filename=STATIC_ROOT / "print" / "user-agent.css")  # parsed once, read from disk

log = logging.getLogger(__name__)


class RenderingInRequest(RuntimeError):
    """A web request asked WeasyPrint for a PDF: documents come from the scheduler's render queue."""


class FetchRefused(ValueError):
    """A URL outside the product's static files: the fetch is aborted (WeasyPrint skips the resource)."""


class StaticFilesOnly(URLFetcher):
    """A URL fetcher that serves isa/static from disk and decodes data: URLs, and refuses the rest."""

    def __init__(self):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)
        self.fetched = []  # every URL served, for the tests
        self.refused = []  # every URL turned away, for the log and the tests

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            self.fetched.append(url[:40])
            return super().fetch(url, headers)  # decoded in memory by urllib's data: handler
        path = self._static_path(url) if scheme == "file" else None
        if path is None:
            self.refused.append(url)
            log.warning("protocol rendering refused to fetch %.200s", url)
            raise FetchRefused(f"refused to fetch {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.fetched.append(url)
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _static_path(url):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(unquote(parts.path)).resolve()  # "..", "%2e%2e" and symbolic links resolved first
        except (OSError, ValueError):
            return None
        if path.is_relative_to(STATIC_ROOT) and path.is_file():
            return path
        return None


class ProtocolHTML(HTML):
    """WeasyPrint's HTML with the protocol's own small user-agent stylesheet (print/user-agent.css)
    in place of the HTML5 one, which styles every element and form control the protocol never uses.
    `_ua_stylesheets` is the hook WeasyPrint's own tests use; pyproject.toml pins the versions it
    is proved on, and test_documents checks what the document needs of it (lists, bookmarks, links)."""

    def _ua_stylesheets(self, forms=False):
        return [USER_AGENT_CSS]


@dataclass(frozen=True)
class RenderedProtocol:
    pdf: bytes
    page_count: int
    content_sha256: str  # of the HTML (no generation line) and the record (no signatures): the same for an unchanged agreement
    signed_copy: bool = False  # every party had signed the version: the signature page shows their signatures

    @property
    def sha256(self):
        return hashlib.sha256(self.pdf).hexdigest()


@dataclass(frozen=True)
class BasisUse:
    code: str
    basis: object  # the catalogue entry, None for a code the catalogue does not know
    flows: tuple  # the numbers of the flows relying on it (4.1 is 1)


def bases_used(flows, catalogue):
    """[(group label, [BasisUse, ...]), ...]: each basis the flows rely on, once, in the law's order,
    with the flows relying on it: section 5's index (each flow in section 4 explains its own)."""
    users = {}
    for number, flow in enumerate(flows, 1):
        for code in flow.lawful_bases or ():
            numbers = users.setdefault(code, [])
            if number not in numbers:
                numbers.append(number)
    groups = []
    for kind in BasisKind:
        codes = sorted((c for c in users if c in catalogue and catalogue[c].kind == kind), key=_code_sort_key)
        if codes:
            groups.append((kind.label, [BasisUse(c, catalogue[c], tuple(users[c])) for c in codes]))
    unknown = sorted((c for c in users if c not in catalogue), key=_code_sort_key)
    if unknown:
        groups.append((_("Not in the catalogue"), [BasisUse(c, None, tuple(users[c])) for c in unknown]))
    return groups


@dataclass(frozen=True)
class SignedBy:
    """One party's signature of the version a signed copy shows: the evidence its signature page prints."""

    organisation: str
    role: object  # PartyRole
    name: str
    title: str | None
    signed_on: object  # date
    method: SignatureMethod
    document_sha256: str | None  # of the document the party was given to sign; None when none was recorded


def signatures_shown(agreement):
    """Each party's signature of the current version when every party has signed it, else None.

    Until the last signature the signature page stays blank, so every party signs the same document
    (the same fingerprint); the signature record says how each signed (in the register, on paper).
    """
    parties = list(agreement.parties)
    if not parties or any(p.signed_on is None for p in parties):
        return None
    version = agreement.protocol_version
    query = (
        sa.select(Signature)
        .where(Signature.agreement_id == agreement.id, Signature.protocol_version == version)
        .order_by(Signature.id)
    )
    recorded = {(s.organisation_id, s.signed_on): s for s in db.session.scalars(query)}  # the latest wins
    shown = []
    for party in parties:
        signature = recorded.get((party.organisation_id, party.signed_on))
        pinned = party.signed_document_sha256 if party.signed_document_version in (None, version) else None
        shown.append(SignedBy(
            organisation=party.organisation.name, role=party.role,
            name=party.signatory_name or (signature.signatory_name if signature else None) or _("Not recorded"),
            title=party.signatory_title or (signature.signatory_title if signature else None),
            signed_on=party.signed_on, method=signature.method if signature else SignatureMethod.RECORDED,
            document_sha256=pinned or (signature.document_sha256 if signature else None),
        ))
    return shown


def legal_checks(agreement, flows, catalogue):
    """[(flow number, Finding)]: the errors and warnings the legal-mapping check raises about the flows'
    lawful bases, for section 5 (the agreement-wide findings, such as an overdue review, are not the
    document's content)."""
    from ..core.clock import today
    from ..legal.findings import INFO, findings_for

    numbers = {flow.id: number for number, flow in enumerate(flows, 1)}
    return [
        (numbers[finding.flow_id], finding)
        for finding in findings_for(agreement, catalogue, today())
        if finding.flow_id in numbers and finding.severity != INFO
    ]


def _css_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_css():
    """The running header and footer's words (print/protocol.css writes them in English) in the
    document's language; None in English, whose HTML stays as it was."""
    from ..core.i18n import language

    if language() == ENGLISH:
        return None
    marking = _css_string(_("OFFICIAL"))
    page, rest = (_("Page %(page)s of %(pages)s", page="\0", pages="\1").split("\0") + [""])[:2]
    of, end = (rest.split("\1") + [""])[:2]
    footer = f"{_css_string(page)} counter(page) {_css_string(of)} counter(pages) {_css_string(end)}"
    return Markup(  # our own messages only, quoted as CSS strings
        f"@page {{ @top-right {{ content: {marking}; }} @bottom-center {{ content: {marking}; }} @bottom-right {{ content: {footer}; }} }}"
    )


def protocol_context(agreement):
    """Everything the template prints, in a fixed order, so an unchanged agreement prints the same."""
    catalogue = catalogue_map()
    flows = list(agreement.flows)  # ordered by DataFlow.id
    return dict(
        agreement=agreement,
        parties=list(agreement.parties),  # ordered by Party.id
        flows=flows,
        catalogue=catalogue,
        bases_used=bases_used(flows, catalogue),
        legal_checks=legal_checks(agreement, flows, catalogue),
        golden_rules=GOLDEN_RULES,
        golden_rules_source=GOLDEN_RULES_SOURCE,
        signed=signatures_shown(agreement),
        page_css=page_css(),
    )


def protocol_html(agreement, generated_by=None, generated_at=None, context=None):
    context = context or protocol_context(agreement)
    return render_template(TEMPLATE, generated_by=generated_by, generated_at=generated_at, **context)


def agreement_record(agreement):
    """The agreement in the SPEC §7 JSON, exactly as `flask export` writes it, with the organisations
    and channels it names: what the document embeds."""
    return export_agreement(agreement.id)


def _unsigned(record):
    """The record without who signed when: a signature changes neither the document nor its fingerprint
    until the last one, which prints the signatures and so changes the text anyway."""
    return {
        **record,
        "agreements": [
            {**a, "parties": [{**p, "signatory": None, "signed_on": None} for p in a["parties"]]} for a in record["agreements"]
        ],
    }


def content_fingerprint(agreement, language=ENGLISH):
    """SHA-256 of what the document in `language` says (no generation line): changes exactly when the content does."""
    with force_locale(language):
        return _fingerprint(protocol_html(agreement), agreement_record(agreement))


def _fingerprint(html, record):
    digest = hashlib.sha256(html.encode("utf-8"))
    digest.update(b"\0")
    digest.update(json.dumps(_unsigned(record), sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def html_to_pdf(html, fetcher=None, about=None):
    """(PDF bytes, page count) for protocol HTML, fetching only through `fetcher`.

    `about` (an archive.ProtocolArchive) makes the archival document: PDF/A-3b, tagged, with the
    agreement's record embedded. Without it, the pages alone (the tests of layout and escaping).

    Refused inside a web request: a worker held for seconds per PDF is the first thing to fall
    over under load, so pages and the API show what the scheduler stored (queue.py).
    """
    if has_request_context():
        raise RenderingInRequest("A web request must not render a protocol document: the scheduler produces them.")
    fetcher = fetcher or StaticFilesOnly()
    options = archive.write_options(about, fetcher) if about is not None else {"pdf_tags": True}
    with collector_paused():  # layout makes hundreds of thousands of short-lived objects
        document = ProtocolHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
        pdf = document.write_pdf(pdf_identifier=b"isa-protocol", uncompressed_pdf=False, **options)
    return pdf, len(document.pages)


def render(agreement, generated_by=None, generated_at=None, language=ENGLISH):
    """The agreement's protocol in `language` as a RenderedProtocol; the generation line only when both are given."""
    with force_locale(language):
        return _render(agreement, generated_by, generated_at)


def _render(agreement, generated_by, generated_at):
    context = protocol_context(agreement)
    record = agreement_record(agreement)
    html = protocol_html(agreement, context=context)
    content_sha256 = _fingerprint(html, record)  # without the generation line, as content_fingerprint()
    if generated_by is not None and generated_at is not None:
        html = protocol_html(agreement, generated_by, generated_at, context)
    about = archive.ProtocolArchive(
        reference=agreement.reference, version=agreement.protocol_version, content_sha256=content_sha256,
        data=archive.record_json(record), created=generated_at or agreement.updated_at or datetime(2000, 1, 1),
        signed_copy=context["signed"] is not None, link_labels=archive.link_labels(html),
    )
    pdf, pages = html_to_pdf(html, about=about)
    return RenderedProtocol(pdf, pages, content_sha256, signed_copy=about.signed_copy)


def render_protocol(agreement, generated_by=None, generated_at=None, language=ENGLISH):
    """The agreement's protocol as PDF bytes (not stored: see operations.current_document)."""
    return render(agreement, generated_by, generated_at, language).pdf
