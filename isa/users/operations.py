"""Signing in, throttling failed attempts, and creating users."""
from datetime import timedelta

import sqlalchemy as sa

from ..core.db import utcnow
from ..extensions import db
from .models import MIN_PASSWORD_LENGTH, LoginAttempt, Role, User


class UserError(ValueError):
    pass


def normalise_email(email):
    return (email or "").strip().lower()


def is_throttled(email, address, config, now=None):
    """Too many recent failures for this account or from this address (state in the database)."""
    now = now or utcnow()
    since = now - timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    failures = sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
    )
    per_account = db.session.scalar(failures.where(LoginAttempt.email == normalise_email(email)))
    if per_account >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    per_address = db.session.scalar(failures.where(LoginAttempt.address == address))
    return per_address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def authenticate(email, password, address, config):
    """Return the user for good credentials, or None. Every attempt is recorded."""
    email = normalise_email(email)
    if is_throttled(email, address, config):
        return None
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = user is not None and user.is_active and user.check_password(password)
    db.session.add(LoginAttempt(email=email, address=address or "unknown", succeeded=ok))
    if ok:
        user.last_login_at = utcnow()
    db.session.commit()
    return user if ok else None


def create_user(email, role, password, name="", organisation=None):
    email = normalise_email(email)
    role = Role(role)
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters")
    if role == Role.PARTNER and organisation is None:
        raise UserError("A partner user must belong to an organisation")
    if role != Role.PARTNER and organisation is not None:
        raise UserError("Only partner users belong to an organisation")
    if db.session.scalar(sa.select(User).where(User.email == email)):
        raise UserError(f"A user with the email {email} already exists")
    user = User(email=email, role=role, name=name, organisation=organisation)
    user.set_password(password)
    db.session.add(user)
    return user
