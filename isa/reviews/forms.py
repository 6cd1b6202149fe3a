from ..core.i18n import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..core import clock
from ..agreements.forms import VersionedForm
from ..agreements.schemas import AgreementRecord
from ..core.forms import GovDateField, Length, check_record
from .models import ReviewOutcome
from .rules import review_date_problems


class OutcomeField(RadioField):
    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_l("Choose the outcome of the review"))


class ReviewForm(VersionedForm):
    reviewed_on = GovDateField(_l("Date of the review"), description=_l("For example, 14 11 2027"), validators=[InputRequired(_l("Enter the date of the review"))])
    reviewer = StringField(
        _l("Reviewer"),
        widget=GovTextInput(),
        description=_l("Who carried out the review, with their role."),
        validators=[InputRequired(_l("Enter who carried out the review")), Length(max=200, message=_l("Enter the reviewer in 200 characters or fewer"))],
    )
    outcome = OutcomeField(
        _l("Outcome"),
        widget=GovRadioInput(),
        choices=[(outcome.value, outcome.label) for outcome in ReviewOutcome],
        validators=[InputRequired(_l("Choose the outcome of the review"))],
    )
    notes = TextAreaField(
        _l("Notes"),
        widget=GovTextArea(),
        description=_l("What the review looked at and what was agreed. Do not include anyone's personal details."),
        validators=[Optional(), Length(max=10000, message=_l("Enter notes in 10,000 characters or fewer"))],
    )
    review_interval_months = IntegerField(
        _l("Review interval in months"),
        widget=GovTextInput(),
        description=_l("The next review date is the date of this review plus this interval."),
        validators=[InputRequired(_l("Enter the review interval in months"))],
    )
    next_review_date = GovDateField(
        _l("Next review date (optional)"),
        description=_l("Leave empty to set it from the review interval. Not used when the agreement is terminated."),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Record the review"), widget=GovSubmitInput())

    start_date = None  # the agreement's, set by the view, for the date checks

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        interval = {"review_interval_months": ("review_interval_months", self.review_interval_months.data)}
        ok = check_record(self, AgreementRecord, interval) is not None and ok
        if self.reviewed_on.data and not self.reviewed_on.errors:
            terminating = self.outcome.data == ReviewOutcome.TERMINATE.value
            problems = review_date_problems(self.start_date, self.reviewed_on.data, self.next_review_date.data, clock.today(), terminating)
            for field, message in problems.items():
                getattr(self, field).errors.append(message)
                ok = False
        return ok
