"""Every list sorts by its columns: a header link sorts by it, again the other way."""
import pytest

from isa.sharing.operations import ask


def _order(page, names):
    positions = {name: page.index(name) for name in names}
    return sorted(names, key=positions.get)


@pytest.mark.parametrize("sort, expected", [
    ("name", ["Aldenham Parish Council", "Bushey Police", "Croxley Surgery"]),
    ("-name", ["Croxley Surgery", "Bushey Police", "Aldenham Parish Council"]),
    ("type", ["Aldenham Parish Council", "Croxley Surgery", "Bushey Police"]),  # local_authority, nhs_trust, police
])
def test_organisations_sort_by_their_columns(client, login_as, make, sort, expected):
    make.organisation(name="Croxley Surgery", type="nhs_trust")
    make.organisation(name="Aldenham Parish Council", type="local_authority")
    make.organisation(name="Bushey Police", type="police")
    login_as("officer")
    page = client.get(f"/organisations/?sort={sort}").get_data(as_text=True)
    assert _order(page, expected) == expected
    assert 'aria-sort="' in page


@pytest.mark.parametrize("sort, expected", [("name", ["Ann Apple", "Bob Berry"]), ("-name", ["Bob Berry", "Ann Apple"])])
def test_users_sort_by_their_columns(client, login_as, make, sort, expected):
    make.user(role="officer", name="Bob Berry")
    make.user(role="partner", name="Ann Apple")
    login_as("admin")
    page = client.get(f"/users?sort={sort}").get_data(as_text=True)
    assert _order(page, expected) == expected


@pytest.mark.parametrize("sort, expected", [("asked_by", ["Ann Apple", "Bob Berry"]), ("-asked_by", ["Bob Berry", "Ann Apple"])])
def test_the_check_log_sorts_by_who_asked(client, login_as, make, db, sort, expected):
    police, council = make.organisation(type="police"), make.organisation()
    ask(make.user(role="officer", email="ann@example.org", name="Ann Apple"), police, council, "personal", "first")
    ask(make.user(role="officer", email="bob@example.org", name="Bob Berry"), police, council, "personal", "second")
    login_as("officer")
    page = client.get(f"/check/log?sort={sort}").get_data(as_text=True)
    log = page[page.index("Asked by"):]
    assert _order(log, expected) == expected
