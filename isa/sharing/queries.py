"""Loading what the permitted-purpose rule needs, in a fixed number of statements.

Whatever the size of the register, a check reads the two organisations (one statement), the
agreements that have both as parties with all their flows (one statement, driven by the index on
parties.organisation_id and the unique (agreement, organisation) index), and the catalogue
entries those flows rely on (one statement). Then `rules.answer` decides.

The statements are built once and take their values as bound parameters: partner systems ask
many times a day, and building a statement costs more than running it.
"""
import json
from datetime import date
from functools import cache, lru_cache

import sqlalchemy as sa

from ..agreements.models import Agreement, Party
from ..channels.models import TransferChannel
from ..extensions import db
from ..flows.models import DataFlow
from ..legal.models import LegalBasis
from ..organisations.models import Organisation
from . import rules
from .models import CheckLog


@cache
def _organisations_statement():
    org = Organisation.__table__.c
    return sa.select(org.id, org.slug, org.name).where(org.slug.in_(sa.bindparam("slugs", expanding=True)))


@cache
def _candidates_statement():
    a, f, ch = Agreement.__table__.c, DataFlow.__table__.c, TransferChannel.__table__.c
    discloser, recipient = Party.__table__.alias("discloser"), Party.__table__.alias("recipient")
    return (
        sa.select(
            a.id, a.reference, a.title, _text(a.status), a.start_date, a.review_date, a.end_date,
            discloser.c.signed_on, recipient.c.signed_on,
            f.id, f.from_organisation_id, f.to_organisation_id, _text(f.categories), f["items"], _text(f.purposes),
            _text(f.lawful_bases), _text(f.frequency), _text(f.consent), ch.slug, ch.name,
        )
        .select_from(discloser)
        .join(Agreement.__table__, a.id == discloser.c.agreement_id)
        .join(recipient, sa.and_(recipient.c.agreement_id == a.id, recipient.c.organisation_id == sa.bindparam("recipient_id")))
        .outerjoin(DataFlow.__table__, f.agreement_id == a.id)
        .outerjoin(TransferChannel.__table__, ch.id == f.channel_id)
        .where(discloser.c.organisation_id == sa.bindparam("discloser_id"))
        .order_by(a.reference, f.id)
    )


@cache
def _catalogue_statement():
    basis = LegalBasis.__table__.c
    return sa.select(basis.code, basis.title, basis.summary).where(basis.code.in_(sa.bindparam("codes", expanding=True)))


def organisations_by_slug(slugs):
    """{slug: rules.Org} for the slugs that exist, in one statement."""
    slugs = [slug for slug in dict.fromkeys(slugs) if slug]
    rows = db.session.execute(_organisations_statement(), {"slugs": slugs})
    return {slug: rules.Org(id_, slug, name) for id_, slug, name in rows}


def load_candidates(discloser_id, recipient_id):
    """Every agreement with both organisations as parties, with all its flows: one statement."""
    candidates = {}
    rows = db.session.execute(_candidates_statement(), {"discloser_id": discloser_id, "recipient_id": recipient_id})
    for row in rows:
        candidate = candidates.get(row[0])
        if candidate is None:
            candidate = candidates[row[0]] = rules.Candidate(*row[:9])
        if row[9] is not None:
            candidate.flows.append(
                rules.CandidateFlow(
                    id=row[9], from_id=row[10], to_id=row[11], categories=_json_list(row[12]), items=row[13] or "",
                    purposes=_json_list(row[14]), lawful_bases=_json_list(row[15]), frequency=row[16], consent=row[17],
                    channel_slug=row[18], channel_name=row[19],
                )
            )
    return list(candidates.values())


def catalogue_entries(codes):
    """{code: Basis} for the codes the flows rely on, in one statement."""
    rows = db.session.execute(_catalogue_statement(), {"codes": sorted(set(codes))})
    return {code: rules.Basis(code, title, summary) for code, title, summary in rows}


def permitted(discloser, recipient, category, purpose=None, on=None):
    """May `discloser` share `category` with `recipient` for `purpose` on `on` (today by default)?

    `discloser` and `recipient` are organisations (anything with id, slug and name). The one
    entry point for the check page, the API and any other caller: two statements, then the rule.
    """
    question = rules.Question(
        discloser=rules.Org(discloser.id, discloser.slug, discloser.name),
        recipient=rules.Org(recipient.id, recipient.slug, recipient.name),
        category=rules.DataCategory(category),
        purpose=rules.normalise_purpose(purpose),
        on=on or date.today(),
    )
    candidates = load_candidates(question.discloser.id, question.recipient.id)
    codes = {code for candidate in candidates for flow in candidate.flows for code in flow.lawful_bases}
    return rules.answer(question, candidates, catalogue_entries(codes))


def _text(column):
    """The stored value, without the enum or JSON conversion of the column's type."""
    return sa.type_coerce(column, sa.String).label(column.name)


@lru_cache(maxsize=4096)
def _decoded(text):
    return tuple(json.loads(text) or ())


def _json_list(value):
    """A JSON list column's value as a tuple. Each distinct text is decoded once: flows repeat the same few."""
    if not isinstance(value, str):  # a driver that decodes JSON itself (psycopg)
        return tuple(value or ())
    return _decoded(value)


# --- the check log ------------------------------------------------------------------------------

OUTCOMES = {"": "Any answer", "permitted": "Permitted", "not_permitted": "Not covered by an agreement"}
VIA = {"": "Page or API", "web": "The check page", "api": "The API"}


def parse_log_filters(args):
    """Clean check-log filters from query-string values (unknown values are ignored)."""
    filters = {}
    outcome = args.get("outcome") or ""
    if outcome in OUTCOMES and outcome:
        filters["outcome"] = outcome
    via = args.get("via") or ""
    if via in VIA and via:
        filters["via"] = via
    organisation = (args.get("organisation") or "").strip()[:80]
    if organisation:
        filters["organisation"] = organisation
    return filters


def check_log_query(filters):
    query = sa.select(CheckLog).order_by(CheckLog.at.desc(), CheckLog.id.desc())
    if "outcome" in filters:
        query = query.where(CheckLog.permitted.is_(filters["outcome"] == "permitted"))
    if "via" in filters:
        query = query.where(CheckLog.via == filters["via"])
    if "organisation" in filters:
        slug = filters["organisation"]
        query = query.where(sa.or_(CheckLog.discloser_slug == slug, CheckLog.recipient_slug == slug))
    return query


def unanswered_questions(filters, limit=10):
    """The questions most often asked that no agreement covered: where the register has gaps."""
    asked = check_log_query({**filters, "outcome": "not_permitted"}).order_by(None).subquery()
    purpose = sa.func.lower(asked.c.purpose)
    query = (
        sa.select(
            asked.c.discloser_name, asked.c.recipient_name, asked.c.category, purpose.label("purpose"),
            sa.func.count().label("times"), sa.func.max(asked.c.at).label("last_asked"),
        )
        .group_by(asked.c.discloser_name, asked.c.recipient_name, asked.c.category, purpose)
        .order_by(sa.desc("times"), sa.desc("last_asked"))
        .limit(limit)
    )
    return db.session.execute(query).all()


def check_log_counts(filters):
    """(checks, of which permitted) for the filters."""
    asked = check_log_query(filters).order_by(None).subquery()
    total, permitted_count = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(asked.c.permitted.is_(True))).select_from(asked)
    ).one()
    return total, permitted_count or 0
