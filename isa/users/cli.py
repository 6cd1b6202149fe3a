import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..core.errors import DomainError
from ..audit.tracking import acting_as
from ..extensions import db
from ..organisations.models import Organisation
from .models import Role
from .operations import create_user


def register(app):
    app.cli.add_command(users)


@click.group(help="Manage users.")
def users():
    pass


@users.command("create", help="Create a user. The password is read from standard input.")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_slug", help="The organisation slug (partner users only).")
@click.option("--name", default="", help="The person's full name.")
@with_appcontext
def create(email, role, org_slug, name):
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    organisation = None
    if org_slug:
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == org_slug))
        if organisation is None:
            raise click.ClickException(f"No organisation has the slug {org_slug!r}")
    try:
        with acting_as("command line"):
            user = create_user(email, role, password, name=name, organisation=organisation)
            db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    click.echo(f"Created {user.role.value} {user.email}")
