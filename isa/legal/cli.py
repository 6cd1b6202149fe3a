from datetime import date

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..extensions import db
from .catalogue import sync_catalogue
from .findings import ERROR


def register(app):
    app.cli.add_command(legal)
    app.cli.add_command(check)


@click.group(help="The lawful-basis catalogue.")
def legal():
    pass


@legal.command("sync", help="Load or refresh the shipped catalogue (local entries and local wordings are kept).")
@with_appcontext
def sync():
    from .queries import reworded_behind_shipped

    inserted, updated = sync_catalogue(db.session.connection())
    db.session.commit()
    click.echo(f"Catalogue: {inserted} added, {updated} refreshed")
    behind = reworded_behind_shipped()
    if behind:
        click.echo(f"The shipped wording changed since these entries were given a local wording ({len(behind)}); "
                   "their local wording is kept. Review each on its page:")
        for basis in behind:
            click.echo(f"  {basis.code}: local title {basis.title!r}, new shipped title {basis.shipped_title!r}")


@click.command("check", help="Check one agreement: one line per finding (severity, rule, message). Exits 1 if any is an error.")
@click.argument("reference")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Check as on this date (YYYY-MM-DD) instead of today.")
@with_appcontext
def check(reference, today):
    from ..agreements.models import Agreement
    from .queries import agreement_findings

    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.reference == reference))
    if agreement is None:
        raise click.BadParameter(f"there is no agreement with the reference {reference}", param_hint="REFERENCE")
    findings = agreement_findings(agreement, today.date() if today else date.today())
    for finding in findings:
        click.echo(f"{finding.severity} {finding.rule} {finding.message}")
    if not findings:
        click.echo(f"{reference}: no problems found", err=True)
    if any(finding.severity == ERROR for finding in findings):
        click.get_current_context().exit(1)
