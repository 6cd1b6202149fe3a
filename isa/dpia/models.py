"""The DPIA of an agreement, and its risks."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import enum_column, utcnow
from ..extensions import db
from .rules import risk_level
from .types import DpiaState, DpoOutcome, Likelihood, RiskLevel, ScreeningQuestion, Severity  # noqa: F401


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
        return risk_level(self.likelihood, self.severity)

    @property
    def residual_level(self):
        return risk_level(self.residual_likelihood, self.residual_severity)
