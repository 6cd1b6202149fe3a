import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import enum_column
from ..extensions import db


class DataCategory(enum.StrEnum):
    PERSONAL = "personal"
    SPECIAL_CATEGORY = "special_category"  # UK GDPR Art 9: health, ethnicity, sex life...
    CRIMINAL_OFFENCE = "criminal_offence"  # UK GDPR Art 10: convictions, offences, allegations
    ANONYMISED = "anonymised"  # no longer personal data

    @property
    def label(self):
        return {
            "personal": "Personal data",
            "special_category": "Special category data",
            "criminal_offence": "Criminal offence data",
            "anonymised": "Anonymised data",
        }[self.value]


class Frequency(enum.StrEnum):
    AD_HOC = "ad_hoc"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    REAL_TIME = "real_time"

    @property
    def label(self):
        return self.value.replace("_", " ").capitalize()


class ConsentApproach(enum.StrEnum):
    CONSENT = "consent"
    EXPLICIT_CONSENT = "explicit_consent"
    NO_CONSENT_LAWFUL_BASIS = "no_consent_lawful_basis"  # shared under another lawful basis

    @property
    def label(self):
        return {
            "consent": "With consent",
            "explicit_consent": "With explicit consent",
            "no_consent_lawful_basis": "Without consent, under another lawful basis",
        }[self.value]


class DataFlow(Audited, db.Model):
    """One sharing activity inside an agreement: who sends what to whom, why, under which law, how."""

    __tablename__ = "data_flows"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    from_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # None means "to every other party" (the "*" of the import format)
    to_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    categories: Mapped[list] = mapped_column(sa.JSON, default=list, info={"members": DataCategory})
    items: Mapped[str] = mapped_column(sa.Text, default="")
    purposes: Mapped[list] = mapped_column(sa.JSON, default=list)
    lawful_bases: Mapped[list] = mapped_column(sa.JSON, default=list)  # catalogue codes
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfer_channels.id"))
    frequency: Mapped[Frequency] = enum_column(Frequency, default=Frequency.AD_HOC)
    consent: Mapped[ConsentApproach] = enum_column(ConsentApproach, default=ConsentApproach.NO_CONSENT_LAWFUL_BASIS)

    agreement = relationship("Agreement", back_populates="flows")
    from_organisation = relationship("Organisation", foreign_keys=[from_organisation_id], lazy="joined")
    to_organisation = relationship("Organisation", foreign_keys=[to_organisation_id], lazy="joined")
    channel = relationship("TransferChannel", lazy="joined")

    def audit_label(self):
        to = self.to_organisation.name if self.to_organisation else "every other party"
        source = self.from_organisation.name if self.from_organisation else self.from_organisation_id
        return f"Flow {source} → {to} in {self.agreement.reference}"

    def audit_agreement(self):
        return self.agreement

    @property
    def to_everyone(self):
        return self.to_organisation_id is None

    def category_members(self):
        return [DataCategory(c) for c in self.categories]
