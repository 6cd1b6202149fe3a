"""What every record schema is built from (pydantic v2): closed records, bounded text, the shared formats.

A record's rules are its schema's: the importer validates each record through it, and the forms hand
their data to it (`core/forms.py`), so a limit or a format is written once. Text is trimmed, and a
blank value (null, empty text, an empty list) counts as not given: the field's default, or missing
when the field is required. Values are taken strictly as typed: "yes" is not true, "12" is not 12.
"""
from datetime import date
from enum import Enum
from functools import cache
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic_core import PydanticCustomError

from . import validation

NAME_MAX = 200  # names, job titles, purposes, systems
ADDRESS_MAX = 1000
SLUG_MAX, REFERENCE_MAX, EMAIL_MAX, ICO_MAX, TITLE_MAX, DPIA_REFERENCE_MAX = 80, 40, 254, 9, 300, 100
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def tidy(value):
    """Trimmed text, and each text of a list trimmed (its length is the file's: blanks and repeats go after)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


def distinct(items):
    """A list without blanks or repeats, in the order given."""
    kept = []
    for item in items:
        if item != "" and item not in kept:
            kept.append(item)
    return kept


class Record(BaseModel):
    """A record of the register file: no key beyond those listed."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data):
        if not isinstance(data, dict):
            return data
        fields = {**cls.model_fields, **{field.alias: field for field in cls.model_fields.values() if field.alias}}
        clean = {}
        for key, value in data.items():
            field, value = fields.get(key), tidy(value)
            if field is not None and value in (None, "", []):
                value = None if field.is_required() else field.get_default(call_default_factory=True)
            clean[key] = value
        return clean


@cache
def fields_of(model, names):
    """`model`'s rules for the fields `names` only (a form holds some of a record's fields)."""
    return create_model(f"{model.__name__}Fields", __base__=Record, **{
        name: (field.annotation, field) for name, field in model.model_fields.items() if name in names
    })


def text(max_length, **extra):
    return Annotated[str, Field(max_length=max_length, **extra)]


def choice(enum_cls: type[Enum]):
    """One of the enum's values, as the file writes them."""
    return Literal[tuple(member.value for member in enum_cls)]


def _real_date(value):
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("iso_date", "not a real date") from None
    return value


Slug = text(SLUG_MAX, pattern=validation.SLUG_RE.pattern, description="lower-case letters, numbers and hyphens")
Reference = text(REFERENCE_MAX, pattern=validation.REFERENCE_RE.pattern)
Email = text(EMAIL_MAX, pattern=validation.EMAIL_RE.pattern)
IsoDate = Annotated[str, Field(pattern=ISO_DATE_PATTERN, json_schema_extra={"format": "date"}), AfterValidator(_real_date)]
