"""Review dates as an iCalendar feed (RFC 5545) that Outlook and Google Calendar subscribe to."""
from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event

from ..core.text import neutralise_bidi

PRODUCT_ID = "-//isa//Information sharing agreement reviews//EN"


def review_calendar(agreements, link_for, now=None):
    """An all-day event on each agreement's review date.

    `agreements` yields (reference, title, review_date); `link_for(reference)` gives the page's URL.
    The UID names the agreement only, so a subscribed calendar moves the event when the review
    date changes rather than keeping a stale copy beside the new one.
    """
    stamp = now or datetime.now(timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Agreement reviews (isa)")
    calendar.add("x-wr-caldesc", "Review dates of the information sharing agreements in the register")
    calendar.add("x-published-ttl", "PT12H")
    calendar.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    for reference, title, review_date in agreements:
        event = Event()
        event.add("uid", f"review-{_uid_safe(reference)}@isa")
        event.add("dtstamp", stamp)
        event.add("summary", f"Review due: {reference} {title}")
        event.add("dtstart", review_date)
        event.add("dtend", review_date + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        url = link_for(reference)
        event.add("description", f"The review of {reference} ({title}) is due. {url}")
        event.add("url", url)
        calendar.add_component(event)
    return neutralise_bidi(calendar.to_ical().decode("utf-8")).encode("utf-8")


def _uid_safe(reference):
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in reference)
