"""Writing a checked import file: new records in bulk, changes to stored ones through the ORM."""
import json
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa

from ..agreements import rules
from ..agreements.models import Agreement, AgreementStatus, DataLocation, Party, PartyRole, party_label
from ..agreements.records import AGREEMENT_FIELDS, EVERY_PARTY, flow_record, split_signatory
from ..agreements.versions import keep_signature, keep_version
from ..audit.models import AuditEvent
from ..audit.tracking import created_event, current_actor
from ..channels.models import TransferChannel
from ..core.db import utcnow
from ..core.i18n import lazy_gettext as _l
from ..documents.queue import enqueue
from ..extensions import db
from ..flows.models import ConsentApproach, DataFlow, Frequency, flow_label
from ..organisations.models import Organisation
from ..organisations.types import OrganisationType
from ..users.operations import normalise_email
from .reader import SECTIONS
from .schema import AGREEMENT_DEFAULTS, CHANNEL_DEFAULTS, ORGANISATION_DEFAULTS, RECORD_KEYS

LOAD_CHUNK = 500  # keys per "IN (...)" query when reading rows back or loading agreements to change

SUMMARY = {  # what an import did to each section, in the page's language (English at the command line)
    "organisations": _l("Organisations: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"),
    "channels": _l("Channels: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"),
    "agreements": _l("Agreements: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"),
}


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self):
        return any(self.created.values()) or any(self.updated.values())

    def summary(self):
        return "; ".join(
            SUMMARY[kind] % {"created": self.created[kind], "updated": self.updated[kind], "unchanged": self.unchanged[kind]}
            for kind in SECTIONS
        ) + "."


# --- writing a checked file ---------------------------------------------------------------------
#
# New records are inserted in bulk (one multi-row INSERT per table) and their "created" audit
# events written alongside, in the tracker's own form: tens of thousands of ORM objects through
# the unit of work and the per-object tracker are several times too slow for a whole register.
# Changes to records already stored go through the ORM, so the tracker records them and each
# changed agreement's version rises as it does for an edit in the web pages.


def _model_value(key, value):
    if value is None:
        return None
    if key in ("start_date", "review_date", "end_date", "signed_on"):
        return date.fromisoformat(value)
    converters = {"type": OrganisationType, "status": AgreementStatus, "data_location": DataLocation, "role": PartyRole,
                  "frequency": Frequency, "consent": ConsentApproach}
    return converters[key](value) if key in converters else value


def _flow_key(flow):
    return json.dumps(flow, sort_keys=True)


def _insert(model, rows, key_columns):
    """Insert `rows` with one executemany; returns their new ids, in the order of `rows`.

    The ids are read back by the rows' key columns (for flows, their agreement, whose ids rise in
    insertion order): asking RETURNING for ordered ids makes SQLAlchemy insert SQLite rows one by one.
    """
    if not rows:
        return []
    table = model.__table__
    db.session.execute(sa.insert(table), rows)
    columns = [table.c[name] for name in key_columns]
    wanted = sorted({row[key_columns[0]] for row in rows})
    ids = {}
    for start in range(0, len(wanted), LOAD_CHUNK):
        query = sa.select(table.c.id, *columns).where(columns[0].in_(wanted[start:start + LOAD_CHUNK])).order_by(table.c.id)
        for found in db.session.execute(query):
            ids.setdefault(tuple(found[1:]), deque()).append(found[0])
    return [ids[tuple(row[name] for name in key_columns)].popleft() for row in rows]


class Events:
    """'created' audit events for bulk-inserted rows: the rows the tracker writes for ORM objects."""

    def __init__(self):
        self.actor = current_actor()
        self.at = utcnow()
        self.rows = []

    def created(self, model, entity_id, values, label, agreement_id=None):
        self.rows.append(created_event(model, entity_id, label, values, self.actor, self.at, agreement_id))

    def write(self):
        if self.rows:
            db.session.execute(sa.insert(AuditEvent.__table__), self.rows)


class Writer:
    def __init__(self, reader):
        self.reader = reader
        self.result = ImportResult()
        self.events = Events()
        self.org_ids = dict(reader.org_ids)
        self.org_names = {slug: record["name"] for slug, record in reader.organisations.items()}
        self.channel_ids = dict(reader.channel_ids)
        self.agreement_ids = dict(reader.agreement_ids)

    def write(self, organisations, channels, agreements):
        new_orgs = self.keyed("organisations", Organisation, organisations, self.reader.organisations, ORGANISATION_DEFAULTS, self.org_ids)
        new_channels = self.keyed("channels", TransferChannel, channels, self.reader.channels, CHANNEL_DEFAULTS, self.channel_ids)
        for record in organisations:
            self.org_names[record["slug"]] = record["name"]
        new_agreements, changed_agreements = self.sort_agreements(agreements)
        self.insert_agreements(new_agreements)
        self.events.write()
        # Stored records that differ from the file, changed through the ORM (tracked, versioned).
        self.organisations = {o.slug: o for o in db.session.scalars(sa.select(Organisation))}
        self.channels = {c.slug: c for c in db.session.scalars(sa.select(TransferChannel))}
        for objects, changed in ((self.organisations, new_orgs), (self.channels, new_channels)):
            for slug, keys in changed.items():
                for key, value in keys.items():
                    setattr(objects[slug], key, _model_value(key, value))
        self.update_agreements(changed_agreements)
        return self.result

    # -- organisations and channels

    def keyed(self, kind, model, records, stored, defaults, ids):
        """Insert the new records; returns {slug: {key: value}} of the stored ones to change."""
        rows, changes = [], {}
        for record in records:
            slug = record["slug"]
            if slug not in stored:
                rows.append({key: _model_value(key, value) for key, value in {**defaults, **record}.items()})
                self.result.created[kind] += 1
                continue
            changed = {key: value for key, value in record.items() if stored[slug].get(key) != value}
            if changed:
                changes[slug] = changed
            self.result.updated[kind] += bool(changed)
            self.result.unchanged[kind] += not changed
        for row, new_id in zip(rows, _insert(model, rows, ("slug",))):
            ids[row["slug"]] = new_id
            self.events.created(model, new_id, row, str(row[model.audit_label_attr]))
        return changes

    # -- agreements

    def sort_agreements(self, records):
        stored = self.reader.agreements
        new, changed = [], {}
        for record in records:
            reference = record["reference"]
            if reference not in stored:
                new.append({**AGREEMENT_DEFAULTS, **record})
                self.result.created["agreements"] += 1
                continue
            keys = self.changed_keys(record, stored[reference])
            if keys:
                changed[self.agreement_ids[reference]] = (record, keys)
            self.result.updated["agreements"] += bool(keys)
            self.result.unchanged["agreements"] += not keys
        return new, changed

    @staticmethod
    def changed_keys(record, stored):
        changed = []
        for key, value in record.items():
            if key == "parties":
                if {p["organisation"]: p for p in value} != {p["organisation"]: p for p in stored["parties"]}:
                    changed.append(key)
            elif key == "flows":
                if sorted(map(_flow_key, value)) != sorted(map(_flow_key, stored["flows"])):
                    changed.append(key)
            elif stored.get(key) != value:
                changed.append(key)
        return changed

    def agreement_row(self, record):
        row = {key: _model_value(key, record[key]) for key in AGREEMENT_FIELDS[:17]
               if key not in ("lead_organisation", "owner_email", "supersedes")}
        row["lead_organisation_id"] = self.org_ids[record["lead_organisation"]] if record["lead_organisation"] else None
        owner = self.reader.users[normalise_email(record["owner_email"])] if record["owner_email"] else None
        row["owner_id"] = owner.id if owner else None
        row["supersedes_id"] = None  # linked below, once every new agreement has its id
        return row

    def party_row(self, agreement_id, party):
        name, title = split_signatory(party["signatory"])
        return {"agreement_id": agreement_id, "organisation_id": self.org_ids[party["organisation"]],
                "role": PartyRole(party["role"]), "signatory_name": name, "signatory_title": title,
                "signed_on": _model_value("signed_on", party["signed_on"])}

    def flow_row(self, agreement_id, flow):
        return {"agreement_id": agreement_id, "from_organisation_id": self.org_ids[flow["from"]],
                "to_organisation_id": None if flow["to"] == EVERY_PARTY else self.org_ids[flow["to"]],
                "categories": list(flow["categories"]), "items": flow["items"], "purposes": list(flow["purposes"]),
                "lawful_bases": list(flow["lawful_bases"]),
                "channel_id": self.channel_ids[flow["channel"]] if flow["channel"] else None,
                "frequency": Frequency(flow["frequency"]), "consent": ConsentApproach(flow["consent"]),
                **{key: flow[key] for key in RECORD_KEYS}}

    def insert_agreements(self, records):
        rows = [self.agreement_row(record) for record in records]
        for record, row, new_id in zip(records, rows, _insert(Agreement, rows, ("reference",))):
            self.agreement_ids[record["reference"]] = new_id
        links = []
        for record, row in zip(records, rows):
            if record["supersedes"]:
                row["supersedes_id"] = self.agreement_ids[record["supersedes"]]
                links.append({"b_id": self.agreement_ids[record["reference"]], "b_supersedes": row["supersedes_id"]})
        if links:
            table = Agreement.__table__
            db.session.execute(
                table.update().where(table.c.id == sa.bindparam("b_id")).values(supersedes_id=sa.bindparam("b_supersedes")),
                links,
            )

        party_rows, flow_rows = [], []
        for record in records:
            agreement_id = self.agreement_ids[record["reference"]]
            for party in record["parties"]:
                party_rows.append(self.party_row(agreement_id, party))
            for flow in record["flows"]:
                flow_rows.append(self.flow_row(agreement_id, flow))
        party_ids = _insert(Party, party_rows, ("agreement_id", "organisation_id"))
        flow_ids = _insert(DataFlow, flow_rows, ("agreement_id",))

        names = {self.org_ids[slug]: name for slug, name in self.org_names.items()}
        references = {}
        for record, row in zip(records, rows):
            agreement_id = self.agreement_ids[record["reference"]]
            references[agreement_id] = record["reference"]
            self.events.created(Agreement, agreement_id, row, record["reference"], agreement_id)
        for row, new_id in zip(party_rows, party_ids):
            agreement_id = row["agreement_id"]
            label = party_label(names[row["organisation_id"]], references[agreement_id])
            self.events.created(Party, new_id, row, label, agreement_id)
        for row, new_id in zip(flow_rows, flow_ids):
            agreement_id, recipient = row["agreement_id"], row["to_organisation_id"]
            label = flow_label(names[row["from_organisation_id"]], names[recipient] if recipient else None, references[agreement_id])
            self.events.created(DataFlow, new_id, row, label, agreement_id)
        # Bulk inserts bypass the flush listener that queues renders, as they bypass the audit tracker.
        enqueue(db.session.connection(), set(references))

    def update_agreements(self, changes):
        wanted = list(changes)
        for start in range(0, len(wanted), LOAD_CHUNK):
            chunk = wanted[start:start + LOAD_CHUNK]
            for agreement in db.session.scalars(sa.select(Agreement).where(Agreement.id.in_(chunk))):
                record, keys = changes[agreement.id]
                terms = ("parties" in keys or "flows" in keys) and self.signed_terms(agreement)
                for key in keys:
                    if key == "parties":
                        self.update_parties(agreement, record["parties"])
                    elif key == "flows":
                        self.update_flows(agreement, record["flows"])
                    else:
                        self.set_scalar(agreement, key, record[key])
                if terms:
                    self.new_version_if_material(agreement, *terms)
                agreement.updated_at = utcnow()

    # -- a material change to a signed agreement: a new protocol version, as in the web pages

    @staticmethod
    def signed_terms(agreement):
        """(material terms, the signatures as they stand) of a stored agreement some party has signed."""
        if not rules.anyone_signed(agreement):
            return None
        signed = [
            SimpleNamespace(organisation_id=p.organisation_id, organisation=p.organisation, signed_on=p.signed_on,
                            signed_document_version=p.signed_document_version, signed_document_sha256=p.signed_document_sha256,
                            signatory_name=p.signatory_name, signatory_title=p.signatory_title)
            for p in agreement.parties if p.signed_on is not None
        ]
        return rules.material_terms(agreement), signed

    @staticmethod
    def new_version_if_material(agreement, before, signed):
        """The file changed what the parties signed up to: the signatures stay on record against the
        version they signed, and the protocol version rises. A signature the file carries over
        unchanged was given to the earlier version, so the party is asked to sign again; a new
        signature in the file (a date the register did not have) is taken as one of the new version.
        The status is taken as the file gives it, and the findings say when it needs signatures."""
        leaving = [p for p in agreement.parties if p in db.session.deleted]
        if rules.material_terms(agreement, leaving) == before:
            return
        keep_version(agreement, before)
        for party in signed:
            keep_signature(agreement, party)
        earlier = {party.organisation_id: party.signed_on for party in signed}
        rules.raise_version(agreement, leaving, signed_anew=lambda party: earlier.get(party.organisation_id) != party.signed_on)

    def set_scalar(self, agreement, key, value):
        if key == "lead_organisation":
            agreement.lead_organisation = self.organisations[value] if value else None
        elif key == "owner_email":
            agreement.owner = self.reader.users[normalise_email(value)] if value else None
        elif key == "supersedes":
            agreement.supersedes_id = self.agreement_ids[value] if value else None
        else:
            setattr(agreement, key, _model_value(key, value))

    # -- parties of a stored agreement, matched by organisation

    def update_parties(self, agreement, parties):
        existing = {party.organisation.slug: party for party in agreement.parties}
        for party in parties:
            party_object = existing.pop(party["organisation"], None)
            if party_object is None:
                party_object = Party(organisation=self.organisations[party["organisation"]])
                agreement.parties.append(party_object)
            name, title = split_signatory(party["signatory"])
            values = {"role": PartyRole(party["role"]), "signatory_name": name, "signatory_title": title,
                      "signed_on": _model_value("signed_on", party["signed_on"])}
            for key, value in values.items():
                if getattr(party_object, key) != value:
                    setattr(party_object, key, value)
        for party_object in existing.values():
            db.session.delete(party_object)  # left in the collection, so the audit trail can name its agreement

    # -- flows of a stored agreement: identical ones kept, the rest updated in place, added or removed

    def set_flow(self, flow_object, flow):
        values = {
            "from_organisation": self.organisations[flow["from"]],
            "to_organisation": None if flow["to"] == EVERY_PARTY else self.organisations[flow["to"]],
            "categories": list(flow["categories"]),
            "items": flow["items"],
            "purposes": list(flow["purposes"]),
            "lawful_bases": list(flow["lawful_bases"]),
            "channel": self.channels[flow["channel"]] if flow["channel"] else None,
            "frequency": Frequency(flow["frequency"]),
            "consent": ConsentApproach(flow["consent"]),
            **{key: flow[key] for key in RECORD_KEYS},
        }
        for key, value in values.items():
            if getattr(flow_object, key) != value:
                setattr(flow_object, key, value)

    def update_flows(self, agreement, flows):
        unmatched = {}
        for flow_object in agreement.flows:
            unmatched.setdefault(_flow_key(flow_record(flow_object)), []).append(flow_object)
        to_add = []
        for flow in flows:
            same = unmatched.get(_flow_key(flow))
            if same:
                same.pop(0)
            else:
                to_add.append(flow)
        leftover = sorted((f for group in unmatched.values() for f in group), key=lambda flow_object: flow_object.id)
        for flow_object, flow in zip(leftover, to_add):
            self.set_flow(flow_object, flow)
        for flow_object in leftover[len(to_add):]:
            db.session.delete(flow_object)
        for flow in to_add[len(leftover):]:
            flow_object = DataFlow()
            agreement.flows.append(flow_object)
            self.set_flow(flow_object, flow)
