"""The findings engine: what is wrong, or worth knowing, about an agreement's legal footing (SPEC §3).

Pure functions over agreement-like objects (status, dates, data_location, parties with
`organisation` and `signed_on`, flows with `id`, `from_organisation`, `to_organisation`,
`categories`, `lawful_bases`, `channel`) and a catalogue mapping code -> entry with the
LegalBasis attributes. No database access, so the pages, the API, the command line and the
register-wide "needs attention" sweep share one copy of every rule.
"""
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache

from ..agreements.lifecycle import unsigned_parties
from ..agreements.models import AgreementStatus, DataLocation
from ..flows.models import DataCategory
from ..organisations.types import OrganisationType, StatutoryRole, has_role
from .models import BasisKind, Regime

# The register-wide sweep asks the same few (type, role) questions hundreds of thousands of times.
_holds = lru_cache(maxsize=None)(has_role)

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)

# UK GDPR and DPA 2018 replaced the DPA 1998 on this day.
GDPR_START = date(2018, 5, 25)

PERSONAL_CATEGORIES = frozenset({DataCategory.PERSONAL, DataCategory.SPECIAL_CATEGORY, DataCategory.CRIMINAL_OFFENCE})
SCH1_PARTS = {
    1: "Part 1 (employment, health and social care, public health, research: paras 1 to 4)",
    2: "Part 2 (substantial public interest: paras 6 to 28)",
    3: "Part 3 (criminal convictions: paras 29 to 37)",
}
S115 = "CDA1998-S115"
CA2004_ROLES = {"CA2004-S10": StatutoryRole.CA2004_S10_PARTNER, "CA2004-S11": StatutoryRole.CA2004_S11_BODY}
LEGITIMATE_INTERESTS = ("UKGDPR-A6-1F", "UKGDPR-A6-1EA")
CONSENT = "UKGDPR-A6-1A"
SCH8_PREFIX = "DPA2018-SCH8-"  # DPA 2018 Schedule 8: conditions for sensitive law-enforcement processing


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error, warning or info
    message: str
    flow_id: int | None = None  # None: about the agreement as a whole
    flow_label: str | None = None

    def as_dict(self):
        return asdict(self)

    @property
    def detail(self):
        """The message without the flow it names, for pages that show the flow beside it."""
        text = self.message.removeprefix(f"{self.flow_label}: ") if self.flow_label else self.message
        return text[:1].upper() + text[1:]


def findings_for(agreement, catalogue, today):
    """Every finding about `agreement`: errors first, then warnings, then info.

    Within a severity, agreement-wide findings come first, then each flow's in flow order,
    then by rule (the order of RULES).
    """
    if not isinstance(catalogue, Catalogue):
        catalogue = Catalogue(catalogue)
    found = []
    for rule, severity, check in _AGREEMENT_RULES:
        for message in check(agreement, today):
            found.append((-1, Finding(rule, severity, message)))
    in_force = AgreementStatus(agreement.status).in_force
    for position, flow in enumerate(agreement.flows):
        facts = _FlowFacts.of(agreement, in_force, flow, catalogue, today)
        for rule, severity, check in _FLOW_RULES:
            for message in check(facts):
                found.append((position, Finding(rule, severity, f"{facts.label}: {message}", facts.flow_id, facts.label)))
    found.sort(key=lambda item: (_SEVERITY_RANK[item[1].severity], item[0], _RULE_RANK[item[1].rule]))
    return [finding for _position, finding in found]


def severity_counts(findings):
    """{"error": n, "warning": n, "info": n}."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def flow_label(flow):
    """"Hertfordshire Constabulary → Hertfordshire County Council", or "… → every other party"."""
    source = _name(flow.from_organisation)
    target = _name(flow.to_organisation) if flow.to_organisation is not None else "every other party"
    return f"{source} → {target}"


# Each rule is a function yielding the messages of its findings; the tables give its id and severity.
_AGREEMENT_RULES = []
_FLOW_RULES = []


def _rule(table, rule, severity):
    def register(check):
        table.append((rule, severity, check))
        return check

    return register


# --- the agreement as a whole -------------------------------------------------------------------


@_rule(_AGREEMENT_RULES, "unsigned-active", ERROR)
def _unsigned_active(agreement, today):
    if AgreementStatus(agreement.status) == AgreementStatus.ACTIVE:
        unsigned = [_name(party.organisation) for party in unsigned_parties(agreement)]
        if unsigned:
            yield (
                f"The agreement is active but {_and_list(unsigned)} {'has' if len(unsigned) == 1 else 'have'} not "
                "signed it. Get every signature, or take the agreement out of force until they are in."
            )


@_rule(_AGREEMENT_RULES, "no-flows", ERROR)
def _no_flows(agreement, today):
    status = AgreementStatus(agreement.status)
    if status != AgreementStatus.DRAFT and not agreement.flows:
        yield (
            f"The agreement is past draft ({status.label.lower()}) but describes no data flows: record who shares "
            "what with whom, why and under which lawful basis."
        )


@_rule(_AGREEMENT_RULES, "review-overdue", WARNING)
def _review_overdue(agreement, today):
    if AgreementStatus(agreement.status).in_force and agreement.review_date < today:
        yield (
            f"The review was due on {_day(agreement.review_date)} and has not been completed. "
            "Review the agreement and record the outcome."
        )


@_rule(_AGREEMENT_RULES, "data-location", WARNING)
def _data_location(agreement, today):
    if DataLocation(agreement.data_location) == DataLocation.OTHER:
        yield (
            "Data is held outside the UK and EEA. That is a restricted transfer: record the adequacy regulations "
            "or the appropriate safeguard (such as the International Data Transfer Agreement) it relies on."
        )


# --- one flow -----------------------------------------------------------------------------------


class Catalogue(Mapping):
    """The catalogue as the engine reads it: code -> entry, read-only.

    It remembers how it read each list of codes, so a sweep over a register that cites the same
    few combinations on thousands of flows looks each combination up once.
    """

    def __init__(self, entries):
        self._entries = dict(entries)
        self._readings = {}

    def __getitem__(self, code):
        return self._entries[code]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def get(self, code, default=None):
        return self._entries.get(code, default)

    def reading(self, codes, legacy_era):
        """(unknown codes, {code: entry}, {kind: codes that count}) for a flow's lawful bases."""
        key = (tuple(codes or ()), legacy_era)
        reading = self._readings.get(key)
        if reading is None:
            unknown, bases, by_kind = [], {}, {}
            for code in dict.fromkeys(key[0]):
                basis = self._entries.get(code)
                if basis is None:
                    unknown.append(code)
                    continue
                bases[code] = basis
                if legacy_era or basis.regime != Regime.DPA1998:
                    by_kind.setdefault(basis.kind, []).append(code)
            reading = self._readings[key] = (tuple(unknown), bases, by_kind)
        return reading


@dataclass(slots=True)
class _FlowFacts:
    """What the flow rules need, worked out once per flow."""

    agreement: object
    flow: object
    catalogue: object
    today: date
    label: str
    flow_id: int | None
    discloser: object
    unknown: list  # codes not in the catalogue
    bases: dict  # code -> catalogue entry, in the flow's order
    categories: set
    legacy_era: bool  # the agreement started under the DPA 1998
    in_force: bool  # the agreement is active or under review
    by_kind: dict  # kind -> codes that count under the agreement's regime

    @classmethod
    def of(cls, agreement, in_force, flow, catalogue, today):
        # Before 25 May 2018 the DPA 1998 schedules were the conditions; from then, UK GDPR and DPA 2018.
        legacy_era = agreement.start_date < GDPR_START
        unknown, bases, by_kind = catalogue.reading(flow.lawful_bases, legacy_era)
        return cls(
            agreement, flow, catalogue, today, flow_label(flow), getattr(flow, "id", None), flow.from_organisation,
            unknown, bases, set(flow.categories or ()),  # DataCategory members are equal to their values
            legacy_era, in_force, by_kind,
        )

    def in_force_after(self, day):
        """Whether the agreement starts after `day`, or is still in force today and today is after it."""
        return self.agreement.start_date > day or (self.in_force and self.today > day)

    def of_kind(self, kind):
        return self.by_kind.get(kind, [])

    def named(self, code):
        return _named(code, self.catalogue)

    def discarded_note(self, kind):
        """Why a DPA 1998 condition of this kind did not count, for an agreement started after it."""
        discarded = [code for code, basis in self.bases.items() if basis.kind == kind and code not in self.of_kind(kind)]
        if not discarded:
            return ""
        verb = "is a DPA 1998 condition, which no longer counts" if len(discarded) == 1 else "are DPA 1998 conditions, which no longer count"
        return f" ({_and_list(discarded)} {verb} for an agreement starting after 24 May 2018.)"

    @property
    def discloser_is_public_authority(self):
        return self.discloser is not None and _holds(self.discloser.type, StatutoryRole.PUBLIC_AUTHORITY)


@_rule(_FLOW_RULES, "unknown-basis", ERROR)
def _unknown_basis(f):
    for code in f.unknown:
        yield f"{code} is not in the lawful-basis catalogue. Correct the code or ask an administrator to add it."


@_rule(_FLOW_RULES, "art6-missing", ERROR)
def _art6_missing(f):
    # Law-enforcement processing under DPA 2018 Part 3 is outside UK GDPR: no Art 6 condition there.
    if f.categories & PERSONAL_CATEGORIES and not f.of_kind(BasisKind.ART6) and not f.of_kind(BasisKind.PART3):
        yield (
            "this flow of personal data has no UK GDPR Article 6 lawful basis"
            + (" (or DPA 1998 Schedule 2 condition)" if f.legacy_era else "")
            + ". Add one, for example UKGDPR-A6-1E (public task)."
            + f.discarded_note(BasisKind.ART6)
        )


@_rule(_FLOW_RULES, "art9-missing", ERROR)
def _art9_missing(f):
    if DataCategory.SPECIAL_CATEGORY not in f.categories:
        return
    part3 = f.of_kind(BasisKind.PART3)
    if not f.of_kind(BasisKind.ART9) and not any(code.startswith(SCH8_PREFIX) for code in part3):
        yield (
            "this flow includes special category data but has no UK GDPR Article 9 condition"
            + (" (or DPA 1998 Schedule 3 condition)" if f.legacy_era else "")
            + (" or DPA 2018 Schedule 8 condition for its law-enforcement processing" if part3 else "")
            + ". Add one, for example UKGDPR-A9-2G (substantial public interest) with DPA2018-SCH1-18 (safeguarding)."
            + f.discarded_note(BasisKind.ART9)
        )


@_rule(_FLOW_RULES, "sch1-missing", ERROR)
def _sch1_missing(f):
    parts = {f.bases[code].sch1_part for code in f.of_kind(BasisKind.SCH1)}
    for code, basis in f.bases.items():
        part = basis.needs_sch1_part
        if part and part not in parts:
            yield (
                f"{f.named(code)} needs a condition in DPA 2018 Schedule 1 {SCH1_PARTS.get(part, f'Part {part}')}, "
                "and the flow lists none. Add the paragraph relied on."
            )


@_rule(_FLOW_RULES, "art10-missing", ERROR)
def _art10_missing(f):
    if DataCategory.CRIMINAL_OFFENCE not in f.categories:
        return
    art10 = f.of_kind(BasisKind.ART10)
    # Before 2018 offence data was "sensitive personal data": a Schedule 3 condition covered it.
    legacy_sensitive = f.legacy_era and any(f.bases[code].regime == Regime.DPA1998 for code in f.of_kind(BasisKind.ART9))
    if (art10 and f.of_kind(BasisKind.SCH1)) or f.of_kind(BasisKind.PART3) or legacy_sensitive:
        return
    problem = (
        f"cites {_and_list(art10)} but no DPA 2018 Schedule 1 condition to go with it, nor a DPA 2018 Part 3 basis"
        if art10
        else "has neither UK GDPR Article 10 with a DPA 2018 Schedule 1 condition nor a DPA 2018 Part 3 "
        "(law enforcement) basis such as DPA2018-S35"
    )
    yield (
        f"this flow includes criminal offence data but {problem}. Add UKGDPR-A10 and the Schedule 1 paragraph "
        "relied on (for example DPA2018-SCH1-10 or DPA2018-SCH1-36), or the Part 3 basis."
    )


@_rule(_FLOW_RULES, "s115-recipient", ERROR)
def _s115_recipient(f):
    if S115 not in f.bases:
        return
    outsiders = [org for org in _recipients(f.agreement, f.flow) if not _holds(org.type, StatutoryRole.CDA1998_S115_AUTHORITY)]
    if outsiders:
        one = len(outsiders) == 1
        yield (
            f"{f.named(S115)} only allows disclosure to a relevant authority, and {_and_list([_name(o) for o in outsiders])} "
            f"{'is not one' if one else 'are not'}. Rely on another basis for {'that recipient' if one else 'those recipients'}."
        )


@_rule(_FLOW_RULES, "ca2004-body", ERROR)
def _ca2004_body(f):
    for code, role in CA2004_ROLES.items():
        if code in f.bases and f.discloser is not None and not _holds(f.discloser.type, role):
            yield (
                f"{f.named(code)} does not cover {_name(f.discloser)}: "
                f"a {OrganisationType(f.discloser.type).label.lower()} is not a {role.label}. "
                "Rely on another basis for its disclosures."
            )


@_rule(_FLOW_RULES, "channel-unapproved", ERROR)
def _channel_unapproved(f):
    if DataCategory.SPECIAL_CATEGORY not in f.categories:
        return
    channel = f.flow.channel
    if channel is None:
        yield "special category data is shared but no transfer channel is recorded. Choose a channel approved for special category data."
    elif not channel.special_category_approved:
        yield (
            f"special category data is sent by {channel.name}, which is not approved for special category data. "
            "Choose an approved channel."
        )


@_rule(_FLOW_RULES, "legacy-basis", WARNING)
def _legacy_basis(f):
    for code, basis in f.bases.items():
        ended = basis.in_force_to
        if ended is None or not f.in_force_after(ended):
            continue
        successors = [s for s in (basis.successors or ()) if s != code]
        named = _and_list([f.named(s) for s in successors])
        if len(successors) > 1:
            advice = f"Its usual successors are {named}: re-map it to those that fit this flow."
        elif successors:
            advice = f"Its usual successor is {named}."
        else:
            advice = "Replace it with a basis in force today."
        yield f"{f.named(code)} ceased to apply after {_day(ended)}, but the agreement is in force after then. {advice}"


@_rule(_FLOW_RULES, "basis-not-yet-in-force", WARNING)
def _basis_not_yet_in_force(f):
    for code, basis in f.bases.items():
        begins = basis.in_force_from
        if begins is not None and begins > max(f.today, f.agreement.start_date):
            yield f"{f.named(code)} only comes into force on {_day(begins)}. Until then rely on another basis."


@_rule(_FLOW_RULES, "public-authority-6f", WARNING)
def _public_authority_6f(f):
    if not f.discloser_is_public_authority:
        return
    for code in LEGITIMATE_INTERESTS:
        if code in f.bases:
            yield (
                f"{_name(f.discloser)} is a public authority and relies on {f.named(code)}, which a public "
                "authority cannot use for its public tasks. Use UKGDPR-A6-1E (public task) or UKGDPR-A6-1C "
                "(legal obligation) unless the sharing is outside its public tasks."
            )


@_rule(_FLOW_RULES, "public-authority-consent", WARNING)
def _public_authority_consent(f):
    if CONSENT in f.bases and f.discloser_is_public_authority:
        yield (
            f"{_name(f.discloser)} is a public authority and relies on {f.named(CONSENT)}. Consent is "
            "rarely valid where there is an imbalance of power, and sharing must stop if it is withdrawn: "
            "consider UKGDPR-A6-1E (public task), and keep consent as good practice or for confidentiality."
        )


@_rule(_FLOW_RULES, "apd-needed", INFO)
def _apd_needed(f):
    needs_policy = [code for code in f.of_kind(BasisKind.SCH1) + f.of_kind(BasisKind.PART3) if f.bases[code].needs_apd]
    if needs_policy:
        yield (
            f"{_and_list(needs_policy)} {'needs' if len(needs_policy) == 1 else 'need'} an appropriate policy document: "
            f"check that {_name(f.discloser) if f.discloser is not None else 'the discloser'} has one in place."
        )


# Every rule the engine knows, with its severity, in the order findings are listed within a severity.
RULES = tuple(rule for rule, _severity, _check in _AGREEMENT_RULES + _FLOW_RULES)
RULE_SEVERITY = {rule: severity for rule, severity, _check in _AGREEMENT_RULES + _FLOW_RULES}
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
_RULE_RANK = {rule: rank for rank, rule in enumerate(RULES)}


# --- wording helpers ----------------------------------------------------------------------------


def _recipients(agreement, flow):
    if flow.to_organisation is not None:
        return [flow.to_organisation]
    source = flow.from_organisation
    return [p.organisation for p in agreement.parties if p.organisation is not None and not _same(p.organisation, source)]


def _same(one, other):
    if one is other:
        return True
    one_id = getattr(one, "id", None)
    return one_id is not None and one_id == getattr(other, "id", None)


def _name(organisation):
    return getattr(organisation, "name", None) or "an unknown organisation"


def _named(code, catalogue):
    basis = catalogue.get(code)
    return f"{code} ({basis.title})" if basis is not None else code


def _day(value):
    return f"{value.day} {value:%B %Y}"


def _and_list(items, conjunction="and"):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


SEVERITY_ORDER = ("error", "warning", "info")


def grouped_by_flow(findings):
    """Findings gathered per flow (the agreement-wide ones first), in the order they come.

    Returns (label or None, findings, counts by severity) tuples, for pages that show each
    flow's findings together instead of one long list.
    """
    groups = {}
    for finding in findings:
        key = (finding.flow_id, finding.flow_label)
        groups.setdefault(key, []).append(finding)
    ordered = sorted(groups.items(), key=lambda item: item[0][0] is not None)  # stable: whole agreement first
    result = []
    for (_flow_id, label), items in ordered:
        items = sorted(items, key=lambda f: SEVERITY_ORDER.index(f.severity))
        counts = {severity: sum(1 for f in items if f.severity == severity) for severity in SEVERITY_ORDER}
        result.append((label, items, counts))
    return result
