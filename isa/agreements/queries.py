"""Read-side queries for agreements: the filtered list, and who may see what."""
from datetime import date

import sqlalchemy as sa

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
            errors["status"] = f"Unknown status {status!r}"
    party = (args.get("party") or "").strip()
    if party:
        filters["party"] = party
    due = (args.get("review_due_before") or "").strip()
    if due:
        try:
            filters["review_due_before"] = date.fromisoformat(due)
        except ValueError:
            errors["review_due_before"] = "Enter the date as YYYY-MM-DD, for example 2027-12-01"
    q = (args.get("q") or "").strip()[:100]
    if q:
        filters["q"] = q
    return filters, errors


def agreements_query(filters, user=None):
    query = sa.select(Agreement).order_by(Agreement.reference)
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
        like = f"%{filters['q'].lower()}%"
        query = query.where(sa.or_(sa.func.lower(Agreement.reference).like(like), sa.func.lower(Agreement.title).like(like)))
    if user is not None:
        query = visible_to(query, user)
    return query
