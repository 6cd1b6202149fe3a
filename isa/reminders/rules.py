"""Which review reminders fall due, and to whom: pure functions, no Flask and no database.

A reminder falls due at each offset before the review date (90, 30 and 7 days by default) and
then weekly while the review is overdue: on the first day overdue, a week later, and so on. On the
day it has been overdue for the escalation period (30 days by default) one more goes out, also to
the lead organisation's data protection officer, as do the weekly ones after it. Each is keyed by
(agreement, review date, offset key), so the outbox queues it once.

Only the latest stage an agreement has reached is due: a sweep that did not run for a while (or
an agreement created 20 days before its review) sends one reminder saying how things stand now,
not the 90-, 30- and 7-day ones together.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _, ngettext  # English with no app: the rules stay testable on their own

from ..agreements.rules import in_force_on

DEFAULT_OFFSETS = (90, 30, 7)
OVERDUE_EVERY_DAYS = 7


@dataclass(frozen=True, slots=True)
class DueReminder:
    agreement_id: int
    review_date: date
    offset_key: str  # "before-30": 30 days before; "overdue-2": the second weekly overdue reminder
    due_on: date
    escalated: bool  # overdue long enough to go to the lead organisation's DPO too


def parse_offsets(value):
    """`ISA_REMINDER_OFFSETS` ("90,30,7", a list, or one number) as days, largest first."""
    if isinstance(value, int):
        value = [value]
    if isinstance(value, str):
        value = [part for part in value.replace(" ", "").split(",") if part]
    try:
        days = sorted({int(part) for part in value}, reverse=True)
    except (TypeError, ValueError):
        raise ValueError(f"Reminder offsets must be whole numbers of days separated by commas, like 90,30,7 (got {value!r})")
    if not days or any(d < 0 or d > 3650 for d in days):
        raise ValueError(f"Reminder offsets must be between 0 and 3650 days (got {value!r})")
    return tuple(days)


def days_overdue(review_date, today):
    return max((today - review_date).days, 0)


def is_lapsing(review_date, today, escalation_days):
    """Overdue so long that the agreement may no longer be relied on: escalated to the DPO."""
    return today > review_date and days_overdue(review_date, today) >= escalation_days


def current_stage(review_date, today, offsets=DEFAULT_OFFSETS, escalation_days=None):
    """(offset key, the day it fell due) of the latest stage reached by `today`, or None."""
    if today > review_date:
        week = ((today - review_date).days - 1) // OVERDUE_EVERY_DAYS
        key, due_on = f"overdue-{week + 1}", review_date + timedelta(days=1 + week * OVERDUE_EVERY_DAYS)
        if escalation_days is not None:
            escalation_on = review_date + timedelta(days=max(escalation_days, 1))
            if due_on < escalation_on <= today:
                return "escalated", escalation_on  # the day it escalates, between two weekly reminders
        return key, due_on
    reached = [days for days in offsets if review_date - timedelta(days=days) <= today]
    if not reached:
        return None
    days = min(reached)
    return f"before-{days}", review_date - timedelta(days=days)


def due_reminders(agreements, today, offsets=DEFAULT_OFFSETS, escalation_days=30):
    """The reminder each agreement in force is due by `today` (its latest stage), in one list.

    `agreements`: objects with `id`, `status`, `resume_status`, `start_date`, `review_date` and `end_date`.
    """
    due = []
    for agreement in agreements:
        if not in_force_on(agreement, today):
            continue
        stage = current_stage(agreement.review_date, today, offsets, escalation_days)
        if stage is None:
            continue
        key, due_on = stage
        due.append(
            DueReminder(agreement.id, agreement.review_date, key, due_on, is_lapsing(agreement.review_date, today, escalation_days))
        )
    return due


def reminder_recipients(owner_email, parties, lead_dpo_email=None, escalated=False):
    """(recipients, parties without a contact) for one reminder.

    `parties`: (organisation name, single point of contact's email) pairs. The owner and every
    party's contact receive it, and the lead organisation's DPO when it is escalated; each address
    once, whatever its case.
    """
    recipients, seen, missing = [], set(), []

    def add(email):
        email = (email or "").strip()
        if email and email.lower() not in seen:
            seen.add(email.lower())
            recipients.append(email)

    add(owner_email)
    for name, spoc_email in parties:
        if (spoc_email or "").strip():
            add(spoc_email)
        else:
            missing.append(name)
    if escalated:
        add(lead_dpo_email)
    return recipients, missing


def stage_label(offset_key):
    """'before-30' → '30 days before the review'; 'overdue-2' → 'Overdue, week 2'."""
    if offset_key == "escalated":
        return _("Overdue: escalated to the data protection officer")
    kind, _dash, number = str(offset_key).partition("-")
    if kind == "before" and number.isdigit():
        days = int(number)
        if days == 0:
            return _("On the review date")
        return ngettext("%(num)d day before the review", "%(num)d days before the review", days)
    if kind == "overdue" and number.isdigit():
        return _("Overdue, week %(number)s", number=number)
    return str(offset_key)


def attaches_protocol(offset_key, attach_offsets=(30,)):
    """Whether a reminder carries the protocol PDF as an attachment (every one links to it): the
    ones `attach_offsets` days before the review (30 by default) and every overdue one."""
    kind, _dash, number = str(offset_key).partition("-")
    if offset_key == "escalated" or kind == "overdue":
        return True
    return kind == "before" and number.isdigit() and int(number) in set(attach_offsets)
