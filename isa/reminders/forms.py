from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Regexp


class ReminderActionForm(FlaskForm):
    """Resend or dismiss one reminder from the dashboard."""

    reminder_id = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,12}$")])
