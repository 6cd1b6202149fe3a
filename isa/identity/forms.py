from urllib.parse import urlsplit

from ..core.i18n import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovPasswordInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from ..users.models import MIN_PASSWORD_LENGTH
from .rules import parse_domains

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def authenticator_code(description, too_long):
    """The code box of signing in and of setting up two-factor sign-in: they differ only in their words."""
    return StringField(
        _l("Code from your authenticator app"), widget=GovTextInput(), description=description,
        validators=[InputRequired(_l("Enter the code from your authenticator app")), Length(max=20, message=too_long)],
    )


class CodeForm(FlaskForm):
    code = authenticator_code(_l("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
                              too_long=_l("Enter the 6-digit code or a recovery code"))
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class EnrolForm(FlaskForm):
    code = authenticator_code(_l("After scanning the QR code, enter the 6-digit code the app shows."), too_long=_l("Enter the 6-digit code"))
    submit = SubmitField(_l("Turn on two-factor sign-in"), widget=GovSubmitInput())


class OrganisationSignInForm(FlaskForm):
    org_email = EmailField(
        _l("Your work e-mail address"), widget=GovTextInput(),
        validators=[InputRequired(_l("Enter your work e-mail address")),
                    Email(_l("Enter an e-mail address in the correct format, like name@example.org"))],
    )
    submit = SubmitField(_l("Continue to your organisation's sign-in"), widget=GovSubmitInput())


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Email address"), widget=GovTextInput(),
        validators=[InputRequired(_l("Enter your email address")), Email(_l("Enter an email address in the correct format, like name@example.org")),
                    Length(max=254)],
    )
    submit = SubmitField(_l("Send the reset link"), widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    new = PasswordField(
        _l("New password"), widget=GovPasswordInput(),
        description=_l("At least %(count)s characters, not a common password. Three or four unrelated words work well.", count=MIN_PASSWORD_LENGTH),
        validators=[InputRequired(_l("Enter a new password"))],
    )
    confirm = PasswordField(_l("Confirm the new password"), widget=GovPasswordInput(), validators=[InputRequired(_l("Enter the new password again"))])
    submit = SubmitField(_l("Set the new password"), widget=GovSubmitInput())

    def validate_confirm(self, field):
        if field.data != self.new.data:
            raise ValidationError(_l("The passwords do not match: enter the new password again"))


class ProviderForm(FlaskForm):
    issuer = StringField(
        _l("Issuer URL"), widget=GovTextInput(),
        description=_l("The provider's issuer, as its discovery document states it, like https://login.microsoftonline.com/TENANT/v2.0"),
        validators=[InputRequired(_l("Enter the issuer URL")), Length(max=500)],
    )
    client_id = StringField(_l("Client ID"), widget=GovTextInput(), validators=[InputRequired(_l("Enter the client ID")), Length(max=300)])
    client_secret = PasswordField(
        _l("Client secret"), widget=GovPasswordInput(),
        description=_l("Kept encrypted and never shown again. Leave empty to keep the secret already stored."),
        validators=[Length(max=2000)],
    )
    email_domains = TextAreaField(
        _l("E-mail domains"), widget=GovTextArea(),
        description=_l("People whose e-mail address ends in one of these sign in through this provider. One per line, like herts.police.uk"),
        validators=[InputRequired(_l("Enter at least one e-mail domain, like example.org"))],
    )
    allow_new_accounts = BooleanField(
        _l("Create an account at first sign-in for people not yet in isa"), widget=GovCheckboxInput(),
        description=_l("They get a partner account of this organisation, never an officer or administrator account."),
    )
    enabled = BooleanField(_l("Sign-in through this provider is turned on"), widget=GovCheckboxInput(), default=True)
    submit = SubmitField(_l("Save the identity provider"), widget=GovSubmitInput())

    def validate_issuer(self, field):
        parts = urlsplit(field.data.strip())
        if not parts.netloc or parts.query or parts.fragment:
            raise ValidationError(_l("Enter the issuer as a web address, like https://login.example.org"))
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise ValidationError(_l("The issuer must be an https:// address"))

    def validate_email_domains(self, field):
        try:
            self.parsed_domains = parse_domains(field.data)
        except ValueError as error:
            raise ValidationError(str(error))
