"""What an officer does with a reminder that failed: resend it at the next sweep, or dismiss it."""
from flask_babel import gettext as _

from ..core.db import utcnow
from ..extensions import db
from .models import Reminder, ReminderStatus


class ReminderError(ValueError):
    pass


def _failed(reminder_id):
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None:
        return None
    if reminder.status != ReminderStatus.FAILED:
        raise ReminderError(_("That reminder is %(status)s, not failed, so it was left as it is.", status=str(reminder.status.label).lower()))
    return reminder


def resend(reminder_id):
    """Queue a failed reminder again with fresh attempts; recipients it already reached are skipped."""
    reminder = _failed(reminder_id)
    if reminder is not None:
        reminder.status = ReminderStatus.QUEUED
        reminder.attempts = 0
        reminder.last_error = None
    return reminder


def dismiss(reminder_id, by):
    reminder = _failed(reminder_id)
    if reminder is not None:
        reminder.status = ReminderStatus.CANCELLED
        reminder.last_error = f"Dismissed by {by} on {utcnow():%Y-%m-%d %H:%M} UTC. Before that: {reminder.last_error or 'no error recorded'}"
    return reminder
