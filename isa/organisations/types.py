"""Organisation types and the statutory roles that follow from them: the one table of who is what.

Sources: Children Act 2004 s10(4), s11(1) and s16E (the safeguarding partners); Crime and Disorder
Act 1998 s115(2) (as amended: chief officers of police and local policing bodies, local
authorities, probation providers and the health commissioners, today integrated care boards; a
youth offending team acts on behalf of its council; NHS provider trusts, schools and charities
are not relevant authorities); DPA 2018 s30 and Schedule 7 (competent authorities for law
enforcement: chief officers of police, probation providers, youth offending teams, prison
governors; any other body only to the extent it has statutory law-enforcement functions, which
an organisation records with its own flag); Police, Crime, Sentencing and Courts Act 2022 s16(2)
(specified authorities, local policing bodies, educational, prison and youth custody
authorities); public authorities as the UK GDPR and DPA 2018 s7 use the term.

A type that may or may not hold a role (an "other public body" could be a fire and rescue
authority) is listed under `UNCERTAIN_ROLES`: the findings never call it out of scope.
"""
import enum

from ..core.i18n import lazy_gettext as _l


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
        return str(TYPE_LABELS[self])


TYPE_LABELS = {
    OrganisationType.LOCAL_AUTHORITY: _l("Local authority"),
    OrganisationType.POLICE: _l("Police force"),
    OrganisationType.NHS_ENGLAND: _l("NHS England"),
    OrganisationType.INTEGRATED_CARE_BOARD: _l("Integrated care board"),
    OrganisationType.NHS_TRUST: _l("NHS trust"),
    OrganisationType.NHS_FOUNDATION_TRUST: _l("NHS foundation trust"),
    OrganisationType.PROBATION: _l("Probation service"),
    OrganisationType.YOUTH_OFFENDING_TEAM: _l("Youth offending team"),
    OrganisationType.PRISON: _l("Prison or secure training centre"),
    OrganisationType.SCHOOL: _l("School"),
    OrganisationType.FURTHER_EDUCATION: _l("Further education college"),
    OrganisationType.CHARITY: _l("Charity or voluntary organisation"),
    OrganisationType.PRIVATE_PROVIDER: _l("Private provider"),
    OrganisationType.OTHER_PUBLIC_BODY: _l("Other public body"),
}


class StatutoryRole(enum.StrEnum):
    CA2004_S10_PARTNER = "ca2004_s10_partner"  # a body under the s10 duty to co-operate
    CA2004_S11_BODY = "ca2004_s11_body"  # a body under the s11 safeguarding duty
    CDA1998_S115_AUTHORITY = "cda1998_s115_authority"  # a "relevant authority" for s115
    SAFEGUARDING_PARTNER = "safeguarding_partner"  # Children Act 2004 s16E: may require information (s16H)
    COMPETENT_AUTHORITY = "competent_authority"  # DPA 2018 s30 and Sch 7: may rely on Part 3 (law enforcement)
    SERIOUS_VIOLENCE_BODY = "serious_violence_body"  # PCSCA 2022 s16(2): may disclose under the serious violence duty
    HEALTH_OR_SOCIAL_CARE_BODY = "health_or_social_care_body"  # commissions or provides health or adult social care
    PUBLIC_AUTHORITY = "public_authority"

    @property
    def label(self):
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    StatutoryRole.CA2004_S10_PARTNER: _l("Children Act 2004 s10 co-operation partner"),
    StatutoryRole.CA2004_S11_BODY: _l("Children Act 2004 s11 safeguarding body"),
    StatutoryRole.CDA1998_S115_AUTHORITY: _l("Crime and Disorder Act 1998 s115 relevant authority"),
    StatutoryRole.SAFEGUARDING_PARTNER: _l("Children Act 2004 s16E safeguarding partner"),
    StatutoryRole.COMPETENT_AUTHORITY: _l("DPA 2018 competent authority (law enforcement)"),
    StatutoryRole.SERIOUS_VIOLENCE_BODY: _l("Serious violence duty body (PCSCA 2022 s16)"),
    StatutoryRole.HEALTH_OR_SOCIAL_CARE_BODY: _l("Health or adult social care commissioner or provider"),
    StatutoryRole.PUBLIC_AUTHORITY: _l("Public authority"),
}

R = StatutoryRole
T = OrganisationType

STATUTORY_ROLES = {
    T.LOCAL_AUTHORITY: frozenset({R.CA2004_S10_PARTNER, R.CA2004_S11_BODY, R.CDA1998_S115_AUTHORITY, R.SAFEGUARDING_PARTNER,
                                  R.SERIOUS_VIOLENCE_BODY, R.HEALTH_OR_SOCIAL_CARE_BODY, R.PUBLIC_AUTHORITY}),
    T.POLICE: frozenset({R.CA2004_S10_PARTNER, R.CA2004_S11_BODY, R.CDA1998_S115_AUTHORITY, R.SAFEGUARDING_PARTNER,
                         R.COMPETENT_AUTHORITY, R.SERIOUS_VIOLENCE_BODY, R.PUBLIC_AUTHORITY}),
    T.NHS_ENGLAND: frozenset({R.CA2004_S10_PARTNER, R.CA2004_S11_BODY, R.HEALTH_OR_SOCIAL_CARE_BODY, R.PUBLIC_AUTHORITY}),
    T.INTEGRATED_CARE_BOARD: frozenset({R.CA2004_S10_PARTNER, R.CA2004_S11_BODY, R.CDA1998_S115_AUTHORITY, R.SAFEGUARDING_PARTNER,
                                        R.SERIOUS_VIOLENCE_BODY, R.HEALTH_OR_SOCIAL_CARE_BODY, R.PUBLIC_AUTHORITY}),
    T.NHS_TRUST: frozenset({R.CA2004_S11_BODY, R.HEALTH_OR_SOCIAL_CARE_BODY, R.PUBLIC_AUTHORITY}),
    T.NHS_FOUNDATION_TRUST: frozenset({R.CA2004_S11_BODY, R.HEALTH_OR_SOCIAL_CARE_BODY, R.PUBLIC_AUTHORITY}),
    T.PROBATION: frozenset({R.CA2004_S10_PARTNER, R.CA2004_S11_BODY, R.CDA1998_S115_AUTHORITY, R.COMPETENT_AUTHORITY,
                            R.SERIOUS_VIOLENCE_BODY, R.PUBLIC_AUTHORITY}),
    T.YOUTH_OFFENDING_TEAM: frozenset({R.CA2004_S10_PARTNER, R.CA2004_S11_BODY, R.CDA1998_S115_AUTHORITY, R.COMPETENT_AUTHORITY,
                                       R.SERIOUS_VIOLENCE_BODY, R.PUBLIC_AUTHORITY}),
    T.PRISON: frozenset({R.CA2004_S11_BODY, R.COMPETENT_AUTHORITY, R.SERIOUS_VIOLENCE_BODY, R.PUBLIC_AUTHORITY}),
    T.SCHOOL: frozenset({R.CA2004_S10_PARTNER, R.SERIOUS_VIOLENCE_BODY, R.PUBLIC_AUTHORITY}),
    T.FURTHER_EDUCATION: frozenset({R.CA2004_S10_PARTNER, R.SERIOUS_VIOLENCE_BODY, R.PUBLIC_AUTHORITY}),
    T.CHARITY: frozenset(),
    T.PRIVATE_PROVIDER: frozenset(),
    T.OTHER_PUBLIC_BODY: frozenset({R.PUBLIC_AUTHORITY}),
}

# Roles a type may hold or not, depending on the body: never reported as out of scope.
UNCERTAIN_ROLES = {
    T.OTHER_PUBLIC_BODY: frozenset({R.SERIOUS_VIOLENCE_BODY, R.HEALTH_OR_SOCIAL_CARE_BODY, R.CDA1998_S115_AUTHORITY}),
    T.CHARITY: frozenset({R.HEALTH_OR_SOCIAL_CARE_BODY}),  # when commissioned to provide care
    T.PRIVATE_PROVIDER: frozenset({R.HEALTH_OR_SOCIAL_CARE_BODY}),
}


def statutory_roles(org_type, law_enforcement_functions=False):
    """The statutory roles an organisation of this type holds, in a stable order.

    `law_enforcement_functions`: the organisation has statutory functions for the law-enforcement
    purposes (DPA 2018 s30(1)(b)), so it is a competent authority to that extent.
    """
    roles = STATUTORY_ROLES[OrganisationType(org_type)]
    if law_enforcement_functions:
        roles = roles | {R.COMPETENT_AUTHORITY}
    return [role for role in StatutoryRole if role in roles]


def has_role(org_type, role, law_enforcement_functions=False):
    role = StatutoryRole(role)
    if role == R.COMPETENT_AUTHORITY and law_enforcement_functions:
        return True
    return role in STATUTORY_ROLES[OrganisationType(org_type)]


def may_hold(org_type, role):
    """Whether a body of this type holds the role or may hold it (the register cannot tell)."""
    org_type = OrganisationType(org_type)
    return has_role(org_type, role) or StatutoryRole(role) in UNCERTAIN_ROLES.get(org_type, ())
