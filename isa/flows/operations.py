import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.errors import DomainError
from ..agreements.operations import check_version
from ..channels.models import TransferChannel
from ..agreements import rules
from ..agreements import versions
from ..extensions import db
from ..legal.models import LegalBasis
from .models import ConsentApproach, DataFlow, Frequency

EVERY_OTHER_PARTY = "*"


def unknown_codes(codes):
    """The codes not in the lawful-basis catalogue, in the order given."""
    known = set(db.session.scalars(sa.select(LegalBasis.code).where(LegalBasis.code.in_(list(codes)))))
    return [code for code in codes if code not in known]


def save_flow(agreement, flow, data, expected_version):
    """Create (flow None) or update a data flow from clean form data."""
    check_version(agreement, expected_version)
    parties = {party.organisation.slug: party.organisation for party in agreement.parties}
    source = parties.get(data["from_organisation"])
    if source is None:
        raise DomainError("from_organisation", _("Choose a party of this agreement"))
    target_slug = data["to_organisation"]
    if target_slug != EVERY_OTHER_PARTY and target_slug not in parties:
        raise DomainError("to_organisation", _("Choose a party of this agreement, or every other party"))
    unknown = unknown_codes(data["lawful_bases"])
    if unknown:
        raise DomainError("lawful_bases", _("Unknown lawful basis: %(codes)s", codes=", ".join(unknown)))
    channel = None
    if data.get("channel"):
        channel = db.session.scalar(sa.select(TransferChannel).where(TransferChannel.slug == data["channel"]))
        if channel is None:
            raise DomainError("channel", _("Choose a transfer channel from the list"))
    before = rules.material_terms(agreement)
    if flow is None:
        flow = DataFlow()
        agreement.flows.append(flow)
    flow.from_organisation = source
    flow.to_organisation = None if target_slug == EVERY_OTHER_PARTY else parties[target_slug]
    flow.categories = list(data["categories"])
    flow.items = data["items"].strip()
    flow.purposes = list(data["purposes"])
    flow.lawful_bases = list(data["lawful_bases"])
    flow.channel = channel
    flow.frequency = Frequency(data["frequency"])
    flow.consent = ConsentApproach(data["consent"])
    flow.data_subject_categories = list(data.get("data_subject_categories") or [])
    for key in ("data_subjects", "retention", "source_system", "asset_owner"):
        setattr(flow, key, (data.get(key) or "").strip() or None)
    versions.after_material_change(agreement, before)  # a material change once signed: a new version to sign
    return flow


def remove_flow(agreement, flow, expected_version):
    check_version(agreement, expected_version)
    before = rules.material_terms(agreement)
    db.session.delete(flow)  # not removed from agreement.flows first: the audit entry needs its agreement
    versions.after_material_change(agreement, before, leaving=[flow])
