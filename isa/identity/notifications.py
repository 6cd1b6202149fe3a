"""The e-mails of signing in."""


def password_reset_message(user, link, minutes):
    subject = "Reset your isa password"
    body = (
        f"Hello {user.display_name},\n\n"
        f"Someone (we hope you) asked to reset the password of your isa account.\n\n"
        f"Open this link within {minutes} minutes to choose a new password. It works once:\n\n"
        f"{link}\n\n"
        "Choosing a new password signs you out everywhere.\n\n"
        "If you did not ask for this, you can ignore this e-mail: your password has not changed.\n"
    )
    return subject, body
