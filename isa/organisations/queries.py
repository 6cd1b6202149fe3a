"""Reading organisations for the pages."""
import sqlalchemy as sa

from ..extensions import db
from .models import Organisation


def organisation_choices():
    """(slug, name) of every organisation, by name: the choices of the forms that name one."""
    rows = db.session.execute(sa.select(Organisation.slug, Organisation.name).order_by(Organisation.name))
    return [(slug, name) for slug, name in rows]
