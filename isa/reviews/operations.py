"""Recording a completed review: the one business action of this domain."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.errors import DomainError
from ..agreements.rules import IN_FORCE
from ..core import clock
from ..core.i18n import govdate
from ..agreements import lifecycle
from ..agreements.models import AgreementStatus
from ..agreements.operations import check_version
from ..extensions import db
from .models import Review, ReviewOutcome
from .rules import add_months, review_date_problems

REVIEWABLE = IN_FORCE


def record_review(agreement, data, expected_version, recorded_by=None, today=None):
    """Record a review of `agreement` from clean form data, and apply its outcome.

    `continue` and `amend` keep the agreement in force and set its next review date (the one
    given, or the review date plus the review interval, which may be changed here); an agreement
    under review becomes active again on `continue`. `terminate` ends it on the review date.
    Raises DomainError (with the form field) when the review cannot be recorded.
    """
    check_version(agreement, expected_version)
    today = today or clock.today()
    if agreement.status not in REVIEWABLE:
        raise DomainError(None, _("Only an agreement in force can be reviewed; this one is %(status)s.", status=agreement.status.label.lower()))
    outcome = ReviewOutcome(data["outcome"])
    reviewed_on = data["reviewed_on"]
    interval = data.get("review_interval_months") or agreement.review_interval_months
    terminating = outcome == ReviewOutcome.TERMINATE
    next_review = None if terminating else (data.get("next_review_date") or add_months(reviewed_on, interval))
    problems = review_date_problems(agreement.start_date, reviewed_on, next_review, today, terminating)
    if problems:
        raise DomainError(*next(iter(problems.items())))
    if agreement.id is not None and db.session.scalar(
        sa.select(Review.id).where(Review.agreement_id == agreement.id, Review.reviewed_on == reviewed_on).limit(1)
    ):
        raise DomainError("reviewed_on", _("A review of %(reference)s on %(date)s is already recorded", reference=agreement.reference, date=govdate(reviewed_on)))

    if terminating:
        _move(agreement, AgreementStatus.TERMINATED)
        if agreement.end_date is None or agreement.end_date > reviewed_on:
            agreement.end_date = reviewed_on
    else:
        if outcome == ReviewOutcome.CONTINUE and agreement.status == AgreementStatus.UNDER_REVIEW:
            _move(agreement, AgreementStatus.ACTIVE)
        if agreement.end_date is not None and agreement.end_date < next_review:
            raise DomainError("next_review_date", _("The agreement ends on %(date)s, before that review date", date=govdate(agreement.end_date)))
        agreement.review_interval_months = interval

    review = Review(
        agreement=agreement,
        reviewed_on=reviewed_on,
        reviewer=data["reviewer"].strip(),
        outcome=outcome,
        notes=(data.get("notes") or "").strip(),
        previous_review_date=agreement.review_date,
        next_review_date=next_review,
        recorded_by=recorded_by,
    )
    if next_review is not None:
        agreement.review_date = next_review
    db.session.add(review)
    return review


def _move(agreement, target):
    problems = lifecycle.transition_problems(agreement, target)
    if problems:
        raise DomainError("outcome", _("The agreement cannot become %(status)s: %(problems)s", status=target.label.lower(), problems="; ".join(str(p) for p in problems)))
    agreement.status = target
