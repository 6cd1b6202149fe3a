import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.errors import DomainError
from ..extensions import db
from .models import TransferChannel


def find_by_slug(slug):
    return db.session.scalar(sa.select(TransferChannel).where(TransferChannel.slug == slug))


def save_channel(channel, data):
    clash = find_by_slug(data["slug"])
    if clash is not None and clash is not channel:
        raise DomainError("slug", _("The short name %(slug)s is already used by %(name)s", slug=data["slug"], name=clash.name))
    if channel is None:
        channel = TransferChannel()
        db.session.add(channel)
    channel.slug = data["slug"].strip()
    channel.name = data["name"].strip()
    channel.description = (data.get("description") or "").strip() or None
    channel.special_category_approved = bool(data.get("special_category_approved"))
    return channel


def flows_using(channel):
    from ..flows.models import DataFlow

    return db.session.scalar(sa.select(sa.func.count()).select_from(DataFlow).where(DataFlow.channel_id == channel.id))


def delete_channel(channel):
    used = flows_using(channel)
    if used:
        raise DomainError(None, ngettext(
            "%(name)s is used by %(num)d data flow(s). Change them to another channel first.",
            "%(name)s is used by %(num)d data flow(s). Change them to another channel first.",
            used, name=channel.name,
        ))
    db.session.delete(channel)
