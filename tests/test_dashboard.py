"""The reviews dashboard: the officer's home page, what it lists, and the reminder actions on it."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from isa.agreements.models import AgreementStatus as S
from isa.reminders.models import Reminder, ReminderStatus as RS
from isa.reviews.queries import dashboard
from tests.conftest import post_form

TODAY = date.today()


def _reminder(db, agreement, status=RS.FAILED, **values):
    reminder = Reminder(
        agreement=agreement, review_date=agreement.review_date, offset_key=values.pop("offset_key", "before-30"),
        due_on=agreement.review_date - timedelta(days=30), status=status, recipients=["owner@example.org", "spoc@example.org"],
        delivered_to=[], missing_contacts=[], attempts=values.pop("attempts", 5),
        last_error=values.pop("last_error", "Gave up after 5 attempts. Could not connect to the mail server"), **values,
    )
    db.session.add(reminder)
    db.session.commit()
    return reminder


@pytest.fixture
def register(make, db):
    owner = make.user(role="officer", email="owner@example.org")
    make_active = lambda ref, days, **kw: make.agreement(reference=ref, status=kw.pop("status", S.ACTIVE), review_date=TODAY + timedelta(days=days), owner=owner, start_date=TODAY - timedelta(days=800), **kw)
    agreements = {
        "lapsing": make_active("ISA-LAPSING", -45),
        "overdue": make_active("ISA-OVERDUE", -10),
        "soon": make_active("ISA-SOON", 12),
        "today": make_active("ISA-TODAY", 0),
        "later": make_active("ISA-LATER", 60),
        "far": make_active("ISA-FAR", 200),
        "under_review": make_active("ISA-UNDER-REVIEW", -3, status=S.UNDER_REVIEW),
        "terminated": make_active("ISA-TERMINATED", -20, status=S.TERMINATED),
        "ended": make_active("ISA-ENDED", -20, end_date=TODAY - timedelta(days=1)),
        "awaiting": make.agreement(reference="ISA-AWAITING", status=S.AWAITING_SIGNATURES, signed=False, review_date=TODAY + timedelta(days=400), start_date=TODAY),
    }
    failed = _reminder(db, agreements["overdue"])
    moot = _reminder(db, agreements["terminated"])  # about an agreement no longer in force: not shown
    retrying = _reminder(db, agreements["soon"], status=RS.QUEUED, attempts=1, last_error="Could not connect to the mail server")
    return agreements, {"failed": failed, "moot": moot, "retrying": retrying}


def _section(page, anchor):
    """The HTML from the heading with `id=anchor` to the next h2."""
    match = re.search(rf'id="{anchor}".*?(?=<h2 |\Z)', page, re.S)
    assert match, anchor
    return match.group(0)


def test_officers_land_on_the_dashboard_and_partners_on_the_agreements(client, login_as, make):
    login_as("officer")
    assert client.get("/").headers["Location"].endswith("/dashboard")
    other = client.application.test_client()
    from tests.conftest import sign_in

    partner = make.user(role="partner")
    sign_in(other, partner.email)
    assert other.get("/").headers["Location"].endswith("/agreements/")


def test_the_dashboard_lists_what_needs_the_officer(client, login_as, register):
    agreements, reminders = register
    login_as("officer")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "90, 30 and 7 days before the review date" in page

    overdue = _section(page, "overdue")
    assert "Overdue reviews (3)" in overdue
    assert overdue.index("ISA-LAPSING") < overdue.index("ISA-OVERDUE") < overdue.index("ISA-UNDER-REVIEW")  # the oldest first
    assert 'href="/agreements/ISA-LAPSING"' in overdue and "45 days" in overdue
    assert overdue.count("Lapsing") == 1  # only the one 30 days or more overdue
    for absent in ("ISA-TERMINATED", "ISA-ENDED", "ISA-SOON"):
        assert absent not in overdue

    soon = _section(page, "due-30")
    assert "Reviews due in the next 30 days (2)" in soon and "ISA-TODAY" in soon and "ISA-SOON" in soon and "Today" in soon
    later = _section(page, "due-90")
    assert "(1)" in later and "ISA-LATER" in later and "ISA-FAR" not in later

    failed = _section(page, "failed")
    assert "Reminders that failed to send (1)" in failed and "ISA-OVERDUE" in failed and "Gave up after 5 attempts" in failed
    assert "ISA-TERMINATED" not in failed and "Resend" in failed and "Dismiss" in failed
    retrying = _section(page, "retrying")
    assert "ISA-SOON" in retrying and "Could not connect" in retrying

    awaiting = _section(page, "awaiting")
    assert "ISA-AWAITING" in awaiting and "2 of 2 parties" in awaiting and 'href="/agreements/ISA-AWAITING#parties"' in awaiting


def test_the_counts_at_the_top(client, login_as, register):
    login_as("officer")
    page = client.get("/dashboard").get_data(as_text=True)
    counts = re.findall(r'isa-count__number">(\d+)</span><span class="govuk-body isa-count__label">([^<]+)<', page)
    assert {label: int(n) for n, label in counts} == {
        "overdue reviews": 3, "lapsing: 30 days or more overdue": 1, "reviews due in the next 30 days": 2,
        "reminders that failed to send": 1, "agreements awaiting signatures": 1,
        "agreements still relying on DPA 1998 bases": 0,
    }


def test_the_dashboard_is_a_fixed_number_of_queries(app, db, make):
    def statements_for_dashboard():
        seen = []
        listener = lambda *args: seen.append(args[2])
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            dashboard(TODAY, 30)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    make.agreement(status=S.ACTIVE, review_date=TODAY - timedelta(days=3))
    small = statements_for_dashboard()
    parties = [make.organisation(), make.organisation()]
    for n in range(25):
        agreement = make.agreement(parties=parties, status=S.ACTIVE, review_date=TODAY + timedelta(days=n * 4 - 20))
        _reminder(db, agreement)
    assert statements_for_dashboard() == small == 11


def test_long_sections_show_the_first_rows_and_say_so(app, db, make):
    parties = [make.organisation(), make.organisation()]
    for n in range(4):
        make.agreement(parties=parties, status=S.ACTIVE, review_date=TODAY - timedelta(days=n + 1))
    data = dashboard(TODAY, 30, limit=3)
    assert data["overdue"].total == 4 and len(data["overdue"].rows) == 3 and data["overdue"].truncated


def test_dismissing_a_failed_reminder_takes_it_off_the_dashboard(client, login_as, db, register):
    _agreements, reminders = register
    officer = login_as("officer")
    response = post_form(client, "/reminders/dismiss", {"reminder_id": reminders["failed"].id}, get_url="/dashboard")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    db.session.refresh(reminders["failed"])
    assert reminders["failed"].status == RS.CANCELLED and f"Dismissed by {officer.email}" in reminders["failed"].last_error
    page = client.get("/dashboard").get_data(as_text=True)
    assert "is dismissed" in page and "Reminders that failed to send (0)" in page


def test_resending_queues_the_reminder_again(client, login_as, db, register):
    _agreements, reminders = register
    login_as("officer")
    post_form(client, "/reminders/resend", {"reminder_id": reminders["failed"].id}, get_url="/dashboard")
    db.session.refresh(reminders["failed"])
    assert (reminders["failed"].status, reminders["failed"].attempts, reminders["failed"].last_error) == (RS.QUEUED, 0, None)


@pytest.mark.parametrize("action", ["resend", "dismiss"])
def test_reminder_actions_refuse_what_they_cannot_do(client, login_as, db, register, action):
    _agreements, reminders = register
    login_as("officer")
    assert post_form(client, f"/reminders/{action}", {"reminder_id": 999999}, get_url="/dashboard").status_code == 404
    response = post_form(client, f"/reminders/{action}", {"reminder_id": reminders["retrying"].id}, get_url="/dashboard")
    assert response.status_code == 302
    assert "not failed, so it was left as it is" in client.get("/dashboard").get_data(as_text=True)
    db.session.refresh(reminders["retrying"])
    assert reminders["retrying"].status == RS.QUEUED and reminders["retrying"].attempts == 1
    assert post_form(client, f"/reminders/{action}", {"reminder_id": "1; drop"}, get_url="/dashboard").status_code == 302
    assert client.post(f"/reminders/{action}", data={"reminder_id": reminders["failed"].id}).status_code == 400  # no CSRF token
    db.session.refresh(reminders["failed"])
    assert reminders["failed"].status == RS.FAILED


@pytest.mark.parametrize("action", ["resend", "dismiss"])
def test_partners_cannot_act_on_reminders(client, login_as, db, register, action):
    _agreements, reminders = register
    login_as("partner")
    assert client.get("/dashboard").status_code == 403
    assert post_form(client, f"/reminders/{action}", {"reminder_id": reminders["failed"].id}, get_url="/agreements/").status_code == 403
    db.session.refresh(reminders["failed"])
    assert reminders["failed"].status == RS.FAILED


def test_reminders_show_on_the_agreement_page_for_officers(client, login_as, register):
    agreements, _reminders = register
    login_as("officer")
    page = client.get("/agreements/ISA-OVERDUE").get_data(as_text=True)
    assert "Review reminders" in page and "30 days before the review" in page and "Gave up after 5 attempts" in page


def test_the_dashboard_counts_agreements_still_relying_on_dpa_1998_and_links_to_them(client, login_as, make):
    legacy = make.agreement(reference="ISA-LEGACY", status="active", start_date=__import__("datetime").date(2016, 4, 1))
    legacy.flows[0].lawful_bases = ["DPA1998-SCH2-5B"]
    ended = make.agreement(reference="ISA-ENDED", status="terminated", start_date=__import__("datetime").date(2015, 4, 1),
                           end_date=__import__("datetime").date(2017, 3, 31))
    ended.flows[0].lawful_bases = ["DPA1998-SCH2-5B"]
    make.db.session.commit()
    login_as("officer")
    page = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'href="/attention/legacy-bases"><span class="govuk-heading-xl[^"]*">1</span>', page)
    listed = client.get("/attention/legacy-bases").get_data(as_text=True)
    assert "ISA-LEGACY" in listed and "/agreements/ISA-LEGACY/remap" in listed
    assert "ISA-ENDED" not in listed  # judged by the 1998 Act: it ended before 25 May 2018
