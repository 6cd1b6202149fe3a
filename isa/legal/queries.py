"""Reading the catalogue, and running the findings engine over one agreement, a page, or the register."""
import json
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..core import clock
from ..agreements.models import Agreement, AgreementStatus, DataLocation, Party
from ..audit.models import AuditEvent
from ..channels.models import TransferChannel
from ..core.perf import collector_paused
from ..dpia.models import Dpia, DpiaState  # the DPIA state is one more column of the sweep's agreements
from ..dpia.rules import state_of as dpia_state_of
from ..extensions import db
from ..flows.models import DataFlow
from ..organisations.models import Organisation
from ..organisations.types import OrganisationType
from .findings import ERROR, WARNING, Catalogue, findings_for, severity_counts
from .models import BasisKind, LegalBasis, Regime

# --- the catalogue ------------------------------------------------------------------------------


def catalogue_map():
    """Every catalogue entry by code, in one query: the `catalogue` the findings engine takes."""
    return {basis.code: basis for basis in db.session.scalars(sa.select(LegalBasis))}


def find_basis(code):
    return db.session.get(LegalBasis, code)


def reworded_behind_shipped():
    """Entries whose shipped wording changed since an administrator reworded them, by code."""
    query = sa.select(LegalBasis).where(LegalBasis.local.is_(False), LegalBasis.reworded_from_title.is_not(None))
    return [basis for basis in db.session.scalars(query.order_by(LegalBasis.code)) if basis.shipped_wording_changed]


def basis_events(code):
    """The audit trail of one catalogue entry."""
    return sa.select(AuditEvent).where(AuditEvent.entity_type == "LegalBasis", AuditEvent.entity_label == code)


def catalogue_groups(q="", when="", today=None):
    """[(BasisKind, [LegalBasis, ...]), ...] in the kinds' order, for the catalogue page.

    `q` matches code, title or summary (any case); `when` is "in_force" (in force today),
    "legacy" (no longer in force) or "" for all.
    """
    today = today or clock.today()
    needle = (q or "").strip().lower()
    entries = sorted(catalogue_map().values(), key=lambda b: _code_sort_key(b.code))
    groups = []
    for kind in BasisKind:
        matching = [
            basis
            for basis in entries
            if basis.kind == kind
            and (not needle or needle in basis.code.lower() or needle in basis.title.lower() or needle in (basis.summary or "").lower()
                 or needle in basis.title_in_language.lower() or needle in (basis.summary_in_language or "").lower())
            and (when != "in_force" or basis.in_force_on(today))
            and (when != "legacy" or (basis.in_force_to is not None and basis.in_force_to < today))
        ]
        if matching:
            groups.append((kind, matching))
    return groups


def predecessors_of(code, catalogue):
    """The (legacy) entries that name `code` among their successors."""
    return sorted((b for b in catalogue.values() if code in (b.successors or ())), key=lambda b: _code_sort_key(b.code))


def _code_sort_key(code):
    """DPA2018-SCH1-2 before DPA2018-SCH1-10: compare the numbers in a code as numbers."""
    parts = []
    for piece in code.split("-"):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append((0, int(digits), piece) if digits and piece.startswith(digits) else (1, 0, piece))
    return parts


# --- findings for agreements already loaded -----------------------------------------------------


def findings_by_agreement(agreements, today, catalogue=None):
    """{agreement.id: [Finding, ...]} for a page of agreements (parties and flows load in batches)."""
    from ..dpia.queries import with_dpia_states

    catalogue = Catalogue(catalogue_map() if catalogue is None else catalogue)
    return {agreement.id: findings_for(agreement, catalogue, today) for agreement in with_dpia_states(list(agreements))}


def agreement_findings(agreement, today):
    from ..dpia.queries import with_dpia_states

    with_dpia_states([agreement])
    return findings_for(agreement, catalogue_map(), today)


# --- the whole register -------------------------------------------------------------------------
# Plain read-only rows rather than ORM objects: the sweep reads the whole register in a fixed
# number of queries (five plus the catalogue) and builds no identity map, so 20,000 agreements
# and 100,000 flows take seconds, not minutes.


@dataclass(slots=True)
class _Org:
    id: int
    name: str
    type: OrganisationType
    law_enforcement_functions: bool = False


@dataclass(slots=True)
class _Channel:
    id: int
    name: str
    special_category_approved: bool


@dataclass(slots=True)
class _Party:
    organisation: _Org
    signed_on: date | None


@dataclass(slots=True)
class _Flow:
    id: int
    from_organisation: _Org
    to_organisation: _Org | None
    categories: list
    lawful_bases: list
    channel: _Channel | None
    consent: str | None = None


@dataclass(slots=True)
class RegisterAgreement:
    """An agreement as the register-wide sweep sees it: enough for the findings and a list."""

    id: int
    reference: str
    title: str
    status: AgreementStatus
    start_date: date
    review_date: date
    end_date: date | None
    data_location: DataLocation
    dpia_reference: str | None = None
    dpia_state: DpiaState | None = None
    parties: list = field(default_factory=list)
    flows: list = field(default_factory=list)


@dataclass(slots=True)
class AttentionItem:
    agreement: RegisterAgreement
    findings: list
    errors: int
    warnings: int

    @property
    def rules(self):
        """The rules raised, each once, most severe first."""
        return list(dict.fromkeys(f.rule for f in self.findings if f.severity in (ERROR, WARNING)))


def load_register():
    """Every agreement with its parties, flows and DPIA state, in five queries.

    Core queries on the tables, with enums and JSON decoded here: each distinct JSON text is decoded
    once, as a register repeats the same categories and lawful bases over and over.
    """
    connection = db.session.connection()
    organisations, channels = Organisation.__table__.c, TransferChannel.__table__.c
    agreements_t, parties, flows = Agreement.__table__.c, Party.__table__.c, DataFlow.__table__.c
    org_types = {t.value: t for t in OrganisationType}
    org_rows = connection.execute(
        sa.select(organisations.id, organisations.name, _text(organisations.type), organisations.law_enforcement_functions)
    )
    orgs = {id_: _Org(id_, name, org_types[kind], bool(flag)) for id_, name, kind, flag in org_rows}
    channel_rows = connection.execute(sa.select(channels.id, channels.name, channels.special_category_approved))
    by_channel = {id_: _Channel(id_, name, bool(approved)) for id_, name, approved in channel_rows}

    dpias = Dpia.__table__.c
    query = sa.select(
        agreements_t.id, agreements_t.reference, agreements_t.title, _text(agreements_t.status), agreements_t.start_date,
        agreements_t.review_date, agreements_t.end_date, _text(agreements_t.data_location), agreements_t.dpia_reference,
        dpias.id, dpias.required, dpias.signed_off_on,
    ).select_from(Agreement.__table__.outerjoin(Dpia.__table__, dpias.agreement_id == agreements_t.id)).order_by(agreements_t.reference)
    register = {
        row[0]: RegisterAgreement(
            *row[:3], AgreementStatus(row[3]), *row[4:7], DataLocation(row[7]), row[8],
            dpia_state_of(row[10], row[11], screened=row[9] is not None),
        )
        for row in connection.execute(query).all()
    }

    party_query = sa.select(parties.agreement_id, parties.organisation_id, parties.signed_on).order_by(parties.id)
    flow_query = sa.select(
        flows.agreement_id, flows.id, flows.from_organisation_id, flows.to_organisation_id,
        _text(flows.categories), _text(flows.lawful_bases), flows.channel_id, _text(flows.consent),
    ).order_by(flows.id)

    for agreement_id, organisation_id, signed_on in connection.execute(party_query).all():
        agreement = register.get(agreement_id)
        if agreement is not None:
            agreement.parties.append(_Party(orgs.get(organisation_id), signed_on))
    decode = _JsonMemo()
    for agreement_id, flow_id, from_id, to_id, categories, bases, channel_id, consent in connection.execute(flow_query).all():
        agreement = register.get(agreement_id)
        if agreement is not None:
            agreement.flows.append(
                _Flow(flow_id, orgs.get(from_id), orgs.get(to_id) if to_id is not None else None,
                      decode(categories), decode(bases), by_channel.get(channel_id) if channel_id is not None else None, consent)
            )
    return list(register.values())


def _text(column):
    """The column's stored value, without the enum or JSON conversion of its type."""
    return sa.type_coerce(column, sa.String).label(column.name)


class _JsonMemo(dict):
    def __call__(self, value):
        if not isinstance(value, str):  # a driver that decodes JSON itself (psycopg)
            return value or []
        decoded = self.get(value)
        if decoded is None:
            decoded = self[value] = json.loads(value) or []
        return decoded


def catalogue_snapshot(catalogue):
    """Plain read-only copies of catalogue entries: the sweep reads each many thousand times."""
    return {code: _Basis(*(getattr(basis, name) for name in _Basis.__slots__)) for code, basis in catalogue.items()}


@dataclass(slots=True, frozen=True)
class _Basis:
    code: str
    kind: BasisKind
    regime: Regime
    title: str
    shipped_title: str | None
    successors: list
    needs_apd: bool | None
    sch1_part: int | None
    needs_sch1_part: int | None
    in_force_from: date | None
    in_force_to: date | None


def needs_attention(today):
    """Every agreement with errors or warnings, with its findings and counts: most errors first."""
    catalogue = Catalogue(catalogue_snapshot(catalogue_map()))
    items = []
    with collector_paused():  # about a million small acyclic objects
        for agreement in load_register():
            findings = findings_for(agreement, catalogue, today)
            counts = severity_counts(findings)
            if counts[ERROR] or counts[WARNING]:
                items.append(AttentionItem(agreement, findings, counts[ERROR], counts[WARNING]))
    items.sort(key=lambda item: (-item.errors, -item.warnings, item.agreement.reference))
    return items




# --- agreements still relying on DPA 1998 bases ---------------------------------------------------


def _legacy_flows_query():
    """Flows citing a DPA 1998 code, of agreements covering processing on or after 25 May 2018."""
    from .law import GDPR_START

    agreements_t, flows = Agreement.__table__.c, DataFlow.__table__.c
    cited = sa.cast(flows.lawful_bases, sa.Text).like('%"DPA1998-%')
    return (
        sa.select(agreements_t.id, sa.func.count(flows.id).label("flows"))
        .join(DataFlow.__table__, flows.agreement_id == agreements_t.id)
        .where(cited, sa.or_(agreements_t.end_date.is_(None), agreements_t.end_date >= GDPR_START))
        .where(sa.or_(
            _text(agreements_t.status).not_in(["expired", "terminated", "superseded"]),
            agreements_t.review_date >= GDPR_START,
        ))
        .group_by(agreements_t.id)
    )


def legacy_agreement_count():
    """How many agreements still rely on DPA 1998 bases for processing after 24 May 2018 (the dashboard)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(_legacy_flows_query().subquery())) or 0


def legacy_agreements():
    """[(Agreement, flows citing DPA 1998)] still relying on the 1998 Act, in reference order."""
    counted = _legacy_flows_query().subquery()
    rows = db.session.execute(
        sa.select(Agreement, counted.c.flows).join(counted, counted.c.id == Agreement.id).order_by(Agreement.reference)
    )
    return [(agreement, flows) for agreement, flows in rows]
