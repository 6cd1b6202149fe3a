from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.errors import DomainError, fail
from ..core import clock
from ..agreements.operations import commit_or_conflict
from ..agreements.views import get_visible
from ..core import heartbeat
from ..users.access import officer_required
from ..core.db import utcnow
from ..core.i18n import govdate
from ..reminders.forms import ReminderActionForm
from ..reminders.rules import parse_offsets, stage_label
from .forms import ReviewForm
from .models import ReviewOutcome
from .operations import REVIEWABLE, record_review
from .queries import dashboard as dashboard_data
from .queries import reminders_of, reviews_of

bp = Blueprint("reviews", __name__)


@bp.app_template_global()
def agreement_reviews(agreement):
    return reviews_of(agreement)


@bp.app_template_global()
def agreement_reminders(agreement):
    return reminders_of(agreement)


@bp.app_template_filter("reminder_stage")
def reminder_stage(offset_key):
    return stage_label(offset_key)


@bp.route("/dashboard")
@officer_required
def dashboard():
    today = clock.today()
    escalation_days = int(current_app.config.get("ESCALATION_DAYS", 30))
    return render_template(
        "reviews/dashboard.html",
        data=dashboard_data(today, escalation_days),
        escalation_days=escalation_days,
        offsets=_offsets_text(current_app.config.get("REMINDER_OFFSETS")),
        action_form=ReminderActionForm(),
        today=today,
        scheduler=_scheduler_health(),
        page_title=_("Dashboard"),
    )


def _scheduler_health():
    """What the dashboard warns about: a scheduler that has not run lately, and renders that failed."""
    from ..documents.queue import failed_jobs

    last = heartbeat.last_beat()
    quiet_hours = float(current_app.config.get("SCHEDULER_QUIET_WARNING_HOURS", 24))
    quiet = last is None or (utcnow() - last).total_seconds() > quiet_hours * 3600
    return {"last_ran": last, "quiet": quiet, "quiet_hours": quiet_hours, "failed_renders": failed_jobs(limit=20)}


def _offsets_text(value):
    """'90,30,7' as '90, 30 and 7'."""
    try:
        days = [str(d) for d in parse_offsets(value)]
    except ValueError:
        return _("the configured number of")
    return days[0] if len(days) == 1 else _("%(some)s and %(last)s", some=", ".join(days[:-1]), last=days[-1])


@bp.route("/agreements/<reference>/reviews/new", methods=["GET", "POST"])
@officer_required
def new(reference):
    agreement = get_visible(reference)
    if agreement.status not in REVIEWABLE:
        return render_template("reviews/not_reviewable.html", agreement=agreement, page_title=_("%(reference)s cannot be reviewed", reference=reference))
    form = ReviewForm()
    form.start_date = agreement.start_date
    if request.method == "GET":
        form.version.data = str(agreement.version)
        form.reviewed_on.data = clock.today()
        form.reviewer.data = current_user.display_name
        form.review_interval_months.data = agreement.review_interval_months
    if form.validate_on_submit():
        try:
            review = record_review(agreement, form.data, form.version.data, recorded_by=current_user._get_current_object())
            commit_or_conflict(agreement, form.version.data)
            if review.outcome == ReviewOutcome.TERMINATE:
                flash(_("Review recorded. %(reference)s is terminated.", reference=agreement.reference), "success")
            elif review.outcome == ReviewOutcome.AMEND:
                flash(
                    _("Review recorded. The next review of %(reference)s is due on %(date)s. "
                      "Next, make the amendments: edit the details, parties or data flows (a change to the parties or flows "
                      "starts a new protocol version for every party to sign). Then choose Activate.",
                      reference=agreement.reference, date=govdate(review.next_review_date)), "success",
                )
                return redirect(url_for("agreements.show", reference=reference))
            else:
                flash(_("Review recorded. The next review of %(reference)s is due on %(date)s.", reference=agreement.reference,
                        date=govdate(review.next_review_date)), "success")
            return redirect(url_for("agreements.show", reference=reference, _anchor="reviews"))
        except DomainError as error:
            fail(form, error)
    return render_template(
        "reviews/form.html",
        form=form,
        agreement=agreement,
        outcome_hints=[{"hint": {"text": outcome.hint}} for outcome in ReviewOutcome],
        page_title=_("Record a review of %(reference)s", reference=reference),
    )
