"""The steps of a sign-in kept in the session: after the password (or the organisation's provider),
the second factor when one is needed, then the signed-in session."""
import time

from flask import current_app, redirect, session, url_for
from flask_login import login_user

from ..extensions import db
from ..users.models import User
from .operations import complete_sign_in
from .rules import SecondStep, second_step

PENDING_SECONDS = 600  # the second step must follow the first within this


def stamp_session(user):
    """What every later request checks (isa.core.web): the user's session generation, and when they signed in."""
    session["generation"] = user.session_generation
    session["signed_in_at"] = int(time.time())


def after_first_factor(user, next_url, through_provider=None):
    """The response once the password or the provider has accepted `user`: signed in, or on to the second factor."""
    step = second_step(user.role, user.has_second_factor, through_provider is not None)
    session.clear()  # a new session at every sign-in: nothing carried over from before
    if step == SecondStep.NONE:
        return finish(user, next_url, through_provider)
    session["pending"] = {"user": user.id, "generation": user.session_generation, "at": int(time.time()), "next": next_url}
    return redirect(url_for("identity.code" if step == SecondStep.CODE else "identity.enrol"))


def pending_user():
    """The user half-way through signing in (password accepted, second factor not yet), or None."""
    pending = session.get("pending")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or user.session_generation != pending.get("generation"):
        return None
    return user


def finish(user, next_url=None, through_provider=None):
    next_url = next_url if next_url is not None else (session.get("pending") or {}).get("next")
    complete_sign_in(user)
    db.session.commit()
    session.clear()
    login_user(user)
    stamp_session(user)
    if through_provider:
        session["provider"] = through_provider
    current_app.logger.info("signed in: %s%s", user.email, f" through {through_provider}" if through_provider else "")
    return redirect(next_url or url_for("core.home"))
