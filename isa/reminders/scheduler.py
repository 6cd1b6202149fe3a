"""The scheduler (APScheduler 3.x): the daily sweep at ISA_REMINDER_TIME, Europe/London.

It runs either inside the web process (ISA_SCHEDULER_IN_PROCESS, set by `make run`) or on its
own (`flask --app isa scheduler`) for deployments with several web workers. Either way the
sweep's database lock keeps two sweeps from running at once. Tests never start it, and neither
does the reloader's watching parent process.
"""
import atexit
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from ..core.db import refresh_statistics
from ..extensions import db

LONDON = ZoneInfo("Europe/London")
JOB_ID = "review-reminders"


def london_today():
    return datetime.now(LONDON).date()


def reminder_time(value):
    """ISA_REMINDER_TIME ("07:00", "7:30" or 7) as (hour, minute)."""
    text = str(value).strip()
    hour, _, minute = text.partition(":")
    try:
        hour, minute = int(hour), int(minute or 0)
    except ValueError:
        raise ValueError(f"ISA_REMINDER_TIME must be a time like 07:00 (got {value!r})")
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"ISA_REMINDER_TIME must be a time like 07:00 (got {value!r})")
    return hour, minute


def daily_sweep(app):
    from .sweep import run_sweep

    with app.app_context():
        try:
            report = run_sweep(london_today())
        except Exception:
            app.logger.exception("The review reminder sweep failed; it runs again at the next scheduled time")
            return
        if not report.ran:
            app.logger.warning("The review reminder sweep did not run: another sweep holds the lock")
            return
        app.logger.warning(
            "Review reminder sweep for %s: queued %d, sent %d, logged %d, failed %d, waiting to retry %d",
            report.today, len(report.queued), len(report.sent), len(report.logged), len(report.failed), len(report.retrying),
        )
        try:
            refresh_statistics(db.session)  # daily housekeeping: the query planner's statistics
        except Exception:
            db.session.rollback()
            app.logger.exception("Refreshing the database statistics failed")


def add_sweep_job(scheduler, app):
    hour, minute = reminder_time(app.config.get("REMINDER_TIME", "07:00"))
    scheduler.add_job(
        daily_sweep,
        CronTrigger(hour=hour, minute=minute, timezone=LONDON),
        args=[app],
        id=JOB_ID,
        name="Daily review reminder sweep",
        coalesce=True,  # a backlog of missed runs is one sweep
        max_instances=1,
        misfire_grace_time=3600,
        replace_existing=True,
    )
    return scheduler


def should_start_in_process(app):
    """In the process that serves requests, when configured; never in tests or the reloader's parent."""
    if not app.config.get("SCHEDULER_IN_PROCESS") or app.testing:
        return False
    context = click.get_current_context(silent=True)
    if context is None:
        return True  # a WSGI server such as gunicorn imported the app
    if context.command.name != "run":
        return False  # another command (db upgrade, demo…): no server to keep the scheduler alive
    reload = context.params.get("reload")
    if reload is None:
        from flask.helpers import get_debug_flag

        reload = get_debug_flag()
    return not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def start_in_process(app):
    if not should_start_in_process(app):
        return None
    scheduler = add_sweep_job(BackgroundScheduler(timezone=LONDON), app)
    scheduler.start()
    atexit.register(lambda: scheduler.shutdown(wait=False))
    app.extensions["isa_scheduler"] = scheduler
    job = scheduler.get_job(JOB_ID)
    app.logger.warning("Review reminders: the scheduler runs in this process; next sweep %s", job.next_run_time)
    return scheduler
