"""The one clock: today's date where the partnership works (Europe/London), whatever the server's zone."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now():
    return datetime.now(LONDON)


def today() -> date:
    return now().date()
