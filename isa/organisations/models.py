from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..audit.tracking import Audited
from ..core.db import enum_column, utcnow
from ..extensions import db
from .types import OrganisationType, statutory_roles


class Organisation(Audited, db.Model):
    __tablename__ = "organisations"
    audit_label_attr = "name"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    type: Mapped[OrganisationType] = enum_column(OrganisationType)
    ico_registration: Mapped[str | None] = mapped_column(sa.String(9))
    dpo_name: Mapped[str | None] = mapped_column(sa.String(200))
    dpo_email: Mapped[str | None] = mapped_column(sa.String(254))
    spoc_name: Mapped[str | None] = mapped_column(sa.String(200))
    spoc_email: Mapped[str | None] = mapped_column(sa.String(254))
    address: Mapped[str | None] = mapped_column(sa.Text)
    # DPA 2018 s30(1)(b): statutory functions for the law-enforcement purposes (a council's trading
    # standards, say), making it a competent authority to that extent, whatever its type.
    law_enforcement_functions: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def statutory_roles(self):
        return statutory_roles(self.type, self.law_enforcement_functions)

    def __repr__(self):
        return f"<Organisation {self.slug}>"
