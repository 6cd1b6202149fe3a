"""The agreement rules, written once: in force on a day and review overdue, in Python and in SQL alike."""
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from isa.agreements import rules
from isa.agreements.models import Agreement, AgreementStatus as S

START, REVIEW, END = date(2025, 1, 1), date(2026, 1, 1), date(2026, 6, 30)

CASES = [  # (status, resume_status, end_date, day, in force, review overdue)
    (S.ACTIVE, None, None, date(2025, 6, 1), True, False),
    (S.UNDER_REVIEW, None, None, date(2025, 6, 1), True, False),
    (S.ACTIVE, None, None, date(2024, 12, 31), False, False),  # before its start
    (S.ACTIVE, None, None, START, True, False),  # its first day
    (S.ACTIVE, None, None, REVIEW, True, False),  # the review is due today, not overdue
    (S.ACTIVE, None, None, date(2026, 1, 2), True, True),
    (S.ACTIVE, None, END, END, True, True),  # its last day
    (S.ACTIVE, None, END, date(2026, 7, 1), False, False),  # ended: no review is overdue
    (S.DRAFT, None, None, date(2025, 6, 1), False, False),
    (S.CONSULTATION, None, None, date(2026, 2, 1), False, False),
    (S.EXPIRED, None, None, date(2026, 2, 1), False, False),
    (S.TERMINATED, None, None, date(2025, 6, 1), False, False),
    (S.SUPERSEDED, None, None, date(2025, 6, 1), False, False),
    (S.AWAITING_SIGNATURES, None, None, date(2025, 6, 1), False, False),
    # an amendment awaiting signatures leaves the signed version in force (SPEC §4)
    (S.AWAITING_SIGNATURES, S.ACTIVE, None, date(2026, 2, 1), True, True),
    (S.AWAITING_SIGNATURES, S.UNDER_REVIEW, None, date(2025, 6, 1), True, False),
]


@pytest.mark.parametrize("status, resume, end, day, in_force, overdue", CASES)
def test_the_rules(status, resume, end, day, in_force, overdue):
    agreement = SimpleNamespace(status=status, resume_status=resume, start_date=START, review_date=REVIEW, end_date=end)
    assert rules.in_force_on(agreement, day) is in_force
    assert rules.review_overdue(agreement, day) is overdue


def test_the_database_answers_as_python_does(make, db):
    made = {}
    for number, (status, resume, end, _day, _in_force, _overdue) in enumerate(CASES):
        agreement = make.agreement(status=status, resume_status=resume, start_date=START, review_date=REVIEW, end_date=end)
        made[agreement.id] = agreement
    for day in sorted({case[3] for case in CASES}):
        in_force = set(db.session.scalars(sa.select(Agreement.id).where(Agreement.in_force_on(day), Agreement.id.in_(made))))
        overdue = set(db.session.scalars(sa.select(Agreement.id).where(Agreement.review_overdue(day), Agreement.id.in_(made))))
        assert in_force == {i for i, a in made.items() if a.in_force_on(day)}, day
        assert overdue == {i for i, a in made.items() if a.review_overdue(day)}, day
    assert any(a.in_force_on(date(2025, 6, 1)) for a in made.values())  # the comparison is not vacuous
