import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.errors import DomainError
from ..extensions import db
from .models import Organisation

FIELDS = (
    "name", "slug", "type", "ico_registration", "dpo_name", "dpo_email", "spoc_name", "spoc_email", "address",
    "law_enforcement_functions",
)


def find_by_slug(slug):
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))


def save_organisation(organisation, data):
    """Create or update an organisation from clean form or import data."""
    slug = data["slug"]
    clash = find_by_slug(slug)
    if clash is not None and clash is not organisation:
        raise DomainError("slug", _("The short name %(slug)s is already used by %(name)s", slug=slug, name=clash.name))
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    for field in FIELDS:
        if field in data:
            value = data[field].strip() if isinstance(data[field], str) else data[field]
            setattr(organisation, field, bool(value) if isinstance(value, bool) else (value or None))
    return organisation


def agreements_of(organisation):
    from ..agreements.models import Agreement, Party

    is_party = sa.select(Party.id).where(Party.agreement_id == Agreement.id, Party.organisation_id == organisation.id)
    return db.session.scalars(
        sa.select(Agreement)
        .where(sa.or_(is_party.exists(), Agreement.lead_organisation_id == organisation.id))
        .order_by(Agreement.reference)
    ).all()


def delete_organisation(organisation):
    """Refuse while the organisation is a party to an agreement or has users or flows."""
    from ..users.models import User

    agreements = agreements_of(organisation)
    if agreements:
        refs = ", ".join(a.reference for a in agreements[:5]) + ("…" if len(agreements) > 5 else "")
        raise DomainError(None, ngettext(
            "%(name)s is a party to %(num)d agreement(s) (%(references)s). Remove it from them first.",
            "%(name)s is a party to %(num)d agreement(s) (%(references)s). Remove it from them first.",
            len(agreements), name=organisation.name, references=refs,
        ))
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.organisation_id == organisation.id))
    if users:
        raise DomainError(None, ngettext(
            "%(name)s has %(num)d partner user(s). Move or remove them first.",
            "%(name)s has %(num)d partner user(s). Move or remove them first.",
            users, name=organisation.name,
        ))
    db.session.delete(organisation)
