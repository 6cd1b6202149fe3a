"""The Art 30 record as a PDF (WeasyPrint): a plain function, for the command line now and the
render queue later. A web request never calls it (DESIGN: work outside the request)."""
from flask import render_template
from flask_babel import force_locale

from ..core import clock
from ..core.perf import collector_paused
from ..documents.render import BASE_URL, StaticFilesOnly
from . import rules
from .queries import snapshot

TEMPLATE = "records/processing_record_pdf.html"


def processing_record_html(organisation_id, today=None, language="en"):
    """The record's HTML in `language` ("en" or "cy"), whoever renders it: the request that
    fingerprints it and the scheduler that prints it must make the same page."""
    today = today or clock.today()
    register = snapshot(organisation_id)
    organisation = register.organisations[organisation_id]
    with force_locale(language):
        return render_template(
            TEMPLATE, organisation=organisation, heading=rules.controller_lines(organisation), columns=rules.PROCESSING_COLUMNS,
            rows=rules.processing_rows(register, organisation_id, today), as_at=today, receives=rules.RECEIVES_WORD,
        )


def processing_record_pdf(organisation_id, today=None, language="en"):
    """The organisation's record of processing activities as PDF bytes. Needs an app context."""
    from weasyprint import HTML

    html = processing_record_html(organisation_id, today, language)
    with collector_paused():
        return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
