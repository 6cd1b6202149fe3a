"""Documents built from the register for an organisation (the Art 30 record as PDF), made by the
scheduler when someone asks for one, never inside the request that asks."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import enum_column, utcnow
from ..documents.models import RenderStatus
from ..extensions import db


class RecordDocument(db.Model):
    """One requested record document of an organisation, keyed by the content it shows.

    `content_sha256` is the fingerprint of the HTML the record would print: a request whose
    content is already stored (or already queued) adds nothing, and a change to the register
    (or a new day) makes a new content and so a new document. The latest stored one is kept.
    """

    __tablename__ = "record_documents"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "kind", "content_sha256", name="uq_record_documents_content"),
        sa.Index("ix_record_documents_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))  # "processing-record"
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[RenderStatus] = enum_column(RenderStatus, default=RenderStatus.QUEUED)
    requested_by: Mapped[str] = mapped_column(sa.String(254))
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200))
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))  # of the PDF bytes
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    organisation = relationship("Organisation")

    @property
    def pending(self):
        return self.status in (RenderStatus.QUEUED, RenderStatus.RENDERING)

    @property
    def failed(self):
        return self.status == RenderStatus.FAILED
