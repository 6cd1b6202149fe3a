import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import enum_column, utcnow
from ..extensions import db


class ReviewOutcome(enum.StrEnum):
    CONTINUE = "continue"  # the agreement carries on unchanged until its next review
    AMEND = "amend"  # it carries on, and the partners amend it
    TERMINATE = "terminate"  # the partners end it

    @property
    def label(self):
        return _OUTCOME_LABELS[self.value]

    @property
    def hint(self):
        return _OUTCOME_HINTS[self.value]


_OUTCOME_LABELS = {"continue": _l("Continue unchanged"), "amend": _l("Continue, with amendments"), "terminate": _l("Terminate")}
_OUTCOME_HINTS = {
    "continue": _l("The agreement stays in force and the next review date is set."),
    "amend": _l("The agreement stays in force while the partners amend it, and the next review date is set."),
    "terminate": _l("The agreement ends on the date of this review. It can no longer be relied on."),
}


class Review(Audited, db.Model):
    """The record of one completed review of an agreement."""

    __tablename__ = "reviews"
    audit_label_attr = "id"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    reviewed_on: Mapped[date]
    reviewer: Mapped[str] = mapped_column(sa.String(200))
    outcome: Mapped[ReviewOutcome] = enum_column(ReviewOutcome)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    previous_review_date: Mapped[date]  # the review date this review answered
    next_review_date: Mapped[date | None]  # empty when the agreement was terminated
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agreement = relationship("Agreement", lazy="joined")
    recorded_by = relationship("User", lazy="joined")

    def audit_label(self):
        return f"review of {self.agreement.reference} on {self.reviewed_on.isoformat()}"

    def audit_agreement(self):
        return self.agreement
