"""Import and export of the register (SPEC §7): round trip, all-or-nothing rejection, idempotence."""
import copy
import io
import json
from datetime import date

import pytest
import sqlalchemy as sa

from isa import create_app
from isa.agreements.models import Agreement, AgreementStatus, Party
from isa.audit.models import AuditEvent
from isa.audit.tracking import acting_as
from isa.channels.models import TransferChannel
from isa.exchange.demo import demo_register
from isa.exchange.operations import ImportRejected, export_register, import_register, to_json
from isa.extensions import db as _db
from isa.flows.models import DataFlow
from isa.legal.catalogue import sync_catalogue
from isa.organisations.models import Organisation
from isa.users.models import Role, User
from tests.conftest import count, csrf_token, forget_planner_statistics, planner_statistics, post_form

TODAY = date(2026, 6, 1)
OWNER = "officer@example.org"
MODELS = (Organisation, TransferChannel, Agreement, Party, DataFlow, User, AuditEvent)


@pytest.fixture
def officer(make):
    return make.user(role="officer", email=OWNER)


def register_file():
    """The SPEC §7 example, filled in: two organisations, a channel, one agreement."""
    return {
        "organisations": [
            {"slug": "herts-cc", "name": "Hertfordshire County Council", "type": "local_authority",
             "ico_registration": "Z1234567", "spoc_email": "ig@example.org", "dpo_email": "dpo@example.org"},
            {"slug": "herts-police", "name": "Hertfordshire Constabulary", "type": "police",
             "ico_registration": "Z7654321", "spoc_email": "dp@example.org", "dpo_email": "dpo2@example.org"},
        ],
        "channels": [{"slug": "secure-email", "name": "Secure email", "special_category_approved": True}],
        "agreements": [
            {"reference": "ISA-2024-001", "title": "Family Safeguarding", "purpose": "Safeguarding children",
             "status": "active", "start_date": "2024-12-01", "review_date": "2027-12-01", "end_date": None,
             "data_location": "uk", "owner_email": OWNER,
             "parties": [
                 {"organisation": "herts-cc", "role": "both", "signatory": "Jane Doe, Director", "signed_on": "2024-11-20"},
                 {"organisation": "herts-police", "role": "discloser", "signatory": "John Roe, Head of Public Protection",
                  "signed_on": "2024-11-22"},
             ],
             "flows": [
                 {"from": "herts-police", "to": "herts-cc", "categories": ["personal", "special_category"],
                  "items": "Incident reports", "purposes": ["safeguarding children"],
                  "lawful_bases": ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"], "channel": "secure-email",
                  "frequency": "ad_hoc", "consent": "no_consent_lawful_basis"},
             ]},
        ],
    }


def counts(db):
    return {model.__name__: count(db, model) for model in MODELS}


def do_import(data):
    with acting_as("import"):
        return import_register(data)


def agreement(db, reference="ISA-2024-001"):
    db.session.expire_all()
    return db.session.scalar(sa.select(Agreement).where(Agreement.reference == reference))


# --- round trip -----------------------------------------------------------------------------------


def test_round_trip_into_an_empty_register_gives_the_same_file(app, db, officer, tmp_path):
    do_import(demo_register(TODAY))
    first = export_register()

    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite'}",
                        "SECRET_KEY": "test"})
    with other.app_context():
        _db.create_all()
        sync_catalogue(_db.session.connection())
        _db.session.add(User(email=OWNER, role=Role.OFFICER, password_hash="x"))
        _db.session.commit()
        do_import(json.loads(to_json(first)))
        second = export_register()
        _db.session.remove()
        _db.drop_all()

    assert to_json(second) == to_json(first)
    assert [o["slug"] for o in first["organisations"]] == sorted(o["slug"] for o in first["organisations"])
    assert [a["reference"] for a in first["agreements"]] == sorted(a["reference"] for a in first["agreements"])


def test_export_carries_every_field_in_the_file_format(db, officer):
    do_import(register_file())
    exported = export_register()
    org = exported["organisations"][0]
    assert list(org) == ["slug", "name", "type", "ico_registration", "dpo_name", "dpo_email", "spoc_name", "spoc_email", "address",
                         "law_enforcement_functions"]
    assert exported["channels"] == [{"slug": "secure-email", "name": "Secure email", "special_category_approved": True, "description": None}]
    record = exported["agreements"][0]
    assert record["owner_email"] == OWNER
    assert record["review_interval_months"] == 12
    assert record["parties"][1] == {"organisation": "herts-police", "role": "discloser",
                                    "signatory": "John Roe, Head of Public Protection", "signed_on": "2024-11-22"}
    assert record["flows"][0]["lawful_bases"] == ["UKGDPR-A6-1E", "UKGDPR-A9-2G", "DPA2018-SCH1-18"]


def test_signatory_is_split_into_name_and_title(db, officer):
    data = register_file()
    data["agreements"][0]["parties"][1]["signatory"] = "John Roe"
    do_import(data)
    parties = {p.organisation.slug: p for p in agreement(db).parties}
    assert (parties["herts-cc"].signatory_name, parties["herts-cc"].signatory_title) == ("Jane Doe", "Director")
    assert (parties["herts-police"].signatory_name, parties["herts-police"].signatory_title) == ("John Roe", None)
    assert export_register()["agreements"][0]["parties"][1]["signatory"] == "John Roe"


def test_a_flow_to_every_party(db, officer):
    data = register_file()
    data["agreements"][0]["flows"][0].update({"from": "herts-cc", "to": "*"})
    do_import(data)
    assert agreement(db).flows[0].to_organisation_id is None
    assert export_register()["agreements"][0]["flows"][0]["to"] == "*"


def test_optional_keys_may_be_absent(db, officer):
    data = register_file()
    del data["agreements"][0]["end_date"], data["agreements"][0]["data_location"]
    data["agreements"][0]["flows"][0] = {"from": "herts-police", "to": "herts-cc", "categories": ["personal"]}
    do_import(data)
    flow = agreement(db).flows[0]
    assert (flow.channel_id, flow.frequency.value, flow.consent.value, flow.lawful_bases) == (None, "ad_hoc", "no_consent_lawful_basis", [])


def test_an_active_agreement_with_an_unsigned_party_imports(db, officer):
    data = register_file()
    data["agreements"][0]["parties"][1]["signed_on"] = None
    do_import(data)
    stored = agreement(db)
    assert stored.status == AgreementStatus.ACTIVE
    assert [p.signed_on for p in stored.parties] == [date(2024, 11, 20), None]


def test_records_already_in_the_register_count_as_known(db, officer, make):
    make.organisation(slug="herts-fire", name="Hertfordshire Fire and Rescue")
    make.channel(slug="cjsm", name="CJSM")
    data = register_file()
    data["agreements"][0]["parties"].append({"organisation": "herts-fire", "role": "recipient"})
    data["agreements"][0]["flows"][0].update({"to": "herts-fire", "channel": "cjsm"})
    do_import(data)
    assert agreement(db).flows[0].to_organisation.slug == "herts-fire"


def test_the_import_is_recorded_in_the_audit_trail(db, officer):
    do_import(register_file())
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.actor == "import")).all()
    kinds = sorted({(e.entity_type, e.action) for e in events})
    assert kinds == [("Agreement", "created"), ("DataFlow", "created"), ("Organisation", "created"),
                     ("Party", "created"), ("TransferChannel", "created")]
    stored = agreement(db)
    party_event = next(e for e in events if e.entity_type == "Party" and e.entity_id == stored.parties[0].id)
    assert party_event.entity_label == stored.parties[0].audit_label()
    assert party_event.agreement_id == stored.id
    assert party_event.changes["signatory_name"] == [None, "Jane Doe"]
    flow_event = next(e for e in events if e.entity_type == "DataFlow")
    assert flow_event.entity_label == stored.flows[0].audit_label()


# --- importing again ------------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(db, officer):
    do_import(demo_register(TODAY))
    before, versions = counts(db), {a.reference: a.version for a in db.session.scalars(sa.select(Agreement))}
    result = do_import(demo_register(TODAY))
    assert not result.changed
    assert result.unchanged["agreements"] == len(versions)
    assert counts(db) == before
    db.session.expire_all()
    assert {a.reference: a.version for a in db.session.scalars(sa.select(Agreement))} == versions


def test_a_changed_file_updates_the_stored_records(db, officer):
    do_import(register_file())
    version = agreement(db).version
    flow_id = agreement(db).flows[0].id
    data = register_file()
    data["organisations"][0]["name"] = "Herts County Council"
    data["agreements"][0]["title"] = "Family Safeguarding (2025)"
    data["agreements"][0]["flows"][0]["items"] = "Incident reports and intelligence"
    data["agreements"][0]["parties"][1]["signed_on"] = "2024-11-23"
    result = do_import(data)

    assert (result.updated["organisations"], result.unchanged["organisations"]) == (1, 1)
    assert result.updated["agreements"] == 1
    stored = agreement(db)
    assert stored.title == "Family Safeguarding (2025)"
    assert stored.version == version + 1
    assert stored.flows[0].id == flow_id  # changed in place, not replaced
    assert stored.flows[0].items == "Incident reports and intelligence"
    assert stored.parties[1].signed_on == date(2024, 11, 23)
    changes = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "updated")).all()
    assert {e.entity_type for e in changes} == {"Organisation", "Agreement", "DataFlow", "Party"}


def test_a_material_change_in_a_file_starts_a_new_protocol_version(db, officer):
    """As in the web pages: signatures stay on record against version 1; the parties sign again."""
    from isa.agreements.models import Signature

    do_import(register_file())
    data = register_file()
    data["agreements"][0]["flows"][0]["lawful_bases"].append("CA2004-S11")  # material; signatures carried over as they were
    do_import(data)
    stored = agreement(db)
    assert stored.protocol_version == 2
    assert [p.signed_on for p in stored.parties] == [None, None]
    assert [p.signatory_name for p in stored.parties] == ["Jane Doe", "John Roe"]  # still the expected signatories
    kept = db.session.scalars(sa.select(Signature).order_by(Signature.signed_on)).all()
    assert [(s.organisation_name, s.protocol_version, s.signed_on) for s in kept] == [
        ("Hertfordshire County Council", 1, date(2024, 11, 20)), ("Hertfordshire Constabulary", 1, date(2024, 11, 22))]
    assert stored.status is AgreementStatus.ACTIVE  # taken as the file gives it; the findings flag the missing signatures
    from isa.legal.findings import findings_for
    from isa.legal.queries import catalogue_map
    assert "unsigned-active" in {f.rule for f in findings_for(stored, catalogue_map(), TODAY)}


def test_a_file_with_new_signatures_for_a_material_change_records_them_against_the_new_version(db, officer):
    do_import(register_file())
    data = register_file()
    data["agreements"][0]["flows"][0]["channel"] = None
    data["agreements"][0]["parties"][0]["signed_on"] = "2025-02-03"  # signed the changed protocol on paper
    do_import(data)
    stored = agreement(db)
    assert stored.protocol_version == 2
    council, police = stored.parties
    assert (council.signed_on, council.signed_document_version, council.signed_document_sha256) == (date(2025, 2, 3), 2, None)
    assert police.signed_on is None


def test_an_editorial_change_in_a_file_keeps_the_protocol_version_and_signatures(db, officer):
    do_import(register_file())
    data = register_file()
    data["agreements"][0]["title"] = "Family Safeguarding (renamed)"
    data["agreements"][0]["parties"][0]["signatory"] = "Jane Doe, Executive Director"
    do_import(data)
    stored = agreement(db)
    assert stored.protocol_version == 1
    assert [p.signed_on for p in stored.parties] == [date(2024, 11, 20), date(2024, 11, 22)]


def test_an_import_refreshes_the_query_planners_statistics(db, officer):
    """Without them SQLite reads every agreement in force for each dashboard section (see core/db.py)."""
    forget_planner_statistics(db, "agreements")
    assert not planner_statistics(db, "agreements")
    do_import(register_file())
    assert planner_statistics(db, "agreements") > 0


def test_keys_left_out_of_a_later_file_keep_their_stored_values(db, officer):
    do_import(register_file())
    result = do_import({"agreements": [{"reference": "ISA-2024-001", "title": "Renamed", "status": "active",
                                        "start_date": "2024-12-01", "review_date": "2027-12-01"}]})
    assert result.updated["agreements"] == 1
    stored = agreement(db)
    assert stored.title == "Renamed"
    assert stored.purpose == "Safeguarding children"
    assert len(stored.parties) == 2 and len(stored.flows) == 1


def test_parties_and_flows_left_out_of_a_later_list_are_removed(db, officer):
    data = register_file()
    data["agreements"][0]["flows"].append(dict(data["agreements"][0]["flows"][0], items="Second flow"))
    do_import(data)
    do_import(register_file())
    assert [f.items for f in agreement(db).flows] == ["Incident reports"]


def test_a_new_agreement_supersedes_a_stored_one(db, officer):
    do_import(register_file())
    data = register_file()
    newer = dict(copy.deepcopy(data["agreements"][0]), reference="ISA-2025-001", supersedes="ISA-2024-001", start_date="2025-06-01")
    data["agreements"][0]["status"] = "superseded"
    data["agreements"].append(newer)
    result = do_import(data)
    assert (result.created["agreements"], result.updated["agreements"]) == (1, 1)
    assert agreement(db, "ISA-2025-001").supersedes.reference == "ISA-2024-001"
    assert agreement(db).status == AgreementStatus.SUPERSEDED
    assert [a["supersedes"] for a in export_register()["agreements"]] == [None, "ISA-2024-001"]


# --- rejection ------------------------------------------------------------------------------------


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return change


_DELETE = object()
A = ("agreements", 0)
ORG = ("organisations", 0)


def _append(path, item):
    def change(data):
        target = data
        for key in path:
            target = target[key]
        target.append(copy.deepcopy(item))
    return change


BAD_FILES = {
    "missing organisation name": (_set(ORG + ("name",), _DELETE), "organisations[0] (herts-cc).name: is required"),
    "blank title": (_set(A + ("title",), "  "), "agreements[0] (ISA-2024-001).title: is required"),
    "missing flow categories": (_set(A + ("flows", 0, "categories"), []), "agreements[0] (ISA-2024-001).flows[0].categories: is required"),
    "malformed slug": (_set(ORG + ("slug",), "Herts CC"), 'organisations[0] (Herts CC).slug: "Herts CC" is not a valid slug'),
    "malformed ICO number": (_set(ORG + ("ico_registration",), "Z12345"), 'organisations[0] (herts-cc).ico_registration: "Z12345" is not an ICO registration number'),
    "malformed email": (_set(ORG + ("spoc_email",), "ig at example.org"), 'organisations[0] (herts-cc).spoc_email: "ig at example.org" is not a valid email address'),
    "malformed reference": (_set(A + ("reference",), "ISA 2024 001"), 'agreements[0] (ISA 2024 001).reference: "ISA 2024 001" is not a valid reference'),
    "date not ISO": (_set(A + ("start_date",), "01/12/2024"), 'agreements[0] (ISA-2024-001).start_date: "01/12/2024" is not a date in the form YYYY-MM-DD'),
    "impossible date": (_set(A + ("parties", 0, "signed_on"), "2024-02-30"), 'agreements[0] (ISA-2024-001).parties[0].signed_on: "2024-02-30" is not a date'),
    "organisation type": (_set(ORG + ("type",), "council"), 'organisations[0] (herts-cc).type: unknown organisation type "council"'),
    "status": (_set(A + ("status",), "live"), 'agreements[0] (ISA-2024-001).status: unknown status "live"'),
    "role": (_set(A + ("parties", 1, "role"), "owner"), 'agreements[0] (ISA-2024-001).parties[1].role: unknown role "owner"'),
    "data location": (_set(A + ("data_location",), "usa"), 'agreements[0] (ISA-2024-001).data_location: unknown data location "usa"'),
    "category": (_set(A + ("flows", 0, "categories"), ["personal", "secret"]), 'agreements[0] (ISA-2024-001).flows[0].categories: unknown data category "secret"'),
    "frequency": (_set(A + ("flows", 0, "frequency"), "hourly"), 'agreements[0] (ISA-2024-001).flows[0].frequency: unknown frequency "hourly"'),
    "consent": (_set(A + ("flows", 0, "consent"), "implied"), 'agreements[0] (ISA-2024-001).flows[0].consent: unknown consent approach "implied"'),
    "wrong type": (_set(("channels", 0, "special_category_approved"), "yes"), "channels[0] (secure-email).special_category_approved: must be true or false"),
    "not an object": (_set(("organisations", 1), "herts-police"), "organisations[1]: must be an object"),
    "unknown field": (_set(A + ("colour",), "red"), "agreements[0] (ISA-2024-001).colour: unknown field"),
    "unknown organisation": (_set(A + ("parties", 1, "organisation"), "nobody"), 'agreements[0] (ISA-2024-001).parties[1].organisation: unknown organisation "nobody"'),
    "unknown lead organisation": (_set(A + ("lead_organisation",), "nobody"), 'agreements[0] (ISA-2024-001).lead_organisation: unknown organisation "nobody"'),
    "unknown channel": (_set(A + ("flows", 0, "channel"), "sftp-x"), 'agreements[0] (ISA-2024-001).flows[0].channel: unknown channel "sftp-x"'),
    "unknown lawful basis": (_set(A + ("flows", 0, "lawful_bases"), ["UKGDPR-A6-1E", "GDPR-6E"]), 'agreements[0] (ISA-2024-001).flows[0].lawful_bases: unknown lawful basis "GDPR-6E"'),
    "unknown owner": (_set(A + ("owner_email",), "ghost@example.org"), 'agreements[0] (ISA-2024-001).owner_email: no user has the email "ghost@example.org"'),
    "unknown superseded agreement": (_set(A + ("supersedes",), "ISA-1999-001"), 'agreements[0] (ISA-2024-001).supersedes: unknown agreement "ISA-1999-001"'),
    "flow from a non-party": (_set(A + ("parties",), [{"organisation": "herts-cc"}]), 'agreements[0] (ISA-2024-001).flows[0].from: "herts-police" is not a party to this agreement'),
    "flow to its sender": (_set(A + ("flows", 0, "to"), "herts-police"), "agreements[0] (ISA-2024-001).flows[0].to: must be a different organisation from the sender"),
    "signatory too long": (_set(A + ("parties", 0, "signatory"), "J" * 201 + ", Director"), "agreements[0] (ISA-2024-001).parties[0].signatory: the name and the title must each be 200 characters or fewer"),
    "review before start": (_set(A + ("review_date",), "2024-11-01"), "agreements[0] (ISA-2024-001).review_date: The review date must be after the start date"),
    "review on the start date": (_set(A + ("review_date",), "2024-12-01"), "agreements[0] (ISA-2024-001).review_date: The review date must be after the start date"),
    "duplicate slug": (_append(("organisations",), {"slug": "herts-cc", "name": "Again", "type": "local_authority"}),
                       'organisations[2] (herts-cc).slug: duplicate slug "herts-cc" (also organisations[0] (herts-cc))'),
    "duplicate channel": (_append(("channels",), {"slug": "secure-email", "name": "Again"}), 'channels[1] (secure-email).slug: duplicate slug "secure-email"'),
    "duplicate party": (_append(A + ("parties",), {"organisation": "herts-cc", "role": "recipient"}),
                        'agreements[0] (ISA-2024-001).parties[2].organisation: duplicate party "herts-cc" (also parties[0])'),
    "section not a list": (_set(("channels",), {"slug": "x"}), "channels: must be a list"),
    "unknown section": (_set(("users",), []), "users: unknown section"),
}


@pytest.mark.parametrize("change, expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_record_rejects_the_whole_file(db, officer, change, expected):
    data = register_file()
    change(data)
    before = counts(db)
    with pytest.raises(ImportRejected) as rejected:
        do_import(data)
    assert any(problem.startswith(expected) for problem in rejected.value.problems), rejected.value.problems
    assert counts(db) == before


def test_a_duplicate_reference_is_rejected(db, officer):
    data = register_file()
    data["agreements"].append(copy.deepcopy(data["agreements"][0]))
    with pytest.raises(ImportRejected) as rejected:
        do_import(data)
    assert 'agreements[1] (ISA-2024-001).reference: duplicate reference "ISA-2024-001" (also agreements[0] (ISA-2024-001))' in rejected.value.problems


def test_a_file_that_is_not_an_object_is_rejected(db):
    with pytest.raises(ImportRejected) as rejected:
        do_import([])
    assert rejected.value.problems == ['file: must be a JSON object with "organisations", "channels" and "agreements" lists']


def test_a_supersession_loop_is_rejected(db, officer):
    data = register_file()
    second = copy.deepcopy(data["agreements"][0])
    second.update(reference="ISA-2024-002", supersedes="ISA-2024-001")
    data["agreements"][0]["supersedes"] = "ISA-2024-002"
    data["agreements"].append(second)
    with pytest.raises(ImportRejected) as rejected:
        do_import(data)
    assert any(p.startswith("agreements[0] (ISA-2024-001).supersedes:") for p in rejected.value.problems)


def test_every_problem_is_named_by_record_and_field(db, officer):
    data = register_file()
    base = data["agreements"][0]
    base["flows"].append(copy.deepcopy(base["flows"][0]))
    data["agreements"] = [dict(copy.deepcopy(base), reference=f"ISA-2024-00{n}") for n in range(1, 5)]
    data["agreements"][3]["flows"][1]["channel"] = "sftp-x"
    data["organisations"][1]["ico_registration"] = "1234"
    data["agreements"][1]["owner_email"] = "ghost@example.org"
    with pytest.raises(ImportRejected) as rejected:
        do_import(data)
    assert rejected.value.problems == [
        'organisations[1] (herts-police).ico_registration: "1234" is not an ICO registration number: Z and 7 digits, or ZA or ZB and 6 digits',
        'agreements[1] (ISA-2024-002).owner_email: no user has the email "ghost@example.org"',
        'agreements[3] (ISA-2024-004).flows[1].channel: unknown channel "sftp-x"',
    ]


def test_a_rejected_file_leaves_stored_records_untouched(db, officer):
    do_import(register_file())
    before, events = counts(db), count(db, AuditEvent)
    data = register_file()
    data["organisations"][0]["name"] = "Renamed council"  # a good change...
    data["agreements"][0]["flows"][0]["channel"] = "sftp-x"  # ...in a file with a bad one
    with pytest.raises(ImportRejected):
        do_import(data)
    assert counts(db) == before and count(db, AuditEvent) == events
    db.session.expire_all()
    assert db.session.scalar(sa.select(Organisation.name).where(Organisation.slug == "herts-cc")) == "Hertfordshire County Council"


def test_the_owner_must_be_an_officer(db, officer, make):
    partner = make.user(role="partner", email="partner@example.org")
    data = register_file()
    data["agreements"][0]["owner_email"] = partner.email
    with pytest.raises(ImportRejected) as rejected:
        do_import(data)
    assert rejected.value.problems[0].startswith("agreements[0] (ISA-2024-001).owner_email:")


# --- command line ---------------------------------------------------------------------------------


def write(tmp_path, data, name="register.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_cli_import_prints_a_summary(runner, db, officer, tmp_path):
    result = runner.invoke(args=["import", str(write(tmp_path, register_file()))])
    assert result.exit_code == 0, result.output
    assert "Organisations: 2 created" in result.output
    assert "Agreements: 1 created, 0 updated, 0 unchanged" in result.output
    assert db.session.scalar(sa.select(AuditEvent.actor).where(AuditEvent.entity_type == "Agreement")) == "import"


def test_cli_import_lists_every_problem_and_fails(runner, db, officer, tmp_path):
    data = register_file()
    data["organisations"][0]["type"] = "council"
    data["agreements"][0]["flows"][0]["channel"] = "sftp-x"
    before = counts(db)
    result = runner.invoke(args=["import", str(write(tmp_path, data))])
    assert result.exit_code != 0
    assert "2 problem(s)" in result.stderr
    assert 'organisations[0] (herts-cc).type: unknown organisation type "council"' in result.stderr
    assert 'agreements[0] (ISA-2024-001).flows[0].channel: unknown channel "sftp-x"' in result.stderr
    assert counts(db) == before


def test_cli_import_of_malformed_json_is_one_clear_line(runner, db, tmp_path):
    result = runner.invoke(args=["import", str(write(tmp_path, '{"organisations": [}'))])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not valid JSON" in lines[0]


def test_cli_export_to_a_file_and_to_standard_output(runner, db, officer, tmp_path):
    do_import(register_file())
    path = tmp_path / "out.json"
    result = runner.invoke(args=["export", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text()) == export_register()

    result = runner.invoke(args=["export", "-"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == export_register()


def test_cli_export_then_import_changes_nothing(runner, db, officer, tmp_path):
    do_import(demo_register(TODAY))
    path = tmp_path / "out.json"
    runner.invoke(args=["export", str(path)])
    before = counts(db)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0
    assert "0 created, 0 updated" in result.output
    assert counts(db) == before


# --- the admin page -------------------------------------------------------------------------------

URL = "/admin/exchange/"


def upload(client, content, name="register.json"):
    body = content if isinstance(content, bytes) else json.dumps(content).encode()
    return post_form(client, URL, {"file": (io.BytesIO(body), name)})


@pytest.mark.parametrize("role", ["officer", "partner"])
def test_only_admins_may_use_the_page(client, login_as, role):
    login_as(role)
    assert client.get(URL).status_code == 403
    assert client.get("/admin/exchange/export.json").status_code == 403
    body = {"file": (io.BytesIO(json.dumps({"organisations": []}).encode()), "register.json")}
    assert post_form(client, URL, body, get_url="/account/password").status_code == 403  # a valid token: the role refuses


def test_signed_out_users_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302
    assert client.get("/admin/exchange/export.json").status_code == 302


def test_the_page_offers_upload_and_download(client, login_as):
    login_as("admin")
    html = client.get(URL).get_data(as_text=True)
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "/admin/exchange/export.json" in html


def test_download_is_the_export_as_an_attachment(client, login_as, db, officer):
    do_import(register_file())
    login_as("admin")
    response = client.get("/admin/exchange/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/json"
    assert response.get_json() == export_register()


def test_a_good_upload_imports_and_says_so(client, login_as, db, officer):
    login_as("admin")
    response = upload(client, register_file())
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    html = client.get(URL).get_data(as_text=True)
    assert "Agreements: 1 created" in html and "govuk-notification-banner--success" in html
    assert agreement(db) is not None


def test_a_bad_upload_lists_the_problems_and_changes_nothing(client, login_as, db, officer):
    login_as("admin")
    data = register_file()
    data["agreements"][0]["flows"][0]["channel"] = "sftp-x"
    data["agreements"][0]["review_date"] = "2024-01-01"
    before = counts(db)
    response = upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert "has 2 problems" in html
    assert "flows[0].channel: unknown channel &#34;sftp-x&#34;" in html
    assert "review_date: The review date must be after the start date" in html
    assert counts(db) == before


def test_an_upload_that_is_not_json_is_an_error(client, login_as, db):
    login_as("admin")
    html = upload(client, b"not json at all").get_data(as_text=True)
    assert "govuk-error-summary" in html and "not valid JSON" in html


def test_an_upload_needs_a_file(client, login_as):
    login_as("admin")
    html = post_form(client, URL, {}).get_data(as_text=True)
    assert "Select a JSON file to import" in html


def test_an_upload_without_the_csrf_token_fails(client, login_as, db, officer):
    login_as("admin")
    csrf_token(client, URL)  # a session exists, but the token is not sent
    response = client.post(URL, data={"file": (io.BytesIO(json.dumps(register_file()).encode()), "register.json")})
    assert response.status_code == 400
    assert agreement(db) is None
