"""Every form in the product, fed hostile input: never a 500, and a refused form stores nothing.

The forms are found from the app's URL map (every GET+POST page an officer or admin can open)
and their fields from the page itself, so a new form is fuzzed without being listed here.
"""
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isa.audit.models import AuditEvent
from isa.extensions import db as _db
from tests.conftest import csrf_token

FIELD_RE = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)
SKIP_FIELDS = {"csrf_token"}
MAX_FIELDS = 40  # more than any form has
hostile = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120) | st.sampled_from(
    ["<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "9" * 40, "-1", "2024-02-30", " ", "*"]
)


def _form_urls(app, values):
    urls = []
    for rule in app.url_map.iter_rules():
        if {"GET", "POST"} <= rule.methods and not rule.rule.startswith("/api/") and rule.endpoint not in ("users.login",):
            domain = rule.endpoint.split(".")[0]

            def value(match, domain=domain):  # "channels.slug" is a channel's slug, "slug" an organisation's
                name = match.group(1)
                return str(values[f"{domain}.{name}"] if f"{domain}.{name}" in values else values[name])

            try:
                urls.append(re.sub(r"<(?:\w+:)?(\w+)>", value, rule.rule))
            except KeyError:
                continue  # a route whose parameters this fixture does not make
    return sorted(set(urls))


@pytest.fixture
def forms(app, make, db, login_as):
    agreement = make.agreement(reference="ISA-FUZZ-1")
    channel = make.channel(slug="fuzz-channel")
    user = login_as("admin")
    values = {
        "reference": agreement.reference, "slug": agreement.parties[0].organisation.slug, "channels.slug": channel.slug,
        "party_id": agreement.parties[0].id,
        "flow_id": agreement.flows[0].id, "user_id": user.id, "code": "UKGDPR-A6-1E",
    }
    return _form_urls(app, values)


def test_the_fuzzer_finds_the_forms(forms):
    assert "/organisations/new" in forms and "/agreements/new" in forms
    assert any("/flows/new" in url for url in forms) and any("/parties/new" in url for url in forms)
    assert "/channels/fuzz-channel/edit" in forms


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_form_survives_hostile_input(client, forms, db, data):
    url = data.draw(st.sampled_from(forms))
    # Drawn before the page is read: an earlier example may have changed what the page shows (a
    # channel's new slug, a removed flow), and Hypothesis needs the same draws when it replays one.
    values = data.draw(st.lists(hostile, min_size=MAX_FIELDS, max_size=MAX_FIELDS))
    page = client.get(url)
    if page.status_code != 200:
        return  # a page that redirects (say, flows need two parties) has no form to fill
    names = sorted(set(FIELD_RE.findall(page.get_data(as_text=True))) - SKIP_FIELDS)
    assert len(names) <= MAX_FIELDS, url
    form = dict(zip(names, values))
    form["csrf_token"] = csrf_token(client, url)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    response = client.post(url, data=form)
    assert response.status_code in (200, 302, 400, 403, 404, 429), (url, response.status_code)  # 429: the rate limiter refuses
    if response.status_code != 302:  # refused: nothing was changed
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before, url
