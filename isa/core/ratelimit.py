"""Rate-limit counters kept in the app's own database: a storage for Flask-Limiter (the `limits`
library) selected with ISA_RATELIMIT_STORAGE_URI=database://, so every web worker on every machine
counts against the same limits without another server. memory:// (one worker) and redis:// work too.

Fixed windows: one row per key, reset in place when its window has passed, so the table holds one
row per key seen lately; forget_expired() (the daily sweep) deletes the rest.
"""
import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)  # seconds since the epoch


def _insert_for(dialect):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["database"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @staticmethod
    def _engine():
        # Its own connection and transaction: a counter counts even when the request's work is rolled back.
        return db.engine

    def incr(self, key, expiry, amount=1):
        engine = self._engine()
        now = time.time()
        table = RateLimitCounter.__table__
        expired = table.c.expires_at <= now
        statement = _insert_for(engine.dialect.name)(table).values(key=key, count=amount, expires_at=now + expiry)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": sa.case((expired, amount), else_=table.c.count + amount),
                "expires_at": sa.case((expired, now + expiry), else_=table.c.expires_at),
            },
        ).returning(table.c.count)
        with engine.begin() as connection:
            return connection.execute(statement).scalar_one()

    def _row(self, key):
        table = RateLimitCounter.__table__
        with self._engine().connect() as connection:
            return connection.execute(
                sa.select(table.c.count, table.c.expires_at).where(table.c.key == key, table.c.expires_at > time.time())
            ).first()

    def get(self, key):
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key):
        row = self._row(key)
        return row.expires_at if row else time.time()

    def check(self):
        with self._engine().connect() as connection:
            connection.execute(sa.select(1))
        return True

    def reset(self):
        with self._engine().begin() as connection:
            return connection.execute(sa.delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key):
        with self._engine().begin() as connection:
            connection.execute(sa.delete(RateLimitCounter.__table__).where(RateLimitCounter.__table__.c.key == key))


def forget_expired(session, now=None):
    """Delete the counters whose window has passed (the daily sweep's housekeeping). Returns how many."""
    result = session.execute(sa.delete(RateLimitCounter).where(RateLimitCounter.expires_at <= (now or time.time())))
    session.commit()
    return result.rowcount


def too_many_failures(rate, *identifiers):
    """True when the failures counted under `identifiers` have used up `rate` ("5 per 15 minutes")."""
    from limits import parse

    from ..extensions import limiter

    return not limiter.limiter.test(parse(rate), "failures", *identifiers)


def count_failure(rate, *identifiers):
    from limits import parse

    from ..extensions import limiter

    limiter.limiter.hit(parse(rate), "failures", *identifiers)
