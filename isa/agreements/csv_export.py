"""The agreements list as a CSV download, with the list's filters applied, for spreadsheet users."""

from flask import Blueprint, abort, request
from flask_login import current_user

from ..core import clock
from ..users.access import signed_in_required
from ..core.spreadsheet import csv_download
from ..extensions import db
from .queries import agreements_query, parse_filters

bp = Blueprint("agreements_csv", __name__)

HEADER = [
    "Reference", "Title", "Status", "Lead organisation", "Parties", "Not yet signed", "Start date", "Review date",
    "End date", "Review overdue", "Owner", "Data location", "Protocol version",
]


def agreement_row(agreement, today):
    """One agreement as a spreadsheet row: dates as YYYY-MM-DD so that they sort and filter."""
    return [
        agreement.reference,
        agreement.title,
        agreement.status.label,
        agreement.lead_organisation.name if agreement.lead_organisation else "",
        "; ".join(party.organisation.name for party in agreement.parties),
        "; ".join(party.organisation.name for party in agreement.parties if party.signed_on is None),
        agreement.start_date.isoformat(),
        agreement.review_date.isoformat(),
        agreement.end_date.isoformat() if agreement.end_date else "",
        agreement.review_overdue(today),
        agreement.owner.email if agreement.owner else "",
        agreement.data_location.label,
        agreement.protocol_version,
    ]


@bp.route("/agreements.csv")
@signed_in_required
def download():
    filters, errors = parse_filters(request.args)
    if errors:
        abort(400, "; ".join(errors.values()))
    today = clock.today()
    query = agreements_query(filters, current_user).execution_options(yield_per=500)

    def rows():
        return (agreement_row(agreement, today) for agreement in db.session.scalars(query))

    return csv_download(f"agreements-{today.isoformat()}.csv", HEADER, rows)
