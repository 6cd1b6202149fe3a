"""Small database helpers shared by every domain."""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import mapped_column


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


def enum_column(enum_cls, **kwargs):
    """A column holding an enum's *value* as a plain string (portable, readable in exports)."""
    return mapped_column(
        sa.Enum(
            enum_cls,
            native_enum=False,
            create_constraint=False,
            length=40,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        **kwargs,
    )
