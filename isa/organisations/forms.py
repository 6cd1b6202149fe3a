from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from ..core.forms import ChoiceField, check_record
from .schemas import OrganisationRecord
from .types import OrganisationType


class OrganisationForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter the organisation's name")])
    slug = StringField(
        "Short name (slug)",
        widget=GovTextInput(),
        description="Used in web addresses, imports and the API, for example herts-police. Lower-case letters, numbers and hyphens.",
        validators=[InputRequired("Enter a short name")],
    )
    type = ChoiceField(
        "Type of organisation",
        widget=GovSelect(),
        description="The type decides the organisation's statutory roles (Children Act 2004 s11, Crime and Disorder Act 1998 s115, public authority).",
        choices=[("", "Choose a type")] + [(t.value, t.label) for t in OrganisationType],
        validators=[InputRequired("Choose the type of organisation")],
    )
    ico_registration = StringField(
        "ICO registration number",
        widget=GovTextInput(),
        description="Z followed by 7 digits, or ZA or ZB followed by 6 digits, for example Z1234567",
        validators=[Optional()],
        filters=[lambda v: v.strip().upper() if v else v],
    )
    dpo_name = StringField("Data protection officer's name", widget=GovTextInput(), validators=[Optional()])
    dpo_email = StringField("Data protection officer's email", widget=GovTextInput(), validators=[Optional()])
    spoc_name = StringField("Single point of contact's name", widget=GovTextInput(), validators=[Optional()])
    spoc_email = StringField(
        "Single point of contact's email",
        widget=GovTextInput(),
        description="Review reminders for agreements go to this address.",
        validators=[Optional()],
    )
    address = TextAreaField("Address", widget=GovTextArea(), validators=[Optional()])
    law_enforcement_functions = BooleanField(
        "It has statutory functions for law enforcement purposes",
        widget=GovCheckboxInput(),
        description="Police, probation services, youth offending teams and prisons are competent authorities by their type. "
        "Tick this for another body only to the extent the law gives it functions to prevent, investigate, detect or "
        "prosecute offences (a council's trading standards service, say): it may then rely on DPA 2018 Part 3.",
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        values = {name: (name, self[name].data) for name in OrganisationRecord.model_fields}
        return check_record(self, OrganisationRecord, values) is not None and ok
