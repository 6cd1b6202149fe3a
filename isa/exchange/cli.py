"""`flask import`, `flask export` and `flask demo`."""

import click
from flask.cli import with_appcontext

from ..core import clock
from ..audit.tracking import acting_as
from ..core.jsonload import JsonRejected, load_json
from .demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, load_demo
from .operations import ImportRejected, export_register, import_register, to_json


def register(app):
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    app.cli.add_command(demo_command)


def _reject(problems, what):
    click.echo(f"{what} was not imported: {len(problems)} problem(s) found. Nothing was changed.", err=True)
    for problem in problems:
        click.echo(problem, err=True)
    raise click.exceptions.Exit(1)


@click.command("import", help="Import organisations, channels and agreements from a JSON file (all or nothing).")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_command(file):
    try:
        data = load_json(file.read(), file.name)
    except JsonRejected as error:
        raise click.ClickException(f"{error}. Nothing was changed.")
    try:
        with acting_as("import"):
            result = import_register(data)
    except ImportRejected as rejected:
        _reject(rejected.problems, file.name)
    click.echo(f"Imported {file.name}. {result.summary()}")


@click.command("export", help="Export the whole register as JSON to FILE (- for standard output).")
@click.argument("file", type=click.File("w", encoding="utf-8", atomic=True))
@with_appcontext
def export_command(file):
    document = export_register()
    file.write(to_json(document))
    counts = ", ".join(f"{len(document[kind])} {kind}" for kind in document)
    click.echo(f"Exported {counts} to {file.name}", err=file.name == "<stdout>")


@click.command("demo", help="Load a realistic demo register (among it seed 004's Hertfordshire agreement) into an empty register.")
@with_appcontext
def demo_command():
    try:
        with acting_as("demo"):
            result = load_demo(clock.today())
    except ImportRejected as rejected:
        _reject(rejected.problems, "The demo data")
    if result is None:
        click.echo("The register already has agreements, so the demo data was not loaded.")
        return
    click.echo(f"Demo data loaded. {result.summary()}")
    click.echo(f"Sign in at /login with one of these, password {DEMO_PASSWORD}:")
    for email, label in DEMO_USERS:
        click.echo(f"  {email}  ({label})")
    click.echo(f"The officer and the admin also enter a code from an authenticator app set up with the key {DEMO_TOTP_SECRET}")
    click.echo(f"  (or print the current code: .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\")")
