"""The findings engine: what is wrong, or worth knowing, about an agreement's legal footing (SPEC §3).

Pure functions over agreement-like objects (status, dates, data_location, parties with
`organisation` and `signed_on`, flows with `id`, `from_organisation`, `to_organisation`,
`categories`, `lawful_bases`, `channel`; `dpia_state` and `dpia_reference` for the DPIA rule, set by
the loaders) and a catalogue mapping code -> entry with the
LegalBasis attributes. No database access, so the pages, the API, the command line and the
register-wide "needs attention" sweep share one copy of every rule.
"""
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache

from ..agreements.rules import review_overdue
from ..agreements.lifecycle import unsigned_parties
from ..agreements.models import AgreementStatus, DataLocation
from ..dpia.rules import dpia_missing
from ..flows.models import ConsentApproach, DataCategory
from ..organisations.types import OrganisationType, StatutoryRole, has_role, may_hold
from . import law
from .law import GDPR_START, fitting_successors, judged_on, reaches
from .models import BasisKind, Regime
from .words import AndList, Joined, Label, N_, Named, Words

# The register-wide sweep asks the same few (type, role) questions hundreds of thousands of times.
_holds = lru_cache(maxsize=None)(has_role)
_may_hold = lru_cache(maxsize=None)(may_hold)

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)

PERSONAL_CATEGORIES = frozenset({DataCategory.PERSONAL, DataCategory.SPECIAL_CATEGORY, DataCategory.CRIMINAL_OFFENCE})
SENSITIVE_CATEGORIES = frozenset({DataCategory.SPECIAL_CATEGORY, DataCategory.CRIMINAL_OFFENCE})
S115 = "CDA1998-S115"
CA2004_ROLES = {"CA2004-S10": StatutoryRole.CA2004_S10_PARTNER, "CA2004-S11": StatutoryRole.CA2004_S11_BODY}
LEGITIMATE_INTERESTS = ("UKGDPR-A6-1F", "UKGDPR-A6-1EA")
CONSENT = "UKGDPR-A6-1A"
EXPLICIT_CONSENT = "UKGDPR-A9-2A"
LEGAL_OBLIGATION = "UKGDPR-A6-1C"


@dataclass(frozen=True)
class Finding:
    """One finding. `message` is a `Words`: English as a str (the API, the command line, stored
    reasons), in the reader's language on a page; the rule and severity are codes."""

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
        message = self.message
        if isinstance(message, Words) and message.text == FLOW_MESSAGE:
            return worded_capital(message.params["finding"])
        if isinstance(message, Words):
            return message.capitalised()
        text = message.removeprefix(f"{self.flow_label}: ") if self.flow_label else message
        return text[:1].upper() + text[1:]


FLOW_MESSAGE = N_("%(flow)s: %(finding)s", flow="", finding="").text  # a flow's finding, after the flow it is about


def worded_capital(message):
    return message.capitalised() if isinstance(message, Words) else message[:1].upper() + message[1:]


def findings_for(agreement, catalogue, today, on=None):
    """Every finding about `agreement`: errors first, then warnings, then info.

    Its bases are judged by the law of the day it covers (`law.judged_on`: today, or its start
    or last day when today is outside them), or of the day `on` when a question names one.
    Within a severity, agreement-wide findings come first, then each flow's in flow order,
    then by rule (the order of RULES).
    """
    if not isinstance(catalogue, Catalogue):
        catalogue = Catalogue(catalogue)
    day = on or judged_on(agreement, today)
    found = []
    for rule, severity, check in _AGREEMENT_RULES:
        for message in check(agreement, today):
            found.append((-1, Finding(rule, severity, message)))
    for position, flow in enumerate(agreement.flows):
        found.extend((position, finding) for finding in _flow_findings(agreement, flow, catalogue, today, day))
    found.sort(key=lambda item: (_SEVERITY_RANK[item[1].severity], item[0], _RULE_RANK[item[1].rule]))
    return [finding for _position, finding in found]


def flow_errors(agreement, catalogue, on, flows=None):
    """{flow id: [error Finding, ...]} for the flows with errors (of `flows`, by default all the
    agreement's), judged by the law of the day `on`."""
    if not isinstance(catalogue, Catalogue):
        catalogue = Catalogue(catalogue)
    errors = {}
    for flow in agreement.flows if flows is None else flows:
        for finding in _flow_findings(agreement, flow, catalogue, on, on):
            if finding.severity == ERROR:
                errors.setdefault(finding.flow_id, []).append(finding)
    return errors


def severity_counts(findings):
    """{"error": n, "warning": n, "info": n}."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def flow_label(flow):
    """"Hertfordshire Constabulary → Hertfordshire County Council", or "… → every other party"."""
    source = _name(flow.from_organisation)
    target = _name(flow.to_organisation) if flow.to_organisation is not None else N_("every other party")
    return N_("%(source)s → %(target)s", source=source, target=target)


# Each rule is a function yielding the messages of its findings; the tables give its id and severity.
_AGREEMENT_RULES = []
_FLOW_RULES = []


def _rule(table, rule, severity, applies=None):
    """Register a rule. `applies(facts)`, for flow rules, says from the flow's lawful bases, data
    categories and consent approach alone whether the rule can fire at all: the engine works it out
    once per combination and runs only the rules that can (a register repeats a few combinations)."""
    def register(check):
        table.append((rule, severity, check) if applies is None else (rule, severity, check, applies))
        return check

    return register


# --- the agreement as a whole -------------------------------------------------------------------


@_rule(_AGREEMENT_RULES, "unsigned-active", ERROR)
def _unsigned_active(agreement, today):
    if AgreementStatus(agreement.status) == AgreementStatus.ACTIVE:
        unsigned = [_name(party.organisation) for party in unsigned_parties(agreement)]
        if len(unsigned) == 1:
            yield N_("The agreement is active but %(parties)s has not signed it. Get every signature, or take the "
                     "agreement out of force until they are in.", parties=_and_list(unsigned))
        elif unsigned:
            yield N_("The agreement is active but %(parties)s have not signed it. Get every signature, or take the "
                     "agreement out of force until they are in.", parties=_and_list(unsigned))


@_rule(_AGREEMENT_RULES, "no-flows", ERROR)
def _no_flows(agreement, today):
    status = AgreementStatus(agreement.status)
    if status != AgreementStatus.DRAFT and not agreement.flows:
        yield N_("The agreement is past draft (%(status)s) but describes no data flows: record who shares what with "
                 "whom, why and under which lawful basis.", status=Label(status, lower=True))


@_rule(_AGREEMENT_RULES, "review-overdue", WARNING)
def _review_overdue(agreement, today):
    if review_overdue(agreement, today):
        yield N_("The review was due on %(day)s and has not been completed. Review the agreement and record the "
                 "outcome.", day=agreement.review_date)


@_rule(_AGREEMENT_RULES, "data-location", WARNING)
def _data_location(agreement, today):
    if DataLocation(agreement.data_location) == DataLocation.OTHER:
        yield N_("Data is held outside the UK and EEA. That is a restricted transfer: record the adequacy regulations "
                 "or the appropriate safeguard (such as the International Data Transfer Agreement) it relies on.")


@_rule(_AGREEMENT_RULES, "dpia-missing", WARNING)
def _dpia_missing(agreement, today):
    message = dpia_missing(agreement)
    if message:
        yield message


# --- one flow -----------------------------------------------------------------------------------


class Catalogue(Mapping):
    """The catalogue as the engine reads it: code -> entry, read-only.

    It remembers how it read each list of codes on each day, so a sweep over a register that cites
    the same few combinations on thousands of flows works each combination out once.
    """

    def __init__(self, entries):
        self._entries = dict(entries)
        self._readings = {}
        self._successors = {}
        self._rules = {}
        self.named_cache = {}  # code -> Named, made once

    def rules_for(self, facts):
        """The flow rules that can fire for a flow with these bases, categories and consent approach."""
        key = (tuple(facts.flow.lawful_bases or ()), facts.day, facts.competent, frozenset(facts.categories),
               getattr(facts.flow, "consent", None))
        rules = self._rules.get(key)
        if rules is None:
            rules = self._rules[key] = tuple(
                (rule, severity, check) for rule, severity, check, applies in _FLOW_RULES if applies(facts)
            )
        return rules

    def successors(self, basis, flow):
        """`law.fitting_successors`, worked out once per kind of flow: the sweep asks it thousands of times."""
        key = (basis.code, flow.discloser_is_public_authority, flow.consent_approach(), frozenset(flow.categories))
        found = self._successors.get(key)
        if found is None:
            found = self._successors[key] = tuple(fitting_successors(basis, flow))
        return found

    def __getitem__(self, code):
        return self._entries[code]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def get(self, code, default=None):
        return self._entries.get(code, default)

    def reading(self, codes, day, competent):
        """How a flow's lawful bases read on `day` for a discloser that is (or is not) a competent authority.

        (unknown codes, {code: entry}, {kind: codes that count}): a basis counts when it is in force
        on the day; a Part 3 basis only for a competent authority; Schedule 1 para 5 never (it is the
        appropriate-policy-document rule, not a condition).
        """
        key = (tuple(codes or ()), day, competent)
        reading = self._readings.get(key)
        if reading is None:
            unknown, bases, counting = [], {}, {}
            for code in dict.fromkeys(key[0]):
                basis = self._entries.get(code)
                if basis is None:
                    unknown.append(code)
                    continue
                bases[code] = basis
                if law.counts(basis, day, competent):
                    counting.setdefault(basis.kind, []).append(code)
            reading = self._readings[key] = (tuple(unknown), bases, counting)
        return reading


@dataclass(slots=True)
class _FlowFacts:
    """What the flow rules need, worked out once per flow."""

    agreement: object
    flow: object
    catalogue: object
    today: date
    day: date  # the day whose law the flow is judged by
    label: str
    flow_id: int | None
    discloser: object
    competent: bool  # the discloser is a competent authority (DPA 2018 s30)
    unknown: list  # codes not in the catalogue
    bases: dict  # code -> catalogue entry, in the flow's order
    categories: set
    counting: dict  # kind -> codes that count on the day

    @classmethod
    def of(cls, agreement, flow, catalogue, today, day):
        discloser = flow.from_organisation
        competent = discloser is not None and _holds(
            discloser.type, StatutoryRole.COMPETENT_AUTHORITY, bool(getattr(discloser, "law_enforcement_functions", False))
        )
        unknown, bases, counting = catalogue.reading(flow.lawful_bases, day, competent)
        return cls(
            agreement, flow, catalogue, today, day, flow_label(flow), getattr(flow, "id", None), discloser, competent,
            unknown, bases, set(flow.categories or ()),  # DataCategory members are equal to their values
            counting,
        )

    @property
    def legacy_era(self):
        """The flow is judged by the DPA 1998: the agreement ended before 25 May 2018."""
        return self.day < GDPR_START

    def of_kind(self, kind):
        return self.counting.get(kind, [])

    def named(self, code):
        return _named(code, self.catalogue)

    def consent_approach(self):
        return _consent(getattr(self.flow, "consent", None))

    @property
    def discloser_is_public_authority(self):
        return self.discloser is not None and _holds(self.discloser.type, StatutoryRole.PUBLIC_AUTHORITY)

    def discarded(self, kind):
        """The flow's bases of this kind that do not count on the day (ended, not yet in force, Part 3)."""
        return [code for code, basis in self.bases.items() if basis.kind == kind and code not in self.of_kind(kind)]

    def instead(self, kind, fallback):
        """What to cite instead: the successors of the flow's DPA 1998 conditions of this kind that fit
        the discloser and the flow, or `fallback`."""
        proposed = []
        for code in self.discarded(kind):
            basis = self.bases[code]
            if basis.regime == Regime.DPA1998:
                proposed += [c for c in self.catalogue.successors(basis, self) if c not in proposed]
        wanted = [c for c in proposed if (entry := self.catalogue.get(c)) is not None and entry.kind == kind]
        return _and_list([self.named(c) for c in (wanted or fallback)])

    def why_discarded(self, kind):
        """Why the flow's bases of this kind do not count, in a sentence (or "")."""
        notes = []
        for code in self.discarded(kind):
            basis = self.bases[code]
            if basis.kind == BasisKind.PART3 and not self.competent:
                notes.append(N_("%(code)s is a law-enforcement basis that %(organisation)s cannot rely on",
                                code=code, organisation=_name(self.discloser)))
            elif basis.in_force_to is not None and self.day > basis.in_force_to:
                notes.append(N_("%(code)s is a DPA 1998 condition, which covers processing up to %(day)s only",
                                code=code, day=basis.in_force_to))
            elif basis.in_force_from is not None and self.day < basis.in_force_from:
                notes.append(N_("%(code)s only comes into force on %(day)s", code=code, day=basis.in_force_from))
        return N_(" (%(notes)s.)", notes=Joined(notes, "; ")) if notes else ""


def _flow_findings(agreement, flow, catalogue, today, day):
    facts = _FlowFacts.of(agreement, flow, catalogue, today, day)
    for rule, severity, check in catalogue.rules_for(facts):
        for message in check(facts):
            yield Finding(rule, severity, N_(FLOW_MESSAGE, flow=facts.label, finding=message), facts.flow_id, facts.label)


@_rule(_FLOW_RULES, "unknown-basis", ERROR, applies=lambda f: bool(f.unknown))
def _unknown_basis(f):
    for code in f.unknown:
        yield N_("%(code)s is not in the lawful-basis catalogue. Correct the code or ask an administrator to add it.", code=code)


@_rule(_FLOW_RULES, "art6-missing", ERROR, applies=lambda f: bool(f.categories & PERSONAL_CATEGORIES) and not f.of_kind(BasisKind.ART6) and not f.of_kind(BasisKind.PART3))
def _art6_missing(f):
    # Law-enforcement processing under DPA 2018 Part 3 is outside UK GDPR: no Art 6 condition there.
    if not f.categories & PERSONAL_CATEGORIES or f.of_kind(BasisKind.ART6) or f.of_kind(BasisKind.PART3):
        return
    fallback = ["UKGDPR-A6-1E"] if f.discloser_is_public_authority else ["UKGDPR-A6-1F", "UKGDPR-A6-1C"]
    why, instead = f.why_discarded(BasisKind.ART6) or f.why_discarded(BasisKind.PART3), f.instead(BasisKind.ART6, fallback)
    if f.legacy_era:
        yield N_("this flow of personal data has no lawful basis that counts for it (a DPA 1998 Schedule 2 condition, "
                 "for processing before 25 May 2018)%(why)s Cite %(bases)s instead, whichever fits the sharing.",
                 why=why, bases=instead)
    else:
        yield N_("this flow of personal data has no lawful basis that counts for it: a UK GDPR Article 6 condition, or "
                 "a DPA 2018 Part 3 basis of a competent authority%(why)s Cite %(bases)s instead, whichever fits the "
                 "sharing.", why=why, bases=instead)


@_rule(_FLOW_RULES, "art9-missing", ERROR, applies=lambda f: DataCategory.SPECIAL_CATEGORY in f.categories)
def _art9_missing(f):
    if DataCategory.SPECIAL_CATEGORY not in f.categories:
        return
    part3 = f.of_kind(BasisKind.PART3)
    if f.of_kind(BasisKind.ART9) or any(law.is_schedule8(code) for code in part3):
        return
    why, instead = f.why_discarded(BasisKind.ART9), f.instead(BasisKind.ART9, ["UKGDPR-A9-2G"])
    if f.legacy_era and part3:
        yield N_("this flow includes special category data but has no Article 9 condition that counts for it (a DPA "
                 "1998 Schedule 3 condition, before 25 May 2018), nor a DPA 2018 Schedule 8 condition for its "
                 "law-enforcement processing.%(why)s Cite %(bases)s with the Schedule 1 condition it needs (for "
                 "safeguarding, UKGDPR-A9-2G with DPA2018-SCH1-18).", why=why, bases=instead)
    elif f.legacy_era:
        yield N_("this flow includes special category data but has no Article 9 condition that counts for it (a DPA "
                 "1998 Schedule 3 condition, before 25 May 2018).%(why)s Cite %(bases)s with the Schedule 1 condition "
                 "it needs (for safeguarding, UKGDPR-A9-2G with DPA2018-SCH1-18).", why=why, bases=instead)
    elif part3:
        yield N_("this flow includes special category data but has no Article 9 condition that counts for it, nor a "
                 "DPA 2018 Schedule 8 condition for its law-enforcement processing.%(why)s Cite %(bases)s with the "
                 "Schedule 1 condition it needs (for safeguarding, UKGDPR-A9-2G with DPA2018-SCH1-18).",
                 why=why, bases=instead)
    else:
        yield N_("this flow includes special category data but has no Article 9 condition that counts for it.%(why)s "
                 "Cite %(bases)s with the Schedule 1 condition it needs (for safeguarding, UKGDPR-A9-2G with "
                 "DPA2018-SCH1-18).", why=why, bases=instead)


@_rule(_FLOW_RULES, "sch1-missing", ERROR, applies=lambda f: bool(f.of_kind(BasisKind.ART9)))
def _sch1_missing(f):
    conditions = set(f.of_kind(BasisKind.SCH1))
    for code in f.of_kind(BasisKind.ART9):
        needed = law.schedule1_needed(code, f.bases[code], f.catalogue)
        if needed is None or conditions & set(needed.paragraphs):
            continue
        cited = [c for c in f.bases if f.bases[c].kind == BasisKind.SCH1]
        wrong = []
        if law.APD_RULE in cited:
            wrong.append(N_(" %(code)s is the rule that Part 2 conditions need an appropriate policy document, not a "
                            "condition.", code=law.APD_RULE))
        others = [c for c in cited if c != law.APD_RULE]
        if len(others) == 1:
            wrong.append(N_(" The flow lists %(codes)s, which does not meet %(code)s.", codes=_and_list(others), code=code))
        elif others:
            wrong.append(N_(" The flow lists %(codes)s, which do not meet %(code)s.", codes=_and_list(others), code=code))
        yield N_("%(basis)s is met only with %(needed)s (%(law)s).%(wrong)s Cite %(suggestion)s.", basis=f.named(code),
                 needed=needed.describe(f.catalogue), law=needed.law, wrong=Joined(wrong, ""),
                 suggestion=needed.suggest(f.catalogue))


@_rule(_FLOW_RULES, "art10-missing", ERROR, applies=lambda f: DataCategory.CRIMINAL_OFFENCE in f.categories)
def _art10_missing(f):
    if DataCategory.CRIMINAL_OFFENCE not in f.categories:
        return
    # Before 2018 offence data was "sensitive personal data": a Schedule 3 condition covered it.
    legacy_sensitive = f.legacy_era and any(f.bases[c].regime == Regime.DPA1998 for c in f.of_kind(BasisKind.ART9))
    if f.of_kind(BasisKind.SCH1) or f.of_kind(BasisKind.PART3) or legacy_sensitive:
        return
    why = f.why_discarded(BasisKind.PART3)
    if f.competent:
        yield N_("this flow includes criminal offence data but no DPA 2018 Schedule 1 condition (Part 1, 2 or 3) that "
                 "meets UK GDPR Article 10, nor a DPA 2018 Part 3 basis.%(why)s Cite UKGDPR-A10 with the Schedule 1 "
                 "paragraph relied on, for example DPA2018-SCH1-6 (statutory purposes) or DPA2018-SCH1-10 (preventing "
                 "or detecting unlawful acts) or, for its law-enforcement processing, DPA2018-S35.", why=why)
    else:
        yield N_("this flow includes criminal offence data but no DPA 2018 Schedule 1 condition (Part 1, 2 or 3) that "
                 "meets UK GDPR Article 10.%(why)s Cite UKGDPR-A10 with the Schedule 1 paragraph relied on, for example "
                 "DPA2018-SCH1-6 (statutory purposes) or DPA2018-SCH1-10 (preventing or detecting unlawful acts).", why=why)


@_rule(_FLOW_RULES, "part3-not-competent", ERROR, applies=lambda f: not f.competent and any(b.kind == BasisKind.PART3 for b in f.bases.values()))
def _part3_not_competent(f):
    if f.competent:
        return
    part3 = [code for code, basis in f.bases.items() if basis.kind == BasisKind.PART3]
    if not part3:
        return
    params = dict(
        bases=_and_list([f.named(c) for c in part3]), organisation=_name(f.discloser),
        kind=Label(OrganisationType(f.discloser.type), lower=True) if f.discloser is not None else N_("body"),
        basis="UKGDPR-A6-1E" if f.discloser_is_public_authority else "UKGDPR-A6-1F",
    )
    if len(part3) == 1:
        yield N_("%(bases)s is a DPA 2018 Part 3 (law enforcement) basis, which only a competent authority can rely on "
                 "(DPA 2018 s30 and Schedule 7); %(organisation)s, a %(kind)s, is not one, so it counts for nothing. "
                 "Its disclosures are made under UK GDPR: cite an Article 6 basis (%(basis)s), with UKGDPR-A10 and a "
                 "Schedule 1 condition such as DPA2018-SCH1-10 for criminal offence data. If it has statutory "
                 "law-enforcement functions, record that on the organisation.", **params)
    else:
        yield N_("%(bases)s are DPA 2018 Part 3 (law enforcement) bases, which only a competent authority can rely on "
                 "(DPA 2018 s30 and Schedule 7); %(organisation)s, a %(kind)s, is not one, so they count for nothing. "
                 "Its disclosures are made under UK GDPR: cite an Article 6 basis (%(basis)s), with UKGDPR-A10 and a "
                 "Schedule 1 condition such as DPA2018-SCH1-10 for criminal offence data. If it has statutory "
                 "law-enforcement functions, record that on the organisation.", **params)


@_rule(_FLOW_RULES, "s115-recipient", ERROR, applies=lambda f: S115 in f.bases)
def _s115_recipient(f):
    if S115 not in f.bases:
        return
    outsiders = [org for org in _recipients(f.agreement, f.flow) if not _may_hold(org.type, StatutoryRole.CDA1998_S115_AUTHORITY)]
    if outsiders:
        params = dict(
            basis=f.named(S115), recipients=_and_list([_name(o) for o in outsiders]),
            other=N_("UKGDPR-A6-1E (public task)") if f.discloser_is_public_authority else N_("UKGDPR-A6-1F (legitimate interests)"),
        )
        if len(outsiders) == 1:
            yield N_("%(basis)s only allows disclosure to a relevant authority (s115(2): the police, local policing "
                     "bodies, local authorities, probation providers and health commissioners such as integrated care "
                     "boards, or someone acting on behalf of one), and %(recipients)s is not one. Rely on another basis "
                     "for that recipient, such as %(other)s with the common-law public interest test, and remove s115 "
                     "from this flow.", **params)
        else:
            yield N_("%(basis)s only allows disclosure to a relevant authority (s115(2): the police, local policing "
                     "bodies, local authorities, probation providers and health commissioners such as integrated care "
                     "boards, or someone acting on behalf of one), and %(recipients)s are not. Rely on another basis "
                     "for those recipients, such as %(other)s with the common-law public interest test, and remove s115 "
                     "from this flow.", **params)


@_rule(_FLOW_RULES, "ca2004-body", ERROR, applies=lambda f: any(code in f.bases for code in CA2004_ROLES))
def _ca2004_body(f):
    for code, role in CA2004_ROLES.items():
        if code in f.bases and f.discloser is not None and not _holds(f.discloser.type, role):
            yield N_("%(basis)s does not cover %(organisation)s: a %(kind)s is not a %(role)s. Rely on another basis "
                     "for its disclosures (UK GDPR Article 6 and, for a charity or provider, the common-law public "
                     "interest test), and remove the section from this flow.", basis=f.named(code),
                     organisation=_name(f.discloser), kind=Label(OrganisationType(f.discloser.type), lower=True),
                     role=Label(role))


@_rule(_FLOW_RULES, "gateway-party", ERROR, applies=lambda f: any(code in law.GATEWAY_SCOPES for code in f.bases))
def _gateway_party(f):
    for code in f.bases:
        scope = law.GATEWAY_SCOPES.get(code)
        if scope is None:
            continue
        problems = []
        if scope.disclosers is not None and f.discloser is not None and not scope.covers(f.discloser.type, scope.disclosers):
            problems.append(N_("%(organisation)s is not one of the bodies it lets disclose (%(bodies)s)",
                               organisation=_name(f.discloser), bodies=scope.disclosers_text))
        if scope.recipients is not None:
            outside = [o for o in _recipients(f.agreement, f.flow) if not scope.covers(o.type, scope.recipients)]
            if len(outside) == 1:
                problems.append(N_("%(organisations)s is not %(bodies)s", organisations=_and_list([_name(o) for o in outside]),
                                   bodies=scope.recipients_text))
            elif outside:
                problems.append(N_("%(organisations)s are not %(bodies)s", organisations=_and_list([_name(o) for o in outside]),
                                   bodies=scope.recipients_text))
        if scope.either is not None:
            recipients = _recipients(f.agreement, f.flow)
            discloser_in = f.discloser is not None and scope.covers(f.discloser.type, scope.either)
            recipients_in = bool(recipients) and all(scope.covers(o.type, scope.either) for o in recipients)
            if not (discloser_in or recipients_in):
                problems.append(scope.either_text)
        if (scope.barred_disclosers is not None and f.discloser is not None and f.categories & PERSONAL_CATEGORIES
                and scope.covers(f.discloser.type, scope.barred_disclosers, uncertain=False)):
            problems.append(Words(scope.barred_text.text, {"discloser": _name(f.discloser)}))
        if problems:
            yield N_("%(basis)s does not cover this flow: %(problems)s. Rely on another basis, and remove it from this flow.",
                     basis=f.named(code), problems=Joined(problems, "; "))


@_rule(_FLOW_RULES, "channel-unapproved", ERROR, applies=lambda f: bool(f.categories & SENSITIVE_CATEGORIES))
def _channel_unapproved(f):
    channel = f.flow.channel
    if channel is not None and channel.special_category_approved:
        return
    what = _sensitive_words(frozenset(f.categories & SENSITIVE_CATEGORIES))
    if channel is None:
        yield N_("%(data)s is shared but no transfer channel is recorded. Choose a channel approved for special category "
                 "and criminal offence data.", data=what)
    elif not channel.special_category_approved:
        yield N_("%(data)s is sent by %(channel)s, which is not approved for special category or criminal offence data. "
                 "Choose an approved channel.", data=what, channel=channel.name)


@_rule(_FLOW_RULES, "legacy-basis", WARNING, applies=lambda f: any(b.regime == Regime.DPA1998 for b in f.bases.values()))
def _legacy_basis(f):
    if not reaches(f.agreement, GDPR_START, f.today):
        return
    for code, basis in f.bases.items():
        if basis.regime != Regime.DPA1998:
            continue
        successors = f.catalogue.successors(basis, f)
        named = _and_list([f.named(s) for s in successors])
        if len(successors) > 1:
            advice = N_("Its successors for this flow are %(bases)s.", bases=named)
        elif successors:
            advice = N_("Its successor for this flow is %(bases)s.", bases=named)
        else:
            advice = N_("Replace it with a basis in force today.")
        yield N_("%(basis)s covers processing up to %(day)s only, and the agreement is in force after then. %(advice)s "
                 "Re-map the agreement's DPA 1998 bases in one step from its page.", basis=f.named(code),
                 day=basis.in_force_to or law.DPA1998_END, advice=advice)


@_rule(_FLOW_RULES, "basis-not-yet-in-force", WARNING, applies=lambda f: any(b.in_force_from is not None and b.in_force_from > f.day for b in f.bases.values()))
def _basis_not_yet_in_force(f):
    for code, basis in f.bases.items():
        begins = basis.in_force_from
        if begins is not None and begins > f.day:
            yield N_("%(basis)s only comes into force on %(day)s. Until then rely on another basis.", basis=f.named(code), day=begins)


@_rule(_FLOW_RULES, "public-authority-6f", WARNING, applies=lambda f: any(code in f.bases for code in LEGITIMATE_INTERESTS))
def _public_authority_6f(f):
    if not f.discloser_is_public_authority:
        return
    for code in LEGITIMATE_INTERESTS:
        if code in f.bases:
            yield N_("%(organisation)s is a public authority and relies on %(basis)s, which a public authority cannot "
                     "use for its public tasks. Use UKGDPR-A6-1E (public task) or UKGDPR-A6-1C (legal obligation) unless "
                     "the sharing is outside its public tasks.", organisation=_name(f.discloser), basis=f.named(code))


@_rule(_FLOW_RULES, "public-authority-consent", WARNING, applies=lambda f: CONSENT in f.bases)
def _public_authority_consent(f):
    if CONSENT in f.bases and f.discloser_is_public_authority:
        yield N_("%(organisation)s is a public authority and relies on %(basis)s. Consent is rarely valid where there "
                 "is an imbalance of power, and sharing must stop if it is withdrawn: consider UKGDPR-A6-1E (public "
                 "task), and keep consent as good practice or for confidentiality.", organisation=_name(f.discloser),
                 basis=f.named(CONSENT))


@_rule(_FLOW_RULES, "consent-mismatch", WARNING, applies=lambda f: EXPLICIT_CONSENT in f.bases or any(code in f.bases for code in law.CONSENT_BASES))
def _consent_mismatch(f):
    approach = f.consent_approach()
    if approach == ConsentApproach.NO_CONSENT_LAWFUL_BASIS:
        relied = [code for code in law.CONSENT_BASES if code in f.bases]
        if relied:
            yield N_("the flow shares without consent, under another lawful basis, yet cites %(bases)s. Remove the "
                     "consent bases, or change the consent approach if consent is in fact sought.",
                     bases=_and_list([f.named(c) for c in relied]))
    elif approach == ConsentApproach.CONSENT and EXPLICIT_CONSENT in f.bases:
        yield N_("%(basis)s needs explicit consent, but the flow's consent approach is consent. Record explicit consent "
                 "as the approach, or rely on another Article 9 condition.", basis=f.named(EXPLICIT_CONSENT))


@_rule(_FLOW_RULES, "legal-obligation-power", WARNING, applies=lambda f: LEGAL_OBLIGATION in f.bases)
def _legal_obligation_power(f):
    if LEGAL_OBLIGATION not in f.bases:
        return
    gateways = [code for code, basis in f.bases.items() if basis.kind == BasisKind.GATEWAY]
    if gateways and all(code in law.POWERS for code in gateways):
        params = dict(basis=f.named(LEGAL_OBLIGATION), gateways=_and_list(gateways))
        if len(gateways) == 1:
            yield N_("%(basis)s needs a legal duty to share, but %(gateways)s gives a power, not a duty. Cite "
                     "UKGDPR-A6-1E (public task) with the power, or name the law that imposes the duty.", **params)
        else:
            yield N_("%(basis)s needs a legal duty to share, but %(gateways)s give a power, not a duty. Cite "
                     "UKGDPR-A6-1E (public task) with the power, or name the law that imposes the duty.", **params)


@_rule(_FLOW_RULES, "apd-needed", INFO, applies=lambda f: bool(f.of_kind(BasisKind.SCH1) or f.of_kind(BasisKind.PART3)))
def _apd_needed(f):
    needs_policy = [
        code for code in f.of_kind(BasisKind.SCH1) + f.of_kind(BasisKind.PART3) if f.bases[code].needs_apd
    ]
    if needs_policy:
        params = dict(codes=_and_list(needs_policy),
                      organisation=_name(f.discloser) if f.discloser is not None else N_("the discloser"))
        if len(needs_policy) == 1:
            yield N_("%(codes)s needs an appropriate policy document: check that %(organisation)s has one in place.", **params)
        else:
            yield N_("%(codes)s need an appropriate policy document: check that %(organisation)s has one in place.", **params)


# Every rule the engine knows, with its severity, in the order findings are listed within a severity.
RULES = tuple(entry[0] for entry in _AGREEMENT_RULES + _FLOW_RULES)
RULE_SEVERITY = {entry[0]: entry[1] for entry in _AGREEMENT_RULES + _FLOW_RULES}
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
    return getattr(organisation, "name", None) or N_("an unknown organisation")


def _named(code, catalogue):
    """"CODE (title)", the title read when the finding is shown (in the reader's language)."""
    cache = getattr(catalogue, "named_cache", None)
    if cache is None:
        return Named(code, catalogue.get(code))
    named = cache.get(code)
    if named is None:
        named = cache[code] = Named(code, catalogue.get(code))
    return named


@lru_cache(maxsize=None)
def _sensitive_words(categories):
    return _and_list([Label(DataCategory(c), lower=True) for c in sorted(categories)])


@lru_cache(maxsize=None)
def _consent(value):
    return ConsentApproach(value) if value else None


def _and_list(items):
    """"A, B and C", joined in the language it is shown in."""
    return AndList(items)


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


def grouped_by_rule(findings):
    """Findings that say the same thing gathered once, with the flows they touch.

    Returns (severity, rule, detail, [(flow_id, flow_label), ...]) tuples, errors first, in the
    order they come: a warning raised by eleven flows reads once, with eleven links.
    """
    groups = {}
    for finding in findings:
        key = (finding.severity, finding.rule, finding.detail)
        flows = groups.setdefault(key, [])
        if finding.flow_id is not None and (finding.flow_id, finding.flow_label) not in flows:
            flows.append((finding.flow_id, finding.flow_label))
    ordered = sorted(groups.items(), key=lambda item: SEVERITY_ORDER.index(item[0][0]) if item[0][0] in SEVERITY_ORDER else 99)
    return [(severity, rule, detail, flows) for (severity, rule, detail), flows in ordered]
