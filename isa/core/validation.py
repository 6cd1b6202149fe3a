"""The formats and limits the record schemas (`core/schemas.py`) are built from: one copy of each."""
import re

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ICO_RE = re.compile(r"^(?:Z\d{7}|Z[AB]\d{6})$")
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$")
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")

# The longest free text each field may hold (the schemas' limits, so the forms' and the importer's), so that no record
# can make a runaway protocol document (the PDF prints all of it).
TEXT_LIMITS = {
    "purpose": 10000, "scope": 10000, "data_subjects": 5000, "retention": 5000, "security": 5000,
    "items": 10000, "channel_description": 2000,
}
MAX_PURPOSES_PER_FLOW = 30  # short labels of up to 200 characters each
REVIEW_INTERVAL_MIN, REVIEW_INTERVAL_MAX = 1, 60  # months between reviews
