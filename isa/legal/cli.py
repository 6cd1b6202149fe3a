import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..core.errors import DomainError
from ..core import clock
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
    findings = agreement_findings(agreement, today.date() if today else clock.today())
    for finding in findings:
        click.echo(f"{finding.severity} {finding.rule} {finding.message}")
    if not findings:
        click.echo(f"{reference}: no problems found", err=True)
    if any(finding.severity == ERROR for finding in findings):
        click.get_current_context().exit(1)


@legal.command("remap", help="Propose (or with --apply make) the successors of an agreement's DPA 1998 bases, flow by flow.")
@click.argument("reference")
@click.option("--apply", "apply_", is_flag=True, help="Make the change: one new protocol version, one round of signatures.")
@with_appcontext
def remap(reference, apply_):
    from ..agreements.operations import find_by_reference, legacy_remap_proposal, remap_legacy_bases
    from ..audit.tracking import acting_as

    agreement = find_by_reference(reference)
    if agreement is None:
        raise click.BadParameter(f"there is no agreement with the reference {reference}", param_hint="REFERENCE")
    proposals = legacy_remap_proposal(agreement)
    if not proposals:
        click.echo(f"{reference} relies on no DPA 1998 basis: nothing to re-map.")
        return
    version = agreement.protocol_version
    for proposal in proposals:
        click.echo(proposal.label)
        for code, successors in proposal.replaced.items():
            click.echo(f"  {code} -> {', '.join(successors) or '(no successor fits: choose one)'}")
        click.echo(f"  lawful bases: {', '.join(proposal.current)}")
        click.echo(f"            -> {', '.join(proposal.proposed)}")
        for note in proposal.notes:
            click.echo(f"  note: {note}")
    if not apply_:
        click.echo(f"{len(proposals)} flow(s) to re-map. Run again with --apply to make the change.")
        return
    try:
        with acting_as("command line: legal remap"):
            remap_legacy_bases(agreement)
            db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    if agreement.protocol_version != version:
        click.echo(f"Applied: {reference} is now protocol version {agreement.protocol_version}; every party must sign it.")
    else:
        click.echo(f"Applied to {reference} (no party had signed yet, so it stays version {version}).")
