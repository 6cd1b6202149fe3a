from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from ..core.forms import Needed, check_record
from ..core.i18n import lazy_gettext as _l
from .schemas import ChannelRecord


class ChannelForm(FlaskForm):
    name = StringField(_l("Name"), widget=GovTextInput(), validators=[Needed(_l("Enter the channel's name"))])
    slug = StringField(
        _l("Short name (slug)"),
        widget=GovTextInput(),
        description=_l("Used in imports and the API, for example secure-email."),
        validators=[Needed(_l("Enter a short name"))],
    )
    description = TextAreaField(
        _l("Description"),
        widget=GovTextArea(),
        description=_l("How it is used and its safeguards, for example encryption or who may access it."),
        validators=[Optional()],
    )
    special_category_approved = BooleanField(
        _l("Approved for special category data (health, ethnicity, sex life and other Article 9 data)"), widget=GovCheckboxInput()
    )
    submit = SubmitField(_l("Save channel"), widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        values = {name: (name, self[name].data) for name in ChannelRecord.model_fields}
        return check_record(self, ChannelRecord, values) is not None and ok
