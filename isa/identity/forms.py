from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovPasswordInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from ..users.models import MIN_PASSWORD_LENGTH
from .rules import parse_domains

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class CodeForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app", widget=GovTextInput(),
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        validators=[InputRequired("Enter the code from your authenticator app"), Length(max=20, message="Enter the 6-digit code or a recovery code")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app", widget=GovTextInput(),
        description="After scanning the QR code, enter the 6-digit code the app shows.",
        validators=[InputRequired("Enter the code from your authenticator app"), Length(max=20, message="Enter the 6-digit code")],
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class OrganisationSignInForm(FlaskForm):
    org_email = EmailField(
        "Your work e-mail address", widget=GovTextInput(),
        validators=[InputRequired("Enter your work e-mail address"), Email("Enter an e-mail address in the correct format, like name@example.org")],
    )
    submit = SubmitField("Continue to your organisation's sign-in", widget=GovSubmitInput())


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "Email address", widget=GovTextInput(),
        validators=[InputRequired("Enter your email address"), Email("Enter an email address in the correct format, like name@example.org"), Length(max=254)],
    )
    submit = SubmitField("Send the reset link", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    new = PasswordField(
        "New password", widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters, not a common password. Three or four unrelated words work well.",
        validators=[InputRequired("Enter a new password")],
    )
    confirm = PasswordField("Confirm the new password", widget=GovPasswordInput(), validators=[InputRequired("Enter the new password again")])
    submit = SubmitField("Set the new password", widget=GovSubmitInput())

    def validate_confirm(self, field):
        if field.data != self.new.data:
            raise ValidationError("The passwords do not match: enter the new password again")


class ProviderForm(FlaskForm):
    issuer = StringField(
        "Issuer URL", widget=GovTextInput(),
        description="The provider's issuer, as its discovery document states it, like https://login.microsoftonline.com/TENANT/v2.0",
        validators=[InputRequired("Enter the issuer URL"), Length(max=500)],
    )
    client_id = StringField("Client ID", widget=GovTextInput(), validators=[InputRequired("Enter the client ID"), Length(max=300)])
    client_secret = PasswordField(
        "Client secret", widget=GovPasswordInput(),
        description="Kept encrypted and never shown again. Leave empty to keep the secret already stored.",
        validators=[Length(max=2000)],
    )
    email_domains = TextAreaField(
        "E-mail domains", widget=GovTextArea(),
        description="People whose e-mail address ends in one of these sign in through this provider. One per line, like herts.police.uk",
        validators=[InputRequired("Enter at least one e-mail domain, like example.org")],
    )
    allow_new_accounts = BooleanField(
        "Create an account at first sign-in for people not yet in isa", widget=GovCheckboxInput(),
        description="They get a partner account of this organisation, never an officer or administrator account.",
    )
    enabled = BooleanField("Sign-in through this provider is turned on", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save the identity provider", widget=GovSubmitInput())

    def validate_issuer(self, field):
        parts = urlsplit(field.data.strip())
        if not parts.netloc or parts.query or parts.fragment:
            raise ValidationError("Enter the issuer as a web address, like https://login.example.org")
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise ValidationError("The issuer must be an https:// address")

    def validate_email_domains(self, field):
        try:
            self.parsed_domains = parse_domains(field.data)
        except ValueError as error:
            raise ValidationError(str(error))
