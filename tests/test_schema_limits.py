"""Every field rule exists once: the published schema, the importer and the agreement form accept and
refuse exactly the same values, at each limit the schema states; and an imported record can be
saved unchanged from its edit page."""
import copy

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from isa.agreements.models import Agreement
from isa.agreements.records import export_register
from isa.agreements.schemas import AgreementRecord
from isa.channels.schemas import ChannelRecord
from isa.exchange.operations import ImportRejected, import_register
from isa.exchange.schema import RegisterFile
from isa.flows.schemas import FlowRecord
from isa.organisations.schemas import OrganisationRecord
from tests.conftest import count, post_form
from tests.servers import form_fields

FILE = {
    "organisations": [
        {"slug": "herts-cc", "name": "Hertfordshire County Council", "type": "local_authority", "ico_registration": "Z1234567",
         "spoc_email": "ig@example.org", "dpo_email": "dpo@example.org", "dpo_name": "Dee Pio", "spoc_name": "Sam Poc",
         "address": "County Hall, Hertford"},
        {"slug": "herts-police", "name": "Hertfordshire Constabulary", "type": "police", "ico_registration": "Z7654321"},
    ],
    "channels": [{"slug": "secure-email", "name": "Secure email", "special_category_approved": True, "description": "TLS"}],
    "agreements": [{
        "reference": "ISA-2024-001", "title": "Family Safeguarding", "purpose": "Safeguarding children", "scope": "Children's services",
        "lead_organisation": "herts-cc", "status": "draft", "start_date": "2024-12-01", "review_date": "2027-12-01",
        "end_date": "2029-12-01", "review_interval_months": 24, "data_subjects": "Children", "retention": "Six years",
        "security": "Encrypted", "data_location": "uk", "dpia_reference": "DPIA-7",
        "parties": [{"organisation": "herts-cc", "role": "both", "signatory": "Jane Doe, Director"},
                    {"organisation": "herts-police", "role": "discloser"}],
        "flows": [{"from": "herts-police", "to": "herts-cc", "categories": ["personal"], "items": "Names",
                   "purposes": ["safeguarding children"], "lawful_bases": ["UKGDPR-A6-1E"], "channel": "secure-email",
                   "frequency": "ad_hoc", "consent": "no_consent_lawful_basis"}],
    }],
}


def _text_limits(model):
    """(field, maxLength) of the model's plain text fields (those without a pattern to satisfy)."""
    limits = []
    for name, prop in model.model_json_schema(by_alias=True)["properties"].items():
        for option in prop.get("anyOf", [prop]):
            if option.get("type") == "string" and "maxLength" in option and "pattern" not in option:
                limits.append((name, option["maxLength"]))
    return limits


def _integer_limits(model):
    return [(name, prop["minimum"], prop["maximum"]) for name, prop in model.model_json_schema()["properties"].items()
            if prop.get("type") == "integer" and "minimum" in prop]


def _enums(model):
    return [(name, prop["enum"]) for name, prop in model.model_json_schema(by_alias=True)["properties"].items() if "enum" in prop]


# (the schema, where its record sits in the file, the path the importer names)
RECORDS = [
    (OrganisationRecord, lambda f: f["organisations"][0], "organisations[0] (herts-cc)"),
    (ChannelRecord, lambda f: f["channels"][0], "channels[0] (secure-email)"),
    (AgreementRecord, lambda f: f["agreements"][0], "agreements[0] (ISA-2024-001)"),
    (FlowRecord, lambda f: f["agreements"][0]["flows"][0], "agreements[0] (ISA-2024-001).flows[0]"),
]
CASES = (
    [(model, place, where, field, "x" * limit, True) for model, place, where in RECORDS for field, limit in _text_limits(model)]
    + [(model, place, where, field, "x" * (limit + 1), False) for model, place, where in RECORDS for field, limit in _text_limits(model)]
    + [(model, place, where, field, value, True) for model, place, where in RECORDS for field, low, high in _integer_limits(model)
       for value in (low, high)]
    + [(model, place, where, field, value, False) for model, place, where in RECORDS for field, low, high in _integer_limits(model)
       for value in (low - 1, high + 1)]
    + [(model, place, where, field, value, True) for model, place, where in RECORDS for field, values in _enums(model)
       for value in values]
    + [(model, place, where, field, "not-a-choice", False) for model, place, where in RECORDS for field, _ in _enums(model)]
)


def test_the_walk_covers_every_kind_of_limit():
    assert {field for _, _, _, field, _, _ in CASES} >= {"name", "title", "purpose", "items", "review_interval_months", "status", "type"}


@pytest.mark.parametrize("model, place, where, field, value, accepted", CASES,
                         ids=[f"{c[0].__name__}.{c[3]}={str(c[4])[:12]}{'+' if c[5] else '-'}{len(str(c[4]))}" for c in CASES])
def test_the_schema_and_the_importer_agree(db, model, place, where, field, value, accepted):
    document = copy.deepcopy(FILE)
    place(document)[field] = value
    try:
        RegisterFile.model_validate(document)
        schema_accepts = True
    except ValidationError:
        schema_accepts = False
    try:
        import_register(document)
        importer_accepts, problems = True, []
    except ImportRejected as rejected:
        importer_accepts, problems = False, rejected.problems
    assert (schema_accepts, importer_accepts) == (accepted, accepted), problems
    if not accepted:
        assert any(problem.startswith(f"{where}.{field}:") for problem in problems), problems


FORM = {
    "reference": "ISA-2024-002", "title": "Family Safeguarding", "purpose": "Safeguarding children", "scope": "",
    "lead_organisation": "herts-cc", "owner": "", "start_date": ["1", "12", "2024"], "review_date": ["1", "12", "2027"],
    "end_date": ["", "", ""], "review_interval_months": "12", "data_subjects": "", "retention": "", "security": "",
    "data_location": "uk", "dpia_reference": "", "supersedes": "",
}
FORM_CASES = (
    [(field, "x" * limit, True) for field, limit in _text_limits(AgreementRecord) if field in FORM]
    + [(field, "x" * (limit + 1), False) for field, limit in _text_limits(AgreementRecord) if field in FORM]
    + [("review_interval_months", str(value), True) for _, low, high in _integer_limits(AgreementRecord) for value in (low, high)]
    + [("review_interval_months", str(value), False) for _, low, high in _integer_limits(AgreementRecord) for value in (low - 1, high + 1)]
)


@pytest.mark.parametrize("field, value, accepted", FORM_CASES, ids=[f"{f}-{len(v)}{'+' if a else '-'}" for f, v, a in FORM_CASES])
def test_the_agreement_form_agrees_with_the_schema(client, login_as, make, db, field, value, accepted):
    login_as("officer")
    make.organisation(slug="herts-cc")
    response = post_form(client, "/agreements/new", {**FORM, field: value})
    assert (response.status_code == 302) is accepted, response.get_data(as_text=True)[:300]
    assert count(db, Agreement) == int(accepted)


ORGANISATION_FORM = {"name": "Hertfordshire Constabulary", "slug": "herts-police-2", "type": "police", "ico_registration": "",
                     "dpo_name": "", "dpo_email": "", "spoc_name": "", "spoc_email": "", "address": ""}
CHANNEL_FORM = {"name": "Secure post", "slug": "secure-post", "description": ""}
FLOW_TEXT = {"items": "Names", "data_subjects": "", "retention": "", "source_system": "", "asset_owner": ""}
# (the schema, the form's page, what the form holds otherwise): the other forms, at the schema's text limits
OTHER_FORMS = [
    (OrganisationRecord, "/organisations/new", ORGANISATION_FORM),
    (ChannelRecord, "/channels/new", CHANNEL_FORM),
    (FlowRecord, "/agreements/ISA-2024-001/flows/new", None),
]
OTHER_FORM_CASES = [
    (model, url, form, field, "x" * (limit + extra), not extra)
    for model, url, form in OTHER_FORMS for field, limit in _text_limits(model)
    if field in (form or FLOW_TEXT) for extra in (0, 1)
]


@pytest.mark.parametrize("model, url, form, field, value, accepted", OTHER_FORM_CASES,
                         ids=[f"{c[0].__name__}.{c[3]}-{len(c[4])}{'+' if c[5] else '-'}" for c in OTHER_FORM_CASES])
def test_the_other_forms_agree_with_the_schema(client, login_as, db, model, url, form, field, value, accepted):
    import_register(copy.deepcopy(FILE))
    login_as("officer")
    if form is None:  # a flow: on the imported agreement, at its version
        version = db.session.scalar(sa.select(Agreement.version))
        form = {**FLOW_FORM, **FLOW_TEXT, "version": version}
    response = post_form(client, url, {**form, field: value})
    assert (response.status_code == 302) is accepted, response.get_data(as_text=True)[:300]
    if not accepted:
        assert "characters or less" in response.get_data(as_text=True)


def test_an_imported_agreement_saves_unchanged_from_its_edit_page(client, login_as, db):
    import_register(copy.deepcopy(FILE))
    before = export_register()
    login_as("officer")
    page = client.get("/agreements/ISA-2024-001/edit")
    assert page.status_code == 200
    fields = {}
    for name, value in form_fields(page.get_data(as_text=True)):
        fields.setdefault(name, []).append(value)
    data = {name: values if len(values) > 1 else values[0] for name, values in fields.items()}
    response = client.post("/agreements/ISA-2024-001/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert export_register() == before
    assert db.session.scalar(sa.select(Agreement.version)) >= 1


# --- what a draft may lack, and how purposes fold: one rule for the importer, the API's schema and the forms ---
#
# SPEC §7 takes the register as it is: an agreement without a lead organisation, a flow without data items,
# lawful bases or purposes imports (the findings name a missing lawful basis). The forms take the same.

FLOW_FORM = {
    "from_organisation": "herts-police", "to_organisation": "herts-cc", "categories": ["personal"], "items": "Names",
    "purposes": "safeguarding children", "lawful_bases": ["UKGDPR-A6-1E"], "channel": "", "frequency": "ad_hoc",
    "consent": "no_consent_lawful_basis",
}
AGREEMENT_FIELD, FLOW_FIELD = "agreement", "flow"
LABELS_31 = [f"purpose {n}" for n in range(31)]
# (record, field, the file's value, the form's value, accepted)
SAME_RULE = [
    (AGREEMENT_FIELD, "lead_organisation", None, "", True),
    (AGREEMENT_FIELD, "lead_organisation", "Herts CC", "Herts CC", False),
    (AGREEMENT_FIELD, "purpose", "", "", True),
    (FLOW_FIELD, "items", "", "", True),
    (FLOW_FIELD, "items", "x" * 10001, "x" * 10001, False),
    (FLOW_FIELD, "lawful_bases", [], [], True),
    (FLOW_FIELD, "purposes", [], " \n ", True),
    (FLOW_FIELD, "purposes", ["x" * 201], "x" * 201, False),
    (FLOW_FIELD, "purposes", LABELS_31, "\n".join(LABELS_31), False),
    (FLOW_FIELD, "purposes", LABELS_31[:29] + ["PURPOSE  0"], "\n".join(LABELS_31[:29] + ["PURPOSE  0"]), True),
    (FLOW_FIELD, "purposes", LABELS_31[:30] + ["PURPOSE  0"], "\n".join(LABELS_31[:30] + ["PURPOSE  0"]), False),
]


@pytest.fixture
def published_schema(client):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(client.get("/api/v1/schema/register.json").get_json())


def _file_with(record, field, value):
    document = copy.deepcopy(FILE)
    target = document["agreements"][0] if record == AGREEMENT_FIELD else document["agreements"][0]["flows"][0]
    target[field] = value
    return document


@pytest.mark.parametrize("record, field, file_value, form_value, accepted", SAME_RULE,
                         ids=[f"{r}.{f}-{len(str(v))}{'+' if a else '-'}" for r, f, v, _, a in SAME_RULE])
def test_the_importer_the_api_and_the_forms_apply_one_rule(client, login_as, make, db, published_schema,
                                                          record, field, file_value, form_value, accepted):
    document = _file_with(record, field, file_value)
    assert published_schema.is_valid(document) is accepted, list(published_schema.iter_errors(document))[:1]
    try:
        import_register(document)
        importer_accepts, problems = True, []
    except ImportRejected as rejected:
        importer_accepts, problems = False, rejected.problems
    assert importer_accepts is accepted, problems
    if not accepted:
        assert any(f".{field}:" in problem for problem in problems), problems

    login_as("officer")
    if record == AGREEMENT_FIELD:
        make.organisation(slug="herts-cc") if not importer_accepts else None
        response = post_form(client, "/agreements/new", {**FORM, field: form_value})
    else:
        if not importer_accepts:
            import_register(copy.deepcopy(FILE))
        agreement = db.session.scalar(sa.select(Agreement).where(Agreement.reference == "ISA-2024-001"))
        response = post_form(client, "/agreements/ISA-2024-001/flows/new",
                             {**FLOW_FORM, field: form_value, "version": agreement.version})
    assert (response.status_code == 302) is accepted, response.get_data(as_text=True)[:300]


def test_purposes_fold_the_same_from_a_file_and_from_the_form(client, login_as, db):
    from isa.flows.models import DataFlow

    lines = [" Safeguarding   children ", "safeguarding CHILDREN", "Prevention of crime", ""]
    import_register(_file_with(FLOW_FIELD, "purposes", lines))
    login_as("officer")
    agreement = db.session.scalar(sa.select(Agreement))
    response = post_form(client, "/agreements/ISA-2024-001/flows/new",
                         {**FLOW_FORM, "purposes": "\n".join(lines), "version": agreement.version})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert [flow.purposes for flow in db.session.scalars(sa.select(DataFlow).order_by(DataFlow.id))] == [
        ["Safeguarding children", "Prevention of crime"]] * 2


# --- whether a field may be left empty is the schema's rule, not the form's ---------------------

from wtforms.validators import InputRequired  # noqa: E402

from isa.agreements.forms import AgreementForm, PartyForm  # noqa: E402
from isa.agreements.schemas import PartyRecord  # noqa: E402
from isa.channels.forms import ChannelForm  # noqa: E402
from isa.core.forms import Needed  # noqa: E402
from isa.flows.forms import FlowForm  # noqa: E402
from isa.organisations.forms import OrganisationForm  # noqa: E402

RECORD_FORMS = [  # each form, its record's schema, and its fields by the record's key
    (AgreementForm, AgreementRecord, {key: key for key in AgreementForm.RECORD_KEYS}),
    (PartyForm, PartyRecord, {"organisation": "organisation", "role": "role", "signed_on": "signed_on"}),
    (FlowForm, FlowRecord, {FlowForm.RECORD_KEYS.get(name, name): name for name in FlowForm.RECORD_FIELDS}),
    (OrganisationForm, OrganisationRecord, {key: key for key in OrganisationRecord.model_fields if hasattr(OrganisationForm, key)}),
    (ChannelForm, ChannelRecord, {key: key for key in ChannelRecord.model_fields if hasattr(ChannelForm, key)}),
]
# A choice the form asks for though a file may leave it to the schema's default (the page shows the
# default chosen already): the value's rules are still the schema's.
FORM_ASKS = {("AgreementForm", "review_interval_months"), ("AgreementForm", "data_location"), ("PartyForm", "role"),
             ("FlowForm", "frequency"), ("FlowForm", "consent")}


@pytest.mark.parametrize("form_class, schema, fields", RECORD_FORMS, ids=lambda v: getattr(v, "__name__", ""))
def test_a_form_leaves_to_its_schema_which_fields_may_be_empty(app, form_class, schema, fields):
    with app.test_request_context("/"):
        form = form_class(meta={"csrf": False})
    for key, name in fields.items():
        validators = form[name].validators
        needed = any(isinstance(v, Needed) for v in validators)
        asked = any(isinstance(v, InputRequired) for v in validators)
        assert needed == schema.model_fields[key].is_required(), (form_class.__name__, name)
        assert not asked or (form_class.__name__, name) in FORM_ASKS, (form_class.__name__, name)


@pytest.mark.parametrize("path, data, field, message", [
    ("/agreements/new", {"reference": "", "title": "A title"}, "reference", "Enter a reference"),
    ("/organisations/new", {"name": "", "slug": "x"}, "name", "Enter the organisation&#39;s name"),
])
def test_an_empty_needed_field_is_refused_by_the_schema_in_the_forms_words(client, login_as, path, data, field, message):
    login_as("officer")
    page = post_form(client, path, data).get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
