"""English and Welsh (issue 17): the language of a page comes from the user's choice, then this
browser's choice, then Accept-Language (SPEC §7), then English; dates follow the language."""
import html
import re
from datetime import date, datetime

import pytest

from isa.agreements.models import AgreementStatus
from isa.core.i18n import COOKIE, govdate
from tests.conftest import post_form

WELSH = {"Accept-Language": "cy"}


def test_english_is_the_default_and_dates_read_as_gov_uk_writes_them(client, app):
    page = client.get("/register").get_data(as_text=True)
    assert '<html lang="en-GB"' in page and "Public register" in page
    with app.test_request_context("/"):
        assert govdate(date(2027, 12, 1)) == "1 December 2027"
        assert govdate(datetime(2027, 12, 1, 9, 5)) == "1 December 2027 at 09:05"


def test_the_public_register_honours_accept_language_welsh(client, make):
    make.agreement(status=AgreementStatus.ACTIVE, review_date=date(2027, 12, 1))
    page = client.get("/register", headers=WELSH).get_data(as_text=True)
    assert '<html lang="cy"' in page
    assert ">Cofrestr gyhoeddus</a>" in page and ">Public register</a>" not in page  # the footer, translated so far
    assert "Mae isa yn cadw'r gofrestr" in page
    assert ">English</button>" in page  # the way back, named in its own language


def test_dates_are_written_in_welsh(app):
    with app.test_request_context("/", headers=WELSH):
        assert govdate(date(2027, 12, 1)) == "1 Rhagfyr 2027"
        assert govdate(datetime(2027, 3, 4, 14, 30)) == "4 Mawrth 2027 am 14:30"


def test_a_visitor_chooses_welsh_and_keeps_it(client):
    response = post_form(client, "/language", {"language": "cy", "next": "/register?q=x"}, get_url="/register")
    assert response.status_code == 302 and response.headers["Location"] == "/register?q=x"
    assert f"{COOKIE}=cy" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="cy"' in page  # the choice made here outweighs the browser's language
    back = post_form(client, "/language", {"language": "en", "next": "/register"}, get_url="/register")
    assert back.status_code == 302
    assert '<html lang="en-GB"' in client.get("/register", headers=WELSH).get_data(as_text=True)


def test_a_signed_in_users_choice_is_kept_on_the_user(client, login_as, db):
    user = login_as("officer")
    post_form(client, "/language", {"language": "cy", "next": "/agreements/"}, get_url="/agreements/")
    db.session.refresh(user)
    assert user.language == "cy"
    client.delete_cookie(COOKIE)
    assert '<html lang="cy"' in client.get("/agreements/", headers={"Accept-Language": "en"}).get_data(as_text=True)


@pytest.mark.parametrize("data", [{"language": "fr"}, {"language": ""}, {}])
def test_an_unknown_language_changes_nothing(client, data):
    response = post_form(client, "/language", dict(data, next="/register"), get_url="/register")
    assert response.status_code == 302
    assert COOKIE not in response.headers.get("Set-Cookie", "")
    assert '<html lang="en-GB"' in client.get("/register").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_the_switch_goes_back_only_to_a_page_of_this_site(client, target):
    response = post_form(client, "/language", {"language": "cy", "next": target}, get_url="/register")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_switch_needs_a_csrf_token(client):
    assert client.post("/language", data={"language": "cy"}).status_code == 400


# --- what is marked for translation ------------------------------------------------------------

from pathlib import Path  # noqa: E402

from tests.untranslated import untranslated  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Every template: each keeps every word marked, so none slips back into English.
TRANSLATED = sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("name", TRANSLATED)
def test_a_translated_template_holds_no_unmarked_words(name):
    assert untranslated((TEMPLATES / name).read_text()) == []


@pytest.mark.parametrize("source, found", [
    ("<p>Sign in</p>", ["Sign in"]),
    ("<p>{% trans %}Sign in{% endtrans %}</p>", []),
    ('<img alt="A chart" src="x.png">', ["A chart"]),
    ('<a href="/x" class="govuk-link">{{ name }}</a>', []),
    ("{{ nav_item('agreements.index', 'Agreements') }}", ["Agreements"]),
    ("{{ nav_item('agreements.index', _('Agreements')) }}", []),
    ("<p>{{ count }} PDF</p>", []),
    ("<script>const words = 'Not text';</script>", []),
])
def test_the_check_finds_words_not_marked_for_translation(source, found):
    assert untranslated(source) == found


def test_an_error_page_in_welsh(client):
    page = html.unescape(client.get("/no-such-page", headers=WELSH).get_data(as_text=True))
    assert "Heb ddod o hyd i'r dudalen" in page and "Ewch i'r dudalen gychwyn" in page
    assert "Page not found" not in page


def test_every_message_has_its_welsh(tmp_path):
    """What `make messages` would extract today is all in the Welsh catalogue, translated: a new
    English string cannot land without its Welsh."""
    import subprocess
    import sys

    from babel.messages.pofile import read_po

    root = TEMPLATES.parent
    template = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "-o", template, "."],
                   cwd=root, check=True, capture_output=True)
    extracted = read_po(template.open("rb"))
    welsh = read_po((root / "isa/translations/cy/LC_MESSAGES/messages.po").open("rb"), locale="cy")
    untranslated = []
    for message in extracted:
        if not message.id:
            continue
        found = welsh.get(message.id)
        strings = () if found is None else found.string if isinstance(found.string, tuple) else (found.string,)
        if found is None or found.fuzzy or not all(strings):
            untranslated.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not untranslated, f"{len(untranslated)} messages have no Welsh yet:\n" + "\n".join(untranslated[:50])


def test_module_level_messages_are_escaped_in_pages(app):
    """flask-babel's own lazy string reaches a page unescaped; isa's escapes like any text."""
    from markupsafe import escape

    from isa.core.i18n import lazy_gettext

    with app.test_request_context("/"):
        assert str(escape(lazy_gettext("Enter the organisation's name <b>"))) == "Enter the organisation&#39;s name &lt;b&gt;"
    package = TEMPLATES.parent / "isa"
    raw = [str(path) for path in package.rglob("*.py") if re.search(r"from flask_babel import .*lazy_gettext", path.read_text())]
    assert raw == []
