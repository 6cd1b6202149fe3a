"""The one error a business action raises, and the one way a page shows it."""
from flask import flash

from ..extensions import db


class DomainError(ValueError):
    """An action the rules refuse: `field` names the form field it is about (None: the whole form)."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def fail(form, error):
    """Undo the action and put its error next to its field, or in a banner when it has none."""
    db.session.rollback()
    stale = getattr(error, "agreement", None)  # a conflict: the record as it is now
    if stale is not None and hasattr(form, "version"):
        # the user has now been told: the next save starts from the version they were shown
        form.version.data = str(stale.version)
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors") and error.field != "version":
        field.errors.append(str(error))
    else:
        flash(str(error), "info")
