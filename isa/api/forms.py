from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired

from ..core.forms import ChoiceField, Length


class TokenForm(FlaskForm):
    scope = ChoiceField(
        "Kind",
        widget=GovSelect(),
        choices=[("api", "API token: a case system calls the API with it"),
                 ("calendar", "Calendar feed: a calendar app reads the review dates with it, nothing else")],
        description="A calendar feed's secret travels in the subscription address, so it can read only the calendar.",
        default="api",
        validators=[InputRequired("Choose the kind")],
    )
    user = ChoiceField(
        "User the token acts for",
        widget=GovSelect(),
        description="The token sees what this user sees: a partner user's token only its organisation's agreements.",
        validators=[InputRequired("Choose the user the token acts for")],
    )
    name = StringField(
        "What the token is for",
        widget=GovTextInput(),
        description="For example: Hertfordshire Constabulary case system.",
        validators=[InputRequired("Enter what the token is for"), Length(max=200, message="The name must be 200 characters or fewer")],
    )
    submit = SubmitField("Create the token", widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    submit = SubmitField("Yes, revoke the token", widget=GovSubmitInput())
