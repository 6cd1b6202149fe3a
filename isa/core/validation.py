"""Value rules shared by forms and the importer (one copy of each rule)."""
import re

from .i18n import lazy_gettext as _l

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ICO_RE = re.compile(r"^(?:Z\d{7}|Z[AB]\d{6})$")
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$")
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")

# The longest free text each field may hold, in the forms and the importer alike, so that no record
# can make a runaway protocol document (the PDF prints all of it).
TEXT_LIMITS = {
    "purpose": 10000, "scope": 10000, "data_subjects": 5000, "retention": 5000, "security": 5000,
    "items": 10000, "channel_description": 2000,
}
MAX_PURPOSES_PER_FLOW = 30  # short labels of up to 200 characters each
REVIEW_INTERVAL_MIN, REVIEW_INTERVAL_MAX = 1, 60  # months between reviews

# Lazy: each is read in the language of the page that shows it.
SLUG_MESSAGE = _l("Use lower-case letters, numbers and hyphens only, like herts-police")
ICO_MESSAGE = _l("Enter an ICO registration number in the correct format: Z and 7 digits, or ZA or ZB and 6 digits")
REFERENCE_MESSAGE = _l("Enter a reference of letters, numbers and hyphens, like ISA-2024-001")
REVIEW_INTERVAL_MESSAGE = _l("Enter a review interval between %(min)s and %(max)s months", min=REVIEW_INTERVAL_MIN, max=REVIEW_INTERVAL_MAX)
EMAIL_MESSAGE = _l("Enter an email address in the correct format, like name@example.org")


def valid_slug(value):
    return bool(value) and len(value) <= 80 and bool(SLUG_RE.match(value))


def valid_ico(value):
    return bool(ICO_RE.match(value or ""))


def valid_reference(value):
    return bool(REFERENCE_RE.match(value or ""))


def valid_email(value):
    return bool(value) and len(value) <= 254 and bool(EMAIL_RE.match(value))
