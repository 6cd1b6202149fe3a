import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from wtforms.validators import InputRequired

from ..core.errors import DomainError, fail
from .access import admin_required, signed_in_required
from ..core.filters import ordering, sort_order
from ..organisations.queries import organisation_choices
from ..core.web import safe_redirect_target
from ..extensions import db, limiter
from ..identity.forms import OrganisationSignInForm
from ..identity.signin import after_first_factor, stamp_session
from ..organisations.models import Organisation
from .forms import LoginForm, PasswordChangeForm, UserForm
from .models import MIN_PASSWORD_LENGTH, Role, User
from .operations import authenticate, change_password, create_user, is_throttled, normalise_email, password_problem

bp = Blueprint("users", __name__)
# The list's sortable columns (?sort=email, ?sort=-email for the other way).
SORTS = {"name": sa.func.lower(sa.func.coalesce(User.name, User.email)), "email": User.email, "role": User.role,
         "last_login": User.last_login_at}


def _account_key():
    return "account:" + normalise_email(request.form.get("email"))[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ACCOUNT"], methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        if is_throttled(form.email.data, address, current_app.config):
            current_app.logger.warning("sign-in throttled for %s from %s", normalise_email(form.email.data), address)
            form.email.errors.append(_("Too many failed attempts. Wait 15 minutes and try again."))
        else:
            user = authenticate(form.email.data, form.password.data, address, current_app.config)
            db.session.commit()  # the attempt is kept, whatever its outcome
            if user is None:
                current_app.logger.info("sign-in failed for %s from %s", normalise_email(form.email.data), address)
                form.email.errors.append(_("Enter a correct email address and password"))
            else:
                current_app.logger.info("password accepted: %s from %s", user.email, address)
                return after_first_factor(user, safe_redirect_target(request.args.get("next")))
    return render_template("users/login.html", form=form, organisation_form=OrganisationSignInForm(formdata=None), page_title=_("Sign in"))


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        current_app.logger.info("signed out: %s", current_user.email)
        current_user.end_sessions()  # a copy of this session's cookie stops working too
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("users.login"))


@bp.route("/users")
@admin_required
def index():
    sort = sort_order(request.args, SORTS, "role")
    users = db.session.scalars(sa.select(User).order_by(*ordering(sort, SORTS, User.email))).all()
    return render_template("users/index.html", users=users, sort=sort, page_title=_("Users"))


def _user_form(obj=None):
    form = UserForm(obj=obj)
    form.organisation.choices = [("", _("None"))] + organisation_choices()
    if obj is None:  # a new user: no role chosen for the admin, and the password is needed
        form.role.choices = [("", _("Choose a role"))] + [(r.value, r.label) for r in reversed(Role)]
        form.password.description = _("At least %(count)s characters. Give it to the person in a safe way: they can change it later.",
                                       count=MIN_PASSWORD_LENGTH)
        form.password.validators = [
            InputRequired(_("Enter a password of at least %(count)s characters", count=MIN_PASSWORD_LENGTH)), *form.password.validators[1:]
        ]
    if request.method == "GET" and obj is not None:
        form.role.data = obj.role.value
        form.organisation.data = obj.organisation.slug if obj.organisation else ""
    return form


def _organisation_for(slug):
    if not slug:
        return None
    return db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new():
    form = _user_form()
    if form.validate_on_submit():  # every field's errors in one round
        try:
            user = create_user(
                form.email.data, form.role.data, form.password.data, name=form.name.data,
                organisation=_organisation_for(form.organisation.data),
            )
            db.session.commit()
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("users.index"))
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
    return render_template("users/form.html", form=form, page_title=_("Add a user"), user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        clash = db.session.scalar(sa.select(User).where(User.email == email, User.id != user.id))
        if clash:
            form.email.errors.append(_("A user with the email %(email)s already exists", email=email))
        elif user.id == current_user.id and form.role.data != Role.ADMIN:
            form.role.errors.append(_("You cannot remove your own administrator role"))
        else:
            user.email = email
            user.name = form.name.data
            user.role = Role(form.role.data)
            user.organisation = _organisation_for(form.organisation.data)
            problem = password_problem(form.password.data, email) if form.password.data else None
            if problem:
                form.password.errors.append(problem)
                return render_template("users/form.html", form=form, page_title=_("Edit %(email)s", email=user.email), user=user)
            if form.password.data:
                user.set_password(form.password.data)  # and signs them out everywhere
            db.session.commit()
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, page_title=_("Edit %(email)s", email=user.email), user=user)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "info")
        return redirect(url_for("users.index"))
    user.active = not user.active
    db.session.commit()
    flash(_("User %(email)s reactivated.", email=user.email) if user.active else _("User %(email)s deactivated.", email=user.email), "success")
    return redirect(url_for("users.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in_required
def password():
    """Any signed-in user changes their own password; their other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data)
        except DomainError as error:
            fail(form, error)
        else:
            db.session.commit()
            stamp_session(current_user)  # this session goes on; every other one ends
            current_app.logger.info("password changed: %s", current_user.email)
            flash(_("Your password has been changed. You have been signed out everywhere else."), "success")
            return redirect(url_for("core.home"))
    return render_template("users/password.html", form=form, page_title=_("Change your password"))
