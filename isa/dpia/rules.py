"""The DPIA's rules, as pure functions: no Flask, no session.

Whether the screening makes a DPIA required, how a risk scores, what the flows already say, what
stops sign-off, whether the ICO must be consulted first, and whether the `dpia-missing` finding
fires. The pages, the findings engine and the protocol document share them.
"""
from functools import lru_cache

from flask_babel import gettext as _

from ..agreements.types import AgreementStatus
from ..flows.models import DataCategory
from ..legal.words import N_
from .types import DpiaState, DpoOutcome, Likelihood, RiskLevel, ScreeningQuestion, Severity

SENSITIVE = frozenset({DataCategory.SPECIAL_CATEGORY, DataCategory.CRIMINAL_OFFENCE})
ENDED = frozenset({AgreementStatus.EXPIRED, AgreementStatus.TERMINATED, AgreementStatus.SUPERSEDED})


def screening_required(answers):
    """A DPIA is required when an indicator that stands alone applies, or any two apply."""
    members = {ScreeningQuestion(a) for a in answers or ()}
    return any(member.alone for member in members) or len(members) >= 2


def risk_level(likelihood, severity):
    """Likelihood × severity on the ICO's three-point scales: 1–2 low, 3–4 medium, 6–9 high."""
    score = Likelihood(likelihood).score * Severity(severity).score
    return RiskLevel.LOW if score <= 2 else RiskLevel.MEDIUM if score <= 4 else RiskLevel.HIGH


def state_of(required, signed_off_on, screened=True):
    """The DPIA's state from what is stored (screened=False: no DPIA recorded)."""
    if not screened:
        return DpiaState.NONE
    if signed_off_on is not None:
        return DpiaState.COMPLETE
    return DpiaState.IN_PROGRESS if required else DpiaState.NOT_REQUIRED


def sensitive_flows(agreement):
    """The agreement's flows carrying special category or criminal offence data."""
    return [flow for flow in agreement.flows if not SENSITIVE.isdisjoint(flow.categories or ())]


def pre_answers(agreement):
    """The screening answers the flows already give: special category or criminal offence data."""
    return [ScreeningQuestion.SENSITIVE_AT_SCALE.value] if sensitive_flows(agreement) else []


def prior_consultation_needed(risks):
    """UK GDPR Art 36: a high risk left after the measures means consulting the ICO before processing."""
    return any(risk_level(r.residual_likelihood, r.residual_severity) == RiskLevel.HIGH for r in risks)


def describe_processing(agreement, org_name=lambda o: o.name):
    """The processing as the flows describe it (who shares what with whom, why, how): the DPIA's
    description starts from this text (written in English: operations.save_screening stores it)."""
    lines = []
    for flow in agreement.flows:
        source = org_name(flow.from_organisation)
        target = org_name(flow.to_organisation) if flow.to_organisation is not None else _("every other party")
        categories = ", ".join(str(DataCategory(c).label).lower() for c in flow.categories or ())
        how = flow.channel.name if flow.channel is not None else _("a channel not yet recorded")
        frequency = str(flow.frequency.label).lower() if hasattr(flow.frequency, "label") else flow.frequency
        lines.append(_(
            "%(source)s shares with %(target)s: %(items)s (%(categories)s), for %(purposes)s, by %(how)s, %(frequency)s.",
            source=source, target=target, items=" ".join((flow.items or "").split()), categories=categories,
            purposes="; ".join(flow.purposes or ()) or _("purposes not recorded"), how=how, frequency=frequency,
        ))
    if not lines:
        lines.append(_("No data flows are recorded yet."))
    if (agreement.retention or "").strip():
        lines.append(_("Retention: %(text)s", text=agreement.retention.strip()))
    if (agreement.security or "").strip():
        lines.append(_("Security: %(text)s", text=agreement.security.strip()))
    location = getattr(agreement.data_location, "label", None)
    if location:
        lines.append(_("Where the data is held: %(location)s.", location=location))
    return "\n\n".join(lines)


def describe_context(agreement):
    subjects = (agreement.data_subjects or "").strip()
    return _("Data subjects: %(subjects)s", subjects=subjects) if subjects else ""


def describe_bases(agreement, org_name=lambda o: o.name):
    """The lawful bases each flow relies on: where the necessity assessment starts."""
    lines = []
    for flow in agreement.flows:
        target = org_name(flow.to_organisation) if flow.to_organisation is not None else _("every other party")
        bases = ", ".join(flow.lawful_bases or ()) or _("no lawful basis recorded")
        lines.append(_("%(source)s to %(target)s: %(bases)s.", source=org_name(flow.from_organisation), target=target, bases=bases))
    return (_("Lawful bases relied on:") + "\n" + "\n".join(lines)) if lines else ""


def describe_purposes(agreement):
    purposes = list(dict.fromkeys(p for flow in agreement.flows for p in flow.purposes or ()))
    text = (agreement.purpose or "").strip()
    if purposes:
        text += ("\n\n" if text else "") + _("Purposes of the data flows: %(purposes)s.", purposes="; ".join(purposes))
    return text


def sign_off_problems(dpia):
    """What has to be done before the DPIA can be signed off (an empty list: nothing)."""
    problems = []
    if not (dpia.nature or "").strip() or not (dpia.purposes or "").strip():
        problems.append(_("Describe the processing and its purposes"))
    if not (dpia.necessity or "").strip():
        problems.append(_("Assess necessity and proportionality"))
    if dpia.required and not dpia.risks:
        problems.append(_("Identify the risks to individuals, with the measures that reduce them"))
    if not dpia.dpo_outcome or not (dpia.dpo_advice or "").strip():
        problems.append(_("Record the DPO's advice and whether it was accepted or overruled"))
    elif DpoOutcome(dpia.dpo_outcome) == DpoOutcome.OVERRULED and not (dpia.dpo_overruled_reason or "").strip():
        problems.append(_("Give the reason the DPO's advice was overruled"))
    return problems


def dpia_missing(agreement):
    """The `dpia-missing` finding's message, or None.

    `agreement.dpia_state` is set by the loaders (a DpiaState value; None when not loaded, and then
    the rule stays quiet). With no DPIA recorded, the screening is what the flows already say
    (`pre_answers`: special category or criminal offence data, an indicator that stands alone); a
    DPIA kept outside the register (`dpia_reference`) counts as done. The register-wide sweep asks
    this of every agreement, so it reads plain values and words each message once.
    """
    state = getattr(agreement, "dpia_state", None)
    if state is None or agreement.status in ENDED:  # StrEnum members match their stored strings
        return None
    if state == DpiaState.NONE:
        if getattr(agreement, "dpia_reference", None):
            return None
        count = sum(1 for flow in agreement.flows if not SENSITIVE.isdisjoint(flow.categories or ()))
        return _none_recorded(count) if count else None
    if state == DpiaState.IN_PROGRESS:
        return _NOT_COMPLETE
    return None


@lru_cache(maxsize=None)
def _none_recorded(count):
    """Worded when shown, in the reader's language (its English is the text the API gives)."""
    if count == 1:
        return N_(
            "1 data flow carries special category or criminal offence data, so the screening finds a data protection "
            "impact assessment required (UK GDPR Article 35), and none is recorded. Screen the agreement and complete "
            "its DPIA from the agreement page, or record the reference of the DPIA kept elsewhere."
        )
    return N_(
        "%(count)s data flows carry special category or criminal offence data, so the screening finds a data protection "
        "impact assessment required (UK GDPR Article 35), and none is recorded. Screen the agreement and complete "
        "its DPIA from the agreement page, or record the reference of the DPIA kept elsewhere.", count=str(count)
    )


_NOT_COMPLETE = N_(
    "The screening finds a data protection impact assessment required (UK GDPR Article 35) and it is not complete: "
    "assess the risks, record the DPO's advice and sign it off before the sharing relies on it."
)
