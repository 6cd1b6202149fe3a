"""Creating, finding and revoking API tokens."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit.tracking import current_actor
from ..core.db import retry_when_busy, utcnow
from ..extensions import db
from ..users.models import User
from ..users.operations import normalise_email
from .models import API, CALENDAR, ApiToken

TOKEN_PREFIX = "isa_"
FEED_PREFIX = "isacal_"  # calendar feed secrets: read-only, revocable, and never an API token
SHOWN_PREFIX_LENGTH = 12  # "isa_" and eight random characters
# Recording every use would write on every request; once a minute tells an admin as much.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# How long a token may live, in days: a lost token stops working on its own.
LIFETIMES = (30, 90, 180, 365)
DEFAULT_LIFETIME = 90


class TokenError(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user, name, scope=API, lifetime_days=DEFAULT_LIFETIME):
    """A new token for `user`, expiring after `lifetime_days`: returns (ApiToken, the token itself, which is never stored).

    An API token never acts as an administrator: administration is done signed in, where the
    session, its time-outs and the audit trail's name are a person's, not a machine's.

    scope API: a bearer token for the API. scope CALENDAR: a feed secret that reads only the
    review-dates calendar, for calendar apps that must carry it in the subscription URL (where
    access logs and shared calendars see it), so it gives away nothing else and is revoked alone."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("name", _("Enter what the token is for, like Police case system"))
    if len(name) > 200:
        raise TokenError("name", _("The name must be 200 characters or fewer"))
    if user is None:
        raise TokenError("user", _("Choose the user the token acts for"))
    if not user.is_active:
        raise TokenError("user", _("%(email)s is deactivated: reactivate the user first", email=user.email))
    if scope not in (API, CALENDAR):
        raise TokenError("scope", _("Choose an API token or a calendar feed"))
    if scope == API and user.is_admin:
        raise TokenError("user", _("An API token cannot act as an administrator: choose an officer or a partner user"))
    if lifetime_days not in LIFETIMES:
        raise TokenError("lifetime", _("Choose how long the token lasts"))
    token = (FEED_PREFIX if scope == CALENDAR else TOKEN_PREFIX) + secrets.token_urlsafe(32)
    shown = SHOWN_PREFIX_LENGTH + (len(FEED_PREFIX) - len(TOKEN_PREFIX) if scope == CALENDAR else 0)
    now = utcnow()
    record = ApiToken(
        user=user, name=name, token_hash=hash_token(token), prefix=token[:shown], created_by=current_actor(), scope=scope,
        created_at=now, expires_at=now + timedelta(days=lifetime_days),
    )
    db.session.add(record)
    return record, token


def find_user(email):
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(token, scope=API):
    """The live token of `scope` for this value (an active user's, not revoked, not expired), else None; one statement."""
    prefix = FEED_PREFIX if scope == CALENDAR else TOKEN_PREFIX
    if not token or not token.startswith(prefix) or len(token) > 200:
        return None
    record = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None), ApiToken.scope == scope,
                                 ApiToken.expires_at > utcnow())
    )
    if record is None or not record.user.is_active:
        return None
    return record


def note_use(record, now=None):
    """Record when the token was last used (at most once a minute), without the ORM or the audit trail."""
    now = now or utcnow()
    if record.last_used_at is not None and now - record.last_used_at < LAST_USED_RESOLUTION:
        return
    token_id = record.id

    def write():
        db.session.execute(sa.update(ApiToken.__table__).where(ApiToken.__table__.c.id == token_id).values(last_used_at=now))
        db.session.commit()

    retry_when_busy(db.session, write)


def revoke_token(record):
    if record.revoked_at is None:
        record.revoked_at = utcnow()


def all_tokens():
    return db.session.scalars(sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())).all()
