"""`flask records …`: the Art 30 record as a PDF or a workbook, and an organisation's exit pack."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..core import clock
from ..extensions import db
from ..organisations.models import Organisation

records = AppGroup("records", help="Records built from the register: Art 30, the exit pack.")


def register(app):
    app.cli.add_command(records)


def _organisation(slug):
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise click.BadParameter(f"there is no organisation {slug!r}", param_hint="SLUG")
    return organisation


@records.command("pdf", help="Write the organisation's record of processing activities (Art 30) as a PDF to FILE.")
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.File("wb", atomic=True), help="Where to write the PDF (- for standard output).")
def pdf_command(slug, output):
    from .documents import processing_record_pdf

    organisation = _organisation(slug)
    output.write(processing_record_pdf(organisation.id))
    click.echo(f"Record of processing activities of {organisation.name} written to {output.name}", err=output.name == "<stdout>")


@records.command("xlsx", help="Write the record of processing activities of every organisation (or those named), a sheet each, to FILE.")
@click.argument("slugs", nargs=-1)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="Where to write the workbook.")
def xlsx_command(slugs, output):
    from .queries import snapshot
    from .spreadsheets import processing_workbook

    register = snapshot()
    ids = [_organisation(slug).id for slug in slugs] or sorted(register.organisations, key=lambda i: register.organisations[i].name)
    processing_workbook(output, register, ids, clock.today())
    click.echo(f"{len(ids)} record(s) of processing activities written to {output}")


@records.command("exit-pack", help="Write the organisation's exit pack (ZIP) to FILE.")
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.File("wb", atomic=True), help="Where to write the ZIP.")
def exit_pack_command(slug, output):
    from .exit_pack import write_exit_pack

    organisation = _organisation(slug)
    write_exit_pack(output, organisation)
    click.echo(f"Exit pack of {organisation.name} written to {output.name}", err=output.name == "<stdout>")
