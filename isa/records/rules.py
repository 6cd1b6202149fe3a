"""What the regulator and the NHS toolkit ask for, built from the register's flows.

Pure functions over a `Snapshot` of plain values (read by queries.py), with no Flask and no
session: the pages, the API, the command line, the PDF and the benchmarks call the same rows.

- `processing_rows`: an organisation's record of processing activities (UK GDPR Art 30(1)), one
  row for each flow it discloses and each flow it receives.
- `sharing_register_rows`: the same flows in the shape of the Data Security and Protection
  Toolkit's sharing register (assertion 1.1.2), one row per sharing, with whether a written
  agreement is in place and when it ends.

Headings and the words in cells are `Words` (isa/legal/words.py): English as text, so the CSV
files stay English whatever the reader's language, and worded in the reader's language on a page,
in the XLSX and in the PDF.
"""
from dataclasses import dataclass, field
from datetime import date

from ..agreements.rules import in_force_on
from ..agreements.models import AgreementStatus, DataLocation
from ..flows.models import ConsentApproach, DataCategory, DataSubjectCategory, Frequency
from ..legal.models import BasisKind
from ..legal.words import Label, N_, joined_words, label_words

EVERY_PARTY = None  # a flow's recipient id for "every other party"

# Sharings the DSPT register lists: any not ended for good (a draft or an expired agreement is a
# sharing without a written agreement in place, which is what the toolkit asks about).
LISTED_SHARINGS = frozenset(AgreementStatus) - {AgreementStatus.TERMINATED, AgreementStatus.SUPERSEDED}

TRANSFERS = {
    DataLocation.UK: N_("None: the data stays in the United Kingdom"),
    DataLocation.EEA: N_("To the European Economic Area (covered by UK adequacy regulations)"),
    DataLocation.OTHER: N_("Outside the UK and EEA: a restricted transfer, needing adequacy regulations or an appropriate safeguard"),
}
BASIS_COLUMNS = (  # (heading, the catalogue kinds it holds)
    (N_("Article 6 lawful basis"), (BasisKind.ART6,)),
    (N_("Article 9 condition (special category data)"), (BasisKind.ART9,)),
    (N_("Article 10 (criminal offence data)"), (BasisKind.ART10,)),
    (N_("DPA 2018 Schedule 1 conditions"), (BasisKind.SCH1,)),
    (N_("DPA 2018 Part 3 (law enforcement)"), (BasisKind.PART3,)),
    (N_("Statutory gateways"), (BasisKind.GATEWAY,)),
    (N_("Common law"), (BasisKind.COMMON_LAW,)),
)
YES, NO = N_("Yes"), N_("No")
DISCLOSES_WORD, RECEIVES_WORD = N_("Discloses"), N_("Receives")  # an organisation's role in a flow
OUTGOING, INCOMING = N_("Outgoing"), N_("Incoming")  # a sharing's direction


@dataclass(frozen=True)
class Org:
    id: int
    slug: str
    name: str
    type_label: str
    ico_registration: str | None = None
    dpo_name: str | None = None
    dpo_email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Agreement:
    id: int
    reference: str
    title: str
    status: AgreementStatus
    start_date: date
    review_date: date
    end_date: date | None
    retention: str | None
    security: str | None
    data_location: DataLocation
    resume_status: AgreementStatus | None = None  # set while an amendment of an in-force agreement awaits signatures
    parties: tuple = ()  # (organisation id, signed_on) in the agreement's order


@dataclass(frozen=True)
class Flow:
    id: int
    agreement_id: int
    from_id: int
    to_id: int | None  # None: every other party
    categories: tuple
    items: str
    purposes: tuple
    lawful_bases: tuple
    channel: str | None  # the channel's name
    channel_approved: bool
    frequency: Frequency
    consent: ConsentApproach
    subject_categories: tuple = ()
    data_subjects: str | None = None
    retention: str | None = None
    source_system: str | None = None
    asset_owner: str | None = None


@dataclass
class Snapshot:
    """The part of the register the records are built from, as plain values."""

    organisations: dict  # id -> Org
    agreements: dict  # id -> Agreement
    flows: list  # Flow, by agreement reference then id
    bases: dict  # code -> (BasisKind, title)
    _by_org: dict = field(default=None, repr=False)
    _words: dict = field(default_factory=dict, repr=False)

    def involving(self, organisation_id):
        """[(flow, "discloses" | "receives")] for one organisation, built once for every organisation."""
        if self._by_org is None:
            self._by_org = {}
            for flow in self.flows:
                self._by_org.setdefault(flow.from_id, []).append((flow, DISCLOSES))
                for recipient in self.recipients(flow):
                    self._by_org.setdefault(recipient, []).append((flow, RECEIVES))
        return self._by_org.get(organisation_id, [])

    def recipients(self, flow):
        if flow.to_id is not EVERY_PARTY:
            return [flow.to_id]
        return [org_id for org_id, _ in self.agreements[flow.agreement_id].parties if org_id != flow.from_id]

    def flow_words(self, flow):
        """A flow's Art 30 cells that are the same in every record it is in (the discloser's and
        each recipient's): from "Disclosed by" to "Information asset owner", made once per flow."""
        words = self._words.get(flow.id)
        if words is None:
            agreement = self.agreements[flow.agreement_id]
            if flow.channel and agreement.security:
                security = N_("%(security)s; Sent by %(channel)s", security=agreement.security, channel=flow.channel)
            elif flow.channel:
                security = N_("Sent by %(channel)s", channel=flow.channel)
            else:
                security = agreement.security or ""
            words = self._words[flow.id] = (
                self.names([flow.from_id]), self.names(self.recipients(flow)),
                "; ".join(flow.purposes), subjects_text(flow), _labels(DataCategory, flow.categories), flow.items,
                TRANSFERS[agreement.data_location], flow.retention or agreement.retention or "", security,
                flow.channel or "", label_words(flow.frequency), label_words(flow.consent),
                *(bases_in_words(flow.lawful_bases, self.bases, kinds) for _, kinds in BASIS_COLUMNS),
                flow.source_system or "", flow.asset_owner or "",
            )
        return words

    def names(self, org_ids):
        return "; ".join(self.organisations[org_id].name for org_id in org_ids if org_id in self.organisations)


DISCLOSES, RECEIVES = "discloses", "receives"


def agreement_in_place(agreement, today):
    """A written agreement in place: in force, and every party signed (the signed version, if amended)."""
    if not in_force_on(agreement, today):
        return False
    return agreement.resume_status is not None or all(signed_on is not None for _, signed_on in agreement.parties)


def _labels(enum_cls, values):
    return joined_words(Label(enum_cls(value)) for value in values)


def subjects_text(flow):
    """The categories of data subjects in words: the closed list, then the free text."""
    return joined_words(part for part in (_labels(DataSubjectCategory, flow.subject_categories), flow.data_subjects) if part)


def bases_in_words(codes, bases, kinds):
    """'CODE: title' for each code of these kinds, in the flow's order."""
    words = []
    for code in codes:
        kind, title = bases.get(code, (None, None))
        if kind in kinds:
            words.append(f"{code}: {title}")
    return "; ".join(words)


# --- the record of processing activities (Art 30) ---------------------------------------------

PROCESSING_COLUMNS = (
    N_("Agreement"), N_("Agreement title"), N_("Agreement status"), N_("Role"), N_("Disclosed by"), N_("Received by"),
    N_("Purposes"), N_("Categories of data subjects"), N_("Categories of personal data"), N_("Data items"),
    N_("Transfers outside the UK"), N_("Retention"), N_("Security measures"), N_("Transfer channel"), N_("Frequency"),
    N_("Consent approach"), *(heading for heading, _ in BASIS_COLUMNS), N_("Source system or information asset"),
    N_("Information asset owner"), N_("Start date"), N_("Review date"), N_("End date"), N_("Signed on"),
)
PROCESSING_DATE_COLUMNS = frozenset({"Start date", "Review date", "End date", "Signed on"})


def processing_rows(snapshot, organisation_id, today):
    """The organisation's Art 30 record: a row per flow it discloses or receives under an agreement in force."""
    rows = []
    for flow, role in snapshot.involving(organisation_id):
        agreement = snapshot.agreements[flow.agreement_id]
        if not in_force_on(agreement, today):
            continue
        signed_on = next((signed for org_id, signed in agreement.parties if org_id == organisation_id), None)
        rows.append((
            agreement.reference, agreement.title, label_words(agreement.status),
            DISCLOSES_WORD if role == DISCLOSES else RECEIVES_WORD,
            *snapshot.flow_words(flow), agreement.start_date, agreement.review_date, agreement.end_date, signed_on,
        ))
    return rows


def controller_lines(organisation):
    """Art 30(1)(a): the controller and its data protection officer, as the record's heading."""
    dpo = ", ".join(part for part in (organisation.dpo_name, organisation.dpo_email) if part) or N_("not recorded")
    return [
        N_("Record of processing activities (UK GDPR Article 30): %(name)s", name=organisation.name),
        N_("Controller: %(name)s (%(type)s); ICO registration: %(ico)s; data protection officer: %(dpo)s",
           name=organisation.name, type=organisation.type_label, ico=organisation.ico_registration or N_("not recorded"),
           dpo=dpo),
    ]


# --- the DSPT sharing register (assertion 1.1.2) -----------------------------------------------

SHARING_COLUMNS = (
    N_("Agreement"), N_("Sharing"), N_("Direction"), N_("Shared with"), N_("Information shared"),
    N_("Type of information"), N_("Data subjects"), N_("Purposes"), N_("Lawful basis"), N_("How it is shared"),
    N_("Channel approved for sensitive data"), N_("How often"), N_("Information asset"), N_("Information asset owner"),
    N_("Transfers outside the UK"), N_("Written agreement in place"), N_("Agreement status"), N_("Agreement starts"),
    N_("Agreement ends"), N_("Next review"),
)
SHARING_DATE_COLUMNS = frozenset({"Agreement starts", "Agreement ends", "Next review"})


def sharing_register_rows(snapshot, organisation_id, today):
    """The organisation's sharings in the toolkit's shape: one row per flow in or out."""
    rows = []
    for flow, role in snapshot.involving(organisation_id):
        agreement = snapshot.agreements[flow.agreement_id]
        if agreement.status not in LISTED_SHARINGS:
            continue
        others = snapshot.recipients(flow) if role == DISCLOSES else [flow.from_id]
        bases = "; ".join(f"{code}: {snapshot.bases[code][1]}" if code in snapshot.bases else code for code in flow.lawful_bases)
        rows.append((
            agreement.reference, agreement.title, OUTGOING if role == DISCLOSES else INCOMING,
            snapshot.names(others), flow.items, _labels(DataCategory, flow.categories), subjects_text(flow),
            "; ".join(flow.purposes), bases, flow.channel or "", YES if flow.channel_approved else NO,
            label_words(flow.frequency), flow.source_system or "", flow.asset_owner or "",
            NO if agreement.data_location == DataLocation.UK else YES,
            YES if agreement_in_place(agreement, today) else NO, label_words(agreement.status),
            agreement.start_date, agreement.end_date, agreement.review_date,
        ))
    return rows
