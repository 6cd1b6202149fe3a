from ..core.i18n import lazy_gettext as _l, lazy_choices
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..agreements.forms import VersionedForm
from ..core import clock
from ..core.forms import GovDateField, MultiChoiceField
from .models import DpoOutcome, Likelihood, ScreeningQuestion, Severity

TEXT_MAX = 10000


def _text(label, description, too_long, required=None):
    validators = [InputRequired(required)] if required else [Optional()]
    validators.append(Length(max=TEXT_MAX, message=too_long))
    return TextAreaField(label, widget=GovTextArea(), description=description, validators=validators)


class ChoiceRadioField(RadioField):
    """Radios whose 'not a choice' error is the field's own message."""

    def __init__(self, label, message, **kwargs):
        super().__init__(label, widget=GovRadioInput(), validators=[InputRequired(message)], **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(self.message)


class ScreeningForm(VersionedForm):
    screening = MultiChoiceField(
        _l("Which of these apply to the sharing?"),
        widget=GovCheckboxesInput(),
        choices=lazy_choices(ScreeningQuestion),
        validators=[Optional()],
    )
    screening_notes = _text(
        _l("Notes"), _l("Why a DPIA is or is not needed. Required when none of these apply: record why no DPIA is needed."),
        _l("Enter notes in 10,000 characters or fewer"),
    )
    submit = SubmitField(_l("Save screening"), widget=GovSubmitInput())


class DescriptionForm(VersionedForm):
    nature = _text(
        _l("Nature of the processing"),
        _l("How the data is collected, used, stored, shared and deleted. Started from the agreement's data flows."),
        _l("Enter nature of the processing in 10,000 characters or fewer"),
        _l("Describe the nature of the processing"),
    )
    scope = _text(
        _l("Scope"), _l("How much data, about how many people, how often, for how long, over what area."),
        _l("Enter scope in 10,000 characters or fewer"),
    )
    context = _text(
        _l("Context"), _l("Who the people are, what they would expect, whether they include children or vulnerable people."),
        _l("Enter context in 10,000 characters or fewer"),
    )
    purposes = _text(
        _l("Purposes"), _l("What the sharing achieves for the people concerned and for the partners."),
        _l("Enter purposes in 10,000 characters or fewer"), _l("Describe the purposes of the processing"),
    )
    consultation = _text(
        _l("Consultation"), _l("Who was consulted (the people concerned, staff, processors, experts), and how."),
        _l("Enter consultation in 10,000 characters or fewer"),
    )
    necessity = _text(
        _l("Necessity and proportionality"),
        _l("The lawful basis; whether the sharing achieves its purpose and no less intrusive way would; data minimisation "
           "and quality; what people are told; how their rights are upheld; safeguards for any international transfer."),
        _l("Enter necessity and proportionality in 10,000 characters or fewer"),
        _l("Assess necessity and proportionality"),
    )
    submit = SubmitField(_l("Save description"), widget=GovSubmitInput())


LIKELIHOODS = lazy_choices(Likelihood)
SEVERITIES = lazy_choices(Severity)


class RiskForm(VersionedForm):
    description = _text(
        _l("Risk to individuals"),
        _l("The source of the risk and the harm it could do, for example information sent to the wrong person reveals where a victim lives."),
        _l("Enter risk to individuals in 10,000 characters or fewer"),
        _l("Describe the risk"),
    )
    likelihood = ChoiceRadioField(_l("Likelihood of harm"), _l("Choose the likelihood of harm"), choices=LIKELIHOODS)
    severity = ChoiceRadioField(_l("Severity of harm"), _l("Choose the severity of harm"), choices=SEVERITIES)
    measures = _text(
        _l("Measures to reduce or remove the risk"), _l("What the partners do about it."),
        _l("Enter measures to reduce or remove the risk in 10,000 characters or fewer"), _l("Describe the measures"),
    )
    residual_likelihood = ChoiceRadioField(
        _l("Likelihood with the measures in place"), _l("Choose the likelihood with the measures in place"), choices=LIKELIHOODS
    )
    residual_severity = ChoiceRadioField(
        _l("Severity with the measures in place"), _l("Choose the severity with the measures in place"), choices=SEVERITIES
    )
    submit = SubmitField(_l("Save risk"), widget=GovSubmitInput())


class AdviceForm(VersionedForm):
    dpo_name = StringField(
        _l("Data protection officer"), widget=GovTextInput(), description=_l("Name and organisation."),
        validators=[
            InputRequired(_l("Enter the data protection officer's name")),
            Length(max=200, message=_l("Enter the name in 200 characters or fewer")),
        ],
    )
    dpo_advice_on = GovDateField(
        _l("Date of the advice"), description=_l("For example, 14 11 2027"), validators=[InputRequired(_l("Enter the date of the advice"))]
    )
    dpo_advice = _text(
        _l("Summary of the DPO's advice"), _l("Whether the processing should go ahead, and on what terms."),
        _l("Enter summary of the dpo's advice in 10,000 characters or fewer"), _l("Summarise the DPO's advice"),
    )
    dpo_outcome = ChoiceRadioField(
        _l("Was the advice accepted?"), _l("Choose whether the advice was accepted or overruled"),
        choices=lazy_choices(DpoOutcome),
    )
    dpo_overruled_reason = _text(
        _l("Reason for overruling the advice"), _l("Required when the advice is overruled."),
        _l("Enter reason for overruling the advice in 10,000 characters or fewer"),
    )
    dpo_decided_by = StringField(
        _l("Accepted or overruled by"), widget=GovTextInput(), description=_l("Name and job title."),
        validators=[
            InputRequired(_l("Enter who accepted or overruled the advice")),
            Length(max=200, message=_l("Enter the name in 200 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Save the advice"), widget=GovSubmitInput())

    def validate_dpo_overruled_reason(self, field):
        if self.dpo_outcome.data == DpoOutcome.OVERRULED.value and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason the DPO's advice was overruled"))

    def validate_dpo_advice_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("The date of the advice must be today or in the past"))


class SignOffForm(VersionedForm):
    signed_off_by = StringField(
        _l("Signed off by"), widget=GovTextInput(),
        description=_l("The name and job title of who approves the measures and accepts the residual risk."),
        validators=[InputRequired(_l("Enter who signs the DPIA off")), Length(max=200, message=_l("Enter the name in 200 characters or fewer"))],
    )
    signed_off_on = GovDateField(
        _l("Date of sign-off"), description=_l("For example, 14 11 2027"), validators=[InputRequired(_l("Enter the date of sign-off"))]
    )
    ico_consulted_on = GovDateField(
        _l("Date the ICO was consulted (optional)"),
        description=_l("A high risk left after the measures must be put to the ICO before the sharing starts (UK GDPR Article 36)."),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Sign off the DPIA"), widget=GovSubmitInput())


class DpiaConfirmForm(VersionedForm):
    """A confirmation step for removals (a risk, the whole DPIA)."""
