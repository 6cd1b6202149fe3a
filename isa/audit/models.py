from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import utcnow
from ..extensions import db


class AuditEvent(db.Model):
    """One change to one record. Append-only: rows are inserted by the tracker and never changed."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(254))  # a user's email, or "system" / "import"
    action: Mapped[str] = mapped_column(sa.String(20))  # created, updated, deleted
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    entity_label: Mapped[str] = mapped_column(sa.String(300))
    agreement_id: Mapped[int | None] = mapped_column(index=True)  # no FK: history outlives records
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    @property
    def change_list(self):
        return sorted(self.changes.items())
