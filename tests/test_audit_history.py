"""The history shown on the pages: each change in words (names, dates, choices), never raw ids."""
import re
from datetime import date

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
    assert presented.changes[0].new == "legitimate purpose: yes; how: how much, fact opinion; lawful reasons: none"


def test_the_audit_trail_is_in_the_officers_navigation(client, login_as):
    login_as("officer")
    assert 'href="/audit/">Audit trail</a>' in client.get("/agreements/").get_data(as_text=True)
