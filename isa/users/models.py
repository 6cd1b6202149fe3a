import enum
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from ..core.i18n import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import enum_column, utcnow
from ..extensions import db

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106) defaults
MIN_PASSWORD_LENGTH = 12


def configure_password_hashing(time_cost=None, memory_cost=None):
    """Tune argon2's cost (the tests lower it; production keeps the defaults)."""
    global _hasher
    if time_cost or memory_cost:
        _hasher = PasswordHasher(time_cost=time_cost or 3, memory_cost=memory_cost or 65536)


_dummy_hash = None


def spend_a_password_check(password):
    """The time of one argon2 verification, for sign-ins to accounts that do not exist: without it
    an unknown email answers in a fraction of the time and tells which accounts exist."""
    global _dummy_hash
    if _dummy_hash is None or not _dummy_hash.startswith(f"$argon2id$v=19$m={_hasher.memory_cost},t={_hasher.time_cost},"):
        _dummy_hash = _hasher.hash("no account has this password")
    try:
        _hasher.verify(_dummy_hash, password or "")
    except (VerificationError, InvalidHashError):
        pass
    return False


class Role(enum.StrEnum):
    ADMIN = "admin"  # everything an officer does, plus users, tokens, catalogue and settings
    OFFICER = "officer"  # a governance officer: keeps the register
    PARTNER = "partner"  # a partner agency's user, bound to one organisation

    @property
    def label(self):
        return ROLE_LABELS[self.value]


ROLE_LABELS = {"admin": _l("Administrator"), "officer": _l("Governance officer"), "partner": _l("Partner user")}


class User(Audited, UserMixin, db.Model):
    __tablename__ = "users"
    audit_label_attr = "email"
    # sign-ins have their own log; the session generation changes at every sign-out
    audit_exclude = Audited.audit_exclude + ("last_login_at", "session_generation", "totp_secret_encrypted", "totp_last_step", "language")

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = enum_column(Role)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Stamped into each session at sign-in; raised at sign-out and at a password change, which
    # ends every session (and every captured cookie) stamped with an older one.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # The second factor (isa.identity): the TOTP secret, encrypted; when it was confirmed; the last
    # time step whose code was accepted, so a code is never accepted twice.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int] = mapped_column(default=0, server_default="0")
    language: Mapped[str | None] = mapped_column(sa.String(8))  # "en" or "cy" once chosen; pages and e-mails use it

    organisation = relationship("Organisation", lazy="joined")

    def set_password(self, password):
        self.password_hash = _hasher.hash(password)
        self.end_sessions()

    def end_sessions(self):
        """Sign this user out everywhere: sessions stamped with the old generation stop working."""
        self.session_generation = (self.session_generation or 0) + 1

    def check_password(self, password):
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def has_second_factor(self):
        return self.totp_enabled_at is not None

    @property
    def is_active(self):
        return self.active

    @property
    def is_officer(self):
        """Officers and admins keep the register."""
        return self.role in (Role.OFFICER, Role.ADMIN)

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def display_name(self):
        return self.name or self.email

    def __repr__(self):
        return f"<User {self.email} {self.role}>"
