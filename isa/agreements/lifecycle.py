"""The agreement lifecycle: which status may follow which, and what must hold first.

Pure functions over an agreement-like object (status, parties with `signed_on`, dates), with no
request or session, so the pages, the importer and the command line share one copy of each rule.
Their messages are in the page's language, and in English outside a request.
"""
from flask_babel import gettext as _

from ..core.i18n import lazy_gettext as _l
from .types import AgreementStatus as S

TRANSITIONS = {
    S.DRAFT: (S.CONSULTATION, S.AWAITING_SIGNATURES, S.TERMINATED),
    S.CONSULTATION: (S.DRAFT, S.AWAITING_SIGNATURES, S.TERMINATED),
    S.AWAITING_SIGNATURES: (S.CONSULTATION, S.ACTIVE, S.TERMINATED),
    S.ACTIVE: (S.UNDER_REVIEW, S.EXPIRED, S.TERMINATED, S.SUPERSEDED),
    S.UNDER_REVIEW: (S.ACTIVE, S.EXPIRED, S.TERMINATED, S.SUPERSEDED),
    S.EXPIRED: (S.UNDER_REVIEW,),  # renewed after a review
    S.TERMINATED: (),
    S.SUPERSEDED: (),
}

ACTION_LABELS = {
    S.DRAFT: _l("Return to draft"),
    S.CONSULTATION: _l("Send for consultation"),
    S.AWAITING_SIGNATURES: _l("Send for signature"),
    S.ACTIVE: _l("Activate"),
    S.UNDER_REVIEW: _l("Start a review"),
    S.EXPIRED: _l("Mark as expired"),
    S.TERMINATED: _l("Terminate"),
    S.SUPERSEDED: _l("Mark as superseded"),
}


def date_problems(start_date, review_date, end_date=None):
    """Messages keyed by field for dates that cannot stand together."""
    problems = {}
    if start_date and review_date and review_date <= start_date:
        problems["review_date"] = _("The review date must be after the start date")
    if start_date and end_date and end_date < start_date:
        problems["end_date"] = _("The end date must be on or after the start date")
    return problems


def unsigned_parties(agreement):
    return [party for party in agreement.parties if party.signed_on is None]


def transition_problems(agreement, target):
    """Why `agreement` may not move to status `target` now (empty when it may)."""
    target = S(target)
    current = S(agreement.status)
    if target == current:
        return [_("The agreement is already %(status)s", status=current.label.lower())]
    if target not in TRANSITIONS[current]:
        return [_("An agreement that is %(status)s cannot become %(target)s", status=current.label.lower(), target=target.label.lower())]
    problems = []
    if target == S.ACTIVE:
        if len(agreement.parties) < 2:
            problems.append(_("An agreement needs at least two parties before it can become active"))
        for party in unsigned_parties(agreement):
            problems.append(_("%(organisation)s has not signed", organisation=party.organisation.name))
    if target in (S.AWAITING_SIGNATURES, S.ACTIVE) and not agreement.flows:
        problems.append(_("Add at least one data flow first"))
    return problems


def allowed_transitions(agreement):
    """Every status the agreement may move to next, with the problems blocking each."""
    return [(target, transition_problems(agreement, target)) for target in TRANSITIONS[S(agreement.status)]]
