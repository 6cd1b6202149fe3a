import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp, ValidationError

from ..core.forms import ChoiceField, GovDateField, Length, not_before
from .models import BasisKind, Regime
from .queries import find_basis

CODE_RE = r"^[A-Z0-9][A-Z0-9-]{1,39}$"
CODE_MESSAGE = _l(
    "Enter a code of 2 to 40 characters using capital letters, numbers and hyphens, "
    "starting with a letter or number, for example LOCAL-HA2030-S12"
)

REGIME_LABELS = {
    Regime.DPA1998: _l("Data Protection Act 1998 (legacy)"),
    Regime.UK_GDPR: _l("UK GDPR"),
    Regime.DPA2018: _l("Data Protection Act 2018"),
    Regime.STATUTE: _l("Statutory gateway in another Act"),
    Regime.COMMON_LAW: _l("Common law"),
}

_PART_CHOICES = [("1", _l("Part 1")), ("2", _l("Part 2")), ("3", _l("Part 3"))]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _Wording(FlaskForm):
    """An entry's title and summary: what every page, document and the API show for its code."""

    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        description=_l("Short and specific, shown wherever the code is cited, for example Health Act 2030 s12 duty to share"),
        validators=[DataRequired(_l("Enter a title")), Length(max=300, message=_l("The title must be 300 characters or fewer"))],
        filters=[_strip],
    )
    summary = TextAreaField(
        _l("Summary in plain English"),
        widget=GovTextArea(),
        description=_l("What it allows or requires, who it applies to, and any limits, for front-line practitioners."),
        validators=[DataRequired(_l("Enter a summary")), Length(max=2000, message=_l("The summary must be 2000 characters or fewer"))],
        filters=[_strip],
    )


class LegalBasisForm(_Wording):
    """A new local catalogue entry: a statute or condition the shipped catalogue does not carry."""

    code = StringField(
        _l("Code"),
        widget=GovTextInput(),
        description=_l("Capital letters, numbers and hyphens, for example LOCAL-HA2030-S12. It cannot be changed later: flows and imports refer to it."),
        validators=[InputRequired(_l("Enter a code")), Regexp(CODE_RE, message=CODE_MESSAGE)],
        filters=[_strip],
    )
    regime = ChoiceField(
        _l("Regime"),
        widget=GovSelect(),
        choices=[("", _l("Choose a regime"))] + [(r.value, label) for r, label in REGIME_LABELS.items()],
        validators=[InputRequired(_l("Choose the regime"))],
    )
    kind = ChoiceField(
        _l("Kind"),
        widget=GovSelect(),
        description=_l("Which check the entry satisfies: a new statutory power to share is a statutory gateway."),
        choices=[("", _l("Choose a kind"))] + [(k.value, k.label) for k in BasisKind],
        validators=[InputRequired(_l("Choose the kind of lawful basis"))],
    )
    in_force_from = GovDateField(_l("In force from"), validators=[Optional()], description=_l("For example, 5 2 2026"))
    in_force_to = GovDateField(
        _l("In force until"),
        validators=[Optional(), not_before("in_force_from", _l("The end of force must be after the date it came into force"))],
        description=_l("Leave empty while it is in force"),
    )
    successors = StringField(
        _l("Successor codes"),
        widget=GovTextInput(),
        description=_l("For an entry no longer in force: the catalogue codes that replace it, separated by spaces or commas"),
        validators=[Optional(), Length(max=400)],
        filters=[_strip],
    )
    sch1_part = ChoiceField(
        _l("Part of DPA 2018 Schedule 1"),
        widget=GovSelect(),
        description=_l("Only for a Schedule 1 condition"),
        choices=[("", _l("Not a Schedule 1 condition"))] + _PART_CHOICES,
        validators=[Optional()],
    )
    needs_sch1_part = ChoiceField(
        _l("Needs a Schedule 1 condition from"),
        widget=GovSelect(),
        description=_l("Only for an Article 9 condition that DPA 2018 s10 ties to a Schedule 1 condition"),
        choices=[("", _l("No Schedule 1 condition needed"))] + _PART_CHOICES,
        validators=[Optional()],
    )
    needs_apd = BooleanField(_l("An appropriate policy document is required"), widget=GovCheckboxInput())
    submit = SubmitField(_l("Save entry"), widget=GovSubmitInput())

    def validate_code(self, field):
        if find_basis(field.data) is not None:
            raise ValidationError(_("%(code)s is already in the catalogue. Choose another code", code=field.data))

    def validate_successors(self, field):
        for code in successor_codes(field.data):
            if not re.match(CODE_RE, code):
                raise ValidationError(_("%(code)s is not a valid code. %(rule)s", code=code, rule=CODE_MESSAGE))
            if find_basis(code) is None:
                raise ValidationError(_("%(code)s is not in the catalogue. Enter codes of existing entries", code=code))

    def validate_sch1_part(self, field):
        if field.data and self.kind.data != BasisKind.SCH1:
            raise ValidationError(_("Only a Schedule 1 condition belongs to a part of Schedule 1. Choose 'Not a Schedule 1 condition'"))

    def validate_needs_sch1_part(self, field):
        if field.data and self.kind.data != BasisKind.ART9:
            raise ValidationError(_("Only an Article 9 condition needs a Schedule 1 condition. Choose 'No Schedule 1 condition needed'"))

    def load(self, basis):
        """Fill the form from an entry (on GET)."""
        self.regime.data = basis.regime.value
        self.kind.data = basis.kind.value
        self.successors.data = " ".join(basis.successors or [])
        self.sch1_part.data = str(basis.sch1_part) if basis.sch1_part else ""
        self.needs_sch1_part.data = str(basis.needs_sch1_part) if basis.needs_sch1_part else ""
        self.needs_apd.data = bool(basis.needs_apd)

    def apply_to(self, basis):
        """Copy the validated answers onto a LegalBasis (the code is set when it is created)."""
        basis.regime = Regime(self.regime.data)
        basis.kind = BasisKind(self.kind.data)
        basis.title = self.title.data
        basis.summary = self.summary.data
        basis.in_force_from = self.in_force_from.data
        basis.in_force_to = self.in_force_to.data
        basis.successors = successor_codes(self.successors.data)
        basis.sch1_part = int(self.sch1_part.data) if self.sch1_part.data else None
        basis.needs_sch1_part = int(self.needs_sch1_part.data) if self.needs_sch1_part.data else None
        basis.needs_apd = bool(self.needs_apd.data)
        basis.local = True
        return basis


class LocalBasisEditForm(LegalBasisForm):
    code = None  # a code never changes: flows and imports refer to it


class WordingForm(_Wording):
    """The local wording of a shipped entry: only its title and summary; the rest follows the catalogue."""

    submit = SubmitField(_l("Save the local wording"), widget=GovSubmitInput())


class RestoreShippedWordingForm(FlaskForm):
    """The confirmation before a local wording is discarded (its CSRF token only)."""


def successor_codes(text):
    return list(dict.fromkeys(code for code in re.split(r"[\s,]+", text or "") if code))
