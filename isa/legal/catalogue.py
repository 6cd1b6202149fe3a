"""The shipped lawful-basis catalogue: one reviewed data file, loaded into the database.

Shipped entries are refreshed from `catalogue.toml` by the migrations and `flask legal sync`;
local entries an administrator adds are never touched, and neither is the local wording an
administrator gives a shipped entry's title and summary (the shipped wording is still recorded,
so a change to it can be shown beside the local one).

The shipped titles and summaries are messages to translate like any other (babel.cfg extracts them
with `extract_catalogue`): a page shows the shipped wording in its language, and a local wording as
its author wrote it (LegalBasis.title_in_language).
"""
import tomllib
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
COLUMNS = ("regime", "kind", "title", "summary", "in_force_from", "in_force_to", "successors", "needs_apd", "sch1_part", "needs_sch1_part")
WORDING = ("title", "summary")


@lru_cache(maxsize=1)
def shipped_entries():
    with CATALOGUE_FILE.open("rb") as handle:
        return tuple(tomllib.load(handle)["basis"])


def extract_catalogue(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for catalogue.toml: each entry's title and summary, on its code's line."""
    data = fileobj.read()
    lines = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        key, _, value = line.partition("=")
        if key.strip() == "code":
            lines[tomllib.loads(line)["code"]] = number
    for entry in tomllib.loads(data.decode("utf-8"))["basis"]:
        for key in WORDING:
            yield lines[entry["code"]], None, entry[key], [f"Lawful basis {entry['code']}: {key}"]


def _row(entry):
    row = {"code": entry["code"], "local": False}
    for column in COLUMNS:
        row[column] = entry.get(column)
    row["successors"] = list(entry.get("successors", []))
    row["shipped_title"] = entry["title"]
    row["shipped_summary"] = entry["summary"]
    return row


def _table(connection):
    """The legal_bases table with the columns the database has now: the migrations run this sync
    before later revisions add their columns, so it writes only what exists at that point."""
    from .models import LegalBasis

    present = {column["name"] for column in sa.inspect(connection).get_columns(LegalBasis.__tablename__)}
    return sa.table(
        LegalBasis.__tablename__, *(sa.column(c.name, c.type) for c in LegalBasis.__table__.columns if c.name in present)
    )


def sync_catalogue(connection):
    """Insert or refresh every shipped entry, keeping a local wording. Returns (inserted, updated)."""
    table = _table(connection)
    keeps_wording = "reworded_from_title" in table.c
    reworded = set()
    if keeps_wording:
        reworded = set(connection.scalars(sa.select(table.c.code).where(table.c.reworded_from_title.is_not(None))))
    existing = set(connection.scalars(sa.select(table.c.code)))
    inserted = updated = 0
    for entry in shipped_entries():
        row = {key: value for key, value in _row(entry).items() if key in table.c}
        if row["code"] in reworded:
            for key in WORDING:
                del row[key]
        if row["code"] in existing:
            connection.execute(table.update().where(table.c.code == row["code"]).values(**row))
            updated += 1
        else:
            connection.execute(table.insert().values(**row))
            inserted += 1
    return inserted, updated
