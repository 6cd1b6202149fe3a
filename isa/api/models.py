from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Audited
from ..core.db import utcnow
from ..extensions import db


API = "api"  # a bearer token for the whole API, sent in the Authorization header
CALENDAR = "calendar"  # a feed secret: reads the review-dates calendar only, and may travel in a URL


class ApiToken(Audited, db.Model):
    """A bearer token for the JSON API, acting as one user (and seeing what that user sees).

    Only the SHA-256 of the token is stored: tokens are 256 random bits, so a fast hash is enough
    and lets a request find its token with one indexed lookup.
    """

    __tablename__ = "api_tokens"
    audit_label_attr = "name"
    audit_exclude = Audited.audit_exclude + ("token_hash", "last_used_at")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # what it is for: "Police case system"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))  # the first characters, to recognise it
    scope: Mapped[str] = mapped_column(sa.String(20), default=API, server_default=API)
    created_by: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]  # refused from then on: a lost token stops working on its own

    user = relationship("User", lazy="joined")

    @property
    def active(self):
        return self.revoked_at is None and not self.expired()

    def expired(self, now=None):
        return self.expires_at <= (now or utcnow())

    @property
    def kind(self):
        return "calendar feed" if self.scope == CALENDAR else "API token"

    def audit_label(self):
        return f"{self.kind} {self.prefix}… ({self.name})"

    def __repr__(self):
        return f"<ApiToken {self.prefix} {self.name}>"
