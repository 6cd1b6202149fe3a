"""The history shown on the pages: each change in words (names, dates, choices), never raw ids."""
import re
from datetime import date, datetime

import sqlalchemy as sa

from isa.agreements.models import AgreementStatus as S
from isa.audit.models import AuditEvent
from isa.audit.presenting import present
from isa.audit.queries import HISTORY_ROWS
from isa.audit.tracking import acting_as


def _history(page):
    """The history table's text, flattened."""
    table = page[page.index("<caption class=\"govuk-table__caption govuk-table__caption--m\">History"):]
    table = table[:table.index("</table>")]
    return " ".join(re.sub(r"<[^>]+>", " ", table).split())


def test_changes_read_as_the_pages_show_them(client, login_as, make, db):
    council, police, other = make.organisation(name="Herts CC"), make.organisation(name="Herts Police"), make.organisation(name="Luton BC")
    agreement = make.agreement(parties=[council, police], status=S.AWAITING_SIGNATURES)
    with acting_as("officer@example.org"):
        agreement.lead_organisation = other
        agreement.review_date = date(2028, 3, 1)
        agreement.status = S.ACTIVE
        agreement.flows[0].categories = ["personal", "special_category"]
        db.session.commit()
    login_as("officer")
    text = _history(client.get(f"/agreements/{agreement.reference}").get_data(as_text=True))
    assert "Lead organisation : Herts CC → Luton BC" in text
    assert "Review date : 1 December 2027 → 1 March 2028" in text
    assert "Status : Awaiting signatures → Active" in text
    assert "Categories : Personal data → Personal data, Special category data" in text
    # when created: names and labels, not ids and codes
    assert "From organisation : Herts CC" in text and "To organisation : Herts Police" in text
    assert "Frequency : Ad hoc" in text
    assert not re.search(r"\b(lead organisation id|owner id|_id)\b", text)
    assert "2027-12-01" not in text and "awaiting_signatures" not in text


def test_an_id_whose_record_has_gone_says_so(db, make):
    event = AuditEvent(actor="x", action="updated", entity_type="Agreement", entity_id=1, entity_label="ISA-1",
                       changes={"owner_id": [987654, None]})
    (presented,) = present([event])
    assert [(c.label, c.old, c.new) for c in presented.changes] == [("Owner", "#987654 (since removed)", None)]
    channel_event = AuditEvent(actor="x", action="updated", entity_type="TransferChannel", entity_id=1, entity_label="c",
                               changes={"special_category_approved": [False, True]})
    (presented,) = present([channel_event])
    assert [(c.label, c.old, c.new) for c in presented.changes] == [("Approved for special category data", "No", "Yes")]


def test_the_agreement_page_shows_the_latest_changes_and_links_to_the_rest(client, login_as, make, db):
    agreement = make.agreement()
    for n in range(HISTORY_ROWS + 5):
        with acting_as("officer@example.org"):
            agreement.title = f"Title {n}"
            db.session.commit()
    login_as("officer")
    page = client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)
    assert _history(page).count("Updated") == HISTORY_ROWS
    assert f'href="/audit/?agreement={agreement.reference}"' in page
    full = client.get(f"/audit/?agreement={agreement.reference}").get_data(as_text=True)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.agreement_id == agreement.id))
    assert _history(full).count("Title 0") >= 1 and f"{events} results" in full
    other = make.agreement(title="Someone else's")
    assert other.reference not in full


def test_a_short_history_has_no_link_and_unknown_subjects_are_404(client, login_as, make):
    organisation = make.organisation()
    login_as("officer")
    page = client.get(f"/organisations/{organisation.slug}").get_data(as_text=True)
    assert "See the full history" not in page and "History" in page
    assert client.get("/audit/?agreement=ISA-NOPE").status_code == 404
    assert client.get("/audit/?organisation=nope").status_code == 404
    assert client.get(f"/audit/?organisation={organisation.slug}").status_code == 200


def test_signing_in_is_not_a_change_to_the_register(client, login_as, db):
    login_as("officer")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "updated")) == 0


def test_a_decisions_answers_read_as_words(db):
    event = AuditEvent(actor="x", action="created", entity_type="SharingDecision", entity_id=1, entity_label="d",
                       changes={"answers": [None, {"legitimate_purpose": "yes", "how": ["how_much", "fact_opinion"], "lawful_reasons": []}]})
    (presented,) = present([event])
    assert presented.changes[0].new == (  # as the flowchart words its questions and answers
        "Is there a clear and legitimate purpose for sharing the information? Yes; "
        "Is there another lawful reason to share without consent? none; "
        "Checks confirmed before sharing: I have identified how much information to share: only what the purpose needs, "
        "I have distinguished fact from opinion, and the information is accurate and up to date"
    )


def test_the_audit_trail_is_in_the_officers_navigation(client, login_as):
    login_as("officer")
    assert 'href="/audit/">Audit trail</a>' in client.get("/agreements/").get_data(as_text=True)


def _trail_rows(client, query=""):
    page = client.get("/audit/" + query).get_data(as_text=True)
    return _history(page) if "<caption class=\"govuk-table__caption govuk-table__caption--m\">History" in page else ""


def test_the_trail_filters_by_who_what_record_and_dates(client, login_as, make, db):
    make.user(role="officer", email="sam@example.org", name="Sam Green")
    first, second = make.agreement(title="Family safeguarding"), make.agreement(title="Youth offending")
    with acting_as("sam@example.org"):
        first.title = "Family safeguarding, renamed"
        db.session.commit()
    # a change made years ago (the trail is append-only: written as it was then)
    db.session.add(AuditEvent(actor="someone@example.org", action="updated", entity_type="Agreement", entity_id=second.id,
                              entity_label=second.reference, agreement_id=second.id, at=datetime(2020, 6, 1, 12),
                              changes={"title": ["Youth offending", "Youth offending, renamed"]}))
    db.session.commit()
    login_as("officer")
    by_sam = _trail_rows(client, "?who=sam@example.org")
    assert "Family safeguarding, renamed" in by_sam and "Youth offending" not in by_sam
    assert "Sam Green" in by_sam and "sam@example.org" not in by_sam  # a name, as on every page
    assert "Family safeguarding" not in _trail_rows(client, f"?record={second.reference.lower()}")
    assert "Created" not in _trail_rows(client, "?action=updated&entity=Agreement")
    recent = _trail_rows(client, "?from-day=1&from-month=1&from-year=2021")
    assert "Family safeguarding, renamed" in recent and "Youth offending, renamed" not in recent
    before = _trail_rows(client, "?to-day=31&to-month=12&to-year=2020")
    assert "Youth offending, renamed" in before and "Family safeguarding" not in before
    problem = client.get("/audit/?from-day=1&from-month=13&from-year=2021").get_data(as_text=True)
    assert "Changed from must be a real date" in problem and 'type="date"' not in problem


def test_the_trail_sorts_by_who(client, login_as, make, db):
    make.user(role="officer", email="zed@example.org", name="Zed Able")
    make.user(role="officer", email="amy@example.org", name="Amy Zee")
    agreement = make.agreement()
    for email in ("zed@example.org", "amy@example.org"):
        with acting_as(email):
            agreement.title = f"Changed by {email}"
            db.session.commit()
    login_as("officer")
    rows = _trail_rows(client, "?sort=actor&action=updated")
    assert rows.index("Amy Zee") < rows.index("Zed Able")
    rows = _trail_rows(client, "?sort=-actor&action=updated")
    assert rows.index("Zed Able") < rows.index("Amy Zee")


def test_who_is_a_name_on_every_page(client, login_as, make, db):
    from isa.api.tokens import create_token

    make.user(role="admin", email="ada@example.org", name="Ada Admin")
    officer = make.user(role="officer", email="olu@example.org", name="Olu Officer")
    with acting_as("ada@example.org"):
        create_token(officer, "Case system")
        db.session.commit()
    login_as("admin")
    listing = client.get("/tokens/").get_data(as_text=True)
    assert "by Ada Admin" in listing and "Olu Officer" in listing
