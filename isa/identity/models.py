"""Sign-in records: organisations' identity providers, recovery codes, password resets, the mail outbox."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import utcnow
from ..extensions import db


class IdentityProvider(Audited, db.Model):
    """An organisation's OpenID Connect provider: its people sign in there instead of with a password."""

    __tablename__ = "identity_providers"
    audit_label_attr = "issuer"
    audit_exclude = Audited.audit_exclude + ("client_secret_encrypted",)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), unique=True)
    issuer: Mapped[str] = mapped_column(sa.String(500))  # the discovery document is read from issuer + /.well-known/openid-configuration
    client_id: Mapped[str] = mapped_column(sa.String(300))
    client_secret_encrypted: Mapped[str] = mapped_column(sa.Text, default="")  # Fernet (isa.core.crypto), never shown again
    email_domains: Mapped[list] = mapped_column(sa.JSON, default=list)  # ["herts.police.uk"]: whose e-mail routes here
    allow_new_accounts: Mapped[bool] = mapped_column(default=False)  # just-in-time partner accounts at first sign-in
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation = relationship("Organisation", lazy="joined")

    def audit_organisation_id(self):
        return self.organisation_id


class RecoveryCode(db.Model):
    """One of the ten one-time codes given at enrolment, for a lost authenticator (hashed like a password)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(200))
    used_at: Mapped[datetime | None]


class PasswordReset(db.Model):
    """A link sent by e-mail; only the SHA-256 of its token is kept. Single use, short-lived."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class OutgoingMail(db.Model):
    """Mail a web request wants sent: the scheduler sends it (a web request never sends mail), and
    the body is blanked once sent, so a reset link does not stay in the database."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    not_after: Mapped[datetime]  # worthless after this (the link has expired): dropped unsent
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
