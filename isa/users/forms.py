from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Optional, ValidationError

from ..core.forms import ChoiceField, Length
from .models import MIN_PASSWORD_LENGTH, Role


class LoginForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=[InputRequired("Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[InputRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class UserForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter an email address"), Email("Enter an email address in the correct format, like name@example.org"), Length(max=254)],
    )
    name = StringField("Full name", widget=GovTextInput(), validators=[InputRequired("Enter the person's name"), Length(max=200)])
    role = ChoiceField(
        "Role",
        widget=GovSelect(),
        choices=[(r.value, r.label) for r in Role],
        validators=[InputRequired("Choose a role")],
    )
    organisation = ChoiceField(
        "Organisation",
        widget=GovSelect(),
        description="Partner users act for one organisation. Leave empty for officers and administrators.",
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Leave empty to keep the current password.",
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200, message=f"The password must be at least {MIN_PASSWORD_LENGTH} characters")],
    )
    submit = SubmitField("Save user", widget=GovSubmitInput())

    def validate_organisation(self, field):
        if self.role.data == Role.PARTNER and not field.data:
            raise ValidationError("Choose the organisation this partner user acts for")
        if self.role.data != Role.PARTNER and field.data:
            raise ValidationError("Only partner users belong to an organisation: leave this empty")


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", widget=GovPasswordInput(), validators=[InputRequired("Enter your current password")])
    new = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters, not a common password. Three or four unrelated words work well.",
        validators=[InputRequired("Enter a new password")],
    )
    confirm = PasswordField("Confirm the new password", widget=GovPasswordInput(), validators=[InputRequired("Enter the new password again")])
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def validate_confirm(self, field):
        if field.data != self.new.data:
            raise ValidationError("The passwords do not match: enter the new password again")
