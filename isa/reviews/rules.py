"""Review rules: pure functions, no Flask and no database (only its messages are translated)."""
import calendar
from datetime import date

from flask_babel import gettext as _


def add_months(day, months):
    """`day` plus whole months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_date_problems(start_date, reviewed_on, next_review_date, today, terminating):
    """Messages keyed by form field for review dates that cannot stand."""
    problems = {}
    if reviewed_on > today:
        problems["reviewed_on"] = _("The date of the review must be today or in the past")
    elif start_date and reviewed_on < start_date:
        problems["reviewed_on"] = _("The date of the review must be on or after the agreement's start date")
    if not terminating and next_review_date is not None and next_review_date <= reviewed_on:
        problems["next_review_date"] = _("The next review date must be after the date of the review")
    return problems
