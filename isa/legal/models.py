import enum
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from ..audit.tracking import Audited
from ..core.db import enum_column
from ..extensions import db


class Regime(enum.StrEnum):
    DPA1998 = "dpa1998"  # legacy: in force until 24 May 2018
    UK_GDPR = "uk_gdpr"
    DPA2018 = "dpa2018"
    STATUTE = "statute"  # a statutory gateway in another Act
    COMMON_LAW = "common_law"


class BasisKind(enum.StrEnum):
    ART6 = "art6"  # UK GDPR Art 6(1), and DPA 1998 Schedule 2 before it
    ART9 = "art9"  # UK GDPR Art 9(2), and DPA 1998 Schedule 3 before it
    ART10 = "art10"
    SCH1 = "sch1"  # DPA 2018 Schedule 1 condition
    PART3 = "part3"  # DPA 2018 Part 3 (law enforcement): s35 and Schedule 8
    GATEWAY = "gateway"  # a statutory power or duty to share
    COMMON_LAW = "common_law"

    @property
    def label(self):
        return _KIND_LABELS[self.value]


_KIND_LABELS = {
    "art6": _l("UK GDPR Article 6 conditions (DPA 1998 Schedule 2)"),
    "art9": _l("UK GDPR Article 9 conditions (DPA 1998 Schedule 3)"),
    "art10": _l("UK GDPR Article 10 (criminal offence data)"),
    "sch1": _l("DPA 2018 Schedule 1 conditions"),
    "part3": _l("DPA 2018 Part 3 (law enforcement)"),
    "gateway": _l("Statutory gateways"),
    "common_law": _l("Common law"),
}


def in_language(wording, shipped):
    """A lawful basis's title or summary as a page shows it: the shipped wording in the page's
    language (the catalogue's Welsh is in the translations), any other wording as its author wrote it."""
    return gettext(wording) if wording and wording == shipped else wording


def title_in_language(basis):
    """Any catalogue entry's title in the page's language: a LegalBasis, a snapshot of one, a test's fake."""
    return in_language(basis.title, getattr(basis, "shipped_title", None))


def summary_in_language(basis):
    return in_language(basis.summary, getattr(basis, "shipped_summary", None))


class LegalBasis(Audited, db.Model):
    """One entry of the lawful-basis catalogue (SPEC §3)."""

    __tablename__ = "legal_bases"
    audit_label_attr = "code"
    # Bookkeeping of the shipped wording: the trail records the title and summary themselves.
    audit_exclude = Audited.audit_exclude + ("shipped_title", "shipped_summary", "reworded_from_title", "reworded_from_summary")

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    regime: Mapped[Regime] = enum_column(Regime)
    kind: Mapped[BasisKind] = enum_column(BasisKind)
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text)
    in_force_from: Mapped[date | None]
    in_force_to: Mapped[date | None]
    successors: Mapped[list] = mapped_column(sa.JSON, default=list)
    needs_apd: Mapped[bool | None]
    sch1_part: Mapped[int | None]
    needs_sch1_part: Mapped[int | None]
    local: Mapped[bool] = mapped_column(default=False)  # added by an admin, not shipped
    # A shipped entry's wording as the catalogue file had it when `legal sync` last ran.
    shipped_title: Mapped[str | None] = mapped_column(sa.String(300))
    shipped_summary: Mapped[str | None] = mapped_column(sa.Text)
    # Set while an admin's local wording replaces the shipped one: the shipped wording it was written
    # against, so a later change to the shipped wording can be pointed out.
    reworded_from_title: Mapped[str | None] = mapped_column(sa.String(300))
    reworded_from_summary: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def legacy(self):
        return self.regime == Regime.DPA1998

    @property
    def has_local_wording(self):
        """A shipped entry whose title and summary an administrator has reworded locally."""
        return not self.local and self.reworded_from_title is not None

    @property
    def title_in_language(self):
        """The title a page shows, in its language: API and exports keep `title` as stored."""
        return title_in_language(self)

    @property
    def summary_in_language(self):
        return summary_in_language(self)

    @property
    def shipped_wording_changed(self):
        """The shipped title or summary changed after the local wording was written."""
        return self.has_local_wording and (self.shipped_title, self.shipped_summary) != (
            self.reworded_from_title,
            self.reworded_from_summary,
        )

    def in_force_on(self, day):
        return (self.in_force_from is None or self.in_force_from <= day) and (
            self.in_force_to is None or day <= self.in_force_to
        )

    def __repr__(self):
        return f"<LegalBasis {self.code}>"
