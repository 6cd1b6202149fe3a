"""A transfer channel's record in the register file."""
from ..core import validation
from ..core.schemas import NAME_MAX, Record, Slug, text

Name = text(NAME_MAX)
Description = text(validation.TEXT_LIMITS["channel_description"])


class ChannelRecord(Record):
    slug: Slug
    name: Name
    special_category_approved: bool = False
    description: Description | None = None
