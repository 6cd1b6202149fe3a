"""Rules for a sharing decision's fields, as pure functions (no Flask, no database).

The case reference is the one link from the record back to a person, so it must be the case
system's reference and never something that names or dates them: `case_reference_problem`
refuses what looks like a personal name or a date of birth.
"""
import re
from datetime import date

from flask_babel import gettext as _  # English with no app: the rules stay testable on their own
from ..core.i18n import lazy_gettext as _l

from .flowchart import Outcome

CASE_REFERENCE_MAX = 40
PURPOSE_MAX = 200
TEXT_MAX = 10000

CASE_REFERENCE_HINT = _l(
    "Your case system's reference, like CS-2024-00123 or MASH/1234. Never a name or a date of birth: this record must "
    "not identify the person."
)
_ALLOWED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /_.:#-]*$")
_TITLE = r"(?:mr|mrs|ms|miss|mx|dr|master|prof|sir|dame|lady|lord|rev|revd)"
# "Mr Smith", "dr. patel", "Mrs J", and "MrSmith" run together
_TITLED_NAME = re.compile(rf"(?i:\b{_TITLE}\b\.?\s*[A-Za-z])|\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)[A-Z][a-z]")
# Two or more capitalised words of letters in a row: "John Smith", "J Smith", "Mary-Jane O'Neil"
_WORD = r"[A-Z][a-z]*(?:['\u2019-][A-Za-z][a-z]*)*"
_CAPITALISED_WORDS = re.compile(rf"\b{_WORD}(?:\s+{_WORD})+\b")
_DOB_WORDS = re.compile(r"(?i)\b(?:d\.?o\.?b|born|birth)\b")
_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_WRITTEN_DATE = re.compile(
    rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?[\s./-]*{_MONTHS}\.?[\s./,-]*\d{{2,4}}\b|\b{_MONTHS}\.?\s*\d{{1,2}}(?:st|nd|rd|th)?,?\s*\d{{4}}\b"
)
_DAY_FIRST = re.compile(r"(?<![\d])(\d{1,2})([/.\- ])(\d{1,2})\2(\d{4}|\d{2})(?![\d])")
_YEAR_FIRST = re.compile(r"(?<![\d])(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})(?![\d])")
_COMPACT = re.compile(r"(?<![\d])(\d{2})(\d{2})(\d{4})(?![\d])")  # ddmmyyyy, the UK way of writing one without separators


def _real_date(year, month, day):
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _full_year(text):
    year = int(text)
    return year + 1900 if len(text) == 2 else year


def looks_like_date(value):
    """A date in any common format: 01/02/2010, 1-2-10, 2010-02-01, 01022010, 1 Feb 2010, February 1st 2010."""
    if _WRITTEN_DATE.search(value):
        return True
    for day, _sep, month, year in _DAY_FIRST.findall(value):
        # day first as the UK writes it, or month first as American systems do
        if _real_date(_full_year(year), int(month), int(day)) or _real_date(_full_year(year), int(day), int(month)):
            return True
    for year, _sep, month, day in _YEAR_FIRST.findall(value):
        if 1900 <= int(year) <= 2100 and _real_date(int(year), int(month), int(day)):
            return True
    for day, month, year in _COMPACT.findall(value):
        if 1900 <= int(year) <= 2100 and _real_date(int(year), int(month), int(day)):
            return True
    return False


def looks_like_name(value):
    return bool(_TITLED_NAME.search(value) or _CAPITALISED_WORDS.search(value))


def case_reference_problem(value):
    """Why `value` cannot be a case reference (a message for the practitioner), or None when it can."""
    value = (value or "").strip()
    if not value:
        return _("Enter the case reference")
    if len(value) > CASE_REFERENCE_MAX:
        return _("The case reference must be %(max)s characters or fewer", max=CASE_REFERENCE_MAX)
    if _DOB_WORDS.search(value) or looks_like_date(value):
        return _("The case reference looks like it contains a date of birth. Enter your case system's reference only, like CS-2024-00123")
    if looks_like_name(value):
        return _("The case reference looks like a person's name. Enter your case system's reference, never a name, like CS-2024-00123")
    if not _ALLOWED.match(value):
        return _("The case reference can only include letters, numbers, spaces and / - _ . : #")
    if not any(ch.isdigit() for ch in value):
        return _("The case reference must include a number, like CS-2024-00123 or MASH/1234")
    return None


def decided_on_problem(day, today):
    if day is None:
        return _("Enter the date of the decision")
    if day > today:
        return _("The date of the decision must be today or in the past")
    return None


def normalise_text(value):
    return " ".join(str(value or "").split())


def override_problem(outcome, suggested, reason):
    """A decision that goes against the flowchart's suggestion must say why."""
    if outcome is not None and suggested is not None and Outcome(outcome) != suggested and not (reason or "").strip():
        return _("Give your reason for deciding differently from the flowchart's suggestion")
    return None
