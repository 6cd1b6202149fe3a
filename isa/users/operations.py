"""Signing in, throttling failed attempts, and creating users."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.errors import DomainError
from ..core.ratelimit import count_failure, too_many_failures
from ..extensions import db
from .models import MIN_PASSWORD_LENGTH, Role, User, spend_a_password_check

MAX_PASSWORD_LENGTH = 200


def normalise_email(email):
    return (email or "").strip().lower()


def failure_rates(config):
    """The failed sign-ins allowed within the window: to one account from one address, from one address."""
    window = config["LOGIN_FAILURE_WINDOW_MINUTES"]
    return (f"{config['LOGIN_MAX_FAILURES_PER_ACCOUNT']} per {window} minutes",
            f"{config['LOGIN_MAX_FAILURES_PER_ADDRESS']} per {window} minutes")


def is_throttled(email, address, config):
    """Too many recent failures for this account from this address, or from this address at all
    (counted by Flask-Limiter in its configured storage). Keyed on the pair, so no one can lock a
    user out from the user's own address; the view's rate limit caps attempts on an account from everywhere."""
    per_account, per_address = failure_rates(config)
    return too_many_failures(per_account, "sign-in", normalise_email(email), address) or too_many_failures(
        per_address, "sign-in", address
    )


def authenticate(email, password, address, config):
    """Return the user for good credentials, or None. A failure counts towards the throttle."""
    email = normalise_email(email)
    if is_throttled(email, address, config):
        return None
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        ok = spend_a_password_check(password)
    else:
        ok = user.check_password(password) and user.is_active
    if not ok:
        per_account, per_address = failure_rates(config)
        count_failure(per_account, "sign-in", email, address)
        count_failure(per_address, "sign-in", address)
        return None
    return user


def password_problem(password, email=""):
    """Why a new password will not do, or None: too short, too long, or among the passwords people
    use most or guess first (zxcvbn's lists of common passwords, names and words, and its checks
    for repeats, sequences and keyboard runs)."""
    from zxcvbn import zxcvbn

    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must be at least %(count)s characters", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("The password must be %(count)s characters or fewer", count=MAX_PASSWORD_LENGTH)
    if zxcvbn(password, user_inputs=[normalise_email(email), normalise_email(email).split("@")[0]])["score"] < 2:
        return _(
            "This password is too common or too easy to guess (a well-known password, a repeated character, a "
            "sequence or a keyboard run). Choose a longer one, such as three or four unrelated words"
        )
    return None


def change_password(user, current, new):
    """A user changes their own password: the current one first. Ends every other session."""
    if not user.check_password(current or ""):
        raise DomainError("current", _("Enter your current password correctly"))
    problem = password_problem(new, user.email)
    if problem:
        raise DomainError("new", problem)
    user.set_password(new)


def create_user(email, role, password, name="", organisation=None):
    email = normalise_email(email)
    role = Role(role)
    problem = password_problem(password, email)
    if problem:
        raise DomainError(None, problem)
    if role == Role.PARTNER and organisation is None:
        raise DomainError(None, _("A partner user must belong to an organisation"))
    if role != Role.PARTNER and organisation is not None:
        raise DomainError(None, _("Only partner users belong to an organisation"))
    if db.session.scalar(sa.select(User).where(User.email == email)):
        raise DomainError(None, _("A user with the email %(email)s already exists", email=email))
    user = User(email=email, role=role, name=name, organisation=organisation)
    user.set_password(password)
    db.session.add(user)
    return user
