from ..core.i18n import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired

from ..core.forms import ChoiceField, Length
from .tokens import DEFAULT_LIFETIME, LIFETIMES


class TokenForm(FlaskForm):
    scope = ChoiceField(
        _l("Kind"),
        widget=GovSelect(),
        choices=[("api", _l("API token: a case system calls the API with it")),
                 ("calendar", _l("Calendar feed: a calendar app reads the review dates with it, nothing else"))],
        description=_l("A calendar feed's secret travels in the subscription address, so it can read only the calendar."),
        default="api",
        validators=[InputRequired(_l("Choose the kind"))],
    )
    user = ChoiceField(
        _l("User the token acts for"),
        widget=GovSelect(),
        description=_l("The token sees what this user sees: a partner user's token only its organisation's agreements. "
                       "An API token cannot act for an administrator."),
        validators=[InputRequired(_l("Choose the user the token acts for"))],
    )
    lifetime = ChoiceField(
        _l("How long the token lasts"),
        widget=GovSelect(),
        choices=[(str(days), _l("%(days)s days", days=days)) for days in LIFETIMES],
        default=str(DEFAULT_LIFETIME),
        description=_l("After this it is refused, and the system needs a new token. A shorter life limits the harm of a lost token."),
        # no InputRequired: a form posted without it (a script, an older page) gets the default
    )
    name = StringField(
        _l("What the token is for"),
        widget=GovTextInput(),
        description=_l("For example: Hertfordshire Constabulary case system."),
        validators=[InputRequired(_l("Enter what the token is for")), Length(max=200, message=_l("The name must be 200 characters or fewer"))],
    )
    submit = SubmitField(_l("Create the token"), widget=GovSubmitInput())


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Yes, revoke the token"), widget=GovSubmitInput())
