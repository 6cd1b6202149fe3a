"""The register as a file in the SPEC §7 format. The records are read by `isa.agreements.records`,
the one reader of every copy of an agreement (the export, the protocol's embedded record)."""
from ..agreements.records import export_agreement, export_register, to_json  # noqa: F401  (the export's entry points)
