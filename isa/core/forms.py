"""Form helpers shared by several domains."""
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.validators import ValidationError



class GovDateField(DateField):
    """A date typed as day, month and year boxes, with GOV.UK error messages."""

    def __init__(self, label=None, validators=None, **kwargs):
        from govuk_frontend_wtf.wtforms_widgets import GovDateInput

        super().__init__(label, validators, format="%d %m %Y", widget=GovDateInput(), **kwargs)

    def process_formdata(self, valuelist):
        valuelist = (list(valuelist) + ["", "", ""])[:3] if valuelist else []
        self.raw_data = valuelist or None  # the widget redraws exactly three boxes
        if not valuelist or not any(v.strip() for v in valuelist):
            self.data = None
            return
        if not all(v.strip() for v in valuelist):
            self.data = None
            raise ValueError(f"{self.label.text} must include a day, month and year")
        try:
            day, month, year = (int(v) for v in valuelist)
            from datetime import date

            if year < 1900 or year > 2200:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date")


def not_before(other_name, message):
    def check(form, field):
        other = getattr(form, other_name).data
        if field.data and other and field.data <= other:
            raise ValidationError(message)

    return check


def _choice_message(field, default):
    from wtforms.validators import InputRequired

    for validator in field.validators:
        if isinstance(validator, InputRequired) and validator.message:
            return validator.message
    return default


class ChoiceField(SelectField):
    """A select whose 'not one of the choices' error speaks the field's own language."""

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_choice_message(self, f"Choose {self.label.text.lower()} from the list"))


class MultiChoiceField(SelectMultipleField):
    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_choice_message(self, f"Choose {self.label.text.lower()} from the list"))
