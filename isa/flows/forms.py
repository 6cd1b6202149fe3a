from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..agreements.forms import VersionedForm
from ..core.forms import ChoiceField, MultiChoiceField, Needed, check_record
from ..core.i18n import lazy_gettext as _l
from .models import ConsentApproach, DataCategory, DataSubjectCategory, Frequency
from .schemas import FlowRecord, fold_purposes

EVERY_OTHER_PARTY = "*"


class FlowForm(VersionedForm):
    from_organisation = ChoiceField(_l("From (the disclosing party)"), widget=GovSelect(), validators=[Needed(_l("Choose who discloses the data"))])
    to_organisation = ChoiceField(_l("To (the receiving party)"), widget=GovSelect(), validators=[Needed(_l("Choose who receives the data"))])
    categories = MultiChoiceField(
        _l("Categories of data"),
        widget=GovCheckboxesInput(),
        choices=[(c.value, c.label) for c in DataCategory],
        validators=[Needed(_l("Choose at least one category of data"))],
    )
    items = TextAreaField(
        _l("Data items"),
        widget=GovTextArea(),
        description=_l("What is shared, for example names, addresses, dates of birth, police call-outs, health assessments."),
        validators=[Optional()],
    )
    purposes = TextAreaField(
        _l("Purposes"),
        widget=GovTextArea(),
        description=_l("One purpose per line, as short labels, for example safeguarding children. Partners ask the register about these."),
        validators=[Optional()],
    )
    lawful_bases = MultiChoiceField(_l("Lawful bases"), validators=[Optional()])
    channel = ChoiceField(_l("Transfer channel"), widget=GovSelect(), validators=[Optional()])
    frequency = ChoiceField(_l("How often"), widget=GovSelect(), choices=[(f.value, f.label) for f in Frequency], validators=[InputRequired(_l("Choose how often"))])
    consent = ChoiceField(
        _l("Consent approach"),
        widget=GovSelect(),
        choices=[(c.value, c.label) for c in ConsentApproach],
        validators=[InputRequired(_l("Choose the consent approach"))],
    )
    # For the record of processing (Art 30): optional, and editorial (no new protocol version).
    data_subject_categories = MultiChoiceField(
        _l("Whom the data is about"),
        widget=GovCheckboxesInput(),
        choices=[(c.value, c.label) for c in DataSubjectCategory],
        description=_l("Choose every category of data subject. Optional: the record of processing lists them."),
        validators=[Optional()],
    )
    data_subjects = TextAreaField(
        _l("Data subjects in more detail (optional)"),
        widget=GovTextArea(),
        description=_l("Anyone the list does not cover, or more precisely whom, for example children on a child protection plan."),
        validators=[Optional()],
    )
    retention = TextAreaField(
        _l("How long the recipient keeps it (optional)"),
        widget=GovTextArea(),
        description=_l("The retention period for this flow, for example until the child's 25th birthday. Leave empty to use the agreement's."),
        validators=[Optional()],
    )
    source_system = StringField(
        _l("System or information asset it comes from (optional)"),
        widget=GovTextInput(),
        description=_l("For example the police records management system, or the council's children's social care case system."),
        validators=[Optional()],
    )
    asset_owner = StringField(
        _l("Information asset owner (optional)"),
        widget=GovTextInput(),
        description=_l("Who owns that system or asset, by role, for example Head of Public Protection."),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save data flow"), widget=GovSubmitInput())

    # form field -> the record's key, where they differ
    RECORD_KEYS = {"from_organisation": "from_", "to_organisation": "to"}
    RECORD_FIELDS = (
        "from_organisation", "to_organisation", "categories", "items", "purposes", "lawful_bases", "channel", "frequency",
        "consent", "data_subject_categories", "data_subjects", "retention", "source_system", "asset_owner",
    )

    def purpose_lines(self):
        return [line for line in (self.purposes.data or "").splitlines() if line.strip()]

    def purpose_list(self):
        """One purpose a line, folded as the record folds them."""
        return fold_purposes(self.purpose_lines())

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        values = {name: (self.RECORD_KEYS.get(name, name), self[name].data) for name in self.RECORD_FIELDS}
        values["purposes"] = ("purposes", self.purpose_lines())
        return check_record(self, FlowRecord, values) is not None and ok

    def validate_to_organisation(self, field):
        if field.data and field.data == self.from_organisation.data:
            raise ValidationError(_l("The receiving party must be different from the disclosing party"))


