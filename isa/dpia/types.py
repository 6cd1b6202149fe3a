"""The DPIA's closed sets: the screening questions, the risk scales, the DPO's outcome, the state."""
import enum

from flask_babel import lazy_gettext as _l


class ScreeningQuestion(enum.StrEnum):
    """The screening's high-risk indicators (UK GDPR Art 35(3), the ICO's list, the EDPB criteria)."""

    SENSITIVE_AT_SCALE = "sensitive_at_scale"
    CHILDREN_OR_VULNERABLE = "children_or_vulnerable"
    MATCHING = "matching"
    PROFILING = "profiling"
    SYSTEMATIC_MONITORING = "systematic_monitoring"
    DENIAL_OF_SERVICE = "denial_of_service"
    RISK_OF_HARM = "risk_of_harm"
    NEW_TECHNOLOGY = "new_technology"  # needs another indicator with it (ICO: combined with a criterion)
    LARGE_SCALE = "large_scale"  # needs another indicator with it (EDPB: two or more criteria)

    @property
    def label(self):
        return _QUESTIONS[self][0]

    @property
    def hint(self):
        return _QUESTIONS[self][1]

    @property
    def alone(self):
        """Whether this indicator on its own makes a DPIA required."""
        return self not in (ScreeningQuestion.NEW_TECHNOLOGY, ScreeningQuestion.LARGE_SCALE)


_QUESTIONS = {
    ScreeningQuestion.SENSITIVE_AT_SCALE: (
        _l("Special category or criminal offence data on a large scale"),
        _l("Health, ethnicity, sex life, biometric or genetic data, or data about offences and convictions, about many people (Article 35(3)(b))."),
    ),
    ScreeningQuestion.CHILDREN_OR_VULNERABLE: (
        _l("Children or other vulnerable people"),
        _l("The sharing is about children, or people at risk, in care, with a disability or otherwise vulnerable."),
    ),
    ScreeningQuestion.MATCHING: (
        _l("Matching or combining datasets"),
        _l("Records from several sources are combined, compared or matched, for example case records of several partners."),
    ),
    ScreeningQuestion.PROFILING: (
        _l("Profiling or evaluation with significant effects"),
        _l("People are systematically evaluated or scored, and decisions with legal or similarly significant effects follow (Article 35(3)(a))."),
    ),
    ScreeningQuestion.SYSTEMATIC_MONITORING: (
        _l("Systematic monitoring"),
        _l("People are observed, tracked or monitored, including in publicly accessible places (Article 35(3)(c))."),
    ),
    ScreeningQuestion.DENIAL_OF_SERVICE: (
        _l("Decisions about access to a service or benefit"),
        _l("The data is used to decide whether someone gets a service, opportunity or benefit."),
    ),
    ScreeningQuestion.RISK_OF_HARM: (
        _l("Risk to someone's physical safety"),
        _l("A breach could put someone's health or safety at risk, for example a victim of domestic abuse."),
    ),
    ScreeningQuestion.NEW_TECHNOLOGY: (
        _l("New technology"),
        _l("Innovative technology, or a new use of existing technology, such as a new shared case system or automated matching."),
    ),
    ScreeningQuestion.LARGE_SCALE: (
        _l("Large scale"),
        _l("Many people, many data items, a long period or a wide area."),
    ),
}


class _Scale(enum.StrEnum):
    """A point on a three-point scale, stored by name, scored 1 to 3 in declaration order."""

    @property
    def label(self):
        return _SCALE_LABELS[self.value]

    @property
    def score(self):
        return list(type(self)).index(self) + 1


# The points of the three scales, by value (a value is unique across them).
_SCALE_LABELS = {
    "remote": _l("Remote"), "possible": _l("Possible"), "probable": _l("Probable"),
    "minimal": _l("Minimal"), "significant": _l("Significant"), "severe": _l("Severe"),
    "low": _l("Low"), "medium": _l("Medium"), "high": _l("High"),
}


class Likelihood(_Scale):
    REMOTE = "remote"
    POSSIBLE = "possible"
    PROBABLE = "probable"


class Severity(_Scale):
    MINIMAL = "minimal"
    SIGNIFICANT = "significant"
    SEVERE = "severe"


class RiskLevel(_Scale):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def colour(self):
        return {"low": "green", "medium": "yellow", "high": "red"}[self.value]


class DpoOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    OVERRULED = "overruled"  # the controller goes against the DPO's advice, and records why

    @property
    def label(self):
        return {"accepted": _l("Accepted"), "overruled": _l("Overruled")}[self.value]


class DpiaState(enum.StrEnum):
    NONE = "none"  # no screening recorded in the register
    NOT_REQUIRED = "not_required"  # screened: no high-risk indicator
    IN_PROGRESS = "in_progress"  # screened as required (or carried out anyway), not signed off
    COMPLETE = "complete"  # signed off

    @property
    def label(self):
        return {
            "none": _l("Not screened"), "not_required": _l("Not required"), "in_progress": _l("In progress"),
            "complete": _l("Complete"),
        }[self.value]

    @property
    def colour(self):
        return {"none": "grey", "not_required": "blue", "in_progress": "yellow", "complete": "green"}[self.value]
