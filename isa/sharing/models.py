from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import utcnow
from ..extensions import db


class CheckLog(db.Model):
    """One permitted-purpose check: who asked, when, the question and the answer.

    A log, like the audit trail: organisations and users are kept by name, not by foreign key,
    so the record outlives them. Rows are only ever added.
    """

    __tablename__ = "check_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    asked_by: Mapped[str] = mapped_column(sa.String(254))  # the user's email
    via: Mapped[str] = mapped_column(sa.String(10))  # "web" or "api"
    discloser_slug: Mapped[str] = mapped_column(sa.String(80), index=True)
    discloser_name: Mapped[str] = mapped_column(sa.String(200))
    recipient_slug: Mapped[str] = mapped_column(sa.String(80), index=True)
    recipient_name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(40))
    purpose: Mapped[str | None] = mapped_column(sa.String(200))
    on_date: Mapped[date]
    permitted: Mapped[bool]
    agreements: Mapped[list] = mapped_column(sa.JSON, default=list)  # references that matched
    # [{code, message, agreement, findings, said, values}]: the message in English, and the sentence's
    # name and values (wording.py) to say it in a reader's language
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)

    @property
    def reason_messages(self):
        return [reason.get("message", "") for reason in self.reasons or ()]

    @property
    def reason_texts(self):
        """The reasons in the reader's language (as recorded, for a check logged before they were kept so)."""
        from .wording import say

        return [
            say(reason["said"], reason.get("values") or {}, fallback=reason.get("message", "")) if reason.get("said") else reason.get("message", "")
            for reason in self.reasons or ()
        ]
