"""Organisation types and the statutory roles that follow from them: the one table of who is what.

Sources: Children Act 2004 s10(4) and s11(1); Crime and Disorder Act 1998 s115(2) as described in
seed 004 (police, probation, local authorities, CCGs/ICBs and certain NHS bodies; the current
statutory list should be checked); public authorities as the UK GDPR / DPA 2018 s7 use the term.
"""
import enum


class OrganisationType(enum.StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    POLICE = "police"
    NHS_ENGLAND = "nhs_england"
    INTEGRATED_CARE_BOARD = "integrated_care_board"
    NHS_TRUST = "nhs_trust"
    NHS_FOUNDATION_TRUST = "nhs_foundation_trust"
    PROBATION = "probation"
    YOUTH_OFFENDING_TEAM = "youth_offending_team"
    PRISON = "prison"
    SCHOOL = "school"
    FURTHER_EDUCATION = "further_education"
    CHARITY = "charity"  # voluntary and community sector: never a statutory body
    PRIVATE_PROVIDER = "private_provider"  # commissioned services run by companies
    OTHER_PUBLIC_BODY = "other_public_body"

    @property
    def label(self):
        return TYPE_LABELS[self]


TYPE_LABELS = {
    OrganisationType.LOCAL_AUTHORITY: "Local authority",
    OrganisationType.POLICE: "Police force",
    OrganisationType.NHS_ENGLAND: "NHS England",
    OrganisationType.INTEGRATED_CARE_BOARD: "Integrated care board",
    OrganisationType.NHS_TRUST: "NHS trust",
    OrganisationType.NHS_FOUNDATION_TRUST: "NHS foundation trust",
    OrganisationType.PROBATION: "Probation service",
    OrganisationType.YOUTH_OFFENDING_TEAM: "Youth offending team",
    OrganisationType.PRISON: "Prison or secure training centre",
    OrganisationType.SCHOOL: "School",
    OrganisationType.FURTHER_EDUCATION: "Further education college",
    OrganisationType.CHARITY: "Charity or voluntary organisation",
    OrganisationType.PRIVATE_PROVIDER: "Private provider",
    OrganisationType.OTHER_PUBLIC_BODY: "Other public body",
}


class StatutoryRole(enum.StrEnum):
    CA2004_S10_PARTNER = "ca2004_s10_partner"  # a body under the s10 duty to co-operate
    CA2004_S11_BODY = "ca2004_s11_body"  # a body under the s11 safeguarding duty
    CDA1998_S115_AUTHORITY = "cda1998_s115_authority"  # a "relevant authority" for s115
    PUBLIC_AUTHORITY = "public_authority"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    StatutoryRole.CA2004_S10_PARTNER: "Children Act 2004 s10 co-operation partner",
    StatutoryRole.CA2004_S11_BODY: "Children Act 2004 s11 safeguarding body",
    StatutoryRole.CDA1998_S115_AUTHORITY: "Crime and Disorder Act 1998 s115 relevant authority",
    StatutoryRole.PUBLIC_AUTHORITY: "Public authority",
}

_S10, _S11, _S115, _PUBLIC = StatutoryRole
T = OrganisationType

STATUTORY_ROLES = {
    T.LOCAL_AUTHORITY: frozenset({_S10, _S11, _S115, _PUBLIC}),
    T.POLICE: frozenset({_S10, _S11, _S115, _PUBLIC}),
    T.NHS_ENGLAND: frozenset({_S10, _S11, _PUBLIC}),
    T.INTEGRATED_CARE_BOARD: frozenset({_S10, _S11, _S115, _PUBLIC}),
    T.NHS_TRUST: frozenset({_S11, _S115, _PUBLIC}),
    T.NHS_FOUNDATION_TRUST: frozenset({_S11, _S115, _PUBLIC}),
    T.PROBATION: frozenset({_S10, _S11, _S115, _PUBLIC}),
    T.YOUTH_OFFENDING_TEAM: frozenset({_S10, _S11, _S115, _PUBLIC}),
    T.PRISON: frozenset({_S11, _PUBLIC}),
    T.SCHOOL: frozenset({_S10, _PUBLIC}),
    T.FURTHER_EDUCATION: frozenset({_S10, _PUBLIC}),
    T.CHARITY: frozenset(),
    T.PRIVATE_PROVIDER: frozenset(),
    T.OTHER_PUBLIC_BODY: frozenset({_PUBLIC}),
}


def statutory_roles(org_type):
    """The statutory roles an organisation of this type holds, in a stable order."""
    roles = STATUTORY_ROLES[OrganisationType(org_type)]
    return [role for role in StatutoryRole if role in roles]


def has_role(org_type, role):
    return StatutoryRole(role) in STATUTORY_ROLES[OrganisationType(org_type)]
