"""Recording a sharing decision: one validation for the web form and the JSON API.

`review_decision(data, user)` checks plain values (from the form or a JSON body) against every
rule and answers with a `Review`: the clean values, the flowchart's suggestion, the agreements
that cover the share (the permitted-purpose check), and the problems by field. `record_decision`
stores a review that has no problems.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale, gettext as _

from ..core import clock
from ..core.i18n import govdate
from ..agreements.models import Agreement
from ..audit.tracking import acting_as
from ..channels.models import TransferChannel
from ..extensions import db
from ..flows.models import DataCategory
from ..legal.models import LegalBasis
from ..organisations.models import Organisation
from . import flowchart, rules
from .flowchart import Outcome
from .models import SharingDecision

CHECK, RECORD = "check", "record"  # the form's two steps: see the suggestion, then record
MAX_LAWFUL_BASES = 30


def covering_agreements(discloser, recipient, category, purpose, on):
    """The permitted-purpose check (SPEC §4): its answer, with the agreements and flows that cover the share."""
    from ..sharing.queries import permitted

    return permitted(discloser, recipient, category, purpose, on)


@dataclass
class Review:
    values: dict = field(default_factory=dict)  # clean values, by field
    problems: dict = field(default_factory=dict)  # message by field
    suggestion: flowchart.Suggestion | None = None
    check: object = None  # the permitted-purpose answer, once discloser, recipient and category are known

    @property
    def matches(self):
        return list(self.check.matches) if self.check is not None else []

    @property
    def covering(self):
        """The distinct agreements covering the share: [(reference, title, first matching flow)]."""
        seen = {}
        for match in self.matches:
            seen.setdefault(match.reference, match)
        return list(seen.values())

    def problem(self, name, message):
        self.problems.setdefault(name, message)


def _organisation(slug):
    if not isinstance(slug, str) or not slug.strip():
        return None
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug.strip()))


def review_decision(data, user, stage=RECORD, today=None):
    """Check a decision's values; `stage` CHECK stops after the case details and the "when" questions."""
    today = today or clock.today()
    review = Review()
    values = review.values

    decided_on = data.get("decided_on")
    problem = rules.decided_on_problem(decided_on, today)
    if problem:
        review.problem("decided_on", problem)
    values["decided_on"] = decided_on

    discloser, recipient = _organisation(data.get("discloser")), _organisation(data.get("recipient"))
    if discloser is None:
        review.problem("discloser", _("Choose the organisation sharing the information"))
    elif not user.is_officer and discloser.id != user.organisation_id:
        review.problem("discloser", _("You can record decisions for your own organisation only"))
    if recipient is None:
        review.problem("recipient", _("Choose the organisation the information would go to"))
    elif discloser is not None and recipient.id == discloser.id:
        review.problem("recipient", _("The recipient must be a different organisation from the one sharing"))
    values["discloser"], values["recipient"] = discloser, recipient

    category = data.get("category")
    if not isinstance(category, str) or category not in {c.value for c in DataCategory}:
        review.problem("category", _("Choose the kind of information"))
        category = None
    values["category"] = DataCategory(category) if category else None

    problem = rules.case_reference_problem(data.get("case_reference") if isinstance(data.get("case_reference"), str) else "")
    if problem:
        review.problem("case_reference", problem)
    values["case_reference"] = (data.get("case_reference") or "").strip() if not problem else None

    purpose = rules.normalise_text(data.get("purpose") if isinstance(data.get("purpose"), str) else "")
    if not purpose:
        review.problem("purpose", _("Enter the purpose of sharing"))
    elif len(purpose) > rules.PURPOSE_MAX:
        review.problem("purpose", _("Keep the purpose to a short label of %(max)s characters or fewer", max=rules.PURPOSE_MAX))
    values["purpose"] = purpose

    answers = data.get("answers") if isinstance(data.get("answers"), dict) else {}
    outcome = data.get("outcome") if stage == RECORD else None
    outcome = outcome if isinstance(outcome, str) and outcome in {o.value for o in Outcome} else None
    for key, message in flowchart.answer_problems(answers, Outcome(outcome) if outcome else None).items():
        if stage == RECORD or key in {q.key for q in flowchart.WHEN_QUESTIONS}:
            review.problem(key, message)
    when_answered = not any(q.key in review.problems for q in flowchart.WHEN_QUESTIONS)
    if when_answered:
        review.suggestion = flowchart.suggested_outcome(answers)

    if discloser is not None and recipient is not None and discloser.id != recipient.id and values["category"]:
        on = decided_on if decided_on and decided_on <= today else today
        review.check = covering_agreements(discloser, recipient, values["category"].value, purpose or None, on)

    if stage == RECORD:
        _review_the_decision(review, data, answers, outcome)
    return review


def _review_the_decision(review, data, answers, outcome):
    values = review.values
    if outcome is None:
        review.problem("outcome", _("Choose whether you share the information or not"))
    values["outcome"] = Outcome(outcome) if outcome else None
    values["answers"] = flowchart.clean_answers(answers, values["outcome"])

    override = rules.normalise_text(data.get("override_reason")) if isinstance(data.get("override_reason"), str) else ""
    suggested = review.suggestion.outcome if review.suggestion else None
    problem = rules.override_problem(outcome, suggested, override)
    if problem:
        review.problem("override_reason", problem)
    elif len(override) > rules.TEXT_MAX:
        review.problem("override_reason", _("Keep the reason to %(max)s characters or fewer", max=rules.TEXT_MAX))
    values["override_reason"] = override if (outcome and suggested and Outcome(outcome) != suggested) else None

    reasons = (data.get("reasons") or "").strip() if isinstance(data.get("reasons"), str) else ""
    if not reasons:
        review.problem("reasons", _("Explain the reasons for your decision"))
    elif len(reasons) > rules.TEXT_MAX:
        review.problem("reasons", _("Keep the reasons to %(max)s characters or fewer", max=rules.TEXT_MAX))
    values["reasons"] = reasons

    sharing = values["outcome"] == Outcome.SHARE
    shared = (data.get("shared") or "").strip() if isinstance(data.get("shared"), str) else ""
    if sharing and not shared:
        review.problem("shared", _("Say what information you shared"))
    elif len(shared) > rules.TEXT_MAX:
        review.problem("shared", _("Keep this to %(max)s characters or fewer", max=rules.TEXT_MAX))
    values["shared"] = shared if sharing else None

    _review_lawful_bases(review, data.get("lawful_bases"), sharing and flowchart.needs_lawful_basis(answers))
    _review_channel(review, data.get("channel"), sharing)
    _review_agreement(review, data.get("agreement"))


def _review_lawful_bases(review, codes, required):
    if codes in (None, ""):
        codes = []
    if not isinstance(codes, (list, tuple)) or not all(isinstance(code, str) for code in codes):
        review.problem("lawful_bases", _("Give the lawful bases as a list of codes from the catalogue"))
        review.values["lawful_bases"] = []
        return
    codes = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    review.values["lawful_bases"] = codes
    if required and not codes:
        review.problem("lawful_bases", _("Choose the lawful basis you rely on to share"))
        return
    if len(codes) > MAX_LAWFUL_BASES:
        review.problem("lawful_bases", _("Choose %(max)s lawful bases or fewer", max=MAX_LAWFUL_BASES))
        return
    found = {basis.code: basis for basis in db.session.scalars(sa.select(LegalBasis).where(LegalBasis.code.in_(codes)))}
    unknown = [code for code in codes if code not in found]
    if unknown:
        review.problem("lawful_bases", _("Unknown lawful basis: %(codes)s", codes=", ".join(unknown)))
        return
    day = review.values.get("decided_on")
    if day:
        lapsed = [found[code] for code in codes if not found[code].in_force_on(day)]
        if lapsed:
            basis = lapsed[0]
            if basis.successors:
                message = _("%(code)s was not in force on %(date)s. Use its successor: %(successors)s.",
                            code=basis.code, date=govdate(day), successors=", ".join(basis.successors))
            else:
                message = _("%(code)s was not in force on %(date)s.", code=basis.code, date=govdate(day))
            review.problem("lawful_bases", message)


def _review_channel(review, slug, required):
    channel = None
    if isinstance(slug, str) and slug.strip():
        channel = db.session.scalar(sa.select(TransferChannel).where(TransferChannel.slug == slug.strip()))
        if channel is None:
            review.problem("channel", _("Choose a transfer channel from the list"))
    elif slug not in (None, ""):
        review.problem("channel", _("Choose a transfer channel from the list"))
    elif required:
        review.problem("channel", _("Choose how you shared the information"))
    review.values["channel"] = channel


def _review_agreement(review, reference):
    """None: the first agreement covering the share, if any; "": none; a reference: one that covers it."""
    covering = {match.reference: match for match in review.covering}
    if reference is None:
        chosen = next(iter(covering), None)
    elif not isinstance(reference, str):
        review.problem("agreement", _("Give the agreement as its reference"))
        chosen = None
    elif not reference.strip():
        chosen = None
    elif reference.strip() in covering:
        chosen = reference.strip()
    else:
        review.problem("agreement", _("Agreement %(reference)s does not cover this share. Choose one that does, or none.",
                                      reference=reference.strip()[:40]))
        chosen = None
    review.values["agreement"] = (
        db.session.scalar(sa.select(Agreement).where(Agreement.reference == chosen)) if chosen else None
    )


def record_decision(review, user, via="web"):
    """Store a review without problems as a SharingDecision (the caller commits)."""
    if review.problems:
        raise ValueError("a decision with problems cannot be recorded")
    values = review.values
    decision = SharingDecision(
        decided_on=values["decided_on"],
        discloser=values["discloser"],
        recipient=values["recipient"],
        case_reference=values["case_reference"],
        purpose=values["purpose"],
        category=values["category"],
        answers=values["answers"],
        suggested_outcome=review.suggestion.outcome,
        outcome=values["outcome"],
        override_reason=values["override_reason"],
        reasons=values["reasons"],
        lawful_bases=values["lawful_bases"],
        shared=values["shared"],
        channel=values["channel"],
        agreement=values["agreement"],
        recorded_by=user,
        recorded_via=via,
    )
    db.session.add(decision)
    return decision


# --- the JSON API (POST /api/v1/decisions) ------------------------------------------------------

JSON_FIELDS = (
    "decided_on", "discloser", "recipient", "case_reference", "purpose", "category", "answers", "outcome",
    "override_reason", "reasons", "lawful_bases", "shared", "channel", "agreement",
)


def create_decision_from_json(payload, user, today=None):
    """Record a decision sent by a case system: (decision, {}) once flushed, or (None, problems by field).

    The body is the record's fields (see JSON_FIELDS); `decided_on` (YYYY-MM-DD) defaults to
    today, `category` to "personal", and `agreement` to the first agreement covering the share.
    The problems are in English, whatever language the request asks for: the API is a machine format.
    """
    with force_locale("en"):
        return _create_decision_from_json(payload, user, today)


def _create_decision_from_json(payload, user, today):
    if not isinstance(payload, dict):
        return None, {"body": "Send the decision as a JSON object"}
    unknown = sorted(str(key) for key in payload if key not in JSON_FIELDS)
    if unknown:
        return None, {unknown[0]: f"Unknown field {unknown[0]!r}: the fields are {', '.join(JSON_FIELDS)}"}
    data = dict(payload)
    data.setdefault("category", DataCategory.PERSONAL.value)
    decided_on = data.get("decided_on")
    if decided_on in (None, ""):
        data["decided_on"] = today or clock.today()
    else:
        try:
            data["decided_on"] = date.fromisoformat(decided_on) if isinstance(decided_on, str) and len(decided_on) == 10 else None
        except ValueError:
            data["decided_on"] = None
        if data["decided_on"] is None:
            return None, {"decided_on": "Give the date of the decision as YYYY-MM-DD, for example 2025-03-01"}
    if "answers" in data and not isinstance(data["answers"], dict):
        return None, {"answers": "Give the flowchart answers as an object, question key to answer"}
    review = review_decision(data, user, RECORD, today=today)
    if review.problems:
        return None, review.problems
    with acting_as(user.email):  # a token's request has no signed-in user for the audit trail
        decision = record_decision(review, user, via="api")
        db.session.flush()  # audited as the token's user; the caller commits
    return decision, {}
