import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import enum_column, utcnow
from ..extensions import db


class ProtocolDocument(db.Model):
    """One generated protocol PDF, kept byte for byte as it was handed out.

    Not audited: generating a document changes nothing in the agreement (and must not raise its
    version); the row itself records who generated it and when.
    """

    __tablename__ = "protocol_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    protocol_version: Mapped[int]  # the version printed on the document
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)  # of the PDF bytes
    # Of the document's content without its generation line: equal for an unchanged agreement.
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    generated_by: Mapped[str] = mapped_column(sa.String(254))
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    page_count: Mapped[int]
    size: Mapped[int]
    # Every party had signed the version it shows: its signature page shows their signatures.
    signed_copy: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)

    agreement = relationship("Agreement")

    @property
    def filename(self):
        signed = "-signed" if self.signed_copy else ""
        return f"{self.agreement.reference}-protocol-v{self.protocol_version}{signed}-{self.sha256[:8]}.pdf"

    def __repr__(self):
        return f"<ProtocolDocument {self.agreement_id} v{self.protocol_version} {self.sha256[:12]}>"


class SignatureMethod(enum.StrEnum):
    IN_APP = "in_app"  # a partner user confirmed in the register
    PAPER = "paper"  # signed on paper; an officer recorded it
    RECORDED = "recorded"  # on the party before signatures were pinned (an import, say): kept when a new version starts

    @property
    def label(self):
        return {
            "in_app": "In the register",
            "paper": "On paper, recorded by an officer",
            "recorded": "Recorded on the party (imported)",
        }[self.value]


class Signature(db.Model):
    """A party's signature of one protocol version: kept when a later version asks for new ones.

    Party holds the signature of the current version; this is the permanent record of every one.
    """

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    # The name is kept as signed: the record outlives the organisation's place in the agreement.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    organisation_name: Mapped[str] = mapped_column(sa.String(200))
    protocol_version: Mapped[int]
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("protocol_documents.id"))
    document_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    signatory_name: Mapped[str] = mapped_column(sa.String(200))
    signatory_title: Mapped[str | None] = mapped_column(sa.String(200))
    signed_on: Mapped[date]
    method: Mapped[SignatureMethod] = enum_column(SignatureMethod)
    recorded_by: Mapped[str] = mapped_column(sa.String(254))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    document = relationship("ProtocolDocument")

    @property
    def signatory(self):
        return ", ".join(part for part in (self.signatory_name, self.signatory_title) if part)


class RenderStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for a scheduler (again, after a failed attempt)
    RENDERING = "rendering"  # claimed by a scheduler; its lease says until when
    DONE = "done"  # the document showing the agreement as it then stood is stored
    FAILED = "failed"  # gave up after the attempts allowed: shown to officers with the error

    @property
    def label(self):
        return {"queued": "Queued", "rendering": "Being prepared", "done": "Ready", "failed": "Failed"}[self.value]


class RenderJob(db.Model):
    """A protocol document to produce: queued when the agreement changes, done by the scheduler.

    At most one job per agreement waits at a time (the partial unique index), so any number of
    changes, from any number of web workers, before a scheduler takes it make one render. The
    scheduler renders the agreement as it stands when it takes the job, and stores nothing new
    when a document of that exact content (its fingerprint) is already stored.
    """

    __tablename__ = "render_jobs"
    __table_args__ = (
        sa.Index(
            "uq_render_jobs_waiting", "agreement_id", unique=True,
            sqlite_where=sa.text("status = 'queued'"), postgresql_where=sa.text("status = 'queued'"),
        ),
        sa.Index("ix_render_jobs_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    protocol_version: Mapped[int]  # the version when queued, for "the protocol for version 3 is being prepared"
    status: Mapped[RenderStatus] = enum_column(RenderStatus, default=RenderStatus.QUEUED)
    requested_by: Mapped[str] = mapped_column(sa.String(254))  # whose change queued it: the document's "generated by"
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)  # a failed attempt waits a little before the next
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(200))
    lease_until: Mapped[datetime | None]  # a claim older than this was lost (its process died)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))  # of what was rendered
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("protocol_documents.id", ondelete="SET NULL"))
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    agreement = relationship("Agreement")
    document = relationship("ProtocolDocument")

    @property
    def pending(self):
        return self.status in (RenderStatus.QUEUED, RenderStatus.RENDERING)
