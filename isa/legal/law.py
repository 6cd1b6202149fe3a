"""What the statutes say, as the findings and the re-mapping read it: pure facts and functions.

- When a basis counts: on the day it covers (DPA 1998 conditions up to 24 May 2018 only; UK GDPR
  and DPA 2018 from 25 May 2018; a gateway from its in-force date), a DPA 2018 Part 3 basis only
  for a competent authority, and never Schedule 1 para 5 (the appropriate-policy-document rule).
- Which Schedule 1 condition each Article 9 limb needs (DPA 2018 s10(2) and (3)).
- Which bodies each statutory gateway covers, and which gateways give powers rather than duties.
- The successors of a DPA 1998 condition that fit a discloser and a flow.

No Flask and no database: the findings engine, the legacy re-mapping and the permitted check all
read the law from here.
"""
from dataclasses import dataclass
from datetime import date

from ..flows.models import ConsentApproach, DataCategory
from ..organisations.types import OrganisationType as T
from ..organisations.types import StatutoryRole, has_role, may_hold
from .models import BasisKind, Regime
from .words import AndList, N_, Named, OR

# UK GDPR and DPA 2018 replaced the DPA 1998 on this day.
GDPR_START = date(2018, 5, 25)
DPA1998_END = date(2018, 5, 24)

APD_RULE = "DPA2018-SCH1-5"  # Schedule 1 para 5: Part 2 conditions need an appropriate policy document
SCH8_PREFIX = "DPA2018-SCH8-"  # DPA 2018 Schedule 8: conditions for sensitive law-enforcement processing
CONSENT_BASES = ("UKGDPR-A6-1A", "UKGDPR-A9-2A", "DPA2018-SCH1-29", "CL-CONSENT")
# Gateways that give a power to share, not a duty: they cannot back Art 6(1)(c) legal obligation.
POWERS = frozenset({"CDA1998-S115", "CA2004-S10", "LA2011-S1", "DEA2017-S35", "PCSCA2022-S16"})

_ENDED = frozenset({"expired", "terminated", "superseded"})


# --- the day an agreement is judged by ----------------------------------------------------------


def last_day(agreement):
    """The last day the agreement covers, or None while it runs on.

    Its end date when it has one; an agreement that has ended (expired, terminated, superseded)
    without one is taken to have ended on its review date, the only date the register has; a
    draft, one in consultation, awaiting signatures or in force runs on.
    """
    if agreement.end_date is not None:
        return agreement.end_date
    if _status(agreement) in _ENDED:
        return agreement.review_date
    return None


def judged_on(agreement, today):
    """The day whose law the agreement's bases are judged by: today when the agreement covers it,
    else the nearest day it does (its start for one not started yet, its last day for one ended)."""
    day = max(today, agreement.start_date)
    last = last_day(agreement)
    return min(day, last) if last is not None and last >= agreement.start_date else day


def reaches(agreement, day, today):
    """Whether the agreement covers processing on or after `day` (whatever its status now)."""
    last = last_day(agreement)
    return last is None or last >= day or agreement.start_date >= day


def _status(agreement):
    status = agreement.status
    return getattr(status, "value", status)


# --- when a basis counts ------------------------------------------------------------------------


def in_force_on(basis, day):
    return (basis.in_force_from is None or basis.in_force_from <= day) and (basis.in_force_to is None or day <= basis.in_force_to)


def counts(basis, day, competent):
    """Whether a catalogue entry is a basis that counts for processing on `day` by this discloser."""
    if not in_force_on(basis, day):
        return False
    if basis.kind == BasisKind.PART3 and not competent:
        return False
    if basis.code == APD_RULE:
        return False
    return True


def is_schedule8(code):
    return code.startswith(SCH8_PREFIX)


# --- Article 9 and Schedule 1 (DPA 2018 s10) ----------------------------------------------------

PART2_CONDITIONS = tuple(f"DPA2018-SCH1-{n}" for n in range(6, 29))


@dataclass(frozen=True)
class Schedule1Need:
    """The Schedule 1 conditions that meet an Article 9 limb."""

    paragraphs: tuple  # codes, any one of which meets it
    law: str  # where the law says so
    example: tuple = ()  # what to suggest when the flow cites none

    def describe(self, catalogue):
        """The conditions in words (a `Words`, worded when shown)."""
        if len(self.paragraphs) == 1:
            code = self.paragraphs[0]
            entry = catalogue.get(code)
            part = getattr(entry, "sch1_part", None) or 1
            return N_("DPA 2018 Schedule 1 Part %(part)s paragraph %(paragraph)s (%(condition)s)", part=part,
                      paragraph=code.rsplit("-", 1)[1], condition=Named(code, entry, "%(code)s: %(title)s"))
        return N_("a condition in DPA 2018 Schedule 1 Part 2 (paragraphs 6 to 28)")

    def suggest(self, catalogue):
        codes = self.example or self.paragraphs
        named = [Named(c, catalogue.get(c)) for c in codes]
        if len(named) == 1:
            return named[0]
        return N_("the condition relied on, such as %(conditions)s", conditions=AndList(named, OR, commas=False))


SCHEDULE1_FOR_ART9 = {
    "UKGDPR-A9-2B": Schedule1Need(("DPA2018-SCH1-1",), "DPA 2018 s10(2)"),
    "UKGDPR-A9-2H": Schedule1Need(("DPA2018-SCH1-2",), "DPA 2018 s10(2)"),
    "UKGDPR-A9-2I": Schedule1Need(("DPA2018-SCH1-3",), "DPA 2018 s10(2)"),
    "UKGDPR-A9-2J": Schedule1Need(("DPA2018-SCH1-4",), "DPA 2018 s10(2)"),
    "UKGDPR-A9-2G": Schedule1Need(PART2_CONDITIONS, "DPA 2018 s10(3)", ("DPA2018-SCH1-18", "DPA2018-SCH1-6")),
}


def schedule1_needed(code, basis, catalogue):
    """What Schedule 1 condition the Art 9 condition `code` needs (None: it needs none).

    The shipped limbs are the law's own table; a locally added entry says which Part it needs.
    """
    need = SCHEDULE1_FOR_ART9.get(code)
    if need is not None:
        return need
    part = getattr(basis, "needs_sch1_part", None)
    if not part:
        return None
    paragraphs = tuple(c for c, e in catalogue.items() if e.kind == BasisKind.SCH1 and e.sch1_part == part and c != APD_RULE)
    return Schedule1Need(paragraphs, f"DPA 2018 s10, Schedule 1 Part {part}")


# --- who each statutory gateway covers ----------------------------------------------------------

LOCAL_AUTHORITY = frozenset({T.LOCAL_AUTHORITY})


@dataclass(frozen=True)
class GatewayScope:
    """The bodies a statutory gateway lets disclose, and receive, under it.

    `disclosers` / `recipients`: a StatutoryRole, a set of organisation types, or None (anyone).
    `barred_disclosers`: bodies it never lets disclose personal information.
    """

    disclosers: object = None
    disclosers_text: str = ""  # the texts are `Words`, worded when a finding is shown
    either: object = None  # one side of the flow (discloser or every recipient) must be among these
    either_text: str = ""
    recipients: object = None
    recipients_text: str = ""
    barred_disclosers: object = None
    barred_text: str = ""

    @staticmethod
    def covers(org_type, who, uncertain=True):
        """Whether a body of this type is among `who`; a type that may be (uncertain) counts as in."""
        if isinstance(who, StatutoryRole):
            return may_hold(org_type, who) if uncertain else has_role(org_type, who)
        return T(org_type) in who or (uncertain and T(org_type) == T.OTHER_PUBLIC_BODY)


GATEWAY_SCOPES = {
    "PCSCA2022-S16": GatewayScope(
        disclosers=StatutoryRole.SERIOUS_VIOLENCE_BODY,
        disclosers_text=N_("s16(2): specified authorities under the serious violence duty, local policing bodies, "
                           "educational, prison and youth custody authorities"),
        recipients=StatutoryRole.SERIOUS_VIOLENCE_BODY,
        recipients_text=N_("among the bodies s16(2) lets receive (specified authorities, local policing bodies, "
                           "educational, prison and youth custody authorities)"),
        barred_disclosers=frozenset({T.INTEGRATED_CARE_BOARD}),
        barred_text=N_("s16(4) does not authorise the disclosure of patient information, or of personal information by a "
                       "specified authority that is a health or social care authority such as %(discloser)s"),
    ),
    "CA2004-S16H": GatewayScope(
        recipients=StatutoryRole.SAFEGUARDING_PARTNER,
        recipients_text=N_("a safeguarding partner (s16E: the local authority, the integrated care board and the chief "
                           "officer of police), the only bodies that may require information under s16H"),
    ),
    "CA1989-S17": GatewayScope(
        either=LOCAL_AUTHORITY,
        either_text=N_("s17 is the local authority's duty to children in need, so the authority must disclose or receive"),
    ),
    "CA1989-S27": GatewayScope(
        either=LOCAL_AUTHORITY,
        either_text=N_("s27 covers help given to a local authority with its functions under Part III of the Children Act "
                       "1989, so the authority must disclose or receive"),
    ),
    "CA1989-S47": GatewayScope(
        either=LOCAL_AUTHORITY,
        either_text=N_("s47 enquiries are the local authority's, so the authority must disclose or receive"),
    ),
    "EA2002-S175": GatewayScope(
        disclosers=frozenset({T.LOCAL_AUTHORITY, T.SCHOOL, T.FURTHER_EDUCATION}),
        disclosers_text=N_("s175: local authorities in their education functions, the governing bodies of maintained "
                           "schools and further education institutions"),
    ),
    "HSCA2012-S251B": GatewayScope(
        disclosers=StatutoryRole.HEALTH_OR_SOCIAL_CARE_BODY,
        disclosers_text=N_("s251B: commissioners and providers of health services or adult social care"),
        recipients=StatutoryRole.HEALTH_OR_SOCIAL_CARE_BODY,
        recipients_text=N_("a commissioner or provider of health services or adult social care involved in the person's "
                           "care"),
    ),
    "LA2011-S1": GatewayScope(
        disclosers=LOCAL_AUTHORITY,
        disclosers_text=N_("s1: the general power of competence is a local authority's"),
    ),
}


# --- successors of DPA 1998 conditions ------------------------------------------------------------

_CONSENT_ART6 = "UKGDPR-A6-1A"
_INTERESTS = ("UKGDPR-A6-1F", "UKGDPR-A6-1EA")
_PUBLIC_TASK = "UKGDPR-A6-1E"


def fitting_successors(basis, flow):
    """The successors of a DPA 1998 condition that fit this flow and its discloser, in order.

    `flow` answers `discloser_is_public_authority`, `consent_approach()`, `categories` and
    `catalogue`. A public authority re-maps consent and legitimate interests to public task (or legal
    obligation where a duty applies, which the officer adds); one Article 6 basis is proposed (the
    usual one); a flow shared without consent never gets a consent basis; Art 9(2)(a) only where
    consent is explicit; a Schedule 3 condition brings its Art 9 limb (for special category data)
    with the one Schedule 1 paragraph that limb needs, and the Part 3 (offence data) paragraphs
    only for a flow that carries criminal offence data, which also needs Art 10.
    """
    catalogue = flow.catalogue
    approach = flow.consent_approach()
    public = flow.discloser_is_public_authority
    special = DataCategory.SPECIAL_CATEGORY in flow.categories
    offences = DataCategory.CRIMINAL_OFFENCE in flow.categories
    chosen, limbs = [], []

    def chosen_of(kind, part_other_than=None):
        return [c for c in chosen if catalogue[c].kind == kind
                and (part_other_than is None or catalogue[c].sch1_part != part_other_than)]

    for code in basis.successors or ():
        entry = catalogue.get(code)
        if entry is None or entry.regime == Regime.DPA1998:
            continue
        if code in CONSENT_BASES and approach == ConsentApproach.NO_CONSENT_LAWFUL_BASIS:
            code = _PUBLIC_TASK if public and entry.kind == BasisKind.ART6 else None
        elif code == "UKGDPR-A9-2A" and approach != ConsentApproach.EXPLICIT_CONSENT:
            code = None
        elif public and (code == _CONSENT_ART6 or code in _INTERESTS):
            code = _PUBLIC_TASK
        if code is None or code in chosen:
            continue
        entry = catalogue.get(code)
        if entry.kind == BasisKind.ART6 and chosen_of(BasisKind.ART6):
            continue
        if entry.kind == BasisKind.ART9:
            if not special:
                continue
            limbs.append(code)
        if entry.kind == BasisKind.SCH1:
            if not (special or offences) or (entry.sch1_part == 3 and not offences):
                continue
            need = schedule1_needed(limbs[-1], catalogue[limbs[-1]], catalogue) if limbs else None
            if need is not None and entry.sch1_part != 3:
                if code not in need.paragraphs or any(c in need.paragraphs for c in chosen):
                    continue  # the limb's own paragraph, once: "6 or 7" becomes 6
            elif entry.sch1_part != 3 and not limbs and chosen_of(BasisKind.SCH1, part_other_than=3):
                continue
        chosen.append(code)
    if offences and chosen_of(BasisKind.SCH1) and "UKGDPR-A10" in catalogue:
        chosen.append("UKGDPR-A10")  # the Schedule 1 condition meets Art 10 as well (DPA 2018 s10(5))
    return chosen
