"""The words of every refusal of a record's field, in one place and in our own words (not pydantic's).

Each pydantic error of a record schema becomes a sentence twice over: after the field's path in an
import file's problem list ("agreements[3].flows[2].to: is required"), and beside the field on a form
("Title must be 300 characters or less"). Everything is passed through gettext for the Welsh catalogue.
"""
import re

from flask_babel import gettext as _

from . import validation
from .i18n import lazy_gettext as _l
from .schemas import ISO_DATE_PATTERN

# the field's name as a refusal of an unknown value names it: unknown status "live"
CHOICE_NOUNS = {
    "type": _l("organisation type"), "status": _l("status"), "role": _l("role"), "data_location": _l("data location"),
    "categories": _l("data category"), "frequency": _l("frequency"), "consent": _l("consent approach"),
    "data_subject_categories": _l("data subject category"),
}
_FORMATS = {
    validation.SLUG_RE.pattern: "slug", validation.REFERENCE_RE.pattern: "reference", validation.ICO_RE.pattern: "ico",
    validation.EMAIL_RE.pattern: "email", ISO_DATE_PATTERN: "date",
}
_MISSING = {"missing", "too_short"}


def _kind(error):
    """The refusal's kind: a format (slug, date…) for a pattern, else pydantic's error type."""
    kind = error["type"]
    if kind == "string_pattern_mismatch":
        return _FORMATS.get(error["ctx"]["pattern"], kind)
    if kind == "iso_date":
        return "date"
    if kind in _MISSING or (error.get("input") is None and kind != "extra_forbidden"):
        return "missing"
    return kind


def is_missing(error):
    """Whether the refusal is of a value not given (a form then says what to enter)."""
    return _kind(error) == "missing"


def _allowed(error):
    return re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))


def file_message(error):
    """The words after the path in an import's problem list."""
    kind, value, ctx = _kind(error), error.get("input"), error.get("ctx", {})
    field = next((part for part in error["loc"] if isinstance(part, str)), None)
    in_list = any(isinstance(part, int) for part in error["loc"])
    if kind == "missing":
        return _("is required")
    if kind == "extra_forbidden":
        return _("unknown field")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _("must be an object")
    if kind == "string_type":
        return _("must be a list of text") if in_list else _("must be text")
    if kind == "list_type":
        return _("must be a list of text")
    if kind == "bool_type":
        return _("must be true or false")
    if kind in ("int_type", "int_parsing", "greater_than_equal", "less_than_equal"):
        return _("must be a whole number of months from %(low)s to %(high)s",
                 low=validation.REVIEW_INTERVAL_MIN, high=validation.REVIEW_INTERVAL_MAX)
    if kind == "string_too_long":
        return _("must be %(max)s characters or fewer", max=ctx["max_length"])
    if kind == "too_long":
        return _("must have %(max)s items or fewer", max=ctx["max_length"])
    if kind == "signatory":
        return _("the name and the title must each be %(max)s characters or fewer", max=ctx["max_length"])
    if kind == "literal_error":
        return _('unknown %(noun)s "%(value)s": use one of %(values)s',
                 noun=CHOICE_NOUNS.get(field, field), value=value, values=", ".join(_allowed(error)))
    if kind == "slug":
        return _('"%(value)s" is not a valid slug: use lower-case letters, numbers and hyphens, like herts-police', value=value)
    if kind == "reference":
        return _('"%(value)s" is not a valid reference: use letters, numbers and hyphens, like ISA-2024-001', value=value)
    if kind == "ico":
        return _('"%(value)s" is not an ICO registration number: Z and 7 digits, or ZA or ZB and 6 digits', value=value)
    if kind == "email":
        return _('"%(value)s" is not a valid email address', value=value)
    if kind == "date":
        return _('"%(value)s" is not a date in the form YYYY-MM-DD', value=value)
    return _("is not a valid value")


def form_message(error, name):
    """The words beside a form's field whose label (as a sentence starts with it) is `name`."""
    kind, ctx = _kind(error), error.get("ctx", {})
    field = next((part for part in error["loc"] if isinstance(part, str)), None)
    in_list = any(isinstance(part, int) for part in error["loc"])
    if kind == "missing":
        return _("Enter %(name)s", name=name.lower())
    if kind in ("int_type", "int_parsing", "greater_than_equal", "less_than_equal"):
        return review_interval_message()
    if kind == "string_too_long" and field == "purposes" and in_list:
        return _("Keep each purpose to a short label of %(max)s characters or fewer", max=ctx["max_length"])
    if kind == "string_too_long":
        return length_message(name, maximum=ctx["max_length"])
    if kind == "too_long":
        return _("Enter %(max)s %(name)s or fewer", max=ctx["max_length"], name=name.lower())
    if kind == "signatory":
        return length_message(name, maximum=ctx["max_length"])
    if kind == "slug":
        return slug_message()
    if kind == "reference":
        return reference_message()
    if kind == "ico":
        return ico_message()
    if kind == "email":
        return email_message()
    if kind == "date":
        return _("%(name)s must be a real date", name=name)
    if kind == "literal_error":
        return _("Choose %(name)s from the list", name=name.lower())
    return _("Enter a valid %(name)s", name=name.lower())


def length_message(name, minimum=None, maximum=None):
    """GOV.UK's pattern: "Title must be 300 characters or less" (or "at least 12 characters")."""
    if minimum is None:
        return _("%(name)s must be %(max)s characters or less", name=name, max=maximum)
    if maximum is None:
        return _("%(name)s must be %(min)s characters or more", name=name, min=minimum)
    return _("%(name)s must be between %(min)s and %(max)s characters", name=name, min=minimum, max=maximum)


def slug_message():
    return _("Use lower-case letters, numbers and hyphens only, like herts-police")


def ico_message():
    return _("Enter an ICO registration number in the correct format: Z and 7 digits, or ZA or ZB and 6 digits")


def reference_message():
    return _("Enter a reference of letters, numbers and hyphens, like ISA-2024-001")


def email_message():
    return _("Enter an email address in the correct format, like name@example.org")


def review_interval_message():
    return _("Enter a review interval between %(low)s and %(high)s months",
             low=validation.REVIEW_INTERVAL_MIN, high=validation.REVIEW_INTERVAL_MAX)


# An import's problems beyond one field's format: the file's shape, duplicates, references to other records.
_IMPORT_PROBLEMS = {
    "not_a_file": lambda v: _('must be a JSON object with "organisations", "channels" and "agreements" lists'),
    "unknown_section": lambda v: _("unknown section: a register file has organisations, channels and agreements"),
    "not_a_list": lambda v: _("must be a list"),
    "duplicate": lambda v: _('duplicate %(noun)s "%(value)s" (also %(first)s)', **v),
    "unknown_organisation": lambda v: _('unknown organisation "%(value)s"', **v),
    "unknown_channel": lambda v: _('unknown channel "%(value)s"', **v),
    "unknown_agreement": lambda v: _('unknown agreement "%(value)s"', **v),
    "unknown_lawful_basis": lambda v: _('unknown lawful basis "%(value)s"', **v),
    "unknown_user": lambda v: _('no user has the email "%(value)s"', **v),
    "partner_owner": lambda v: _('"%(value)s" is a partner user: the owner must be a governance officer or administrator', **v),
    "supersedes_itself": lambda v: _("an agreement cannot supersede itself"),
    "supersession_loop": lambda v: _('"%(value)s" already supersedes %(reference)s, directly or through others', **v),
    "flows_need_party": lambda v: _('leaves out "%(value)s", which the stored flows of this agreement still use', **v),
    "not_a_party": lambda v: _('"%(value)s" is not a party to this agreement', **v),
    "sends_to_itself": lambda v: _("must be a different organisation from the sender"),
}


def import_problem(kind, **values):
    return _IMPORT_PROBLEMS[kind](values)
