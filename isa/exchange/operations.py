"""Import and export of the whole register in the SPEC §7 JSON format.

An import is all or nothing. The register as it stands is read once, with a handful of queries,
into the file's own form; the whole file is then checked against it and every problem collected.
Only a file without problems touches the session, and it is written with one commit. Records are
keyed by slug (organisations, channels) and reference (agreements); a record that matches what is
stored is left alone, so importing the same file twice changes nothing the second time.
"""
import enum
import json
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..agreements.lifecycle import date_problems
from ..agreements.models import Agreement, AgreementStatus, DataLocation, Party, PartyRole
from ..audit.models import AuditEvent
from ..audit.tracking import created_changes, current_actor, event_row
from ..channels.models import TransferChannel
from ..core import validation
from ..core.db import refresh_statistics, utcnow
from ..documents import versions
from ..documents.queue import enqueue
from ..documents.signatures import keep_signature, keep_version
from ..extensions import db
from ..flows.models import ConsentApproach, DataCategory, DataFlow, DataSubjectCategory, Frequency
from ..legal.models import LegalBasis
from ..organisations.models import Organisation
from ..organisations.types import OrganisationType
from ..users.models import Role, User
from ..users.operations import normalise_email

EVERY_PARTY = "*"  # a flow's "to" for every other party (DataFlow.to_organisation_id None)
SECTIONS = ("organisations", "channels", "agreements")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOAD_CHUNK = 500  # keys per "IN (...)" query when reading rows back or loading agreements to change


class ImportRejected(ValueError):
    """The file was not imported; `problems` names each bad record and field."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = list(problems)


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
            f"{kind.capitalize()}: {self.created[kind]} created, {self.updated[kind]} updated, {self.unchanged[kind]} unchanged"
            for kind in SECTIONS
        ) + "."


# --- the file's form of each record -------------------------------------------------------------


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def signatory_line(name, title):
    """Name and title as the file's single "signatory" (the same rule as Party.signatory)."""
    return ", ".join(part for part in (name, title) if part) or None


def split_signatory(line):
    """ "Jane Doe, Director" -> ("Jane Doe", "Director"); no comma means a name only."""
    if not line:
        return None, None
    name, _, title = line.partition(", ")
    return name.strip() or None, title.strip() or None


def _organisation_records(slugs=None):
    """{slug: record} in the file's form, and {slug: id}; only `slugs` when given."""
    table = Organisation.__table__
    query = sa.select(table) if slugs is None else sa.select(table).where(table.c.slug.in_(slugs))
    records, ids = {}, {}
    for row in db.session.execute(query).mappings():
        ids[row["slug"]] = row["id"]
        records[row["slug"]] = {key: _plain(row[key]) for key in ORGANISATION_FIELDS}
    return records, ids


def _channel_records(slugs=None):
    table = TransferChannel.__table__
    query = sa.select(table) if slugs is None else sa.select(table).where(table.c.slug.in_(slugs))
    records, ids = {}, {}
    for row in db.session.execute(query).mappings():
        ids[row["slug"]] = row["id"]
        records[row["slug"]] = {key: row[key] for key in CHANNEL_FIELDS}
    return records, ids


def _agreement_records(agreement_id=None):
    """{reference: record} in the file's form, and {reference: id}; only one agreement when given."""
    lead, superseded = aliased(Organisation), aliased(Agreement)
    a = Agreement.__table__.c
    query = (
        sa.select(
            a.id, a.reference, a.title, a.purpose, a.scope, lead.slug, User.email, a.status, a.start_date, a.review_date,
            a.end_date, a.review_interval_months, a.data_subjects, a.retention, a.security, a.data_location,
            a.dpia_reference, superseded.reference,
        )
        .select_from(Agreement.__table__)
        .outerjoin(lead, a.lead_organisation_id == lead.id)
        .outerjoin(User, a.owner_id == User.id)
        .outerjoin(superseded, a.supersedes_id == superseded.id)
    )
    if agreement_id is not None:
        query = query.where(a.id == agreement_id)
    agreements, agreement_ids, by_id = {}, {}, {}
    for row in db.session.execute(query):
        record = dict(zip(AGREEMENT_FIELDS[:17], (_plain(v) for v in row[1:])))
        record["parties"], record["flows"] = [], []
        agreements[row[1]] = by_id[row[0]] = record
        agreement_ids[row[1]] = row[0]

    p = Party.__table__.c
    query = (
        sa.select(p.agreement_id, Organisation.slug, p.role, p.signatory_name, p.signatory_title, p.signed_on)
        .join(Organisation, p.organisation_id == Organisation.id)
        .order_by(p.id)
    )
    if agreement_id is not None:
        query = query.where(p.agreement_id == agreement_id)
    for row in db.session.execute(query):
        by_id[row[0]]["parties"].append(
            {"organisation": row[1], "role": _plain(row[2]), "signatory": signatory_line(row[3], row[4]), "signed_on": _plain(row[5])}
        )

    f = DataFlow.__table__.c
    source, recipient = aliased(Organisation), aliased(Organisation)
    query = (
        sa.select(
            f.agreement_id, source.slug, recipient.slug, f.categories, f["items"], f.purposes, f.lawful_bases,
            TransferChannel.slug, f.frequency, f.consent, f.data_subject_categories, f.data_subjects, f.retention,
            f.source_system, f.asset_owner,
        )
        .join(source, f.from_organisation_id == source.id)
        .outerjoin(recipient, f.to_organisation_id == recipient.id)
        .outerjoin(TransferChannel, f.channel_id == TransferChannel.id)
        .order_by(f.id)
    )
    if agreement_id is not None:
        query = query.where(f.agreement_id == agreement_id)
    for row in db.session.execute(query):
        values = [row[1], row[2] or EVERY_PARTY, list(row[3] or []), row[4] or "", list(row[5] or []), list(row[6] or []),
                  row[7], _plain(row[8]), _plain(row[9]), list(row[10] or []), row[11], row[12], row[13], row[14]]
        by_id[row[0]]["flows"].append(dict(zip(FLOW_FIELDS, values)))
    return agreements, agreement_ids


def _read_register():
    """The stored register in the file's form, plus the database ids behind its keys."""
    organisations, org_ids = _organisation_records()
    channels, channel_ids = _channel_records()
    agreements, agreement_ids = _agreement_records()
    return organisations, org_ids, channels, channel_ids, agreements, agreement_ids


def export_register(party=None):
    """The whole register in the import format, sorted so that the same register gives the same file.

    With `party` (an organisation's slug), only the agreements it is party to, and the organisations
    and channels they refer to.
    """
    organisations, _, channels, _, agreements, _ = _read_register()
    if party is not None:
        agreements = {reference: record for reference, record in agreements.items()
                      if any(p["organisation"] == party for p in record["parties"])}
        used_orgs, used_channels = {party}, set()
        for record in agreements.values():
            used_orgs |= {p["organisation"] for p in record["parties"]} | {record["lead_organisation"]}
            used_orgs |= {f["from"] for f in record["flows"]} | {f["to"] for f in record["flows"]}
            used_channels |= {f["channel"] for f in record["flows"]}
        organisations = {slug: record for slug, record in organisations.items() if slug in used_orgs}
        channels = {slug: record for slug, record in channels.items() if slug in used_channels}
    return {
        "organisations": [organisations[slug] for slug in sorted(organisations)],
        "channels": [channels[slug] for slug in sorted(channels)],
        "agreements": [agreements[reference] for reference in sorted(agreements)],
    }


def export_agreement(agreement_id):
    """One agreement as a file of its own: its record exactly as `export_register` writes it, with the
    organisations and channels the record names (as `export_register` writes them): the protocol PDF embeds it."""
    agreements, _ = _agreement_records(agreement_id)
    named = set()
    for record in agreements.values():
        named.add(record["lead_organisation"])
        named.update(party["organisation"] for party in record["parties"])
        named.update(slug for flow in record["flows"] for slug in (flow["from"], flow["to"]))
    organisations, _ = _organisation_records(sorted(slug for slug in named if slug and slug != EVERY_PARTY))
    channels, _ = _channel_records(sorted({flow["channel"] for r in agreements.values() for flow in r["flows"] if flow["channel"]}))
    return {
        "organisations": [organisations[slug] for slug in sorted(organisations)],
        "channels": [channels[slug] for slug in sorted(channels)],
        "agreements": [agreements[reference] for reference in sorted(agreements)],
    }


def to_json(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- reading and checking a file ----------------------------------------------------------------


class _Bad(Exception):
    """One malformed value; the message is completed with where it was found."""


def _text(max_length=None):
    def check(value):
        if not isinstance(value, str):
            raise _Bad("must be text")
        value = value.strip()
        if max_length and len(value) > max_length:
            raise _Bad(f"must be {max_length} characters or fewer")
        return value or None

    return check


_any_text = _text()


def _formatted(rule, message, max_length=None, transform=None):
    def check(value):
        value = _text(max_length)(value)
        if value is not None and transform:
            value = transform(value)
        if value is not None and not rule(value):
            raise _Bad(f'"{value}" {message}')
        return value

    return check


_slug = _formatted(validation.valid_slug, "is not a valid slug: use lower-case letters, numbers and hyphens, like herts-police", 80)
_reference = _formatted(validation.valid_reference, "is not a valid reference: use letters, numbers and hyphens, like ISA-2024-001", 40)
_ico = _formatted(validation.valid_ico, "is not an ICO registration number: Z and 7 digits, or ZA or ZB and 6 digits", 9, str.upper)
_email = _formatted(validation.valid_email, "is not a valid email address", 254)


def _iso_date(value):
    value = _any_text(value)
    if value is None:
        return None
    try:
        if not ISO_DATE_RE.match(value):
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _Bad(f'"{value}" is not a date in the form YYYY-MM-DD') from None


def _choice(enum_cls, noun):
    values = [member.value for member in enum_cls]
    allowed = frozenset(values)

    def check(value):
        value = _any_text(value)
        if value is not None and value not in allowed:
            raise _Bad(f'unknown {noun} "{value}": use one of {", ".join(values)}')
        return value

    return check


def _flag(value):
    if not isinstance(value, bool):
        raise _Bad("must be true or false")
    return value


def _months(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 120:
        raise _Bad("must be a whole number of months from 1 to 120")
    return value


def _list_of(item_check, max_items=None):
    """A list of text, each item checked; blanks and repeats are dropped, order is kept."""

    def check(value):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _Bad("must be a list of text")
        if max_items and len(value) > max_items:
            raise _Bad(f"must have {max_items} items or fewer")
        items, bad = [], []
        for item in value:
            try:
                item = item_check(item)
            except _Bad as problem:
                bad.append(str(problem))
                continue
            if item is not None and item not in items:
                items.append(item)
        if bad:
            raise _Bad("; ".join(bad))
        return items

    return check


@dataclass(frozen=True)
class _Field:
    check: object
    required: bool = False
    blank: object = None  # the stored value for null or empty text


ORGANISATION_SPEC = {
    "slug": _Field(_slug, True),
    "name": _Field(_text(200), True),
    "type": _Field(_choice(OrganisationType, "organisation type"), True),
    "ico_registration": _Field(_ico),
    "dpo_name": _Field(_text(200)),
    "dpo_email": _Field(_email),
    "spoc_name": _Field(_text(200)),
    "spoc_email": _Field(_email),
    "address": _Field(_text(1000)),
    "law_enforcement_functions": _Field(_flag, blank=False),
}
CHANNEL_SPEC = {
    "slug": _Field(_slug, True),
    "name": _Field(_text(200), True),
    "special_category_approved": _Field(_flag, blank=False),
    "description": _Field(_text(validation.TEXT_LIMITS["channel_description"])),
}
ORGANISATION_FIELDS = tuple(ORGANISATION_SPEC)
CHANNEL_FIELDS = tuple(CHANNEL_SPEC)
AGREEMENT_FIELDS = (
    "reference", "title", "purpose", "scope", "lead_organisation", "owner_email", "status", "start_date", "review_date",
    "end_date", "review_interval_months", "data_subjects", "retention", "security", "data_location", "dpia_reference",
    "supersedes", "parties", "flows",
)
PARTY_FIELDS = ("organisation", "role", "signatory", "signed_on")
FLOW_FIELDS = (
    "from", "to", "categories", "items", "purposes", "lawful_bases", "channel", "frequency", "consent",
    "data_subject_categories", "data_subjects", "retention", "source_system", "asset_owner",
)

# A flow's keys for the record of processing (Art 30): optional, and never a material change.
RECORD_KEYS = ("data_subject_categories", "data_subjects", "retention", "source_system", "asset_owner")

# What a new record gets for a key the file leaves out.
ORGANISATION_DEFAULTS = {**dict.fromkeys(ORGANISATION_FIELDS), "law_enforcement_functions": False}
CHANNEL_DEFAULTS = {"special_category_approved": False, "description": None}
AGREEMENT_DEFAULTS = {
    "purpose": "", "scope": None, "lead_organisation": None, "owner_email": None, "end_date": None,
    "review_interval_months": 12, "data_subjects": None, "retention": None, "security": None,
    "data_location": DataLocation.UK.value, "dpia_reference": None, "supersedes": None, "parties": [], "flows": [],
}
PARTY_DEFAULTS = {"role": PartyRole.BOTH.value, "signatory": None, "signed_on": None}
FLOW_DEFAULTS = {
    "items": "", "purposes": [], "lawful_bases": [], "channel": None, "frequency": Frequency.AD_HOC.value,
    "consent": ConsentApproach.NO_CONSENT_LAWFUL_BASIS.value,
    "data_subject_categories": [], "data_subjects": None, "retention": None, "source_system": None, "asset_owner": None,
}


def _signatory(value):
    name, title = split_signatory(_any_text(value))
    if any(part and len(part) > 200 for part in (name, title)):
        raise _Bad("the name and the title must each be 200 characters or fewer")
    return signatory_line(name, title)


class _Reader:
    """Reads a whole file into clean records, collecting every problem instead of stopping."""

    def __init__(self, register, codes, users):
        self.organisations, self.org_ids, self.channels, self.channel_ids, self.agreements, self.agreement_ids = register
        self.codes = codes  # upper-case code -> catalogue code
        self.users = users  # normalised email -> User
        self.problems = []
        self.known_orgs = set(self.organisations)
        self.known_channels = set(self.channels)
        self.known_references = set(self.agreements)
        self.specs = {"agreement": self.agreement_spec(), "party": self.party_spec(), "flow": self.flow_spec()}

    def fail(self, where, message):
        self.problems.append(f"{where}: {message}")

    # -- generic record reading

    def record(self, where, raw, spec):
        """Check each key of `raw` against `spec`; returns the clean values of the keys present."""
        if not isinstance(raw, dict):
            self.fail(where, "must be an object")
            return None
        clean = {}
        for key in raw:
            if key not in spec:
                self.fail(f"{where}.{key}", "unknown field")
        for key, rule in spec.items():
            if key not in raw:
                if rule.required:
                    self.fail(f"{where}.{key}", "is required")
                continue
            value = self.value(f"{where}.{key}", raw[key], rule.check)
            if value is _INVALID:
                continue
            if value is None or value == "" or value == []:
                if rule.required:
                    self.fail(f"{where}.{key}", "is required")
                    continue
                value = rule.blank
            clean[key] = value
        return clean

    def value(self, where, value, check):
        if value is None:
            return None
        try:
            return check(value)
        except _Bad as problem:
            self.fail(where, str(problem))
            return _INVALID

    def section(self, data, name):
        rows = data.get(name, [])
        if not isinstance(rows, list):
            self.fail(name, "must be a list")
            return []
        return rows

    @staticmethod
    def label(name, index, raw, key):
        value = raw.get(key) if isinstance(raw, dict) else None
        return f"{name}[{index}] ({value})" if isinstance(value, str) and value.strip() else f"{name}[{index}]"

    def unique(self, seen, key, where, noun, first_where):
        if key in seen:
            self.fail(where, f'duplicate {noun} "{key}" (also {seen[key]})')
            return False
        seen[key] = first_where
        return True

    # -- the three sections

    def read(self, data):
        if not isinstance(data, dict):
            self.fail("file", 'must be a JSON object with "organisations", "channels" and "agreements" lists')
            return None
        for key in data:
            if key not in SECTIONS:
                self.fail(key, "unknown section: a register file has organisations, channels and agreements")
        organisations = self.keyed_section(data, "organisations", "slug", ORGANISATION_SPEC, self.known_orgs)
        channels = self.keyed_section(data, "channels", "slug", CHANNEL_SPEC, self.known_channels)
        raw_agreements = self.section(data, "agreements")
        for raw in raw_agreements:  # every reference in the file counts as known (for "supersedes")
            if isinstance(raw, dict) and isinstance(raw.get("reference"), str):
                self.known_references.add(raw["reference"].strip())
        seen, placed = {}, []
        for index, raw in enumerate(raw_agreements):
            where = self.label("agreements", index, raw, "reference")
            agreement = self.agreement(where, raw)
            if agreement and "reference" in agreement and self.unique(seen, agreement["reference"], f"{where}.reference", "reference", where):
                placed.append((where, agreement))
        self.supersession_loops(placed)
        return organisations, channels, [agreement for _, agreement in placed]

    def supersession_loops(self, placed):
        chain = {reference: stored["supersedes"] for reference, stored in self.agreements.items() if stored["supersedes"]}
        chain.update({agreement["reference"]: agreement["supersedes"] for _, agreement in placed if "supersedes" in agreement})
        for where, agreement in placed:
            start = agreement["reference"]
            if agreement.get("supersedes") in (None, start):
                continue  # superseding itself has its own message
            visited, current = {start}, chain.get(start)
            while current and current not in visited:
                visited.add(current)
                current = chain.get(current)
            if current == start:
                self.fail(f"{where}.supersedes", f'"{agreement["supersedes"]}" already supersedes {start}, directly or through others')

    def keyed_section(self, data, name, key, spec, known):
        seen, records = {}, []
        rows = self.section(data, name)
        for raw in rows:  # known even when malformed, so one bad slug is reported once, not at every use
            if isinstance(raw, dict) and isinstance(raw.get(key), str):
                known.add(raw[key].strip())
        for index, raw in enumerate(rows):
            where = self.label(name, index, raw, key)
            record = self.record(where, raw, spec)
            if record and key in record and self.unique(seen, record[key], f"{where}.{key}", key, where):
                records.append(record)
        return records

    def agreement_spec(self):
        return {
            "reference": _Field(_reference, True),
            "title": _Field(_text(300), True),
            "purpose": _Field(_text(validation.TEXT_LIMITS["purpose"]), blank=""),
            "scope": _Field(_text(validation.TEXT_LIMITS["scope"])),
            "lead_organisation": _Field(self.organisation_ref),
            "owner_email": _Field(self.owner),
            "status": _Field(_choice(AgreementStatus, "status"), True),
            "start_date": _Field(_iso_date, True),
            "review_date": _Field(_iso_date, True),
            "end_date": _Field(_iso_date),
            "review_interval_months": _Field(_months, blank=12),
            "data_subjects": _Field(_text(validation.TEXT_LIMITS["data_subjects"])),
            "retention": _Field(_text(validation.TEXT_LIMITS["retention"])),
            "security": _Field(_text(validation.TEXT_LIMITS["security"])),
            "data_location": _Field(_choice(DataLocation, "data location"), blank=DataLocation.UK.value),
            "dpia_reference": _Field(_text(100)),
            "supersedes": _Field(self.agreement_ref),
            "parties": _Field(lambda value: value, blank=[]),
            "flows": _Field(lambda value: value, blank=[]),
        }

    def agreement(self, where, raw):
        record = self.record(where, raw, self.specs["agreement"])
        if record is None:
            return None
        stored = self.agreements.get(record.get("reference"))
        if record.get("supersedes") and record["supersedes"] == record.get("reference"):
            self.fail(f"{where}.supersedes", "an agreement cannot supersede itself")
        dates = {key: record.get(key, stored and stored[key]) for key in ("start_date", "review_date", "end_date")}
        if all(key in record or stored for key in ("start_date", "review_date")):
            as_dates = {key: date.fromisoformat(value) if value else None for key, value in dates.items()}
            for key, message in date_problems(as_dates["start_date"], as_dates["review_date"], as_dates["end_date"]).items():
                self.fail(f"{where}.{key}", message)

        if "parties" in record:
            record["parties"] = self.parties(where, record["parties"])
            party_slugs = {p["organisation"] for p in record["parties"]}
        else:
            party_slugs = {p["organisation"] for p in stored["parties"]} if stored else set()
        if "flows" in record:
            record["flows"] = self.flows(where, record["flows"], party_slugs)
        elif stored and "parties" in record:
            used = {f["from"] for f in stored["flows"]} | {f["to"] for f in stored["flows"]} - {EVERY_PARTY}
            for slug in sorted(used - party_slugs):
                self.fail(f"{where}.parties", f'leaves out "{slug}", which the stored flows of this agreement still use')
        return record

    def party_spec(self):
        return {
            "organisation": _Field(self.organisation_ref, True),
            "role": _Field(_choice(PartyRole, "role"), blank=PartyRole.BOTH.value),
            "signatory": _Field(_signatory),
            "signed_on": _Field(_iso_date),
        }

    def parties(self, where, rows):
        if not isinstance(rows, list):
            self.fail(f"{where}.parties", "must be a list")
            return []
        spec = self.specs["party"]
        seen, parties = {}, []
        for index, raw in enumerate(rows):
            here = f"{where}.parties[{index}]"
            party = self.record(here, raw, spec)
            if party and "organisation" in party and self.unique(seen, party["organisation"], f"{here}.organisation", "party", f"parties[{index}]"):
                parties.append({**PARTY_DEFAULTS, **party})
        return parties

    def flow_spec(self):
        return {
            "from": _Field(self.organisation_ref, True),
            "to": _Field(self.recipient_ref, True),
            "categories": _Field(_list_of(_choice(DataCategory, "data category")), True),
            "items": _Field(_text(validation.TEXT_LIMITS["items"]), blank=""),
            "purposes": _Field(_list_of(_text(200), validation.MAX_PURPOSES_PER_FLOW), blank=[]),
            "lawful_bases": _Field(_list_of(self.lawful_basis), blank=[]),
            "channel": _Field(self.channel_ref),
            "frequency": _Field(_choice(Frequency, "frequency"), blank=Frequency.AD_HOC.value),
            "consent": _Field(_choice(ConsentApproach, "consent approach"), blank=ConsentApproach.NO_CONSENT_LAWFUL_BASIS.value),
            "data_subject_categories": _Field(_list_of(_choice(DataSubjectCategory, "data subject category")), blank=[]),
            "data_subjects": _Field(_text(validation.TEXT_LIMITS["data_subjects"])),
            "retention": _Field(_text(validation.TEXT_LIMITS["retention"])),
            "source_system": _Field(_text(200)),
            "asset_owner": _Field(_text(200)),
        }

    def flows(self, where, rows, party_slugs):
        if not isinstance(rows, list):
            self.fail(f"{where}.flows", "must be a list")
            return []
        spec = self.specs["flow"]
        flows = []
        for index, raw in enumerate(rows):
            here = f"{where}.flows[{index}]"
            flow = self.record(here, raw, spec)
            if flow is None:
                continue
            for key in ("from", "to"):
                slug = flow.get(key)
                if slug and slug != EVERY_PARTY and slug in self.known_orgs and slug not in party_slugs:
                    self.fail(f"{here}.{key}", f'"{slug}" is not a party to this agreement')
            if flow.get("from") and flow.get("from") == flow.get("to"):
                self.fail(f"{here}.to", "must be a different organisation from the sender")
            flows.append({**FLOW_DEFAULTS, **flow})
        return flows

    # -- references to other records

    def organisation_ref(self, value):
        value = _any_text(value)
        if value is not None and value not in self.known_orgs:
            raise _Bad(f'unknown organisation "{value}"')
        return value

    def recipient_ref(self, value):
        return EVERY_PARTY if isinstance(value, str) and value.strip() == EVERY_PARTY else self.organisation_ref(value)

    def channel_ref(self, value):
        value = _any_text(value)
        if value is not None and value not in self.known_channels:
            raise _Bad(f'unknown channel "{value}"')
        return value

    def agreement_ref(self, value):
        value = _any_text(value)
        if value is not None and value not in self.known_references:
            raise _Bad(f'unknown agreement "{value}"')
        return value

    def lawful_basis(self, value):
        value = _any_text(value)
        if value is None:
            return None
        code = self.codes.get(value.upper())
        if code is None:
            raise _Bad(f'unknown lawful basis "{value}"')
        return code

    def owner(self, value):
        value = _any_text(value)
        if value is None:
            return None
        user = self.users.get(normalise_email(value))
        if user is None:
            raise _Bad(f'no user has the email "{value}"')
        if user.role == Role.PARTNER:
            raise _Bad(f'"{value}" is a partner user: the owner must be a governance officer or administrator')
        return user.email


_INVALID = object()


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


class _StandIn(SimpleNamespace):
    """A bulk-inserted row's values, answering the model's audit methods as the model would."""

    def __init__(self, model, **values):
        super().__init__(**values)
        self._model = model

    def __getattr__(self, name):
        method = getattr(self._model, name)  # audit_label, audit_agreement, ... called on the values
        return lambda *args: method(self, *args)

    def audit_entity_type(self):
        return self._model.__name__


class _Events:
    """'created' audit events for bulk-inserted rows, as the tracker writes them for ORM objects.

    The label and the agreement and organisation an event belongs to come from the model's own
    audit methods, called on a stand-in holding the row's values and the records it refers to.
    """

    def __init__(self):
        self.actor = current_actor()
        self.at = utcnow()
        self.rows = []

    def created(self, model, entity_id, values, **related):
        stand_in = _StandIn(model, id=entity_id, audit_label_attr=model.audit_label_attr, **values, **related)
        changes = created_changes(values, model.audit_exclude)
        self.rows.append(event_row(stand_in, "created", entity_id, changes, self.actor, at=self.at))

    def write(self):
        if self.rows:
            db.session.execute(sa.insert(AuditEvent.__table__), self.rows)


class _Writer:
    def __init__(self, reader):
        self.reader = reader
        self.result = ImportResult()
        self.events = _Events()
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
            self.events.created(model, new_id, row)
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

        organisations = {self.org_ids[slug]: SimpleNamespace(name=name) for slug, name in self.org_names.items()}
        stand_ins = {}
        for record, row in zip(records, rows):
            agreement_id = self.agreement_ids[record["reference"]]
            stand_ins[agreement_id] = SimpleNamespace(id=agreement_id, reference=record["reference"])
            self.events.created(Agreement, agreement_id, row)
        for row, new_id in zip(party_rows, party_ids):
            self.events.created(Party, new_id, row, organisation=organisations[row["organisation_id"]],
                                agreement=stand_ins[row["agreement_id"]])
        for row, new_id in zip(flow_rows, flow_ids):
            recipient = row["to_organisation_id"]
            self.events.created(DataFlow, new_id, row, from_organisation=organisations[row["from_organisation_id"]],
                                to_organisation=organisations[recipient] if recipient else None,
                                agreement=stand_ins[row["agreement_id"]])
        # Bulk inserts bypass the flush listener that queues renders, as they bypass the audit tracker.
        enqueue(db.session.connection(), set(stand_ins))

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
        if not versions.anyone_signed(agreement):
            return None
        signed = [
            SimpleNamespace(organisation_id=p.organisation_id, organisation=p.organisation, signed_on=p.signed_on,
                            signed_document_version=p.signed_document_version, signed_document_sha256=p.signed_document_sha256,
                            signatory_name=p.signatory_name, signatory_title=p.signatory_title)
            for p in agreement.parties if p.signed_on is not None
        ]
        return versions.material_terms(agreement), signed

    @staticmethod
    def new_version_if_material(agreement, before, signed):
        """The file changed what the parties signed up to: the signatures stay on record against the
        version they signed, and the protocol version rises. A signature the file carries over
        unchanged was given to the earlier version, so the party is asked to sign again; a new
        signature in the file (a date the register did not have) is taken as one of the new version.
        The status is taken as the file gives it, and the findings say when it needs signatures."""
        leaving = [p for p in agreement.parties if p in db.session.deleted]
        if versions.material_terms(agreement, leaving) == before:
            return
        keep_version(agreement, before)
        for party in signed:
            keep_signature(agreement, party)
        earlier = {party.organisation_id: party.signed_on for party in signed}
        versions.raise_version(agreement, leaving, signed_anew=lambda party: earlier.get(party.organisation_id) != party.signed_on)

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

    @staticmethod
    def flow_record(flow_object):
        return {
            "from": flow_object.from_organisation.slug,
            "to": flow_object.to_organisation.slug if flow_object.to_organisation else EVERY_PARTY,
            "categories": list(flow_object.categories or []),
            "items": flow_object.items or "",
            "purposes": list(flow_object.purposes or []),
            "lawful_bases": list(flow_object.lawful_bases or []),
            "channel": flow_object.channel.slug if flow_object.channel else None,
            "frequency": _plain(flow_object.frequency),
            "consent": _plain(flow_object.consent),
            "data_subject_categories": list(flow_object.data_subject_categories or []),
            **{key: getattr(flow_object, key) for key in RECORD_KEYS[1:]},
        }

    def update_flows(self, agreement, flows):
        unmatched = {}
        for flow_object in agreement.flows:
            unmatched.setdefault(_flow_key(self.flow_record(flow_object)), []).append(flow_object)
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


def import_register(data):
    """Import a register file (already parsed from JSON). All or nothing: raises ImportRejected."""
    register = _read_register()
    codes = {code.upper(): code for code in db.session.scalars(sa.select(LegalBasis.code))}
    users = {normalise_email(user.email): user for user in db.session.scalars(sa.select(User))}
    reader = _Reader(register, codes, users)
    sections = reader.read(data)
    if reader.problems:
        db.session.rollback()
        raise ImportRejected(reader.problems)
    try:
        with db.session.no_autoflush:
            result = _Writer(reader).write(*sections)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if result.changed:
        refresh_statistics(db.session)  # a bulk load changes what the query planner should expect
    return result
