"""App-wide web behaviour: template filters, error pages, security headers, idle sessions."""
import json
import time
from io import BytesIO
from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, render_template, request, send_file, send_from_directory, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.main import WTFormsHelpers, wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import csrf, db
from . import clock
from .db import is_sqlite_busy
from .text import neutralise_bidi, template_finalize


def init_app(app):
    WTFormsHelpers(app)
    app.add_template_global(lambda form, params=None: wtforms_errors(form, {"titleText": _("There is a problem"), **(params or {})}),
                            "wtforms_errors")
    speak_the_page_language(GovFormBase)
    app.jinja_env.finalize = template_finalize
    app.jinja_env.globals["today"] = clock.today

    root = app.config.get("GOVUK_FRONTEND_DIR") or str(
        __import__("pathlib").Path(app.root_path).parent / "node_modules" / "govuk-frontend" / "dist" / "govuk"
    )

    @app.route("/static/govuk/<path:filename>", endpoint="govuk_static")
    def govuk_static(filename):
        return send_from_directory(root, filename, max_age=86400)

    def body_may_be_read():
        """False for a request to a page that needs a signed-in user when none is signed in: the page
        sends it to sign in, and no one reaches the body parser (its memory and time) before that."""
        view = app.view_functions.get(request.endpoint)
        return not (getattr(view, "allowed_roles", None) and not current_user.is_authenticated)

    @app.before_request
    def check_csrf_once_the_sender_is_known():
        """Flask-WTF's CSRF check on every POST (API excepted: bearer tokens), after body_may_be_read."""
        if app.config.get("WTF_CSRF_ENABLED", True) and body_may_be_read():
            csrf.protect(apply_exemptions=True)

    @app.before_request
    def refuse_nul_characters():
        """NUL cannot be stored (PostgreSQL refuses it in text) and is never meant: refuse it up front.

        The query string always; a form body only when it may be read (body_may_be_read). The API's
        JSON bodies are checked by the JSON loader after the token (isa.core.jsonload)."""
        in_query = any("\x00" in value for value in request.args.values())
        in_form = (
            request.method == "POST"
            and not request.path.startswith("/api/")
            and body_may_be_read()
            and any("\x00" in value for value in request.form.values())
        )
        if in_query or in_form:
            if request.path.startswith("/api/"):
                return {"error": "the request contains a NUL character, which is not allowed"}, 400
            abort(400, description=_("The request contained a NUL character, which is not allowed. Remove it and try again."))

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
        return error_page(400, _("Bad request"), getattr(error, "description", None) or _("The request could not be understood."))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_page(
            400, _("Your form expired"), _("The form was missing its security token or it had expired. Go back, reload the page and try again.")
        )

    @app.errorhandler(403)
    def forbidden(error):
        return error_page(403, _("You do not have permission to see this page"), _("Your role does not allow this. Ask an administrator if you need access."))

    @app.errorhandler(404)
    def not_found(error):
        return error_page(404, _("Page not found"), _("If you typed the web address, check it is correct."))

    @app.errorhandler(405)
    def method_not_allowed(error):
        return error_page(405, _("That action is not allowed here"), _("Use the buttons and links on the page."))

    @app.errorhandler(413)
    def too_large(error):
        return error_page(413, _("The file is too large"), _("Upload a smaller file."))

    @app.errorhandler(StaleDataError)
    def concurrent_change(error):
        """Two people saved one record at once and the other save came first: the database refused
        ours (the version counter did not match, at a flush or at the commit). Nothing was saved."""
        db.session.rollback()
        flash(
            _("Someone else changed this record while you were editing it. Your changes have not been saved: "
              "review the latest version and make them again."),
            "info",
        )
        target = safe_redirect_target(request.full_path.rstrip("?")) if request.method == "GET" else None
        return redirect(target or request.path, code=303)

    @app.errorhandler(OperationalError)
    def database_busy(error):
        """SQLite refuses a write whose transaction began before another connection's commit
        ("database is locked", at once): the same as a concurrent change for the person saving."""
        if not is_sqlite_busy(error):
            raise error
        return concurrent_change(error)

    @app.errorhandler(429)
    def too_many_requests(error):
        response = error_page(429, _("Too many attempts"), _("You have tried too many times in a short while. Wait a minute and try again."))
        return response

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return error_page(500, _("Sorry, there is a problem with the service"), _("Try again later. Nothing you entered was saved."))


def component_words(widget, params):
    """The few words GOV.UK's components carry themselves, in English unless given: the hidden
    "Error:" before a field's message, and the password input's Show and Hide."""
    if params.get("errorMessage"):
        params["errorMessage"].setdefault("visuallyHiddenText", _("Error"))
    if isinstance(widget, GovPasswordInput):
        for key, english, text in (
            ("showPasswordText", "Show", _("Show")), ("hidePasswordText", "Hide", _("Hide")),
            ("showPasswordAriaLabelText", "Show password", _("Show password")),
            ("hidePasswordAriaLabelText", "Hide password", _("Hide password")),
            ("passwordShownAnnouncementText", "Your password is visible", _("Your password is visible")),
            ("passwordHiddenAnnouncementText", "Your password is hidden", _("Your password is hidden")),
        ):
            if text != english:  # the component's own English needs no help (and English pages stay as they were)
                params.setdefault(key, text)
    return params


def speak_the_page_language(base):
    """Every GOV.UK form widget renders through `base.render`: its own words pass through component_words first."""
    render = base.render
    if getattr(render, "speaks_the_page_language", False):
        return  # already done (one app after another in the same process)

    def render_in_page_language(self, params):
        return render(self, component_words(self, params))

    render_in_page_language.speaks_the_page_language = True
    base.render = render_in_page_language


def pdf_response(pdf, filename, sha256, attachment=True):
    """A stored PDF, whole, as a download (or shown inline) with its SHA-256 (the ETag and
    X-Content-SHA256), kept by no cache."""
    response = send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=attachment, download_name=filename,
                         max_age=0, etag=sha256)
    response.headers["X-Content-SHA256"] = sha256
    response.headers["Cache-Control"] = "private, no-store"
    return response


def json_response(data, status=200):
    """JSON with <, > and & escaped as \\u003c..., so no browser can ever read it as markup."""
    text = neutralise_bidi(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    response = Response(text, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def safe_redirect_target(target):
    """`target` when it is a path on this site, else None: the one check for every ?next= redirect.

    Browsers drop tabs and line breaks from a Location and read a backslash as a slash, so
    `/\t/evil.example` or `/\\evil.example` would leave the site: any control character,
    whitespace or backslash refuses the target outright, and what is left must be a path with
    no scheme and no host.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F or c == "\\" or c.isspace() for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


MAX_PAGE = 100_000  # beyond any register; larger numbers would overflow the database's OFFSET


def requested_page():
    """The ?page= number, clamped to 1..MAX_PAGE (junk reads as 1)."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def paginate(query, per_page):
    from ..extensions import db

    return db.paginate(query, page=requested_page(), per_page=per_page, error_out=False)
