"""The import file's records: their schemas (`isa/<domain>/schemas.py`), what a new record gets for a
key the file leaves out, and the file's published JSON Schema."""
from ..agreements.schemas import AgreementRecord, PartyRecord
from ..channels.schemas import ChannelRecord
from ..core.schemas import Record
from ..flows.schemas import FlowRecord
from ..organisations.schemas import OrganisationRecord

# A flow's keys for the record of processing (Art 30): optional, and never a material change.
RECORD_KEYS = ("data_subject_categories", "data_subjects", "retention", "source_system", "asset_owner")


def defaults(model):
    """What a new record gets for each key the file leaves out (a required key is always given)."""
    return {field.alias or name: None if field.is_required() else field.get_default(call_default_factory=True)
            for name, field in model.model_fields.items()}


ORGANISATION_DEFAULTS = defaults(OrganisationRecord)
CHANNEL_DEFAULTS = defaults(ChannelRecord)
AGREEMENT_DEFAULTS = defaults(AgreementRecord)
PARTY_DEFAULTS = defaults(PartyRecord)
FLOW_DEFAULTS = defaults(FlowRecord)


def fields(model):
    """The record's keys as the file writes them, in order."""
    return tuple(field.alias or name for name, field in model.model_fields.items())


# --- the file's JSON Schema, from the records' schemas ---------------------------------------------


class RegisterFile(Record):
    """A register file: the same both ways, `flask --app isa import` and `export`."""

    organisations: list[OrganisationRecord] = []
    channels: list[ChannelRecord] = []
    agreements: list[AgreementRecord] = []


def register_json_schema(url=None):
    """The JSON Schema (2020-12) of the import/export file, published at /api/v1/schema/register.json."""
    schema = RegisterFile.model_json_schema(by_alias=True)
    schema.update(title="isa register file", description=RegisterFile.__doc__)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **({"$id": url} if url else {}), **schema}
