"""The open data feed of the published register (/register.json and /register.csv).

The fields of the UK Government's register of information sharing agreements under the Digital
Economy Act 2017 where they apply: controller, other parties, purpose, legal power, data shared in
outline, start and end, and the review status ("overdue" once the review date has passed). It
holds exactly what the public agreement page shows (public.queries decides), nothing more.
"""

FEED_COLUMNS = (
    "Reference", "Title", "Controller", "Other parties", "Purpose", "Legal power", "Data shared", "Start date",
    "End date", "Review date", "Review status",
)


def review_status(summary, today):
    if summary.review_overdue(today):
        return "overdue"
    return "under review" if summary.status.value == "under_review" else "scheduled"


def feed_record(summary, today):
    """One published agreement in the feed's JSON shape."""
    others = [name for name in summary.parties if name != summary.controller]
    return {
        "reference": summary.reference,
        "title": summary.title,
        "controller": summary.controller,
        "other_parties": others,
        "purpose": summary.purpose,
        "legal_power": list(summary.legal_powers),
        "data_shared": list(summary.data_shared),
        "start_date": summary.start_date.isoformat(),
        "end_date": summary.end_date.isoformat() if summary.end_date else None,
        "review_date": summary.review_date.isoformat(),
        "review_status": review_status(summary, today),
    }


def feed_row(record):
    """The same record as a CSV row: lists joined with "; "."""
    return [
        record["reference"], record["title"], record["controller"], "; ".join(record["other_parties"]), record["purpose"],
        "; ".join(record["legal_power"]), "; ".join(record["data_shared"]), record["start_date"], record["end_date"],
        record["review_date"], record["review_status"],
    ]
