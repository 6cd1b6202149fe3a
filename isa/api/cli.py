"""`flask tokens create EMAIL`, `flask tokens list`, `flask tokens revoke PREFIX`."""
import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..audit.tracking import acting_as
from ..extensions import db
from .models import ApiToken
from .tokens import DEFAULT_LIFETIME, LIFETIMES, TokenError, create_token, find_user, revoke_token


def register(app):
    app.cli.add_command(tokens)


@click.group(help="Manage API tokens.")
def tokens():
    pass


@tokens.command("create", help="Create an API token acting as the user EMAIL and print it (once: it is stored hashed).")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
@click.option("--calendar", is_flag=True, help="A calendar feed secret instead: reads only the review-dates calendar.")
@click.option("--days", type=click.Choice([str(days) for days in LIFETIMES]), default=str(DEFAULT_LIFETIME), show_default=True,
              help="How long the token lasts.")
@with_appcontext
def create(email, name, calendar, days):
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No user has the email {email}")
    try:
        with acting_as("command line"):
            record, token = create_token(user, name, "calendar" if calendar else "api", int(days))
            db.session.commit()
    except TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    click.echo(f"Created {record.kind} {record.prefix}… ({record.name}) for {user.email}, expiring on "
               f"{record.expires_at:%Y-%m-%d}. It is shown only now:", err=True)
    click.echo(token)


@tokens.command("list", help="List API tokens (never the tokens themselves).")
@with_appcontext
def list_tokens():
    for record in db.session.scalars(sa.select(ApiToken).order_by(ApiToken.created_at)):
        state = (f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else
                 f"expired {record.expires_at:%Y-%m-%d}" if record.expired() else f"active until {record.expires_at:%Y-%m-%d}")
        used = f"last used {record.last_used_at:%Y-%m-%d %H:%M}" if record.last_used_at else "never used"
        click.echo(f"{record.prefix}…  {record.user.email}  {record.name}  {state}, {used}")


@tokens.command("revoke", help="Revoke the API token whose shown prefix is PREFIX (like isa_AbCd1234).")
@click.argument("prefix")
@with_appcontext
def revoke(prefix):
    matches = db.session.scalars(sa.select(ApiToken).where(ApiToken.prefix == prefix.rstrip("…"))).all()
    if len(matches) != 1:
        raise click.ClickException(f"{len(matches)} tokens have the prefix {prefix}: give exactly one")
    with acting_as("command line"):
        revoke_token(matches[0])
        db.session.commit()
    click.echo(f"Revoked API token {matches[0].prefix}… ({matches[0].name})")
