"""Read-side queries for agreements: the filtered list, and who may see what."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..organisations.models import Organisation
from .models import Agreement, AgreementStatus, Party


class FilterError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def visible_to(query, user):
    """The one visibility rule, for every query that lists agreements to a user: officers see every
    agreement; partners only those their organisation is party to, whatever their status (so never
    another organisation's drafts or agreements awaiting signatures). `can_see` is the same rule
    for one agreement already loaded."""
    if user.is_officer:
        return query
    if user.organisation_id is None:
        return query.where(sa.false())
    party = sa.select(Party.id).where(Party.agreement_id == Agreement.id, Party.organisation_id == user.organisation_id)
    return query.where(party.exists())


def awaiting_signature_of(organisation_id):
    """Agreements sent for signature that this organisation has not signed yet, oldest first."""
    unsigned = sa.select(Party.id).where(
        Party.agreement_id == Agreement.id, Party.organisation_id == organisation_id, Party.signed_on.is_(None)
    )
    return db.session.scalars(
        sa.select(Agreement).where(Agreement.status == AgreementStatus.AWAITING_SIGNATURES, unsigned.exists())
        .order_by(Agreement.reference)
    ).all()


def can_see(user, agreement):
    if user.is_officer:
        return True
    return user.organisation_id is not None and any(p.organisation_id == user.organisation_id for p in agreement.parties)


def agreements_of(organisation, user):
    """The agreements an organisation is party to or leads, as far as `user` may see them."""
    is_party = sa.select(Party.id).where(Party.agreement_id == Agreement.id, Party.organisation_id == organisation.id)
    query = sa.select(Agreement).where(sa.or_(is_party.exists(), Agreement.lead_organisation_id == organisation.id))
    return db.session.scalars(visible_to(query.order_by(Agreement.reference), user)).all()


def parse_filters(args):
    """Clean list filters from query-string values: (filters, errors by field)."""
    filters, errors = {}, {}
    status = (args.get("status") or "").strip()
    if status:
        if status in {s.value for s in AgreementStatus}:
            filters["status"] = AgreementStatus(status)
        else:
            errors["status"] = _("Unknown status %(status)s", status=repr(status))
    party = (args.get("party") or "").strip()
    if party:
        filters["party"] = party
    parts = [(args.get(f"review_due_before-{part}") or "").strip() for part in ("day", "month", "year")]
    due = (args.get("review_due_before") or "").strip()
    if any(parts):  # the GOV.UK date input's three boxes
        if not all(parts):
            names = {"day": _("day"), "month": _("month"), "year": _("year")}
            missing = [names[name] for name, value in zip(("day", "month", "year"), parts) if not value]
            if len(missing) == 2:  # one box at least is filled in
                missing = [_("%(first)s and %(second)s", first=missing[0], second=missing[1])]
            errors["review_due_before"] = _("Review due before must include a %(missing)s", missing=missing[0])
        else:
            try:
                filters["review_due_before"] = date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                errors["review_due_before"] = _("Review due before must be a real date, for example 1 12 2027")
    elif due:  # links and the CSV download carry the date as 2027-12-01
        try:
            filters["review_due_before"] = date.fromisoformat(due)
        except ValueError:
            errors["review_due_before"] = _("Review due before must be a real date, for example 2027-12-01")
    q = (args.get("q") or "").strip()[:100]
    if q:
        filters["q"] = q
    sort = (args.get("sort") or "").strip()
    if sort.lstrip("-") in SORTS:
        filters["sort"] = sort
    return filters, errors


# The list's sortable columns (?sort=review_date, ?sort=-review_date for the other way).
SORTS = {
    "reference": Agreement.reference,
    "title": Agreement.title,
    "status": Agreement.status,
    "review_date": Agreement.review_date,
}


def _like(word):
    return "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _matches_word(word):
    """The agreement's reference, title, purpose or a party's name contains `word` (any case)."""
    like = _like(word)
    party = (
        sa.select(Party.id)
        .join(Organisation, Organisation.id == Party.organisation_id)
        .where(Party.agreement_id == Agreement.id, sa.func.lower(Organisation.name).like(like, escape="\\"))
    )
    columns = (Agreement.reference, Agreement.title, Agreement.purpose)
    return sa.or_(*(sa.func.lower(column).like(like, escape="\\") for column in columns), party.exists())


def agreements_query(filters, user=None):
    sort = filters.get("sort", "reference")
    column = SORTS[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    query = sa.select(Agreement).order_by(order, Agreement.reference)
    if "status" in filters:
        query = query.where(Agreement.status == filters["status"])
    if "party" in filters:
        party = (
            sa.select(Party.id)
            .join(Organisation, Organisation.id == Party.organisation_id)
            .where(Party.agreement_id == Agreement.id, Organisation.slug == filters["party"])
        )
        query = query.where(party.exists())
    if "review_due_before" in filters:
        query = query.where(Agreement.review_date < filters["review_due_before"])
    if "q" in filters:
        # word by word: "safeguarding family" finds "Family Safeguarding Service"
        for word in filters["q"].split()[:10]:
            query = query.where(_matches_word(word))
    if user is not None:
        query = visible_to(query, user)
    return query
