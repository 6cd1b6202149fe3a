"""Reading sharing decisions: who may see which, the governance filters, counts per month, CSV rows."""
import json
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.filters import date_range, ordering, sort_order
from ..extensions import db
from ..legal.models import LegalBasis
from ..organisations.models import Organisation
from .flowchart import Outcome
from .models import SharingDecision

FILTER_NAMES = ("organisation", "outcome", "basis", "from", "to", "q", "sort")
# The list's sortable columns (?sort=case_reference, ?sort=-case_reference for the other way).
SORTS = {
    "decided_on": SharingDecision.decided_on,
    "case_reference": SharingDecision.case_reference,
    "purpose": SharingDecision.purpose,
    "outcome": SharingDecision.outcome,
}
DEFAULT_SORT = "-decided_on"


def visible_to(query, user):
    """Officers see every decision; a partner sees its organisation's, as discloser or recipient."""
    if user.is_officer:
        return query
    return query.where(
        sa.or_(SharingDecision.discloser_id == user.organisation_id, SharingDecision.recipient_id == user.organisation_id)
    )


def can_see(user, decision):
    return user.is_officer or user.organisation_id in (decision.discloser_id, decision.recipient_id)


def parse_filters(args):
    """Clean filters from query-string values: (filters, problems by field)."""
    filters, problems = {}, {}
    slug = (args.get("organisation") or "").strip()
    if slug:
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
        if organisation is None:
            problems["organisation"] = _("Choose an organisation from the list")
        else:
            filters["organisation"] = organisation
    outcome = (args.get("outcome") or "").strip()
    if outcome:
        if outcome in {o.value for o in Outcome}:
            filters["outcome"] = Outcome(outcome)
        else:
            problems["outcome"] = _("Choose an outcome from the list")
    code = (args.get("basis") or "").strip()
    if code:
        if db.session.get(LegalBasis, code) is None:
            problems["basis"] = _("Choose a lawful basis from the list")
        else:
            filters["basis"] = code
    date_range(args, filters, problems, labels=(_("Decided from"), _("Decided to")))
    sort = sort_order(args, SORTS, DEFAULT_SORT)
    if sort != DEFAULT_SORT:
        filters["sort"] = sort
    q = (args.get("q") or "").strip()[:40]
    if q:
        filters["q"] = q
    return filters, problems


def _filtered(query, filters):
    if "organisation" in filters:
        org_id = filters["organisation"].id
        query = query.where(sa.or_(SharingDecision.discloser_id == org_id, SharingDecision.recipient_id == org_id))
    if "outcome" in filters:
        query = query.where(SharingDecision.outcome == filters["outcome"])
    if "basis" in filters:
        # The codes are stored as a JSON list of [A-Z0-9-] strings: matching the quoted code works on
        # SQLite and PostgreSQL alike.
        text = sa.cast(SharingDecision.lawful_bases, sa.Text)
        query = query.where(text.like(f'%{json.dumps(filters["basis"])}%'))
    if "from" in filters:
        query = query.where(SharingDecision.decided_on >= filters["from"])
    if "to" in filters:
        query = query.where(SharingDecision.decided_on <= filters["to"])
    if "q" in filters:
        like = "%" + filters["q"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.func.lower(SharingDecision.case_reference).like(like, escape="\\"))
    return query


def decisions_query(filters, user):
    order = ordering(filters.get("sort", DEFAULT_SORT), SORTS, SharingDecision.id.desc())
    query = sa.select(SharingDecision).order_by(*order)
    return visible_to(_filtered(query, filters), user)


@dataclass
class MonthCount:
    year: int
    month: int
    share: int = 0
    do_not_share: int = 0

    @property
    def total(self):
        return self.share + self.do_not_share

    @property
    def first_day(self):
        return date(self.year, self.month, 1)


def counts_per_month(filters, user):
    """[MonthCount] for every month that has decisions, newest first."""
    year = sa.extract("year", SharingDecision.decided_on)
    month = sa.extract("month", SharingDecision.decided_on)
    query = sa.select(year.label("y"), month.label("m"), SharingDecision.outcome, sa.func.count()).group_by(
        year, month, SharingDecision.outcome
    )
    query = visible_to(_filtered(query, filters), user)
    months = {}
    for y, m, outcome, n in db.session.execute(query):
        entry = months.setdefault((int(y), int(m)), MonthCount(int(y), int(m)))
        setattr(entry, Outcome(outcome).value, n)
    return [months[key] for key in sorted(months, reverse=True)]


CSV_HEADER = (
    "id", "decided_on", "discloser", "discloser_name", "recipient", "recipient_name", "case_reference", "purpose",
    "category", "suggested_outcome", "outcome", "override_reason", "reasons", "lawful_bases", "shared", "channel",
    "agreement", "answers", "recorded_by", "recorded_via", "recorded_at",
)


def csv_rows(filters, user, batch=500):
    """One row per decision for the CSV export, read in batches so any number streams."""
    query = decisions_query(filters, user).execution_options(yield_per=batch)
    for decision in db.session.scalars(query):
        yield (
            decision.id, decision.decided_on.isoformat(), decision.discloser.slug, decision.discloser.name,
            decision.recipient.slug, decision.recipient.name, decision.case_reference, decision.purpose,
            decision.category.value, decision.suggested_outcome.value, decision.outcome.value,
            decision.override_reason or "", decision.reasons, " ".join(decision.lawful_bases or []),
            decision.shared or "", decision.channel.slug if decision.channel else "",
            decision.agreement.reference if decision.agreement else "",
            json.dumps(decision.answers or {}, sort_keys=True), decision.recorded_by.email, decision.recorded_via,
            decision.created_at.isoformat(timespec="seconds"),
        )
