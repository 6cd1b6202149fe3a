"""The published register of agreements (SPEC §7: `/register`), open to everyone with no sign-in."""
import math

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from .queries import published_agreement, published_page

bp = Blueprint("public", __name__, url_prefix="/register")

PER_PAGE = 50


@bp.route("")
def register():
    q = (request.args.get("q") or "").strip()[:100]
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    agreements, total = published_page(q, page, PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    return render_template(
        "public/register.html", agreements=agreements, total=total, page=page, pages=pages, q=q,
        page_title=_("Public register of information sharing agreements"),
    )


@bp.route("/<reference>")
def agreement(reference):
    summary = published_agreement(reference)
    if summary is None:
        abort(404)
    return render_template("public/agreement.html", agreement=summary, page_title=f"{summary.reference}: {summary.title}")
