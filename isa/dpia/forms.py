from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..agreements.forms import VersionedForm
from ..core import clock
from ..core.forms import GovDateField, MultiChoiceField
from .models import DpoOutcome, Likelihood, ScreeningQuestion, Severity

TEXT_MAX = 10000


def _text(label, description, required=None):
    validators = [InputRequired(required)] if required else [Optional()]
    validators.append(Length(max=TEXT_MAX, message=f"Enter {label.lower()} in 10,000 characters or fewer"))
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
        "Which of these apply to the sharing?",
        widget=GovCheckboxesInput(),
        choices=[(q.value, q.label) for q in ScreeningQuestion],
        validators=[Optional()],
    )
    screening_notes = _text(
        "Notes", "Why a DPIA is or is not needed. Required when none of these apply: record why no DPIA is needed."
    )
    submit = SubmitField("Save screening", widget=GovSubmitInput())


class DescriptionForm(VersionedForm):
    nature = _text(
        "Nature of the processing",
        "How the data is collected, used, stored, shared and deleted. Started from the agreement's data flows.",
        "Describe the nature of the processing",
    )
    scope = _text("Scope", "How much data, about how many people, how often, for how long, over what area.")
    context = _text("Context", "Who the people are, what they would expect, whether they include children or vulnerable people.")
    purposes = _text(
        "Purposes", "What the sharing achieves for the people concerned and for the partners.", "Describe the purposes of the processing"
    )
    consultation = _text("Consultation", "Who was consulted (the people concerned, staff, processors, experts), and how.")
    necessity = _text(
        "Necessity and proportionality",
        "The lawful basis; whether the sharing achieves its purpose and no less intrusive way would; data minimisation "
        "and quality; what people are told; how their rights are upheld; safeguards for any international transfer.",
        "Assess necessity and proportionality",
    )
    submit = SubmitField("Save description", widget=GovSubmitInput())


LIKELIHOODS = [(l.value, l.label) for l in Likelihood]
SEVERITIES = [(s.value, s.label) for s in Severity]


class RiskForm(VersionedForm):
    description = _text(
        "Risk to individuals",
        "The source of the risk and the harm it could do, for example information sent to the wrong person reveals where a victim lives.",
        "Describe the risk",
    )
    likelihood = ChoiceRadioField("Likelihood of harm", "Choose the likelihood of harm", choices=LIKELIHOODS)
    severity = ChoiceRadioField("Severity of harm", "Choose the severity of harm", choices=SEVERITIES)
    measures = _text("Measures to reduce or remove the risk", "What the partners do about it.", "Describe the measures")
    residual_likelihood = ChoiceRadioField("Likelihood with the measures in place", "Choose the likelihood with the measures in place", choices=LIKELIHOODS)
    residual_severity = ChoiceRadioField("Severity with the measures in place", "Choose the severity with the measures in place", choices=SEVERITIES)
    submit = SubmitField("Save risk", widget=GovSubmitInput())


class AdviceForm(VersionedForm):
    dpo_name = StringField(
        "Data protection officer", widget=GovTextInput(), description="Name and organisation.",
        validators=[InputRequired("Enter the data protection officer's name"), Length(max=200, message="Enter the name in 200 characters or fewer")],
    )
    dpo_advice_on = GovDateField("Date of the advice", description="For example, 14 11 2027", validators=[InputRequired("Enter the date of the advice")])
    dpo_advice = _text("Summary of the DPO's advice", "Whether the processing should go ahead, and on what terms.", "Summarise the DPO's advice")
    dpo_outcome = ChoiceRadioField(
        "Was the advice accepted?", "Choose whether the advice was accepted or overruled",
        choices=[(o.value, o.label) for o in DpoOutcome],
    )
    dpo_overruled_reason = _text("Reason for overruling the advice", "Required when the advice is overruled.")
    dpo_decided_by = StringField(
        "Accepted or overruled by", widget=GovTextInput(), description="Name and job title.",
        validators=[InputRequired("Enter who accepted or overruled the advice"), Length(max=200, message="Enter the name in 200 characters or fewer")],
    )
    submit = SubmitField("Save the advice", widget=GovSubmitInput())

    def validate_dpo_overruled_reason(self, field):
        if self.dpo_outcome.data == DpoOutcome.OVERRULED.value and not (field.data or "").strip():
            raise ValidationError("Give the reason the DPO's advice was overruled")

    def validate_dpo_advice_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError("The date of the advice must be today or in the past")


class SignOffForm(VersionedForm):
    signed_off_by = StringField(
        "Signed off by", widget=GovTextInput(), description="The name and job title of who approves the measures and accepts the residual risk.",
        validators=[InputRequired("Enter who signs the DPIA off"), Length(max=200, message="Enter the name in 200 characters or fewer")],
    )
    signed_off_on = GovDateField("Date of sign-off", description="For example, 14 11 2027", validators=[InputRequired("Enter the date of sign-off")])
    ico_consulted_on = GovDateField(
        "Date the ICO was consulted (optional)",
        description="A high risk left after the measures must be put to the ICO before the sharing starts (UK GDPR Article 36).",
        validators=[Optional()],
    )
    submit = SubmitField("Sign off the DPIA", widget=GovSubmitInput())


class DpiaConfirmForm(VersionedForm):
    """A confirmation step for removals (a risk, the whole DPIA)."""
