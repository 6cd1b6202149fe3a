"""The demo register: seed 004's Hertfordshire Family Safeguarding agreement and its neighbours.

`demo_register(today)` is a document in the import format, so the demo goes through the same
checks as any import; dates that must sit around today (the overdue review, the drafts) are
relative to `today`. Every status appears once or more, and a few entries carry the problems a
governance officer should see flagged: legacy DPA 1998 bases, s115 relied on towards a charity,
special category data over the phone, an unsigned party, an overdue review.
"""
from datetime import date, timedelta

import sqlalchemy as sa

from ..agreements.models import Agreement
from ..extensions import db
from ..legal.catalogue import sync_catalogue
from ..legal.models import LegalBasis
from ..organisations.operations import find_by_slug, save_organisation
from ..users.models import User
from .operations import import_register

DEMO_PASSWORD = "demo-password-2024"
# The demo officer's and admin's authenticator key (printed by `flask demo`, documented in the README):
# officers and admins must use a second factor, and a demo should show the real sign-in.
DEMO_TOTP_SECRET = "ISADEMOTOTPKEYNOTFORREALUSEXYZAB"
OFFICER, ADMIN, PARTNER = "officer@example.org", "admin@example.org", "partner@example.org"
DEMO_USERS = (
    (OFFICER, "governance officer"),
    (ADMIN, "administrator"),
    (PARTNER, "partner user, Hertfordshire Constabulary"),
)

SAFEGUARDING = "safeguarding children"
WELFARE = "promoting the welfare of children and vulnerable adults"
CRIME = "prevention and detection of related crime"


def _organisation(slug, name, org_type, ico, dpo_name, spoc_name, address):
    return {
        "slug": slug, "name": name, "type": org_type, "ico_registration": ico,
        "dpo_name": dpo_name, "dpo_email": f"{slug}.dpo@example.org",
        "spoc_name": spoc_name, "spoc_email": f"{slug}.ig@example.org", "address": address,
    }


ORGANISATIONS = [
    # The eleven signatories of seed 004, in its order.
    _organisation("herts-cc", "Hertfordshire County Council", "local_authority", "Z5612301", "Helen Marsh", "Tom Avery",
                  "County Hall, Pegs Lane, Hertford SG13 8DQ"),
    _organisation("herts-police", "Hertfordshire Constabulary", "police", "Z4820517", "Rebecca Lowe", "Daniel Price",
                  "Police Headquarters, Stanborough Road, Welwyn Garden City AL8 6XF"),
    _organisation("bnch-crc", "Bedfordshire Northamptonshire Cambridgeshire & Hertfordshire Community Rehabilitation Company",
                  "probation", "ZA301442", "Martin Hale", "Sophie Grant", None),
    _organisation("national-probation-service", "National Probation Service", "probation", "Z7390264", "Alison Reid",
                  "Kwame Mensah", None),
    _organisation("cgl", "CGL (Change Grow Live)", "charity", "Z9158830", "Fiona Walsh", "Ryan Cooper", None),
    _organisation("eoe-probation", "East of England Probation Service", "probation", "Z6047719", "Alison Reid",
                  "Nadia Hussain", None),
    _organisation("enherts-nhs", "East and North Hertfordshire NHS Trust", "nhs_trust", "Z2746390", "Peter Lin",
                  "Joanne Fisher", "Lister Hospital, Coreys Mill Lane, Stevenage SG1 4AB"),
    _organisation("herts-community-nhs", "Hertfordshire Community NHS Trust", "nhs_trust", "Z3185526", "Gemma Holt",
                  "Aaron Blake", None),
    _organisation("hpft", "Hertfordshire Partnership University NHS Foundation Trust", "nhs_foundation_trust", "Z8804213",
                  "Ruth Okafor", "Simon Drake", None),
    _organisation("pah-nhs", "Princess Alexandra Hospital NHS Trust", "nhs_trust", "Z1967405", "Imran Qureshi",
                  "Laura Bennett", "Hamstel Road, Harlow CM20 1QX"),
    _organisation("whht-nhs", "West Hertfordshire Hospitals NHS Trust", "nhs_trust", "ZB552910", "Claire Dunn",
                  "Mark Ellis", "Watford General Hospital, Vicarage Road, Watford WD18 0HB"),
    # Partners in the other agreements.
    _organisation("hwe-icb", "Hertfordshire and West Essex Integrated Care Board", "integrated_care_board", "ZB083317",
                  "Paula Grey", "Oliver Stone", None),
    _organisation("herts-yjs", "Hertfordshire Youth Justice Service", "youth_offending_team", "Z5612302", "Helen Marsh",
                  "Leah Byrne", None),
    _organisation("oakfield-primary", "Oakfield Primary School", "school", "Z7731954", "Neil Archer", "Jo Whitfield", None),
    _organisation("meadow-vale-academy", "Meadow Vale Academy", "school", "ZA884120", "Neil Archer", "Amir Patel", None),
]

CHANNELS = [
    {"slug": "cjsm", "name": "CJSM (Criminal Justice Secure eMail)", "special_category_approved": True,
     "description": "The criminal justice secure email service, for police, probation and youth justice."},
    {"slug": "hertsfx", "name": "HertsFX", "special_category_approved": True,
     "description": "Hertfordshire County Council's secure file exchange service."},
    {"slug": "phone", "name": "Phone", "special_category_approved": False,
     "description": "A telephone call. Confirm who you are speaking to and record what was said. Not approved for special category data."},
    {"slug": "secure-email", "name": "Secure email", "special_category_approved": True,
     "description": "Email between secure domains (gov.uk, nhs.net, police.uk) or encrypted end to end."},
]


def _party(organisation, signatory, signed_on, role="both"):
    return {"organisation": organisation, "role": role, "signatory": signatory,
            "signed_on": signed_on.isoformat() if signed_on else None}


def _flow(source, to, categories, items, purposes, bases, channel, frequency="ad_hoc", consent="no_consent_lawful_basis"):
    return {"from": source, "to": to, "categories": categories, "items": items, "purposes": purposes,
            "lawful_bases": bases, "channel": channel, "frequency": frequency, "consent": consent}


# Lawful bases as seed 004 cites them for a 2024 agreement: the statutory gateways and the DPA 1998
# Schedule 2 and 3 conditions, which cover processing up to 24 May 2018 only. The findings raise
# errors for them, and the agreement page proposes their re-mapping, as a real register needs.
LEGACY = ["DPA1998-SCH2-5B", "DPA1998-SCH3-7"]
HEALTH_TO_COUNCIL = ["CA2004-S11", "CA1989-S47", *LEGACY]
PROBATION_TO_COUNCIL = ["CA2004-S11", "CDA1998-S115", *LEGACY]

HERTS_SIGNATORIES = [
    ("herts-cc", "Jane Doe, Director of Children's Services", date(2024, 11, 20)),
    ("herts-police", "John Roe, Detective Chief Superintendent, Head of Public Protection", date(2024, 11, 22)),
    ("bnch-crc", "Andrew Keane, Chief Executive", date(2024, 11, 25)),
    ("national-probation-service", "Sarah Malik, Head of Hertfordshire Probation Delivery Unit", date(2024, 11, 25)),
    ("cgl", "Lucy Hart, Director of Operations", date(2024, 11, 26)),
    ("eoe-probation", "David Osei, Regional Probation Director", date(2024, 11, 26)),
    ("enherts-nhs", "Karen Bell, Chief Nurse", date(2024, 11, 27)),
    ("herts-community-nhs", "Michael Stone, Director of Nursing and Quality", date(2024, 11, 27)),
    ("hpft", "Emma Lewis, Executive Director of Quality and Safety", date(2024, 11, 28)),
    ("pah-nhs", "Rachel Ahmed, Chief Nurse", date(2024, 11, 28)),
    ("whht-nhs", "Paul Turner, Chief Nurse", date(2024, 11, 29)),
]
HEALTH_TRUSTS = ["enherts-nhs", "herts-community-nhs", "hpft", "pah-nhs", "whht-nhs"]
PROBATION = ["eoe-probation", "national-probation-service", "bnch-crc"]


# What each flow of ISA-2024-001 adds for the record of processing (Art 30), by who discloses it.
# Retention is left to the agreement's policy except where the police set their own.
HERTS_RECORD_FIELDS = {
    "herts-police": {"data_subject_categories": ["children", "parents_carers", "victims_witnesses", "offenders_suspects"],
                     "data_subjects": "Other adults in the household where relevant to the risk to the children.",
                     "retention": "Reviewed at each case closure; held under the police management of police information "
                                  "(MoPI) guidance.",
                     "source_system": "Police records management system", "asset_owner": "Head of Public Protection"},
    "health": {"data_subject_categories": ["children", "parents_carers", "patients"],
               "source_system": "The trust's electronic patient record", "asset_owner": "Caldicott Guardian"},
    "probation": {"data_subject_categories": ["parents_carers", "offenders_suspects"],
                  "source_system": "Probation case management system (nDelius)", "asset_owner": "Head of Probation Delivery Unit"},
    "cgl": {"data_subject_categories": ["parents_carers", "service_users"],
            "source_system": "Substance misuse case management system", "asset_owner": "Director of Operations"},
    "herts-cc": {"data_subject_categories": ["children", "parents_carers", "family_members", "vulnerable_adults"],
                 "source_system": "Children's social care case management system",
                 "asset_owner": "Director of Children's Services"},
}


def _kind_of(slug):
    return "health" if slug in HEALTH_TRUSTS else "probation"


def family_safeguarding():
    """ISA-2024-001, from seed 004."""
    flows = [
        _flow("herts-police", "herts-cc", ["personal", "special_category", "criminal_offence"],
              "Domestic abuse incident reports, intelligence and offending history about parents and carers, and "
              "concerns about children in the household.",
              [SAFEGUARDING, CRIME],
              ["CA2004-S11", "CDA1998-S115", *LEGACY],
              "hertsfx", frequency="daily"),
    ]
    flows += [
        _flow(trust, "herts-cc", ["personal", "special_category"],
              "Health information about children, parents and carers relevant to safeguarding: attendances, "
              "diagnoses, mental health and substance misuse treatment.",
              [SAFEGUARDING, WELFARE], HEALTH_TO_COUNCIL, "secure-email")
        for trust in HEALTH_TRUSTS
    ]
    flows += [
        _flow(service, "herts-cc", ["personal", "criminal_offence"],
              "Offending history, licence conditions and risk assessments of parents and carers under supervision.",
              [SAFEGUARDING, CRIME], PROBATION_TO_COUNCIL, "secure-email")
        for service in PROBATION
    ]
    flows += [
        _flow("cgl", "herts-cc", ["personal", "special_category"],
              "Substance misuse assessments, engagement with treatment and recovery plans of parents and carers.",
              [SAFEGUARDING, WELFARE], ["DPA1998-SCH2-1", "DPA1998-SCH3-1", "CL-CONSENT"],
              "secure-email", consent="explicit_consent"),
        _flow("herts-cc", "*", ["personal", "special_category", "criminal_offence"],
              "Family Safeguarding case information: referrals, assessments, child protection plans and the outcome of "
              "multi-agency case discussions.",
              [SAFEGUARDING, WELFARE, CRIME],
              ["CA2004-S11", "CA1989-S17", "CA1989-S47", *LEGACY],
              "hertsfx"),
    ]
    for flow in flows:
        flow.update(HERTS_RECORD_FIELDS[flow["from"] if flow["from"] in HERTS_RECORD_FIELDS else _kind_of(flow["from"])])
    return {
        "reference": "ISA-2024-001",
        "title": "Hertfordshire Family Safeguarding Service information sharing agreement",
        "purpose": "To share information between the Family Safeguarding partners only for the purposes of safeguarding "
                   "and promoting the welfare of children and vulnerable adults and for the prevention and detection of "
                   "related crime, so that safeguarding decisions are made with timely, necessary and proportionate "
                   "interventions and support.",
        "scope": "Information about children, their parents and carers and their circumstances held by the partner "
                 "agencies involved in their care or support, shared with and by the multi-agency Family Safeguarding "
                 "teams. Which information systems are scrutinised is decided case by case once a referral has been "
                 "received; only relevant and proportionate information is shared, where an organisation has a need to know.",
        "lead_organisation": "herts-cc",
        "owner_email": OFFICER,
        "status": "active",
        "start_date": "2024-12-01",
        "review_date": "2027-12-01",
        "end_date": None,
        "review_interval_months": 36,
        "data_subjects": "Children, their parents and carers, and vulnerable adults in families referred to the Family "
                         "Safeguarding teams.",
        "retention": "Each partner keeps shared information in line with its own retention policy and destroys it "
                     "securely at the end of the retention period.",
        "security": "Shared only by secure email or HertsFX, and only with those who need to have it. Each partner "
                    "follows its own policy on the security of personal information.",
        "data_location": "uk",
        "dpia_reference": "DPIA-HCC-2024-031",
        "supersedes": None,
        "parties": [_party(slug, signatory, signed) for slug, signatory, signed in HERTS_SIGNATORIES],
        "flows": flows,
    }


def _agreement(reference, title, purpose, status, start, review, parties, flows, end=None, supersedes=None, **extra):
    record = {
        "reference": reference, "title": title, "purpose": purpose, "lead_organisation": "herts-cc",
        "owner_email": OFFICER, "status": status, "start_date": start.isoformat(), "review_date": review.isoformat(),
        "end_date": end.isoformat() if end else None, "review_interval_months": 12, "data_location": "uk",
        "supersedes": supersedes, "parties": parties, "flows": flows,
    }
    record.update(extra)
    return record


def _year_after(day):
    return day + timedelta(days=365)


def demo_register(today):
    """The demo data set as an import document; `today` places the overdue review and the drafts."""
    overdue_review = today - timedelta(days=21)
    mash_start = min(date(2023, 4, 1), overdue_review - timedelta(days=365))
    draft_start, consultation_start, signing_start = (today + timedelta(days=d) for d in (60, 30, 14))
    police_to_council = ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "UKGDPR-A10", "DPA2018-SCH1-18", "CA2004-S11", "CDA1998-S115"]

    agreements = [
        family_safeguarding(),
        _agreement(
            "ISA-2016-003", "Hertfordshire Multi-Agency Safeguarding Hub protocol (2016)",
            "Sharing information in the Multi-Agency Safeguarding Hub to decide how to respond to concerns about children.",
            "superseded", date(2016, 4, 1), date(2017, 4, 1),
            [_party("herts-cc", "Jane Doe, Director of Children's Services", date(2016, 3, 14)),
             _party("herts-police", "Alan Cross, Detective Superintendent", date(2016, 3, 18)),
             _party("enherts-nhs", "Karen Bell, Chief Nurse", date(2016, 3, 21))],
            [_flow("herts-police", "herts-cc", ["personal", "special_category", "criminal_offence"],
                   "Police notifications of concerns about children.", [SAFEGUARDING],
                   ["DPA1998-SCH2-5B", "DPA1998-SCH3-7", "CA2004-S11", "CA1989-S47", "CDA1998-S115"], "secure-email"),
             _flow("enherts-nhs", "herts-cc", ["personal", "special_category"],
                   "Health information about children referred to the hub.", [SAFEGUARDING],
                   ["DPA1998-SCH2-5B", "DPA1998-SCH3-7", "CA2004-S11"], "secure-email")],
            end=date(2023, 3, 31),
        ),
        _agreement(
            "ISA-2023-002", "Hertfordshire Multi-Agency Safeguarding Hub protocol",
            "Sharing information in the Multi-Agency Safeguarding Hub to decide, within one working day, how to "
            "respond to concerns about a child's safety or welfare.",
            "active", mash_start, overdue_review,
            [_party("herts-cc", "Jane Doe, Director of Children's Services", mash_start - timedelta(days=20)),
             _party("herts-police", "John Roe, Detective Chief Superintendent, Head of Public Protection", mash_start - timedelta(days=18)),
             _party("enherts-nhs", "Karen Bell, Chief Nurse", mash_start - timedelta(days=15)),
             _party("hpft", "Emma Lewis, Executive Director of Quality and Safety", mash_start - timedelta(days=15)),
             _party("eoe-probation", "David Osei, Regional Probation Director", mash_start - timedelta(days=12))],
            [_flow("herts-police", "herts-cc", ["personal", "special_category", "criminal_offence"],
                   "Police notifications of concerns about children (PPNs) and relevant intelligence.",
                   [SAFEGUARDING, CRIME], police_to_council, "secure-email", frequency="daily"),
             _flow("hpft", "herts-cc", ["personal", "special_category"],
                   "Mental health information about parents and carers relevant to the referral.", [SAFEGUARDING],
                   ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18", "CA2004-S11"], "secure-email"),
             _flow("herts-cc", "*", ["personal", "special_category"],
                   "The hub's decision and the information it rests on.", [SAFEGUARDING, WELFARE],
                   ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18", "CA2004-S11", "CA1989-S47"], "secure-email")],
            supersedes="ISA-2016-003", review_interval_months=24,
        ),
        _agreement(
            "ISA-2025-003", "Youth justice information sharing",
            "Sharing information about children in the youth justice system to prevent offending and reoffending.",
            "draft", draft_start, _year_after(draft_start),
            [_party("herts-cc", None, None), _party("herts-yjs", None, None), _party("herts-police", None, None, "discloser")],
            [_flow("herts-police", "herts-yjs", ["personal", "criminal_offence"],
                   "Arrests, charges and out-of-court disposals of children.", ["preventing offending by children"],
                   ["UKGDPR-A6-1E", "UKGDPR-A10", "DPA2018-SCH1-10", "CDA1998-S115"], "cjsm", frequency="weekly")],
        ),
        _agreement(
            "ISA-2025-004", "Operation Encompass: domestic abuse notifications to schools",
            "Telling a child's school before the next school day that the child was present at, or involved in, a "
            "domestic abuse incident, so that the school can support the child.",
            "consultation", consultation_start, _year_after(consultation_start),
            [_party("herts-police", None, None, "discloser"), _party("herts-cc", None, None),
             _party("oakfield-primary", None, None, "recipient"), _party("meadow-vale-academy", None, None, "recipient")],
            [_flow("herts-police", "*", ["personal", "special_category"],
                   "The child's name, the date of the incident and whether the child was present.", [SAFEGUARDING],
                   ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18", "CA2004-S11"], "phone", frequency="daily")],
        ),
        _agreement(
            "ISA-2025-005", "Drug and alcohol treatment referrals",
            "Referring adults arrested for drug-related offences to treatment services.",
            "awaiting_signatures", signing_start, _year_after(signing_start),
            [_party("herts-police", "John Roe, Detective Chief Superintendent, Head of Public Protection", today - timedelta(days=7)),
             _party("herts-cc", "Anita Rowe, Director of Public Health", today - timedelta(days=5)),
             _party("cgl", "Lucy Hart, Director of Operations", None, "recipient")],
            [_flow("herts-police", "cgl", ["personal", "criminal_offence"],
                   "Name, contact details and the offence for which the person was arrested.", [CRIME],
                   ["UKGDPR-A6-1E", "UKGDPR-A10", "DPA2018-SCH1-10", "CDA1998-S115"], "secure-email", frequency="daily")],
        ),
        _agreement(
            "ISA-2022-006", "Hospital discharge and adult social care information sharing",
            "Sharing information to plan the safe discharge from hospital of adults who need care and support.",
            "under_review", date(2022, 6, 1), today + timedelta(days=45),
            [_party("herts-cc", "Chris Nolan, Director of Adult Care Services", date(2022, 5, 10)),
             _party("whht-nhs", "Paul Turner, Chief Nurse", date(2022, 5, 12)),
             _party("enherts-nhs", "Karen Bell, Chief Nurse", date(2022, 5, 16)),
             _party("herts-community-nhs", "Michael Stone, Director of Nursing and Quality", date(2022, 5, 16))],
            [_flow(trust, "herts-cc", ["personal", "special_category"],
                   "Discharge summaries, care needs and expected discharge dates.", ["planning care and support"],
                   ["UKGDPR-A6-1E", "UKGDPR-A9-2H", "DPA2018-SCH1-2", "HSCA2012-S251B"], "secure-email", frequency="daily")
             for trust in ("whht-nhs", "enherts-nhs")],
        ),
        _agreement(
            "ISA-2021-007", "Supporting Families programme data matching",
            "Matching partner data to identify families with multiple disadvantages for the Supporting Families programme.",
            "expired", date(2021, 4, 1), date(2022, 4, 1),
            [_party("herts-cc", "Jane Doe, Director of Children's Services", date(2021, 3, 10)),
             _party("herts-police", "Alan Cross, Detective Superintendent", date(2021, 3, 15)),
             _party("hwe-icb", "Paula Grey, Director of Governance", date(2021, 3, 22))],
            [_flow("herts-police", "herts-cc", ["personal", "criminal_offence"],
                   "Monthly extract of households with recorded domestic abuse or anti-social behaviour.",
                   ["identifying families who need help"],
                   ["UKGDPR-A6-1E", "UKGDPR-A10", "DPA2018-SCH1-6", "DEA2017-S35"], "hertsfx", frequency="monthly")],
            end=date(2024, 3, 31),
        ),
        _agreement(
            "ISA-2020-008", "Domestic abuse perpetrator programme pilot",
            "Sharing information about perpetrators referred to a pilot behaviour change programme.",
            "terminated", date(2020, 9, 1), date(2021, 9, 1),
            [_party("herts-police", "Alan Cross, Detective Superintendent", date(2020, 8, 10)),
             _party("herts-cc", "Jane Doe, Director of Children's Services", date(2020, 8, 12)),
             _party("bnch-crc", "Andrew Keane, Chief Executive", date(2020, 8, 20))],
            [_flow("herts-police", "bnch-crc", ["personal", "criminal_offence"],
                   "Domestic abuse incidents and offending history of referred perpetrators.", [CRIME],
                   ["UKGDPR-A6-1E", "UKGDPR-A10", "DPA2018-SCH1-10", "CDA1998-S115"], "cjsm")],
            end=date(2022, 1, 31),
        ),
    ]
    return {"organisations": ORGANISATIONS, "channels": CHANNELS, "agreements": agreements}


def load_demo(today):
    """Load the demo register into a register with no agreements; None when it has some already.

    The demo users come first (the partner user with its organisation), then the document is
    imported; the import's single commit writes them all, or its rejection rolls them all back.
    """
    from ..users.operations import create_user

    if db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)):
        return None
    if not db.session.scalar(sa.select(sa.func.count()).select_from(LegalBasis)):
        sync_catalogue(db.session.connection())
    document = demo_register(today)
    police = find_by_slug("herts-police") or save_organisation(
        None, next(org for org in document["organisations"] if org["slug"] == "herts-police")
    )
    users = (
        (OFFICER, "officer", "Priya Shah", None),
        (ADMIN, "admin", "Sam Taylor", None),
        (PARTNER, "partner", "Chris Morgan", police),
    )
    existing = set(db.session.scalars(sa.select(User.email).where(User.email.in_([email for email, *_ in users]))))
    for email, role, name, organisation in users:
        if email not in existing:
            user = create_user(email, role, DEMO_PASSWORD, name=name, organisation=organisation)
            if role != "partner":
                from ..identity.operations import enrol_with_secret

                enrol_with_secret(user, DEMO_TOTP_SECRET)
    result = import_register(document)
    from ..decisions.demo import load_demo_decisions  # practitioners' records between the demo partners

    load_demo_decisions(today)
    return result
