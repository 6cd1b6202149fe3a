"""Valid objects in one call, with explicit overrides."""
import itertools
from datetime import date

from isa.agreements.models import Agreement, AgreementStatus, Party, PartyRole
from isa.channels.models import TransferChannel
from isa.flows.models import ConsentApproach, DataFlow, Frequency
from isa.organisations.models import Organisation
from isa.organisations.types import OrganisationType
from isa.users.models import Role, User

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # every factory officer's and admin's authenticator key


def totp_code(last_step=0, secret=TOTP_SECRET):
    """A code the app accepts now: the current time step's, or the next one's when the current one
    was already used (a second sign-in within 30 seconds), as an authenticator a moment later would show."""
    import time

    import pyotp

    return pyotp.TOTP(secret).generate_otp(max(int(time.time()) // 30, (last_step or 0) + 1))


class Factory:
    def __init__(self, db):
        self.db = db

    def _save(self, obj):
        self.db.session.add(obj)
        self.db.session.commit()
        return obj

    def organisation(self, **overrides):
        n = next(_seq)
        values = dict(
            slug=f"org-{n}", name=f"Organisation {n}", type=OrganisationType.LOCAL_AUTHORITY,
            ico_registration=f"Z{n:07d}", spoc_email=f"spoc{n}@example.org", dpo_email=f"dpo{n}@example.org",
        )
        values.update(overrides)
        return self._save(Organisation(**values))

    def channel(self, **overrides):
        n = next(_seq)
        values = dict(slug=f"channel-{n}", name=f"Channel {n}", special_category_approved=True)
        values.update(overrides)
        return self._save(TransferChannel(**values))

    def user(self, role="officer", organisation=None, email=None, second_factor=None, **overrides):
        """Officers and admins come with their second factor set up (key TOTP_SECRET), as they must;
        partners without, unless `second_factor=True`."""
        from isa.identity.operations import enrol_with_secret

        n = next(_seq)
        role = Role(role)
        if role == Role.PARTNER and organisation is None:
            organisation = self.organisation()
        overrides.setdefault("name", f"User {n}")
        user = User(email=email or f"{role.value}{n}@example.org", role=role, organisation=organisation, **overrides)
        user.set_password(PASSWORD)
        if second_factor if second_factor is not None else role != Role.PARTNER:
            enrol_with_secret(user, TOTP_SECRET)
        return self._save(user)

    def partner_of(self, slug):
        """A partner user of the organisation with this slug."""
        import sqlalchemy as sa

        organisation = self.db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
        return self.user(role="partner", organisation=organisation)

    def agreement(self, parties=None, flows=True, signed=True, **overrides):
        """An agreement between `parties` (two new organisations by default), each signed."""
        n = next(_seq)
        parties = parties if parties is not None else [self.organisation(), self.organisation()]
        values = dict(
            reference=f"ISA-TEST-{n:04d}", title=f"Agreement {n}", purpose="Safeguarding children",
            status=AgreementStatus.DRAFT, start_date=date(2024, 12, 1), review_date=date(2027, 12, 1),
            lead_organisation=parties[0] if parties else None,
        )
        values.update(overrides)
        agreement = Agreement(**values)
        for org in parties:
            agreement.parties.append(
                Party(organisation=org, role=PartyRole.BOTH, signatory_name="A Signatory", signatory_title="Director",
                      signed_on=date(2024, 11, 20) if signed else None)
            )
        if flows and len(parties) >= 2:
            agreement.flows.append(
                DataFlow(from_organisation=parties[0], to_organisation=parties[1], categories=["personal"],
                         items="Names and addresses", purposes=["safeguarding children"], lawful_bases=["UKGDPR-A6-1E"],
                         frequency=Frequency.AD_HOC, consent=ConsentApproach.NO_CONSENT_LAWFUL_BASIS)
            )
        return self._save(agreement)

    def decision(self, discloser=None, recipient=None, recorded_by=None, **overrides):
        """A sharing decision: shared with consent between two organisations (new ones by default)."""
        from isa.decisions.flowchart import Outcome
        from isa.decisions.models import SharingDecision

        n = next(_seq)
        values = dict(
            decided_on=date(2025, 3, 1), discloser=discloser or self.organisation(), recipient=recipient or self.organisation(),
            case_reference=f"CS-2025-{n:05d}", purpose="safeguarding children",
            answers={"legitimate_purpose": "yes", "identifiable": "yes", "confidential": "yes", "consent": "yes",
                     "how": ["how_much", "fact_opinion", "right_recipient", "secure"], "inform": "yes"},
            suggested_outcome=Outcome.SHARE, outcome=Outcome.SHARE, reasons="The family agreed to the referral.",
            lawful_bases=["UKGDPR-A6-1E"], shared="Attendance record", recorded_by=recorded_by or self.user(role="officer"),
        )
        values.update(overrides)
        return self._save(SharingDecision(**values))
