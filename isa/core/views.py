from flask import Blueprint, redirect, url_for
from flask_login import current_user

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("users.login"))
    if current_user.is_officer:
        return redirect(url_for("reviews.dashboard"))  # officers and admins work from the reviews dashboard
    return redirect(url_for("agreements.index"))
