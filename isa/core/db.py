"""Small database helpers shared by every domain."""
import random
import sqlite3
import time
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
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


def install_sqlite_tuning():
    """Every SQLite connection in write-ahead-log mode with synchronous=NORMAL.

    The default rollback journal syncs the disk several times per commit (7 to 15 ms here), and
    every permitted-purpose check commits its log entry. In WAL mode a commit appends to the log
    without waiting for the disk, readers never block the writer, and the database stays
    consistent after a crash (a power cut may lose the last commits, never corrupt the file).
    """
    if not event.contains(Engine, "connect", _tune_sqlite):
        event.listen(Engine, "connect", _tune_sqlite)


def _tune_sqlite(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def refresh_statistics(session):
    """ANALYZE: the query planner's statistics, after a bulk import and once a day.

    Without them SQLite guesses that an agreement's status narrows a search more than its review
    date does, and the dashboard reads every agreement in force and sorts them instead of walking
    the review-date index (28 ms against 2 ms a section on the benchmark register). PostgreSQL's
    autovacuum analyses by itself; running it after an import is still what its manual advises.
    About 0.2 s on the benchmark register.
    """
    session.execute(sa.text("ANALYZE"))
    session.commit()


def is_sqlite_busy(error):
    """SQLite's "database is locked" / "busy": another connection holds the write lock, or wrote
    since this transaction's snapshot (SQLITE_BUSY_SNAPSHOT, raised at once whatever the timeout)."""
    original = getattr(error, "orig", error)
    return isinstance(original, sqlite3.OperationalError) and any(
        word in str(original).lower() for word in ("database is locked", "database is busy")
    )


def retry_when_busy(session, work, attempts=8):
    """Run `work()` (which commits) again from a fresh transaction while SQLite answers busy.

    The busy timeout (ISA_SQLITE_BUSY_TIMEOUT) already waits for a writer such as a long import;
    what it cannot cure is a transaction whose snapshot predates that writer's commit: it must
    start again, reading what is there now. PostgreSQL never raises this, so there `work()` runs once.
    """
    for attempt in range(attempts):
        try:
            return work()
        except sa.exc.OperationalError as error:
            if not is_sqlite_busy(error) or attempt == attempts - 1:
                raise
            session.rollback()
            time.sleep(min(0.05 * 2**attempt, 1.0) * (0.5 + random.random()))
