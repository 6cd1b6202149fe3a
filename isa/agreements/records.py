"""The register's records in the SPEC §7 import/export form, read from the database.

One reader for every copy of an agreement: the export file, the record embedded in the protocol
PDF, and what the importer compares a file with. Keyed by slug (organisations, channels) and
reference (agreements), sorted so that the same register gives the same file.
"""
import enum
import json
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..channels.models import TransferChannel
from ..extensions import db
from ..flows.models import DataFlow
from ..organisations.models import Organisation
from ..users.models import User
from .models import Agreement, Party

EVERY_PARTY = "*"  # a flow's "to" for every other party (DataFlow.to_organisation_id None)
ORGANISATION_FIELDS = (
    "slug", "name", "type", "ico_registration", "dpo_name", "dpo_email", "spoc_name", "spoc_email", "address",
    "law_enforcement_functions",
)
CHANNEL_FIELDS = ("slug", "name", "special_category_approved", "description")
AGREEMENT_FIELDS = (
    "reference", "title", "purpose", "scope", "lead_organisation", "owner_email", "status", "start_date", "review_date",
    "end_date", "review_interval_months", "data_subjects", "retention", "security", "data_location", "dpia_reference",
    "supersedes", "parties", "flows",
)
PARTY_FIELDS = ("organisation", "role", "signatory", "signed_on")
FLOW_FIELDS = (
    "from", "to", "categories", "items", "purposes", "lawful_bases", "channel", "frequency", "consent",
    "data_subject_categories", "data_subjects", "retention", "source_system", "asset_owner",
)


def plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def signatory_line(name, title):
    """Name and title as the file's single "signatory" (the same rule as Party.signatory)."""
    return ", ".join(part for part in (name, title) if part) or None


def split_signatory(line):
    """ "Jane Doe, Director" -> ("Jane Doe", "Director"); no comma means a name only."""
    if not line:
        return None, None
    name, _, title = line.partition(", ")
    return name.strip() or None, title.strip() or None


def _organisation_records(slugs=None):
    """{slug: record} in the file's form, and {slug: id}; only `slugs` when given."""
    table = Organisation.__table__
    query = sa.select(table) if slugs is None else sa.select(table).where(table.c.slug.in_(slugs))
    records, ids = {}, {}
    for row in db.session.execute(query).mappings():
        ids[row["slug"]] = row["id"]
        records[row["slug"]] = {key: plain(row[key]) for key in ORGANISATION_FIELDS}
    return records, ids


def _channel_records(slugs=None):
    table = TransferChannel.__table__
    query = sa.select(table) if slugs is None else sa.select(table).where(table.c.slug.in_(slugs))
    records, ids = {}, {}
    for row in db.session.execute(query).mappings():
        ids[row["slug"]] = row["id"]
        records[row["slug"]] = {key: row[key] for key in CHANNEL_FIELDS}
    return records, ids


def _agreement_records(agreement_id=None):
    """{reference: record} in the file's form, and {reference: id}; only one agreement when given."""
    lead, superseded = aliased(Organisation), aliased(Agreement)
    a = Agreement.__table__.c
    query = (
        sa.select(
            a.id, a.reference, a.title, a.purpose, a.scope, lead.slug, User.email, a.status, a.start_date, a.review_date,
            a.end_date, a.review_interval_months, a.data_subjects, a.retention, a.security, a.data_location,
            a.dpia_reference, superseded.reference,
        )
        .select_from(Agreement.__table__)
        .outerjoin(lead, a.lead_organisation_id == lead.id)
        .outerjoin(User, a.owner_id == User.id)
        .outerjoin(superseded, a.supersedes_id == superseded.id)
    )
    if agreement_id is not None:
        query = query.where(a.id == agreement_id)
    agreements, agreement_ids, by_id = {}, {}, {}
    for row in db.session.execute(query):
        record = dict(zip(AGREEMENT_FIELDS[:17], (plain(v) for v in row[1:])))
        record["parties"], record["flows"] = [], []
        agreements[row[1]] = by_id[row[0]] = record
        agreement_ids[row[1]] = row[0]

    p = Party.__table__.c
    query = (
        sa.select(p.agreement_id, Organisation.slug, p.role, p.signatory_name, p.signatory_title, p.signed_on)
        .join(Organisation, p.organisation_id == Organisation.id)
        .order_by(p.id)
    )
    if agreement_id is not None:
        query = query.where(p.agreement_id == agreement_id)
    for row in db.session.execute(query):
        by_id[row[0]]["parties"].append(
            {"organisation": row[1], "role": plain(row[2]), "signatory": signatory_line(row[3], row[4]), "signed_on": plain(row[5])}
        )

    f = DataFlow.__table__.c
    source, recipient = aliased(Organisation), aliased(Organisation)
    query = (
        sa.select(
            f.agreement_id, source.slug, recipient.slug, f.categories, f["items"], f.purposes, f.lawful_bases,
            TransferChannel.slug, f.frequency, f.consent, f.data_subject_categories, f.data_subjects, f.retention,
            f.source_system, f.asset_owner,
        )
        .join(source, f.from_organisation_id == source.id)
        .outerjoin(recipient, f.to_organisation_id == recipient.id)
        .outerjoin(TransferChannel, f.channel_id == TransferChannel.id)
        .order_by(f.id)
    )
    if agreement_id is not None:
        query = query.where(f.agreement_id == agreement_id)
    for row in db.session.execute(query):
        values = [row[1], row[2] or EVERY_PARTY, list(row[3] or []), row[4] or "", list(row[5] or []), list(row[6] or []),
                  row[7], plain(row[8]), plain(row[9]), list(row[10] or []), row[11], row[12], row[13], row[14]]
        by_id[row[0]]["flows"].append(dict(zip(FLOW_FIELDS, values)))
    return agreements, agreement_ids


def read_register():
    """The stored register in the file's form, plus the database ids behind its keys."""
    organisations, org_ids = _organisation_records()
    channels, channel_ids = _channel_records()
    agreements, agreement_ids = _agreement_records()
    return organisations, org_ids, channels, channel_ids, agreements, agreement_ids


def export_register(party=None):
    """The whole register in the import format, sorted so that the same register gives the same file.

    With `party` (an organisation's slug), only the agreements it is party to, and the organisations
    and channels they refer to.
    """
    organisations, _, channels, _, agreements, _ = read_register()
    if party is not None:
        agreements = {reference: record for reference, record in agreements.items()
                      if any(p["organisation"] == party for p in record["parties"])}
        used_orgs, used_channels = {party}, set()
        for record in agreements.values():
            used_orgs |= {p["organisation"] for p in record["parties"]} | {record["lead_organisation"]}
            used_orgs |= {f["from"] for f in record["flows"]} | {f["to"] for f in record["flows"]}
            used_channels |= {f["channel"] for f in record["flows"]}
        organisations = {slug: record for slug, record in organisations.items() if slug in used_orgs}
        channels = {slug: record for slug, record in channels.items() if slug in used_channels}
    return {
        "organisations": [organisations[slug] for slug in sorted(organisations)],
        "channels": [channels[slug] for slug in sorted(channels)],
        "agreements": [agreements[reference] for reference in sorted(agreements)],
    }


def export_agreement(agreement_id):
    """One agreement as a file of its own: its record exactly as `export_register` writes it, with the
    organisations and channels the record names (as `export_register` writes them): the protocol PDF embeds it."""
    agreements, _ = _agreement_records(agreement_id)
    named = set()
    for record in agreements.values():
        named.add(record["lead_organisation"])
        named.update(party["organisation"] for party in record["parties"])
        named.update(slug for flow in record["flows"] for slug in (flow["from"], flow["to"]))
    organisations, _ = _organisation_records(sorted(slug for slug in named if slug and slug != EVERY_PARTY))
    channels, _ = _channel_records(sorted({flow["channel"] for r in agreements.values() for flow in r["flows"] if flow["channel"]}))
    return {
        "organisations": [organisations[slug] for slug in sorted(organisations)],
        "channels": [channels[slug] for slug in sorted(channels)],
        "agreements": [agreements[reference] for reference in sorted(agreements)],
    }


def to_json(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def agreement_record(agreement):
    """One stored agreement (a model instance) in the file's form: what the API answers."""
    return {
        "reference": agreement.reference,
        "title": agreement.title,
        "purpose": agreement.purpose,
        "scope": agreement.scope,
        "lead_organisation": agreement.lead_organisation.slug if agreement.lead_organisation else None,
        "owner_email": agreement.owner.email if agreement.owner else None,
        "status": plain(agreement.status),
        "start_date": plain(agreement.start_date),
        "review_date": plain(agreement.review_date),
        "end_date": plain(agreement.end_date),
        "review_interval_months": agreement.review_interval_months,
        "data_subjects": agreement.data_subjects,
        "retention": agreement.retention,
        "security": agreement.security,
        "data_location": plain(agreement.data_location),
        "dpia_reference": agreement.dpia_reference,
        "supersedes": agreement.supersedes.reference if agreement.supersedes else None,
        "parties": [
            {"organisation": party.organisation.slug, "role": plain(party.role), "signatory": party.signatory,
             "signed_on": plain(party.signed_on)}
            for party in agreement.parties
        ],
        "flows": [flow_record(flow) for flow in agreement.flows],
    }


def flow_record(flow):
    """One stored data flow (a model instance) in the file's form."""
    return {
        "from": flow.from_organisation.slug,
        "to": flow.to_organisation.slug if flow.to_organisation else EVERY_PARTY,
        "categories": list(flow.categories or []),
        "items": flow.items or "",
        "purposes": list(flow.purposes or []),
        "lawful_bases": list(flow.lawful_bases or []),
        "channel": flow.channel.slug if flow.channel else None,
        "frequency": plain(flow.frequency),
        "consent": plain(flow.consent),
        "data_subject_categories": list(flow.data_subject_categories or []),
        "data_subjects": flow.data_subjects,
        "retention": flow.retention,
        "source_system": flow.source_system,
        "asset_owner": flow.asset_owner,
    }
