"""`flask pdf REFERENCE -o FILE`: the agreement's protocol document, stored and written to a file."""
import click
from flask.cli import with_appcontext

from ..agreements.operations import find_by_reference
from ..audit.tracking import acting_as
from .models import RenderStatus
from .operations import current_document


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
