"""Import and export of the whole register in the SPEC §7 JSON format.

An import is all or nothing. The register as it stands is read once, with a handful of queries,
into the file's own form; the whole file is then checked against it and every problem collected
(reader.py, through the records' schemas). Only a file without problems touches the session,
and it is written with one commit (writer.py). Records are keyed by slug (organisations, channels)
and reference (agreements); a record that matches what is stored is left alone, so importing the
same file twice changes nothing the second time. The export is export.py.
"""
import sqlalchemy as sa

from ..agreements.records import read_register
from ..core.db import refresh_statistics
from ..extensions import db
from ..legal.models import LegalBasis
from ..users.models import User
from ..users.operations import normalise_email
from .export import export_agreement, export_register, to_json  # noqa: F401  (the exchange's entry points)
from .reader import ImportRejected, Reader
from .writer import ImportResult, Writer  # noqa: F401


def import_register(data):
    """Import a register file (already parsed from JSON). All or nothing: raises ImportRejected."""
    register = read_register()
    codes = {code.upper(): code for code in db.session.scalars(sa.select(LegalBasis.code))}
    users = {normalise_email(user.email): user for user in db.session.scalars(sa.select(User))}
    reader = Reader(register, codes, users)
    sections = reader.read(data)
    if reader.problems:
        db.session.rollback()
        raise ImportRejected(reader.problems)
    try:
        with db.session.no_autoflush:
            result = Writer(reader).write(*sections)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if result.changed:
        refresh_statistics(db.session)  # a bulk load changes what the query planner should expect
    return result
