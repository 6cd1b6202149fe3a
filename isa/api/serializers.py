"""The JSON shapes of the API (described in openapi.py). Agreements use the import/export field names."""
from ..exchange.operations import EVERY_PARTY


def _iso(day):
    return day.isoformat() if day is not None else None


def organisation_json(org):
    return {
        "slug": org.slug, "name": org.name, "type": org.type.value, "ico_registration": org.ico_registration,
        "dpo_name": org.dpo_name, "dpo_email": org.dpo_email, "spoc_name": org.spoc_name, "spoc_email": org.spoc_email,
        "address": org.address, "law_enforcement_functions": org.law_enforcement_functions,
        "statutory_roles": [role.value for role in org.statutory_roles],
    }


def review_overdue(agreement, today):
    """An agreement in force whose review date has passed (the same test as the agreements list)."""
    return agreement.status.in_force and agreement.review_date < today


def agreement_summary_json(agreement, today):
    return {
        "reference": agreement.reference,
        "title": agreement.title,
        "status": agreement.status.value,
        "start_date": _iso(agreement.start_date),
        "review_date": _iso(agreement.review_date),
        "end_date": _iso(agreement.end_date),
        "review_overdue": review_overdue(agreement, today),
        "lead_organisation": agreement.lead_organisation.slug if agreement.lead_organisation else None,
        "parties": [
            {"organisation": party.organisation.slug, "name": party.organisation.name, "role": party.role.value,
             "signed_on": _iso(party.signed_on)}
            for party in agreement.parties
        ],
    }


def agreement_json(agreement, today):
    """The agreement as the import/export format has it, with its version and review state."""
    return {
        "reference": agreement.reference,
        "title": agreement.title,
        "purpose": agreement.purpose,
        "scope": agreement.scope,
        "lead_organisation": agreement.lead_organisation.slug if agreement.lead_organisation else None,
        "owner_email": agreement.owner.email if agreement.owner else None,
        "status": agreement.status.value,
        "version": agreement.version,
        "start_date": _iso(agreement.start_date),
        "review_date": _iso(agreement.review_date),
        "end_date": _iso(agreement.end_date),
        "review_interval_months": agreement.review_interval_months,
        "review_overdue": review_overdue(agreement, today),
        "data_subjects": agreement.data_subjects,
        "retention": agreement.retention,
        "security": agreement.security,
        "data_location": agreement.data_location.value,
        "dpia_reference": agreement.dpia_reference,
        "supersedes": agreement.supersedes.reference if agreement.supersedes else None,
        "parties": [
            {"organisation": party.organisation.slug, "role": party.role.value, "signatory": party.signatory,
             "signed_on": _iso(party.signed_on)}
            for party in agreement.parties
        ],
        "flows": [
            {
                "from": flow.from_organisation.slug,
                "to": flow.to_organisation.slug if flow.to_organisation else EVERY_PARTY,
                "categories": list(flow.categories or []),
                "items": flow.items or "",
                "purposes": list(flow.purposes or []),
                "lawful_bases": list(flow.lawful_bases or []),
                "channel": flow.channel.slug if flow.channel else None,
                "frequency": flow.frequency.value,
                "consent": flow.consent.value,
                "data_subject_categories": list(flow.data_subject_categories or []),
                "data_subjects": flow.data_subjects,
                "retention": flow.retention,
                "source_system": flow.source_system,
                "asset_owner": flow.asset_owner,
            }
            for flow in agreement.flows
        ],
    }


def legal_basis_json(basis):
    return {
        "code": basis.code, "regime": basis.regime.value, "kind": basis.kind.value, "title": basis.title,
        "summary": basis.summary, "in_force_from": _iso(basis.in_force_from), "in_force_to": _iso(basis.in_force_to),
        "successors": list(basis.successors or []), "local": bool(basis.local),
    }
