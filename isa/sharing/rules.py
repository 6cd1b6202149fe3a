"""The permitted-purpose rule (SPEC §4): may organisation A share data category C with B for P on D?

Pure functions over plain rows (the candidate agreements between A and B with their flows, loaded
by `queries.load_candidates`) and a catalogue mapping code -> entry with `title` and `summary`.
No Flask and no database here, so the check page, the JSON API and any other caller share one
copy of the rule and of the reasons it gives.
"""
import difflib
from dataclasses import dataclass, field
from datetime import date

from ..agreements.rules import IN_FORCE, in_force_on, review_overdue
from ..agreements.models import AgreementStatus
from ..flows.models import ConsentApproach, DataCategory, Frequency
from .wording import Said

# Reason codes: stable ids for the API and the check log, in the order a practitioner meets them.
NO_AGREEMENT = "no-agreement"  # no agreement has both organisations as parties
NOT_IN_FORCE = "not-in-force"  # the agreement's status or dates do not cover the day
NOT_SIGNED = "not-signed"  # the discloser or the recipient has not signed
DIRECTION = "direction"  # no flow goes from the discloser to the recipient
CATEGORY = "category"  # flows go that way, but none covers the data category
PURPOSE = "purpose"  # flows cover the category, but none lists the purpose
LEGAL_ERRORS = "legal_errors"  # the flows that cover it have error findings: no lawful basis that counts
REASON_CODES = (NO_AGREEMENT, NOT_IN_FORCE, NOT_SIGNED, DIRECTION, CATEGORY, PURPOSE, LEGAL_ERRORS)
_CATEGORY_VALUES = frozenset(c.value for c in DataCategory)

# Reasons and notes are `Said` sentences (see wording.py): English as str, `.text` in the reader's language.
ANONYMISED_NOTE = Said("anonymised")
AD_HOC_REMINDER = Said("ad-hoc")


@dataclass(frozen=True)
class Org:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Question:
    discloser: Org
    recipient: Org
    category: DataCategory
    purpose: str | None
    on: date

    def as_dict(self):
        return {
            "discloser": self.discloser.slug, "recipient": self.recipient.slug, "category": self.category.value,
            "purpose": self.purpose, "on": self.on.isoformat(),
        }


@dataclass
class CandidateFlow:
    id: int
    from_id: int
    to_id: int | None  # None: to every other party
    categories: list
    items: str
    purposes: list
    lawful_bases: list
    frequency: str
    consent: str
    channel_slug: str | None = None
    channel_name: str | None = None
    # For the findings engine: the organisations and channel as objects (set by the loader).
    from_organisation: object = None
    to_organisation: object = None
    channel: object = None


@dataclass
class Candidate:
    """An agreement that has both the discloser and the recipient as parties."""

    id: int
    reference: str
    title: str
    status: str
    start_date: date
    review_date: date
    end_date: date | None
    discloser_signed_on: date | None
    recipient_signed_on: date | None
    flows: list = field(default_factory=list)
    parties: list = field(default_factory=list)  # objects with organisation and signed_on, for the findings
    version: int | None = None  # the protocol version the answer comes from
    awaiting_version: int | None = None  # a newer version awaiting signatures, when the answer comes from an older one
    flow_errors: dict = field(default_factory=dict)  # flow id -> [Finding] of severity error, judged on the day asked
    data_location: str = "uk"
    signed_by_organisation: dict | None = None  # organisation id -> signed_on, when answering from a signed version


@dataclass(frozen=True)
class Basis:
    code: str
    title: str | None  # None: a code missing from the catalogue
    summary: str | None


@dataclass
class Match:
    """One flow of one agreement that covers the question."""

    reference: str
    title: str
    status: str
    flow_id: int
    items: str
    categories: list
    purposes: list
    lawful_bases: list  # [Basis]
    channel_slug: str | None
    channel_name: str | None
    consent: str
    frequency: str
    review_date: date
    review_overdue: bool  # a warning for the owner, not a refusal
    version: int | None = None  # the protocol version answered from
    awaiting_version: int | None = None  # a newer version awaiting signatures

    @property
    def consent_label(self):
        return ConsentApproach(self.consent).label

    @property
    def frequency_label(self):
        return Frequency(self.frequency).label

    @property
    def status_member(self):
        return AgreementStatus(self.status)

    def as_dict(self):
        return {
            "agreement": self.reference, "title": self.title, "status": self.status, "flow_id": self.flow_id,
            "items": self.items, "categories": list(self.categories), "purposes": list(self.purposes),
            "lawful_bases": [{"code": b.code, "title": b.title, "summary": b.summary} for b in self.lawful_bases],
            "channel": {"slug": self.channel_slug, "name": self.channel_name} if self.channel_slug else None,
            "consent": self.consent, "frequency": self.frequency,
            "review_date": self.review_date.isoformat(), "review_overdue": self.review_overdue,
            "version": self.version, "awaiting_version": self.awaiting_version,
        }


@dataclass(frozen=True)
class Reason:
    code: str  # one of REASON_CODES
    message: str  # in English (a Said): what the API and the check log carry
    agreement: str | None = None  # the reference the reason is about; None for the register as a whole
    findings: tuple = ()  # for legal_errors: the error findings of the flows that would have covered it

    @property
    def text(self):
        """The reason in the reader's language."""
        return self.message.text if isinstance(self.message, Said) else self.message

    def as_dict(self):
        return {
            "code": self.code, "message": str(self.message), "agreement": self.agreement,
            "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message} for f in self.findings],
        }


# An answer lists at most this many matching flows and reasons: a pair of organisations with
# hundreds of agreements and flows would otherwise make an answer of megabytes for every check.
MAX_MATCHES = 50
MAX_REASONS = 50


@dataclass
class Answer:
    question: Question
    matches: list  # [Match], the first MAX_MATCHES
    reasons: list  # [Reason], only when nothing matches; the first MAX_REASONS
    notes: list = field(default_factory=list)  # things to know whatever the answer (a version awaiting signatures…)
    truncated: bool = False  # more matches or reasons than listed: a note says how many
    # When the purpose alone stood in the way: the purposes that would have matched, nearest first.
    nearest_purposes: list = field(default_factory=list)

    @classmethod
    def capped(cls, question, matches, reasons, notes, nearest_purposes=()):
        """The answer with at most MAX_MATCHES matches and MAX_REASONS reasons, and a note saying what it left out."""
        notes = list(notes)
        omitted_matches, omitted_reasons = max(len(matches) - MAX_MATCHES, 0), max(len(reasons) - MAX_REASONS, 0)
        if omitted_matches:
            notes.append(Said("more-matches", num=omitted_matches, limit=MAX_MATCHES))
        if omitted_reasons:
            notes.append(Said("more-reasons", num=omitted_reasons, limit=MAX_REASONS))
        return cls(question, matches[:MAX_MATCHES], reasons[:MAX_REASONS], notes, bool(omitted_matches or omitted_reasons),
                   list(nearest_purposes))

    @property
    def permitted(self):
        return bool(self.matches)

    @property
    def references(self):
        return list(dict.fromkeys(match.reference for match in self.matches))

    @property
    def reasons_by_agreement(self):
        """[(agreement reference or None, [Reason])], in the reasons' order: the agreements in force first."""
        grouped = {}
        for reason in self.reasons:
            grouped.setdefault(reason.agreement, []).append(reason)
        return list(grouped.items())

    def as_dict(self):
        return {
            "permitted": self.permitted,
            "question": self.question.as_dict(),
            "matches": [match.as_dict() for match in self.matches],
            "reasons": [reason.as_dict() for reason in self.reasons],
            "notes": list(self.notes),
            "advice": None if self.permitted else AD_HOC_REMINDER,
            "truncated": self.truncated,
            "nearest_purposes": list(self.nearest_purposes),
        }


# --- the rule -----------------------------------------------------------------------------------


def answer(question, candidates, catalogue, judge=None):
    """The answer to `question` from the agreements between its two organisations.

    Permitted when an agreement is in force on the day, both organisations had signed it by then,
    and a flow from the discloser to the recipient (or to every party) covers the category, lists
    the purpose when one is asked about, and has no error finding (an error means the flow has no
    lawful basis that counts). Otherwise every candidate says why it does not serve. A candidate
    whose amendment awaits signatures answers from the version every party signed.

    `judge(candidate, flows)` gives {flow id: [error findings]} for the flows that would serve (the
    findings engine, judging by the law of the day asked about); without it, `candidate.flow_errors`.
    """
    matches, reasons, notes, would_match = [], [], [], []
    if DataCategory(question.category) == DataCategory.ANONYMISED:
        notes.append(ANONYMISED_NOTE)
    for candidate in sorted(candidates, key=lambda c: c.reference):
        if candidate.awaiting_version is not None:
            notes.append(Said("awaiting-signatures", reference=candidate.reference, awaiting=candidate.awaiting_version,
                              version=candidate.version))
        problems = agreement_problems(candidate, question)
        covering, flow_problem = covering_flows(candidate, question)
        if judge is not None and covering and not problems:
            candidate.flow_errors = judge(candidate, covering)
        sound = [flow for flow in covering if not candidate.flow_errors.get(flow.id)]
        if not problems and sound:
            matches.extend(_match(candidate, flow, question, catalogue) for flow in sound)
            continue
        reasons.extend(problems)
        if flow_problem is not None:
            reasons.append(flow_problem)
            if flow_problem.code == PURPOSE and not problems:  # in force and signed: only the wording differs
                would_match += [p for flow in candidate.flows if goes_to(flow, question)
                                and covers_category(flow, question.category) for p in flow.purposes]
        elif covering and not sound:
            reasons.append(_legal_errors(candidate, covering))
    if matches:
        return Answer.capped(question, matches, [], notes)
    if not candidates:
        reasons = [Reason(NO_AGREEMENT, Said("no-agreement", discloser=question.discloser.name, recipient=question.recipient.name))]
    # The agreements that could serve come first; those not in force (superseded, terminated...) after them.
    not_in_force = {reason.agreement for reason in reasons if reason.code == NOT_IN_FORCE}
    reasons = sorted(reasons, key=lambda reason: reason.agreement in not_in_force)
    return Answer.capped(question, [], reasons, notes, nearest_purposes(question.purpose, would_match))


def nearest_purposes(asked, purposes, limit=5):
    """The purposes nearest to the one asked about, nearest first: those sharing its words (as
    "safeguarding" and "safeguarding children"), then those spelt alike; each once, as worded."""
    if not asked:
        return []
    words = set(_plain(asked).split())
    scored = {}
    for purpose in purposes:
        key = _plain(purpose)
        if key in scored or key == _plain(asked):
            continue
        shared = len(words & set(key.split()))
        likeness = difflib.SequenceMatcher(None, _plain(asked), key).ratio()
        if shared or likeness >= 0.6:
            scored[key] = (-shared, -likeness, key, purpose)
    return [purpose for *_rank, purpose in sorted(scored.values())[:limit]]


def _legal_errors(candidate, covering):
    findings = tuple(f for flow in covering for f in candidate.flow_errors.get(flow.id, ()))
    rules_named = ", ".join(dict.fromkeys(f.rule for f in findings))
    details = " ".join(str(f.detail) for f in findings)
    return Reason(LEGAL_ERRORS, Said("legal-errors", reference=candidate.reference, rules=rules_named, details=details),
                  candidate.reference, findings)


def agreement_problems(candidate, question):
    """Why the agreement as a whole does not serve on the day: not in force, or not signed."""
    reference, day = candidate.reference, question.on
    problems = []
    if not in_force_on(candidate, day):
        status = AgreementStatus(candidate.status)
        if status not in IN_FORCE:
            why = Said("not-in-force.status", reference=reference, day=day.isoformat(), status=status.value)
        elif candidate.start_date > day:
            why = Said("not-in-force.starts", reference=reference, day=day.isoformat(), start=candidate.start_date.isoformat())
        else:
            why = Said("not-in-force.ended", reference=reference, day=day.isoformat(), end=candidate.end_date.isoformat())
        problems.append(Reason(NOT_IN_FORCE, why, reference))
    for org, signed_on in ((question.discloser, candidate.discloser_signed_on), (question.recipient, candidate.recipient_signed_on)):
        if signed_on is None:
            problems.append(Reason(NOT_SIGNED, Said("not-signed", organisation=org.name, reference=reference), reference))
        elif signed_on > day:
            problems.append(Reason(NOT_SIGNED, Said(
                "not-signed.later", organisation=org.name, reference=reference, signed=signed_on.isoformat(), day=day.isoformat(),
            ), reference))
    return problems


def goes_to(flow, question):
    """The flow runs from the discloser to the recipient, or from the discloser to every party."""
    return flow.from_id == question.discloser.id and flow.to_id in (None, question.recipient.id)


def covers_category(flow, category):
    return DataCategory(category).value in flow.categories


def lists_purpose(flow, purpose):
    """The purpose asked about is one of the flow's purposes, ignoring case and spacing."""
    return purpose is None or _plain(purpose) in {_plain(p) for p in flow.purposes}


def covering_flows(candidate, question):
    """(flows that cover the question, None) or ([], the Reason of the furthest step any flow reached)."""
    reference = candidate.reference
    onward = [flow for flow in candidate.flows if goes_to(flow, question)]
    if not onward:
        back = any(f.from_id == question.recipient.id and f.to_id in (None, question.discloser.id) for f in candidate.flows)
        said = Said("direction.reversed" if back else "direction", reference=reference, discloser=question.discloser.name,
                    recipient=question.recipient.name)
        return [], Reason(DIRECTION, said, reference)
    category = DataCategory(question.category)
    of_category = [flow for flow in onward if covers_category(flow, category)]
    if not of_category:
        covered = [c for c in sorted({c for flow in onward for c in flow.categories}) if c in _CATEGORY_VALUES]
        said = Said("category", reference=reference, discloser=question.discloser.name, recipient=question.recipient.name,
                    category=category.value, covered=covered)
        return [], Reason(CATEGORY, said, reference)
    covering = [flow for flow in of_category if lists_purpose(flow, question.purpose)]
    if not covering:
        listed = list(dict.fromkeys(p for flow in of_category for p in flow.purposes))
        said = Said("purpose", reference=reference, category=category.value, discloser=question.discloser.name,
                    purpose=question.purpose, listed=listed)
        return [], Reason(PURPOSE, said, reference)
    return covering, None


def _match(candidate, flow, question, catalogue):
    bases = []
    for code in flow.lawful_bases:
        entry = catalogue.get(code)
        bases.append(Basis(code, getattr(entry, "title", None), getattr(entry, "summary", None)))
    return Match(
        reference=candidate.reference, title=candidate.title, status=AgreementStatus(candidate.status).value, flow_id=flow.id,
        items=flow.items or "", categories=list(flow.categories), purposes=list(flow.purposes), lawful_bases=bases,
        channel_slug=flow.channel_slug, channel_name=flow.channel_name, consent=ConsentApproach(flow.consent).value,
        frequency=Frequency(flow.frequency).value, review_date=candidate.review_date,
        review_overdue=review_overdue(candidate, question.on), version=candidate.version,
        awaiting_version=candidate.awaiting_version,
    )


def partner_may_ask(user, discloser_id, recipient_id):
    """Officers ask about anyone; a partner asks about sharing by or with its own organisation."""
    return user.is_officer or user.organisation_id in (discloser_id, recipient_id)


def normalise_purpose(value):
    value = " ".join((value or "").split())
    return value or None


def _plain(text):
    return " ".join(str(text).split()).casefold()

