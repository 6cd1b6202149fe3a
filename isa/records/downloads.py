"""The records as downloads, for the records pages and the API alike: who may have them, and the files."""
import tempfile

import sqlalchemy as sa
from flask import send_file

from ..core.spreadsheet import csv_download
from ..core.web import pdf_response
from ..extensions import db
from ..organisations.models import Organisation
from ..users.access import log_refusal
from . import rules, spreadsheets
from .exit_pack import write_exit_pack
from .queries import snapshot


def may_see_records(user, organisation):
    """Officers and admins: every organisation's records; a partner: its own organisation's only."""
    return user.is_officer or user.organisation_id == organisation.id


def organisation_for(user, slug):
    """The organisation whose records `user` asks for, or None (unknown, or another's for a partner: refusal logged)."""
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is not None and not may_see_records(user, organisation):
        log_refusal(user, "records of another organisation")
        return None
    return organisation


def spooled_download(write, filename, mimetype):
    """Write a file with `write(target)` to a temporary file and send it: the whole file, never half of one."""
    target = tempfile.TemporaryFile()
    write(target)
    target.seek(0)
    response = send_file(target, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def processing_record_xlsx(organisation, today):
    register = snapshot(organisation.id)
    return spooled_download(
        lambda target: spreadsheets.processing_workbook(target, register, [organisation.id], today),
        f"processing-record-{organisation.slug}-{today.isoformat()}.xlsx", spreadsheets.XLSX_MIMETYPE,
    )


def processing_record_csv(organisation, today):
    organisation_id = organisation.id

    def rows():  # read while the body is sent, in the session the stream has then
        return spreadsheets.csv_values(rules.processing_rows(snapshot(organisation_id), organisation_id, today))

    return csv_download(f"processing-record-{organisation.slug}-{today.isoformat()}.csv", rules.PROCESSING_COLUMNS, rows)


def pdf_download(document):
    """A stored record document, whole, with its SHA-256."""
    return pdf_response(document.pdf, document.filename, document.sha256)


def exit_pack_zip(organisation, today):
    return spooled_download(lambda target: write_exit_pack(target, organisation),
                            f"exit-pack-{organisation.slug}-{today.isoformat()}.zip", "application/zip")
