"""Reading the register into a records.rules.Snapshot: a few column queries, whatever its size."""
import sqlalchemy as sa

from ..agreements.models import Agreement, AgreementStatus, DataLocation, Party
from ..channels.models import TransferChannel
from ..core.perf import collector_paused
from ..extensions import db
from ..flows.models import ConsentApproach, DataFlow, Frequency
from ..legal.models import BasisKind, LegalBasis
from ..organisations.models import Organisation
from . import rules

CHUNK = 500  # agreement ids per "IN (...)" when reading one organisation's agreements


def _organisations(ids=None):
    o = Organisation.__table__.c
    query = sa.select(o.id, o.slug, o.name, o.type, o.ico_registration, o.dpo_name, o.dpo_email, o.address).order_by(o.name, o.id)
    if ids is not None:
        query = query.where(o.id.in_(list(ids)))
    from ..organisations.types import OrganisationType

    return {
        row.id: rules.Org(row.id, row.slug, row.name, OrganisationType(row.type).label, row.ico_registration, row.dpo_name,
                          row.dpo_email, row.address)
        for row in db.session.execute(query)
    }


def _party_agreement_ids(organisation_id):
    return list(db.session.scalars(sa.select(Party.agreement_id).where(Party.organisation_id == organisation_id)))


def _chunks(ids):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def snapshot(organisation_id=None):
    """The register (or the agreements one organisation is party to) as plain values."""
    with collector_paused():  # a whole register makes hundreds of thousands of small acyclic records
        return _snapshot(organisation_id)


def _snapshot(organisation_id):
    a, p, f = Agreement.__table__.c, Party.__table__.c, DataFlow.__table__.c
    agreement_query = sa.select(
        a.id, a.reference, a.title, a.status, a.start_date, a.review_date, a.end_date, a.retention, a.security,
        a.data_location, a.resume_status,
    )
    party_query = sa.select(p.agreement_id, p.organisation_id, p.signed_on).order_by(p.agreement_id, p.id)
    flow_query = (
        sa.select(
            f.id, f.agreement_id, f.from_organisation_id, f.to_organisation_id, f.categories, f["items"], f.purposes,
            f.lawful_bases, TransferChannel.name, TransferChannel.special_category_approved, f.frequency, f.consent,
            f.data_subject_categories, f.data_subjects, f.retention, f.source_system, f.asset_owner,
        )
        .outerjoin(TransferChannel, TransferChannel.id == f.channel_id)
        .order_by(f.id)
    )
    if organisation_id is None:
        selections = [(agreement_query, party_query, flow_query)]
    else:
        selections = [
            (agreement_query.where(a.id.in_(chunk)), party_query.where(p.agreement_id.in_(chunk)),
             flow_query.where(f.agreement_id.in_(chunk)))
            for chunk in _chunks(_party_agreement_ids(organisation_id))
        ]
    parties, agreement_rows, flows = {}, [], []
    for agreements_q, parties_q, flows_q in selections:
        agreement_rows += db.session.execute(agreements_q).all()
        for agreement_id, org_id, signed_on in db.session.execute(parties_q):
            parties.setdefault(agreement_id, []).append((org_id, signed_on))
        flows += [
            rules.Flow(row[0], row[1], row[2], row[3], tuple(row[4] or ()), row[5] or "", tuple(row[6] or ()),
                       tuple(row[7] or ()), row[8], bool(row[9]), Frequency(row[10]), ConsentApproach(row[11]),
                       tuple(row[12] or ()), row[13], row[14], row[15], row[16])
            for row in db.session.execute(flows_q)
        ]
    agreements = {
        row.id: rules.Agreement(
            row.id, row.reference, row.title, AgreementStatus(row.status), row.start_date, row.review_date, row.end_date,
            row.retention, row.security, DataLocation(row.data_location),
            AgreementStatus(row.resume_status) if row.resume_status else None, tuple(parties.get(row.id, ())),
        )
        for row in agreement_rows
    }
    flows.sort(key=lambda flow: (agreements[flow.agreement_id].reference, flow.id))
    org_ids = None
    if organisation_id is not None:
        org_ids = {organisation_id} | {org for agreement in agreements.values() for org, _ in agreement.parties}
    bases = {code: (BasisKind(kind), title) for code, kind, title in
             db.session.execute(sa.select(LegalBasis.code, LegalBasis.kind, LegalBasis.title))}
    return rules.Snapshot(_organisations(org_ids), agreements, flows, bases)
