"""The e-mails of signing in, written in the current language: the caller sets the recipient's
(flask_babel.force_locale), since the person asking may not be the one who reads."""
from flask_babel import gettext as _


def password_reset_message(user, link, minutes):
    subject = _("Reset your isa password")
    body = "\n\n".join([
        _("Hello %(name)s,", name=user.display_name),
        _("Someone (we hope you) asked to reset the password of your isa account."),
        _("Open this link within %(minutes)s minutes to choose a new password. It works once:", minutes=minutes),
        link,
        _("Choosing a new password signs you out everywhere."),
        _("If you did not ask for this, you can ignore this e-mail: your password has not changed."),
    ]) + "\n"
    return subject, body
