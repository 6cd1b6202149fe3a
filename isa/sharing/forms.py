from flask_babel import gettext as _
from ..core.i18n import lazy_gettext as _l, lazy_choices
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..core.forms import ChoiceField, GovDateField, Length
from ..flows.models import DataCategory
from .rules import partner_may_ask

CATEGORY_HINTS = {
    DataCategory.PERSONAL: _l("Names, addresses, dates of birth, case notes"),
    DataCategory.SPECIAL_CATEGORY: _l("Health, ethnicity, religion, sex life or sexual orientation (UK GDPR Article 9)"),
    DataCategory.CRIMINAL_OFFENCE: _l("Convictions, offences, allegations (UK GDPR Article 10)"),
    DataCategory.ANONYMISED: _l("No one can be identified from it"),
}


class CategoryField(RadioField):
    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_("Choose the kind of data you want to share"))


class CheckForm(FlaskForm):
    discloser = ChoiceField(_l("Who is sharing the data"), widget=GovSelect(), validators=[InputRequired(_l("Choose who is sharing the data"))])
    recipient = ChoiceField(_l("Who will receive it"), widget=GovSelect(), validators=[InputRequired(_l("Choose who will receive the data"))])
    category = CategoryField(
        _l("What kind of data"),
        widget=GovRadioInput(),
        description=_l("If you will share more than one kind, choose the most sensitive."),
        choices=lazy_choices(DataCategory),
        validators=[InputRequired(_l("Choose the kind of data you want to share"))],
    )
    purpose = StringField(
        _l("Purpose (optional)"),
        widget=GovTextInput(),
        description=_l("Why you want to share it, as the agreements word it, for example safeguarding children: start typing to choose "
                       "one the agreements list, or write your own. Leave empty to see every purpose."),
        validators=[Optional(), Length(max=200, message=_l("Enter the purpose in 200 characters or fewer"))],
    )
    on = GovDateField(_l("Date of the sharing (optional)"), description=_l("For example, 27 3 2027. Leave empty for today."), validators=[Optional()])
    submit = SubmitField(_l("Check"), widget=GovSubmitInput())

    def __init__(self, user, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.ids = {slug: id_ for id_, slug, _name in organisations}
        choices = [(slug, name) for _id, slug, name in organisations]
        self.discloser.choices = [("", _("Choose an organisation"))] + choices
        self.recipient.choices = [("", _("Choose an organisation"))] + choices

    def validate_recipient(self, field):
        if field.data and field.data == self.discloser.data:
            raise ValidationError(_("Choose a recipient other than the organisation sharing the data"))
        discloser_id, recipient_id = self.ids.get(self.discloser.data), self.ids.get(field.data)
        if discloser_id and recipient_id and not partner_may_ask(self.user, discloser_id, recipient_id):
            raise ValidationError(_(
                "You can ask only about sharing by or with %(organisation)s: choose it as the sharer or the recipient",
                organisation=self.user.organisation.name,
            ))
