"""The scheduler's heartbeat: each scheduler process records when it last ran.

`/healthz` and the officers' dashboard read it to tell whether any scheduler is alive.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .db import utcnow


class SchedulerHeartbeat(db.Model):
    """One row per scheduler process, updated every few seconds while it runs."""

    __tablename__ = "scheduler_heartbeats"

    holder: Mapped[str] = mapped_column(sa.String(200), primary_key=True)  # host:pid:random
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def beat(holder, now=None):
    """Record that `holder` ran just now (the caller's session commits)."""
    now = now or utcnow()
    updated = db.session.execute(
        sa.update(SchedulerHeartbeat).where(SchedulerHeartbeat.holder == holder).values(beat_at=now)
    ).rowcount
    if not updated:
        db.session.add(SchedulerHeartbeat(holder=holder, started_at=now, beat_at=now))
    db.session.commit()


def last_beat():
    """When any scheduler last ran (None: never)."""
    return db.session.scalar(sa.select(sa.func.max(SchedulerHeartbeat.beat_at)))


def forget_old(now=None, days=7):
    """Rows of processes gone for a week are of no more use."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    db.session.execute(sa.delete(SchedulerHeartbeat).where(SchedulerHeartbeat.beat_at < cutoff))
    db.session.commit()
