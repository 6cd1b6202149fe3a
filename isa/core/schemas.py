"""What every record schema is built from (pydantic v2): closed records, bounded text, the shared formats."""
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import validation

NAME_MAX = 200  # names, job titles, purposes, systems
ADDRESS_MAX = 1000
SLUG_MAX, REFERENCE_MAX, EMAIL_MAX, ICO_MAX, TITLE_MAX, DPIA_REFERENCE_MAX = 80, 40, 254, 9, 300, 100


class Record(BaseModel):
    """A record of the register file: no key beyond those listed."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def text(max_length, **extra):
    return Annotated[str, Field(max_length=max_length, **extra)]


def choice(enum_cls: type[Enum]):
    """One of the enum's values, as the file writes them."""
    return Literal[tuple(member.value for member in enum_cls)]


Slug = text(SLUG_MAX, pattern=validation.SLUG_RE.pattern, description="lower-case letters, numbers and hyphens")
Reference = text(REFERENCE_MAX, pattern=validation.REFERENCE_RE.pattern)
Email = text(EMAIL_MAX, pattern=validation.EMAIL_RE.pattern)
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"})]
