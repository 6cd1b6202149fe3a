"""Form helpers shared by several domains."""
from datetime import date

from flask_babel import gettext as _
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from pydantic import ValidationError as RecordError
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms import validators as checks
from wtforms.validators import ValidationError

from .filters import missing_date_parts
from .messages import form_message, is_missing, length_message
from .schemas import fields_of


def field_name(field):
    """The field's label as an error message starts with it: "End date", not "End date (optional)"."""
    text = str(field.label.text).removesuffix("(optional)").removesuffix(_("(optional)")).strip()
    return text[:1].upper() + text[1:]


class Length(checks.Length):
    """WTForms' Length, whose default message follows GOV.UK's pattern:
    "Title must be 300 characters or less" (or "at least 12 characters"), in the page's language."""

    def __call__(self, form, field):
        length = len(field.data) if field.data else 0
        if length >= self.min and (self.max == -1 or length <= self.max):
            return
        if self.message is not None:
            raise ValidationError(self.message % dict(min=self.min, max=self.max, length=length))
        # worked out at each check, never kept on the validator: the next page may be in another language
        low, high = (None if limit == -1 else limit for limit in (self.min, self.max))
        raise ValidationError(length_message(field_name(field), low, high))


class _DateOptional(checks.Optional):
    """Optional for the three boxes of a date: empty only when every box is."""

    def __call__(self, form, field):
        if field.raw_data and any(str(value).strip() for value in field.raw_data):
            return
        super().__call__(form, field)


class _DateInput(GovDateInput):
    """GOV.UK's date input, its boxes labelled in the page's language."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        labels = {"Day": _("Day"), "Month": _("Month"), "Year": _("Year")}
        for item in params.get("items", []):
            if isinstance(item.get("label"), str):  # the widget's own English; a template's own labels stay
                item["label"] = labels.get(item["label"], item["label"])
        return params


class GovDateField(DateField):
    """A date typed as day, month and year boxes, with GOV.UK error messages."""

    def __init__(self, label=None, validators=None, **kwargs):
        # Optional() looks at the first box only: an empty day would drop a month and year typed
        validators = [_DateOptional() if isinstance(v, checks.Optional) else v for v in validators or []]
        super().__init__(label, validators, format="%d %m %Y", widget=_DateInput(), **kwargs)

    def process_formdata(self, valuelist):
        valuelist = (list(valuelist) + ["", "", ""])[:3] if valuelist else []
        self.raw_data = valuelist or None  # the widget redraws exactly three boxes
        if not valuelist or not any(v.strip() for v in valuelist):
            self.data = None
            return
        missing = [part for part, value in zip(("day", "month", "year"), valuelist) if not value.strip()]
        if missing:
            self.data = None
            raise ValueError(missing_date_parts(field_name(self), missing))
        try:
            day, month, year = (int(v) for v in valuelist)
            if year < 1900 or year > 2200:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(_("%(name)s must be a real date", name=field_name(self)))


def not_before(other_name, message):
    def check(form, field):
        other = getattr(form, other_name).data
        if field.data and other and field.data <= other:
            raise ValidationError(message)

    return check


class Needed:
    """The words beside a field left empty that its record's schema needs ("Enter a title"). The rule
    is the schema's alone (`check_record` refuses the field); the words are the form's, as GOV.UK
    writes them, and the field is flagged required as InputRequired would flag it."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        """No rule here: whether the field may be empty is for the schema to say."""


def _needed_message(field):
    for validator in field.validators:
        if isinstance(validator, (Needed, checks.InputRequired)) and validator.message:
            return validator.message
    return None


def _choice_message(field):
    message = _needed_message(field)
    if message:
        return message
    return _("Choose %(name)s from the list", name=str(field.label.text).lower())


class ChoiceField(SelectField):
    """A select whose 'not one of the choices' error speaks the field's own language."""

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_choice_message(self))


class MultiChoiceField(SelectMultipleField):
    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_choice_message(self))


def check_record(form, schema, values):
    """Hand a form's data to the record schema that rules those fields; put its refusals beside them.

    `values` maps each form field's name to (the record's key, the value WTForms parsed). Only the
    schema's rules for those keys apply (a form holds part of a record), and a field WTForms has
    already refused is not refused twice. Returns the record's clean values by form field, or None.
    """
    by_key = {key: name for name, (key, _) in values.items()}
    model = fields_of(schema, frozenset(by_key))
    data = {model.model_fields[key].alias or key: _plain(value) for key, value in values.values()}
    try:
        record = model.model_validate(data)
    except RecordError as refused:
        aliases = {field.alias: key for key, field in model.model_fields.items() if field.alias}
        for error in refused.errors():
            key = aliases.get(error["loc"][0], error["loc"][0])
            field = getattr(form, by_key[key])
            if not field.errors:  # one refusal a field: WTForms' own, or the schema's first
                needed = _needed_message(field) if is_missing(error) else None
                field.errors = [needed or form_message(error, field_name(field))]
        return None
    return {by_key[key]: getattr(record, key) for key in by_key}


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value
