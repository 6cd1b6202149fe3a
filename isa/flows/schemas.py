"""A data flow's record in the register file."""
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ..core import validation
from ..core.schemas import NAME_MAX, Record, Slug, choice, distinct, text
from .models import ConsentApproach, DataCategory, DataSubjectCategory, Frequency

Items = text(validation.TEXT_LIMITS["items"])
Purpose = text(NAME_MAX)
ShortText = text(NAME_MAX)
DataSubjects = text(validation.TEXT_LIMITS["data_subjects"])
Retention = text(validation.TEXT_LIMITS["retention"])
Categories = Annotated[list[choice(DataCategory)], Field(min_length=1), AfterValidator(distinct)]
SubjectCategories = Annotated[list[choice(DataSubjectCategory)], AfterValidator(distinct)]
Codes = Annotated[list[str], Field(description="codes of the lawful-basis catalogue"), AfterValidator(distinct)]


def fold_purposes(labels):
    """Purposes as short labels: spacing folded, and one of each whatever its case (the first kept).
    The limits count the labels as written: a file's JSON Schema cannot fold."""
    folded = []
    for label in labels:
        label = " ".join(label.split())
        if label and label.lower() not in (seen.lower() for seen in folded):
            folded.append(label)
    return folded


Purposes = Annotated[list[Purpose], Field(max_length=validation.MAX_PURPOSES_PER_FLOW), AfterValidator(fold_purposes)]


class FlowRecord(Record):
    from_: Slug = Field(alias="from")
    to: Slug | Literal["*"] = Field(description='an organisation\'s slug, or "*" for every other party')
    categories: Categories
    items: Items = ""
    purposes: Purposes = []
    lawful_bases: Codes = []
    channel: Slug | None = None
    frequency: choice(Frequency) = Frequency.AD_HOC.value
    consent: choice(ConsentApproach) = ConsentApproach.NO_CONSENT_LAWFUL_BASIS.value
    data_subject_categories: SubjectCategories = []
    data_subjects: DataSubjects | None = None
    retention: Retention | None = None
    source_system: ShortText | None = None
    asset_owner: ShortText | None = None
