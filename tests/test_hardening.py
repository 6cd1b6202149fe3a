"""Attacks and faults reproduced against the app as it is served (gunicorn, two workers), each with
what must hold instead: redirects stay on the site, sessions end when they should, sign-in cannot
be used to lock everyone out or to tell which accounts exist."""
from urllib.parse import urlencode

import pytest

from isa.core.web import safe_redirect_target
from tests.factories import PASSWORD
from tests.servers import Browser, Gunicorn


@pytest.fixture
def server(app, db):
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"]) as running:
        yield running


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "/\t/evil.example/phish", "/\n/evil.example", "/\r\n/evil.example", "/\\evil.example",
     "\\\\evil.example", "https://evil.example/", "javascript:alert(1)", "/ /evil.example", "/\x7f/evil", " /x", "", None,
     "evil.example", "/\u2028/evil.example"],
)
def test_redirect_targets_that_leave_the_site_are_refused(target):
    assert safe_redirect_target(target) is None


@pytest.mark.parametrize("target", ["/", "/agreements/", "/agreements/ISA-2024-001?tab=flows", "/organisations/herts-cc#x"])
def test_paths_on_the_site_are_kept(target):
    assert safe_redirect_target(target) == target


@pytest.mark.parametrize("query", ["next=/%09/evil.example/phish", "next=/%0a/evil.example/phish", "next=/%0d%0a/evil.example",
                                   "next=%2F%5Cevil.example", "next=//evil.example"])
def test_sign_in_never_redirects_off_the_site(server, make, query):
    officer = make.user(role="officer")
    response = Browser(server.port).sign_in(officer.email, PASSWORD, path="/login?" + query)
    assert response.status == 302
    assert response.location == "/"


def test_sign_in_follows_a_next_path_on_the_site(server, make):
    officer = make.user(role="officer")
    response = Browser(server.port).sign_in(officer.email, PASSWORD, path="/login?next=/agreements/%3Fpage%3D2")
    assert response.status == 302 and response.location == "/agreements/?page=2"


# --- sessions ---------------------------------------------------------------------------------------


def _signed_in(server, user):
    browser = Browser(server.port)
    assert browser.sign_in(user.email, PASSWORD).status == 302
    assert browser.get("/agreements/").status == 200
    return browser


def _copy(server, browser):
    thief = Browser(server.port)
    thief.cookies = dict(browser.cookies)
    return thief


def test_a_captured_session_cookie_dies_when_its_user_signs_out(server, make):
    officer = make.user(role="officer")
    browser = _signed_in(server, officer)
    thief = _copy(server, browser)
    assert thief.get("/agreements/").status == 200
    browser.post_form("/logout", {}, get_path="/agreements/")
    response = thief.get("/agreements/")
    assert response.status == 302 and response.location.startswith("/login")


def test_a_password_changed_by_an_admin_ends_the_users_sessions(server, make, db):
    officer = make.user(role="officer")
    admin = make.user(role="admin")
    thief = _copy(server, _signed_in(server, officer))
    admin_browser = _signed_in(server, admin)
    response = admin_browser.post_form(
        f"/users/{officer.id}/edit",
        {"email": officer.email, "name": officer.name, "role": "officer", "organisation": "", "password": "a new and better passphrase"},
    )
    assert response.status == 302, response.text
    assert thief.get("/agreements/").status == 302


def test_users_change_their_own_password_and_their_other_sessions_end(server, make, db):
    partner = make.user(role="partner")
    browser = _signed_in(server, partner)
    elsewhere = _signed_in(server, partner)
    response = browser.post_form("/account/password", {"current": PASSWORD, "new": "a new and better passphrase",
                                                       "confirm": "a new and better passphrase"})
    assert response.status == 302
    assert browser.get("/agreements/").status == 200  # this session goes on
    assert elsewhere.get("/agreements/").status == 302  # every other one ended
    assert Browser(server.port).sign_in(partner.email, "a new and better passphrase").status == 302


def test_a_session_ends_at_its_absolute_lifetime_however_busy(app, make):
    import time

    officer = make.user(role="officer")
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], SESSION_MAX_HOURS=0.001) as server:  # 3.6 seconds
        browser = _signed_in(server, officer)
        started = time.monotonic()
        statuses = []
        while time.monotonic() - started < 6:
            statuses.append(browser.get("/agreements/").status)
            time.sleep(0.3)
        assert statuses[0] == 200 and statuses[-1] == 302


@pytest.mark.parametrize("password, problem", [
    ("aaaaaaaaaaaa", "too common or too easy to guess"),
    ("password1234", "too common or too easy to guess"),
    ("qwertyuiop12", "too common or too easy to guess"),
    ("short", "at least 12 characters"),
])
def test_common_and_short_passwords_are_refused_everywhere(client, login_as, db, runner, password, problem):
    from tests.conftest import post_form

    user = login_as("partner")
    response = post_form(client, "/account/password", {"current": PASSWORD, "new": password, "confirm": password})
    assert problem in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "officer"], input=password + "\n")
    assert result.exit_code != 0 and problem in result.output


def test_changing_a_password_needs_the_current_one(client, login_as, db):
    from tests.conftest import post_form

    user = login_as("officer")
    new = "a new and better passphrase"
    response = post_form(client, "/account/password", {"current": "not my password", "new": new, "confirm": new})
    assert "Enter your current password correctly" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


# --- sign-in throttling and enumeration ---------------------------------------------------------------


def test_behind_a_proxy_one_attacker_cannot_lock_everyone_out(app, make):
    victim = make.user(role="officer")
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], PROXY_FIX_X_FOR=1) as server:
        attacker = Browser(server.port, headers={"X-Forwarded-For": "203.0.113.9"})
        for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
            assert attacker.sign_in(f"nobody{n}@example.org", "wrong password").status == 200
        assert "Too many failed attempts" in attacker.sign_in(victim.email, PASSWORD).text  # the attacker is locked out
        colleague = Browser(server.port, headers={"X-Forwarded-For": "198.51.100.7"})
        assert colleague.sign_in(victim.email, PASSWORD).status == 302  # everyone else is not


def test_failures_against_an_account_lock_it_only_from_that_address(app, make):
    victim = make.user(role="officer")
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], PROXY_FIX_X_FOR=1) as server:
        attacker = Browser(server.port, headers={"X-Forwarded-For": "203.0.113.9"})
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            attacker.sign_in(victim.email, "wrong password")
        assert "Too many failed attempts" in attacker.sign_in(victim.email, PASSWORD).text
        assert Browser(server.port, headers={"X-Forwarded-For": "198.51.100.7"}).sign_in(victim.email, PASSWORD).status == 302


def test_attempts_on_one_account_from_many_addresses_are_rate_limited(app, make):
    victim = make.user(role="officer")
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=1, PROXY_FIX_X_FOR=1) as server:
        statuses = [
            Browser(server.port, headers={"X-Forwarded-For": f"198.51.100.{n}"}).sign_in(victim.email, f"guess {n}").status
            for n in range(12)
        ]
        assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
        response = Browser(server.port, headers={"X-Forwarded-For": "198.51.100.99"}).sign_in(victim.email, PASSWORD)
        assert response.status == 429 and "Wait a minute and try again" in response.text
        assert "Retry-After" in response.headers


def test_sign_in_takes_as_long_for_an_unknown_account_as_for_a_known_one(app, make):
    """With argon2's production cost, timing must not tell which accounts exist."""
    import statistics
    import time

    known = make.user(role="officer")
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=1, ARGON2_TIME_COST=3, ARGON2_MEMORY_COST=65536) as server:
        browser = Browser(server.port)
        times = {"known": [], "unknown": []}
        for n in range(4):
            for kind, email in (("known", known.email), ("unknown", f"nobody{n}@example.org")):
                token = browser.csrf_token("/login")
                started = time.perf_counter()
                response = browser.request("POST", "/login", body=f"email={email}&password=wrong+password+{n}&csrf_token={token}",
                                           headers={"Content-Type": "application/x-www-form-urlencoded"})
                times[kind].append(time.perf_counter() - started)
                assert "Enter a correct email address and password" in response.text
        known_median, unknown_median = statistics.median(times["known"]), statistics.median(times["unknown"])
        assert unknown_median > 0.6 * known_median, times


# --- hostile JSON at every entry point ---------------------------------------------------------------

import io  # noqa: E402
import json  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from isa.organisations.models import Organisation  # noqa: E402
from tests.conftest import post_form  # noqa: E402

REGISTER = json.dumps({"organisations": [{"slug": "herts-cc", "name": "NAME", "type": "local_authority",
                                          "ico_registration": "Z1234567", "spoc_email": "ig@example.org"}]})
HOSTILE_FILES = {
    "deeply nested": (b"[" * 100_000, "nested too deeply"),
    "a lone surrogate": (REGISTER.replace("NAME", "\\ud800 Council").encode(), "lone surrogate"),
    "NUL in a name": (REGISTER.replace("NAME", "Herts\\u0000 Council").encode(), "NUL character"),
    "a duplicate key": (REGISTER.replace('"name": "NAME"', '"name": "A", "name": "B"').encode(), "twice in one object"),
    "not UTF-8": (REGISTER.replace("NAME", "Caf\u00e9").encode("latin-1"), "not UTF-8"),
}


def _organisations(db):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_a_hostile_file_is_refused_by_the_import_page_with_a_clear_message(client, login_as, db, kind):
    content, message = HOSTILE_FILES[kind]
    login_as("admin")
    before = _organisations(db)
    response = post_form(client, "/admin/exchange/", {"file": (io.BytesIO(content), "register.json")})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True) and "Nothing was changed" in response.get_data(as_text=True)
    assert _organisations(db) == before


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_a_hostile_file_is_refused_by_the_import_command_with_one_line(runner, db, tmp_path, kind):
    content, message = HOSTILE_FILES[kind]
    path = tmp_path / "register.json"
    path.write_bytes(content)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert _organisations(db) == 0


HOSTILE_BODIES = {
    "deeply nested": (b"[" * 100_000, "nested too deeply"),
    "a lone surrogate": (b'{"case_reference": "CS-1\\ud800", "discloser": "a"}', "lone surrogate"),
    "NUL": (b'{"case_reference": "CS-1\\u0000", "discloser": "a"}', "NUL character"),
    "a duplicate key": (b'{"case_reference": "CS-1", "case_reference": "CS-2"}', "'case_reference' twice"),
    "NaN": (b'{"case_reference": NaN}', "NaN"),
}


@pytest.fixture
def api_token(make, db):
    from isa.api.tokens import create_token

    record, token = create_token(make.user(role="officer"), "case system")
    db.session.commit()
    return token


def test_hostile_decision_bodies_get_a_400_from_the_served_api(server, api_token, db):
    from isa.decisions.models import SharingDecision

    client = Browser(server.port, headers={"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"})
    for kind, (body, message) in HOSTILE_BODIES.items():
        response = client.request("POST", "/api/v1/decisions", body=body)
        assert response.status == 400, (kind, response.status, response.text[:300])
        error = json.loads(response.body)
        assert message in error["error"] and error["parameter"] == "body", kind
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharingDecision)) == 0


def test_a_form_body_is_not_read_before_its_sender_signs_in(server, make):
    """A NUL in a form is refused for signed-in users; an anonymous POST is sent to sign in unread."""
    body = "name=A%00B&slug=ab&type=police"
    anonymous = Browser(server.port).request("POST", "/organisations/new", body=body,
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert anonymous.status == 302 and anonymous.location.startswith("/login")
    officer = _signed_in(server, make.user(role="officer"))
    response = officer.post_form("/organisations/new", {"name": "A\x00B", "slug": "ab", "type": "police"})
    assert response.status == 400 and "NUL character" in response.text


# --- concurrent saves -------------------------------------------------------------------------------


@pytest.fixture
def threaded_server(app, db):
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=2, threads=4) as running:
        yield running


def test_concurrent_saves_of_one_agreement_give_the_conflict_message_never_a_500(threaded_server, make, db):
    """Officers save the same party of one agreement at once, from the same version: one save
    wins, every other one is told someone else changed it, and none fails."""
    import threading

    from tests.servers import form_fields

    server = threaded_server
    agreement = make.agreement(reference="ISA-RACE-1")
    party = agreement.parties[0]
    officer = _signed_in(server, make.user(role="officer"))
    url = f"/agreements/ISA-RACE-1/parties/{party.id}/edit"
    rounds, clients, results = 6, 8, []
    for round_ in range(rounds):
        fields = form_fields(officer.get(url).text)
        barrier = threading.Barrier(clients)

        def save(n):
            browser = _copy(server, officer)
            data = [(name, f"Signatory {round_}-{n}" if name == "signatory_name" else value) for name, value in fields]
            barrier.wait()
            response = browser.request("POST", url, body=urlencode(data), headers={"Content-Type": "application/x-www-form-urlencoded"})
            followed = browser.get(response.location).text if response.status in (302, 303) else response.text
            results.append((response.status, followed))

        threads = [threading.Thread(target=save, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = [status for status, _ in results]
    assert all(status in (200, 302, 303) for status in statuses), statuses
    refused = [text for status, text in results if "Someone else changed" in text]
    saved = [text for status, text in results if "saved." in text and "Someone else changed" not in text]
    assert len(saved) >= rounds and len(saved) + len(refused) == rounds * clients


def test_a_save_overtaken_between_reading_and_writing_gets_the_conflict_message(app, client, login_as, make, db):
    """Another officer's save lands (from its own connection) after this request read the agreement
    and before it writes: the database refuses the stale write, and the officer is told so."""
    import sqlalchemy as sa_
    from sqlalchemy import event

    from tests.servers import form_fields

    agreement = make.agreement(reference="ISA-RACE-2", title="Before")
    agreement_id = agreement.id
    login_as("officer")
    url = "/agreements/ISA-RACE-2/edit"
    fields = [(name, "Mine" if name == "title" else value) for name, value in form_fields(client.get(url).get_data(as_text=True))]
    other = sa_.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    fired = []

    def another_officer_saves_first(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().upper().startswith("UPDATE AGREEMENTS") and conn.engine is db.engine:
            fired.append(statement)
            with other.begin() as connection:
                connection.execute(sa_.text("UPDATE agreements SET version = version + 1, title = 'Changed elsewhere' WHERE id = :id"),
                                   {"id": agreement_id})

    event.listen(db.engine, "before_cursor_execute", another_officer_saves_first)
    try:
        response = client.post(url, data=urlencode(fields), content_type="application/x-www-form-urlencoded")
    finally:
        event.remove(db.engine, "before_cursor_execute", another_officer_saves_first)
        other.dispose()
    assert fired
    assert response.status_code in (200, 303), response.status_code
    page = client.get(response.location).get_data(as_text=True) if response.status_code == 303 else response.get_data(as_text=True)
    assert "Someone else changed" in page and "have not been saved" in page
    db.session.expire_all()
    assert db.session.get(type(agreement), agreement_id).title == "Changed elsewhere"


# --- what is shown ------------------------------------------------------------------------------------

RLO_TITLE = "Holiday photo \u202egnp.exe"


def test_bidi_overrides_in_titles_and_names_are_neutralised_wherever_they_are_shown(client, login_as, make, db, api_token):
    from isa.agreements.models import AgreementStatus

    org = make.organisation(name="Council \u202eobsolete\u202c \u2067x\u2069")
    make.agreement(reference="ISA-BIDI-1", title=RLO_TITLE, status=AgreementStatus.ACTIVE, parties=[org, make.organisation()])
    login_as("officer")
    bodies = {url: client.get(url).get_data(as_text=True)
              for url in ("/agreements/ISA-BIDI-1", "/agreements/", f"/organisations/{org.slug}", "/agreements.csv", "/register")}
    bearer = {"Authorization": f"Bearer {api_token}"}
    for url in ("/api/v1/agreements/ISA-BIDI-1", "/api/v1/calendar.ics", "/api/v1/organisations"):
        bodies[url] = client.get(url, headers=bearer).get_data(as_text=True)
    for url, body in bodies.items():
        assert not any(c in body for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), url
    assert "Holiday photo gnp.exe" in bodies["/agreements/ISA-BIDI-1"]
    assert "Holiday photo gnp.exe" in bodies["/api/v1/agreements/ISA-BIDI-1"]


def test_the_permitted_answer_is_capped_and_says_so(client, make, db, api_token):
    from isa.agreements.models import AgreementStatus
    from isa.sharing.rules import MAX_MATCHES

    discloser, recipient = make.organisation(slug="many-a"), make.organisation(slug="many-b")
    for n in range(MAX_MATCHES + 7):
        make.agreement(parties=[discloser, recipient], status=AgreementStatus.ACTIVE, reference=f"ISA-MANY-{n:03d}")
    response = client.get("/api/v1/permitted?discloser=many-a&recipient=many-b&category=personal",
                          headers={"Authorization": f"Bearer {api_token}"})
    answer = response.json
    assert answer["permitted"] is True and len(answer["matches"]) == MAX_MATCHES
    assert answer["truncated"] is True and any(note.startswith("7 more matching flows not listed") for note in answer["notes"])
    reverse = client.get("/api/v1/permitted?discloser=many-b&recipient=many-a&category=personal",
                         headers={"Authorization": f"Bearer {api_token}"}).json
    assert reverse["permitted"] is False and len(reverse["reasons"]) == MAX_MATCHES
    assert reverse["truncated"] is True and any(note.startswith("7 more reasons not listed") for note in reverse["notes"])
    make.agreement(parties=[make.organisation(slug="one-a"), make.organisation(slug="one-b")], status=AgreementStatus.ACTIVE)
    one = client.get("/api/v1/permitted?discloser=one-a&recipient=one-b&category=personal",
                     headers={"Authorization": f"Bearer {api_token}"}).json
    assert one["permitted"] is True and one["truncated"] is False and not any("not listed" in note for note in one["notes"])
