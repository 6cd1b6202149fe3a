import click
from flask.cli import with_appcontext

from ..extensions import db
from .catalogue import sync_catalogue


def register(app):
    app.cli.add_command(legal)


@click.group(help="The lawful-basis catalogue.")
def legal():
    pass


@legal.command("sync", help="Load or refresh the shipped catalogue (local entries are kept).")
@with_appcontext
def sync():
    inserted, updated = sync_catalogue(db.session.connection())
    db.session.commit()
    click.echo(f"Catalogue: {inserted} added, {updated} refreshed")
