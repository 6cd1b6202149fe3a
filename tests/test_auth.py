import re
import sqlalchemy as sa

from isa.core.ratelimit import RateLimitCounter
from isa.users.models import Role, User
from tests.conftest import PASSWORD, count, csrf_token, post_form, sign_in


def test_password_is_hashed_with_argon2(make):
    user = make.user(role="officer")
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)
    assert not user.check_password("wrong password!!")


def test_sign_in_and_out(client, make):
    user = make.user(role="officer")
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302
    assert client.get("/agreements/").status_code == 200
    response = post_form(client, "/logout", {}, get_url="/agreements/")
    assert response.status_code == 302
    assert client.get("/agreements/").status_code == 302  # back to the sign-in page


def test_wrong_password_shows_error_next_to_field(client, make, db):
    user = make.user(role="officer")
    response = post_form(client, "/login", {"email": user.email, "password": "not the password"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in html
    assert "govuk-error-summary" in html
    # the failure is counted by the rate limiter's storage (the database by default), not logged row by row
    keys = db.session.scalars(sa.select(RateLimitCounter.key)).all()
    assert any(user.email in key and "failures" in key for key in keys), keys


def test_failed_sign_ins_lock_the_account(client, make, app):
    user = make.user(role="officer")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        post_form(client, "/login", {"email": user.email, "password": "wrong password"})
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_failed_sign_ins_from_one_address_are_throttled(client, make, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    victim = make.user(role="officer")
    for n in range(3):
        post_form(client, "/login", {"email": f"nobody{n}@example.org", "password": "wrong password"})
    response = post_form(client, "/login", {"email": victim.email, "password": PASSWORD})
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client, make):
    user = make.user(role="officer", active=False)
    response = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200


def test_post_without_csrf_token_is_refused(client, make, db):
    user = make.user(role="officer")
    sign_in(client, user.email)
    before = count(db, User)
    response = client.post("/organisations/new", data={"name": "X", "slug": "x", "type": "police"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert count(db, User) == before


def test_login_without_csrf_token_is_refused(client, make):
    user = make.user(role="officer")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_session_is_renewed_at_sign_in(client, make):
    user = make.user(role="officer")
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_idle_session_expires(client, make, app):
    user = make.user(role="officer")
    sign_in(client, user.email)
    assert client.get("/agreements/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 5
    assert client.get("/agreements/").status_code == 302


def test_cookie_flags(client, make):
    user = make.user(role="partner")
    token = csrf_token(client)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_open_redirect_after_login_is_ignored(client, make):
    user = make.user(role="partner")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/login?next=//evil.example.org/", data=data)
    assert response.headers["Location"] == "/"


def test_users_create_command_reads_password_from_stdin(runner, db, make):
    org = make.organisation(slug="herts-police")
    result = runner.invoke(args=["users", "create", "p@example.org", "--role", "partner", "--org", "herts-police"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "p@example.org"))
    assert user.role == Role.PARTNER and user.organisation_id == org.id
    assert user.check_password("a long enough password")


def test_users_create_command_refuses_short_password_and_unknown_org(runner, db):
    result = runner.invoke(args=["users", "create", "o@example.org", "--role", "officer"], input="short\n")
    assert result.exit_code != 0 and "12 characters" in result.output
    result = runner.invoke(args=["users", "create", "p@example.org", "--role", "partner", "--org", "nope"], input="a long enough password\n")
    assert result.exit_code != 0 and "nope" in result.output
    assert count(db, User) == 0


def test_admin_creates_a_partner_user(client, login_as, make, db):
    login_as("admin")
    org = make.organisation()
    response = post_form(client, "/users/new", {"email": "new@example.org", "name": "New Person", "role": "partner", "organisation": org.slug, "password": "twelve chars!!"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user.organisation_id == org.id


def test_admin_user_form_validation(client, login_as, db):
    login_as("admin")
    before = count(db, User)
    response = post_form(client, "/users/new", {"email": "not-an-email", "name": "", "role": "partner", "organisation": "", "password": "short"})
    html = response.get_data(as_text=True)
    assert "Enter an email address in the correct format" in html
    assert "Enter the person&#39;s name" in html
    assert "Choose the organisation this partner user acts for" in html
    assert "at least 12 characters" in html
    assert count(db, User) == before


def test_failed_sign_ins_keep_one_counter_per_key_and_expired_ones_are_forgotten(client, make, db, app):
    """The old log of attempts grew by a row per attempt, forever; counters stay one per key and window."""
    import time

    from isa.core.ratelimit import forget_expired

    user = make.user(role="officer")
    for _ in range(3):
        post_form(client, "/login", {"email": user.email, "password": "wrong password"})
    failures = db.session.scalars(sa.select(RateLimitCounter).where(RateLimitCounter.key.contains("failures"))).all()
    assert len(failures) == 2 and {row.count for row in failures} == {3}  # per account+address, per address
    assert forget_expired(db.session) == 0
    assert forget_expired(db.session, now=time.time() + 16 * 60) >= 2
    assert count(db, RateLimitCounter) == 0


def test_a_counter_whose_window_passed_starts_again(db, app):
    from isa.core.ratelimit import DatabaseStorage

    storage = DatabaseStorage("database://")
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    db.session.execute(sa.update(RateLimitCounter).values(expires_at=0))
    db.session.commit()
    assert storage.get("k") == 0 and storage.incr("k", 60) == 1
    assert count(db, RateLimitCounter) == 1

def test_the_new_user_form_starts_with_no_role_and_reports_every_error_at_once(client, login_as, db):
    login_as("admin")
    html = client.get("/users/new").get_data(as_text=True)
    assert "Leave empty to keep the current password" not in html
    assert re.search(r'<option[^>]*value=""[^>]*>Choose a role</option>', html)
    assert 'value="admin" selected' not in html
    before = count(db, User)
    response = post_form(client, "/users/new", {"email": "", "name": "", "role": "", "organisation": "", "password": ""})
    html = response.get_data(as_text=True)
    for message in ("Enter an email address", "Enter the person&#39;s name", "Choose a role", "Enter a password of at least 12 characters"):
        assert message in html, message
    assert count(db, User) == before
