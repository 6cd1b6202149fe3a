"""The dashboard and the review history: a fixed number of small queries, whatever the register's size."""
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from ..agreements.models import Agreement, AgreementStatus, Party
from ..extensions import db
from ..legal.queries import legacy_agreement_count
from ..reminders.models import Reminder, ReminderStatus
from ..reminders.rules import is_lapsing
from ..users.models import User
from .models import Review

DASHBOARD_ROWS = 50


@dataclass
class Section:
    rows: list = field(default_factory=list)
    total: int = 0

    @property
    def truncated(self):
        return self.total > len(self.rows)


@dataclass(frozen=True)
class DueRow:
    reference: str
    title: str
    status: AgreementStatus
    review_date: object
    owner: str | None
    days: int  # days until the review (negative when overdue)
    lapsing: bool


def _in_force(today):
    return Agreement.in_force_on(today)


def _due_section(today, escalation_days, condition, total, limit):
    owner = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(
            Agreement.reference, Agreement.title, Agreement.status, Agreement.review_date,
            sa.func.coalesce(sa.func.nullif(owner.name, ""), owner.email),
        )
        .outerjoin(owner, owner.id == Agreement.owner_id)
        .where(_in_force(today), condition)
        .order_by(Agreement.review_date, Agreement.reference)
        .limit(limit)
    ).all()
    return Section(
        [
            DueRow(reference, title, status, review_date, owner_name, (review_date - today).days,
                   is_lapsing(review_date, today, escalation_days))
            for reference, title, status, review_date, owner_name in rows
        ],
        total or 0,
    )


def dashboard(today, escalation_days, limit=DASHBOARD_ROWS):
    """Everything the officer's home page shows, in ten queries."""
    in_30, in_90, lapse_from = today + timedelta(days=30), today + timedelta(days=90), today - timedelta(days=escalation_days)
    overdue_if = Agreement.review_overdue(today)
    soon_if = Agreement.review_date.between(today, in_30)
    later_if = sa.and_(Agreement.review_date > in_30, Agreement.review_date <= in_90)

    def count_if(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    counts = db.session.execute(
        sa.select(count_if(overdue_if), count_if(soon_if), count_if(later_if), count_if(Agreement.review_date <= lapse_from))
        .where(_in_force(today))
    ).one()
    overdue_total, soon_total, later_total, lapsing_total = (int(n) for n in counts)

    return {
        "overdue": _due_section(today, escalation_days, overdue_if, overdue_total, limit),
        "due_30": _due_section(today, escalation_days, soon_if, soon_total, limit),
        "due_90": _due_section(today, escalation_days, later_if, later_total, limit),
        "lapsing_total": lapsing_total,
        "failed": _reminder_section(today, ReminderStatus.FAILED, None, limit),
        "retrying": _reminder_section(today, ReminderStatus.QUEUED, Reminder.attempts > 0, limit),
        "awaiting": _awaiting_signatures(limit),
        "legacy_total": legacy_agreement_count(),
    }


def _reminder_section(today, status, condition, limit):
    """Reminders about agreements' current reviews (a reminder about a review since done is moot)."""
    where = [
        Reminder.status == status,
        Agreement.review_date == Reminder.review_date,
        _in_force(today),
    ]
    if condition is not None:
        where.append(condition)
    base = sa.select(Reminder.id).join(Agreement, Agreement.id == Reminder.agreement_id).where(*where)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    rows = db.session.execute(
        sa.select(
            Reminder.id, Reminder.offset_key, Reminder.review_date, Reminder.recipients, Reminder.delivered_to,
            Reminder.attempts, Reminder.last_error, Reminder.last_attempt_at, Agreement.reference, Agreement.title,
        )
        .join(Agreement, Agreement.id == Reminder.agreement_id)
        .where(*where)
        .order_by(Reminder.last_attempt_at.desc(), Reminder.id.desc())
        .limit(limit)
    ).all()
    return Section(list(rows), total or 0)


def _awaiting_signatures(limit):
    unsigned = (
        sa.select(sa.func.count(Party.id))
        .where(Party.agreement_id == Agreement.id, Party.signed_on.is_(None))
        .correlate(Agreement)
        .scalar_subquery()
    )
    parties = sa.select(sa.func.count(Party.id)).where(Party.agreement_id == Agreement.id).correlate(Agreement).scalar_subquery()
    condition = Agreement.status == AgreementStatus.AWAITING_SIGNATURES
    total = db.session.scalar(sa.select(sa.func.count(Agreement.id)).where(condition))
    rows = db.session.execute(
        sa.select(Agreement.reference, Agreement.title, Agreement.updated_at, unsigned.label("unsigned"), parties.label("parties"))
        .where(condition)
        .order_by(Agreement.updated_at, Agreement.reference)
        .limit(limit)
    ).all()
    return Section(list(rows), total or 0)


def reviews_of(agreement):
    """The agreement's review history, latest first."""
    return db.session.scalars(
        sa.select(Review).where(Review.agreement_id == agreement.id).order_by(Review.reviewed_on.desc(), Review.id.desc())
    ).all()


def reminders_of(agreement, limit=20):
    """The agreement's latest reminders in the outbox, latest first."""
    return db.session.scalars(
        sa.select(Reminder).where(Reminder.agreement_id == agreement.id).order_by(Reminder.id.desc()).limit(limit)
    ).all()

