"""The audit trail in words: each change as a field label with its old and new values as the pages
show them (names for the records an id points to, dates as `1 December 2027`, choices by label).

The trail stores plain values (ids, ISO dates, enum values) so that it never depends on records
that may change or go; this module reads them against the models, introspected, so a new column
is presented without being listed here. Names are looked up in one query per kind of record.
"""
import enum
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ..core.i18n import govdate
from ..extensions import db
from ..users.queries import names_by_email, person

# Where a column's name does not read well as a label.
LABELS = {
    "dpia_reference": "DPIA reference",
    "ico_registration": "ICO registration number",
    "slug": "Short name",
    "dpo_name": "Data protection officer",
    "dpo_email": "Data protection officer's email",
    "spoc_name": "Single point of contact",
    "spoc_email": "Single point of contact's email",
    "review_interval_months": "Review interval (months)",
    "signed_on": "Signed on",
    "special_category_approved": "Approved for special category data",
    "recorded_by_id": "Recorded by",
    "resume_status": "Status once signed",
    "signed_document_version": "Signed document version",
    "signed_document_sha256": "Signed document SHA-256",
    # the DPIA's
    "screening": "High-risk indicators",
    "required": "DPIA required",
    "necessity": "Necessity and proportionality",
    "dpo_advice": "DPO's advice",
    "dpo_advice_on": "Date of the DPO's advice",
    "dpo_outcome": "DPO's advice accepted or overruled",
    "dpo_overruled_reason": "Reason for overruling the DPO",
    "dpo_decided_by": "Accepted or overruled by",
    "ico_consulted_on": "ICO consulted on",
    "residual_likelihood": "Likelihood with the measures",
    "residual_severity": "Severity with the measures",
}
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
    action: str
    entity_label: str
    changes: list


def _models():
    return {mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers}


def _label(key):
    if key in LABELS:
        return LABELS[key]
    words = key[:-3] if key.endswith("_id") else key
    return words.replace("_", " ").capitalize()


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
        presented.append(PresentedEvent(event.at, person(event.actor, people), event.action, event.entity_label, changes))
    return presented


def _value(value, column, target, names):
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if target is not None and isinstance(value, int):
        return names.get((target, value), f"#{value} (since removed)")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        members = _list_enum(column)
        return ", ".join(_choice(members, item) if members else str(item) for item in value)
    if isinstance(value, dict):  # a decision's flowchart answers
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
        return ", ".join(_words(v) for v in value) or "none"
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
