"""An agreement's record in the register file, with its parties and data flows."""
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ..core import validation
from ..core.schemas import DPIA_REFERENCE_MAX, NAME_MAX, TITLE_MAX, Email, IsoDate, Record, Reference, Slug, choice, text
from ..flows.schemas import FlowRecord
from .records import signatory_line, split_signatory
from .types import AgreementStatus, DataLocation, PartyRole

Title = text(TITLE_MAX)
Purpose = text(validation.TEXT_LIMITS["purpose"])
Scope = text(validation.TEXT_LIMITS["scope"])
DataSubjects = text(validation.TEXT_LIMITS["data_subjects"])
Retention = text(validation.TEXT_LIMITS["retention"])
Security = text(validation.TEXT_LIMITS["security"])
DpiaReference = text(DPIA_REFERENCE_MAX)


def _signatory(line):
    name, title = split_signatory(line)
    if any(part and len(part) > NAME_MAX for part in (name, title)):
        raise PydanticCustomError("signatory", "name or title too long", {"max_length": NAME_MAX})
    return signatory_line(name, title)


Signatory = Annotated[str, Field(max_length=2 * NAME_MAX + 2, description='"Name, job title": each 200 characters or fewer'),
                      AfterValidator(_signatory)]
ReviewInterval = Annotated[int, Field(ge=validation.REVIEW_INTERVAL_MIN, le=validation.REVIEW_INTERVAL_MAX)]


class PartyRecord(Record):
    organisation: Slug
    role: choice(PartyRole) = PartyRole.BOTH.value
    signatory: Signatory | None = None
    signed_on: IsoDate | None = None


class AgreementRecord(Record):
    reference: Reference
    title: Title
    purpose: Purpose = ""
    scope: Scope | None = None
    lead_organisation: Slug | None = None
    owner_email: Email | None = Field(default=None, description="a governance officer's or administrator's")
    status: choice(AgreementStatus)
    start_date: IsoDate
    review_date: IsoDate = Field(description="after the start date")
    end_date: IsoDate | None = Field(default=None, description="on or after the start date")
    review_interval_months: ReviewInterval = 12
    data_subjects: DataSubjects | None = None
    retention: Retention | None = None
    security: Security | None = None
    data_location: choice(DataLocation) = DataLocation.UK.value
    dpia_reference: DpiaReference | None = None
    supersedes: Reference | None = None
    parties: list[PartyRecord] = []
    flows: list[FlowRecord] = []
