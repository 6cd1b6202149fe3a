from ..core.i18n import lazy_gettext as _l, lazy_choices
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Optional, ValidationError

from ..core.forms import ChoiceField, Length
from .models import MIN_PASSWORD_LENGTH, Role


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(), validators=[InputRequired(_l("Enter your email address"))])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(), validators=[InputRequired(_l("Enter your password"))])
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class UserForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter an email address")), Email(_l("Enter an email address in the correct format, like name@example.org")),
                    Length(max=254)],
    )
    name = StringField(_l("Full name"), widget=GovTextInput(), validators=[InputRequired(_l("Enter the person's name")), Length(max=200)])
    role = ChoiceField(
        _l("Role"),
        widget=GovSelect(),
        choices=lazy_choices(Role),
        validators=[InputRequired(_l("Choose a role"))],
    )
    organisation = ChoiceField(
        _l("Organisation"),
        widget=GovSelect(),
        description=_l("Partner users act for one organisation. Leave empty for officers and administrators."),
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        description=_l("At least %(count)s characters. Leave empty to keep the current password.", count=MIN_PASSWORD_LENGTH),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200,
                                       message=_l("The password must be at least %(count)s characters", count=MIN_PASSWORD_LENGTH))],
    )
    submit = SubmitField(_l("Save user"), widget=GovSubmitInput())

    def validate_organisation(self, field):
        if self.role.data == Role.PARTNER and not field.data:
            raise ValidationError(_l("Choose the organisation this partner user acts for"))
        if self.role.data != Role.PARTNER and field.data:
            raise ValidationError(_l("Only partner users belong to an organisation: leave this empty"))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), widget=GovPasswordInput(), validators=[InputRequired(_l("Enter your current password"))])
    new = PasswordField(
        _l("New password"),
        widget=GovPasswordInput(),
        description=_l("At least %(count)s characters, not a common password. Three or four unrelated words work well.",
                       count=MIN_PASSWORD_LENGTH),
        validators=[InputRequired(_l("Enter a new password"))],
    )
    confirm = PasswordField(_l("Confirm the new password"), widget=GovPasswordInput(),
                            validators=[InputRequired(_l("Enter the new password again"))])
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())

    def validate_confirm(self, field):
        if field.data != self.new.data:
            raise ValidationError(_l("The passwords do not match: enter the new password again"))
