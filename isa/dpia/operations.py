"""The business actions on an agreement's DPIA. They flush nothing themselves; the caller commits.

Each takes the agreement version the officer started from (a DPIA change raises the agreement's
version, as any change in its history does), so two officers cannot overwrite each other's work.
A change to a signed-off DPIA reopens it: it is signed off again once reviewed.
"""
from flask_babel import force_locale
from flask_babel import gettext as _

from ..core.errors import DomainError
from ..agreements.operations import check_version
from ..core import clock
from ..extensions import db
from . import rules
from .models import Dpia, DpiaRisk, DpoOutcome, Likelihood, ScreeningQuestion, Severity
from .queries import dpia_of

TEXT_FIELDS = ("nature", "scope", "context", "purposes", "consultation", "necessity")


def _clean(value):
    return (value or "").strip()


def _set(dpia, values):
    """Set the values; True when any of them changed."""
    changed = False
    for key, value in values.items():
        if getattr(dpia, key) != value:
            setattr(dpia, key, value)
            changed = True
    return changed


def _reopen_if_changed(dpia, changed):
    """A signed-off DPIA that changes needs signing off again. Returns True when it was reopened."""
    if changed and dpia.signed_off_on is not None:
        dpia.signed_off_on = None
        dpia.signed_off_by = None
        return True
    return False


def require_dpia(agreement):
    dpia = dpia_of(agreement)
    if dpia is None:
        raise DomainError(None, _("%(reference)s has no DPIA yet: start with the screening.", reference=agreement.reference))
    return dpia


def save_screening(agreement, data, expected_version, today=None):
    """Record the screening (creating the DPIA, its description started from the flows).
    Returns (dpia, reopened)."""
    check_version(agreement, expected_version)
    answers = [q.value for q in ScreeningQuestion if q.value in (data.get("screening") or ())]
    notes = _clean(data.get("screening_notes"))
    if not rules.screening_required(answers) and not notes:
        raise DomainError("screening_notes", _("Explain why no DPIA is needed"))
    dpia = dpia_of(agreement)
    if dpia is None:
        with force_locale("en"):  # the description it starts from is stored: in English, whatever the page's language
            dpia = Dpia(
                agreement=agreement, nature=rules.describe_processing(agreement), purposes=rules.describe_purposes(agreement),
                context=rules.describe_context(agreement), screened_on=today or clock.today(),
            )
        db.session.add(dpia)
    changed = _set(dpia, {"screening": answers, "screening_notes": notes, "required": rules.screening_required(answers)})
    if changed:
        dpia.screened_on = today or clock.today()
    return dpia, _reopen_if_changed(dpia, changed)


def save_description(agreement, data, expected_version):
    check_version(agreement, expected_version)
    dpia = require_dpia(agreement)
    changed = _set(dpia, {field: _clean(data.get(field)) for field in TEXT_FIELDS})
    return dpia, _reopen_if_changed(dpia, changed)


def save_risk(agreement, risk, data, expected_version):
    """Add (risk None) or change a risk. Returns (risk, reopened)."""
    check_version(agreement, expected_version)
    dpia = require_dpia(agreement)
    values = {
        "description": _clean(data.get("description")),
        "likelihood": Likelihood(data["likelihood"]),
        "severity": Severity(data["severity"]),
        "measures": _clean(data.get("measures")),
        "residual_likelihood": Likelihood(data["residual_likelihood"]),
        "residual_severity": Severity(data["residual_severity"]),
    }
    too_high = {
        "residual_likelihood": _("The residual likelihood cannot be higher than before the measures"),
        "residual_severity": _("The residual severity cannot be higher than before the measures"),
    }
    for field, inherent in (("residual_likelihood", "likelihood"), ("residual_severity", "severity")):
        if values[field].score > values[inherent].score:
            raise DomainError(field, too_high[field])
    if risk is None:
        risk = DpiaRisk(**values)
        dpia.risks.append(risk)
        changed = True
    else:
        if risk.dpia_id != dpia.id:
            raise DomainError(None, _("That risk belongs to another DPIA"))
        changed = _set(risk, values)
    return risk, _reopen_if_changed(dpia, changed)


def remove_risk(agreement, risk, expected_version):
    check_version(agreement, expected_version)
    dpia = require_dpia(agreement)
    db.session.delete(risk)  # the audit entry reads its DPIA, so it stays in dpia.risks until the flush
    return _reopen_if_changed(dpia, True)


def save_advice(agreement, data, expected_version):
    check_version(agreement, expected_version)
    dpia = require_dpia(agreement)
    outcome = DpoOutcome(data["dpo_outcome"])
    reason = _clean(data.get("dpo_overruled_reason"))
    if outcome == DpoOutcome.OVERRULED and not reason:
        raise DomainError("dpo_overruled_reason", _("Give the reason the DPO's advice was overruled"))
    changed = _set(dpia, {
        "dpo_name": _clean(data.get("dpo_name")), "dpo_advice": _clean(data.get("dpo_advice")),
        "dpo_advice_on": data.get("dpo_advice_on"), "dpo_outcome": outcome,
        "dpo_overruled_reason": reason if outcome == DpoOutcome.OVERRULED else "",
        "dpo_decided_by": _clean(data.get("dpo_decided_by")),
    })
    return dpia, _reopen_if_changed(dpia, changed)


def sign_off(agreement, data, expected_version, today=None):
    check_version(agreement, expected_version)
    dpia = require_dpia(agreement)
    problems = rules.sign_off_problems(dpia)
    if problems:
        raise DomainError(None, _("The DPIA cannot be signed off yet: %(problems)s.", problems="; ".join(problems).lower()))
    signed_on = data["signed_off_on"]
    if signed_on > (today or clock.today()):
        raise DomainError("signed_off_on", _("The date of sign-off must be today or in the past"))
    if dpia.dpo_advice_on is not None and signed_on < dpia.dpo_advice_on:
        raise DomainError("signed_off_on", _("The DPIA is signed off after the DPO's advice, not before"))
    dpia.signed_off_by = _clean(data.get("signed_off_by"))
    dpia.signed_off_on = signed_on
    dpia.ico_consulted_on = data.get("ico_consulted_on")
    return dpia


def delete_dpia(agreement, expected_version):
    check_version(agreement, expected_version)
    dpia = require_dpia(agreement)
    db.session.delete(dpia)
