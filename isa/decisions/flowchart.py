"""The information sharing flowchart (seeds 000, 001, 003 and 004) as pure functions.

"When" questions decide whether to share; the "how" questions are what a practitioner confirms
before sharing. `suggested_outcome(answers)` walks the "when" questions in order and stops at
the first answer that settles it, as the flowchart does. No Flask and no database here: the
decision form, the JSON API and the tests share this one copy of the rule.

`answers` is a plain dict: one value per radio question ("yes", "no", ...), a list of values for
the lawful-reasons and how-to-share questions.
"""
import enum
from dataclasses import dataclass

from flask_babel import gettext as _  # English with no app: the rule stays testable on its own
from ..core.i18n import lazy_gettext as _l


class Outcome(enum.StrEnum):
    SHARE = "share"
    DO_NOT_SHARE = "do_not_share"

    @property
    def label(self):
        return {"share": _l("Share"), "do_not_share": _l("Do not share")}[self.value]


WHEN, HOW = "when", "how"
YES, NO, NOT_SURE = "yes", "no", "not_sure"
NONE_OF_THESE = "none"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str | None = None


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    help: tuple  # plain-words guidance from the seeds, one paragraph each
    options: tuple
    stage: str = WHEN
    multiple: bool = False  # checkboxes rather than radios
    record_text: str | None = None  # how the record names the question, when not its text

    @property
    def recorded_as(self):
        return self.record_text or self.text

    @property
    def values(self):
        return {option.value for option in self.options}

    def label_of(self, value):
        return next((option.label for option in self.options if option.value == value), value)


LEGITIMATE_PURPOSE = Question(
    "legitimate_purpose",
    _l("Is there a clear and legitimate purpose for sharing the information?"),
    (
        _l("Why does the other organisation want the information, and what outcome are you trying to achieve?"),
        _l("Could the aim be achieved without sharing, or by sharing less? You do not need to share the whole case file."),
        _l("Data protection law is not a barrier to sharing: it is a framework for sharing personal information appropriately."),
    ),
    (
        Option(YES, _l("Yes")),
        Option(NO, _l("No")),
        Option(NOT_SURE, _l("Not sure"), _l("Do not share yet: seek advice from your manager, safeguarding lead or information governance lead.")),
    ),
)

IDENTIFIABLE = Question(
    "identifiable",
    _l("Does the information enable a living person to be identified?"),
    (
        _l("If it is about a living person who can be identified from it – alone or together with other information – it is "
           "personal information and data protection law applies. In casework it nearly always does."),
        _l("Anonymised information can be shared lawfully as long as the purpose is legitimate."),
    ),
    (
        Option(YES, _l("Yes")),
        Option(NO, _l("No, it is anonymised")),
        Option(NOT_SURE, _l("Not sure"), _l("The flowchart treats it as identifying someone.")),
    ),
)

CONFIDENTIAL = Question(
    "confidential",
    _l("Is the information confidential?"),
    (
        _l("Not all information is confidential. It is confidential when it is private or sensitive, not already lawfully "
           "public or easily found elsewhere, and was given in circumstances where the person could expect it would not be "
           "shared."),
        _l("Everything shared within a formal confidential relationship, such as social worker and client or doctor and "
           "patient, is confidential."),
    ),
    (
        Option(YES, _l("Yes")),
        Option(NO, _l("No")),
        Option(NOT_SURE, _l("Not sure"), _l("The flowchart treats it as confidential.")),
    ),
)

CONSENT = Question(
    "consent",
    _l("Do you have consent to share?"),
    (
        _l("Consent must be informed and freely given: the person understands what will be shared, who will see it, why, "
           "and what may follow. It can be withdrawn at any time."),
        _l("Children aged 12 or over can generally decide for themselves; everyone aged 16 or over is presumed able to."),
        _l("Do not seek consent where that would put a child at increased risk of significant harm or an adult at risk of "
           "serious harm, prejudice the prevention, detection or prosecution of a serious crime, or cause unjustified delay "
           "in enquiries about serious harm."),
    ),
    (
        Option(YES, _l("Yes, the consent covers sharing with this recipient for this purpose")),
        Option("partial", _l("Partly: consent covers some agencies or purposes, but not this one"),
               _l("This counts as no consent for this share.")),
        Option("refused", _l("No, consent was refused"),
               _l("A refusal does not always stop you sharing: there may be another lawful reason.")),
        Option("not_sought", _l("No, consent has not been sought or cannot be obtained"),
               _l("For example, because asking would be unsafe or the person cannot give consent.")),
    ),
)

LAWFUL_REASONS = Question(
    "lawful_reasons",
    _l("Is there another lawful reason to share without consent?"),
    (
        _l("Weigh up what might happen if the information is shared against what might happen if it is not, and decide on "
           "the facts of the case. Share only what is necessary and proportionate."),
        _l("Where a child is at risk of significant harm, or an adult at risk of serious harm, the public interest test will "
           "almost always be met. A competent adult may make choices that put only themselves at risk."),
    ),
    (
        Option("statutory_duty", _l("A statutory duty or a court order requires it"),
               _l("You must share, unless your organisation challenges a court order on legal advice.")),
        Option("public_interest", _l("There is sufficient public interest"),
               _l("For example protecting vulnerable people, public safety, or preventing or detecting crime.")),
        Option("vital_interests", _l("It protects someone's vital interests"),
               _l("Sharing is needed to protect someone's life, and they cannot consent or consent cannot reasonably be obtained.")),
        Option("safeguarding", _l("It safeguards a child or an individual at risk"),
               _l("The Data Protection Act 2018 allows sharing without consent to protect a child or an individual at risk "
                  "from neglect or harm, or to protect their well-being.")),
        Option(NONE_OF_THESE, _l("None of these")),
    ),
    multiple=True,
)

HOW_TO_SHARE = Question(
    "how",
    _l("Before you share, confirm each of these"),
    (_l("If you decide to share, share only what is needed, with the people who need it, accurately, on time and securely."),),
    (
        Option("how_much", _l("I have identified how much information to share: only what the purpose needs")),
        Option("fact_opinion", _l("I have distinguished fact from opinion, and the information is accurate and up to date")),
        Option("right_recipient", _l("I am giving the right information to the right person")),
        Option("secure", _l("I am sharing it securely"),
               _l("For example, confirm who you are speaking to, make sure a call cannot be overheard, use secure email.")),
    ),
    stage=HOW,
    multiple=True,
    record_text=_l("Checks confirmed before sharing"),
)

INFORM = Question(
    "inform",
    _l("Will you tell the person that their information has been shared?"),
    (_l("Be open and honest with the person, unless telling them would create or increase the risk of harm."),),
    (
        Option(YES, _l("Yes, I will tell them")),
        Option("aware", _l("They already know it will be shared")),
        Option(NO, _l("No, telling them would create or increase the risk of harm, or prejudice a criminal investigation")),
    ),
    stage=HOW,
)

QUESTIONS = (LEGITIMATE_PURPOSE, IDENTIFIABLE, CONFIDENTIAL, CONSENT, LAWFUL_REASONS, HOW_TO_SHARE, INFORM)
WHEN_QUESTIONS = tuple(q for q in QUESTIONS if q.stage == WHEN)
HOW_QUESTIONS = tuple(q for q in QUESTIONS if q.stage == HOW)
BY_KEY = {q.key: q for q in QUESTIONS}
LAWFUL_REASON_VALUES = tuple(o.value for o in LAWFUL_REASONS.options if o.value != NONE_OF_THESE)

SEEK_ADVICE = _l(
    "Seek advice from your manager, safeguarding lead or information governance lead, without naming the person where "
    "you can. If a child may be at risk of significant harm or an adult at risk of serious harm, follow your "
    "safeguarding procedures without delay."
)


@dataclass(frozen=True)
class Suggestion:
    outcome: Outcome
    reason: str  # the flowchart's reason, in plain words
    decided_by: str  # the key of the question that settled it
    seek_advice: bool  # a "not sure" answer on the way


def _chosen(answers, key):
    value = answers.get(key)
    if BY_KEY[key].multiple:
        return [v for v in value if isinstance(v, str)] if isinstance(value, (list, tuple)) else []
    return value if isinstance(value, str) else None


def suggested_outcome(answers):
    """The flowchart's answer for a complete set of "when" answers (see `answer_problems`)."""
    unsure = False

    def done(outcome, reason, key):
        return Suggestion(outcome, reason, key, unsure)

    purpose = _chosen(answers, "legitimate_purpose")
    if purpose == NOT_SURE:
        unsure = True
        return done(Outcome.DO_NOT_SHARE, _("You are not sure there is a clear and legitimate purpose: do not share until you have advice."), "legitimate_purpose")
    if purpose != YES:
        return done(Outcome.DO_NOT_SHARE, _("There is no clear and legitimate purpose for sharing."), "legitimate_purpose")
    identifiable = _chosen(answers, "identifiable")
    unsure |= identifiable == NOT_SURE
    if identifiable == NO:
        return done(Outcome.SHARE, _("The information does not identify a living person: you can share it, considering how."), "identifiable")
    confidential = _chosen(answers, "confidential")
    unsure |= confidential == NOT_SURE
    if confidential == NO:
        return done(Outcome.SHARE, _("The information is not confidential: you can share it, considering how."), "confidential")
    if _chosen(answers, "consent") == YES:
        return done(Outcome.SHARE, _("You have consent to share it with this recipient for this purpose: you can share, considering how."), "consent")
    reasons = [value for value in _chosen(answers, "lawful_reasons") if value in LAWFUL_REASON_VALUES]
    if reasons:
        named = "; ".join(str(LAWFUL_REASONS.label_of(value)).lower() for value in reasons)
        return done(Outcome.SHARE, _("You do not have consent, but there is a lawful reason to share without it (%(reasons)s): you can share, considering how.", reasons=named), "lawful_reasons")
    return done(Outcome.DO_NOT_SHARE, _("You do not have consent and there is no other lawful reason to share: do not share."), "lawful_reasons")


def path(answers):
    """The "when" questions the flowchart asks for these answers, in order, up to the one that settles it.

    An unanswered question settles nothing, so the questions after it stay on the path.
    """
    asked = []
    for question in WHEN_QUESTIONS:
        asked.append(question)
        value = _chosen(answers, question.key)
        if question.key == "legitimate_purpose" and value in (NO, NOT_SURE):
            break
        if question.key in ("identifiable", "confidential") and value == NO:
            break
        if question.key == "consent" and value == YES:
            break
    return asked


def answer_problems(answers, outcome=None):
    """{question key: message} for answers missing or not among the choices.

    Only the questions on the flowchart's path must be answered; the how-to-share questions must be
    answered when the practitioner's outcome is to share.
    """
    problems = {}
    if not isinstance(answers, dict):
        return {"answers": _("Answer the flowchart questions")}
    asked = path(answers) + (list(HOW_QUESTIONS) if outcome == Outcome.SHARE else [])
    for question in asked:
        value = answers.get(question.key)
        if question.multiple:
            problem = _multiple_problem(question, value)
        elif value in (None, ""):
            problem = _missing_message(question)
        elif not isinstance(value, str) or value not in question.values:
            problem = _("Choose an answer from the list for: %(question)s", question=question.text)
        else:
            problem = None
        if problem:
            problems[question.key] = problem
    return problems


def _missing_message(question):
    if question.key == "inform":
        return _("Say whether you will tell the person that their information has been shared")
    return _("Answer the question: %(question)s", question=question.text)


def _multiple_problem(question, value):
    values = value if isinstance(value, (list, tuple)) else ([] if value in (None, "") else [value])
    if any(not isinstance(v, str) or v not in question.values for v in values):
        return _("Choose answers from the list for: %(question)s", question=question.text)
    if question.key == "lawful_reasons":
        if not values:
            return _("Choose the lawful reasons to share without consent, or none of these")
        if NONE_OF_THESE in values and len(values) > 1:
            return _("Choose the lawful reasons, or none of these, not both")
        return None
    missing = [option for option in question.options if option.value not in values]
    if missing:
        return _("Tick every check before you share. Not ticked: “%(check)s”", check=missing[0].label)
    return None


def clean_answers(answers, outcome):
    """Only the answers on the path (and the how-to-share answers when sharing), for the record."""
    asked = path(answers) + (list(HOW_QUESTIONS) if outcome == Outcome.SHARE else [])
    clean = {}
    for question in asked:
        value = answers.get(question.key)
        if question.multiple:
            values = value if isinstance(value, (list, tuple)) else []
            clean[question.key] = [option.value for option in question.options if option.value in values]
        elif isinstance(value, str) and value in question.values:
            clean[question.key] = value
    return clean


def readable(answers):
    """[(question text, [answer labels])] for a stored set of answers, in the flowchart's order."""
    rows = []
    for question in QUESTIONS:
        if question.key not in answers:
            continue
        value = answers[question.key]
        values = value if isinstance(value, (list, tuple)) else [value]
        rows.append((question.recorded_as, [question.label_of(v) for v in values]))
    return rows


def needs_lawful_basis(answers):
    """Data protection law applies unless the information identifies no living person."""
    return _chosen(answers, "identifiable") != NO
