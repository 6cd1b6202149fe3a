"""An organisation's record in the register file: its fields, their limits and allowed values."""
from typing import Annotated

from pydantic import BeforeValidator, Field

from ..core import validation
from ..core.schemas import ADDRESS_MAX, ICO_MAX, NAME_MAX, Email, Record, Slug, choice, text
from .types import OrganisationType


def _upper(value):
    return value.upper() if isinstance(value, str) else value


IcoRegistration = Annotated[str, Field(max_length=ICO_MAX, pattern=validation.ICO_RE.pattern), BeforeValidator(_upper)]
Name = text(NAME_MAX)
Address = text(ADDRESS_MAX)


class OrganisationRecord(Record):
    slug: Slug
    name: Name
    type: choice(OrganisationType)
    ico_registration: IcoRegistration | None = None
    dpo_name: Name | None = None
    dpo_email: Email | None = None
    spoc_name: Name | None = None
    spoc_email: Email | None = None
    address: Address | None = None
    law_enforcement_functions: bool = False
