from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..core.forms import ChoiceField, GovDateField, Length, Needed, check_record
from ..core.i18n import lazy_gettext as _l, lazy_choices
from ..core.schemas import NAME_MAX
from ..flows.models import DataCategory
from .lifecycle import date_problems
from .models import DataLocation, PartyRole
from .schemas import AgreementRecord, PartyRecord


class VersionedForm(FlaskForm):
    """Carries the agreement version the officer started from, for optimistic locking."""

    version = HiddenField()
    is_new = False  # a new agreement has no version yet

    def validate_version(self, field):
        if not self.is_new and not (field.data or "").isdigit():
            raise ValidationError(_l("The form is missing the agreement's version. Reload the page and try again."))


class AgreementForm(VersionedForm):
    reference = StringField(
        _l("Reference"),
        widget=GovTextInput(),
        description=_l("A unique reference, for example ISA-2024-001"),
        validators=[Needed(_l("Enter a reference"))],
    )
    title = StringField(_l("Title"), widget=GovTextInput(), validators=[Needed(_l("Enter a title"))])
    purpose = TextAreaField(
        _l("Purpose"),
        widget=GovTextArea(),
        description=_l("Why the partners share information under this agreement."),
        validators=[Optional()],
    )
    scope = TextAreaField(_l("Scope"), widget=GovTextArea(), description=_l("Which services, people and activities it covers."), validators=[Optional()])
    lead_organisation = ChoiceField(_l("Lead organisation"), widget=GovSelect(), validators=[Optional()])
    owner = ChoiceField(
        _l("Owner"), widget=GovSelect(), description=_l("The governance officer responsible. Review reminders go to them."), validators=[Optional()]
    )
    start_date = GovDateField(_l("Start date"), description=_l("For example, 1 12 2024"), validators=[Needed(_l("Enter the start date"))])
    review_date = GovDateField(_l("Review date"), description=_l("Must be after the start date"), validators=[Needed(_l("Enter the review date"))])
    end_date = GovDateField(_l("End date (optional)"), validators=[Optional()])
    review_interval_months = IntegerField(
        _l("Review interval in months"),
        widget=GovTextInput(),
        default=12,
        validators=[InputRequired(_l("Enter the review interval in months"))],
    )
    data_subjects = TextAreaField(_l("Data subjects"), widget=GovTextArea(), description=_l("Whose information is shared, for example children, parents and carers."), validators=[Optional()])
    retention = TextAreaField(_l("Retention"), widget=GovTextArea(), description=_l("How long each partner keeps shared information, and how it is destroyed."), validators=[Optional()])
    security = TextAreaField(_l("Security arrangements"), widget=GovTextArea(), validators=[Optional()])
    data_location = ChoiceField(
        _l("Where the data is held"),
        widget=GovSelect(),
        choices=lazy_choices(DataLocation),
        validators=[InputRequired(_l("Choose where the data is held"))],
    )
    dpia_reference = StringField(
        _l("DPIA reference"),
        widget=GovTextInput(),
        description=_l("The reference of a DPIA kept outside the register, if any. The agreement page also carries out a DPIA in the register."),
        validators=[Optional()],
    )
    supersedes = ChoiceField(_l("Supersedes"), widget=GovSelect(), description=_l("The earlier agreement this one replaces, if any."), validators=[Optional()])
    submit = SubmitField(_l("Save agreement"), widget=GovSubmitInput())

    # the record's keys of the fields the schema rules (the owner is chosen from a list of officers)
    RECORD_KEYS = (
        "reference", "title", "purpose", "scope", "lead_organisation", "start_date", "review_date", "end_date",
        "review_interval_months", "data_subjects", "retention", "security", "data_location", "dpia_reference", "supersedes",
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        ok = check_record(self, AgreementRecord, {name: (name, self[name].data) for name in self.RECORD_KEYS}) is not None and ok
        for field, message in date_problems(self.start_date.data, self.review_date.data, self.end_date.data).items():
            getattr(self, field).errors.append(message)
            ok = False
        return ok


class PartyForm(VersionedForm):
    organisation = ChoiceField(_l("Organisation"), widget=GovSelect(), validators=[Needed(_l("Choose the organisation"))])
    role = ChoiceField(
        _l("Role in the agreement"),
        widget=GovSelect(),
        choices=lazy_choices(PartyRole),
        validators=[InputRequired(_l("Choose the party's role"))],
    )
    # the file's one "signatory" line holds both, each up to NAME_MAX: here each has its own box
    signatory_name = StringField(_l("Signatory's name"), widget=GovTextInput(), validators=[Optional(), Length(max=NAME_MAX)])
    signatory_title = StringField(_l("Signatory's job title"), widget=GovTextInput(), validators=[Optional(), Length(max=NAME_MAX)])
    signed_on = GovDateField(_l("Date signed"), description=_l("Leave empty until the party has signed."), validators=[Optional()])
    signed_document = ChoiceField(
        _l("Document signed"),
        widget=GovSelect(),
        description=_l("The stored copy of the protocol that was signed, if it was printed from the register."),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save party"), widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        values = {name: (name, self[name].data) for name in ("organisation", "role", "signed_on")}
        return check_record(self, PartyRecord, values) is not None and ok

    def validate_signed_on(self, field):
        if field.data and not self.signatory_name.data:
            raise ValidationError(_l("Enter who signed, as well as the date"))


class StatusForm(VersionedForm):
    target = HiddenField(validators=[InputRequired()])


class ConfirmForm(VersionedForm):
    """A confirmation step for removals (parties, flows)."""


CATEGORY_CHOICES = lazy_choices(DataCategory)
