import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import enum_column
from ..core.i18n import lazy_gettext as _l, labelled
from ..extensions import db


class DataCategory(enum.StrEnum):
    PERSONAL = "personal"
    SPECIAL_CATEGORY = "special_category"  # UK GDPR Art 9: health, ethnicity, sex life...
    CRIMINAL_OFFENCE = "criminal_offence"  # UK GDPR Art 10: convictions, offences, allegations
    ANONYMISED = "anonymised"  # no longer personal data

    label = labelled(lambda: {
        "personal": _l("Personal data"),
        "special_category": _l("Special category data"),
        "criminal_offence": _l("Criminal offence data"),
        "anonymised": _l("Anonymised data"),
    })


class Frequency(enum.StrEnum):
    AD_HOC = "ad_hoc"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    REAL_TIME = "real_time"

    label = labelled(lambda: {
        "ad_hoc": _l("Ad hoc"),
        "daily": _l("Daily"),
        "weekly": _l("Weekly"),
        "monthly": _l("Monthly"),
        "real_time": _l("Real time"),
    })


class ConsentApproach(enum.StrEnum):
    CONSENT = "consent"
    EXPLICIT_CONSENT = "explicit_consent"
    NO_CONSENT_LAWFUL_BASIS = "no_consent_lawful_basis"  # shared under another lawful basis

    label = labelled(lambda: {
        "consent": _l("With consent"),
        "explicit_consent": _l("With explicit consent"),
        "no_consent_lawful_basis": _l("Without consent, under another lawful basis"),
    })


class DataSubjectCategory(enum.StrEnum):
    """Whom the data is about: the closed list of the record of processing (UK GDPR Art 30(1)(c))."""

    CHILDREN = "children"
    PARENTS_CARERS = "parents_carers"
    FAMILY_MEMBERS = "family_members"  # siblings, relatives and others in the household
    VULNERABLE_ADULTS = "vulnerable_adults"  # adults at risk (Care Act 2014 s42)
    PATIENTS = "patients"
    SERVICE_USERS = "service_users"  # clients of a council, charity or provider
    PUPILS = "pupils"  # pupils and students
    VICTIMS_WITNESSES = "victims_witnesses"
    OFFENDERS_SUSPECTS = "offenders_suspects"  # suspects, offenders and people on licence
    STAFF = "staff"  # employees and volunteers
    PROFESSIONALS = "professionals"  # practitioners named in case records
    RESIDENTS = "residents"  # residents and members of the public

    label = labelled(lambda: {
        "children": _l("Children"),
        "parents_carers": _l("Parents and carers"),
        "family_members": _l("Other family and household members"),
        "vulnerable_adults": _l("Adults at risk"),
        "patients": _l("Patients"),
        "service_users": _l("Service users and clients"),
        "pupils": _l("Pupils and students"),
        "victims_witnesses": _l("Victims and witnesses"),
        "offenders_suspects": _l("Offenders and suspects"),
        "staff": _l("Staff and volunteers"),
        "professionals": _l("Professionals and practitioners"),
        "residents": _l("Residents and members of the public"),
    })


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
    # What the record of processing (Art 30) needs of each flow; editorial, so no new protocol version.
    data_subject_categories: Mapped[list] = mapped_column(
        sa.JSON, default=list, server_default=sa.text("'[]'"), info={"members": DataSubjectCategory}
    )
    data_subjects: Mapped[str | None] = mapped_column(sa.Text)  # whom else, or more precisely, in words
    retention: Mapped[str | None] = mapped_column(sa.Text)  # how long the recipient keeps it (else the agreement's)
    source_system: Mapped[str | None] = mapped_column(sa.String(200))  # the system or information asset it comes from
    asset_owner: Mapped[str | None] = mapped_column(sa.String(200))  # that asset's information asset owner

    agreement = relationship("Agreement", back_populates="flows")
    from_organisation = relationship("Organisation", foreign_keys=[from_organisation_id], lazy="joined")
    to_organisation = relationship("Organisation", foreign_keys=[to_organisation_id], lazy="joined")
    channel = relationship("TransferChannel", lazy="joined")

    def audit_label(self):
        source = self.from_organisation.name if self.from_organisation else self.from_organisation_id
        return flow_label(source, self.to_organisation.name if self.to_organisation else None, self.agreement.reference)

    def audit_agreement(self):
        return self.agreement

    @property
    def to_everyone(self):
        return self.to_organisation_id is None

    def category_members(self):
        return [DataCategory(c) for c in self.categories]

    def subject_category_members(self):
        return [DataSubjectCategory(c) for c in self.data_subject_categories or ()]


def flow_label(source, recipient, reference):
    """How the history names a flow; `recipient` None: every other party."""
    return f"Flow {source} → {recipient or 'every other party'} in {reference}"
