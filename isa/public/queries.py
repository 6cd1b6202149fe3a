"""The published register: what the public may see of the agreements in force, and nothing more.

Only `active` and `under_review` agreements are published, and only their reference, title,
purpose, start, review and end dates, the names of their parties and which of them leads (the
controller of the UK Government's register of information sharing agreements), each party's data
protection officer's address (which UK GDPR Article 37(7) requires to be published, on the
agreement's own page), and in outline what is shared under which legal power: the kinds of data
(personal, special category...) and the statutory gateways cited. The queries read those columns
alone, so other contacts, data items, flows, their purposes and their UK GDPR conditions never
reach the public pages or the open data feed.

The pages show the kinds of data and the gateways' titles in the page's language; the open data
feed keeps them in English, as stored.
"""
import json
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..agreements.models import Agreement, AgreementStatus, Party
from ..agreements.rules import review_overdue
from ..agreements.types import IN_FORCE
from ..core.i18n import english_label
from ..extensions import db
from ..flows.models import DataCategory, DataFlow
from ..legal.models import BasisKind, LegalBasis, in_language
from ..organisations.models import Organisation

PUBLISHED = IN_FORCE  # the statuses published; each agreement says whether it is in force on the day


@dataclass(frozen=True)
class PublishedAgreement:
    reference: str
    title: str
    purpose: str
    status: AgreementStatus
    start_date: date
    review_date: date
    parties: tuple  # organisation names
    end_date: date | None = None
    controller: str | None = None  # the lead organisation's name
    categories: tuple = ()  # the kinds of data shared (DataCategory)
    gateways: tuple = ()  # the statutory gateways cited: (code, title, shipped title)
    contacts: tuple = ()  # (organisation name, its DPO's email address or None)

    @property
    def data_shared(self):
        """The kinds of data in English words, for the open data feed: Personal data, Special category data..."""
        return tuple(english_label(category) for category in self.categories)

    @property
    def legal_powers(self):
        """The statutory gateways cited, "CODE: title", as stored: the open data feed's."""
        return tuple(f"{code}: {title}" for code, title, _shipped in self.gateways)

    def legal_powers_in_language(self):
        """The statutory gateways cited, "CODE: title", as the page shows them in its language."""
        return tuple(f"{code}: {in_language(title, shipped)}" for code, title, shipped in self.gateways)

    def in_force(self, today):
        """Signed and published, but only in force from its start date."""
        return self.start_date <= today

    def review_overdue(self, today):
        return review_overdue(self, today)


def _summaries(rows):
    rows = list(rows)
    ids = [row.id for row in rows]
    contacts, outline = _party_contacts(ids), _outline(ids)
    return [
        PublishedAgreement(row.reference, row.title, row.purpose or "", AgreementStatus(row.status), row.start_date,
                           row.review_date, tuple(name for name, _email in contacts.get(row.id, ())), row.end_date,
                           row.controller, *outline.get(row.id, ((), ())), contacts=tuple(contacts.get(row.id, ())))
        for row in rows
    ]


def _gateway_titles():
    """{code: (title, shipped title)} of the statutory gateways."""
    query = sa.select(LegalBasis.code, LegalBasis.title, LegalBasis.shipped_title).where(LegalBasis.kind == BasisKind.GATEWAY)
    return {code: (title, shipped) for code, title, shipped in db.session.execute(query)}


def _outline(agreement_ids):
    """{agreement id: (kinds of data, statutory gateways cited)}: the outline the public may see."""
    if not agreement_ids:
        return {}
    gateways = _gateway_titles()
    kinds, powers = {}, {}
    # The lists as their JSON text, each distinct text parsed once: registers repeat a few sets of
    # categories and bases, and parsing every flow's would be most of the open feed's time.
    query = (sa.select(DataFlow.agreement_id, sa.cast(DataFlow.categories, sa.Text), sa.cast(DataFlow.lawful_bases, sa.Text))
             .join(Agreement, Agreement.id == DataFlow.agreement_id).where(Agreement.status.in_(PUBLISHED))
             .order_by(DataFlow.id))
    if len(agreement_ids) <= 500:
        query = query.where(DataFlow.agreement_id.in_(agreement_ids))
    wanted, parsed = set(agreement_ids), {}
    for agreement_id, categories_text, codes_text in db.session.execute(query):
        if agreement_id not in wanted:
            continue
        categories = parsed.get(categories_text) or parsed.setdefault(categories_text, json.loads(categories_text or "[]"))
        codes = parsed.get(codes_text) or parsed.setdefault(codes_text, json.loads(codes_text or "[]"))
        kinds.setdefault(agreement_id, set()).update(categories or ())
        found = powers.setdefault(agreement_id, [])
        found += [code for code in codes or () if code in gateways and code not in found]
    order = [category.value for category in DataCategory]
    return {
        agreement_id: (tuple(DataCategory(c) for c in order if c in kinds.get(agreement_id, ())),
                       tuple((code, *gateways[code]) for code in powers.get(agreement_id, ())))
        for agreement_id in agreement_ids
    }


def _party_contacts(agreement_ids):
    if not agreement_ids:
        return {}
    query = (
        sa.select(Party.agreement_id, Organisation.name, Organisation.dpo_email)
        .join(Organisation, Organisation.id == Party.organisation_id)
        .join(Agreement, Agreement.id == Party.agreement_id)
        .where(Agreement.status.in_(PUBLISHED))
        .order_by(Party.id)
    )
    if len(agreement_ids) <= 500:  # a page; the whole register is read in one pass instead
        query = query.where(Party.agreement_id.in_(agreement_ids))
    wanted = set(agreement_ids)
    contacts = {}
    for agreement_id, name, dpo_email in db.session.execute(query):
        if agreement_id in wanted:
            contacts.setdefault(agreement_id, []).append((name, dpo_email))
    return contacts


_lead = Organisation.__table__.alias("lead")
_COLUMNS = (Agreement.id, Agreement.reference, Agreement.title, Agreement.purpose, Agreement.status,
            Agreement.start_date, Agreement.review_date, Agreement.end_date, _lead.c.name.label("controller"))


def _published():
    return (sa.select(*_COLUMNS).outerjoin(_lead, _lead.c.id == Agreement.lead_organisation_id)
            .where(Agreement.status.in_(PUBLISHED)))


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


def published_all():
    """Every published agreement, by reference: the open data feed."""
    return _summaries(db.session.execute(_published().order_by(Agreement.reference)))
