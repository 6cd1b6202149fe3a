from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import enum_column, utcnow
from ..extensions import db
from . import rules
from .types import AgreementStatus, DataLocation, PartyRole, SignatureMethod  # noqa: F401  (imported from here too)


class Agreement(Audited, db.Model):
    __tablename__ = "agreements"
    audit_label_attr = "reference"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300), index=True)
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    scope: Mapped[str | None] = mapped_column(sa.Text)
    lead_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[AgreementStatus] = enum_column(AgreementStatus, default=AgreementStatus.DRAFT, index=True)
    start_date: Mapped[date]
    review_date: Mapped[date] = mapped_column(index=True)
    end_date: Mapped[date | None]
    review_interval_months: Mapped[int] = mapped_column(default=12)
    data_subjects: Mapped[str | None] = mapped_column(sa.Text)
    retention: Mapped[str | None] = mapped_column(sa.Text)
    security: Mapped[str | None] = mapped_column(sa.Text)
    data_location: Mapped[DataLocation] = enum_column(DataLocation, default=DataLocation.UK)
    dpia_reference: Mapped[str | None] = mapped_column(sa.String(100))
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"))
    version: Mapped[int] = mapped_column(default=1)
    # The protocol document's version: raised only by a material change, which every party signs again.
    protocol_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The in-force status a new protocol version interrupted, restored once every party has signed it.
    resume_status: Mapped[AgreementStatus | None] = enum_column(AgreementStatus)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    lead_organisation = relationship("Organisation", lazy="joined")
    owner = relationship("User", lazy="joined")
    supersedes = relationship("Agreement", remote_side=[id], lazy="select")
    parties = relationship(
        "Party", back_populates="agreement", cascade="all, delete-orphan", order_by="Party.id", lazy="selectin"
    )
    flows = relationship(
        "DataFlow", back_populates="agreement", cascade="all, delete-orphan", order_by="DataFlow.id", lazy="selectin"
    )

    # Optimistic locking: every UPDATE checks and raises the version (SQLAlchemy version_id_col).
    __mapper_args__ = {"version_id_col": version}
    # The in-force rule's columns, with the review date: the dashboard counts from the index alone.
    __table_args__ = (sa.Index("ix_agreements_in_force", "status", "start_date", "end_date", "review_date", "resume_status"),)

    def audit_agreement(self):
        return self

    @property
    def party_organisations(self):
        return [party.organisation for party in self.parties]

    def party_for(self, organisation):
        return next((p for p in self.parties if p.organisation_id == organisation.id), None)

    @hybrid_method
    def in_force_on(self, day):
        return rules.in_force_on(self, day)

    @in_force_on.expression
    def in_force_on(cls, day):
        return rules.in_force_sql(cls, day)

    @hybrid_method
    def review_overdue(self, day):
        return rules.review_overdue(self, day)

    @review_overdue.expression
    def review_overdue(cls, day):
        return rules.review_overdue_sql(cls, day)

    def __repr__(self):
        return f"<Agreement {self.reference}>"


class Party(Audited, db.Model):
    """An organisation's place in an agreement, and its signature."""

    __tablename__ = "parties"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "organisation_id", name="uq_parties_agreement_organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    role: Mapped[PartyRole] = enum_column(PartyRole, default=PartyRole.BOTH)
    signatory_name: Mapped[str | None] = mapped_column(sa.String(200))
    signatory_title: Mapped[str | None] = mapped_column(sa.String(200))
    signed_on: Mapped[date | None]
    signed_document_version: Mapped[int | None]
    signed_document_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    agreement = relationship("Agreement", back_populates="parties")
    organisation = relationship("Organisation", lazy="joined")

    def audit_label(self):
        return party_label(self.organisation.name if self.organisation else self.organisation_id, self.agreement.reference)

    def audit_agreement(self):
        return self.agreement

    @property
    def signed(self):
        return self.signed_on is not None

    @property
    def signatory(self):
        """Name and title as one line, as the import/export format carries it."""
        return ", ".join(part for part in (self.signatory_name, self.signatory_title) if part) or None


def party_label(organisation, reference):
    """How the history names a party."""
    return f"{organisation} in {reference}"


class AgreementVersion(db.Model):
    """What one protocol version said, kept when a material change starts the next one.

    `record` holds the version's parties (with their signatures) and its data flows, in the
    import/export shape with the organisations' ids beside their slugs. While an amendment awaits
    signatures, the last version every party signed stays in force, and the permitted check
    answers from it.
    """

    __tablename__ = "agreement_versions"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "protocol_version", name="uq_agreement_versions_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    protocol_version: Mapped[int]
    fully_signed: Mapped[bool]  # every party had signed this version when the next one started
    status: Mapped[AgreementStatus] = enum_column(AgreementStatus)  # its status then (in force, or not)
    record: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<AgreementVersion {self.agreement_id} v{self.protocol_version}>"


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
