"""Recording a completed review: the rules, each outcome through the form, and the history on the agreement."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from isa.agreements.models import AgreementStatus as S
from isa.audit.models import AuditEvent
from isa.reviews.models import Review, ReviewOutcome
from isa.reviews.rules import add_months, review_date_problems
from tests.conftest import count, post_form

TODAY = date.today()


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2027, 12, 1), 12, date(2028, 12, 1)),
        (date(2027, 12, 1), 1, date(2028, 1, 1)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # the last day of a shorter month
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2027, 8, 31), 36, date(2030, 8, 31)),
        (date(2027, 5, 15), 60, date(2032, 5, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "start, reviewed, following, terminating, problems",
    [
        (date(2024, 1, 1), date(2025, 1, 1), date(2026, 1, 1), False, {}),
        (date(2024, 1, 1), TODAY + timedelta(days=1), None, False, {"reviewed_on": "The date of the review must be today or in the past"}),
        (date(2024, 1, 1), date(2023, 12, 31), None, False, {"reviewed_on": "The date of the review must be on or after the agreement's start date"}),
        (date(2024, 1, 1), date(2025, 1, 1), date(2025, 1, 1), False, {"next_review_date": "The next review date must be after the date of the review"}),
        (date(2024, 1, 1), date(2025, 1, 1), date(2024, 6, 1), True, {}),  # terminating: no next review
    ],
)
def test_review_date_rules(start, reviewed, following, terminating, problems):
    assert review_date_problems(start, reviewed, following, TODAY, terminating) == problems


def _form(agreement, **changes):
    reviewed = changes.pop("reviewed_on", TODAY)
    data = {
        "version": str(agreement.version),
        "reviewed_on": [str(reviewed.day), str(reviewed.month), str(reviewed.year)],
        "reviewer": "Sam Reviewer, Information Governance Lead",
        "outcome": "continue",
        "notes": "Still needed; partners agreed no changes.",
        "review_interval_months": "12",
        "next_review_date": ["", "", ""],
    }
    data.update(changes)
    return data


@pytest.fixture
def agreement(make):
    return make.agreement(status=S.ACTIVE, start_date=date(2023, 1, 1), review_date=TODAY - timedelta(days=3), review_interval_months=12)


def _record(client, agreement, **changes):
    url = f"/agreements/{agreement.reference}/reviews/new"
    return post_form(client, url, _form(agreement, **changes))


def test_continue_sets_the_next_review_date_from_the_interval(client, login_as, db, agreement):
    officer = login_as("officer")
    previous = agreement.review_date
    response = _record(client, agreement)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/agreements/{agreement.reference}#reviews")
    db.session.refresh(agreement)
    assert agreement.status == S.ACTIVE
    assert agreement.review_date == add_months(TODAY, 12)
    review = db.session.scalar(sa.select(Review))
    assert (review.outcome, review.reviewed_on, review.previous_review_date, review.next_review_date) == (
        ReviewOutcome.CONTINUE, TODAY, previous, add_months(TODAY, 12))
    assert review.recorded_by_id == officer.id and review.reviewer == "Sam Reviewer, Information Governance Lead"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Review recorded" in page and "Continue unchanged" in page and "Still needed; partners agreed no changes." in page


def test_continue_returns_an_agreement_under_review_to_active(client, login_as, db, make):
    agreement = make.agreement(status=S.UNDER_REVIEW, start_date=date(2023, 1, 1), review_date=TODAY)
    login_as("officer")
    assert _record(client, agreement).status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == S.ACTIVE


def test_amend_with_a_new_interval_and_an_explicit_date(client, login_as, db, make):
    agreement = make.agreement(status=S.UNDER_REVIEW, start_date=date(2023, 1, 1), review_date=TODAY)
    login_as("officer")
    following = TODAY + timedelta(days=200)
    response = _record(
        client, agreement, outcome="amend", review_interval_months="6",
        next_review_date=[str(following.day), str(following.month), str(following.year)],
    )
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == S.UNDER_REVIEW  # stays under review while the partners amend it
    assert agreement.review_date == following and agreement.review_interval_months == 6
    assert db.session.scalar(sa.select(Review.outcome)) == ReviewOutcome.AMEND
    # the next step is said, on the page the officer lands on
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Next, make the amendments" in page and "then choose <strong>Activate</strong>" in page
    assert "Record the review</a>" not in page


def test_a_review_under_way_links_to_recording_it(client, login_as, make):
    agreement = make.agreement(status=S.UNDER_REVIEW, start_date=date(2023, 1, 1), review_date=TODAY)
    login_as("officer")
    page = client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)
    assert f'href="/agreements/{agreement.reference}/reviews/new">Record the review</a>' in page


def test_one_review_a_day(client, login_as, db, agreement):
    login_as("officer")
    assert _record(client, agreement).status_code == 302
    response = _record(client, agreement, version=str(db.session.get(type(agreement), agreement.id).version))
    assert response.status_code == 200 and "is already recorded" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1


def test_terminate_ends_the_agreement(client, login_as, db, agreement):
    login_as("officer")
    reviewed = TODAY - timedelta(days=1)
    response = _record(client, agreement, outcome="terminate", reviewed_on=reviewed)
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == S.TERMINATED and agreement.end_date == reviewed
    review = db.session.scalar(sa.select(Review))
    assert review.next_review_date is None
    page = client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)
    assert "None: terminated" in page and "Record a review" not in page


def test_recording_a_review_is_in_the_agreement_history(client, login_as, db, agreement):
    officer = login_as("officer")
    version = agreement.version
    _record(client, agreement)
    db.session.refresh(agreement)
    assert agreement.version > version
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.agreement_id == agreement.id, AuditEvent.actor == officer.email)).all()
    assert {e.entity_type for e in events} == {"Review", "Agreement"}
    assert any(e.changes.get("review_date") for e in events if e.entity_type == "Agreement")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"outcome": ""}, "Choose the outcome of the review"),
        ({"outcome": "shrug"}, "Choose the outcome of the review"),
        ({"reviewer": ""}, "Enter who carried out the review"),
        ({"reviewer": "x" * 201}, "Enter the reviewer in 200 characters or fewer"),
        ({"reviewed_on": TODAY + timedelta(days=2)}, "The date of the review must be today or in the past"),
        ({"reviewed_on": date(2022, 12, 31)}, "The date of the review must be on or after the agreement&#39;s start date"),
        ({"reviewed_on": None, "reviewed_on_raw": ["31", "2", "2025"]}, "Date of the review must be a real date"),
        ({"review_interval_months": "0"}, "Enter a review interval between 1 and 60 months"),
        ({"review_interval_months": "a year"}, "Not a valid integer value"),
        ({"next_review_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)]}, "The next review date must be after the date of the review"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_changes_nothing(client, login_as, db, agreement, changes, message):
    login_as("officer")
    raw = changes.pop("reviewed_on_raw", None)
    data = _form(agreement, **{k: v for k, v in changes.items() if v is not None})
    if raw:
        data["reviewed_on"] = raw
    before = (agreement.review_date, agreement.status, agreement.version)
    response = post_form(client, f"/agreements/{agreement.reference}/reviews/new", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and "There is a problem" in page
    db.session.refresh(agreement)
    assert (agreement.review_date, agreement.status, agreement.version) == before
    assert count(db, Review) == 0


def test_a_stale_version_is_refused(client, login_as, db, agreement):
    login_as("officer")
    data = _form(agreement, version=str(agreement.version - 1 if agreement.version > 1 else 99))
    response = post_form(client, f"/agreements/{agreement.reference}/reviews/new", data)
    assert response.status_code == 200
    assert "Someone else changed this agreement" in response.get_data(as_text=True)
    assert count(db, Review) == 0


def test_an_agreement_not_in_force_cannot_be_reviewed(client, login_as, db, make):
    draft = make.agreement(status=S.DRAFT, start_date=date(2023, 1, 1))
    login_as("officer")
    page = client.get(f"/agreements/{draft.reference}/reviews/new")
    assert page.status_code == 200 and "This agreement cannot be reviewed" in page.get_data(as_text=True)
    response = post_form(client, f"/agreements/{draft.reference}/reviews/new", _form(draft))
    assert response.status_code == 200
    assert count(db, Review) == 0


def test_the_form_starts_from_today_the_officer_and_the_interval(client, login_as, make):
    agreement = make.agreement(status=S.ACTIVE, start_date=date(2023, 1, 1), review_interval_months=36)
    login_as("officer")
    page = client.get(f"/agreements/{agreement.reference}/reviews/new").get_data(as_text=True)
    assert f'value="{TODAY.year}"' in page and 'value="36"' in page and "User " in page
    assert "Continue, with amendments" in page and "The agreement ends on the date of this review" in page


def test_a_post_without_the_csrf_token_is_refused(client, login_as, db, agreement):
    login_as("officer")
    response = client.post(f"/agreements/{agreement.reference}/reviews/new", data=_form(agreement))
    assert response.status_code == 400
    assert count(db, Review) == 0


def test_partners_see_the_history_but_cannot_record_a_review(client, login_as, db, make):
    organisation = make.organisation()
    agreement = make.agreement(parties=[organisation, make.organisation()], status=S.ACTIVE, start_date=date(2023, 1, 1))
    db.session.add(Review(agreement=agreement, reviewed_on=date(2024, 1, 5), reviewer="Sam <b>Reviewer</b>", outcome=ReviewOutcome.CONTINUE,
                          notes="<script>alert(1)</script>", previous_review_date=date(2024, 1, 1), next_review_date=agreement.review_date))
    db.session.commit()
    login_as("partner", organisation=organisation)
    page = client.get(f"/agreements/{agreement.reference}").get_data(as_text=True)
    assert "5 January 2024" in page and "Sam &lt;b&gt;Reviewer&lt;/b&gt;" in page and "&lt;script&gt;" in page
    assert "<script>alert(1)" not in page and "Record a review" not in page and "Review reminders" not in page
    assert client.get(f"/agreements/{agreement.reference}/reviews/new").status_code == 403


def test_an_unknown_agreement_is_404(client, login_as):
    login_as("officer")
    assert client.get("/agreements/ISA-NOPE/reviews/new").status_code == 404
