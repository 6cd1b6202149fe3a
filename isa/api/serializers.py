"""The JSON shapes of the API (described in openapi.py). Agreements use the import/export field names."""
from ..agreements.records import agreement_record
from ..agreements.rules import review_overdue


def _iso(day):
    return day.isoformat() if day is not None else None


def organisation_json(org):
    return {
        "slug": org.slug, "name": org.name, "type": org.type.value, "ico_registration": org.ico_registration,
        "dpo_name": org.dpo_name, "dpo_email": org.dpo_email, "spoc_name": org.spoc_name, "spoc_email": org.spoc_email,
        "address": org.address, "law_enforcement_functions": org.law_enforcement_functions,
        "statutory_roles": [role.value for role in org.statutory_roles],
    }


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
    """The agreement as the import/export format has it (`agreement_record`), with its version and review state."""
    return {**agreement_record(agreement), "version": agreement.version, "review_overdue": review_overdue(agreement, today)}


def legal_basis_json(basis):
    return {
        "code": basis.code, "regime": basis.regime.value, "kind": basis.kind.value, "title": basis.title,
        "summary": basis.summary, "in_force_from": _iso(basis.in_force_from), "in_force_to": _iso(basis.in_force_to),
        "successors": list(basis.successors or []), "local": bool(basis.local),
    }
