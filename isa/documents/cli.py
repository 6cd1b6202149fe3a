"""`flask pdf REFERENCE -o FILE` (the agreement's protocol document, stored and written to a file),
`flask pdf REFERENCE --data` (the record embedded in it) and `flask documents verify FILE`."""
import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..agreements.operations import find_by_reference
from ..audit.tracking import acting_as
from ..core.web import govdate
from ..extensions import db
from .archive import read_protocol
from .models import ProtocolDocument
from .operations import current_document
from .verification import report, verify


def register(app):
    app.cli.add_command(pdf_command)
    app.cli.add_command(documents)


@click.command("pdf", help="Write the agreement's Information Sharing Protocol (PDF) to FILE (- for standard output), "
                           "or with --data print the agreement's record embedded in it (JSON).")
@click.argument("reference")
@click.option("-o", "--output", "output", type=click.File("wb", atomic=True), help="Where to write the PDF.")
@click.option("--data", is_flag=True, help="Print the agreement's record embedded in the stored document (the export's JSON).")
@click.option("--version", "version", type=click.IntRange(min=1),
              help="With --data: the latest stored document of this protocol version, instead of the current one.")
@with_appcontext
def pdf_command(reference, output, data, version):
    agreement = find_by_reference(reference)
    if agreement is None:
        raise click.BadParameter(f"there is no agreement with the reference {reference}", param_hint="REFERENCE")
    if not data and output is None:
        raise click.UsageError("Give -o FILE to write the PDF, or --data to print the record it carries.")
    if version is not None and not data:
        raise click.UsageError("--version goes with --data.")
    if version is not None:
        document = db.session.scalar(
            sa.select(ProtocolDocument)
            .where(ProtocolDocument.agreement_id == agreement.id, ProtocolDocument.protocol_version == version)
            .order_by(ProtocolDocument.id.desc()).limit(1)
        )
        if document is None:
            raise click.ClickException(f"No document of {reference} version {version} is stored.")
    else:
        with acting_as("command line"):
            document = current_document(agreement)
    if data:
        facts = read_protocol(document.pdf)
        if facts.data is None:
            raise click.ClickException(f"The stored document {document.id} carries no record (made before documents did).")
        click.echo(facts.data.decode("utf-8"), nl=False)
        click.echo(f"{agreement.reference} version {document.protocol_version}: the record embedded in document {document.id}, "
                   f"SHA-256 {document.sha256}", err=True)
    if output is not None:
        output.write(document.pdf)
        click.echo(
            f"{agreement.reference} version {document.protocol_version}: {document.page_count} pages, "
            f"SHA-256 {document.sha256}, written to {output.name}",
            err=output.name == "<stdout>" or data,
        )


@click.group(help="Protocol documents.")
def documents():
    pass


@documents.command("verify", help="Say which stored protocol document FILE is (its SHA-256), what it carries, "
                                  "or that it matches none. Exits 1 when it matches none.")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def verify_command(file):
    lines, genuine = report(verify(file.read()), govdate)
    click.echo(f"{file.name}:")
    for line in lines:
        click.echo(f"  {line}")
    if not genuine:
        raise click.exceptions.Exit(1)
