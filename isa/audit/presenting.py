"""The audit trail in words: each change as a field label with its old and new values as the pages
show them (names for the records an id points to, dates as `1 December 2027`, choices by label).

The trail stores plain values (ids, ISO dates, enum values) so that it never depends on records
that may change or go; this module reads them against the models, introspected, so a new column
is presented without being listed here. Names are looked up in one query per kind of record.
"""
import enum
import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from ..core.i18n import lazy_gettext as _l

from ..core.i18n import govdate
from ..extensions import db
from ..users.queries import names_by_email, person

# Every audited column's label, written out so that each is translated (a column not listed here is
# labelled from its name, in English).
LABELS = {
    "active": _l("Active"),
    "address": _l("Address"),
    "agreement_id": _l("Agreement"),
    "allow_new_accounts": _l("Allow new accounts"),
    "answers": _l("Answers"),
    "asset_owner": _l("Asset owner"),
    "case_reference": _l("Case reference"),
    "categories": _l("Categories"),
    "category": _l("Category"),
    "channel_id": _l("Channel"),
    "client_id": _l("Client"),
    "code": _l("Code"),
    "consent": _l("Consent"),
    "consultation": _l("Consultation"),
    "context": _l("Context"),
    "created_by": _l("Created by"),
    "data_location": _l("Data location"),
    "data_subject_categories": _l("Data subject categories"),
    "data_subjects": _l("Data subjects"),
    "decided_on": _l("Decided on"),
    "description": _l("Description"),
    "discloser_id": _l("Discloser"),
    "dpia_id": _l("Dpia"),
    "dpia_reference": _l("DPIA reference"),
    "dpo_email": _l("Data protection officer's email"),
    "dpo_name": _l("Data protection officer"),
    "email": _l("Email"),
    "email_domains": _l("Email domains"),
    "enabled": _l("Enabled"),
    "end_date": _l("End date"),
    "expires_at": _l("Expires at"),
    "frequency": _l("Frequency"),
    "from_organisation_id": _l("From organisation"),
    "ico_registration": _l("ICO registration number"),
    "in_force_from": _l("In force from"),
    "in_force_to": _l("In force to"),
    "issuer": _l("Issuer"),
    "items": _l("Items"),
    "kind": _l("Kind"),
    "law_enforcement_functions": _l("Law enforcement functions"),
    "lawful_bases": _l("Lawful bases"),
    "lead_organisation_id": _l("Lead organisation"),
    "local": _l("Local"),
    "name": _l("Name"),
    "needs_apd": _l("Needs apd"),
    "needs_sch1_part": _l("Needs sch1 part"),
    "organisation_id": _l("Organisation"),
    "outcome": _l("Outcome"),
    "override_reason": _l("Override reason"),
    "owner_id": _l("Owner"),
    "prefix": _l("Prefix"),
    "protocol_version": _l("Protocol version"),
    "purpose": _l("Purpose"),
    "purposes": _l("Purposes"),
    "reasons": _l("Reasons"),
    "recipient_id": _l("Recipient"),
    "recorded_by_id": _l("Recorded by"),
    "recorded_via": _l("Recorded via"),
    "reference": _l("Reference"),
    "regime": _l("Regime"),
    "resume_status": _l("Status once signed"),
    "retention": _l("Retention"),
    "review_date": _l("Review date"),
    "review_interval_months": _l("Review interval (months)"),
    "revoked_at": _l("Revoked at"),
    "role": _l("Role"),
    "sch1_part": _l("Sch1 part"),
    "scope": _l("Scope"),
    "security": _l("Security"),
    "shared": _l("Shared"),
    "signatory_name": _l("Signatory name"),
    "signatory_title": _l("Signatory title"),
    "signed_document_sha256": _l("Signed document SHA-256"),
    "signed_document_version": _l("Signed document version"),
    "signed_on": _l("Signed on"),
    "slug": _l("Short name"),
    "source_system": _l("Source system"),
    "special_category_approved": _l("Approved for special category data"),
    "spoc_email": _l("Single point of contact's email"),
    "spoc_name": _l("Single point of contact"),
    "start_date": _l("Start date"),
    "status": _l("Status"),
    "successors": _l("Successors"),
    "suggested_outcome": _l("Suggested outcome"),
    "summary": _l("Summary"),
    "supersedes_id": _l("Supersedes"),
    "title": _l("Title"),
    "to_organisation_id": _l("To organisation"),
    "totp_enabled_at": _l("Totp enabled at"),
    "type": _l("Type"),
    "user_id": _l("User"),
    # a review's
    "next_review_date": _l("Next review date"),
    "notes": _l("Notes"),
    "previous_review_date": _l("Previous review date"),
    "reviewed_on": _l("Reviewed on"),
    "reviewer": _l("Reviewer"),
    # the DPIA's
    "screening": _l("High-risk indicators"),
    "screening_notes": _l("Screening notes"),
    "screened_on": _l("Screened on"),
    "required": _l("DPIA required"),
    "nature": _l("Nature"),
    "necessity": _l("Necessity and proportionality"),
    "dpo_advice": _l("DPO's advice"),
    "dpo_advice_on": _l("Date of the DPO's advice"),
    "dpo_outcome": _l("DPO's advice accepted or overruled"),
    "dpo_overruled_reason": _l("Reason for overruling the DPO"),
    "dpo_decided_by": _l("Accepted or overruled by"),
    "signed_off_by": _l("Signed off by"),
    "signed_off_on": _l("Signed off on"),
    "ico_consulted_on": _l("ICO consulted on"),
    "likelihood": _l("Likelihood"),
    "severity": _l("Severity"),
    "measures": _l("Measures"),
    "residual_likelihood": _l("Likelihood with the measures"),
    "residual_severity": _l("Severity with the measures"),
}
# What happened, as the "What" column starts: Created, Updated, Deleted (the stored action is a code).
ACTION_WORDS = {"created": _l("Created"), "updated": _l("Updated"), "deleted": _l("Deleted"), "remapped": _l("Remapped")}
# How the records name themselves in the trail (their audit_label), so that the name reads in the
# page's language; the stored label is kept as it was written, and shown as it is when none fits.
RECORD_NAMES = {
    "Review": (re.compile(r"review of (?P<reference>.+) on (?P<date>\d{4}-\d{2}-\d{2})"), _l("review of %(reference)s on %(date)s")),
    "Dpia": (re.compile(r"DPIA of (?P<reference>.+)"), _l("DPIA of %(reference)s")),
    "DpiaRisk": (re.compile(r"DPIA risk in (?P<reference>[^:]+): (?P<risk>.*)", re.S), _l("DPIA risk in %(reference)s: %(risk)s")),
    "Party": (re.compile(r"(?P<organisation>.+) in (?P<reference>[^ ]+)"), _l("%(organisation)s in %(reference)s")),
    "SharingDecision": (re.compile(r"Sharing decision (?P<case>.+)"), _l("Sharing decision %(case)s")),
}
FLOW_NAMES = (
    (re.compile(r"Flow (?P<source>.+) → every other party in (?P<reference>[^ ]+)"), _l("Flow %(source)s → every other party in %(reference)s")),
    (re.compile(r"Flow (?P<source>.+) → (?P<recipient>.+) in (?P<reference>[^ ]+)"), _l("Flow %(source)s → %(recipient)s in %(reference)s")),
)
EMPTY = None  # the template prints "empty" for it


@dataclass(frozen=True)
class Change:
    label: str
    old: object  # a string, or EMPTY
    new: object


@dataclass(frozen=True)
class PresentedEvent:
    at: datetime
    actor: str
    action: str  # the stored code: created, updated, deleted, remapped
    entity_label: str  # the record's name, in the page's language where it can be
    changes: list

    @property
    def action_label(self):
        """What happened, in words: Created, Updated, Deleted."""
        word = ACTION_WORDS.get(self.action)
        return str(word) if word is not None else self.action.capitalize()


def _models():
    return {mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers}


def _label(key):
    if key in LABELS:
        return str(LABELS[key])
    if ": " in key:  # a change to another record within one entry (tracking.one_entry): "its name: field"
        record, _sep, field = key.rpartition(": ")
        if field in LABELS:
            named = record_name("Party", record_name("DataFlow", record))
            return _("%(record)s: %(field)s", record=named.capitalize(), field=str(LABELS[field]).lower())
    words = key[:-3] if key.endswith("_id") else key
    return words.replace("_", " ").capitalize()


def record_name(entity_type, label):
    """The name the trail stored for a record (its audit_label, in English), in the page's language
    where its pattern is known; as stored where not."""
    patterns = FLOW_NAMES if entity_type == "DataFlow" else (RECORD_NAMES[entity_type],) if entity_type in RECORD_NAMES else ()
    for pattern, words in patterns:
        match = pattern.fullmatch(label or "")
        if match:
            return str(words) % match.groupdict()
    return label


def _record_name(record):
    for attribute in ("display_name", "name", "reference", "title", "email", "code"):
        value = getattr(record, attribute, None)
        if value:
            return str(value)
    return f"#{record.id}"


def _target_model(column, models):
    for key in column.foreign_keys:
        table = key.column.table
        for model in models.values():
            if getattr(model, "__table__", None) is table:
                return model
    return None


def _enum_class(column):
    return getattr(column.type, "enum_class", None)


def present(events):
    """The events, ready for the history table: [PresentedEvent], newest first as given."""
    models = _models()
    wanted = {}  # model -> ids whose names the changes need
    plans = []
    for event in events:
        model = models.get(event.entity_type)
        columns = model.__table__.columns if model is not None and hasattr(model, "__table__") else {}
        plan = []
        for key, (old, new) in sorted((event.changes or {}).items()):
            column = columns.get(key) if columns else None
            target = _target_model(column, models) if column is not None else None
            if target is not None:
                wanted.setdefault(target, set()).update(v for v in (old, new) if isinstance(v, int))
            plan.append((key, old, new, column, target))
        plans.append((event, plan))
    names = {}
    for model, ids in wanted.items():
        if ids:
            for record in db.session.scalars(sa.select(model).where(model.id.in_(sorted(ids)))):
                names[(model, record.id)] = _record_name(record)
    people = names_by_email(event.actor for event, _plan in plans)
    presented = []
    for event, plan in plans:
        changes = [
            Change(_label(key), _value(old, column, target, names), _value(new, column, target, names))
            for key, old, new, column, target in plan
        ]
        presented.append(PresentedEvent(
            event.at, person(event.actor, people), event.action, record_name(event.entity_type, event.entity_label), changes
        ))
    return presented


def _value(value, column, target, names):
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if target is not None and isinstance(value, int):
        return names.get((target, value), _("#%(id)s (since removed)", id=value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        members = _list_enum(column)
        return ", ".join(_choice(members, item) if members else str(item) for item in value)
    if isinstance(value, dict):  # a decision's flowchart answers: worded by the column's own reader, if it has one
        readable = column.info.get("readable") if column is not None else None
        if readable is not None:
            return "; ".join(f"{question}{'' if str(question).endswith('?') else ':'} {', '.join(map(str, answers)) or _('none')}"
                             for question, answers in readable(value))
        return "; ".join(f"{_words(k)}: {_words(v)}" for k, v in value.items())
    choices = _enum_class(column) if column is not None else None
    if choices is not None:
        return _choice(choices, value)
    if isinstance(value, str) and column is not None:
        python_type = _python_type(column)
        if python_type is date:
            return _date(value, date.fromisoformat)
        if python_type is datetime:
            return _date(value, datetime.fromisoformat)
    return str(value)


def _words(value):
    if isinstance(value, (list, tuple)):
        return ", ".join(_words(v) for v in value) or _("none")
    return str(value).replace("_", " ")


def _python_type(column):
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _date(value, parse):
    try:
        return govdate(parse(value))
    except ValueError:
        return value


def _list_enum(column):
    """The enum a JSON list column holds, declared on the column as info={"members": EnumClass}."""
    return column.info.get("members") if column is not None else None


def _choice(choices, value):
    try:
        member = choices(value)
    except ValueError:
        return str(value)
    label = getattr(member, "label", None)
    return str(label) if label is not None else (member.value if isinstance(member, enum.Enum) else str(member))
