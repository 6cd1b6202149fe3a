from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import GovDateField
from ..flows.models import DataCategory
from . import flowchart, rules


class DecisionForm(FlaskForm):
    """The sharing decision form. Fields only carry values: operations.review_decision checks them,
    with the same rules as the JSON API, and its messages are put next to the fields."""

    decided_on = GovDateField("Date of the decision", description="For example, 27 3 2025", validators=[Optional()])
    discloser = SelectField("Organisation sharing the information", widget=GovSelect(), validate_choice=False)
    recipient = SelectField("Organisation it would go to", widget=GovSelect(), validate_choice=False)
    category = SelectField(
        "Kind of information",
        widget=GovSelect(),
        choices=[(c.value, c.label) for c in DataCategory],
        default=DataCategory.PERSONAL.value,
        description="Special category data includes health, ethnicity and sex life. Criminal offence data includes allegations and convictions.",
        validate_choice=False,
    )
    case_reference = StringField("Case reference", widget=GovTextInput(), description=rules.CASE_REFERENCE_HINT)
    purpose = StringField(
        "Purpose of sharing",
        widget=GovTextInput(),
        description="A short label, for example safeguarding children. The register looks for an agreement listing it.",
    )
    # The flowchart: one field per question, rendered from flowchart.QUESTIONS by the template.
    legitimate_purpose = RadioField(validate_choice=False, choices=[])
    identifiable = RadioField(validate_choice=False, choices=[])
    confidential = RadioField(validate_choice=False, choices=[])
    consent = RadioField(validate_choice=False, choices=[])
    lawful_reasons = SelectMultipleField(validate_choice=False, choices=[])
    # The decision
    outcome = RadioField("Your decision", validate_choice=False, choices=[])
    override_reason = TextAreaField(
        "Why you decided differently from the flowchart",
        widget=GovTextArea(),
        description="Only needed when your decision differs from the flowchart's suggestion.",
    )
    reasons = TextAreaField(
        "Your reasons",
        widget=GovTextArea(),
        description="Why you decided this, on the facts of the case. Do not name the person.",
    )
    # "how" questions of the flowchart, asked when sharing
    how = SelectMultipleField(validate_choice=False, choices=[])
    inform = RadioField(validate_choice=False, choices=[])
    shared = TextAreaField(
        "What you shared",
        widget=GovTextArea(),
        description="Only if you share: what information, for example police call-outs to the address in the last 12 months.",
    )
    lawful_bases = SelectMultipleField("Lawful bases you rely on", validate_choice=False, choices=[])
    channel = SelectField("How you shared it", widget=GovSelect(), validate_choice=False)
    agreement = RadioField("Agreement relied on", validate_choice=False, choices=[])

    def review_data(self):
        """The plain values operations.review_decision checks."""
        answers = {}
        for question in flowchart.QUESTIONS:
            value = getattr(self, question.key).data
            answers[question.key] = list(value or []) if question.multiple else (value or None)
        return {
            "decided_on": self.decided_on.data,
            "discloser": self.discloser.data or "",
            "recipient": self.recipient.data or "",
            "category": self.category.data or "",
            "case_reference": self.case_reference.data or "",
            "purpose": self.purpose.data or "",
            "answers": answers,
            "outcome": self.outcome.data or None,
            "override_reason": self.override_reason.data or "",
            "reasons": self.reasons.data or "",
            "shared": self.shared.data or "",
            "lawful_bases": list(self.lawful_bases.data or []),
            "channel": self.channel.data or "",
            "agreement": self.agreement.data or "",
        }

    def show_problems(self, problems):
        for name, message in problems.items():
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [message]
