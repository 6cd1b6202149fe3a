"""Loading what the permitted-purpose rule needs, in a fixed number of statements.

Whatever the size of the register, a check reads the two organisations (one statement), the
agreements that have both as parties with all their flows (one statement, driven by the index on
parties.organisation_id and the unique (agreement, organisation) index), every party of those
agreements (one statement), the version every party signed for those whose amendment awaits
signatures (one statement, only when there is one), and the catalogue entries the flows rely on
(one statement). The findings engine then judges each flow by the law of the day asked about,
and `rules.answer` decides.

The statements are built once and take their values as bound parameters: partner systems ask
many times a day, and building a statement costs more than running it.
"""
import json
from datetime import date
from functools import cache, lru_cache

import sqlalchemy as sa
from ..core.i18n import lazy_gettext as _l

from types import SimpleNamespace

from ..core import clock
from ..agreements.models import Agreement, AgreementStatus, AgreementVersion, Party
from ..channels.models import TransferChannel
from ..core.filters import ordering, sort_order
from ..extensions import db
from ..flows.models import DataFlow
from ..legal.findings import Catalogue, flow_errors
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
            _text(f.lawful_bases), _text(f.frequency), _text(f.consent), ch.slug, ch.name, ch.special_category_approved,
            _text(a.resume_status), a.protocol_version, _text(a.data_location),
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
def _parties_statement():
    p, org = Party.__table__.c, Organisation.__table__.c
    return (
        sa.select(p.agreement_id, org.id, org.slug, org.name, _text(org.type), org.law_enforcement_functions, p.signed_on)
        .join(Organisation.__table__, org.id == p.organisation_id)
        .where(p.agreement_id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(p.id)
    )


@cache
def _signed_versions_statement():
    v = AgreementVersion.__table__.c
    return (
        sa.select(v.agreement_id, v.protocol_version, _text(v.status), _text(v.record))
        .where(v.agreement_id.in_(sa.bindparam("ids", expanding=True)), v.fully_signed.is_(True))
        .order_by(v.agreement_id, v.protocol_version.desc())
    )


_CATALOGUE_COLUMNS = (
    "code", "title", "summary", "regime", "kind", "in_force_from", "in_force_to", "successors", "needs_apd", "sch1_part",
    "needs_sch1_part",
)


@cache
def _catalogue_statement():
    basis = LegalBasis.__table__.c
    return sa.select(*(basis[name] for name in _CATALOGUE_COLUMNS)).where(basis.code.in_(sa.bindparam("codes", expanding=True)))


def organisations_by_slug(slugs):
    """{slug: rules.Org} for the slugs that exist, in one statement."""
    slugs = [slug for slug in dict.fromkeys(slugs) if slug]
    rows = db.session.execute(_organisations_statement(), {"slugs": slugs})
    return {slug: rules.Org(id_, slug, name) for id_, slug, name in rows}


def load_candidates(discloser_id, recipient_id):
    """Every agreement with both organisations as parties, with its flows and parties as the answer
    reads them: the live agreement, or the version every party signed while an amendment awaits
    signatures. One statement, three when an amendment is pending (its parties and signed version)."""
    candidates, pending = {}, {}
    rows = db.session.execute(_candidates_statement(), {"discloser_id": discloser_id, "recipient_id": recipient_id})
    for row in rows:
        candidate = candidates.get(row[0])
        if candidate is None:
            candidate = candidates[row[0]] = rules.Candidate(*row[:9], version=row[22], data_location=row[23])
            if row[21] is not None:  # resume_status: an amendment of an agreement in force awaits signatures
                pending[row[0]] = candidate
        if row[9] is not None:
            candidate.flows.append(
                rules.CandidateFlow(
                    id=row[9], from_id=row[10], to_id=row[11], categories=_json_list(row[12]), items=row[13] or "",
                    purposes=_json_list(row[14]), lawful_bases=_json_list(row[15]), frequency=row[16], consent=row[17],
                    channel_slug=row[18], channel_name=row[19],
                    channel=SimpleNamespace(name=row[19], special_category_approved=bool(row[20])) if row[18] else None,
                )
            )
    if not candidates:
        return []
    if pending:  # rare: the signed version's parties are read now; the others' only when a flow is judged
        organisations = attach_parties(list(candidates.values()))
        _answer_from_signed_versions(pending, organisations)
        _link_flows(candidates.values(), organisations)
    return list(candidates.values())


def attach_parties(candidates):
    """Every party of the candidates that have none loaded, with its organisation (one statement):
    what the findings engine reads when it judges a flow. Returns {organisation id: organisation}."""
    wanting = {candidate.id: candidate for candidate in candidates if not candidate.parties}
    organisations = {}
    if not wanting:
        return organisations
    for agreement_id, org_id, slug, name, org_type, law_enforcement, signed_on in db.session.execute(
        _parties_statement(), {"ids": list(wanting)}
    ):
        organisation = organisations.setdefault(org_id, SimpleNamespace(
            id=org_id, slug=slug, name=name, type=org_type, law_enforcement_functions=bool(law_enforcement)))
        wanting[agreement_id].parties.append(SimpleNamespace(organisation=organisation, signed_on=signed_on))
    _link_flows(wanting.values(), organisations)
    return organisations


def _link_flows(candidates, organisations):
    for candidate in candidates:
        for flow in candidate.flows:
            if flow.from_organisation is None:
                flow.from_organisation = organisations.get(flow.from_id)
            if flow.to_organisation is None and flow.to_id is not None:
                flow.to_organisation = organisations.get(flow.to_id)


def _answer_from_signed_versions(pending, organisations):
    """An amendment awaiting signatures leaves the version every party signed in force: answer from it."""
    seen = set()
    rows = db.session.execute(_signed_versions_statement(), {"ids": list(pending)})
    for agreement_id, version, status, record_text in rows:
        candidate = pending[agreement_id]
        if agreement_id in seen or version >= candidate.version:
            continue
        seen.add(agreement_id)
        record = json.loads(record_text) if isinstance(record_text, str) else record_text
        signed = {p["organisation_id"]: date.fromisoformat(p["signed_on"]) if p["signed_on"] else None for p in record["parties"]}
        candidate.awaiting_version, candidate.version, candidate.status = candidate.version, version, status
        candidate.parties = [
            SimpleNamespace(organisation=organisations.get(p["organisation_id"]) or SimpleNamespace(
                id=p["organisation_id"], slug=p["organisation"], name=p["organisation"], type="other_public_body",
                law_enforcement_functions=False), signed_on=signed[p["organisation_id"]])
            for p in record["parties"]
        ]
        candidate.flows = [
            rules.CandidateFlow(
                id=f["id"], from_id=f["from_id"], to_id=f["to_id"], categories=tuple(f["categories"]), items=f["items"],
                purposes=tuple(f["purposes"]), lawful_bases=tuple(f["lawful_bases"]), frequency=f["frequency"],
                consent=f["consent"], channel_slug=f["channel"], channel_name=f["channel_name"],
                channel=SimpleNamespace(name=f["channel_name"], special_category_approved=f["channel_approved"]) if f["channel"] else None,
            )
            for f in record["flows"]
        ]
        candidate.signed_by_organisation = signed


def catalogue_entries(codes):
    """{code: entry} for the codes the flows rely on, in one statement: what the findings engine reads."""
    rows = db.session.execute(_catalogue_statement(), {"codes": sorted(set(codes))})
    return {row.code: SimpleNamespace(**row._mapping) for row in rows}


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
        on=on or clock.today(),
    )
    candidates = load_candidates(question.discloser.id, question.recipient.id)
    codes = {code for candidate in candidates for flow in candidate.flows for code in flow.lawful_bases}
    catalogue = Catalogue(catalogue_entries(codes))
    for candidate in candidates:
        signed = candidate.signed_by_organisation
        if signed is not None:  # answering from a signed version: its signatures, not the live ones
            candidate.discloser_signed_on = signed.get(question.discloser.id)
            candidate.recipient_signed_on = signed.get(question.recipient.id)

    def judge(candidate, flows):
        attach_parties(candidates)  # once: the parties are read only when some flow would serve
        return flow_errors(candidate, catalogue, question.on, flows)

    return rules.answer(question, candidates, catalogue, judge=judge)


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


def known_purposes(limit=500):
    """The partnership's vocabulary of purposes: each purpose the agreements in force list, once, A to Z."""
    in_force = [status for status in AgreementStatus if status.in_force]
    # As text: PostgreSQL cannot compare json values, so DISTINCT needs the text of each list.
    query = (sa.select(sa.cast(DataFlow.purposes, sa.Text)).join(Agreement, Agreement.id == DataFlow.agreement_id)
             .where(Agreement.status.in_(in_force)).distinct())
    purposes = {}
    for (value,) in db.session.execute(query):
        for purpose in _json_list(value):
            purposes.setdefault(" ".join(str(purpose).split()).casefold(), " ".join(str(purpose).split()))
    return sorted(purposes.values(), key=str.casefold)[:limit]


# --- the check log ------------------------------------------------------------------------------

OUTCOMES = {"": _l("Any answer"), "permitted": _l("Permitted"), "not_permitted": _l("Not covered by an agreement")}
VIA = {"": _l("Page or API"), "web": _l("The check page"), "api": _l("The API")}


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
    sort = sort_order(args, LOG_SORTS, LOG_DEFAULT_SORT)
    if sort != LOG_DEFAULT_SORT:
        filters["sort"] = sort
    return filters


# The log's sortable columns (?sort=asked_by, ?sort=-asked_by for the other way); newest first by default.
LOG_SORTS = {"at": CheckLog.at, "asked_by": CheckLog.asked_by, "answer": CheckLog.permitted}
LOG_DEFAULT_SORT = "-at"


def check_log_query(filters):
    query = sa.select(CheckLog).order_by(*ordering(filters.get("sort", LOG_DEFAULT_SORT), LOG_SORTS, CheckLog.id.desc()))
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
