from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, Regexp

from ..core import validation
from ..core.forms import Length


class ChannelForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter the channel's name"), Length(max=200)])
    slug = StringField(
        "Short name (slug)",
        widget=GovTextInput(),
        description="Used in imports and the API, for example secure-email.",
        validators=[InputRequired("Enter a short name"), Length(max=80), Regexp(validation.SLUG_RE, message=validation.SLUG_MESSAGE)],
    )
    description = TextAreaField(
        "Description",
        widget=GovTextArea(),
        description="How it is used and its safeguards, for example encryption or who may access it.",
        validators=[Optional(), Length(max=2000)],
    )
    special_category_approved = BooleanField(
        "Approved for special category data (health, ethnicity, sex life and other Article 9 data)", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save channel", widget=GovSubmitInput())
