from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import enum_column, utcnow
from ..extensions import db
from ..flows.models import DataCategory
from . import flowchart
from .flowchart import Outcome


class SharingDecision(Audited, db.Model):
    """A practitioner's record of one decision to share or not (golden rule 7).

    It names the case by the case system's reference only, never the person. Records are kept as
    made: there is no editing, so governance sees what was decided at the time.
    """

    __tablename__ = "sharing_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    decided_on: Mapped[date] = mapped_column(index=True)
    discloser_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    case_reference: Mapped[str] = mapped_column(sa.String(40), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[DataCategory] = enum_column(DataCategory, default=DataCategory.PERSONAL)
    # the flowchart answers on its path; the history reads them as the flowchart words them
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict, info={"readable": flowchart.readable})
    suggested_outcome: Mapped[Outcome] = enum_column(Outcome)
    outcome: Mapped[Outcome] = enum_column(Outcome, index=True)
    override_reason: Mapped[str | None] = mapped_column(sa.Text)  # only when outcome differs from the suggestion
    reasons: Mapped[str] = mapped_column(sa.Text)
    lawful_bases: Mapped[list] = mapped_column(sa.JSON, default=list)  # catalogue codes relied on
    shared: Mapped[str | None] = mapped_column(sa.Text)  # what was shared, when shared
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfer_channels.id"))
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_via: Mapped[str] = mapped_column(sa.String(10), default="web")  # "web" or "api"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    discloser = relationship("Organisation", foreign_keys=[discloser_id], lazy="joined")
    recipient = relationship("Organisation", foreign_keys=[recipient_id], lazy="joined")
    channel = relationship("TransferChannel", lazy="joined")
    agreement = relationship("Agreement", lazy="joined")
    recorded_by = relationship("User", lazy="joined")

    def audit_label(self):
        return f"Sharing decision {self.case_reference}"

    def audit_organisation_id(self):
        return self.discloser_id

    @property
    def overridden(self):
        return self.outcome != self.suggested_outcome

    @property
    def readable_answers(self):
        return flowchart.readable(self.answers or {})

    @property
    def channel_unapproved(self):
        """Special category data over a channel not approved for it (shown as a warning)."""
        return (
            self.outcome == Outcome.SHARE and self.category == DataCategory.SPECIAL_CATEGORY
            and self.channel is not None and not self.channel.special_category_approved
        )

    def as_dict(self):
        return {
            "id": self.id,
            "decided_on": self.decided_on.isoformat(),
            "discloser": self.discloser.slug,
            "recipient": self.recipient.slug,
            "case_reference": self.case_reference,
            "purpose": self.purpose,
            "category": self.category.value,
            "answers": dict(self.answers or {}),
            "suggested_outcome": self.suggested_outcome.value,
            "outcome": self.outcome.value,
            "override_reason": self.override_reason,
            "reasons": self.reasons,
            "lawful_bases": list(self.lawful_bases or []),
            "shared": self.shared,
            "channel": self.channel.slug if self.channel else None,
            "agreement": self.agreement.reference if self.agreement else None,
            "recorded_by": self.recorded_by.email,
            "recorded_via": self.recorded_via,
            "created_at": self.created_at.isoformat(timespec="seconds") + "Z",
        }

    def __repr__(self):
        return f"<SharingDecision {self.id} {self.case_reference} {self.outcome}>"
