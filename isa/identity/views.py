"""The pages of signing in: the second factor, the organisation's own sign-in, password reset, and
the admin's settings (identity providers, resetting a user's second factor)."""
import re

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..users.access import admin_required, signed_in_required
from ..core.ratelimit import count_failure, too_many_failures
from ..extensions import db, limiter
from ..organisations.models import Organisation
from ..users.models import User
from ..core.errors import DomainError
from ..users.operations import normalise_email
from . import oidc
from .forms import CodeForm, EnrolForm, NewPasswordForm, OrganisationSignInForm, ProviderForm, ResetRequestForm
from .models import IdentityProvider
from .operations import (
    check_code, client_secret, enrol as confirm_enrolment, new_recovery_codes, new_totp_secret, provisioning_uri, providers,
    qr_code_svg, record_security_event, request_password_reset, reset_for_token, reset_password, reset_second_factor, save_provider,
    unused_recovery_codes, use_recovery_code, user_from_provider,
)
from .rules import provider_for
from .signin import after_first_factor, finish, pending_user

bp = Blueprint("identity", __name__)


def _address():
    return request.remote_addr or "unknown"


def _code_failure_rate():
    config = current_app.config
    return f"{config['SECOND_FACTOR_MAX_FAILURES']} per {config['SECOND_FACTOR_WINDOW_MINUTES']} minutes"


# --- the second factor at sign-in ------------------------------------------------------------------------


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SECOND_FACTOR_RATE_PER_ADDRESS"], methods=["POST"])
def code():
    user = pending_user()
    if user is None or not user.has_second_factor:
        flash(_("Sign in again: the sign-in was not finished in time."), "info")
        return redirect(url_for("users.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if too_many_failures(_code_failure_rate(), "second factor", str(user.id)):
            form.code.errors.append(_("Too many wrong codes. Wait %(minutes)s minutes and try again.",
                                      minutes=current_app.config["SECOND_FACTOR_WINDOW_MINUTES"]))
        else:
            entered = form.code.data.strip()
            accepted = check_code(user, entered) if re.fullmatch(r"\d{3} ?\d{3}", entered) else use_recovery_code(user, entered)
            if accepted:
                if not re.fullmatch(r"\d{3} ?\d{3}", entered):
                    flash(_("You signed in with a recovery code. You have %(count)s left: set up your authenticator again "
                            "or make new codes on your two-factor page.", count=unused_recovery_codes(user)), "info")
                return finish(user)
            db.session.rollback()
            count_failure(_code_failure_rate(), "second factor", str(user.id))
            current_app.logger.info("wrong second-factor code for %s from %s", user.email, _address())
            form.code.errors.append(_("Enter the current code from your authenticator app, or an unused recovery code"))
    return render_template("identity/code.html", form=form, page_title=_("Enter your code"))


def _enrolment_secret():
    """The secret being enrolled, kept in the session until the first code confirms it."""
    secret = session.get("totp_secret")
    if not secret:
        secret = session["totp_secret"] = new_totp_secret()
    return secret


def _enrol_page(user, form, template_values):
    secret = _enrolment_secret()
    uri = provisioning_uri(user, secret)
    return render_template("identity/enrol.html", form=form, qr_svg=qr_code_svg(uri), secret=secret,
                           grouped_secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), **template_values)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SECOND_FACTOR_RATE_PER_ADDRESS"], methods=["POST"])
def enrol():
    """Officers and admins set up their second factor before their first sign-in completes."""
    user = pending_user()
    if user is None or user.has_second_factor:
        flash(_("Sign in again: the sign-in was not finished in time."), "info")
        return redirect(url_for("users.login"))
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = confirm_enrolment(user, session["totp_secret"], form.code.data)
        except (DomainError, KeyError):
            db.session.rollback()
            form.code.errors.append(_("Enter the 6-digit code your authenticator app shows now"))
        else:
            next_url = session["pending"].get("next")
            finish(user)
            return render_template("identity/recovery_codes.html", codes=codes, next_url=next_url or url_for("core.home"),
                                   page_title=_("Your recovery codes"))
    return _enrol_page(user, form, {"page_title": _("Set up two-factor sign-in"), "during_sign_in": True})


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in_required
def account():
    """A signed-in user's second factor: set it up (partners may choose to), or make new recovery codes."""
    if current_user.has_second_factor:
        return render_template("identity/account.html", left=unused_recovery_codes(current_user), page_title=_("Two-factor sign-in"))
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = confirm_enrolment(current_user, session.get("totp_secret") or "", form.code.data)
        except DomainError:
            db.session.rollback()
            form.code.errors.append(_("Enter the 6-digit code your authenticator app shows now"))
        else:
            db.session.commit()
            session.pop("totp_secret", None)
            return render_template("identity/recovery_codes.html", codes=codes, next_url=url_for("core.home"),
                                   page_title=_("Your recovery codes"))
    return _enrol_page(current_user, form, {"page_title": _("Set up two-factor sign-in"), "during_sign_in": False})


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@signed_in_required
def new_codes():
    if not current_user.has_second_factor:
        return redirect(url_for("identity.account"))
    codes = new_recovery_codes(current_user)
    record_security_event(current_user, "recovery codes made")
    db.session.commit()
    return render_template("identity/recovery_codes.html", codes=codes, next_url=url_for("identity.account"), page_title=_("Your recovery codes"))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@admin_required
def admin_reset(user_id):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("Ask another administrator to reset your own two-factor sign-in."), "info")
        return redirect(url_for("users.edit", user_id=user.id))
    reset_second_factor(user)
    db.session.commit()
    current_app.logger.warning("second factor reset for %s by %s", user.email, current_user.email)
    flash(_("Two-factor sign-in reset for %(email)s. They set it up again at their next sign-in.", email=user.email), "success")
    return redirect(url_for("users.index"))


# --- the organisation's own sign-in (OpenID Connect) ----------------------------------------------------


def _callback_url():
    return url_for("identity.oidc_callback", _external=True)


def _refused(message, status=403):
    db.session.rollback()
    return render_template("identity/refused.html", message=message, page_title=_("You could not be signed in")), status


@bp.route("/login/organisation", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ADDRESS"])
def oidc_start():
    from ..users.forms import LoginForm

    form = OrganisationSignInForm()
    if form.validate_on_submit():
        provider = provider_for(form.org_email.data, providers())
        if provider is None:
            form.org_email.errors.append(_("Your organisation does not sign in to isa through its own accounts. Sign in with your isa password."))
        else:
            timeout = float(current_app.config["OIDC_HTTP_TIMEOUT"])
            try:
                url, pending = oidc.start(provider, client_secret(provider), _callback_url(), timeout)
            except oidc.SignInRefused as error:
                return _refused(str(error), 502)
            pending["next"] = request.args.get("next")
            session["oidc"] = pending
            return redirect(url)
    return render_template("users/login.html", form=LoginForm(formdata=None), organisation_form=form, page_title=_("Sign in")), 200


@bp.route("/login/organisation/callback")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ADDRESS"])
def oidc_callback():
    from ..core.web import safe_redirect_target

    pending = session.pop("oidc", None)  # one use: a replayed callback finds nothing
    provider = db.session.get(IdentityProvider, (pending or {}).get("provider") or 0)
    if provider is None or not provider.enabled:
        current_app.logger.warning("sign-in callback refused: no sign-in started here (%s)", _address())
        return _refused(_("This sign-in link has already been used or did not start here. Start again from the sign-in page."))
    timeout = float(current_app.config["OIDC_HTTP_TIMEOUT"])
    try:
        claims = oidc.finish(provider, client_secret(provider), _callback_url(), pending, request.args, timeout)
        user = user_from_provider(provider, claims)
    except (oidc.SignInRefused, DomainError) as error:
        current_app.logger.warning("sign-in through %s refused: %s", provider.issuer, error)
        return _refused(str(error))
    return after_first_factor(user, safe_redirect_target(pending.get("next")), through_provider=provider.issuer)


@bp.route("/organisations/<slug>/identity-provider", methods=["GET", "POST"])
@admin_required
def provider(slug):
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug)) or abort(404)
    existing = db.session.scalar(sa.select(IdentityProvider).where(IdentityProvider.organisation_id == organisation.id))
    form = ProviderForm(obj=existing)
    if request.method == "GET" and existing is not None:
        form.email_domains.data = "\n".join(existing.email_domains or [])
        form.client_secret.data = ""
    if form.validate_on_submit():
        try:
            save_provider(organisation, form.issuer.data.strip(), form.client_id.data.strip(), form.client_secret.data,
                          form.parsed_domains, form.allow_new_accounts.data, form.enabled.data)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Identity provider saved for %(name)s.", name=organisation.name), "success")
            return redirect(url_for("organisations.show", slug=organisation.slug))
    return render_template("identity/provider.html", form=form, organisation=organisation, existing=existing,
                           callback_url=_callback_url(), page_title=_("Identity provider of %(name)s", name=organisation.name))


# --- password reset ----------------------------------------------------------------------------------


def _reset_email_key():
    return "reset:" + normalise_email(request.form.get("email"))[:254]


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_PER_ADDRESS"], methods=["POST"], key_func=_reset_email_key)
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data, lambda token: url_for("identity.reset", token=token, _external=True))
        db.session.commit()
        # The same answer whether or not the address has an account (the mail is sent by the scheduler).
        return render_template("identity/reset_sent.html", email=normalise_email(form.email.data), page_title=_("Check your e-mail"))
    return render_template("identity/reset_request.html", form=form, page_title=_("Reset your password"))


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ADDRESS"], methods=["POST"])
def reset(token):
    if reset_for_token(token) is None:
        return render_template("identity/reset_expired.html", page_title=_("This link has expired")), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_password(token, form.new.data)
        except DomainError as error:
            db.session.rollback()
            if error.field == "token":
                return render_template("identity/reset_expired.html", page_title=_("This link has expired")), 410
            form.new.errors.append(str(error))
        else:
            db.session.commit()
            session.clear()
            current_app.logger.warning("password reset by e-mail link: %s", user.email)
            flash(_("Your password has been changed and you have been signed out everywhere. Sign in with your new password."), "success")
            return redirect(url_for("users.login"))
    return render_template("identity/reset.html", form=form, page_title=_("Choose a new password"))
