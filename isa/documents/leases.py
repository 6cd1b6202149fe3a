"""Queues whose rows are claimed under a lease (the protocol renders, the record documents).

One way for both: claim the oldest row that is due (or whose holder's lease ran out) atomically (on
PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several schedulers share a queue), and after a failed
attempt either wait twice as long as last time before trying again or, after the attempts allowed,
give up with the error. The table has `status`, `not_before`, `claimed_by`, `attempts`,
`lease_until`, `finished_at` and `last_error`; its statuses are RenderStatus's.
"""
from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from .models import RenderStatus as RS


def claimable(table, now):
    """Rows waiting and due, or claimed by a process whose lease ran out."""
    return sa.or_(
        sa.and_(table.c.status == RS.QUEUED.value, table.c.not_before <= now),
        sa.and_(table.c.status == RS.RENDERING.value, table.c.lease_until < now),
    )


def claim(table, holder, settings, now, condition=None, **values):
    """Take the oldest claimable row (that meets `condition`) for `holder` under a lease of
    `settings.lease_seconds`, setting `values` too; its id, or None. Commits."""
    ready = claimable(table, now) if condition is None else sa.and_(claimable(table, now), condition)
    query = sa.select(table.c.id).where(ready).order_by(table.c.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=table)
    row_id = db.session.scalar(query)
    if row_id is None:
        db.session.commit()
        return None
    claimed = db.session.execute(
        sa.update(table).where(table.c.id == row_id, ready).values(
            status=RS.RENDERING.value, claimed_by=holder, attempts=table.c.attempts + 1,
            lease_until=now + timedelta(seconds=settings.lease_seconds), **values,
        )
    ).rowcount
    db.session.commit()
    return row_id if claimed == 1 else None


def after_failure(table, row_id, error, settings, now):
    """What a failed attempt leaves on its row: queued again after a wait that doubles each time,
    or failed for good after `settings.max_attempts`."""
    attempts = db.session.scalar(sa.select(table.c.attempts).where(table.c.id == row_id)) or 0
    if attempts >= settings.max_attempts:
        return dict(status=RS.FAILED.value, finished_at=now, last_error=f"Gave up after {attempts} attempts. {error}")
    return dict(status=RS.QUEUED.value, not_before=now + timedelta(seconds=settings.retry_seconds * 2 ** (attempts - 1)),
                claimed_by=None, lease_until=None, last_error=error)
