"""The findings engine (SPEC §3): each rule fires on a bad agreement and stays quiet on the corrected one.

Agreements, flows and organisations are plain fakes; the catalogue is the shipped TOML.
"""
import itertools
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import pytest

from isa.legal.catalogue import shipped_entries
from isa.legal.findings import Finding, findings_for, flow_label, severity_counts

TODAY = date(2026, 11, 21)

CATALOGUE = {
    entry["code"]: SimpleNamespace(
        **{"in_force_from": None, "in_force_to": None, "successors": [], "needs_apd": None, "sch1_part": None, "needs_sch1_part": None, **entry}
    )
    for entry in shipped_entries()
}

_ids = itertools.count(1)


@dataclass(frozen=True, eq=False)
class Org:
    id: int
    name: str
    type: str
    law_enforcement_functions: bool = False


def org(name, org_type):
    return Org(next(_ids), name, org_type)


POLICE = org("Hertfordshire Constabulary", "police")
COUNCIL = org("Hertfordshire County Council", "local_authority")
CHARITY = org("Safe Families Charity", "charity")
PROVIDER = org("CarePlus Ltd", "private_provider")
SCHOOL = org("Hillside Primary School", "school")
TRUST = org("East and North Herts NHS Trust", "nhs_trust")
ICB = org("Hertfordshire and West Essex ICB", "integrated_care_board")
PROBATION = org("Probation Service East of England", "probation")
YOT = org("Hertfordshire Youth Justice", "youth_offending_team")
TRADING_STANDARDS = Org(next(_ids), "Borough Council (Trading Standards)", "local_authority", True)

SECURE_EMAIL = SimpleNamespace(name="Secure email", special_category_approved=True)
PHONE = SimpleNamespace(name="Telephone", special_category_approved=False)
NO_CHANNEL = object()

SAFEGUARDING = ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]


def flow(frm=POLICE, to=COUNCIL, categories=("personal",), bases=("UKGDPR-A6-1E",), channel=SECURE_EMAIL, consent="no_consent_lawful_basis"):
    return SimpleNamespace(
        id=next(_ids), from_organisation=frm, to_organisation=to, categories=list(categories), lawful_bases=list(bases),
        channel=None if channel is NO_CHANNEL else channel, consent=consent,
    )


def agreement(flows=None, parties=None, status="active", start=date(2024, 12, 1), review=date(2027, 12, 1), location="uk", unsigned=(), end=None):
    flows = [flow()] if flows is None else flows
    if parties is None:
        parties = list(dict.fromkeys(o for f in flows for o in (f.from_organisation, f.to_organisation) if o is not None)) or [POLICE, COUNCIL]
    return SimpleNamespace(
        reference="ISA-2024-001", status=status, start_date=start, review_date=review, end_date=end, data_location=location,
        parties=[SimpleNamespace(organisation=o, signed_on=None if o in unsigned else date(2024, 11, 20)) for o in parties],
        flows=flows,
    )


def with_dpia(subject, state, reference=None):
    """The agreement as the loaders hand it to the engine: with its DPIA state (and DPIA reference)."""
    subject.dpia_state, subject.dpia_reference = state, reference
    return subject


SENSITIVE_FLOW = dict(categories=["personal", "special_category"], bases=SAFEGUARDING)


def rules(found):
    return {f.rule for f in found}


def check(subject, today=TODAY):
    return findings_for(subject, CATALOGUE, today)


# (rule, the agreement that breaks it, the corrected agreement)
CASES = {
    "art6-missing: personal data with no Art 6 basis": (
        "art6-missing", agreement([flow(bases=[])]), agreement([flow(bases=["UKGDPR-A6-1E"])]),
    ),
    "art6-missing: a 2024 agreement's DPA 1998 Sch 2 condition does not count": (
        "art6-missing", agreement([flow(bases=["DPA1998-SCH2-5B"])]), agreement([flow(bases=["DPA1998-SCH2-5B", "UKGDPR-A6-1E"])]),
    ),
    "art6-missing: law enforcement under DPA 2018 Part 3 needs no Art 6": (
        "art6-missing", agreement([flow(categories=["criminal_offence"], bases=[])]),
        agreement([flow(categories=["criminal_offence"], bases=["DPA2018-S35"])]),
    ),
    "art6-missing: anonymised data needs no lawful basis": (
        "art6-missing", agreement([flow(categories=["anonymised", "personal"], bases=[])]), agreement([flow(categories=["anonymised"], bases=[])]),
    ),
    "art9-missing: special category data with no Art 9 condition": (
        "art9-missing", agreement([flow(categories=["personal", "special_category"], bases=["UKGDPR-A6-1E"])]),
        agreement([flow(categories=["personal", "special_category"], bases=SAFEGUARDING)]),
    ),
    "art9-missing: Part 3 sensitive processing needs a Schedule 8 condition": (
        "art9-missing", agreement([flow(categories=["special_category"], bases=["DPA2018-S35"])]),
        agreement([flow(categories=["special_category"], bases=["DPA2018-S35", "DPA2018-SCH8-4"])]),
    ),
    "sch1-missing: Art 9(2)(g) with no Schedule 1 condition": (
        "sch1-missing", agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G"])]),
        agreement([flow(categories=["special_category"], bases=SAFEGUARDING)]),
    ),
    "sch1-missing: Art 9(2)(g) with only a Part 1 paragraph": (
        "sch1-missing", agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-2"])]),
        agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-2", "DPA2018-SCH1-6"])]),
    ),
    "sch1-missing: Art 9(2)(h) needs a Part 1 paragraph": (
        "sch1-missing", agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2H", "DPA2018-SCH1-18"])]),
        agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2H", "DPA2018-SCH1-2"])]),
    ),
    "art10-missing: criminal offence data on Art 6 alone": (
        "art10-missing", agreement([flow(categories=["criminal_offence"], bases=["UKGDPR-A6-1E"])]),
        agreement([flow(categories=["criminal_offence"], bases=["UKGDPR-A6-1E", "UKGDPR-A10", "DPA2018-SCH1-10"])]),
    ),
    "art10-missing: Art 10 without a Schedule 1 condition": (
        "art10-missing", agreement([flow(categories=["criminal_offence"], bases=["UKGDPR-A6-1E", "UKGDPR-A10"])]),
        agreement([flow(categories=["criminal_offence"], bases=["UKGDPR-A6-1E", "DPA2018-S35"])]),
    ),
    "s115-recipient: a charity recipient of CDA1998-S115": (
        "s115-recipient", agreement([flow(to=CHARITY, bases=["UKGDPR-A6-1E", "CDA1998-S115"])]),
        agreement([flow(to=COUNCIL, bases=["UKGDPR-A6-1E", "CDA1998-S115"])]),
    ),
    "s115-recipient: 'every other party' includes a charity": (
        "s115-recipient", agreement([flow(to=None, bases=["UKGDPR-A6-1E", "CDA1998-S115"])], parties=[POLICE, COUNCIL, CHARITY]),
        agreement([flow(to=None, bases=["UKGDPR-A6-1E", "CDA1998-S115"])], parties=[POLICE, COUNCIL]),
    ),
    "ca2004-body: a charity discloser citing CA2004-S11": (
        "ca2004-body", agreement([flow(frm=CHARITY, bases=["UKGDPR-A6-1F", "CA2004-S11"])]),
        agreement([flow(frm=POLICE, bases=["UKGDPR-A6-1E", "CA2004-S11"])]),
    ),
    "ca2004-body: a private provider citing CA2004-S10": (
        "ca2004-body", agreement([flow(frm=PROVIDER, bases=["UKGDPR-A6-1F", "CA2004-S10"])]),
        agreement([flow(frm=SCHOOL, bases=["UKGDPR-A6-1E", "CA2004-S10"])]),
    ),
    "ca2004-body: a school is a s10 partner but not a s11 body": (
        "ca2004-body", agreement([flow(frm=SCHOOL, bases=["UKGDPR-A6-1E", "CA2004-S11"])]),
        agreement([flow(frm=SCHOOL, bases=["UKGDPR-A6-1E", "CA2004-S10"])]),
    ),
    "legacy-basis: a 2024 agreement citing DPA 1998": (
        "legacy-basis", agreement([flow(bases=["UKGDPR-A6-1E", "DPA1998-SCH2-5B"])]), agreement([flow(bases=["UKGDPR-A6-1E"])]),
    ),
    "legacy-basis: a 2015 agreement still active today, not one that ended before 2018": (
        "legacy-basis", agreement([flow(bases=["DPA1998-SCH2-5B"])], start=date(2015, 4, 1), review=date(2027, 4, 1)),
        agreement([flow(bases=["DPA1998-SCH2-5B"])], status="expired", start=date(2015, 4, 1), review=date(2016, 4, 1)),
    ),
    "public-authority-6f: a council relying on legitimate interests": (
        "public-authority-6f", agreement([flow(frm=COUNCIL, to=POLICE, bases=["UKGDPR-A6-1F"])]),
        agreement([flow(frm=CHARITY, to=POLICE, bases=["UKGDPR-A6-1F"])]),
    ),
    "public-authority-6f: a council relying on recognised legitimate interest": (
        "public-authority-6f", agreement([flow(frm=COUNCIL, to=POLICE, bases=["UKGDPR-A6-1EA"])]),
        agreement([flow(frm=COUNCIL, to=POLICE, bases=["UKGDPR-A6-1E"])]),
    ),
    "public-authority-consent: the police relying on Art 6(1)(a)": (
        "public-authority-consent", agreement([flow(bases=["UKGDPR-A6-1A"])]), agreement([flow(frm=CHARITY, bases=["UKGDPR-A6-1A"])]),
    ),
    "channel-unapproved: special category data by telephone": (
        "channel-unapproved", agreement([flow(categories=["special_category"], bases=SAFEGUARDING, channel=PHONE)]),
        agreement([flow(categories=["special_category"], bases=SAFEGUARDING, channel=SECURE_EMAIL)]),
    ),
    "channel-unapproved: special category data with no channel recorded": (
        "channel-unapproved", agreement([flow(categories=["special_category"], bases=SAFEGUARDING, channel=NO_CHANNEL)]),
        agreement([flow(categories=["personal"], bases=["UKGDPR-A6-1E"], channel=NO_CHANNEL)]),
    ),
    "data-location: held outside the UK and EEA": (
        "data-location", agreement(location="other"), agreement(location="eea"),
    ),
    "unsigned-active: active with a party unsigned": (
        "unsigned-active", agreement(unsigned=[COUNCIL]), agreement(status="awaiting_signatures", unsigned=[COUNCIL]),
    ),
    "review-overdue: in force past its review date": (
        "review-overdue", agreement(status="under_review", review=date(2026, 1, 1)), agreement(status="expired", review=date(2026, 1, 1)),
    ),
    "no-flows: past draft with no flows": (
        "no-flows", agreement([], parties=[POLICE, COUNCIL], status="consultation"), agreement([], parties=[POLICE, COUNCIL], status="draft"),
    ),
    "unknown-basis: a code not in the catalogue": (
        "unknown-basis", agreement([flow(bases=["UKGDPR-A6-1E", "UKGDPR-A6-1Z"])]), agreement([flow(bases=["UKGDPR-A6-1E"])]),
    ),
    "apd-needed: a Schedule 1 condition that needs an appropriate policy document": (
        "apd-needed", agreement([flow(categories=["special_category"], bases=SAFEGUARDING)]),
        agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2H", "DPA2018-SCH1-2"])]),
    ),
    # --- the law as the DPO's review read it (issue 11) ---
    "art6-missing: a 2016 agreement still active relies on DPA 1998 Sch 2 alone": (
        "art6-missing", agreement([flow(bases=["DPA1998-SCH2-5B"])], start=date(2016, 4, 1)),
        agreement([flow(bases=["UKGDPR-A6-1E"])], start=date(2016, 4, 1)),
    ),
    "art9-missing: a 2016 agreement still active relies on DPA 1998 Sch 3 alone (seed 004)": (
        "art9-missing",
        agreement([flow(categories=["personal", "special_category"], bases=["DPA1998-SCH2-5B", "DPA1998-SCH3-7"])], start=date(2016, 4, 1)),
        agreement([flow(categories=["personal", "special_category"], bases=SAFEGUARDING)], start=date(2016, 4, 1)),
    ),
    "art6-missing: a 2016 agreement that ended before 25 May 2018 is judged by the 1998 Act": (
        "art6-missing", agreement([flow(bases=["UKGDPR-A6-1E"])], status="terminated", start=date(2016, 4, 1), end=date(2018, 3, 31)),
        agreement([flow(bases=["DPA1998-SCH2-5B"])], status="terminated", start=date(2016, 4, 1), end=date(2018, 3, 31)),
    ),
    "sch1-missing: para 5 (appropriate policy document) is no condition for Art 9(2)(g)": (
        "sch1-missing", agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-5"])]),
        agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-5", "DPA2018-SCH1-18"])]),
    ),
    "sch1-missing: Art 9(2)(h) with the employment paragraph (para 1) is not met": (
        "sch1-missing", agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2H", "DPA2018-SCH1-1"])]),
        agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2H", "DPA2018-SCH1-2"])]),
    ),
    "sch1-missing: Art 9(2)(b) needs para 1, not para 2": (
        "sch1-missing", agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2B", "DPA2018-SCH1-2"])]),
        agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2B", "DPA2018-SCH1-1"])]),
    ),
    "sch1-missing: Art 9(2)(i) needs para 3": (
        "sch1-missing", agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2I", "DPA2018-SCH1-4"])]),
        agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2I", "DPA2018-SCH1-3"])]),
    ),
    "art10-missing: a Part 3 (criminal) Schedule 1 condition meets Art 10": (
        "art10-missing", agreement([flow(frm=CHARITY, categories=["criminal_offence"], bases=["UKGDPR-A6-1F", "UKGDPR-A10", "DPA2018-SCH1-5"])]),
        agreement([flow(frm=CHARITY, categories=["criminal_offence"], bases=["UKGDPR-A6-1F", "UKGDPR-A10", "DPA2018-SCH1-33"])]),
    ),
    "part3-not-competent: a charity relying on DPA2018-S35": (
        "part3-not-competent", agreement([flow(frm=CHARITY, to=POLICE, categories=["criminal_offence"], bases=["DPA2018-S35"])]),
        agreement([flow(frm=CHARITY, to=POLICE, categories=["criminal_offence"], bases=["UKGDPR-A6-1F", "UKGDPR-A10", "DPA2018-SCH1-10"])]),
    ),
    "part3-not-competent: a council with statutory law-enforcement functions may rely on Part 3": (
        "part3-not-competent", agreement([flow(frm=COUNCIL, to=POLICE, categories=["criminal_offence"], bases=["DPA2018-S35"])]),
        agreement([flow(frm=TRADING_STANDARDS, to=POLICE, categories=["criminal_offence"], bases=["DPA2018-S35"])]),
    ),
    "part3-not-competent: probation and youth offending teams are competent authorities": (
        "part3-not-competent", agreement([flow(frm=SCHOOL, to=POLICE, categories=["special_category"], bases=["DPA2018-S35", "DPA2018-SCH8-4"])]),
        agreement([flow(frm=YOT, to=PROBATION, categories=["special_category"], bases=["DPA2018-S35", "DPA2018-SCH8-4"])]),
    ),
    "s115-recipient: an NHS provider trust is not a relevant authority": (
        "s115-recipient", agreement([flow(frm=COUNCIL, to=TRUST, bases=["UKGDPR-A6-1E", "CDA1998-S115"])]),
        agreement([flow(frm=COUNCIL, to=ICB, bases=["UKGDPR-A6-1E", "CDA1998-S115"])]),
    ),
    "s115-recipient: a youth offending team acts on behalf of its council": (
        "s115-recipient", agreement([flow(frm=COUNCIL, to=SCHOOL, bases=["UKGDPR-A6-1E", "CDA1998-S115"])]),
        agreement([flow(frm=COUNCIL, to=YOT, bases=["UKGDPR-A6-1E", "CDA1998-S115"])]),
    ),
    "gateway-party: an NHS trust relying on PCSCA2022-S16 to disclose health data to the police": (
        "gateway-party", agreement([flow(frm=TRUST, to=POLICE, categories=["special_category"], bases=SAFEGUARDING + ["PCSCA2022-S16"])]),
        agreement([flow(frm=COUNCIL, to=POLICE, categories=["special_category"], bases=SAFEGUARDING + ["PCSCA2022-S16"])]),
    ),
    "gateway-party: an ICB (a health authority) may not disclose personal information under PCSCA2022-S16": (
        "gateway-party", agreement([flow(frm=ICB, to=POLICE, bases=["UKGDPR-A6-1E", "PCSCA2022-S16"])]),
        agreement([flow(frm=ICB, to=POLICE, categories=["anonymised"], bases=["PCSCA2022-S16"])]),
    ),
    "gateway-party: PCSCA2022-S16 to a charity": (
        "gateway-party", agreement([flow(frm=POLICE, to=CHARITY, bases=["UKGDPR-A6-1E", "PCSCA2022-S16"])]),
        agreement([flow(frm=POLICE, to=SCHOOL, bases=["UKGDPR-A6-1E", "PCSCA2022-S16"])]),
    ),
    "gateway-party: CA2004-S16H to a body that is not a safeguarding partner": (
        "gateway-party", agreement([flow(frm=SCHOOL, to=CHARITY, bases=["UKGDPR-A6-1E", "CA2004-S16H"])]),
        agreement([flow(frm=SCHOOL, to=ICB, bases=["UKGDPR-A6-1E", "CA2004-S16H"])]),
    ),
    "gateway-party: CA1989-S47 enquiries are the local authority's": (
        "gateway-party", agreement([flow(frm=TRUST, to=POLICE, bases=["UKGDPR-A6-1E", "CA1989-S47"])]),
        agreement([flow(frm=TRUST, to=COUNCIL, bases=["UKGDPR-A6-1E", "CA1989-S47"])]),
    ),
    "gateway-party: EA2002-S175 binds schools and councils, not the police": (
        "gateway-party", agreement([flow(frm=POLICE, to=SCHOOL, bases=["UKGDPR-A6-1E", "EA2002-S175"])]),
        agreement([flow(frm=SCHOOL, to=COUNCIL, bases=["UKGDPR-A6-1E", "EA2002-S175"])]),
    ),
    "consent-mismatch: consent bases on a flow shared without consent": (
        "consent-mismatch", agreement([flow(frm=CHARITY, bases=["UKGDPR-A6-1A"], consent="no_consent_lawful_basis")]),
        agreement([flow(frm=CHARITY, bases=["UKGDPR-A6-1A"], consent="consent")]),
    ),
    "consent-mismatch: Art 9(2)(a) needs explicit consent": (
        "consent-mismatch", agreement([flow(frm=CHARITY, categories=["special_category"], bases=["UKGDPR-A6-1A", "UKGDPR-A9-2A"], consent="consent")]),
        agreement([flow(frm=CHARITY, categories=["special_category"], bases=["UKGDPR-A6-1A", "UKGDPR-A9-2A"], consent="explicit_consent")]),
    ),
    "legal-obligation-power: Art 6(1)(c) backed only by s115, a power": (
        "legal-obligation-power", agreement([flow(bases=["UKGDPR-A6-1C", "CDA1998-S115"])]),
        agreement([flow(bases=["UKGDPR-A6-1E", "CDA1998-S115"])]),
    ),
    "channel-unapproved: criminal offence data by telephone": (
        "channel-unapproved", agreement([flow(categories=["criminal_offence"], bases=["DPA2018-S35"], channel=PHONE)]),
        agreement([flow(categories=["criminal_offence"], bases=["DPA2018-S35"], channel=SECURE_EMAIL)]),
    ),
    "basis-not-yet-in-force: recognised legitimate interest before 5 February 2026": (
        "basis-not-yet-in-force", agreement([flow(frm=CHARITY, bases=["UKGDPR-A6-1EA"])], start=date(2025, 6, 1)),
        agreement([flow(frm=CHARITY, bases=["UKGDPR-A6-1EA"])], start=date(2026, 3, 1)),
        date(2025, 10, 1),
    ),
    # --- the DPIA (issue 16): required by the screening, and not complete ---
    "dpia-missing: special category data and no DPIA recorded": (
        "dpia-missing", with_dpia(agreement([flow(**SENSITIVE_FLOW)]), "none"), with_dpia(agreement([flow(**SENSITIVE_FLOW)]), "complete"),
    ),
    "dpia-missing: criminal offence data and no DPIA recorded, in draft already": (
        "dpia-missing",
        with_dpia(agreement([flow(categories=["criminal_offence"], bases=["DPA2018-S35"])], status="draft"), "none"),
        with_dpia(agreement([flow(categories=["criminal_offence"], bases=["DPA2018-S35"])], status="draft"), "not_required"),
    ),
    "dpia-missing: a DPIA kept outside the register (its reference) counts": (
        "dpia-missing", with_dpia(agreement([flow(**SENSITIVE_FLOW)]), "none"),
        with_dpia(agreement([flow(**SENSITIVE_FLOW)]), "none", reference="DPIA-HCC-2024-07"),
    ),
    "dpia-missing: the screening found one required and it is not signed off": (
        "dpia-missing", with_dpia(agreement(), "in_progress"), with_dpia(agreement(), "complete"),
    ),
    "dpia-missing: personal data alone needs no DPIA until a screening says so": (
        "dpia-missing", with_dpia(agreement(), "in_progress"), with_dpia(agreement(), "none"),
    ),
    "dpia-missing: an agreement that has ended needs none": (
        "dpia-missing", with_dpia(agreement([flow(**SENSITIVE_FLOW)]), "none"),
        with_dpia(agreement([flow(**SENSITIVE_FLOW)], status="terminated"), "none"),
    ),
}
CASE_LIST = [case if len(case) == 4 else (*case, TODAY) for case in CASES.values()]


@pytest.mark.parametrize("rule, bad, good, today", CASE_LIST, ids=list(CASES))
def test_rule_fires_on_the_bad_agreement_and_not_on_the_corrected_one(rule, bad, good, today):
    assert rule in rules(check(bad, today))
    assert rule not in rules(check(good, today))


SEVERITY = {
    "art6-missing": "error", "art9-missing": "error", "sch1-missing": "error", "art10-missing": "error",
    "s115-recipient": "error", "ca2004-body": "error", "legacy-basis": "warning", "public-authority-6f": "warning",
    "public-authority-consent": "warning", "channel-unapproved": "error", "data-location": "warning",
    "unsigned-active": "error", "review-overdue": "warning", "no-flows": "error", "unknown-basis": "error",
    "apd-needed": "info", "basis-not-yet-in-force": "warning", "part3-not-competent": "error", "gateway-party": "error",
    "consent-mismatch": "warning", "legal-obligation-power": "warning", "dpia-missing": "warning",
}
AGREEMENT_WIDE = {"data-location", "unsigned-active", "review-overdue", "no-flows", "dpia-missing"}


@pytest.mark.parametrize("rule, bad, good, today", CASE_LIST, ids=list(CASES))
def test_each_rule_has_the_specified_severity_and_subject(rule, bad, good, today):
    finding = next(f for f in check(bad, today) if f.rule == rule)
    assert finding.severity == SEVERITY[rule]
    if rule in AGREEMENT_WIDE:
        assert finding.flow_id is None and finding.flow_label is None
    else:
        assert finding.flow_id == bad.flows[0].id
        assert finding.message.startswith(finding.flow_label + ": ")


def test_every_spec_rule_is_covered():
    spec_rules = {
        "art6-missing", "art9-missing", "sch1-missing", "art10-missing", "s115-recipient", "ca2004-body", "legacy-basis",
        "public-authority-6f", "public-authority-consent", "channel-unapproved", "data-location", "unsigned-active",
        "review-overdue", "no-flows", "part3-not-competent", "gateway-party", "consent-mismatch", "legal-obligation-power",
    }
    assert spec_rules <= {case[0] for case in CASES.values()}


def test_a_sound_safeguarding_agreement_has_no_errors_or_warnings():
    subject = agreement([
        flow(categories=["personal", "special_category"], bases=SAFEGUARDING + ["CA2004-S11", "CDA1998-S115"]),
        flow(frm=COUNCIL, to=None, categories=["personal", "criminal_offence"], bases=["UKGDPR-A6-1E", "UKGDPR-A10", "DPA2018-SCH1-18", "DPA2018-SCH1-36"]),
    ])
    found = check(subject)
    assert {f.severity for f in found} <= {"info"}, found


def test_a_2015_agreement_citing_dpa_1998_raises_no_legacy_or_missing_basis():
    subject = agreement(
        [flow(categories=["personal", "special_category", "criminal_offence"], bases=["DPA1998-SCH2-5B", "DPA1998-SCH3-7"])],
        status="expired", start=date(2015, 4, 1), review=date(2016, 4, 1),
    )
    found = rules(check(subject))
    assert not found & {"legacy-basis", "art6-missing", "art9-missing", "art10-missing"}, found


def test_legacy_basis_names_its_successors_by_code_and_title():
    found = check(agreement([flow(bases=["DPA1998-SCH2-5B"])]))
    legacy = next(f for f in found if f.rule == "legacy-basis")
    assert "DPA1998-SCH2-5B" in legacy.message
    assert f"UKGDPR-A6-1E ({CATALOGUE['UKGDPR-A6-1E'].title})" in legacy.message
    assert "art6-missing" in rules(found)  # a 2024 agreement needs a UK GDPR condition as well


def test_sch1_missing_says_which_part_is_needed():
    part2 = next(f for f in check(agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2G"])])) if f.rule == "sch1-missing")
    part1 = next(f for f in check(agreement([flow(categories=["special_category"], bases=["UKGDPR-A6-1E", "UKGDPR-A9-2J"])])) if f.rule == "sch1-missing")
    assert "UKGDPR-A9-2G" in part2.message and "Part 2" in part2.message
    assert "UKGDPR-A9-2J" in part1.message and "Part 1" in part1.message


def test_messages_name_the_flow_and_the_organisations():
    found = check(agreement([flow(to=CHARITY, bases=["UKGDPR-A6-1E", "CDA1998-S115"])]))
    s115 = next(f for f in found if f.rule == "s115-recipient")
    assert s115.flow_label == "Hertfordshire Constabulary → Safe Families Charity"
    assert "Safe Families Charity" in s115.detail and "CDA1998-S115" in s115.message
    charity = check(agreement([flow(frm=CHARITY, bases=["UKGDPR-A6-1F", "CA2004-S11"])]))
    assert "Safe Families Charity" in next(f for f in charity if f.rule == "ca2004-body").message
    assert flow_label(flow(to=None)) == "Hertfordshire Constabulary → every other party"


def test_unsigned_active_names_who_has_not_signed():
    found = check(agreement(unsigned=[COUNCIL]))
    assert "Hertfordshire County Council" in next(f for f in found if f.rule == "unsigned-active").message


def test_findings_are_sorted_errors_then_warnings_then_info_in_flow_order():
    first = flow(categories=["special_category"], bases=SAFEGUARDING + ["UKGDPR-A6-1A"], channel=PHONE, consent="consent")  # error, warning, info
    second = flow(frm=COUNCIL, to=POLICE, bases=[])  # error
    found = check(agreement([first, second], location="other"))  # agreement-wide warning
    severities = [f.severity for f in found]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    errors = [f for f in found if f.severity == "error"]
    assert [f.flow_id for f in errors] == [first.id, second.id]
    warnings = [f for f in found if f.severity == "warning"]
    assert warnings[0].rule == "data-location"
    assert severity_counts(found) == {"error": 2, "warning": 2, "info": 1}


def test_without_a_dpia_state_the_dpia_rule_stays_quiet():
    """A caller that did not load the DPIA (the permitted check's flow errors, say) gets no guess."""
    assert "dpia-missing" not in rules(check(agreement([flow(**SENSITIVE_FLOW)])))


def test_dpia_missing_counts_the_flows_carrying_sensitive_data():
    subject = with_dpia(agreement([flow(**SENSITIVE_FLOW), flow(), flow(categories=["criminal_offence"], bases=["DPA2018-S35"])]), "none")
    finding = next(f for f in check(subject) if f.rule == "dpia-missing")
    assert finding.message.startswith("2 data flows carry special category or criminal offence data")
    assert "Article 35" in finding.message


def test_findings_are_frozen_values():
    finding = Finding("no-flows", "error", "message")
    with pytest.raises(AttributeError):
        finding.rule = "other"
    assert finding.as_dict() == {"rule": "no-flows", "severity": "error", "message": "message", "flow_id": None, "flow_label": None}


def test_a_legacy_error_says_what_to_cite_instead_for_the_discloser():
    """Seed 004's typical flow: the police disclose special category data on DPA 1998 conditions only."""
    subject = agreement(
        [flow(categories=["personal", "special_category"], bases=["DPA1998-SCH2-5B", "DPA1998-SCH3-7"])], start=date(2016, 4, 1)
    )
    found = {f.rule: f for f in check(subject)}
    assert found["art6-missing"].severity == "error" and "UKGDPR-A6-1E" in found["art6-missing"].message
    assert "24 May 2018" in found["art6-missing"].message
    assert "UKGDPR-A9-2G" in found["art9-missing"].message
    legacy = [f for f in check(subject) if f.rule == "legacy-basis"]
    assert len(legacy) == 2 and "DPA2018-SCH1-6" in legacy[1].message  # Sch 3 para 7 → 9(2)(g) with its Part 2 paragraph


def test_a_public_authority_is_never_told_to_re_map_to_consent_or_legitimate_interests():
    subject = agreement([flow(frm=COUNCIL, to=POLICE, bases=["DPA1998-SCH2-1", "DPA1998-SCH2-6"])], start=date(2016, 4, 1))
    legacy = " ".join(f.message for f in check(subject) if f.rule == "legacy-basis")
    assert "UKGDPR-A6-1E" in legacy
    assert "UKGDPR-A6-1A" not in legacy and "UKGDPR-A6-1F" not in legacy
    charity = agreement([flow(frm=CHARITY, to=POLICE, bases=["DPA1998-SCH2-6"])], start=date(2016, 4, 1))
    assert "UKGDPR-A6-1F" in " ".join(f.message for f in check(charity) if f.rule == "legacy-basis")


def test_part3_bases_count_for_nothing_for_a_charity():
    found = rules(check(agreement([flow(frm=CHARITY, to=POLICE, categories=["criminal_offence"], bases=["DPA2018-S35"])])))
    assert {"part3-not-competent", "art6-missing", "art10-missing"} <= found


def test_a_question_before_25_may_2018_is_judged_by_the_1998_act():
    from isa.legal.findings import flow_errors

    legacy = flow(bases=["DPA1998-SCH2-5B"])
    subject = agreement([legacy], start=date(2016, 4, 1))
    assert flow_errors(subject, CATALOGUE, date(2017, 6, 1)) == {}
    assert [f.rule for f in flow_errors(subject, CATALOGUE, date(2019, 6, 1))[legacy.id]] == ["art6-missing"]
