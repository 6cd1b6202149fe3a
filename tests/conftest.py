import os
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from isa import create_app
from isa.audit.tracking import acting_as
from isa.extensions import db as _db
from isa.legal.catalogue import sync_catalogue
from tests import factories

PASSWORD = "correct horse battery staple"


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every test's app, so each test does not recompile them."""

    def __init__(self):
        self.store = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = MemoryBytecodeCache()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in a server.

    The tests hold an app context open for the fixtures; without this, requests would share its
    `g` (the CSRF token, the signed-in user) and its session with each other and with the test.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()  # the test reads what the request committed
        return response


@pytest.fixture(scope="session")
def database_server():
    """The database URI for the run: SQLite files by default, a throwaway PostgreSQL on request."""
    if os.environ.get("ISA_TEST_BACKEND") == "postgresql":
        from tests.pg_server import postgres_server

        with postgres_server() as uri:
            yield uri
    else:
        yield os.environ.get("ISA_TEST_DATABASE_URI")


@pytest.fixture
def app(tmp_path, database_server):
    uri = database_server or f"sqlite:///{tmp_path / 'test.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": uri,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": True,  # CSRF stays on: tests post the token like a browser
            "SERVER_NAME_FOR_LINKS": "http://localhost",
            "ARGON2_TIME_COST": 1,  # still argon2id, at a cost that keeps the suite quick
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        _fresh_schema(uri)
        sync_catalogue(_db.session.connection())
        _db.session.commit()
        yield app
        _db.session.remove()
        _db.engine.dispose()


_schemas_made = set()


def _fresh_schema(uri):
    """A new SQLite file gets the schema; a shared server's tables are emptied between tests."""
    if uri.startswith("sqlite") or uri not in _schemas_made:
        _db.drop_all()
        _db.create_all()
        _schemas_made.add(uri)
        return
    tables = ", ".join(f'"{table.name}"' for table in _db.metadata.sorted_tables)
    _db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    _db.session.commit()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(db):
    """Factories: `make.organisation(slug="x")`, `make.agreement(...)`, committed, audited as 'test'."""
    with acting_as("test"):
        yield factories.Factory(db)


def csrf_token(client, url="/login"):
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url, data, get_url=None):
    """Post a form the way a browser does: fetch the page first for its CSRF token."""
    data = dict(data)
    data["csrf_token"] = csrf_token(client, get_url or url)
    return client.post(url, data=data)


def sign_in(client, email, password=PASSWORD, next_path=None):
    """Sign in as a person does: the password, then the code from their authenticator (factory
    officers and admins have one with the key TOTP_SECRET). Returns the last response."""
    from isa.users.models import User

    login_url = "/login" + (f"?next={next_path}" if next_path else "")
    response = post_form(client, login_url, {"email": email, "password": password}, get_url="/login")
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        last_step = _db.session.scalar(sa.select(User.totp_last_step).where(User.email == email.strip().lower()))
        response = post_form(client, "/login/code", {"code": factories.totp_code(last_step)})
    return response


@pytest.fixture
def login_as(client, make):
    """Sign in as a new user of `role` (partners belong to `organisation`), second factor and all; returns the user."""

    def login(role, organisation=None, email=None, **overrides):
        user = make.user(role=role, organisation=organisation, email=email, **overrides)
        response = sign_in(client, user.email)
        assert response.status_code == 302 and "/login" not in response.headers["Location"], response.get_data(as_text=True)
        return user

    return login


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def planner_statistics(db, table):
    """How many statistics rows the query planner has for `table` (None: the store does not exist yet)."""
    if db.engine.dialect.name == "sqlite":
        if not db.session.scalar(sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
            return None
        return db.session.scalar(sa.text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = :t"), {"t": table})
    return db.session.scalar(sa.text("SELECT count(*) FROM pg_statistic WHERE starelid = CAST(:t AS regclass)"), {"t": table})


def forget_planner_statistics(db, table):
    if planner_statistics(db, table) is None:
        return
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("DELETE FROM sqlite_stat1 WHERE tbl = :t"), {"t": table})
    else:  # the test server's user is its superuser
        db.session.execute(sa.text("DELETE FROM pg_statistic WHERE starelid = CAST(:t AS regclass)"), {"t": table})
    db.session.commit()


def run_render_queue(app):
    """Produce the queued protocol documents the way the scheduler does (its own job, its own
    session), then let the test see them. Returns the queue's report (None: nothing was queued)."""
    from isa.reminders.scheduler import render_queued

    report = render_queued(app, "test-scheduler")
    _db.session.expire_all()
    return report
