"""The migrations build the schema the models describe, load the catalogue, and downgrade cleanly."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from isa import create_app
from isa.extensions import db
from tests import conftest


def _empty(engine):
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_matches_the_models_then_downgrade_and_upgrade_again(tmp_path, database_server):
    uri = database_server or f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x"})
    with app.app_context():
        _empty(db.engine)
        conftest._schemas_made.discard(uri)  # the next test builds its schema afresh
        try:
            upgrade()
            with db.engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
                assert differences == [], differences
                shipped = connection.scalar(sa.text("SELECT count(*) FROM legal_bases WHERE local = :f"), {"f": False})
                assert shipped >= 106
            downgrade(revision="base")
            remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert remaining == set()
            upgrade()
            assert "agreements" in sa.inspect(db.engine).get_table_names()
        finally:
            _empty(db.engine)
            db.engine.dispose()


def test_no_revision_runs_application_code():
    """A revision that imported the application would run today's models against yesterday's
    schema: each one describes its own tables (`sa.table(...)` inline)."""
    import ast
    from pathlib import Path

    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    for path in sorted(versions.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not [name for name in names if name.split(".")[0] in {"isa", "tests"}], path.name
