"""The published register: what the public may see of the agreements in force, and nothing more.

Only `active` and `under_review` agreements are published, and only their reference, title,
purpose, start and review dates, the names of their parties and each party's data protection
officer's address (which UK GDPR Article 37(7) requires to be published). The queries read those
columns alone, so other contacts, data items, flows and anything else never reach the public pages.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..agreements.models import Agreement, AgreementStatus, Party
from ..extensions import db
from ..organisations.models import Organisation

PUBLISHED = (AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW)


@dataclass(frozen=True)
class PublishedAgreement:
    reference: str
    title: str
    purpose: str
    status: AgreementStatus
    start_date: date
    review_date: date
    parties: tuple  # organisation names
    contacts: tuple = ()  # (organisation name, its DPO's email address or None)

    def in_force(self, today):
        """Signed and published, but only in force from its start date."""
        return self.start_date <= today


def _summaries(rows):
    rows = list(rows)
    contacts = _party_contacts([row.id for row in rows])
    return [
        PublishedAgreement(row.reference, row.title, row.purpose or "", AgreementStatus(row.status), row.start_date,
                           row.review_date, tuple(name for name, _email in contacts.get(row.id, ())),
                           tuple(contacts.get(row.id, ())))
        for row in rows
    ]


def _party_contacts(agreement_ids):
    if not agreement_ids:
        return {}
    query = (
        sa.select(Party.agreement_id, Organisation.name, Organisation.dpo_email)
        .join(Organisation, Organisation.id == Party.organisation_id)
        .where(Party.agreement_id.in_(agreement_ids))
        .order_by(Party.id)
    )
    contacts = {}
    for agreement_id, name, dpo_email in db.session.execute(query):
        contacts.setdefault(agreement_id, []).append((name, dpo_email))
    return contacts


_COLUMNS = (Agreement.id, Agreement.reference, Agreement.title, Agreement.purpose, Agreement.status,
            Agreement.start_date, Agreement.review_date)


def _published():
    return sa.select(*_COLUMNS).where(Agreement.status.in_(PUBLISHED))


def published_page(q="", page=1, per_page=50):
    """(summaries, total) for one page of the register, by reference; `q` searches reference, title and purpose."""
    query = _published()
    needle = " ".join((q or "").split())[:100].lower()
    if needle:
        like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(*(sa.func.lower(column).like(like, escape="\\")
                                     for column in (Agreement.reference, Agreement.title, Agreement.purpose))))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(Agreement.reference).limit(per_page).offset((page - 1) * per_page))
    return _summaries(rows), total


def published_agreement(reference):
    """The public summary of one agreement in force, or None (unknown, draft, ended...)."""
    row = db.session.execute(_published().where(Agreement.reference == reference)).first()
    return _summaries([row])[0] if row is not None else None
