"""The DPIA of an agreement, and its risks."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import enum_column, utcnow
from ..extensions import db


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
        "Special category or criminal offence data on a large scale",
        "Health, ethnicity, sex life, biometric or genetic data, or data about offences and convictions, about many people (Article 35(3)(b)).",
    ),
    ScreeningQuestion.CHILDREN_OR_VULNERABLE: (
        "Children or other vulnerable people",
        "The sharing is about children, or people at risk, in care, with a disability or otherwise vulnerable.",
    ),
    ScreeningQuestion.MATCHING: (
        "Matching or combining datasets",
        "Records from several sources are combined, compared or matched, for example case records of several partners.",
    ),
    ScreeningQuestion.PROFILING: (
        "Profiling or evaluation with significant effects",
        "People are systematically evaluated or scored, and decisions with legal or similarly significant effects follow (Article 35(3)(a)).",
    ),
    ScreeningQuestion.SYSTEMATIC_MONITORING: (
        "Systematic monitoring",
        "People are observed, tracked or monitored, including in publicly accessible places (Article 35(3)(c)).",
    ),
    ScreeningQuestion.DENIAL_OF_SERVICE: (
        "Decisions about access to a service or benefit",
        "The data is used to decide whether someone gets a service, opportunity or benefit.",
    ),
    ScreeningQuestion.RISK_OF_HARM: (
        "Risk to someone's physical safety",
        "A breach could put someone's health or safety at risk, for example a victim of domestic abuse.",
    ),
    ScreeningQuestion.NEW_TECHNOLOGY: (
        "New technology",
        "Innovative technology, or a new use of existing technology, such as a new shared case system or automated matching.",
    ),
    ScreeningQuestion.LARGE_SCALE: (
        "Large scale",
        "Many people, many data items, a long period or a wide area.",
    ),
}


class _Scale(enum.StrEnum):
    """A point on a three-point scale, stored by name, scored 1 to 3 in declaration order."""

    @property
    def label(self):
        return self.value.capitalize()

    @property
    def score(self):
        return list(type(self)).index(self) + 1


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
        return {"accepted": "Accepted", "overruled": "Overruled"}[self.value]


class DpiaState(enum.StrEnum):
    NONE = "none"  # no screening recorded in the register
    NOT_REQUIRED = "not_required"  # screened: no high-risk indicator
    IN_PROGRESS = "in_progress"  # screened as required (or carried out anyway), not signed off
    COMPLETE = "complete"  # signed off

    @property
    def label(self):
        return {
            "none": "Not screened", "not_required": "Not required", "in_progress": "In progress", "complete": "Complete",
        }[self.value]

    @property
    def colour(self):
        return {"none": "grey", "not_required": "blue", "in_progress": "yellow", "complete": "green"}[self.value]


class Dpia(Audited, db.Model):
    """An agreement's data protection impact assessment: screening, description, necessity, risks,
    the DPO's advice and sign-off. Reviewed with the agreement, at its review date."""

    __tablename__ = "dpias"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), unique=True)
    # Step 1: screening
    screening: Mapped[list] = mapped_column(sa.JSON, default=list, info={"members": ScreeningQuestion})
    screening_notes: Mapped[str] = mapped_column(sa.Text, default="")
    required: Mapped[bool] = mapped_column(default=False)  # the screening's conclusion (rules.screening_required)
    screened_on: Mapped[date]
    # Step 2: the processing; step 3: consultation; step 4: necessity and proportionality
    nature: Mapped[str] = mapped_column(sa.Text, default="")
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    context: Mapped[str] = mapped_column(sa.Text, default="")
    purposes: Mapped[str] = mapped_column(sa.Text, default="")
    consultation: Mapped[str] = mapped_column(sa.Text, default="")
    necessity: Mapped[str] = mapped_column(sa.Text, default="")
    # Step 7: the DPO's advice, and sign-off
    dpo_name: Mapped[str | None] = mapped_column(sa.String(200))
    dpo_advice: Mapped[str] = mapped_column(sa.Text, default="")
    dpo_advice_on: Mapped[date | None]
    dpo_outcome: Mapped[DpoOutcome | None] = enum_column(DpoOutcome)
    dpo_overruled_reason: Mapped[str] = mapped_column(sa.Text, default="")
    dpo_decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    signed_off_by: Mapped[str | None] = mapped_column(sa.String(200))
    signed_off_on: Mapped[date | None]
    ico_consulted_on: Mapped[date | None]  # prior consultation (UK GDPR Art 36), when residual risk is high
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    agreement = relationship("Agreement", lazy="joined")
    risks = relationship("DpiaRisk", back_populates="dpia", cascade="all, delete-orphan", order_by="DpiaRisk.id", lazy="selectin")

    def audit_label(self):
        return f"DPIA of {self.agreement.reference}"

    def audit_agreement(self):
        return self.agreement

    def screening_members(self):
        return [ScreeningQuestion(value) for value in self.screening or ()]


class DpiaRisk(Audited, db.Model):
    """One risk to individuals, scored before and after the measures that reduce it."""

    __tablename__ = "dpia_risks"

    id: Mapped[int] = mapped_column(primary_key=True)
    dpia_id: Mapped[int] = mapped_column(sa.ForeignKey("dpias.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    likelihood: Mapped[Likelihood] = enum_column(Likelihood)
    severity: Mapped[Severity] = enum_column(Severity)
    measures: Mapped[str] = mapped_column(sa.Text, default="")  # what reduces or removes the risk
    residual_likelihood: Mapped[Likelihood] = enum_column(Likelihood)  # with the measures in place
    residual_severity: Mapped[Severity] = enum_column(Severity)

    dpia = relationship("Dpia", back_populates="risks")

    def audit_label(self):
        return f"DPIA risk in {self.dpia.agreement.reference}: {self.description[:80]}"

    def audit_agreement(self):
        return self.dpia.agreement

    @property
    def level(self):
        from .rules import risk_level

        return risk_level(self.likelihood, self.severity)

    @property
    def residual_level(self):
        from .rules import risk_level

        return risk_level(self.residual_likelihood, self.residual_severity)
