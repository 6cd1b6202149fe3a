"""Who is who: the names shown for the people the register records by email address."""
import sqlalchemy as sa

from ..extensions import db
from .models import User


def names_by_email(emails):
    """{email: the person's name (their email when they have none)} for the users among `emails`, in one query."""
    wanted = sorted({e for e in emails if e and "@" in e})
    if not wanted:
        return {}
    rows = db.session.execute(sa.select(User.email, User.name).where(User.email.in_(wanted)))
    return {email: name or email for email, name in rows}


def person(actor, names):
    """How a recorded actor reads on a page: a user's name; anything else ("system", "command line") as it is."""
    return names.get(actor, actor) if actor else ""
