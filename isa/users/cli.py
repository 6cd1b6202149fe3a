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


@users.command("reset-two-factor", help="Clear a user's second factor (a lost phone, with no administrator left to do it on the users page).")
@click.argument("email")
@with_appcontext
def reset_two_factor(email):
    from ..identity.operations import reset_second_factor
    from .models import User
    from .operations import normalise_email

    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"No user has the email {email}")
    with acting_as("command line"):
        reset_second_factor(user)
        db.session.commit()
    click.echo(f"Two-factor sign-in reset for {user.email}: they set it up again at their next sign-in.")
