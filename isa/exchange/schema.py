"""The import file's field rules: each field's type, limits, allowed values and normalisation.

`ORGANISATION_SPEC` and `CHANNEL_SPEC` are fixed; the reader builds the agreement, party and flow
specs with the references it can resolve (organisations, channels, catalogue codes, users).
"""
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ..agreements.models import DataLocation, PartyRole
from ..agreements.records import ORGANISATION_FIELDS, signatory_line, split_signatory
from ..agreements.schemas import AgreementRecord
from ..channels.schemas import ChannelRecord
from ..core import schemas, validation
from ..core.i18n import lazy_gettext as _l
from ..core.schemas import Record
from ..flows.models import ConsentApproach, Frequency
from ..organisations.schemas import OrganisationRecord
from ..organisations.types import OrganisationType

ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Bad(Exception):
    """One malformed value; the message is completed with where it was found."""


def text_rule(max_length=None):
    def check(value):
        if not isinstance(value, str):
            raise Bad(_("must be text"))
        value = value.strip()
        if max_length and len(value) > max_length:
            raise Bad(_("must be %(max)s characters or fewer", max=max_length))
        return value or None

    return check


any_text = text_rule()


def formatted(rule, message, max_length=None, transform=None):
    """`message` names the bad `%(value)s`."""

    def check(value):
        value = text_rule(max_length)(value)
        if value is not None and transform:
            value = transform(value)
        if value is not None and not rule(value):
            raise Bad(message % {"value": value})
        return value

    return check


slug_rule = formatted(validation.valid_slug, _l('"%(value)s" is not a valid slug: use lower-case letters, numbers and hyphens, like herts-police'), schemas.SLUG_MAX)
reference_rule = formatted(validation.valid_reference, _l('"%(value)s" is not a valid reference: use letters, numbers and hyphens, like ISA-2024-001'), schemas.REFERENCE_MAX)
ico_rule = formatted(validation.valid_ico, _l('"%(value)s" is not an ICO registration number: Z and 7 digits, or ZA or ZB and 6 digits'), schemas.ICO_MAX, str.upper)
email_rule = formatted(validation.valid_email, _l('"%(value)s" is not a valid email address'), schemas.EMAIL_MAX)


def iso_date(value):
    value = any_text(value)
    if value is None:
        return None
    try:
        if not ISO_DATE_RE.match(value):
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise Bad(_('"%(value)s" is not a date in the form YYYY-MM-DD', value=value)) from None


def choice_rule(enum_cls, message):
    """`message` names the unknown `%(value)s` and the `%(allowed)s` values."""
    values = [member.value for member in enum_cls]
    allowed = frozenset(values)

    def check(value):
        value = any_text(value)
        if value is not None and value not in allowed:
            raise Bad(message % {"value": value, "allowed": ", ".join(values)})
        return value

    return check


def flag_rule(value):
    if not isinstance(value, bool):
        raise Bad(_("must be true or false"))
    return value


def months_rule(value):
    low, high = validation.REVIEW_INTERVAL_MIN, validation.REVIEW_INTERVAL_MAX
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Bad(_("must be a whole number of months from %(low)s to %(high)s", low=low, high=high))
    return value


def list_rule(item_check, max_items=None):
    """A list of text, each item checked; blanks and repeats are dropped, order is kept."""

    def check(value):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise Bad(_("must be a list of text"))
        if max_items and len(value) > max_items:
            raise Bad(_("must have %(max)s items or fewer", max=max_items))
        items, bad = [], []
        for item in value:
            try:
                item = item_check(item)
            except Bad as problem:
                bad.append(str(problem))
                continue
            if item is not None and item not in items:
                items.append(item)
        if bad:
            raise Bad("; ".join(bad))
        return items

    return check


@dataclass(frozen=True)
class Field:
    check: object
    required: bool = False
    blank: object = None  # the stored value for null or empty text


ORGANISATION_SPEC = {
    "slug": Field(slug_rule, True),
    "name": Field(text_rule(schemas.NAME_MAX), True),
    "type": Field(choice_rule(OrganisationType, _l('unknown organisation type "%(value)s": use one of %(allowed)s')), True),
    "ico_registration": Field(ico_rule),
    "dpo_name": Field(text_rule(schemas.NAME_MAX)),
    "dpo_email": Field(email_rule),
    "spoc_name": Field(text_rule(schemas.NAME_MAX)),
    "spoc_email": Field(email_rule),
    "address": Field(text_rule(schemas.ADDRESS_MAX)),
    "law_enforcement_functions": Field(flag_rule, blank=False),
}
CHANNEL_SPEC = {
    "slug": Field(slug_rule, True),
    "name": Field(text_rule(schemas.NAME_MAX), True),
    "special_category_approved": Field(flag_rule, blank=False),
    "description": Field(text_rule(validation.TEXT_LIMITS["channel_description"])),
}
# A flow's keys for the record of processing (Art 30): optional, and never a material change.
RECORD_KEYS = ("data_subject_categories", "data_subjects", "retention", "source_system", "asset_owner")

# What a new record gets for a key the file leaves out.
ORGANISATION_DEFAULTS = {**dict.fromkeys(ORGANISATION_FIELDS), "law_enforcement_functions": False}
CHANNEL_DEFAULTS = {"special_category_approved": False, "description": None}
AGREEMENT_DEFAULTS = {
    "purpose": "", "scope": None, "lead_organisation": None, "owner_email": None, "end_date": None,
    "review_interval_months": 12, "data_subjects": None, "retention": None, "security": None,
    "data_location": DataLocation.UK.value, "dpia_reference": None, "supersedes": None, "parties": [], "flows": [],
}
PARTY_DEFAULTS = {"role": PartyRole.BOTH.value, "signatory": None, "signed_on": None}
FLOW_DEFAULTS = {
    "items": "", "purposes": [], "lawful_bases": [], "channel": None, "frequency": Frequency.AD_HOC.value,
    "consent": ConsentApproach.NO_CONSENT_LAWFUL_BASIS.value,
    "data_subject_categories": [], "data_subjects": None, "retention": None, "source_system": None, "asset_owner": None,
}


def signatory_rule(value):
    name, title = split_signatory(any_text(value))
    if any(part and len(part) > schemas.NAME_MAX for part in (name, title)):
        raise Bad(_("the name and the title must each be %(max)s characters or fewer", max=schemas.NAME_MAX))
    return signatory_line(name, title)


# --- the file's JSON Schema, from the records' schemas ---------------------------------------------


class RegisterFile(Record):
    """A register file: the same both ways, `flask --app isa import` and `export`."""

    organisations: list[OrganisationRecord] = []
    channels: list[ChannelRecord] = []
    agreements: list[AgreementRecord] = []


def register_json_schema(url=None):
    """The JSON Schema (2020-12) of the import/export file, published at /api/v1/schema/register.json."""
    schema = RegisterFile.model_json_schema(by_alias=True)
    schema.update(title="isa register file", description=RegisterFile.__doc__)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **({"$id": url} if url else {}), **schema}
