"""Reading an import file: every record checked against the field rules and the register as it
stands, every problem collected with where it was found (`agreements[3].flows[2].to`).

The words of a problem are in the page's language (English at the command line); where it was
found, the file's own keys and values stay as the file has them.
"""
from datetime import date

from flask_babel import gettext as _

from ..agreements.lifecycle import date_problems
from ..agreements.models import AgreementStatus, DataLocation, PartyRole
from ..agreements.records import EVERY_PARTY
from ..core import schemas, validation
from ..core.i18n import lazy_gettext as _l
from ..flows.models import ConsentApproach, DataCategory, DataSubjectCategory, Frequency
from ..users.models import Role
from ..users.operations import normalise_email
from .schema import (
    CHANNEL_SPEC,
    FLOW_DEFAULTS,
    ORGANISATION_SPEC,
    PARTY_DEFAULTS,
    any_text,
    Bad,
    choice_rule,
    Field,
    iso_date,
    list_rule,
    months_rule,
    reference_rule,
    signatory_rule,
    text_rule,
)

SECTIONS = ("organisations", "channels", "agreements")
DUPLICATE = {  # by what the duplicate repeats
    "slug": _l('duplicate slug "%(key)s" (also %(first)s)'),
    "reference": _l('duplicate reference "%(key)s" (also %(first)s)'),
    "party": _l('duplicate party "%(key)s" (also %(first)s)'),
}


class ImportRejected(ValueError):
    """The file was not imported; `problems` names each bad record and field."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the file")
        self.problems = list(problems)


class Reader:
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
            self.fail(where, _("must be an object"))
            return None
        clean = {}
        for key in raw:
            if key not in spec:
                self.fail(f"{where}.{key}", _("unknown field"))
        for key, rule in spec.items():
            if key not in raw:
                if rule.required:
                    self.fail(f"{where}.{key}", _("is required"))
                continue
            value = self.value(f"{where}.{key}", raw[key], rule.check)
            if value is _INVALID:
                continue
            if value is None or value == "" or value == []:
                if rule.required:
                    self.fail(f"{where}.{key}", _("is required"))
                    continue
                value = rule.blank
            clean[key] = value
        return clean

    def value(self, where, value, check):
        if value is None:
            return None
        try:
            return check(value)
        except Bad as problem:
            self.fail(where, str(problem))
            return _INVALID

    def section(self, data, name):
        rows = data.get(name, [])
        if not isinstance(rows, list):
            self.fail(name, _("must be a list"))
            return []
        return rows

    @staticmethod
    def label(name, index, raw, key):
        value = raw.get(key) if isinstance(raw, dict) else None
        return f"{name}[{index}] ({value})" if isinstance(value, str) and value.strip() else f"{name}[{index}]"

    def unique(self, seen, key, where, noun, first_where):
        if key in seen:
            self.fail(where, DUPLICATE[noun] % {"key": key, "first": seen[key]})
            return False
        seen[key] = first_where
        return True

    # -- the three sections

    def read(self, data):
        if not isinstance(data, dict):
            self.fail("file", _('must be a JSON object with "organisations", "channels" and "agreements" lists'))
            return None
        for key in data:
            if key not in SECTIONS:
                self.fail(key, _("unknown section: a register file has organisations, channels and agreements"))
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
                self.fail(f"{where}.supersedes", _('"%(other)s" already supersedes %(reference)s, directly or through others',
                                                   other=agreement["supersedes"], reference=start))

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
            "reference": Field(reference_rule, True),
            "title": Field(text_rule(schemas.TITLE_MAX), True),
            "purpose": Field(text_rule(validation.TEXT_LIMITS["purpose"]), blank=""),
            "scope": Field(text_rule(validation.TEXT_LIMITS["scope"])),
            "lead_organisation": Field(self.organisation_ref),
            "owner_email": Field(self.owner),
            "status": Field(choice_rule(AgreementStatus, _l('unknown status "%(value)s": use one of %(allowed)s')), True),
            "start_date": Field(iso_date, True),
            "review_date": Field(iso_date, True),
            "end_date": Field(iso_date),
            "review_interval_months": Field(months_rule, blank=12),
            "data_subjects": Field(text_rule(validation.TEXT_LIMITS["data_subjects"])),
            "retention": Field(text_rule(validation.TEXT_LIMITS["retention"])),
            "security": Field(text_rule(validation.TEXT_LIMITS["security"])),
            "data_location": Field(choice_rule(DataLocation, _l('unknown data location "%(value)s": use one of %(allowed)s')), blank=DataLocation.UK.value),
            "dpia_reference": Field(text_rule(schemas.DPIA_REFERENCE_MAX)),
            "supersedes": Field(self.agreement_ref),
            "parties": Field(lambda value: value, blank=[]),
            "flows": Field(lambda value: value, blank=[]),
        }

    def agreement(self, where, raw):
        record = self.record(where, raw, self.specs["agreement"])
        if record is None:
            return None
        stored = self.agreements.get(record.get("reference"))
        if record.get("supersedes") and record["supersedes"] == record.get("reference"):
            self.fail(f"{where}.supersedes", _("an agreement cannot supersede itself"))
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
                self.fail(f"{where}.parties", _('leaves out "%(slug)s", which the stored flows of this agreement still use', slug=slug))
        return record

    def party_spec(self):
        return {
            "organisation": Field(self.organisation_ref, True),
            "role": Field(choice_rule(PartyRole, _l('unknown role "%(value)s": use one of %(allowed)s')), blank=PartyRole.BOTH.value),
            "signatory": Field(signatory_rule),
            "signed_on": Field(iso_date),
        }

    def parties(self, where, rows):
        if not isinstance(rows, list):
            self.fail(f"{where}.parties", _("must be a list"))
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
            "from": Field(self.organisation_ref, True),
            "to": Field(self.recipient_ref, True),
            "categories": Field(list_rule(choice_rule(DataCategory, _l('unknown data category "%(value)s": use one of %(allowed)s'))), True),
            "items": Field(text_rule(validation.TEXT_LIMITS["items"]), blank=""),
            "purposes": Field(list_rule(text_rule(schemas.NAME_MAX), validation.MAX_PURPOSES_PER_FLOW), blank=[]),
            "lawful_bases": Field(list_rule(self.lawful_basis), blank=[]),
            "channel": Field(self.channel_ref),
            "frequency": Field(choice_rule(Frequency, _l('unknown frequency "%(value)s": use one of %(allowed)s')), blank=Frequency.AD_HOC.value),
            "consent": Field(choice_rule(ConsentApproach, _l('unknown consent approach "%(value)s": use one of %(allowed)s')), blank=ConsentApproach.NO_CONSENT_LAWFUL_BASIS.value),
            "data_subject_categories": Field(list_rule(choice_rule(DataSubjectCategory, _l('unknown data subject category "%(value)s": use one of %(allowed)s'))), blank=[]),
            "data_subjects": Field(text_rule(validation.TEXT_LIMITS["data_subjects"])),
            "retention": Field(text_rule(validation.TEXT_LIMITS["retention"])),
            "source_system": Field(text_rule(schemas.NAME_MAX)),
            "asset_owner": Field(text_rule(schemas.NAME_MAX)),
        }

    def flows(self, where, rows, party_slugs):
        if not isinstance(rows, list):
            self.fail(f"{where}.flows", _("must be a list"))
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
                    self.fail(f"{here}.{key}", _('"%(slug)s" is not a party to this agreement', slug=slug))
            if flow.get("from") and flow.get("from") == flow.get("to"):
                self.fail(f"{here}.to", _("must be a different organisation from the sender"))
            flows.append({**FLOW_DEFAULTS, **flow})
        return flows

    # -- references to other records

    def organisation_ref(self, value):
        value = any_text(value)
        if value is not None and value not in self.known_orgs:
            raise Bad(_('unknown organisation "%(value)s"', value=value))
        return value

    def recipient_ref(self, value):
        return EVERY_PARTY if isinstance(value, str) and value.strip() == EVERY_PARTY else self.organisation_ref(value)

    def channel_ref(self, value):
        value = any_text(value)
        if value is not None and value not in self.known_channels:
            raise Bad(_('unknown channel "%(value)s"', value=value))
        return value

    def agreement_ref(self, value):
        value = any_text(value)
        if value is not None and value not in self.known_references:
            raise Bad(_('unknown agreement "%(value)s"', value=value))
        return value

    def lawful_basis(self, value):
        value = any_text(value)
        if value is None:
            return None
        code = self.codes.get(value.upper())
        if code is None:
            raise Bad(_('unknown lawful basis "%(value)s"', value=value))
        return code

    def owner(self, value):
        value = any_text(value)
        if value is None:
            return None
        user = self.users.get(normalise_email(value))
        if user is None:
            raise Bad(_('no user has the email "%(value)s"', value=value))
        if user.role == Role.PARTNER:
            raise Bad(_('"%(value)s" is a partner user: the owner must be a governance officer or administrator', value=value))
        return user.email


_INVALID = object()
