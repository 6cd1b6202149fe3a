"""The sentences of a permitted-purpose answer, in English and in the reader's language.

A reason or a note is kept as the name of its sentence and plain values (slugs, ISO dates, enum
values): the API and the check log carry its English wording, and a page says it in the
reader's language, for a stored check too. Works without an app (English), so the rule stays
testable on its own.
"""
from datetime import date

from flask import has_app_context
from flask_babel import force_locale, gettext as _, ngettext

from ..agreements.models import AgreementStatus
from ..flows.models import DataCategory


class Said(str):
    """A sentence: as a str, its English wording; `.text`, the same in the reader's language."""

    def __new__(cls, key, **values):
        said = super().__new__(cls, english(key, values))
        said.key, said.values = key, values
        return said

    @property
    def text(self):
        return say(self.key, self.values, fallback=str(self))

    def stored(self):
        """What the check log keeps to say it again later: the sentence's name and values."""
        return {"said": self.key, "values": self.values}


def english(key, values):
    with force_locale("en"):
        return SENTENCES[key](**values)


def say(key, values, fallback=""):
    """The sentence in the current language; `fallback` for one this version no longer knows."""
    try:
        return SENTENCES[key](**values)
    except (KeyError, TypeError, ValueError):
        return fallback


def _day(iso):
    from ..core.i18n import govdate

    day = date.fromisoformat(iso)
    return govdate(day) if has_app_context() else f"{day.day} {day:%B %Y}"


def _category(value):
    return str(DataCategory(value).label).lower()


def _categories(values):
    return ", ".join(_category(value) for value in values) or _("no data categories")


SENTENCES = {
    "no-agreement": lambda discloser, recipient: _(
        "No agreement in the register has both %(discloser)s and %(recipient)s as parties.",
        discloser=discloser, recipient=recipient),
    "not-in-force.status": lambda reference, day, status: _(
        "%(reference)s is not in force on %(day)s: it is %(status)s.",
        reference=reference, day=_day(day), status=str(AgreementStatus(status).label).lower()),
    "not-in-force.starts": lambda reference, day, start: _(
        "%(reference)s is not in force on %(day)s: it starts on %(start)s.",
        reference=reference, day=_day(day), start=_day(start)),
    "not-in-force.ended": lambda reference, day, end: _(
        "%(reference)s is not in force on %(day)s: it ended on %(end)s.",
        reference=reference, day=_day(day), end=_day(end)),
    "not-signed": lambda organisation, reference: _(
        "%(organisation)s has not signed %(reference)s.", organisation=organisation, reference=reference),
    "not-signed.later": lambda organisation, reference, signed, day: _(
        "%(organisation)s signed %(reference)s on %(signed)s, after %(day)s: a signature counts from its date.",
        organisation=organisation, reference=reference, signed=_day(signed), day=_day(day)),
    "direction": lambda reference, discloser, recipient: _(
        "No data flow in %(reference)s goes from %(discloser)s to %(recipient)s.",
        reference=reference, discloser=discloser, recipient=recipient),
    "direction.reversed": lambda reference, discloser, recipient: _(
        "No data flow in %(reference)s goes from %(discloser)s to %(recipient)s (its flows run only from "
        "%(recipient)s to %(discloser)s).", reference=reference, discloser=discloser, recipient=recipient),
    "category": lambda reference, discloser, recipient, category, covered: _(
        "The flows in %(reference)s from %(discloser)s to %(recipient)s do not cover %(category)s (they cover %(covered)s).",
        reference=reference, discloser=discloser, recipient=recipient, category=_category(category),
        covered=_categories(covered)),
    "purpose": lambda reference, category, discloser, purpose, listed: _(
        "No flow in %(reference)s for %(category)s from %(discloser)s lists the purpose \u201c%(purpose)s\u201d "
        "(the purposes listed are: %(listed)s).", reference=reference, category=_category(category),
        discloser=discloser, purpose=purpose, listed="; ".join(listed) or _("none")),
    "legal-errors": lambda reference, rules, details: " ".join([_(
        "The data flow in %(reference)s that covers this has no lawful basis that counts on the day asked about "
        "(%(rules)s): an officer must correct its lawful bases before it can be relied on.",
        reference=reference, rules=rules), details]),
    "anonymised": lambda: _(
        "Truly anonymised data is not personal data, so data protection law does not apply to sharing it. "
        "\u201cTruly\u201d means that no one, the recipient included, can identify a person from it by any means "
        "reasonably likely to be used, alone or with other information. Pseudonymised data (names replaced by "
        "codes, with a key somewhere) is still personal data and needs a lawful basis."),
    "awaiting-signatures": lambda reference, awaiting, version: _(
        "Version %(awaiting)s of %(reference)s awaits signatures. Until every party has signed it, %(reference)s "
        "answers from version %(version)s, the one every party signed.",
        reference=reference, awaiting=awaiting, version=version),
    "more-matches": lambda num, limit: ngettext(
        "%(num)d more matching flow not listed: this answer lists the first %(limit)d. Give a purpose to narrow the question.",
        "%(num)d more matching flows not listed: this answer lists the first %(limit)d. Give a purpose to narrow the question.",
        num, limit=limit),
    "more-reasons": lambda num, limit: ngettext(
        "%(num)d more reason not listed: this answer lists the first %(limit)d.",
        "%(num)d more reasons not listed: this answer lists the first %(limit)d.", num, limit=limit),
    "ad-hoc": lambda: _(
        "An agreement is not required for ad hoc sharing. Decide with the information sharing "
        "flowchart (the seven golden rules) and record the decision."),
}
