"""The scheduler (APScheduler 3.x): the daily sweep at ISA_REMINDER_TIME, Europe/London, the
render queue every ISA_RENDER_POLL_SECONDS, the outbox of sign-in mail (password reset links)
about every second, and a heartbeat every ISA_HEARTBEAT_SECONDS.

It runs either inside the web process (ISA_SCHEDULER_IN_PROCESS, set by `make run`) or on its
own (`flask --app isa scheduler`) for deployments with several web workers and machines. The
sweep's database lock keeps two sweeps from running at once, and render jobs are claimed
atomically, so any number of scheduler processes cooperate. The three jobs run in their own
threads of the scheduler's pool: a backlog of renders never holds up the daily sweep. Tests
never start it, and neither does the reloader's watching parent process.
"""
import atexit
import logging
import os
import socket
import uuid
from datetime import datetime

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ..core import clock, heartbeat
from ..core.clock import LONDON
from ..core.db import refresh_statistics, utcnow
from ..extensions import db

JOB_ID = "review-reminders"
RENDER_JOB_ID = "render-queue"
HEARTBEAT_JOB_ID = "heartbeat"
OUTBOX_JOB_ID = "mail-outbox"
RENDER_LOCK = "render-queue"  # the lock row that serialises renders on SQLite


def new_holder():
    """This scheduler process's name in locks, claims and heartbeats."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
            report = run_sweep(clock.today())
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
            heartbeat.forget_old()  # and the heartbeats of scheduler processes long gone
            from ..core.ratelimit import forget_expired
            from ..identity.outbox import forget_old

            forget_expired(db.session)  # rate-limit counters whose window has passed
            forget_old()  # sent sign-in mail and old reset links
        except Exception:
            db.session.rollback()
            app.logger.exception("Refreshing the database statistics failed")
        try:
            from ..documents.queue import reconcile

            requeued = reconcile()  # documents whose checks changed with the day, or with a new template
            if requeued:
                app.logger.warning("%d protocol document(s) no longer showed their agreement as it stands today: queued again", requeued)
        except Exception:
            db.session.rollback()
            app.logger.exception("The daily check of the stored protocol documents failed")


def render_queued(app, holder, max_jobs=None):
    """Render what the queues hold: protocol documents first, then the record documents people
    asked for (the scheduler's job; the tests' way of running the queues too)."""
    from ..documents.queue import QueueReport, QueueSettings, anything_to_do, run_queue
    from ..records import queue as records
    from .sweep import acquire_lock, release_lock, renew_lock

    settings = QueueSettings.from_config(app.config)
    with app.app_context():
        try:
            protocols, asked = anything_to_do(), records.anything_to_do()
            if not (protocols or asked):
                return None

            def run(keep_going=None):
                report = run_queue(holder, settings, max_jobs, keep_going) if protocols else QueueReport()
                if asked:
                    report.records = records.run_record_queue(holder, settings, max_jobs, keep_going).rendered
                return report

            if db.engine.dialect.name == "postgresql":  # FOR UPDATE SKIP LOCKED: no lock row needed
                return run()
            minutes = max(settings.lease_seconds // 60, 1)
            if not acquire_lock(holder, utcnow(), minutes, name=RENDER_LOCK):
                return None  # another scheduler is rendering
            try:
                return run(keep_going=lambda: renew_lock(holder, utcnow(), minutes, name=RENDER_LOCK))
            finally:
                db.session.rollback()
                release_lock(holder, name=RENDER_LOCK)
        except Exception:
            db.session.rollback()
            app.logger.exception("The render queue failed; it is tried again at the next poll")
            return None
        finally:
            db.session.remove()


def send_mail_outbox(app):
    """Send the sign-in mail waiting in the outbox (password reset links)."""
    from ..identity.outbox import anything_to_send, send_outbox

    with app.app_context():
        try:
            if anything_to_send():
                return send_outbox(app.config, app.logger)
        except Exception:
            db.session.rollback()
            app.logger.exception("Sending the mail outbox failed; it is tried again at the next poll")
        finally:
            db.session.remove()
    return 0


def beat(app, holder):
    with app.app_context():
        try:
            heartbeat.beat(holder)
        except Exception:
            db.session.rollback()
            app.logger.exception("Recording the scheduler's heartbeat failed")
        finally:
            db.session.remove()


class _QuietRenderPolls(logging.Filter):
    """A poll that falls due while a long render runs is skipped, as meant: not worth a warning each time."""

    def filter(self, record):
        message = record.getMessage()
        return not ("Render queue" in message and "maximum number of running instances" in message)


def add_jobs(scheduler, app, holder=None):
    """The sweep, the render queue and the heartbeat, on `scheduler`."""
    holder = holder or new_holder()
    apscheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _QuietRenderPolls) for f in apscheduler_log.filters):
        apscheduler_log.addFilter(_QuietRenderPolls())
    # A scheduler started after the daily time would otherwise skip the day: sweeping again is
    # harmless (each reminder is queued and sent once, and the lock keeps two sweeps apart).
    add_sweep_job(scheduler, app, run_now=bool(app.config.get("SWEEP_ON_START", True)))
    poll = max(float(app.config.get("RENDER_POLL_SECONDS", 0.5)), 0.2)
    scheduler.add_job(
        render_queued, IntervalTrigger(seconds=poll), args=[app, holder], id=RENDER_JOB_ID, name="Render queue",
        coalesce=True, max_instances=1, misfire_grace_time=None, replace_existing=True, next_run_time=clock.now(),
    )
    scheduler.add_job(
        send_mail_outbox, IntervalTrigger(seconds=max(poll, 1)), args=[app], id=OUTBOX_JOB_ID, name="Mail outbox",
        coalesce=True, max_instances=1, misfire_grace_time=None, replace_existing=True, next_run_time=datetime.now(LONDON),
    )
    every = max(float(app.config.get("HEARTBEAT_SECONDS", 30)), 1)
    scheduler.add_job(
        beat, IntervalTrigger(seconds=every), args=[app, holder], id=HEARTBEAT_JOB_ID, name="Heartbeat",
        coalesce=True, max_instances=1, misfire_grace_time=None, replace_existing=True, next_run_time=clock.now(),
    )
    return scheduler


def executors():
    """One thread per job: the sweep, renders, the outbox and the heartbeat never wait for each other."""
    return {"default": ThreadPoolExecutor(5)}


def add_sweep_job(scheduler, app, run_now=False):
    hour, minute = reminder_time(app.config.get("REMINDER_TIME", "07:00"))
    extra = {"next_run_time": clock.now()} if run_now else {}
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
        **extra,
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
    scheduler = add_jobs(BackgroundScheduler(timezone=LONDON, executors=executors()), app)
    scheduler.start()
    atexit.register(lambda: scheduler.shutdown(wait=False))
    app.extensions["isa_scheduler"] = scheduler
    job = scheduler.get_job(JOB_ID)
    app.logger.warning("The scheduler runs in this process: protocol documents as they are queued; next reminder sweep %s", job.next_run_time)
    return scheduler
