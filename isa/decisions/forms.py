from ..core.i18n import lazy_gettext as _l, lazy_choices
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

    decided_on = GovDateField(_l("Date of the decision"), description=_l("For example, 27 3 2025"), validators=[Optional()])
    discloser = SelectField(_l("Organisation sharing the information"), widget=GovSelect(), validate_choice=False)
    recipient = SelectField(_l("Organisation it would go to"), widget=GovSelect(), validate_choice=False)
    category = SelectField(
        _l("Kind of information"),
        widget=GovSelect(),
        choices=lazy_choices(DataCategory),
        default=DataCategory.PERSONAL.value,
        description=_l("Special category data includes health, ethnicity and sex life. Criminal offence data includes allegations and convictions."),
        validate_choice=False,
    )
    case_reference = StringField(_l("Case reference"), widget=GovTextInput(), description=rules.CASE_REFERENCE_HINT)
    purpose = StringField(
        _l("Purpose of sharing"),
        widget=GovTextInput(),
        description=_l("A short label, for example safeguarding children. The register looks for an agreement listing it."),
    )
    # The flowchart: one field per question, rendered from flowchart.QUESTIONS by the template.
    legitimate_purpose = RadioField(validate_choice=False, choices=[])
    identifiable = RadioField(validate_choice=False, choices=[])
    confidential = RadioField(validate_choice=False, choices=[])
    consent = RadioField(validate_choice=False, choices=[])
    lawful_reasons = SelectMultipleField(validate_choice=False, choices=[])
    # The decision
    outcome = RadioField(_l("Your decision"), validate_choice=False, choices=[])
    override_reason = TextAreaField(
        _l("Why you decided differently from the flowchart"),
        widget=GovTextArea(),
        description=_l("Only needed when your decision differs from the flowchart's suggestion."),
    )
    reasons = TextAreaField(
        _l("Your reasons"),
        widget=GovTextArea(),
        description=_l("Why you decided this, on the facts of the case. Do not name the person."),
    )
    # "how" questions of the flowchart, asked when sharing
    how = SelectMultipleField(validate_choice=False, choices=[])
    inform = RadioField(validate_choice=False, choices=[])
    shared = TextAreaField(
        _l("What you shared"),
        widget=GovTextArea(),
        description=_l("Only if you share: what information, for example police call-outs to the address in the last 12 months."),
    )
    lawful_bases = SelectMultipleField(_l("Lawful bases you rely on"), validate_choice=False, choices=[])
    channel = SelectField(_l("How you shared it"), widget=GovSelect(), validate_choice=False)
    agreement = RadioField(_l("Agreement relied on"), validate_choice=False, choices=[])

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
