"""App-wide web behaviour: template filters, error pages, security headers, idle sessions."""
import time
from datetime import date, datetime

from flask import abort, render_template, request, send_from_directory, session
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers

from ..extensions import db, login_manager


def govdate(value):
    """Dates as GOV.UK writes them: 1 December 2027."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def basis_title(code):
    """A lawful basis's title from the catalogue (cached for the request), or "" for an unknown code."""
    from flask import g

    from ..legal.queries import catalogue_map

    if "basis_titles" not in g:
        g.basis_titles = {c: basis.title for c, basis in catalogue_map().items()}
    return g.basis_titles.get(code, "")


def init_app(app):
    from ..users.models import User, configure_password_hashing

    configure_password_hashing(app.config.get("ARGON2_TIME_COST"), app.config.get("ARGON2_MEMORY_COST"))
    WTFormsHelpers(app)
    app.add_template_filter(govdate)
    from ..legal.findings import grouped_by_flow, grouped_by_rule

    app.add_template_global(grouped_by_flow, "grouped_findings")
    app.add_template_global(grouped_by_rule, "findings_by_rule")
    app.add_template_global(basis_title)
    app.jinja_env.globals["today"] = date.today

    login_manager.login_view = "users.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id):
        if not str(user_id).isdigit():
            return None
        return db.session.get(User, int(user_id))

    root = app.config.get("GOVUK_FRONTEND_DIR") or str(
        __import__("pathlib").Path(app.root_path).parent / "node_modules" / "govuk-frontend" / "dist" / "govuk"
    )

    @app.route("/static/govuk/<path:filename>", endpoint="govuk_static")
    def govuk_static(filename):
        return send_from_directory(root, filename, max_age=86400)

    @app.before_request
    def refuse_nul_characters():
        """NUL cannot be stored (PostgreSQL refuses it in text) and is never meant: refuse it up front."""
        values = list(request.args.values()) + list(request.form.values())
        raw = request.get_data(cache=True) if request.is_json else b""
        if any("\x00" in value for value in values) or b"\\u0000" in raw or b"\x00" in raw:
            if request.path.startswith("/api/"):
                return {"error": "the request contains a NUL character, which is not allowed"}, 400
            abort(400, description="The request contained a NUL character, which is not allowed. Remove it and try again.")

    @app.before_request
    def expire_idle_sessions():
        if not current_user.is_authenticated:
            return
        now = int(time.time())
        idle_limit = app.config["SESSION_IDLE_MINUTES"] * 60
        last_seen = session.get("last_seen", now)
        if now - last_seen > idle_limit:
            logout_user()
            session.clear()
            return
        session["last_seen"] = now

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    def error_page(status, title, message):
        return render_template("errors/error.html", title=title, message=message, status=status), status

    @app.errorhandler(400)
    def bad_request(error):
        return error_page(400, "Bad request", getattr(error, "description", None) or "The request could not be understood.")

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(
            400, "Your form expired", "The form was missing its security token or it had expired. Go back, reload the page and try again."
        )

    @app.errorhandler(403)
    def forbidden(error):
        return error_page(403, "You do not have permission to see this page", "Your role does not allow this. Ask an administrator if you need access.")

    @app.errorhandler(404)
    def not_found(error):
        return error_page(404, "Page not found", "If you typed the web address, check it is correct.")

    @app.errorhandler(405)
    def method_not_allowed(error):
        return error_page(405, "That action is not allowed here", "Use the buttons and links on the page.")

    @app.errorhandler(413)
    def too_large(error):
        return error_page(413, "The file is too large", "Upload a smaller file.")

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return error_page(500, "Sorry, there is a problem with the service", "Try again later. Nothing you entered was saved.")


MAX_PAGE = 100_000  # beyond any register; larger numbers would overflow the database's OFFSET


def requested_page():
    """The ?page= number, clamped to 1..MAX_PAGE (junk reads as 1)."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def paginate(query, per_page):
    from ..extensions import db

    return db.paginate(query, page=requested_page(), per_page=per_page, error_out=False)
