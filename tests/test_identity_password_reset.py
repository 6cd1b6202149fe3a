"""Password reset by e-mail: sent through a real SMTP server (aiosmtpd) by the scheduler's outbox,
a signed single-use link that lasts 30 minutes, the same answer for any address, every session ended."""
import re
from datetime import timedelta

import sqlalchemy as sa

from isa.audit.models import AuditEvent
from isa.core.db import utcnow
from isa.identity.models import OutgoingMail, PasswordReset
from isa.reminders.scheduler import send_mail_outbox
from isa.users.models import User
from tests.conftest import PASSWORD, count, post_form, sign_in
from tests.test_reminders import inbox, smtp  # noqa: F401  (the real SMTP server fixtures)

NEW_PASSWORD = "a new and better passphrase"


def ask_for_a_link(client, email):
    return post_form(client, "/password-reset", {"email": email})


def link_in(inbox):
    body = inbox.messages[-1].message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://localhost(/password-reset/\S+)", body).group(1)


def test_a_reset_link_is_mailed_and_sets_a_new_password(client, app, db, make, inbox):
    user = make.user(role="partner")
    response = ask_for_a_link(client, user.email.upper())
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    assert inbox.messages == []  # the request only queues it: the scheduler sends
    assert send_mail_outbox(app) == 1
    message = inbox.messages[0]
    assert message.to == [user.email] and message.message["Subject"] == "Reset your isa password"
    path = link_in(inbox)
    assert db.session.scalar(sa.select(OutgoingMail.body)) == ""  # the link does not stay in the database
    raw = path.rsplit("/", 1)[1]
    assert all(raw not in r.token_hash for r in db.session.scalars(sa.select(PasswordReset)))  # only a hash is kept
    response = post_form(client, path, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)
    assert sign_in(client, user.email, NEW_PASSWORD).headers["Location"] == "/"
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == user.id)))
    assert {"reset requested", "password reset"} <= actions


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, app, db, make, inbox):
    user = make.user(role="partner", email="known@example.org")

    def answer(email):
        html = ask_for_a_link(app.test_client(), email).get_data(as_text=True)
        return re.sub(r"known@example\.org|unknown@example\.org", "ADDRESS", re.sub(r'value="[^"]+"', "", html))

    assert answer(user.email) == answer("unknown@example.org")
    send_mail_outbox(app)
    assert [m.to for m in inbox.messages] == [[user.email]]  # mail only to the account that exists


def test_a_used_link_is_refused_and_changes_nothing(client, app, db, make, inbox):
    user = make.user(role="partner")
    ask_for_a_link(client, user.email)
    send_mail_outbox(app)
    path = link_in(inbox)
    assert post_form(client, path, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get(path).status_code == 410
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/password-reset").get_data(as_text=True)).group(1)
    response = client.post(path, data={"new": "yet another passphrase here", "confirm": "yet another passphrase here", "csrf_token": token})
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_a_link_expires_after_30_minutes(client, app, db, make, inbox):
    user = make.user(role="partner")
    ask_for_a_link(client, user.email)
    send_mail_outbox(app)
    path = link_in(inbox)
    db.session.execute(sa.update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(path).status_code == 410
    assert app.config["PASSWORD_RESET_MINUTES"] == 30


def test_an_altered_link_is_refused(client, app, make, inbox):
    user = make.user(role="partner")
    ask_for_a_link(client, user.email)
    send_mail_outbox(app)
    path = link_in(inbox)
    assert client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB")).status_code == 410


def test_a_reset_ends_every_session_of_the_user(client, app, db, make, inbox):
    officer = make.user(role="officer")
    elsewhere = app.test_client()
    sign_in(elsewhere, officer.email)
    assert elsewhere.get("/agreements/").status_code == 200
    ask_for_a_link(client, officer.email)
    send_mail_outbox(app)
    post_form(client, link_in(inbox), {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert elsewhere.get("/agreements/").status_code == 302
    # and the second factor is still asked: a reset link is not a way around it
    assert post_form(client, "/login", {"email": officer.email, "password": NEW_PASSWORD}).headers["Location"] == "/login/code"


def test_a_weak_new_password_is_refused_next_to_the_field_and_the_link_still_works(client, app, db, make, inbox):
    user = make.user(role="partner")
    ask_for_a_link(client, user.email)
    send_mail_outbox(app)
    path = link_in(inbox)
    response = post_form(client, path, {"new": "password1234", "confirm": "password1234"})
    assert "too common" in response.get_data(as_text=True) and "govuk-error-message" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).check_password(PASSWORD)
    assert client.get(path).status_code == 200


def test_reset_requests_are_rate_limited(client, app, make, inbox):
    app.config["PASSWORD_RESET_RATE_PER_ADDRESS"] = "2 per 15 minutes"
    statuses = [ask_for_a_link(client, f"someone{n}@example.org").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_mail_whose_link_expired_before_sending_is_dropped(client, app, db, make, inbox):
    user = make.user(role="partner")
    ask_for_a_link(client, user.email)
    db.session.execute(sa.update(OutgoingMail).values(not_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert send_mail_outbox(app) == 0 and inbox.messages == []
    assert count(db, OutgoingMail) == 1 and db.session.scalar(sa.select(OutgoingMail.body)) == ""


def test_no_link_for_people_whose_organisation_signs_them_in(client, app, db, make, inbox):
    """A reset link would give them an isa password behind their organisation's sign-in."""
    from isa.identity.operations import save_provider

    organisation = make.organisation()
    save_provider(organisation, "https://login.example.org", "isa", "secret", ["police.example.org"], allow_new_accounts=False)
    db.session.commit()
    user = make.user(role="partner", organisation=organisation, email="pc@police.example.org")
    assert "Check your e-mail" in ask_for_a_link(client, user.email).get_data(as_text=True)
    assert send_mail_outbox(app) == 0 and count(db, PasswordReset) == 0
