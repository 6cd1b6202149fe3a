from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..agreements.forms import VersionedForm
from ..core import validation
from ..core.forms import ChoiceField, Length, MultiChoiceField
from .models import ConsentApproach, DataCategory, DataSubjectCategory, Frequency

EVERY_OTHER_PARTY = "*"


class FlowForm(VersionedForm):
    from_organisation = ChoiceField("From (the disclosing party)", widget=GovSelect(), validators=[InputRequired("Choose who discloses the data")])
    to_organisation = ChoiceField("To (the receiving party)", widget=GovSelect(), validators=[InputRequired("Choose who receives the data")])
    categories = MultiChoiceField(
        "Categories of data",
        widget=GovCheckboxesInput(),
        choices=[(c.value, c.label) for c in DataCategory],
        validators=[InputRequired("Choose at least one category of data")],
    )
    items = TextAreaField(
        "Data items",
        widget=GovTextArea(),
        description="What is shared, for example names, addresses, dates of birth, police call-outs, health assessments.",
        validators=[InputRequired("Describe the data items shared"), Length(max=10000)],
    )
    purposes = TextAreaField(
        "Purposes",
        widget=GovTextArea(),
        description="One purpose per line, as short labels, for example safeguarding children. Partners ask the register about these.",
        validators=[InputRequired("Enter at least one purpose"), Length(max=5000)],
    )
    lawful_bases = MultiChoiceField("Lawful bases", validators=[InputRequired("Choose at least one lawful basis")])
    channel = ChoiceField("Transfer channel", widget=GovSelect(), validators=[Optional()])
    frequency = ChoiceField("How often", widget=GovSelect(), choices=[(f.value, f.label) for f in Frequency], validators=[InputRequired("Choose how often")])
    consent = ChoiceField(
        "Consent approach",
        widget=GovSelect(),
        choices=[(c.value, c.label) for c in ConsentApproach],
        validators=[InputRequired("Choose the consent approach")],
    )
    # For the record of processing (Art 30): optional, and editorial (no new protocol version).
    data_subject_categories = MultiChoiceField(
        "Whom the data is about",
        widget=GovCheckboxesInput(),
        choices=[(c.value, c.label) for c in DataSubjectCategory],
        description="Choose every category of data subject. Optional: the record of processing lists them.",
        validators=[Optional()],
    )
    data_subjects = TextAreaField(
        "Data subjects in more detail (optional)",
        widget=GovTextArea(),
        description="Anyone the list does not cover, or more precisely whom, for example children on a child protection plan.",
        validators=[Optional(), Length(max=validation.TEXT_LIMITS["data_subjects"])],
    )
    retention = TextAreaField(
        "How long the recipient keeps it (optional)",
        widget=GovTextArea(),
        description="The retention period for this flow, for example until the child's 25th birthday. Leave empty to use the agreement's.",
        validators=[Optional(), Length(max=validation.TEXT_LIMITS["retention"])],
    )
    source_system = StringField(
        "System or information asset it comes from (optional)",
        widget=GovTextInput(),
        description="For example the police records management system, or the council's children's social care case system.",
        validators=[Optional(), Length(max=200)],
    )
    asset_owner = StringField(
        "Information asset owner (optional)",
        widget=GovTextInput(),
        description="Who owns that system or asset, by role, for example Head of Public Protection.",
        validators=[Optional(), Length(max=200)],
    )
    submit = SubmitField("Save data flow", widget=GovSubmitInput())

    def purpose_list(self):
        seen = []
        for line in (self.purposes.data or "").splitlines():
            label = " ".join(line.split())
            if label and label.lower() not in (p.lower() for p in seen):
                seen.append(label)
        return seen

    def validate_purposes(self, field):
        if not self.purpose_list():
            raise ValidationError("Enter at least one purpose")
        if any(len(p) > 200 for p in self.purpose_list()):
            raise ValidationError("Keep each purpose to a short label of 200 characters or fewer")
        if len(self.purpose_list()) > validation.MAX_PURPOSES_PER_FLOW:
            raise ValidationError(f"Enter {validation.MAX_PURPOSES_PER_FLOW} purposes or fewer")

    def validate_to_organisation(self, field):
        if field.data and field.data == self.from_organisation.data:
            raise ValidationError("The receiving party must be different from the disclosing party")


