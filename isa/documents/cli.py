"""`flask pdf REFERENCE -o FILE`: the agreement's protocol document, stored and written to a file."""
import click
from flask.cli import with_appcontext

from ..agreements.operations import find_by_reference
from ..audit.tracking import acting_as
from .operations import current_document


def register(app):
    app.cli.add_command(pdf_command)


@click.command("pdf", help="Write the agreement's Information Sharing Protocol (PDF) to FILE (- for standard output).")
@click.argument("reference")
@click.option("-o", "--output", "output", required=True, type=click.File("wb", atomic=True), help="Where to write the PDF.")
@with_appcontext
def pdf_command(reference, output):
    agreement = find_by_reference(reference)
    if agreement is None:
        raise click.BadParameter(f"there is no agreement with the reference {reference}", param_hint="REFERENCE")
    with acting_as("command line"):
        document = current_document(agreement)
    output.write(document.pdf)
    click.echo(
        f"{agreement.reference} version {document.protocol_version}: {document.page_count} pages, "
        f"SHA-256 {document.sha256}, written to {output.name}",
        err=output.name == "<stdout>",
    )
