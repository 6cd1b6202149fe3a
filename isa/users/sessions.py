"""Who is signed in: the password hashing settings and the user loaded for each request."""
import time

from flask import g, session
from ..core.i18n import lazy_gettext as _l

from ..extensions import db, login_manager
from .models import User, configure_password_hashing
from .queries import names_by_email, person


# The actors recorded by name rather than by a person's email (isa.audit.tracking.acting_as), as a page shows them.
ACTOR_LABELS = {"system": _l("system"), "command line": _l("command line"), "import": _l("import"), "demo": _l("demo")}


def who(actor):
    """A recorded actor (an email address, or "system", "command line"...) as a person's name: the
    same "who" on every page. The names are read once a request."""
    if actor in ACTOR_LABELS:
        return str(ACTOR_LABELS[actor])
    if "people_names" not in g:
        g.people_names = {}
    if actor and "@" in actor and actor not in g.people_names:
        g.people_names[actor] = names_by_email([actor]).get(actor, actor)
    return person(actor, g.people_names)


def init_app(app):
    app.add_template_filter(who)
    configure_password_hashing(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_COST"))
    login_manager.login_view = "users.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.localize_callback = str  # the lazy message, read in the language of the page asked for
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id):
        """The signed-in user, checked on every request: the session must carry the user's current
        session generation (raised by sign-out and password changes) and be younger than
        SESSION_MAX_HOURS since sign-in, so a copied cookie dies with the session it came from."""
        if not str(user_id).isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None:
            return None
        signed_in_at = session.get("signed_in_at")
        too_old = not isinstance(signed_in_at, int) or time.time() - signed_in_at > app.config["SESSION_MAX_HOURS"] * 3600
        if session.get("generation") != user.session_generation or too_old:
            session.clear()
            return None
        return user
