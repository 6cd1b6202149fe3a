"""Reviews, the DPIA and the audit trail in Welsh (issue 17): the pages, the forms and their errors,
the flashes and the history read in Welsh, while the stored history stays as it was written."""
import html
from datetime import date

import sqlalchemy as sa

from isa.agreements.models import AgreementStatus
from isa.audit.models import AuditEvent
from isa.dpia.models import Dpia
from isa.reviews.models import Review
from tests.conftest import post_form

TODAY = date.today()


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def _version(db, agreement):
    db.session.refresh(agreement)
    return str(agreement.version)


def _review(client, db, agreement, **changes):
    data = {"version": _version(db, agreement), "reviewed_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
            "reviewer": "Sam Green, information governance", "outcome": "continue", "notes": "",
            "review_interval_months": "12", "next_review_date": ["", "", ""]}
    data.update(changes)
    return post_form(client, f"/agreements/{agreement.reference}/reviews/new", data)


def test_the_dashboard_in_welsh(client, login_as, make):
    make.agreement(status=AgreementStatus.ACTIVE, review_date=date(2020, 1, 1))
    login_as("officer", language="cy")
    page = _page(client, "/dashboard")
    assert "Dangosfwrdd adolygiadau" in page and "Adolygiadau hwyr (1)" in page
    assert "Adolygiadau a llofnodion sydd angen eich sylw" in page and "Yn darfod" in page
    assert "Reviews dashboard" not in page and "Overdue reviews" not in page and "Lapsing" not in page


def test_recording_a_review_in_welsh(client, db, login_as, make):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    login_as("officer", language="cy")
    form = _page(client, f"/agreements/{agreement.reference}/reviews/new")
    assert "Cofnodi adolygiad" in form and "Dyddiad yr adolygiad" in form and "Parhau heb newid" in form
    assert "Record a review" not in form and "Continue unchanged" not in form

    refused = html.unescape(_review(client, db, agreement, outcome="").get_data(as_text=True))
    assert "Dewiswch ganlyniad yr adolygiad" in refused and "Choose the outcome of the review" not in refused

    assert _review(client, db, agreement).status_code == 302
    page = _page(client, f"/agreements/{agreement.reference}")
    assert "Adolygiad wedi'i gofnodi. Mae'r adolygiad nesaf o" in page  # the flash
    assert "Hanes adolygu" in page and "Parhau heb newid" in page and "Review history" not in page
    assert f"Crëwyd adolygiad o {agreement.reference} ar {TODAY.isoformat()}" in page  # the history, in words
    assert "Adolygydd" in page and "Created review of" not in page


def test_the_audit_trail_in_welsh_keeps_the_stored_rows_as_written(client, db, login_as, make):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    login_as("officer", language="cy")
    _review(client, db, agreement)
    page = _page(client, f"/audit/?agreement={agreement.reference}")
    assert "Trywydd archwilio" in page and "Pob newid i'r cytundeb hwn" in page and "Math o gofnod" in page
    assert "Dyddiad yr adolygiad nesaf" in page and "Every change to this agreement" not in page and "Kind of record" not in page
    row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "Review"))
    assert row.action == "created" and row.entity_label == f"review of {agreement.reference} on {TODAY.isoformat()}"
    assert "next_review_date" in row.changes


def test_a_dpia_in_welsh(client, db, login_as, make):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    login_as("officer", language="cy")
    screening = _page(client, f"/agreements/{agreement.reference}/dpia/screening")
    assert "Pa rai o'r rhain sy'n berthnasol i'r rhannu?" in screening and "Plant neu bobl eraill sy'n agored i niwed" in screening
    assert "Which of these apply" not in screening

    url = f"/agreements/{agreement.reference}/dpia/screening"
    post_form(client, url, {"version": _version(db, agreement), "screening": ["children_or_vulnerable"], "screening_notes": ""})
    risk = {"version": _version(db, agreement), "description": "Sent to the wrong person.", "likelihood": "possible",
            "severity": "severe", "measures": "Secure email only.", "residual_likelihood": "remote", "residual_severity": "severe"}
    assert post_form(client, f"/agreements/{agreement.reference}/dpia/risks/new", risk).status_code == 302
    shown = _page(client, f"/agreements/{agreement.reference}/dpia/")
    assert "Asesiad o'r effaith ar ddiogelu data" in shown and "Risg wedi'i chadw." in shown
    assert "Risg 1: risg weddilliol canolig" in shown and "Posibl × difrifol" in shown
    assert "Cyn y gellir ei gymeradwyo:" in shown and "Cofnodwch gyngor y swyddog diogelu data" in shown
    assert "Data protection impact assessment" not in shown and "Before it can be signed off" not in shown
    stored = db.session.scalar(sa.select(Dpia).where(Dpia.agreement_id == agreement.id))
    assert stored.screening == ["children_or_vulnerable"] and stored.risks[0].likelihood.value == "possible"
    assert " shares with " in stored.nature and " yn rhannu gyda " not in stored.nature  # stored in English
    description = _page(client, f"/agreements/{agreement.reference}/dpia/description")
    assert " yn rhannu gyda " in description and "Beth mae'r llifoedd data'n ei ddweud nawr" in description  # shown in Welsh


def test_english_stays_as_it_was(client, db, login_as, make):
    agreement = make.agreement(status=AgreementStatus.ACTIVE)
    login_as("officer")
    _review(client, db, agreement)
    page = _page(client, f"/agreements/{agreement.reference}")
    assert "Review recorded. The next review of" in page and "Continue unchanged" in page
    assert f"Created review of {agreement.reference} on {TODAY.isoformat()}" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1
