"""Reading transfer channels for the pages."""
import sqlalchemy as sa

from ..extensions import db
from .models import TransferChannel


def channel_choices():
    """(slug, name) of every transfer channel, by name: the choices of the forms that name one."""
    rows = db.session.execute(sa.select(TransferChannel.slug, TransferChannel.name).order_by(TransferChannel.name))
    return [(slug, name) for slug, name in rows]
