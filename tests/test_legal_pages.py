"""The catalogue pages, local entries, the `check` command and the "needs attention" page."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from isa.agreements.models import AgreementStatus, DataLocation
from isa.audit.models import AuditEvent
from isa.legal.models import LegalBasis
from isa.flows.models import DataFlow
from isa.organisations.types import OrganisationType
from tests.conftest import count, csrf_token, post_form

LOCAL = {
    "code": "LOCAL-HA2030-S12",
    "title": "Health Act 2030 s12 duty to share",
    "summary": "A duty on health bodies to share information for direct care.",
    "regime": "statute",
    "kind": "gateway",
    "in_force_from": ["1", "4", "2030"],
    "in_force_to": ["", "", ""],
    "successors": "",
    "sch1_part": "",
    "needs_sch1_part": "",
}


def field_error(html, field):
    """The GOV.UK error message shown next to `field`, or None."""
    match = re.search(rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    return match and re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- the catalogue ------------------------------------------------------------------------------


def test_catalogue_needs_sign_in(client):
    response = client.get("/legal-bases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_catalogue_lists_every_kind_for_a_partner(client, login_as):
    login_as("partner")
    html = client.get("/legal-bases").get_data(as_text=True)
    for text in ("UKGDPR-A6-1E", "DPA2018-SCH1-18", "CDA1998-S115", "DPA 2018 Schedule 1 conditions", "Statutory gateways"):
        assert text in html
    assert "Add a lawful basis" not in html  # only administrators add entries


def test_catalogue_search_by_code_title_and_summary(client, login_as):
    login_as("officer")
    by_title = client.get("/legal-bases?q=safeguarding").get_data(as_text=True)
    assert "DPA2018-SCH1-18" in by_title and "UKGDPR-A6-1B" not in by_title
    by_code = client.get("/legal-bases?q=cda1998-s115").get_data(as_text=True)
    assert "CDA1998-S115" in by_code and "UKGDPR-A6-1E" not in by_code
    nothing = client.get("/legal-bases?q=zebra-crossing").get_data(as_text=True)
    assert "No lawful bases match" in nothing


def test_catalogue_filters_in_force_and_legacy(client, login_as):
    login_as("officer")
    legacy = client.get("/legal-bases?when=legacy").get_data(as_text=True)
    assert "DPA1998-SCH2-5B" in legacy and "UKGDPR-A6-1E" not in legacy
    current = client.get("/legal-bases?when=in_force").get_data(as_text=True)
    assert "UKGDPR-A6-1E" in current and "DPA1998-SCH2-5B" not in current


def test_an_entry_shows_its_successors_as_links(client, login_as):
    login_as("partner")
    html = client.get("/legal-bases/DPA1998-SCH2-5B").get_data(as_text=True)
    assert 'href="/legal-bases/UKGDPR-A6-1E"' in html
    assert "24 May 2018" in html
    assert client.get("/legal-bases/NO-SUCH-CODE").status_code == 404


# --- local entries ------------------------------------------------------------------------------


def test_admin_adds_a_local_entry_which_then_appears(client, login_as, db):
    login_as("admin")
    response = post_form(client, "/legal-bases/new", LOCAL)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/legal-bases/LOCAL-HA2030-S12")
    basis = db.session.get(LegalBasis, "LOCAL-HA2030-S12")
    assert basis.local and basis.kind == "gateway" and basis.in_force_from == date(2030, 4, 1)
    listing = client.get("/legal-bases?q=health+act+2030").get_data(as_text=True)
    assert "LOCAL-HA2030-S12" in listing
    assert "Health Act 2030 s12 duty to share" in client.get("/legal-bases/LOCAL-HA2030-S12").get_data(as_text=True)


@pytest.mark.parametrize("role", ["officer", "partner"])
def test_only_admins_add_entries(client, login_as, db, role):
    login_as(role)
    assert client.get("/legal-bases/new").status_code == 403
    before = count(db, LegalBasis)
    response = post_form(client, "/legal-bases/new", LOCAL, get_url="/account/password")  # a valid token: the role refuses
    assert response.status_code == 403
    assert count(db, LegalBasis) == before


@pytest.mark.parametrize(
    "code, message",
    [
        ("local-ha2030", "capital letters, numbers and hyphens"),
        ("-LOCAL", "capital letters, numbers and hyphens"),
        ("X", "capital letters, numbers and hyphens"),
        ("LOCAL HA2030", "capital letters, numbers and hyphens"),
        ("A" * 41, "capital letters, numbers and hyphens"),
        ("", "Enter a code"),
        ("UKGDPR-A6-1E", "already in the catalogue"),
    ],
)
def test_bad_codes_are_refused_next_to_the_field(client, login_as, db, code, message):
    login_as("admin")
    before = count(db, LegalBasis)
    response = post_form(client, "/legal-bases/new", dict(LOCAL, code=code))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in (field_error(html, "code") or "")
    assert 'href="#code"' in html  # the error summary links to the field
    assert count(db, LegalBasis) == before


def test_other_answers_are_checked(client, login_as, db):
    login_as("admin")
    html = post_form(client, "/legal-bases/new", dict(LOCAL, successors="NOT-A-CODE", sch1_part="2", kind="")).get_data(as_text=True)
    assert "NOT-A-CODE is not in the catalogue" in field_error(html, "successors")
    assert "Choose the kind" in field_error(html, "kind")
    assert db.session.get(LegalBasis, "LOCAL-HA2030-S12") is None


def test_admin_edits_a_local_entry(client, login_as, db):
    login_as("admin")
    post_form(client, "/legal-bases/new", LOCAL)
    form = client.get("/legal-bases/LOCAL-HA2030-S12/edit").get_data(as_text=True)
    assert 'value="Health Act 2030 s12 duty to share"' in form and 'value="2030"' in form
    assert 'name="code"' not in form  # a code never changes
    response = post_form(client, "/legal-bases/LOCAL-HA2030-S12/edit", dict(LOCAL, title="Health Act 2030 s12 (amended)"))
    assert response.status_code == 302
    basis = db.session.get(LegalBasis, "LOCAL-HA2030-S12")
    assert basis.title == "Health Act 2030 s12 (amended)" and not basis.has_local_wording


# --- the local wording of a shipped entry -------------------------------------------------------

SHIPPED_TITLE = "Art 6(1)(e) public task"
LOCAL_WORDING = {"title": "Public task in our partnership wording", "summary": "Our own explanation of public task for our practitioners."}


def reword(client, code="UKGDPR-A6-1E", **wording):
    return post_form(client, f"/legal-bases/{code}/edit", dict(LOCAL_WORDING, **wording))


def test_admin_rewords_a_shipped_entry_and_the_history_shows_it(client, login_as, db):
    admin = login_as("admin")
    form = client.get("/legal-bases/UKGDPR-A6-1E/edit").get_data(as_text=True)
    assert f'value="{SHIPPED_TITLE}"' in form and 'name="summary"' in form
    assert 'name="kind"' not in form and 'name="regime"' not in form  # only the wording is local

    response = reword(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/legal-bases/UKGDPR-A6-1E")
    basis = db.session.get(LegalBasis, "UKGDPR-A6-1E")
    assert (basis.title, basis.summary) == (LOCAL_WORDING["title"], LOCAL_WORDING["summary"])
    assert basis.has_local_wording and not basis.shipped_wording_changed and not basis.local
    assert basis.shipped_title == SHIPPED_TITLE and basis.kind == "art6"

    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "LegalBasis")).one()
    assert (event.actor, event.action, event.entity_label) == (admin.email, "updated", "UKGDPR-A6-1E")
    assert event.changes["title"] == [SHIPPED_TITLE, LOCAL_WORDING["title"]]
    assert set(event.changes) == {"title", "summary"}

    page = client.get("/legal-bases/UKGDPR-A6-1E").get_data(as_text=True)
    assert LOCAL_WORDING["title"] in page and "shows a local wording" in page
    assert "with a local title and summary" in page
    assert 'href="/legal-bases/UKGDPR-A6-1E/shipped-wording"' in page
    history = page[page.index("History"):]
    assert admin.name in history and f"{SHIPPED_TITLE}</span> → {LOCAL_WORDING['title']}" in history
    trail = client.get("/audit/?entity=LegalBasis").get_data(as_text=True)
    assert "UKGDPR-A6-1E" in trail and LOCAL_WORDING["title"] in trail
    assert "Local wording" in client.get("/legal-bases?q=partnership").get_data(as_text=True)


def test_a_partner_sees_the_local_wording_but_cannot_change_it(client, login_as, db):
    login_as("admin")
    reword(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/agreements/")})
    login_as("partner")
    page = client.get("/legal-bases/UKGDPR-A6-1E").get_data(as_text=True)
    assert LOCAL_WORDING["title"] in page and "local wording of a shipped entry" in page
    assert "/edit" not in page and "shipped-wording" not in page


@pytest.mark.parametrize(
    "wording, field, message",
    [
        ({"title": " "}, "title", "Enter a title"),
        ({"summary": ""}, "summary", "Enter a summary"),
        ({"title": "T" * 301}, "title", "300 characters or fewer"),
        ({"summary": "S" * 2001}, "summary", "2000 characters or fewer"),
    ],
)
def test_a_bad_wording_is_refused_next_to_the_field(client, login_as, db, wording, field, message):
    login_as("admin")
    response = reword(client, **wording)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in (field_error(html, field) or "")
    assert f'href="#{field}"' in html
    basis = db.session.get(LegalBasis, "UKGDPR-A6-1E")
    assert basis.title == SHIPPED_TITLE and not basis.has_local_wording


def test_saving_the_shipped_wording_is_no_local_wording(client, login_as, db):
    login_as("admin")
    shipped = db.session.get(LegalBasis, "UKGDPR-A6-1E")
    reword(client, title=shipped.title, summary=shipped.summary)
    assert not db.session.get(LegalBasis, "UKGDPR-A6-1E").has_local_wording


@pytest.mark.parametrize("role", ["officer", "partner"])
@pytest.mark.parametrize("path", ["edit", "shipped-wording"])
def test_only_admins_reword_or_restore(client, login_as, db, role, path):
    login_as(role)
    assert client.get(f"/legal-bases/UKGDPR-A6-1E/{path}").status_code == 403
    # A valid CSRF token, so the role is what refuses the change.
    response = post_form(client, f"/legal-bases/UKGDPR-A6-1E/{path}", LOCAL_WORDING, get_url="/agreements/")
    assert response.status_code == 403
    assert db.session.get(LegalBasis, "UKGDPR-A6-1E").title == SHIPPED_TITLE
    assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "LegalBasis")).all()


def _shipped_with(monkeypatch, code, **changes):
    """The catalogue file as a later release might ship it: `code`'s entry changed."""
    from isa.legal import catalogue

    entries = tuple(dict(entry, **changes) if entry["code"] == code else entry for entry in catalogue.shipped_entries())
    monkeypatch.setattr(catalogue, "shipped_entries", lambda: entries)


def test_sync_keeps_the_local_wording_and_refreshes_the_rest(client, login_as, runner, db, monkeypatch):
    login_as("admin")
    reword(client)
    _shipped_with(monkeypatch, "UKGDPR-A6-1E", in_force_from=date(2018, 5, 26))
    result = runner.invoke(args=["legal", "sync"])
    assert result.exit_code == 0, result.output
    assert "0 added, 106 refreshed" in result.output and "changed since" not in result.output
    basis = db.session.get(LegalBasis, "UKGDPR-A6-1E")
    assert basis.title == LOCAL_WORDING["title"] and basis.in_force_from == date(2018, 5, 26)
    assert not basis.shipped_wording_changed


def test_sync_flags_a_shipped_wording_changed_since_the_local_one(client, login_as, runner, db, monkeypatch):
    login_as("admin")
    reword(client)
    reword(client, code="UKGDPR-A6-1C")
    new_summary = "A newer shipped summary of public task."
    _shipped_with(monkeypatch, "UKGDPR-A6-1E", summary=new_summary)
    result = runner.invoke(args=["legal", "sync"])
    assert result.exit_code == 0, result.output
    assert "changed since these entries were given a local wording (1)" in result.output
    assert "UKGDPR-A6-1E" in result.output and "UKGDPR-A6-1C" not in result.output

    basis = db.session.get(LegalBasis, "UKGDPR-A6-1E")
    assert basis.summary == LOCAL_WORDING["summary"] and basis.shipped_summary == new_summary
    assert basis.shipped_wording_changed
    assert not db.session.get(LegalBasis, "UKGDPR-A6-1C").shipped_wording_changed
    page = client.get("/legal-bases/UKGDPR-A6-1E").get_data(as_text=True)
    assert "has changed since it was given a local wording" in page
    assert "Local wording (shown in isa)" in page and "New shipped wording" in page
    assert new_summary in page and LOCAL_WORDING["summary"] in page

    # Saving the wording again records that it now answers to the new shipped text.
    assert new_summary in client.get("/legal-bases/UKGDPR-A6-1E/edit").get_data(as_text=True)
    reword(client)
    assert not db.session.get(LegalBasis, "UKGDPR-A6-1E").shipped_wording_changed
    assert "changed since" not in runner.invoke(args=["legal", "sync"]).output


def test_sync_refreshes_an_entry_without_a_local_wording(runner, db, monkeypatch):
    _shipped_with(monkeypatch, "UKGDPR-A6-1E", title="Art 6(1)(e) public task (revised)")
    assert runner.invoke(args=["legal", "sync"]).exit_code == 0
    basis = db.session.get(LegalBasis, "UKGDPR-A6-1E")
    assert basis.title == basis.shipped_title == "Art 6(1)(e) public task (revised)"


def test_admin_goes_back_to_the_shipped_wording_after_confirming(client, login_as, runner, db, monkeypatch):
    login_as("admin")
    reword(client)
    _shipped_with(monkeypatch, "UKGDPR-A6-1E", summary="A newer shipped summary.")
    runner.invoke(args=["legal", "sync"])

    confirm = client.get("/legal-bases/UKGDPR-A6-1E/shipped-wording")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Go back to the shipped wording" in html
    assert LOCAL_WORDING["summary"] in html and "A newer shipped summary." in html
    assert db.session.get(LegalBasis, "UKGDPR-A6-1E").has_local_wording  # nothing changes until confirmed

    response = post_form(client, "/legal-bases/UKGDPR-A6-1E/shipped-wording", {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/legal-bases/UKGDPR-A6-1E")
    basis = db.session.get(LegalBasis, "UKGDPR-A6-1E")
    assert (basis.title, basis.summary) == (SHIPPED_TITLE, "A newer shipped summary.")
    assert not basis.has_local_wording and not basis.shipped_wording_changed
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "LegalBasis").order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["updated", "updated"]
    assert events[-1].changes["title"] == [LOCAL_WORDING["title"], SHIPPED_TITLE]
    page = client.get("/legal-bases/UKGDPR-A6-1E").get_data(as_text=True)
    assert "local wording" not in page and "shipped-wording" not in page

    again = client.get("/legal-bases/UKGDPR-A6-1E/shipped-wording").get_data(as_text=True)
    assert "already shows the shipped wording" in again and "Yes, discard" not in again


# --- flask check REFERENCE ----------------------------------------------------------------------


def test_check_passes_a_sound_agreement(runner, make):
    make.agreement(reference="ISA-2024-001", status=AgreementStatus.ACTIVE)
    result = runner.invoke(args=["check", "ISA-2024-001", "--today", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert "error" not in result.stdout and "warning" not in result.stdout


def test_check_prints_warnings_and_exits_0(runner, make):
    make.agreement(reference="ISA-2024-002", status=AgreementStatus.ACTIVE, data_location=DataLocation.OTHER)
    result = runner.invoke(args=["check", "ISA-2024-002"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("warning data-location Data is held outside the UK and EEA")


def test_check_prints_errors_and_exits_1(runner, make, db):
    police = make.organisation(name="Hertfordshire Constabulary", type=OrganisationType.POLICE)
    charity = make.organisation(name="Safe Families Charity", type=OrganisationType.CHARITY)
    agreement = make.agreement(reference="ISA-2024-003", parties=[police, charity], status=AgreementStatus.ACTIVE)
    agreement.flows[0].lawful_bases = ["UKGDPR-A6-1E", "CDA1998-S115", "DPA1998-SCH2-5B"]
    db.session.commit()
    result = runner.invoke(args=["check", "ISA-2024-003"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "error s115-recipient Hertfordshire Constabulary → Safe Families Charity: CDA1998-S115 (Crime and Disorder Act "
        "1998 s115: disclosure to relevant authorities) only allows disclosure to a relevant authority (s115(2): the "
        "police, local policing bodies, local authorities, probation providers and health commissioners such as "
        "integrated care boards, or someone acting on behalf of one), and Safe Families Charity is not one. Rely on "
        "another basis for that recipient, such as UKGDPR-A6-1E (public task) with the common-law public interest "
        "test, and remove s115 from this flow."
    )
    assert lines[1].startswith("warning legacy-basis Hertfordshire Constabulary → Safe Families Charity: DPA1998-SCH2-5B")
    assert "UKGDPR-A6-1E" in lines[1]


def test_check_refuses_an_unknown_reference(runner):
    result = runner.invoke(args=["check", "ISA-NOPE"])
    assert result.exit_code == 2
    assert "no agreement with the reference ISA-NOPE" in result.output


# --- the register-wide "needs attention" page ---------------------------------------------------


def test_attention_lists_agreements_with_errors_first(client, login_as, make, db):
    broken = make.agreement(reference="ISA-2024-010", title="Broken", status=AgreementStatus.ACTIVE)
    broken.flows[0].lawful_bases = []  # art6-missing
    make.agreement(reference="ISA-2024-011", title="Abroad", status=AgreementStatus.ACTIVE, data_location=DataLocation.OTHER)
    make.agreement(reference="ISA-2024-012", title="Sound", status=AgreementStatus.ACTIVE)
    db.session.commit()

    login_as("officer")
    response = client.get("/attention")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/agreements/ISA-2024-010"' in html
    assert html.index("ISA-2024-010") < html.index("ISA-2024-011")  # errors before warnings only
    assert "art6-missing" in html and "data-location" in html
    assert "ISA-2024-012" not in html

    only_location = client.get("/attention?rule=data-location").get_data(as_text=True)
    assert "ISA-2024-011" in only_location and "ISA-2024-010" not in only_location


@pytest.mark.parametrize("role", ["partner"])
def test_attention_is_for_officers(client, login_as, role):
    login_as(role)
    assert client.get("/attention").status_code == 403


def test_findings_include_renders_each_finding(app, make, db):
    from flask import render_template_string

    from isa.legal.queries import agreement_findings

    agreement = make.agreement(status=AgreementStatus.ACTIVE, data_location=DataLocation.OTHER)
    agreement.flows[0].lawful_bases = []
    db.session.commit()
    findings = agreement_findings(agreement, date(2026, 1, 1))
    with app.test_request_context():
        html = render_template_string('{% include "legal/_findings.html" %}', findings=findings, agreement=agreement)
        empty = render_template_string('{% include "legal/_findings.html" %}', findings=[], agreement=agreement)
    assert html.index("govuk-tag--red") < html.index("govuk-tag--yellow")
    assert "This flow of personal data has no lawful basis that counts for it" in html
    assert f'href="#flow-{agreement.flows[0].id}"' in html and "the whole agreement" in html
    assert "No problems found" in empty


def test_a_finding_raised_by_many_flows_reads_once_with_a_link_to_each(client, login_as, make, db):
    agreement = make.agreement(status=AgreementStatus.ACTIVE, reference="ISA-MANY-001")
    first = agreement.flows[0]
    for _ in range(3):
        agreement.flows.append(DataFlow(from_organisation=first.from_organisation, to_organisation=first.to_organisation,
                                        categories=["personal"], items="Names", purposes=["safeguarding children"], lawful_bases=[]))
    db.session.commit()
    login_as("officer")
    page = client.get("/agreements/ISA-MANY-001").get_data(as_text=True)
    assert page.count("has no lawful basis that counts for it") == 1
    for flow in agreement.flows[1:]:
        assert f'href="#flow-{flow.id}"' in page and f'id="flow-{flow.id}"' in page
    assert "3 data flows it applies to" in page
    assert 'href="#checks"' in page and 'href="#flows"' in page  # the page's contents


def test_a_new_draft_with_nothing_in_it_is_not_said_to_have_no_problems(client, login_as, make):
    make.agreement(parties=[], flows=False, reference="ISA-EMPTY-001")
    login_as("officer")
    page = client.get("/agreements/ISA-EMPTY-001").get_data(as_text=True)
    assert "No problems found" not in page
    assert "Nothing to check yet. Add the parties and at least one data flow" in page


def test_lawful_bases_show_code_and_title(client, login_as, make, db):
    make.agreement(reference="ISA-TITLE-001")
    login_as("officer")
    page = client.get("/agreements/ISA-TITLE-001").get_data(as_text=True)
    title = _db_title("UKGDPR-A6-1E")
    from markupsafe import escape

    assert "UKGDPR-A6-1E</a> " + str(escape(title)) in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegalBasis)) >= 106


def _db_title(code):
    from isa.extensions import db

    return db.session.get(LegalBasis, code).title
