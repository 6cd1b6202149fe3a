"""The shipped lawful-basis catalogue: one reviewed data file, loaded into the database.

Shipped entries are refreshed from `catalogue.toml` by the migrations and `flask legal sync`;
local entries an administrator adds are never touched.
"""
import tomllib
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
COLUMNS = ("regime", "kind", "title", "summary", "in_force_from", "in_force_to", "successors", "needs_apd", "sch1_part", "needs_sch1_part")


@lru_cache(maxsize=1)
def shipped_entries():
    with CATALOGUE_FILE.open("rb") as handle:
        return tuple(tomllib.load(handle)["basis"])


def _row(entry):
    row = {"code": entry["code"], "local": False}
    for column in COLUMNS:
        row[column] = entry.get(column)
    row["successors"] = list(entry.get("successors", []))
    return row


def sync_catalogue(connection):
    """Insert or refresh every shipped entry. Returns (inserted, updated)."""
    from .models import LegalBasis

    table = LegalBasis.__table__
    existing = set(connection.scalars(sa.select(table.c.code)))
    inserted = updated = 0
    for entry in shipped_entries():
        row = _row(entry)
        if row["code"] in existing:
            connection.execute(table.update().where(table.c.code == row["code"]).values(**row))
            updated += 1
        else:
            connection.execute(table.insert().values(**row))
            inserted += 1
    return inserted, updated
