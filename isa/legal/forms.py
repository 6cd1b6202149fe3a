import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp, ValidationError

from ..core.forms import ChoiceField, GovDateField, Length, not_before
from .models import BasisKind, Regime
from .queries import find_basis

CODE_RE = r"^[A-Z0-9][A-Z0-9-]{1,39}$"
CODE_MESSAGE = (
    "Enter a code of 2 to 40 characters using capital letters, numbers and hyphens, "
    "starting with a letter or number, for example LOCAL-HA2030-S12"
)

REGIME_LABELS = {
    Regime.DPA1998: "Data Protection Act 1998 (legacy)",
    Regime.UK_GDPR: "UK GDPR",
    Regime.DPA2018: "Data Protection Act 2018",
    Regime.STATUTE: "Statutory gateway in another Act",
    Regime.COMMON_LAW: "Common law",
}

_PART_CHOICES = [("1", "Part 1"), ("2", "Part 2"), ("3", "Part 3")]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _Wording(FlaskForm):
    """An entry's title and summary: what every page, document and the API show for its code."""

    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="Short and specific, shown wherever the code is cited, for example Health Act 2030 s12 duty to share",
        validators=[DataRequired("Enter a title"), Length(max=300, message="The title must be 300 characters or fewer")],
        filters=[_strip],
    )
    summary = TextAreaField(
        "Summary in plain English",
        widget=GovTextArea(),
        description="What it allows or requires, who it applies to, and any limits, for front-line practitioners.",
        validators=[DataRequired("Enter a summary"), Length(max=2000, message="The summary must be 2000 characters or fewer")],
        filters=[_strip],
    )


class LegalBasisForm(_Wording):
    """A new local catalogue entry: a statute or condition the shipped catalogue does not carry."""

    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Capital letters, numbers and hyphens, for example LOCAL-HA2030-S12. It cannot be changed later: flows and imports refer to it.",
        validators=[InputRequired("Enter a code"), Regexp(CODE_RE, message=CODE_MESSAGE)],
        filters=[_strip],
    )
    regime = ChoiceField(
        "Regime",
        widget=GovSelect(),
        choices=[("", "Choose a regime")] + [(r.value, label) for r, label in REGIME_LABELS.items()],
        validators=[InputRequired("Choose the regime")],
    )
    kind = ChoiceField(
        "Kind",
        widget=GovSelect(),
        description="Which check the entry satisfies: a new statutory power to share is a statutory gateway.",
        choices=[("", "Choose a kind")] + [(k.value, k.label) for k in BasisKind],
        validators=[InputRequired("Choose the kind of lawful basis")],
    )
    in_force_from = GovDateField("In force from", validators=[Optional()], description="For example, 5 2 2026")
    in_force_to = GovDateField(
        "In force until",
        validators=[Optional(), not_before("in_force_from", "The end of force must be after the date it came into force")],
        description="Leave empty while it is in force",
    )
    successors = StringField(
        "Successor codes",
        widget=GovTextInput(),
        description="For an entry no longer in force: the catalogue codes that replace it, separated by spaces or commas",
        validators=[Optional(), Length(max=400)],
        filters=[_strip],
    )
    sch1_part = ChoiceField(
        "Part of DPA 2018 Schedule 1",
        widget=GovSelect(),
        description="Only for a Schedule 1 condition",
        choices=[("", "Not a Schedule 1 condition")] + _PART_CHOICES,
        validators=[Optional()],
    )
    needs_sch1_part = ChoiceField(
        "Needs a Schedule 1 condition from",
        widget=GovSelect(),
        description="Only for an Article 9 condition that DPA 2018 s10 ties to a Schedule 1 condition",
        choices=[("", "No Schedule 1 condition needed")] + _PART_CHOICES,
        validators=[Optional()],
    )
    needs_apd = BooleanField("An appropriate policy document is required", widget=GovCheckboxInput())
    submit = SubmitField("Save entry", widget=GovSubmitInput())

    def validate_code(self, field):
        if find_basis(field.data) is not None:
            raise ValidationError(f"{field.data} is already in the catalogue. Choose another code")

    def validate_successors(self, field):
        for code in successor_codes(field.data):
            if not re.match(CODE_RE, code):
                raise ValidationError(f"{code} is not a valid code. {CODE_MESSAGE}")
            if find_basis(code) is None:
                raise ValidationError(f"{code} is not in the catalogue. Enter codes of existing entries")

    def validate_sch1_part(self, field):
        if field.data and self.kind.data != BasisKind.SCH1:
            raise ValidationError("Only a Schedule 1 condition belongs to a part of Schedule 1. Choose 'Not a Schedule 1 condition'")

    def validate_needs_sch1_part(self, field):
        if field.data and self.kind.data != BasisKind.ART9:
            raise ValidationError("Only an Article 9 condition needs a Schedule 1 condition. Choose 'No Schedule 1 condition needed'")

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

    submit = SubmitField("Save the local wording", widget=GovSubmitInput())


class RestoreShippedWordingForm(FlaskForm):
    """The confirmation before a local wording is discarded (its CSRF token only)."""


def successor_codes(text):
    return list(dict.fromkeys(code for code in re.split(r"[\s,]+", text or "") if code))
