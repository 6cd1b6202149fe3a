"""Sign-in actions: the second factor, password resets and accounts from identity providers.
They flush; the caller commits."""
import hashlib
import secrets
from datetime import timedelta

import pyotp
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..audit.models import AuditEvent
from ..audit.tracking import current_actor, event_row
from ..core import crypto
from ..core.db import utcnow
from ..extensions import db
from ..users.models import Role, User
from ..core.errors import DomainError
from ..users.operations import normalise_email, password_problem
from .models import IdentityProvider, OutgoingMail, PasswordReset, RecoveryCode
from .rules import RECOVERY_CODES, accepted_step, normalise_recovery_code


def record_security_event(user, action, details=None):
    """One entry in the audit trail about `user` (a sign-in event, not a change of a field)."""
    db.session.flush()
    changes = {key: [None, value] for key, value in (details or {}).items()}
    db.session.execute(sa.insert(AuditEvent.__table__), [event_row(user, action, user.id, changes, current_actor())])


def _sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def complete_sign_in(user):
    user.last_login_at = utcnow()


# --- the second factor ---------------------------------------------------------------------------------


def new_totp_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


def qr_code_svg(uri):
    """The enrolment QR code as inline SVG, drawn here: no image is fetched from anywhere."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                    title=_("QR code for your authenticator app"), nl=False)
    return out.getvalue().decode()


def _candidates(secret, now=None):
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now or utcnow_aware())
    return {s: totp.generate_otp(s) for s in (step - 1, step, step + 1)}


def utcnow_aware():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


def _secret_of(user):
    return crypto.decrypt(user.totp_secret_encrypted) if user.totp_secret_encrypted else None


def check_code(user, code, now=None):
    """True for a current code from the user's authenticator not accepted before; it is then used up."""
    secret = _secret_of(user)
    if not secret:
        return False
    step = accepted_step(_candidates(secret, now), code, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def enrol(user, secret, code, now=None):
    """Confirm enrolment with a first code; returns the ten recovery codes (shown once, kept hashed)."""
    step = accepted_step(_candidates(secret, now), code, 0)
    if step is None:
        raise DomainError("code", _("Enter the 6-digit code your authenticator app shows now"))
    user.totp_secret_encrypted = crypto.encrypt(secret)
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    codes = new_recovery_codes(user)
    record_security_event(user, "2FA enrolled")
    return codes


def enrol_with_secret(user, secret):
    """Enrol with a known key, without a first code (the demo's officer and admin, test users)."""
    user.totp_secret_encrypted = crypto.encrypt(secret)
    user.totp_enabled_at = utcnow()


def new_recovery_codes(user):
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]  # 40 bits each, used once
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_sha256(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_recovery_code(user, code):
    row = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _sha256(normalise_recovery_code(code)),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    record_security_event(user, "recovery code used", {"recovery codes left": unused_recovery_codes(user) - 1})
    return True


def unused_recovery_codes(user):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def reset_second_factor(user):
    """An admin clears a user's second factor (a lost phone): they enrol again at their next sign-in
    (officers and admins must), and every session of theirs ends."""
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = 0
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.end_sessions()
    record_security_event(user, "2FA reset")


# --- password reset ------------------------------------------------------------------------------------


def _serializer():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="isa password reset")


def request_password_reset(email, link_for):
    """Queue a reset link for the account with this e-mail, if there is an active one that signs in
    with an isa password (not through its organisation's provider). The caller
    answers the same either way; the mail goes out from the scheduler, so the answer takes as long."""
    from .rules import provider_for

    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.is_active:
        return None
    if provider_for(email, providers()):
        return None  # their organisation's sign-in answers for them: no isa password to set behind its back
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    raw = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_hash=_sha256(raw), expires_at=utcnow() + timedelta(minutes=minutes))
    db.session.add(reset)
    from .notifications import password_reset_message

    with force_locale(user.language or "en"):  # in the language the person chose, not the asker's
        subject, body = password_reset_message(user, link_for(_serializer().dumps(raw)), minutes)
    db.session.add(OutgoingMail(recipient=user.email, subject=subject, body=body, not_after=reset.expires_at))
    record_security_event(user, "reset requested")
    return reset


def reset_for_token(token):
    """The unused, unexpired reset the link's token belongs to, or None."""
    from itsdangerous import BadSignature

    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    try:
        raw = _serializer().loads(token or "", max_age=minutes * 60)
    except BadSignature:  # altered, or older than the link's life (SignatureExpired is one)
        return None
    reset = db.session.scalar(sa.select(PasswordReset).where(PasswordReset.token_hash == _sha256(raw)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(token, new_password):
    """Set a new password through a reset link: the link is used up, and every session of the user ends."""
    reset = reset_for_token(token)
    if reset is None:
        raise DomainError("token", _("This link has expired or has already been used. Ask for a new one."))
    user = db.session.get(User, reset.user_id)
    problem = password_problem(new_password, user.email)
    if problem:
        raise DomainError("new", problem)
    # Used up in one UPDATE that only succeeds once, even if the link is opened twice at the same moment.
    used = db.session.execute(
        sa.update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None)).values(used_at=utcnow())
    ).rowcount
    if used != 1:
        raise DomainError("token", _("This link has expired or has already been used. Ask for a new one."))
    db.session.execute(  # and so is every other link of theirs
        sa.update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)).values(used_at=utcnow())
    )
    user.set_password(new_password)  # raises the session generation: every session ends
    record_security_event(user, "password reset")
    return user


# --- identity providers --------------------------------------------------------------------------------


def providers():
    return db.session.scalars(sa.select(IdentityProvider).where(IdentityProvider.enabled.is_(True))).all()


def save_provider(organisation, issuer, client_id, client_secret, email_domains, allow_new_accounts, enabled=True):
    """Create or change an organisation's provider; an empty secret keeps the one stored."""
    provider = db.session.scalar(sa.select(IdentityProvider).where(IdentityProvider.organisation_id == organisation.id))
    for other in db.session.scalars(sa.select(IdentityProvider).where(IdentityProvider.organisation_id != organisation.id)):
        clash = set(other.email_domains or []) & set(email_domains)
        if clash:
            raise DomainError("email_domains", _("%(domains)s already signs in through %(name)s", domains=", ".join(sorted(clash)),
                                                 name=other.organisation.name))
    if provider is None:
        if not client_secret:
            raise DomainError("client_secret", _("Enter the client secret the identity provider gave you"))
        provider = IdentityProvider(organisation_id=organisation.id)
        db.session.add(provider)
    provider.issuer = issuer.rstrip("/")
    provider.client_id = client_id
    provider.email_domains = email_domains
    provider.allow_new_accounts = allow_new_accounts
    provider.enabled = enabled
    if client_secret:
        provider.client_secret_encrypted = crypto.encrypt(client_secret)
    return provider


def client_secret(provider):
    return crypto.decrypt(provider.client_secret_encrypted) or ""


def user_from_provider(provider, claims):
    """The user an ID token's claims sign in, or DomainError. An unknown person gets an account only when
    the admin allowed new accounts, and then only as a partner of the provider's organisation."""
    email = normalise_email(claims.get("email"))
    if not email or claims.get("email_verified") is False:
        raise DomainError(None, _("Your organisation's sign-in did not confirm your e-mail address. Ask your IT service desk."))
    if email.rpartition("@")[2] not in (provider.email_domains or []):
        raise DomainError(None, _("Your organisation's sign-in answered for %(email)s, which it does not cover here.", email=email))
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        if not user.is_active:
            raise DomainError(None, _("Your account has been deactivated. Ask an administrator of isa."))
        if user.role == Role.PARTNER and user.organisation_id != provider.organisation_id:
            raise DomainError(None, _("Your account belongs to another organisation. Ask an administrator of isa."))
        return user
    if not provider.allow_new_accounts:
        raise DomainError(None, _("There is no account for %(email)s in isa. Ask your organisation's governance lead or an administrator of isa "
                                  "to add you.", email=email))
    user = User(email=email, name=(claims.get("name") or "")[:200], role=Role.PARTNER, organisation_id=provider.organisation_id,
                password_hash="!no password: signs in through the organisation")
    db.session.add(user)
    db.session.flush()
    record_security_event(user, "account from IdP", {"issuer": provider.issuer})
    return user
