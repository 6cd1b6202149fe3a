"""Languages: English and Welsh (Cymraeg), with Flask-Babel.

A page's language is, in order: the signed-in user's choice (kept on the user, so that what is
sent to them is in it too), the choice made on this browser (a cookie: the public register's
visitors choose too), the browser's `Accept-Language` (SPEC §7: pages honour `cy`), then English.
Dates are written in the page's language: 1 December 2027, 1 Rhagfyr 2027.
"""
from datetime import date, datetime

from flask import Blueprint, has_request_context, redirect, request, url_for
from flask_babel import force_locale, format_date, get_locale, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from ..extensions import babel, db

LANGUAGES = {"en": "English", "cy": "Cymraeg"}  # each language named in itself, as a switcher shows it
DEFAULT = "en"
COOKIE = "isa_language"
COOKIE_SECONDS = 365 * 24 * 3600
HTML_LANG = {"en": "en-GB", "cy": "cy"}

bp = Blueprint("language", __name__)


def chosen_language():
    """The language of this request (a code of LANGUAGES); English outside a request."""
    if not has_request_context():
        return DEFAULT
    if getattr(current_user, "is_authenticated", False) and getattr(current_user, "language", None) in LANGUAGES:
        return current_user.language
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT)


def language():
    """The current language's code ('en' outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


class LazyText(LazyString):
    """A message translated when it is shown. A page escapes it as it escapes any text: flask-babel's
    own lazy string would reach the page unescaped ("the channel's name" without its &#39;)."""

    def __html__(self):
        return escape(str(self))


def lazy_gettext(string, **variables):
    """flask_babel.lazy_gettext, escaped in pages like text: module-level messages, `as _l`."""
    return LazyText(gettext, string, **variables)


class labelled:
    """An enum's `label`: `labels()` gives the lazy strings by value, made once; each is worded in the
    page's language when read. `english(member)` gives the English with no language looked up (the
    open data feed, files)."""

    def __init__(self, labels):
        self.labels, self.made = labels, {}

    def _made(self):
        if not self.made:
            self.made.update(self.labels())
        return self.made

    def __get__(self, member, owner=None):
        if member is None:
            return self
        return str(self._made()[member.value])

    def english(self, member):
        text = self._made()[member.value]
        return text._args[0] if isinstance(text, LazyString) else str(text)


def english_label(member):
    """A member's label in English, whatever the page's language."""
    described = type(member).__dict__.get("label")
    if isinstance(described, labelled):
        return described.english(member)
    with force_locale("en"):
        return str(member.label)


def lazy_choices(members):
    """A form's (value, label) choices made once, at import: each label worded when it is shown."""
    return [(member.value, LazyText(getattr, member, "label")) for member in members]


def govdate(value):
    """Dates as GOV.UK writes them, in the page's language: 1 December 2027, 1 Rhagfyr 2027."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        day, time = format_date(value.date(), "d MMMM yyyy"), value.strftime("%H:%M")
        return gettext("%(date)s at %(time)s", date=day, time=time)
    return format_date(value, "d MMMM yyyy")


@bp.route("/language", methods=["POST"])
def choose():
    """Switch the language: for this browser, and for the signed-in user wherever they sign in."""
    from .web import safe_redirect_target

    chosen = request.form.get("language")
    target = safe_redirect_target(request.form.get("next") or "") or url_for("core.home")
    response = redirect(target)
    if chosen not in LANGUAGES:
        return response
    if getattr(current_user, "is_authenticated", False) and hasattr(current_user, "language"):
        current_user.language = chosen
        db.session.commit()
    response.set_cookie(COOKIE, chosen, max_age=COOKIE_SECONDS, secure=request.is_secure, httponly=True, samesite="Lax")
    return response


def init_app(app):
    babel.init_app(app, locale_selector=chosen_language, default_locale=DEFAULT, default_timezone="Europe/London")
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # a message's line breaks and indentation are not part of it
    app.add_template_filter(govdate)
    app.jinja_env.globals.update(languages=LANGUAGES, language=language, html_lang=lambda: HTML_LANG[language()])
    app.register_blueprint(bp)
