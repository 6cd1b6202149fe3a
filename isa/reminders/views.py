from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..users.access import officer_required
from ..extensions import db
from . import operations
from .forms import ReminderActionForm
from .rules import stage_label

bp = Blueprint("reminders", __name__, url_prefix="/reminders")


def _apply(action, success):
    """Validate the posted form, apply `action` to the reminder it names, flash and go back to the dashboard."""
    form = ReminderActionForm()
    if not form.validate_on_submit():
        flash(_("Choose a reminder from the dashboard."), "info")
        return redirect(url_for("reviews.dashboard"))
    try:
        reminder = action(int(form.reminder_id.data))
    except operations.ReminderError as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("reviews.dashboard"))
    if reminder is None:
        abort(404)
    db.session.commit()
    flash(success(reminder), "success")
    return redirect(url_for("reviews.dashboard"))


@bp.route("/resend", methods=["POST"])
@officer_required
def resend():
    return _apply(
        operations.resend,
        lambda r: _("The reminder about %(reference)s (%(stage)s) is queued again. The next reminder sweep sends it.",
                    reference=r.agreement.reference, stage=stage_label(r.offset_key).lower()),
    )


@bp.route("/dismiss", methods=["POST"])
@officer_required
def dismiss():
    return _apply(
        lambda reminder_id: operations.dismiss(reminder_id, current_user.email),
        lambda r: _("The reminder about %(reference)s (%(stage)s) is dismissed.",
                    reference=r.agreement.reference, stage=stage_label(r.offset_key).lower()),
    )
