from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from ..core.i18n import lazy_gettext as _l
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from ..core import clock
from ..core.i18n import govdate, language
from ..audit.presenting import present
from ..audit.queries import latest
from ..users.access import admin_required, officer_required, signed_in_required
from ..extensions import db
from .findings import INFO, RULES, grouped_by_flow, grouped_by_rule
from .forms import REGIME_LABELS, LegalBasisForm, LocalBasisEditForm, RestoreShippedWordingForm, WordingForm
from .models import LegalBasis, title_in_language
from .operations import restore_shipped_wording, reword
from .queries import basis_events, catalogue_groups, catalogue_map, find_basis, legacy_agreements, needs_attention, predecessors_of
from . import words

bp = Blueprint("legal", __name__)
bp.add_app_template_global(grouped_by_flow, "grouped_findings")
bp.add_app_template_global(grouped_by_rule, "findings_by_rule")


def _catalogue():
    """The catalogue by code, read once for the request."""
    if "catalogue" not in g:
        g.catalogue = catalogue_map()
    return g.catalogue


class PageWording:
    """How a page words findings and notes: in its language, dates as the page writes them. One per
    language, remembering what it has worded: a workbook words the same few cells a million times."""

    def __init__(self, code):
        self.language = code
        self._said, self._labels, self._days = {}, {}, {}

    def gettext(self, text):
        said = self._said.get(text)
        if said is None:
            said = self._said[text] = _(text)
        return said

    def day(self, value):
        day = self._days.get(value)
        if day is None:
            day = self._days[value] = govdate(value)
        return day

    def label(self, member):
        label = self._labels.get(member)
        if label is None:
            label = self._labels[member] = str(member.label)
        return label

    def title(self, entry):
        return str(title_in_language(entry))  # an admin may reword an entry: never remembered


_WORDINGS = {}


def page_wording():
    """The wording of the page being made (or of the language forced on a scheduler's document)."""
    code = language()
    wording = _WORDINGS.get(code)
    if wording is None:
        wording = _WORDINGS[code] = PageWording(code)
    return wording


@bp.record_once
def _word_findings_in_the_page_language(state):
    words.set_page_wording(page_wording)


@bp.app_template_global()
def basis_title(code):
    """A lawful basis's title in the page's language, or "" for an unknown code."""
    basis = _catalogue().get(code)
    return basis.title_in_language if basis else ""


@bp.app_template_global()
def basis_summary(code):
    """A lawful basis's summary in the page's language, or "" for an unknown code."""
    basis = _catalogue().get(code)
    return basis.summary_in_language if basis else ""

WHEN_CHOICES = {"": _l("All entries"), "in_force": _l("In force today"), "legacy": _l("Legacy (no longer in force)")}
ATTENTION_PER_PAGE = 50


@bp.route("/legal-bases")
@signed_in_required
def index():
    q = (request.args.get("q") or "").strip()[:100]
    when = request.args.get("when") or ""
    if when not in WHEN_CHOICES:
        when = ""
    groups = catalogue_groups(q, when, clock.today())
    return render_template(
        "legal/index.html",
        groups=groups,
        total=sum(len(entries) for _kind, entries in groups),
        q=q,
        when=when,
        when_choices=WHEN_CHOICES,
        regime_labels=REGIME_LABELS,
        today=clock.today(),
        page_title=_("Lawful bases"),
    )


@bp.route("/legal-bases/new", methods=["GET", "POST"])
@admin_required
def new():
    form = LegalBasisForm()
    if form.validate_on_submit():
        basis = form.apply_to(LegalBasis(code=form.code.data))
        db.session.add(basis)
        db.session.commit()
        flash(_("%(code)s added to the catalogue.", code=basis.code), "success")
        return redirect(url_for("legal.show", code=basis.code))
    return render_template("legal/form.html", form=form, basis=None, page_title=_("Add a lawful basis"))


@bp.route("/legal-bases/<code>")
@signed_in_required
def show(code):
    catalogue = catalogue_map()
    basis = catalogue.get(code) or abort(404)
    history, older = latest(basis_events(code)) if current_user.is_officer else ([], False)
    return render_template(
        "legal/show.html",
        basis=basis,
        history=present(history),
        older_history=older,
        successors=[(c, catalogue.get(c)) for c in basis.successors or ()],
        predecessors=predecessors_of(code, catalogue),
        regime_labels=REGIME_LABELS,
        today=clock.today(),
        audit_url=url_for("audit.index", entity="LegalBasis"),
        page_title=f"{basis.code}: {basis.title_in_language}",
    )


@bp.route("/legal-bases/<code>/edit", methods=["GET", "POST"])
@admin_required
def edit(code):
    basis = find_basis(code) or abort(404)
    if not basis.local:
        return _edit_wording(basis)
    form = LocalBasisEditForm(obj=basis)
    if request.method == "GET":
        form.load(basis)
    if form.validate_on_submit():
        form.apply_to(basis)
        db.session.commit()
        flash(_("%(code)s saved.", code=basis.code), "success")
        return redirect(url_for("legal.show", code=basis.code))
    return render_template("legal/form.html", form=form, basis=basis, page_title=_("Edit %(code)s", code=basis.code))


def _edit_wording(basis):
    """A shipped entry: only its title and summary, kept as a local wording when the catalogue is refreshed."""
    form = WordingForm(obj=basis)
    if form.validate_on_submit():
        reword(basis, form.title.data, form.summary.data)
        db.session.commit()
        if basis.has_local_wording:
            flash(_("%(code)s now shows your local wording. Refreshing the catalogue keeps it.", code=basis.code), "success")
        else:
            flash(_("%(code)s shows the shipped wording.", code=basis.code), "success")
        return redirect(url_for("legal.show", code=basis.code))
    return render_template("legal/wording.html", form=form, basis=basis, page_title=_("Change the wording of %(code)s", code=basis.code))


@bp.route("/legal-bases/<code>/shipped-wording", methods=["GET", "POST"])
@admin_required
def restore(code):
    """Confirm, then discard a local wording: the entry shows the shipped title and summary again."""
    basis = find_basis(code) or abort(404)
    form = RestoreShippedWordingForm()
    if basis.has_local_wording and form.validate_on_submit():
        restore_shipped_wording(basis)
        db.session.commit()
        flash(_("%(code)s shows the shipped wording again.", code=basis.code), "success")
        return redirect(url_for("legal.show", code=basis.code))
    if request.method == "POST" and not basis.has_local_wording:
        return redirect(url_for("legal.show", code=basis.code))
    return render_template("legal/restore.html", form=form, basis=basis, page_title=_("Go back to the shipped wording of %(code)s", code=basis.code))


@bp.route("/attention/legacy-bases")
@officer_required
def legacy():
    """Every agreement still relying on DPA 1998 bases, with the way to re-map each in one step."""
    return render_template("legal/legacy.html", rows=legacy_agreements(), page_title=_("Agreements still relying on the DPA 1998"))


@bp.route("/attention")
@officer_required
def attention():
    items = needs_attention(clock.today())
    rule = request.args.get("rule") or ""
    raised = {f.rule for item in items for f in item.findings if f.severity != INFO}
    if rule in RULES:
        items = [item for item in items if any(f.rule == rule for f in item.findings)]
    else:
        rule = ""
    page = _ListPage(items=items, per_page=ATTENTION_PER_PAGE, error_out=False)
    return render_template(
        "legal/attention.html",
        page=page,
        rule=rule,
        rules=[r for r in RULES if r in raised],
        with_errors=sum(1 for item in items if item.errors),
        page_title=_("Agreements that need attention"),
    )


class _ListPage(Pagination):
    """Flask-SQLAlchemy's pagination over a list already in memory (same template macro)."""

    def _query_items(self):
        start = (self.page - 1) * self.per_page
        return self._query_args["items"][start : start + self.per_page]

    def _query_count(self):
        return len(self._query_args["items"])
