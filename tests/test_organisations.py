import pytest
import sqlalchemy as sa

from isa.audit.models import AuditEvent
from isa.organisations.models import Organisation
from isa.organisations.types import OrganisationType, StatutoryRole, has_role, statutory_roles
from tests.conftest import count, post_form

VALID = {
    "name": "Hertfordshire Constabulary", "slug": "herts-police", "type": "police", "ico_registration": "z1234567",
    "dpo_name": "D P O", "dpo_email": "dpo@herts.police.uk", "spoc_name": "S P", "spoc_email": "dp@herts.police.uk", "address": "Welwyn",
}


@pytest.mark.parametrize(
    "org_type, s11, s115, public, competent",
    [
        ("local_authority", True, True, True, False),
        ("police", True, True, True, True),
        ("nhs_trust", True, False, True, False),  # an NHS provider trust is not an s115 relevant authority
        ("nhs_foundation_trust", True, False, True, False),
        ("integrated_care_board", True, True, True, False),  # the health commissioner is
        ("probation", True, True, True, True),
        ("youth_offending_team", True, True, True, True),  # acting on behalf of its council; Sch 7 names it
        ("prison", True, False, True, True),
        ("school", False, False, True, False),
        ("charity", False, False, False, False),
        ("private_provider", False, False, False, False),
        ("other_public_body", False, False, True, False),
    ],
)
def test_statutory_roles_follow_from_type(org_type, s11, s115, public, competent):
    assert has_role(org_type, StatutoryRole.COMPETENT_AUTHORITY) is competent
    assert has_role(org_type, StatutoryRole.COMPETENT_AUTHORITY, law_enforcement_functions=True) is True
    assert has_role(org_type, StatutoryRole.CA2004_S11_BODY) is s11
    assert has_role(org_type, StatutoryRole.CDA1998_S115_AUTHORITY) is s115
    assert has_role(org_type, StatutoryRole.PUBLIC_AUTHORITY) is public


def test_every_type_has_a_row_in_the_roles_table():
    for org_type in OrganisationType:
        statutory_roles(org_type)  # raises KeyError for a type the table forgot


def test_officer_creates_an_organisation(client, login_as, db):
    login_as("officer")
    response = post_form(client, "/organisations/new", VALID)
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "herts-police"))
    assert org.ico_registration == "Z1234567"
    page = client.get("/organisations/herts-police").get_data(as_text=True)
    assert "Crime and Disorder Act 1998 s115 relevant authority" in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "Organisation", AuditEvent.entity_id == org.id))
    assert event.action == "created" and event.actor.startswith("officer")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "", "Enter the organisation&#39;s name"),
        ("slug", "Herts Police", "Use lower-case letters, numbers and hyphens only"),
        ("type", "", "Choose the type of organisation"),
        ("type", "cult", "Choose the type of organisation"),
        ("ico_registration", "12345", "Enter an ICO registration number in the correct format"),
        ("ico_registration", "ZC123456", "Enter an ICO registration number in the correct format"),
        ("dpo_email", "not an email", "Enter an email address in the correct format"),
        ("spoc_email", "a@b", "Enter an email address in the correct format"),
    ],
)
def test_organisation_form_validation(client, login_as, db, field, value, message):
    login_as("officer")
    response = post_form(client, "/organisations/new", dict(VALID, **{field: value}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'href="#{field}' in html  # the error summary links to the field
    assert count(db, Organisation) == 0

def test_duplicate_slug_is_refused(client, login_as, make, db):
    make.organisation(slug="herts-police")
    login_as("officer")
    response = post_form(client, "/organisations/new", VALID)
    assert "already used" in response.get_data(as_text=True)


def test_edit_is_audited_with_old_and_new_values(client, login_as, make, db):
    org = make.organisation(slug="herts-cc", name="Herts CC")
    login_as("officer")
    data = dict(VALID, slug="herts-cc", name="Hertfordshire County Council", type="local_authority")
    assert post_form(client, "/organisations/herts-cc/edit", data).status_code == 302
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_id == org.id, AuditEvent.entity_type == "Organisation", AuditEvent.action == "updated")
    ).one()
    assert event.changes["name"] == ["Herts CC", "Hertfordshire County Council"]
    page = client.get("/organisations/herts-cc").get_data(as_text=True)
    assert "Herts CC" in page and "History" in page


def test_search_and_filter_by_type(client, login_as, make):
    make.organisation(slug="herts-police", name="Hertfordshire Constabulary", type=OrganisationType.POLICE)
    make.organisation(slug="cgl", name="Change Grow Live", type=OrganisationType.CHARITY)
    login_as("officer")
    html = client.get("/organisations/?q=grow").get_data(as_text=True)
    assert "Change Grow Live" in html and "Hertfordshire Constabulary" not in html
    html = client.get("/organisations/?type=police").get_data(as_text=True)
    assert "Hertfordshire Constabulary" in html and "Change Grow Live" not in html


def test_deleting_a_party_organisation_is_refused_with_the_reason(client, login_as, make, db):
    agreement = make.agreement()
    org = agreement.parties[0].organisation
    login_as("officer")
    page = client.get(f"/organisations/{org.slug}/delete").get_data(as_text=True)
    assert agreement.reference in page and "cannot be removed" in page
    response = post_form(client, f"/organisations/{org.slug}/delete", {}, get_url=f"/organisations/{org.slug}")
    assert response.status_code == 302
    assert db.session.get(Organisation, org.id) is not None
    assert "is a party to 1 agreement" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_deleting_an_unused_organisation_after_confirmation(client, login_as, make, db):
    org = make.organisation()
    org_id, slug = org.id, org.slug
    login_as("officer")
    assert "Yes, remove it" in client.get(f"/organisations/{slug}/delete").get_data(as_text=True)
    response = post_form(client, f"/organisations/{slug}/delete", {})
    assert response.status_code == 302
    db.session.expunge_all()
    assert db.session.get(Organisation, org_id) is None


def test_unknown_organisation_is_404(client, login_as):
    login_as("officer")
    assert client.get("/organisations/nope").status_code == 404


def test_an_organisation_with_statutory_law_enforcement_functions_is_a_competent_authority(client, login_as, make, db):
    make.organisation(slug="borough", name="Borough Council")
    login_as("officer")
    data = dict(VALID, slug="borough", name="Borough Council", type="local_authority", law_enforcement_functions="y")
    assert post_form(client, "/organisations/borough/edit", data).status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "borough"))
    assert org.law_enforcement_functions is True
    assert StatutoryRole.COMPETENT_AUTHORITY in org.statutory_roles
    assert "DPA 2018 competent authority" in client.get("/organisations/borough").get_data(as_text=True)
    data.pop("law_enforcement_functions")  # an unticked box
    assert post_form(client, "/organisations/borough/edit", data).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Organisation.law_enforcement_functions).where(Organisation.slug == "borough")) is False
