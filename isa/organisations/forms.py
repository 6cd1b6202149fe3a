from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import ChoiceField, Needed, check_record
from ..core.i18n import lazy_gettext as _l
from .schemas import OrganisationRecord
from .types import OrganisationType


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), widget=GovTextInput(), validators=[Needed(_l("Enter the organisation's name"))])
    slug = StringField(
        _l("Short name (slug)"),
        widget=GovTextInput(),
        description=_l("Used in web addresses, imports and the API, for example herts-police. Lower-case letters, numbers and hyphens."),
        validators=[Needed(_l("Enter a short name"))],
    )
    type = ChoiceField(
        _l("Type of organisation"),
        widget=GovSelect(),
        description=_l("The type decides the organisation's statutory roles (Children Act 2004 s11, Crime and Disorder Act 1998 s115, public authority)."),
        choices=lambda: [("", _l("Choose a type"))] + [(t.value, t.label) for t in OrganisationType],  # labels in the page's language
        validators=[Needed(_l("Choose the type of organisation"))],
    )
    ico_registration = StringField(
        _l("ICO registration number"),
        widget=GovTextInput(),
        description=_l("Z followed by 7 digits, or ZA or ZB followed by 6 digits, for example Z1234567"),
        validators=[Optional()],
        filters=[lambda v: v.strip().upper() if v else v],
    )
    dpo_name = StringField(_l("Data protection officer's name"), widget=GovTextInput(), validators=[Optional()])
    dpo_email = StringField(_l("Data protection officer's email"), widget=GovTextInput(), validators=[Optional()])
    spoc_name = StringField(_l("Single point of contact's name"), widget=GovTextInput(), validators=[Optional()])
    spoc_email = StringField(
        _l("Single point of contact's email"),
        widget=GovTextInput(),
        description=_l("Review reminders for agreements go to this address."),
        validators=[Optional()],
    )
    address = TextAreaField(_l("Address"), widget=GovTextArea(), validators=[Optional()])
    law_enforcement_functions = BooleanField(
        _l("It has statutory functions for law enforcement purposes"),
        widget=GovCheckboxInput(),
        description=_l(
            "Police, probation services, youth offending teams and prisons are competent authorities by their type. "
            "Tick this for another body only to the extent the law gives it functions to prevent, investigate, detect or "
            "prosecute offences (a council's trading standards service, say): it may then rely on DPA 2018 Part 3."
        ),
    )
    submit = SubmitField(_l("Save organisation"), widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        values = {name: (name, self[name].data) for name in OrganisationRecord.model_fields}
        return check_record(self, OrganisationRecord, values) is not None and ok
