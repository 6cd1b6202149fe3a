"""The exit pack: everything the register holds about one organisation, in open formats, as a ZIP.

Only the agreements it is party to appear, with the organisations and channels they refer to:
nothing about any other agreement (tested). `register.json` is the import/export format, so the
pack re-imports into an empty register with `flask import`.
"""
import hashlib
import json
import zipfile
from datetime import datetime, timezone

import sqlalchemy as sa

from ..agreements.models import Agreement, Party
from ..audit.models import AuditEvent
from ..core.spreadsheet import csv_lines
from ..decisions.models import SharingDecision
from ..agreements.models import Signature
from ..documents.models import ProtocolDocument
from ..agreements.records import export_register, to_json
from ..extensions import db

README = """Exit pack of {name} ({slug})
Generated {generated} from the register of information sharing agreements.

register.json      its {agreements} agreement(s) in the register's import/export format (JSON),
                   with the organisations and transfer channels they refer to. Import it into
                   another register with: flask --app isa import register.json
                   Two values are left out so that it imports into any register: each agreement's
                   owner_email (a user of this register; the owner is in the history) and
                   "supersedes" where the earlier agreement is not one of {name}'s.
protocols/         every stored protocol PDF of those agreements ({documents} file(s));
                   protocols/SHA256SUMS lists their SHA-256 (check with: sha256sum -c SHA256SUMS)
protocols.csv      each document's agreement, version, SHA-256, who generated it and when
signatures.csv     every signature of those agreements, of every protocol version
decisions.json     the sharing decisions it recorded or received ({decisions}), and decisions.csv
history.json       the audit history of its records and agreements ({events} event(s)), and history.csv
manifest.json      the SHA-256 of every file in this pack
"""


def _csv(header, rows):
    """CSV as every download of the register writes it: UTF-8 with a BOM, formula-like cells escaped."""
    return "\ufeff" + "".join(csv_lines(header, rows))


def _iso(value):
    return value.isoformat() if value is not None else None


def agreement_ids_of(organisation):
    return set(db.session.scalars(sa.select(Party.agreement_id).where(Party.organisation_id == organisation.id)))


def _register_document(organisation):
    document = export_register(party=organisation.slug)
    references = {agreement["reference"] for agreement in document["agreements"]}
    for agreement in document["agreements"]:
        agreement["owner_email"] = None
        if agreement["supersedes"] not in references:
            agreement["supersedes"] = None
    return document


def _decisions(organisation, agreement_ids):
    query = (
        sa.select(SharingDecision)
        .where(sa.or_(SharingDecision.discloser_id == organisation.id, SharingDecision.recipient_id == organisation.id))
        .order_by(SharingDecision.decided_on, SharingDecision.id)
    )
    records = []
    for decision in db.session.scalars(query):
        record = decision.as_dict()
        if decision.agreement_id not in agreement_ids:
            record["agreement"] = None  # an agreement it is not party to: not its to know
        records.append(record)
    return records


def _history(organisation, agreement_ids, decision_ids):
    mine = sa.or_(
        AuditEvent.agreement_id.in_(agreement_ids) if agreement_ids else sa.false(),
        sa.and_(AuditEvent.agreement_id.is_(None), AuditEvent.organisation_id == organisation.id),
        sa.and_(AuditEvent.entity_type == "SharingDecision", AuditEvent.entity_id.in_(decision_ids)) if decision_ids else sa.false(),
    )
    events = []
    for event in db.session.scalars(sa.select(AuditEvent).where(mine).order_by(AuditEvent.at, AuditEvent.id)):
        changes = dict(event.changes or {})
        if event.entity_type == "SharingDecision" and "agreement_id" in changes:
            changes["agreement_id"] = [value if value in agreement_ids else None for value in changes["agreement_id"]]
        events.append({
            "at": event.at.isoformat(timespec="seconds") + "Z", "actor": event.actor, "action": event.action,
            "record_type": event.entity_type, "record_id": event.entity_id, "record": event.entity_label,
            "changes": changes,
        })
    return events


def write_exit_pack(target, organisation, generated_at=None):
    """Write the organisation's exit pack as a ZIP to `target` (a path or a binary file)."""
    generated_at = generated_at or datetime.now(timezone.utc)
    agreement_ids = agreement_ids_of(organisation)
    references = dict(db.session.execute(sa.select(Agreement.id, Agreement.reference).where(Agreement.id.in_(agreement_ids))).all()) \
        if agreement_ids else {}
    digests = {}

    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        def add(name, data):
            data = data.encode("utf-8") if isinstance(data, str) else data
            digests[name] = hashlib.sha256(data).hexdigest()
            pack.writestr(name, data)

        document = _register_document(organisation)
        add("register.json", to_json(document))

        documents, sums = [], []
        query = (sa.select(ProtocolDocument).where(ProtocolDocument.agreement_id.in_(agreement_ids))
                 .order_by(ProtocolDocument.agreement_id, ProtocolDocument.protocol_version, ProtocolDocument.id))
        for stored in db.session.scalars(query) if agreement_ids else ():
            name = f"protocols/{stored.filename}"
            add(name, stored.pdf)  # deferred: one document in memory at a time
            intact = digests[name] == stored.sha256  # a mismatch is exported too, and said
            sums.append(f"{stored.sha256}  {stored.filename}")
            documents.append([references[stored.agreement_id], stored.protocol_version, stored.filename, stored.sha256,
                              "yes" if intact else "NO: the stored file differs from the SHA-256 recorded when it was generated",
                              stored.page_count, stored.generated_by, _iso(stored.generated_at)])
            db.session.expire(stored, ["pdf"])
        add("protocols/SHA256SUMS", "".join(line + "\n" for line in sums))
        add("protocols.csv", _csv(["Agreement", "Version", "File", "SHA-256", "File matches its SHA-256", "Pages", "Generated by",
                                    "Generated at (UTC)"], documents))

        signatures = [
            [references[s.agreement_id], s.protocol_version, s.organisation_name, s.signatory_name, s.signatory_title or "",
             _iso(s.signed_on), s.method.label, s.document_sha256 or "", s.recorded_by, _iso(s.recorded_at)]
            for s in db.session.scalars(sa.select(Signature).where(Signature.agreement_id.in_(agreement_ids))
                                        .order_by(Signature.agreement_id, Signature.protocol_version, Signature.id))
        ] if agreement_ids else []
        add("signatures.csv", _csv(["Agreement", "Version", "Organisation", "Signatory", "Title", "Signed on", "How",
                                    "Document SHA-256", "Recorded by", "Recorded at (UTC)"], signatures))

        decisions = _decisions(organisation, agreement_ids)
        add("decisions.json", json.dumps({"organisation": organisation.slug, "decisions": decisions}, indent=2, ensure_ascii=False) + "\n")
        add("decisions.csv", _csv(
            ["Decided on", "Discloser", "Recipient", "Case reference", "Purpose", "Category", "Outcome", "Reasons",
             "Lawful bases", "Shared", "Channel", "Agreement", "Recorded by"],
            [[d["decided_on"], d["discloser"], d["recipient"], d["case_reference"], d["purpose"], d["category"], d["outcome"],
              d["reasons"], "; ".join(d["lawful_bases"]), d["shared"] or "", d["channel"] or "", d["agreement"] or "",
              d["recorded_by"]] for d in decisions],
        ))

        history = _history(organisation, agreement_ids, [d["id"] for d in decisions])
        add("history.json", json.dumps({"organisation": organisation.slug, "events": history}, indent=2, ensure_ascii=False) + "\n")
        add("history.csv", _csv(
            ["At (UTC)", "Who", "Action", "Record type", "Record", "Changes"],
            [[e["at"], e["actor"], e["action"], e["record_type"], e["record"], json.dumps(e["changes"], ensure_ascii=False)]
             for e in history],
        ))

        add("README.txt", README.format(
            name=organisation.name, slug=organisation.slug, generated=generated_at.strftime("%d %B %Y %H:%M UTC"),
            agreements=len(document["agreements"]), documents=len(documents), decisions=len(decisions), events=len(history),
        ))
        pack.writestr("manifest.json", json.dumps({"organisation": organisation.slug, "generated_at": generated_at.isoformat(),
                                                   "sha256": digests}, indent=2) + "\n")
