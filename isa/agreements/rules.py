"""The agreement rules, each written once: whether an agreement is in force on a day, whether its
review is overdue, and which changes are material.

In force (SPEC §4): active or under review, started on or before the day and not ended before it.
An amendment awaiting signatures does not switch off the version every party signed, so an
agreement waiting for signatures keeps the in-force status it had (`resume_status`). `Agreement`
offers the first two rules as hybrid methods: `Agreement.in_force_on(day)` filters a query with
the same rule (`in_force_sql` builds it over any table's columns).

A material change alters what the parties signed up to: who takes part and in which role, and
each data flow (who sends what to whom, why, under which lawful bases, over which channel, how
often, with what consent approach). Once any party has signed, such a change starts a new
protocol version that every party signs again. Editorial changes (the title, contacts, the
signatory's details) keep the version.

Plain functions over agreement-like objects, with no request or session: the pages, the API, the
command line, the importer and the scheduler call them, and the tests drive them with tables.
Their messages are in the page's language, and in English outside a request.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from . import lifecycle
from .types import IN_FORCE, AgreementStatus


def standing_status(agreement):
    """The status the agreement stands in: while an amendment of an agreement in force awaits
    signatures, the status of the version every party signed."""
    status = AgreementStatus(agreement.status)
    resume = getattr(agreement, "resume_status", None)
    if status == AgreementStatus.AWAITING_SIGNATURES and resume is not None:
        return AgreementStatus(resume)
    return status


def in_force_on(agreement, day):
    return (
        standing_status(agreement) in IN_FORCE
        and agreement.start_date <= day
        and (agreement.end_date is None or agreement.end_date >= day)
    )


def in_force_sql(columns, day):
    """`in_force_on` as a SQL condition over `columns`: the `Agreement` class or a table's `.c`."""
    waiting = sa.and_(columns.status == AgreementStatus.AWAITING_SIGNATURES, columns.resume_status.in_(IN_FORCE))
    return sa.and_(
        sa.or_(columns.status.in_(IN_FORCE), waiting),
        columns.start_date <= day,
        sa.or_(columns.end_date.is_(None), columns.end_date >= day),
    )


def review_overdue(agreement, day):
    """In force and past its review date: a warning for the owner, never a refusal."""
    return in_force_on(agreement, day) and agreement.review_date < day


def review_overdue_sql(columns, day):
    return sa.and_(in_force_sql(columns, day), columns.review_date < day)


# --- material changes and protocol versions -------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What the parties sign up to, as comparable values, with the version's record beside them."""

    parties: tuple
    flows: tuple
    record: dict = field(default=None, compare=False, hash=False, repr=False)


def _slug(organisation):
    return getattr(organisation, "slug", None)


def version_record(agreement, leaving=()):
    """What this protocol version says: its parties (with their signatures) and its data flows.

    The import/export shape, with the organisations' ids beside their slugs so that the permitted
    check can answer from a version after the live agreement has moved on.
    """
    gone = {id(obj) for obj in leaving}
    parties = [p for p in agreement.parties if id(p) not in gone]
    return {
        "version": agreement.protocol_version or 1,
        "status": _value(agreement.status),
        "fully_signed": bool(parties) and all(p.signed_on is not None for p in parties),
        "parties": [
            {"organisation_id": _key(p.organisation), "organisation": _slug(p.organisation), "role": _value(p.role),
             "signed_on": p.signed_on.isoformat() if p.signed_on else None}
            for p in parties
        ],
        "flows": [
            {"id": getattr(f, "id", None), "from_id": _key(f.from_organisation), "from": _slug(f.from_organisation),
             "to_id": _key(f.to_organisation), "to": _slug(f.to_organisation) or "*",
             "categories": list(f.categories or ()), "items": f.items or "", "purposes": list(f.purposes or ()),
             "lawful_bases": list(f.lawful_bases or ()), "channel": getattr(f.channel, "slug", None),
             "channel_name": getattr(f.channel, "name", None),
             "channel_approved": bool(getattr(f.channel, "special_category_approved", False)),
             "frequency": _value(f.frequency), "consent": _value(f.consent)}
            for f in agreement.flows if id(f) not in gone
        ],
    }


def _key(obj):
    """A related record (organisation, channel) by its identity: its id once stored, else itself."""
    if obj is None:
        return None
    return getattr(obj, "id", None) or id(obj)


def _value(member):
    return getattr(member, "value", member)


def party_terms(party):
    return (_key(party.organisation), _value(party.role))


def flow_terms(flow):
    return (
        _key(flow.from_organisation),
        _key(flow.to_organisation),  # None: every other party
        tuple(sorted(flow.categories or ())),
        " ".join((flow.items or "").split()),
        tuple(sorted(flow.purposes or ())),
        tuple(sorted(flow.lawful_bases or ())),
        _key(flow.channel),
        _value(flow.frequency),
        _value(flow.consent),
    )


def material_terms(agreement, leaving=()):
    """What the parties sign up to, as comparable values; `leaving` are records being removed.

    Taken before a change, it also keeps the version's record, which is stored if the change
    starts a new version.
    """
    gone = {id(obj) for obj in leaving}
    parties = sorted((party_terms(p) for p in agreement.parties if id(p) not in gone), key=repr)
    flows = sorted((flow_terms(f) for f in agreement.flows if id(f) not in gone), key=repr)
    return Terms(tuple(parties), tuple(flows), version_record(agreement, leaving))


def anyone_signed(agreement, leaving=()):
    gone = {id(obj) for obj in leaving}
    return any(p.signed_on is not None for p in agreement.parties if id(p) not in gone)


def needs_new_version(agreement, before, leaving=()):
    """A material change to an agreement that some party has already signed."""
    return anyone_signed(agreement, leaving) and material_terms(agreement, leaving) != before


def clear_signature(party):
    party.signed_on = None
    party.signed_document_version = None
    party.signed_document_sha256 = None


def raise_version(agreement, leaving=(), signed_anew=None):
    """The protocol version rises and every remaining party's signature is cleared, except those
    `signed_anew(party)` says were given to the new version (on paper: no document fingerprint)."""
    gone = {id(obj) for obj in leaving}
    agreement.protocol_version = (agreement.protocol_version or 1) + 1
    for party in agreement.parties:
        if id(party) in gone:
            continue
        if party.signed_on is not None and signed_anew is not None and signed_anew(party):
            party.signed_document_version = agreement.protocol_version
            party.signed_document_sha256 = None
        else:
            clear_signature(party)


def start_new_version(agreement, leaving=(), keep=None, before=None, keep_version=None):
    """Raise the protocol version and ask every party to sign it; an agreement in force waits for them.

    The signatory's name and title stay as the expected signatory. `keep(agreement, party)` is called
    for each signature before it is cleared, so the signature record keeps it against its version;
    `keep_version(agreement, before)` keeps what the version said (`before`, the terms taken before
    the change), so the version every party signed stays answerable while they sign the new one.
    """
    if keep_version is not None and before is not None and before.record is not None:
        keep_version(agreement, before)
    for party in agreement.parties:  # a party leaving the agreement signed the earlier version too
        if party.signed_on is not None and keep is not None:
            keep(agreement, party)
    raise_version(agreement, leaving)
    status = AgreementStatus(agreement.status)
    if status in IN_FORCE:
        agreement.resume_status = status
        agreement.status = AgreementStatus.AWAITING_SIGNATURES


def after_change(agreement, before, leaving=(), keep=None, keep_version=None):
    """Call after changing parties or flows: starts a new version when the change is material.

    Returns True when it did.
    """
    if needs_new_version(agreement, before, leaving):
        start_new_version(agreement, leaving, keep, before, keep_version)
        return True
    return False


def all_signed(agreement):
    return bool(agreement.parties) and all(p.signed_on is not None for p in agreement.parties)


def resume_when_signed(agreement):
    """Once every party has signed, the agreement comes into effect.

    A new version of an agreement already in force returns to the status it had; an agreement
    sent for signature for the first time becomes active (when nothing else stops it).
    """
    if not all_signed(agreement):
        return False
    if agreement.resume_status is not None:
        agreement.status = agreement.resume_status
        agreement.resume_status = None
        return True
    if AgreementStatus(agreement.status) == AgreementStatus.AWAITING_SIGNATURES and not lifecycle.transition_problems(
        agreement, AgreementStatus.ACTIVE
    ):
        agreement.status = AgreementStatus.ACTIVE
        return True
    return False


def signing_problem(agreement):
    """Why a partner cannot sign the agreement in the register now (None when they can)."""
    status = AgreementStatus(agreement.status)
    if status in (AgreementStatus.DRAFT, AgreementStatus.CONSULTATION):
        return _("This agreement has not been sent for signature yet.")
    if status in (AgreementStatus.EXPIRED, AgreementStatus.TERMINATED, AgreementStatus.SUPERSEDED):
        return _("This agreement is %(status)s: it can no longer be signed.", status=status.label.lower())
    return None


def new_version_notice(agreement, version_before):
    """What to tell the officer after a save that started a new version (None when it did not)."""
    if agreement.protocol_version == version_before:
        return None
    notice = _(
        "That was a material change, so this is now version %(version)s of the protocol. Every party must sign "
        "version %(version)s; their earlier signatures stay on record against version %(before)s.",
        version=agreement.protocol_version, before=version_before,
    )
    if agreement.resume_status is not None:
        notice += " " + _("It is awaiting signatures until they have.")
    return notice


def signed_parties(agreement):
    return [p for p in agreement.parties if p.signed_on is not None]


def new_version_warning(agreement):
    """The warning shown before saving a change to the parties or flows of a signed agreement."""
    signed = signed_parties(agreement)
    if not signed:
        return None
    versions = {"version": agreement.protocol_version, "next": agreement.protocol_version + 1}
    if AgreementStatus(agreement.status) in IN_FORCE:
        return ngettext(
            "%(num)d party has signed version %(version)s of this protocol. Changing the parties or data flows starts "
            "version %(next)s: every party must sign it again and the agreement goes back to awaiting signatures until they have.",
            "%(num)d parties have signed version %(version)s of this protocol. Changing the parties or data flows starts "
            "version %(next)s: every party must sign it again and the agreement goes back to awaiting signatures until they have.",
            len(signed), **versions,
        )
    return ngettext(
        "%(num)d party has signed version %(version)s of this protocol. Changing the parties or data flows starts "
        "version %(next)s: every party must sign it again.",
        "%(num)d parties have signed version %(version)s of this protocol. Changing the parties or data flows starts "
        "version %(next)s: every party must sign it again.",
        len(signed), **versions,
    )
