"""`flask reminders run [--today YYYY-MM-DD]` and `flask scheduler`."""

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core import clock
from ..core.clock import LONDON
from .scheduler import JOB_ID, add_jobs, executors
from .sweep import run_sweep


def register(app):
    app.cli.add_command(reminders)
    app.cli.add_command(scheduler_command)


@click.group(help="Review reminders.")
def reminders():
    pass


def _line(label, outcome):
    line = f"{label:<9} {outcome.reference}  {outcome.offset_key}  review {outcome.review_date.isoformat()}"
    if outcome.recipients:
        line += "  to " + ", ".join(outcome.recipients)
    if outcome.error:
        line += f"  ({outcome.error})"
    return line


@reminders.command("run", help="Run one reminder sweep now: queue what is due, send the queue, print what happened.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Sweep as on this date (YYYY-MM-DD) instead of today.")
@with_appcontext
def run(today):
    today = today.date() if today else clock.today()
    try:
        report = run_sweep(today)
    except ValueError as error:  # a setting that cannot be read, such as ISA_REMINDER_OFFSETS
        raise click.ClickException(str(error))
    if not report.ran:
        click.echo("Another reminder sweep is running, so this one did nothing. Try again when it has finished.", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"Reminder sweep as of {today.isoformat()}")
    for label, outcomes in (("queued", report.queued), ("sent", report.sent), ("logged", report.logged),
                            ("retrying", report.retrying), ("failed", report.failed)):
        for outcome in outcomes:
            click.echo(_line(label, outcome))
    click.echo(
        f"Queued {len(report.queued)}, sent {len(report.sent)}, logged {len(report.logged)} (no SMTP host), "
        f"failed {len(report.failed)}, waiting to retry {len(report.retrying)}, cancelled {report.cancelled}."
    )


@click.command("scheduler", help="Run the scheduler in the foreground: protocol documents as they are queued, and the daily reminder sweep (Europe/London).")
@with_appcontext
def scheduler_command():
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()
    scheduler = add_jobs(BlockingScheduler(timezone=LONDON, executors=executors()), app)
    trigger = scheduler.get_job(JOB_ID).trigger
    first = trigger.get_next_fire_time(None, clock.now())
    click.echo(f"Scheduler started: protocol documents are produced as they are queued; the review reminder sweep "
               f"runs daily at {first:%H:%M} Europe/London, next on {first:%Y-%m-%d}. Stop with Ctrl+C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
