"""`flask pdf REFERENCE -o FILE [--language cy]` (the agreement's protocol document, stored and written to a file),
`flask pdf REFERENCE --data` (the record embedded in it) and `flask documents verify FILE`."""
import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..agreements.operations import find_by_reference
from ..audit.tracking import acting_as
from ..core.i18n import DEFAULT, LANGUAGES, govdate
from ..extensions import db
from .archive import read_protocol
from .models import ProtocolDocument, RenderStatus
from .operations import current_document
from .verification import report, verify


def register(app):
    app.cli.add_command(pdf_command)
    app.cli.add_command(documents)


@click.group(help="Protocol documents and the scheduler's render queue.")
def documents():
    pass


@documents.command("status", help="How many renders are queued, being made, done and failed; each failure with its error.")
@with_appcontext
def status_command():
    import sqlalchemy as sa

    from ..extensions import db
    from .models import RenderJob
    from .queue import failed_jobs

    counts = dict(db.session.execute(sa.select(RenderJob.status, sa.func.count()).group_by(RenderJob.status)).all())
    click.echo(", ".join(f"{status.value} {counts.get(status, 0)}" for status in RenderStatus))
    for job in failed_jobs():
        click.echo(f"failed    {job.agreement.reference} version {job.protocol_version}: {job.last_error}")


@documents.command("requeue", help="Queue the protocol of each REFERENCE (of every agreement when none is given) to be made again "
                                   "where its content changed: after a release that changes the document's template, say.")
@click.argument("references", nargs=-1)
@with_appcontext
def requeue_command(references):
    import sqlalchemy as sa

    from ..agreements.models import Agreement
    from ..extensions import db
    from .queue import enqueue

    query = sa.select(Agreement.id)
    if references:
        query = query.where(Agreement.reference.in_(references))
    ids = set(db.session.scalars(query))
    missing = set(references) - set(db.session.scalars(sa.select(Agreement.reference).where(Agreement.id.in_(ids))))
    if missing:
        raise click.BadParameter(f"there is no agreement with the reference {', '.join(sorted(missing))}", param_hint="REFERENCES")
    with acting_as("command line"):
        enqueue(db.session.connection(), ids)
    db.session.commit()
    click.echo(f"Queued {len(ids)} agreement{'' if len(ids) == 1 else 's'}: the scheduler stores a new document only where the content changed.")


@click.command("pdf", help="Write the agreement's Information Sharing Protocol (PDF) to FILE (- for standard output), "
                           "or with --data print the agreement's record embedded in it (JSON).")
@click.argument("reference")
@click.option("-o", "--output", "output", type=click.File("wb", atomic=True), help="Where to write the PDF.")
@click.option("--data", is_flag=True, help="Print the agreement's record embedded in the stored document (the export's JSON).")
@click.option("--version", "version", type=click.IntRange(min=1),
              help="With --data: the latest stored document of this protocol version, instead of the current one.")
@click.option("--language", "language", type=click.Choice(sorted(LANGUAGES)), default=DEFAULT, show_default=True,
              help="The document's language: en (English) or cy (Welsh).")
@with_appcontext
def pdf_command(reference, output, data, version, language):
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
            .where(
                ProtocolDocument.agreement_id == agreement.id, ProtocolDocument.protocol_version == version,
                ProtocolDocument.language == language,
            )
            .order_by(ProtocolDocument.id.desc()).limit(1)
        )
        if document is None:
            raise click.ClickException(f"No document of {reference} version {version} is stored.")
    else:
        with acting_as("command line"):
            document = current_document(agreement, language=language)
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
