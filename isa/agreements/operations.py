"""The business actions on agreements, their parties and their flows.

Every action takes the agreement version the officer started from: if someone else saved in
between, ConflictError refuses the save instead of overwriting their work (optimistic locking).
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm.exc import StaleDataError

from ..core.errors import DomainError
from ..core.i18n import lazy_gettext as _l
from ..extensions import db
from ..organisations.models import Organisation
from ..users.models import User
from . import lifecycle
from . import rules, versions
from .signatures import forget_signature, record_paper_signature, signature_date_problem
from .models import Agreement, AgreementStatus, DataLocation, Party, PartyRole

CONFLICT_MESSAGE = _l(
    "Someone else changed this agreement while you were editing it. Your changes have not been saved. "
    "Check the agreement as it is now, then save again to keep your changes."
)


class ConflictError(DomainError):
    def __init__(self, agreement, expected):
        super().__init__(None, str(CONFLICT_MESSAGE))
        self.agreement = agreement


def find_by_reference(reference):
    return db.session.scalar(sa.select(Agreement).where(Agreement.reference == reference))


def check_version(agreement, expected):
    if agreement.id is not None and int(expected) != agreement.version:
        raise ConflictError(agreement, expected)


def commit_or_conflict(agreement, expected):
    """Commit, turning a concurrent update caught by the database into a ConflictError."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(agreement)
        raise ConflictError(agreement, expected)


def _org(slug):
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug)) if slug else None


def save_agreement(agreement, data, expected_version=None):
    """Create (agreement None) or update an agreement from clean form data."""
    if agreement is not None:
        check_version(agreement, expected_version)
    # No autoflush while the form is applied: a concurrent save then fails at the commit, where
    # commit_or_conflict turns it into a conflict message, not midway in a lookup (a 500).
    with db.session.no_autoflush:
        clash = find_by_reference(data["reference"])
        if clash is not None and clash is not agreement:
            raise DomainError("reference", _("The reference %(reference)s is already used by %(title)s", reference=data["reference"], title=clash.title))
        problems = lifecycle.date_problems(data["start_date"], data["review_date"], data.get("end_date"))
        if problems:
            field, message = next(iter(problems.items()))
            raise DomainError(field, message)
        new = agreement is None
        if new:
            agreement = Agreement(status=AgreementStatus.DRAFT)
        agreement.reference = data["reference"].strip()
        agreement.title = data["title"].strip()
        for field in ("purpose", "scope", "data_subjects", "retention", "security", "dpia_reference"):
            value = (data.get(field) or "").strip()
            setattr(agreement, field, value or (None if field != "purpose" else ""))
        agreement.start_date = data["start_date"]
        agreement.review_date = data["review_date"]
        agreement.end_date = data.get("end_date")
        agreement.review_interval_months = data.get("review_interval_months") or 12
        agreement.data_location = DataLocation(data.get("data_location") or "uk")
        agreement.lead_organisation = _org(data.get("lead_organisation"))
        owner = data.get("owner")
        agreement.owner = db.session.get(User, int(owner)) if owner else None
        supersedes = data.get("supersedes")
        agreement.supersedes = find_by_reference(supersedes) if supersedes else None
        if agreement.supersedes is agreement:
            raise DomainError("supersedes", _("An agreement cannot supersede itself"))
        if new:
            db.session.add(agreement)  # added last, so no autoflush writes it half-made
    return agreement


def change_status(agreement, target, expected_version):
    check_version(agreement, expected_version)
    problems = lifecycle.transition_problems(agreement, target)
    if problems:
        raise DomainError("status", "; ".join(problems))
    agreement.status = AgreementStatus(target)
    agreement.resume_status = None  # an officer's choice replaces the return planned by a new version
    return agreement


def save_party(agreement, party, data, expected_version, signed_document=None):
    """Add or change a party. `signed_document`: the stored copy of the current version that the
    form's `signed_document` names (None when it names none, or none of the current version)."""
    check_version(agreement, expected_version)
    organisation = _org(data["organisation"])
    if organisation is None:
        raise DomainError("organisation", _("Choose the organisation"))
    existing = agreement.party_for(organisation)
    if existing is not None and existing is not party:
        raise DomainError("organisation", _("%(organisation)s is already a party to this agreement", organisation=organisation.name))
    before = rules.material_terms(agreement)
    if party is None:
        party = Party()
        agreement.parties.append(party)
    elif party.organisation_id != organisation.id and _flows_of(agreement, party.organisation_id):
        raise DomainError("organisation", _("This party has data flows: remove or change them before changing the organisation"))
    party.organisation = organisation
    party.role = PartyRole(data["role"])
    party.signatory_name = (data.get("signatory_name") or "").strip() or None
    party.signatory_title = (data.get("signatory_title") or "").strip() or None
    if versions.after_material_change(agreement, before):
        return party  # a material change: every party, this one too, signs the new version
    _apply_signature(agreement, party, data, signed_document)
    return party


def _apply_signature(agreement, party, data, document):
    """A signature made on paper, as the officer recorded it on the party form."""
    signed_on, document_id = data.get("signed_on"), data.get("signed_document")
    if signed_on is None:
        if party.signed_on is not None:
            forget_signature(agreement, party)
        rules.clear_signature(party)
        return
    if document_id:
        if document is None:
            raise DomainError("signed_document", _("Choose a copy of version %(version)s, the version to sign", version=agreement.protocol_version))
    else:
        document = None
    changed = signed_on != party.signed_on or (document is not None and document.sha256 != party.signed_document_sha256)
    if changed:
        problem = signature_date_problem(agreement, signed_on, document)
        if problem:
            raise DomainError("signed_on", problem)
        if party.signed_on is not None:
            forget_signature(agreement, party)  # a correction replaces the record, it does not add a second one
    party.signed_on = signed_on
    if changed:
        record_paper_signature(agreement, party, document, None)


def _flows_of(agreement, organisation_id):
    return [f for f in agreement.flows if organisation_id in (f.from_organisation_id, f.to_organisation_id)]


def remove_party(agreement, party, expected_version):
    check_version(agreement, expected_version)
    flows = _flows_of(agreement, party.organisation_id)
    if flows:
        raise DomainError(None, ngettext(
            "%(organisation)s sends or receives %(num)d data flow(s) in this agreement. Remove those flows first.",
            "%(organisation)s sends or receives %(num)d data flow(s) in this agreement. Remove those flows first.",
            len(flows), organisation=party.organisation.name,
        ))
    if AgreementStatus(agreement.status) in rules.IN_FORCE:
        raise DomainError(None, _("Parties cannot be removed from an agreement in force. Start a review, or supersede it with a new agreement."))
    before = rules.material_terms(agreement)
    db.session.delete(party)  # not removed from agreement.parties first: the audit entry needs its agreement
    versions.after_material_change(agreement, before, leaving=[party])


def legacy_remap_proposal(agreement):
    """The re-mapping proposed for the agreement's DPA 1998 bases, flow by flow (nothing to do: [])."""
    from ..legal.queries import catalogue_map
    from ..legal.remap import propose

    return propose(agreement, catalogue_map())


def remap_legacy_bases(agreement, expected_version=None):
    """Replace every DPA 1998 basis with its proposed successors: one material change (one new
    version, one round of signatures) and one history entry. Returns the proposals applied."""
    from ..audit.tracking import one_entry

    if expected_version is not None:
        check_version(agreement, expected_version)
    proposals = [p for p in legacy_remap_proposal(agreement) if p.changed]
    if not proposals:
        raise DomainError(None, _("%(reference)s relies on no DPA 1998 basis: there is nothing to re-map.", reference=agreement.reference))
    by_id = {p.flow_id: p for p in proposals}
    with one_entry(db.session, agreement, "remapped"):
        before = rules.material_terms(agreement)
        for flow in agreement.flows:
            proposal = by_id.get(flow.id)
            if proposal is not None:
                flow.lawful_bases = list(proposal.proposed)
        versions.after_material_change(agreement, before)
    return proposals
