import enum
from datetime import date, datetime

import sqlalchemy as sa
from ..core.i18n import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import enum_column, utcnow
from ..extensions import db


class ReminderStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting to be sent (again, after a failed attempt)
    SENDING = "sending"  # handed to the mail server; becomes sent once it accepted the message
    SENT = "sent"
    FAILED = "failed"  # gave up: too many failed attempts, no recipient, or a send interrupted
    LOGGED = "logged"  # no SMTP host configured: written to the log instead of sent
    CANCELLED = "cancelled"  # no longer needed: the review was done, or an officer dismissed it

    @property
    def label(self):
        return LABELS[self]


LABELS = {
    ReminderStatus.QUEUED: _l("Queued"), ReminderStatus.SENDING: _l("Sending"), ReminderStatus.SENT: _l("Sent"),
    ReminderStatus.FAILED: _l("Failed"), ReminderStatus.LOGGED: _l("Logged"), ReminderStatus.CANCELLED: _l("Cancelled"),
}


class Reminder(db.Model):
    """One review reminder in the persistent outbox.

    The unique key (agreement, review date, offset) is what makes a reminder queue once however
    often the sweep runs, also when two sweeps race.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "review_date", "offset_key", name="uq_reminders_agreement_review_offset"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    review_date: Mapped[date]
    offset_key: Mapped[str] = mapped_column(sa.String(20))  # "before-30", "overdue-2"…
    due_on: Mapped[date]
    escalated: Mapped[bool] = mapped_column(default=False)  # also sent to the lead organisation's DPO
    status: Mapped[ReminderStatus] = enum_column(ReminderStatus, default=ReminderStatus.QUEUED, index=True)
    recipients: Mapped[list] = mapped_column(sa.JSON, default=list)
    delivered_to: Mapped[list] = mapped_column(sa.JSON, default=list)  # accepted so far: never sent to again
    missing_contacts: Mapped[list] = mapped_column(sa.JSON, default=list)  # parties with no single point of contact
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    agreement = relationship("Agreement", lazy="joined")

    @property
    def pending_recipients(self):
        return [r for r in self.recipients or () if r not in set(self.delivered_to or ())]


class SweepLock(db.Model):
    """A named lock row: the sweep takes it with one atomic UPDATE, so two never run at once."""

    __tablename__ = "sweep_locks"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(sa.String(200))
    acquired_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
