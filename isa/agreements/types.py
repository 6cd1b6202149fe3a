"""The agreement's closed sets: its status, where its data is kept, a party's role."""
import enum


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
        return self.value.replace("_", " ").capitalize()

    @property
    def in_force(self):
        """A status in force (active or under review); whether the agreement is, on a day, is
        `agreements.rules.in_force_on`."""
        return self in IN_FORCE


class DataLocation(enum.StrEnum):
    UK = "uk"
    EEA = "eea"
    OTHER = "other"  # a restricted transfer outside the UK and EEA

    @property
    def label(self):
        return {"uk": "United Kingdom", "eea": "European Economic Area", "other": "Outside the UK and EEA"}[self.value]


class PartyRole(enum.StrEnum):
    DISCLOSER = "discloser"
    RECIPIENT = "recipient"
    BOTH = "both"

    @property
    def label(self):
        return {"discloser": "Discloser", "recipient": "Recipient", "both": "Discloser and recipient"}[self.value]


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


IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW)
