"""Every page in Welsh, with no English left (issue 17): the URL map walked as each kind of user,
each in Welsh, every page that answers with HTML read for English words (tests/english.py).
The register's own data (names, titles, purposes) is the partners' words and stays as written."""
from datetime import date

import pytest

from isa.agreements.models import AgreementStatus
from isa.core.i18n import COOKIE
from tests.english import english_left, english_words, register_data
from tests.test_access import _rules, _sign_in, _url, build_world

WALKERS = ("anonymous", "partner_of_party", "officer", "admin")


@pytest.fixture
def welsh_world(app, make, db):
    """The access tests' world, and an agreement in force still citing DPA 1998, so that the
    findings, the re-mapping and the legacy list have something to say."""
    users, values, channel_values = build_world(app, make, db)
    mine, other = users["partner_of_party"].organisation, make.organisation(slug="legacy-partner")
    legacy = make.agreement(parties=[mine, other], status=AgreementStatus.ACTIVE, start_date=date(2016, 5, 1),
                            reference="ISA-LEGACY-1")
    legacy.flows[0].lawful_bases = ["DPA1998-SCH2-5"]
    for user in users.values():
        user.language = "cy"
    db.session.commit()
    return users, values, channel_values


@pytest.mark.parametrize("walker", WALKERS)
def test_every_page_is_in_welsh(app, db, welsh_world, walker):
    users, values, channel_values = welsh_world
    client = app.test_client()
    if walker == "anonymous":
        client.set_cookie(COOKIE, "cy")
    else:
        _sign_in(client, users[walker])
    data = register_data(db.session)
    english, pages = [], 0
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        response = client.get(_url(rule, values, channel_values))
        body = response.get_data()  # read whole: a streamed download ends with its context
        response.close()
        if response.status_code >= 500:
            english.append(f"{rule.endpoint}: {response.status_code}")
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        page = body.decode()
        assert '<html lang="cy"' in page, rule.endpoint
        english.extend(f"{rule.endpoint}: {english_words(phrase)} in {phrase!r}" for phrase in english_left(page, data))
    assert pages >= (3 if walker == "anonymous" else 20)
    assert not english, f"English left on the Welsh pages as {walker}:\n" + "\n".join(dict.fromkeys(english))


# --- the check itself --------------------------------------------------------------------------

@pytest.mark.parametrize("page, found", [
    ("<p>Cytundebau rhannu gwybodaeth</p>", []),
    ("<p>Save and continue</p>", ["Save and continue"]),
    ('<button aria-label="Close the menu">X</button>', ["Close the menu"]),
    ('<input type="submit" value="Sign in">', ["Sign in"]),
    ("<p>Statws: Active</p>", ["Statws: Active"]),
    ("<script>var the = 'and';</script><p>Iawn</p>", []),
    ("<p>Cytundeb Safeguarding children in Herts</p>", []),  # the register's own words
    ("<p>Anfonwch at dpo@herts.example</p>", []),
    ("<button>English</button>", []),
])
def test_the_check_finds_english_words(page, found):
    assert english_left(page, data={"Safeguarding children in Herts", "active"}) == found
