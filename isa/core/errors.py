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
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors") and error.field != "version":
        field.errors.append(str(error))
    else:
        flash(str(error), "info")
