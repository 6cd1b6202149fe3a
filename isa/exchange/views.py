"""Import and export of the whole register, for administrators."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from ..core import clock
from ..core.i18n import lazy_gettext as _l
from ..users.access import admin_required
from ..core.jsonload import JsonRejected, load_json
from .operations import ImportRejected, export_register, import_register, to_json

bp = Blueprint("exchange", __name__, url_prefix="/admin/exchange")

PROBLEMS_SHOWN = 200  # a badly broken file can have thousands; the command line lists them all


class ImportForm(FlaskForm):
    """Kept here rather than in a forms.py: it is this page's only form."""

    file = FileField(
        _l("Upload a register file"),
        widget=GovFileInput(),
        description=_l("A JSON file in the register's import format, such as one downloaded below."),
        validators=[FileRequired(_l("Select a JSON file to import"))],
    )
    submit = SubmitField(_l("Import the file"), widget=GovSubmitInput())


@bp.route("/", methods=["GET", "POST"])
@admin_required
def index():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            data = load_json(form.file.data.stream.read(), _("The selected file"))
        except JsonRejected as error:
            form.file.errors.append(_("%(problem)s. Nothing was changed.", problem=error))
        else:
            try:
                result = import_register(data)
            except ImportRejected as rejected:
                problems = rejected.problems
                form.file.errors.append(ngettext(
                    "The selected file was not imported because it has %(num)d problem. Nothing was changed. "
                    "Correct the file and upload it again.",
                    "The selected file was not imported because it has %(num)d problems. Nothing was changed. "
                    "Correct the file and upload it again.",
                    len(problems),
                ))
            else:
                flash(_("The register file was imported. %(summary)s", summary=result.summary()), "success")
                return redirect(url_for("exchange.index"))
    return render_template(
        "exchange/index.html",
        form=form,
        problems=problems[:PROBLEMS_SHOWN],
        hidden_problems=max(0, len(problems) - PROBLEMS_SHOWN),
        page_title=_("Import and export"),
    )


@bp.route("/export.json")
@admin_required
def export():
    filename = f"isa-register-{clock.today().isoformat()}.json"
    return Response(
        to_json(export_register()),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
