"""The agreement's closed sets: its status, where its data is kept, a party's role.

Each label is read in the page's language (English outside a request); the values never change.
"""
import enum

from ..core.i18n import lazy_gettext as _l, labelled


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"
    CONSULTATION = "consultation"  # circulated to partners for comment
    AWAITING_SIGNATURES = "awaiting_signatures"
    ACTIVE = "active"
    UNDER_REVIEW = "under_review"  # in force while its review is carried out
    EXPIRED = "expired"  # passed its end date without renewal
    TERMINATED = "terminated"  # ended early by the partners
    SUPERSEDED = "superseded"  # replaced by a newer agreement

    @property
    def label(self):
        return str(STATUS_LABELS[self.value])

    @property
    def in_force(self):
        """A status in force (active or under review); whether the agreement is, on a day, is
        `agreements.rules.in_force_on`."""
        return self in IN_FORCE


class DataLocation(enum.StrEnum):
    UK = "uk"
    EEA = "eea"
    OTHER = "other"  # a restricted transfer outside the UK and EEA

    label = labelled(lambda: {"uk": _l("United Kingdom"), "eea": _l("European Economic Area"), "other": _l("Outside the UK and EEA")})


class PartyRole(enum.StrEnum):
    DISCLOSER = "discloser"
    RECIPIENT = "recipient"
    BOTH = "both"

    label = labelled(lambda: {"discloser": _l("Discloser"), "recipient": _l("Recipient"), "both": _l("Discloser and recipient")})


class SignatureMethod(enum.StrEnum):
    IN_APP = "in_app"  # a partner user confirmed in the register
    PAPER = "paper"  # signed on paper; an officer recorded it
    RECORDED = "recorded"  # on the party before signatures were pinned (an import, say): kept when a new version starts

    label = labelled(lambda: {
        "in_app": _l("In the register"),
        "paper": _l("On paper, recorded by an officer"),
        "recorded": _l("Recorded on the party (imported)"),
    })


IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW)

STATUS_LABELS = {
    "draft": _l("Draft"),
    "consultation": _l("Consultation"),
    "awaiting_signatures": _l("Awaiting signatures"),
    "active": _l("Active"),
    "under_review": _l("Under review"),
    "expired": _l("Expired"),
    "terminated": _l("Terminated"),
    "superseded": _l("Superseded"),
}
