"""Reading an import file: every record checked against the field rules and the register as it
stands, every problem collected with where it was found (`agreements[3].flows[2].to`)."""
from datetime import date

from pydantic import ValidationError

from ..agreements.lifecycle import date_problems
from ..agreements.records import EVERY_PARTY
from ..agreements.schemas import AgreementRecord, PartyRecord
from ..channels.schemas import ChannelRecord
from ..core.messages import file_message, import_problem
from ..flows.schemas import FlowRecord
from ..organisations.schemas import OrganisationRecord
from ..users.models import Role
from ..users.operations import normalise_email
from .schema import FLOW_DEFAULTS, PARTY_DEFAULTS

SECTIONS = ("organisations", "channels", "agreements")


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

    def fail(self, where, message):
        self.problems.append(f"{where}: {message}")

    # -- generic record reading

    def record(self, where, raw, model):
        """`raw` built through its schema: the clean values of the keys it gives, or None (its problems listed)."""
        try:
            return model.model_validate(raw).model_dump(by_alias=True, exclude_unset=True)
        except ValidationError as refused:
            self.refused(where, refused.errors())
            return None

    def refused(self, where, errors):
        """The schema's refusals in our words, one line a field (a union's branches and a list's items folded)."""
        said = {}
        for error in errors:
            loc = error["loc"]
            path = f"{where}.{loc[0]}" if loc else where
            item = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
            said.setdefault(path, {}).setdefault(item, file_message(error))
        for path, messages in said.items():
            self.fail(path, "; ".join(messages.values()))

    def resolve(self, where, record, key, check):
        """A reference to another record checked (and the key dropped) by `check`, which returns the problem."""
        if record.get(key) is None:
            return
        problem = check(record[key])
        if problem:
            self.fail(f"{where}.{key}", problem)
            del record[key]

    def section(self, data, name):
        rows = data.get(name, [])
        if not isinstance(rows, list):
            self.fail(name, import_problem("not_a_list"))
            return []
        return rows

    @staticmethod
    def label(name, index, raw, key):
        value = raw.get(key) if isinstance(raw, dict) else None
        return f"{name}[{index}] ({value})" if isinstance(value, str) and value.strip() else f"{name}[{index}]"

    def unique(self, seen, key, where, noun, first_where):
        if key in seen:
            self.fail(where, import_problem("duplicate", noun=noun, value=key, first=seen[key]))
            return False
        seen[key] = first_where
        return True

    # -- the three sections

    def read(self, data):
        if not isinstance(data, dict):
            self.fail("file", import_problem("not_a_file"))
            return None
        for key in data:
            if key not in SECTIONS:
                self.fail(key, import_problem("unknown_section"))
        organisations = self.keyed_section(data, "organisations", "slug", OrganisationRecord, self.known_orgs)
        channels = self.keyed_section(data, "channels", "slug", ChannelRecord, self.known_channels)
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
                self.fail(f"{where}.supersedes", import_problem("supersession_loop", value=agreement["supersedes"], reference=start))

    def keyed_section(self, data, name, key, model, known):
        seen, records = {}, []
        rows = self.section(data, name)
        for raw in rows:  # known even when malformed, so one bad slug is reported once, not at every use
            if isinstance(raw, dict) and isinstance(raw.get(key), str):
                known.add(raw[key].strip())
        for index, raw in enumerate(rows):
            where = self.label(name, index, raw, key)
            record = self.record(where, raw, model)
            if record and key in record and self.unique(seen, record[key], f"{where}.{key}", key, where):
                records.append(record)
        return records

    def agreement(self, where, raw):
        nested = {}
        if isinstance(raw, dict):  # parties and flows are read one by one, so one bad flow hides no other problem
            raw = dict(raw)
            nested = {key: raw.pop(key) for key in ("parties", "flows") if key in raw}
        record = self.record(where, raw, AgreementRecord)
        if record is None:  # the parties and flows are still read, for their own problems
            slugs = {party["organisation"] for party in self.parties(where, nested.get("parties") or [])}
            self.flows(where, nested.get("flows") or [], slugs or self.known_orgs)
            return None
        self.resolve(where, record, "lead_organisation", self.organisation_ref)
        self.resolve(where, record, "owner_email", self.owner)
        self.resolve(where, record, "supersedes", self.agreement_ref)
        for key, rows in nested.items():
            record[key] = [] if rows is None or rows == [] else rows
        stored = self.agreements.get(record.get("reference"))
        if record.get("supersedes") and record["supersedes"] == record.get("reference"):
            self.fail(f"{where}.supersedes", import_problem("supersedes_itself"))
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
                self.fail(f"{where}.parties", import_problem("flows_need_party", value=slug))
        return record

    def parties(self, where, rows):
        if not isinstance(rows, list):
            self.fail(f"{where}.parties", import_problem("not_a_list"))
            return []
        seen, parties = {}, []
        for index, raw in enumerate(rows):
            here = f"{where}.parties[{index}]"
            party = self.record(here, raw, PartyRecord)
            if party:
                self.resolve(here, party, "organisation", self.organisation_ref)
            if party and "organisation" in party and self.unique(seen, party["organisation"], f"{here}.organisation", "party", f"parties[{index}]"):
                parties.append({**PARTY_DEFAULTS, **party})
        return parties

    def flows(self, where, rows, party_slugs):
        if not isinstance(rows, list):
            self.fail(f"{where}.flows", import_problem("not_a_list"))
            return []
        flows = []
        for index, raw in enumerate(rows):
            here = f"{where}.flows[{index}]"
            flow = self.record(here, raw, FlowRecord)
            if flow is None:
                continue
            self.resolve(here, flow, "from", self.organisation_ref)
            if flow.get("to") != EVERY_PARTY:
                self.resolve(here, flow, "to", self.organisation_ref)
            self.resolve(here, flow, "channel", self.channel_ref)
            self.lawful_bases(here, flow)
            for key in ("from", "to"):
                slug = flow.get(key)
                if slug and slug != EVERY_PARTY and slug in self.known_orgs and slug not in party_slugs:
                    self.fail(f"{here}.{key}", import_problem("not_a_party", value=slug))
            if flow.get("from") and flow.get("from") == flow.get("to"):
                self.fail(f"{here}.to", import_problem("sends_to_itself"))
            flows.append({**FLOW_DEFAULTS, **flow})
        return flows

    # -- references to other records: each check returns its problem, or None

    def organisation_ref(self, slug):
        return None if slug in self.known_orgs else import_problem("unknown_organisation", value=slug)

    def channel_ref(self, slug):
        return None if slug in self.known_channels else import_problem("unknown_channel", value=slug)

    def agreement_ref(self, reference):
        return None if reference in self.known_references else import_problem("unknown_agreement", value=reference)

    def owner(self, email):
        user = self.users.get(normalise_email(email))
        if user is None:
            return import_problem("unknown_user", value=email)
        if user.role == Role.PARTNER:
            return import_problem("partner_owner", value=email)
        return None

    def lawful_bases(self, where, flow):
        """The catalogue's codes, matched whatever their case; each unknown one named."""
        codes, unknown = [], []
        for value in flow.get("lawful_bases", []):
            code = self.codes.get(value.upper())
            if code is None:
                unknown.append(import_problem("unknown_lawful_basis", value=value))
            elif code not in codes:
                codes.append(code)
        if unknown:
            self.fail(f"{where}.lawful_bases", "; ".join(unknown))
            del flow["lawful_bases"]
        elif "lawful_bases" in flow:
            flow["lawful_bases"] = codes
