"""Asking the permitted-purpose question and keeping the log of every question asked."""
from functools import cache

import sqlalchemy as sa

from ..core.db import retry_when_busy, utcnow
from ..extensions import db
from .models import CheckLog
from .queries import permitted
from .wording import Said


def ask(user, discloser, recipient, category, purpose=None, on=None, via="web"):
    """Answer the question and log it (who, when, the question, the answer); commits."""
    email = user.email

    def answer_and_log():
        answer = permitted(discloser, recipient, category, purpose, on)
        record_check(answer, email, via)
        db.session.commit()
        return answer

    return retry_when_busy(db.session, answer_and_log)


def record_check(answer, asked_by, via):
    """One INSERT of a statement built once, with no ORM flush: every check writes one, so it stays cheap."""
    question = answer.question
    db.session.execute(
        _insert_statement(),
        {
            "at": utcnow(),
            "asked_by": asked_by,
            "via": via,
            "discloser_slug": question.discloser.slug,
            "discloser_name": question.discloser.name,
            "recipient_slug": question.recipient.slug,
            "recipient_name": question.recipient.name,
            "category": question.category.value,
            "purpose": question.purpose,
            "on_date": question.on,
            "permitted": answer.permitted,
            "agreements": answer.references,
            "reasons": [_stored(reason) for reason in answer.reasons],
        },
    )


def _stored(reason):
    """The reason as the API gives it, and what it takes to say it again in a reader's language."""
    stored = reason.as_dict()
    if isinstance(reason.message, Said):
        stored.update(reason.message.stored())
    return stored


@cache
def _insert_statement():
    return sa.insert(CheckLog.__table__)
