"""The service in Welsh, in the browser (issue 17): a browser whose language is Welsh signs in and
walks every page of the URL map it can reach, on a desktop and a phone; each page passes axe-core,
fits the screen, and has no English left on it (tests/english.py)."""
import re

import pytest

from isa.extensions import db
from tests.e2e.conftest import Visitor
from tests.english import english_left, register_data
from tests.factories import PASSWORD, totp_code

SKIPPED = {"static", "govuk_static", "users.logout", "core.healthz"}


def _pages(app, values):
    """The GET routes whose every part the seeded records can fill in."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED or "GET" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        if set(rule.arguments) <= set(values):
            yield re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


@pytest.mark.parametrize("width", [1280, 375])
def test_an_officer_walks_the_service_in_welsh(browser, live_server, seed, width):
    app, base = live_server
    officer = seed("user", role="admin")
    agreement = seed("agreement", status="active")
    context = browser.new_context(bypass_csp=True, locale="cy-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        visitor = Visitor(page, base, [], app)
        visitor.goto("/login")
        assert page.locator("html").get_attribute("lang") == "cy"  # the browser's language chose Welsh
        page.fill("#email", officer.email)
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(re.compile(r"/login/code$"))
        page.fill("#code", totp_code(visitor.last_totp_step(officer.email)))
        page.press("#code", "Enter")
        page.wait_for_load_state("load")
        assert "/login" not in page.url

        values = {"reference": agreement.reference, "slug": agreement.parties[0].organisation.slug, "code": "UKGDPR-A6-1E"}
        with app.app_context():
            data = register_data(db.session)
        english, visited = [], 0
        for path in _pages(app, values):
            answer = context.request.get(base + path, max_redirects=0)  # a download is not a page to walk
            if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
                continue
            page.goto(base + path)
            visitor.checked()  # axe-core, and no page wider than the screen
            visited += 1
            english.extend(f"{path}: {phrase}" for phrase in english_left(page.content(), data))
        assert visited >= 20
        assert not english, "English left on the Welsh pages:\n" + "\n".join(dict.fromkeys(english))
    finally:
        context.close()
