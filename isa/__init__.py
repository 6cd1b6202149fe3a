"""isa: the register of information sharing agreements."""
import os
import secrets
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from .config import DefaultConfig
from .extensions import csrf, db, limiter, login_manager, migrate

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
# In the repository the templates and migrations sit beside the package (SPEC §8); an installed
# wheel carries them inside it, and Flask then keeps the instance folder under the environment's
# prefix (`var/isa-instance`).
IN_REPOSITORY = (ROOT / "pyproject.toml").is_file() and (ROOT / "templates").is_dir()
TEMPLATES = ROOT / "templates" if IN_REPOSITORY else PACKAGE / "_templates"
MIGRATIONS = ROOT / "migrations" if IN_REPOSITORY else PACKAGE / "_migrations"


def create_app(test_config=None):
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance") if IN_REPOSITORY else None,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ISA")
    if test_config:
        app.config.update(test_config)
    _finish_config(app)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(TEMPLATES)),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    from .core import ratelimit  # noqa: F401  (registers the database:// storage before the limiter looks for it)

    limiter.init_app(app)

    from . import models  # noqa: F401  (the whole schema, for SQLAlchemy and Alembic)
    from .audit.tracking import install_append_only_guard
    from .core.db import install_sqlite_tuning
    from .core import i18n, web
    from .users import sessions
    from .documents.queue import install_enqueue_listener

    install_append_only_guard()
    install_enqueue_listener()
    install_sqlite_tuning()
    web.init_app(app)
    sessions.init_app(app)
    i18n.init_app(app)
    _register_blueprints(app)
    _register_commands(app)

    from .reminders.scheduler import start_in_process

    start_in_process(app)  # only when configured, never in tests or the reloader's parent
    return app


def _finish_config(app):
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "isa.sqlite")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = dict(options.get("connect_args") or {}, timeout=float(app.config.get("SQLITE_BUSY_TIMEOUT") or 60))
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    proxies = {name: int(app.config.get(f"PROXY_FIX_{name.upper()}") or 0) for name in ("x_for", "x_proto", "x_host")}
    if any(proxies.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address, scheme and host as the trusted proxies saw them: sign-in throttling
        # and rate limits then key on each real client, not on the proxy that every request comes from.
        app.wsgi_app = ProxyFix(app.wsgi_app, **proxies)
    if app.config.get("DEVELOPMENT") or app.config.get("TESTING"):
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False


def _instance_secret(app):
    """A random key kept in the instance folder, so sessions survive restarts without setup."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _register_blueprints(app):
    from .agreements.csv_export import bp as agreements_csv_bp
    from .agreements.views import bp as agreements_bp
    from .api.admin import bp as tokens_bp
    from .api.views import bp as api_bp
    from .audit.views import bp as audit_bp
    from .channels.views import bp as channels_bp
    from .core.views import bp as core_bp
    from .decisions.views import bp as decisions_bp
    from .documents.views import bp as documents_bp
    from .dpia.views import bp as dpia_bp
    from .exchange.views import bp as exchange_bp
    from .flows.views import bp as flows_bp
    from .identity.views import bp as identity_bp
    from .legal.views import bp as legal_bp
    from .organisations.views import bp as organisations_bp
    from .public.views import bp as public_bp
    from .records.views import bp as records_bp
    from .records.views import feed_bp
    from .reminders.views import bp as reminders_bp
    from .reviews.views import bp as reviews_bp
    from .sharing.views import bp as sharing_bp
    from .users.views import bp as users_bp

    for blueprint in (
        core_bp,
        users_bp,
        identity_bp,
        organisations_bp,
        channels_bp,
        agreements_bp,
        flows_bp,
        legal_bp,
        audit_bp,
        exchange_bp,
        agreements_csv_bp,
        sharing_bp,
        api_bp,
        tokens_bp,
        reviews_bp,
        reminders_bp,
        decisions_bp,
        public_bp,
        documents_bp,
        dpia_bp,
        records_bp,
        feed_bp,
    ):
        app.register_blueprint(blueprint)


def _register_commands(app):
    from .api.cli import register as register_tokens
    from .documents.cli import register as register_documents
    from .exchange.cli import register as register_exchange
    from .legal.cli import register as register_legal
    from .records.cli import register as register_records
    from .reminders.cli import register as register_reminders
    from .users.cli import register as register_users

    for register in (register_users, register_exchange, register_legal, register_tokens, register_reminders, register_documents,
                     register_records):
        register(app)
