from flask_babel import gettext as _
from ..core.i18n import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired

from ..core.forms import Length
from ..core.i18n import LANGUAGES, govdate, language
from ..agreements.signatures import NAME_MAX
from .operations import documents_of


class SignForm(FlaskForm):
    """A partner user signs the protocol for their organisation, pinned to the document they read."""

    document_id = HiddenField()
    signatory_name = StringField(
        _l("Your full name"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter your full name")),
            Length(max=NAME_MAX, message=_l("Enter a name of %(max)s characters or fewer", max=NAME_MAX)),
        ],
    )
    signatory_title = StringField(
        _l("Your job title"),
        widget=GovTextInput(),
        description=_l("For example, Director of Children's Services."),
        validators=[
            InputRequired(_l("Enter your job title")),
            Length(max=NAME_MAX, message=_l("Enter a job title of %(max)s characters or fewer", max=NAME_MAX)),
        ],
    )
    confirm = BooleanField(
        _l("I have read this version of the protocol and I am authorised to sign it on my organisation's behalf"),
        widget=GovCheckboxInput(),
        validators=[InputRequired(_l("Confirm that you have read the protocol and may sign it"))],
    )
    submit = SubmitField(_l("Sign the protocol"), widget=GovSubmitInput())


def document_label(document):
    label = _(
        "Version %(version)s, SHA-256 %(fingerprint)s…, generated %(generated)s",
        version=document.protocol_version, fingerprint=document.sha256[:16], generated=govdate(document.generated_at),
    )
    if document.language != language():  # a copy in the other language says which it is
        label += f" ({LANGUAGES[document.language]})"
    return label


def signable_document_choices(agreement):
    """The stored copies of the current version, for recording which one was signed on paper."""
    # a signed copy shows signatures already given: nobody signs it
    current = [d for d in documents_of(agreement) if d.protocol_version == agreement.protocol_version and not d.signed_copy]
    return [("", _("Version %(version)s (no stored copy chosen)", version=agreement.protocol_version))] + [(str(d.id), document_label(d)) for d in current]


def signed_document_choice(agreement, party):
    """The party's signed copy, preselected when it is one of the current version's stored copies."""
    if not party.signed_document_sha256 or party.signed_document_version != agreement.protocol_version:
        return ""
    match = next((d for d in documents_of(agreement) if d.sha256 == party.signed_document_sha256), None)
    return str(match.id) if match else ""
