from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..audit.tracking import Audited
from ..core.db import utcnow
from ..extensions import db


class TransferChannel(Audited, db.Model):
    """A way data moves between partners: secure email, SFTP, CJSM, a named transfer service."""

    __tablename__ = "transfer_channels"
    audit_label_attr = "name"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    special_category_approved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<TransferChannel {self.slug}>"
