"""The audit trail, recorded for every change to an audited model whoever makes it.

A before_flush listener reads each changed attribute's history (old and new value) and an
after_flush listener writes one AuditEvent row per changed record, so views, the command line
and the importer cannot forget to record a change. Changing a child of an agreement (a party,
a flow) touches the agreement, which raises its version number.
"""
import contextlib
import contextvars
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..core.db import utcnow

_actor = contextvars.ContextVar("audit_actor", default=None)
_collected = contextvars.ContextVar("audit_collected", default=None)


@contextlib.contextmanager
def acting_as(label):
    """Attribute the changes made inside the block to `label` (the CLI, the importer, a test)."""
    token = _actor.set(label)
    try:
        yield
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def one_entry(session, obj, action):
    """Record every change flushed inside the block as one history entry about `obj`.

    For one action that changes many records (re-mapping every flow of an agreement): the trail
    shows it as the single step the officer took, with each record's changes in it.
    """
    rows = []
    token = _collected.set(rows)
    try:
        yield
        session.flush()
    finally:
        _collected.reset(token)
    changes = {}
    for row in rows:
        prefix = "" if row["entity_type"] == obj.audit_entity_type() else f"{row['entity_label']}: "
        for key, value in row["changes"].items():
            changes[f"{prefix}{key}"] = value
    from .models import AuditEvent

    session.connection().execute(
        sa.insert(AuditEvent.__table__), [event_row(obj, action, inspect(obj).identity[0], changes, current_actor())]
    )


def actor_label(actor):
    """Who did it, as the records keep it: an email, a name, or the current actor when None."""
    if actor is None:
        return current_actor()
    if isinstance(actor, str):
        return actor
    return getattr(actor, "email", None) or str(actor)


def current_actor():
    """The signed-in user making a web request, else whoever `acting_as` named, else "system"."""
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user.is_authenticated:
        return current_user.email
    return _actor.get() or "system"


class Audited:
    """Mixin: changes to this model are written to the audit trail."""

    audit_label_attr = "id"
    audit_exclude = ("id", "created_at", "updated_at", "version", "password_hash")

    def audit_label(self):
        return str(getattr(self, self.audit_label_attr))

    def audit_agreement(self):
        """The agreement whose history this change belongs to (None for none)."""
        return None

    def audit_organisation_id(self):
        return None

    def audit_entity_type(self):
        return type(self).__name__


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _column_changes(obj, action):
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in obj.audit_exclude:
            continue
        history = state.attrs[key].history
        if action == "created":
            old, new = None, getattr(obj, key)
        elif action == "deleted":
            old, new = (history.unchanged or history.deleted or [None])[0], None
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        else:
            continue
        if _plain(old) != _plain(new) and not (old in (None, "", []) and new in (None, "", [])):
            changes[key] = [_plain(old), _plain(new)]
    return changes


def audit_row(action, entity_type, entity_id, label, changes, actor, at=None, agreement_id=None, organisation_id=None):
    """One audit_events row: what the tracker writes for a model instance, and the bulk import for its rows."""
    return {
        "at": at or utcnow(),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "entity_label": label[:300],
        "agreement_id": agreement_id,
        "organisation_id": organisation_id,
        "changes": changes,
    }


def event_row(obj, action, entity_id, changes, actor, at=None):
    """One audit_events row about a model instance, from its own audit methods."""
    agreement = obj.audit_agreement()
    return audit_row(action, obj.audit_entity_type(), entity_id, obj.audit_label(), changes, actor, at,
                     agreement.id if agreement is not None else None, obj.audit_organisation_id())


def created_event(model, entity_id, label, values, actor, at, agreement_id=None):
    """The 'created' row of a record inserted without the ORM (the bulk import), given its label and agreement."""
    return audit_row("created", model.__name__, entity_id, label, created_changes(values, model.audit_exclude), actor, at,
                     agreement_id)


def created_changes(values, exclude):
    """The changes of a 'created' event: every non-empty value, from nothing."""
    return {key: [None, _plain(value)] for key, value in values.items() if key not in exclude and value not in (None, "", [])}


def _keep_old_value(target, value, oldvalue, initiator):
    return value


@event.listens_for(sa.orm.Mapper, "mapper_configured")
def _load_old_values(mapper, cls):
    """Every audited column loads its old value before a new one is set, so the trail shows
    "from what" even when the attribute had not been read since the record was loaded or expired
    (after a commit, say); without it the history would say "empty → new value"."""
    if not issubclass(cls, Audited):
        return
    for attribute in mapper.column_attrs:
        if attribute.key not in cls.audit_exclude and not event.contains(getattr(cls, attribute.key), "set", _keep_old_value):
            event.listen(getattr(cls, attribute.key), "set", _keep_old_value, active_history=True, retval=True)


def _touch_agreement(session, agreement):
    if agreement is not None and agreement not in session.deleted and inspect(agreement).persistent:
        agreement.updated_at = utcnow()  # an UPDATE of the row raises its version_id


def _audited(session):
    for action, objects in (("created", session.new), ("updated", session.dirty), ("deleted", session.deleted)):
        for obj in list(objects):
            if isinstance(obj, Audited):
                if action == "updated" and not session.is_modified(obj, include_collections=False):
                    continue
                yield action, obj


@event.listens_for(Session, "before_flush")
def _touch_parents(session, flush_context, instances):
    for _action, obj in _audited(session):
        agreement = obj.audit_agreement()
        if agreement is not obj:
            _touch_agreement(session, agreement)


@event.listens_for(Session, "after_flush")
def _write(session, flush_context):
    """Attribute history and the pending lists still show the flushed changes here."""
    from .models import AuditEvent

    actor = current_actor()
    rows = []
    for action, obj in _audited(session):
        changes = _column_changes(obj, action)
        if action == "updated" and not changes:
            continue
        state = inspect(obj)
        identity = state.mapper.primary_key_from_instance(obj) if action != "deleted" else state.identity
        entity_id = identity[0] if identity and isinstance(identity[0], int) else None
        rows.append(event_row(obj, action, entity_id, changes, actor))
    collected = _collected.get()
    if collected is not None:
        collected.extend(rows)
    elif rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)


def _refuse_change(mapper, connection, target):
    raise RuntimeError("The audit trail is append-only")


def install_append_only_guard():
    from .models import AuditEvent

    if not event.contains(AuditEvent, "before_update", _refuse_change):
        event.listen(AuditEvent, "before_update", _refuse_change)
        event.listen(AuditEvent, "before_delete", _refuse_change)
