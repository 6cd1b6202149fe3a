"""Review reminders: the rules, the outbox, the sweep against a real SMTP server, the CLI and the scheduler."""
import asyncio
import email
import hashlib
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date, timedelta
from email import policy
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from isa.agreements.models import AgreementStatus as S
from isa.core.db import utcnow
from isa.documents.models import ProtocolDocument
from isa.reminders import mail, rules
from isa.reminders.models import Reminder, ReminderStatus as RS, SweepLock
from isa.reminders.notifications import ReminderMail, render_bodies
from isa.core import clock
from isa.reminders.scheduler import add_sweep_job, daily_sweep, reminder_time, should_start_in_process
from isa.reminders.sweep import INTERRUPTED, SweepSettings, acquire_lock, queue_due, release_lock, run_sweep
from tests.conftest import forget_planner_statistics, planner_statistics, post_form, run_render_queue

REVIEW = date(2027, 12, 1)
SNAPSHOTS = Path(__file__).parent / "snapshots"


# --- the rules (pure functions) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "today, stage",
    [
        (date(2027, 9, 1), None),  # 91 days before: nothing yet
        (date(2027, 9, 2), ("before-90", date(2027, 9, 2))),
        (date(2027, 10, 31), ("before-90", date(2027, 9, 2))),  # still the 90-day stage
        (date(2027, 11, 1), ("before-30", date(2027, 11, 1))),
        (date(2027, 11, 24), ("before-7", date(2027, 11, 24))),
        (REVIEW, ("before-7", date(2027, 11, 24))),  # due today is not yet overdue
        (date(2027, 12, 2), ("overdue-1", date(2027, 12, 2))),  # the first day overdue
        (date(2027, 12, 8), ("overdue-1", date(2027, 12, 2))),
        (date(2027, 12, 9), ("overdue-2", date(2027, 12, 9))),  # then weekly
        (date(2028, 1, 6), ("overdue-6", date(2028, 1, 6))),
    ],
)
def test_the_latest_stage_reached_is_due(today, stage):
    assert rules.current_stage(REVIEW, today, (90, 30, 7)) == stage


@pytest.mark.parametrize(
    "today, escalation_days, stage",
    [
        (date(2027, 12, 30), 30, ("overdue-5", date(2027, 12, 30))),  # 29 days overdue
        (date(2027, 12, 31), 30, ("escalated", date(2027, 12, 31))),  # 30 days: escalated that day
        (date(2028, 1, 5), 30, ("escalated", date(2027, 12, 31))),
        (date(2028, 1, 6), 30, ("overdue-6", date(2028, 1, 6))),  # then weekly again (to the DPO too)
        (date(2027, 12, 30), 29, ("overdue-5", date(2027, 12, 30))),  # falls on a weekly day: that one escalates
        (date(2027, 11, 1), 0, ("before-30", date(2027, 11, 1))),  # never before it is overdue
    ],
)
def test_escalation_day_is_a_stage_of_its_own(today, escalation_days, stage):
    assert rules.current_stage(REVIEW, today, (90, 30, 7), escalation_days) == stage


def _agreement(id_=1, status="active", review=REVIEW, end=None):
    return SimpleNamespace(id=id_, status=S(status), start_date=review - timedelta(days=365), review_date=review, end_date=end)


@pytest.mark.parametrize(
    "agreement, today, expected",
    [
        (_agreement(), date(2027, 11, 1), [(1, "before-30", False)]),
        (_agreement(status="under_review"), date(2027, 11, 1), [(1, "before-30", False)]),
        (_agreement(status="draft"), date(2027, 11, 1), []),  # not in force
        (_agreement(status="terminated"), date(2027, 11, 1), []),
        (_agreement(status="awaiting_signatures"), date(2027, 11, 1), []),
        (_agreement(end=date(2027, 10, 1)), date(2027, 11, 1), []),  # ended
        (_agreement(end=date(2027, 11, 1)), date(2027, 11, 1), [(1, "before-30", False)]),  # ends today: still in force
        (_agreement(), date(2027, 12, 30), [(1, "overdue-5", False)]),  # 29 days overdue
        (_agreement(), date(2027, 12, 31), [(1, "escalated", True)]),  # 30 days overdue: escalated
        (_agreement(), date(2028, 1, 6), [(1, "overdue-6", True)]),  # and every reminder after it
        (_agreement(), date(2027, 6, 1), []),
    ],
)
def test_due_reminders(agreement, today, expected):
    due = rules.due_reminders([agreement], today, (90, 30, 7), escalation_days=30)
    assert [(d.agreement_id, d.offset_key, d.escalated) for d in due] == expected
    assert all(d.review_date == agreement.review_date for d in due)


@pytest.mark.parametrize(
    "owner, parties, dpo, escalated, recipients, missing",
    [
        ("o@x.org", [("A", "a@x.org"), ("B", "b@x.org")], "dpo@x.org", False, ["o@x.org", "a@x.org", "b@x.org"], []),
        ("o@x.org", [("A", "a@x.org"), ("B", None)], "dpo@x.org", False, ["o@x.org", "a@x.org"], ["B"]),
        ("o@x.org", [("A", "a@x.org")], "dpo@x.org", True, ["o@x.org", "a@x.org", "dpo@x.org"], []),
        ("o@x.org", [("A", "O@X.org")], None, True, ["o@x.org"], []),  # each address once, whatever its case
        (None, [("A", ""), ("B", " ")], None, False, [], ["A", "B"]),
    ],
)
def test_reminder_recipients(owner, parties, dpo, escalated, recipients, missing):
    assert rules.reminder_recipients(owner, parties, dpo, escalated) == (recipients, missing)


@pytest.mark.parametrize(
    "value, offsets",
    [("90,30,7", (90, 30, 7)), ("7, 30 ,90", (90, 30, 7)), (30, (30,)), ([14, 7], (14, 7)), ("60,60,0", (60, 0))],
)
def test_offsets_parse(value, offsets):
    assert rules.parse_offsets(value) == offsets


@pytest.mark.parametrize("value", ["", "ninety", "90,-1", "5000", None])
def test_bad_offsets_are_refused(value):
    with pytest.raises(ValueError):
        rules.parse_offsets(value)


@pytest.mark.parametrize(
    "key, label",
    [("before-90", "90 days before the review"), ("before-1", "1 day before the review"), ("before-0", "On the review date"),
     ("overdue-3", "Overdue, week 3"), ("escalated", "Overdue: escalated to the data protection officer")],
)
def test_stage_labels(key, label):
    assert rules.stage_label(key) == label


@pytest.mark.parametrize(
    "port, configured, security",
    [(587, None, "starttls"), (465, None, "ssl"), (25, None, "none"), (2525, "", "none"), (25, "STARTTLS", "starttls"), (587, "none", "none")],
)
def test_smtp_security_follows_the_port_unless_set(port, configured, security):
    assert mail.smtp_security(port, configured) == security


def test_unknown_smtp_security_is_refused():
    with pytest.raises(ValueError):
        mail.smtp_security(25, "tls-please")


@pytest.mark.parametrize("value, expected", [("07:00", (7, 0)), ("7:30", (7, 30)), (7, (7, 0)), ("23:59", (23, 59))])
def test_reminder_time(value, expected):
    assert reminder_time(value) == expected


@pytest.mark.parametrize("value", ["24:00", "7:60", "seven", ""])
def test_bad_reminder_time_is_refused(value):
    with pytest.raises(ValueError):
        reminder_time(value)


# --- a real SMTP server on localhost ------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps every message and can refuse addresses or answer slowly."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.delay = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(SimpleNamespace(sender=envelope.mail_from, to=sorted(envelope.rcpt_tos), message=message))
        return "250 Message accepted for delivery"

    def deliveries(self):
        """(subject, recipient) for each recipient of each message."""
        return sorted((m.message["Subject"], to) for m in self.messages for to in m.to)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self, port):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A stopped-or-started SMTP server; the app is configured to send to it."""
    server = SmtpServer(free_port())
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5, MAIL_FROM="isa@example.org")
    yield server
    server.stop()


@pytest.fixture
def inbox(smtp):
    smtp.start()
    return smtp.inbox


@pytest.fixture
def register(make, db):
    """One active agreement due for review on 1 December 2027: an owner, two parties, one without a contact."""
    lead = make.organisation(slug="herts-cc", name="Hertfordshire County Council", spoc_email="ig@herts.example.org", dpo_email="dpo@herts.example.org")
    police = make.organisation(slug="herts-police", name="Hertfordshire Constabulary", spoc_email="dp@police.example.org")
    school = make.organisation(slug="oakfield", name="Oakfield Primary School", spoc_email=None)
    owner = make.user(role="officer", email="owner@herts.example.org")
    owner.name = "Olive Owner"
    db.session.commit()
    agreement = make.agreement(
        parties=[lead, police, school], reference="ISA-2024-001", title="Family Safeguarding", status=S.ACTIVE,
        review_date=REVIEW, owner=owner,
    )
    return SimpleNamespace(agreement=agreement, owner=owner, lead=lead, police=police, school=school)


OWNER, LEAD_SPOC, POLICE_SPOC, LEAD_DPO = "owner@herts.example.org", "ig@herts.example.org", "dp@police.example.org", "dpo@herts.example.org"


def reminders(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(Reminder).order_by(Reminder.id)).all()


@pytest.mark.parametrize(
    "today, subject, recipients",
    [
        (date(2027, 9, 2), "Review due in 90 days: ISA-2024-001 Family Safeguarding", [OWNER, LEAD_SPOC, POLICE_SPOC]),
        (date(2027, 11, 1), "Review due in 30 days: ISA-2024-001 Family Safeguarding", [OWNER, LEAD_SPOC, POLICE_SPOC]),
        (date(2027, 11, 24), "Review due in 7 days: ISA-2024-001 Family Safeguarding", [OWNER, LEAD_SPOC, POLICE_SPOC]),
        (date(2027, 12, 2), "Review overdue by 1 day: ISA-2024-001 Family Safeguarding", [OWNER, LEAD_SPOC, POLICE_SPOC]),
        (date(2027, 12, 23), "Review overdue by 22 days: ISA-2024-001 Family Safeguarding", [OWNER, LEAD_SPOC, POLICE_SPOC]),
        (date(2027, 12, 31), "Escalated: review overdue by 30 days: ISA-2024-001 Family Safeguarding", [OWNER, LEAD_SPOC, POLICE_SPOC, LEAD_DPO]),
        (date(2028, 1, 6), "Escalated: review overdue by 36 days: ISA-2024-001 Family Safeguarding", [OWNER, LEAD_SPOC, POLICE_SPOC, LEAD_DPO]),
    ],
)
def test_the_right_email_goes_to_the_right_people_at_each_offset(app, db, register, inbox, today, subject, recipients):
    report = run_sweep(today)
    assert len(report.queued) == 1 and len(report.sent) == 1 and not report.failed
    [received] = inbox.messages
    assert received.message["Subject"] == subject
    assert received.to == sorted(recipients)
    assert received.sender == "isa@example.org"
    text = received.message.get_body("plain").get_content()
    assert "http://localhost/agreements/ISA-2024-001" in text
    assert "1 December 2027" in text
    assert "Oakfield Primary School" in text  # the party without a contact is named
    [reminder] = reminders(db)
    assert reminder.status == RS.SENT and reminder.attempts == 1 and reminder.delivered_to == recipients


def test_nothing_is_sent_before_the_first_offset(app, db, register, inbox):
    report = run_sweep(date(2027, 9, 1))
    assert report.queued == [] and inbox.messages == [] and reminders(db) == []


def test_a_second_sweep_the_same_day_sends_nothing(app, db, register, inbox):
    first = run_sweep(date(2027, 11, 1))
    second = run_sweep(date(2027, 11, 1))
    assert len(first.sent) == 1
    assert second.ran and second.queued == [] and second.sent == []
    assert len(inbox.messages) == 1 and len(reminders(db)) == 1


def test_each_offset_is_sent_once_over_a_season_of_daily_sweeps(app, db, register, inbox):
    def every_day(first, last):
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    # daily around the 90-day reminder, then daily from before the 30-day one to 40 days overdue
    for day in every_day(date(2027, 8, 30), date(2027, 9, 6)) + every_day(date(2027, 10, 25), date(2028, 1, 10)):
        run_sweep(day)
    subjects = [m.message["Subject"].rsplit(":", 1)[0] for m in inbox.messages]
    assert subjects == [
        "Review due in 90 days", "Review due in 30 days", "Review due in 7 days", "Review overdue by 1 day",
        "Review overdue by 8 days", "Review overdue by 15 days", "Review overdue by 22 days", "Review overdue by 29 days",
        "Escalated: review overdue by 30 days", "Escalated: review overdue by 36 days",
    ]
    assert {r.offset_key for r in reminders(db)} == {"before-90", "before-30", "before-7", "escalated", *(f"overdue-{n}" for n in range(1, 7))}
    assert [m.to for m in inbox.messages][-2:] == [sorted([OWNER, LEAD_SPOC, POLICE_SPOC, LEAD_DPO])] * 2


def test_server_down_then_up_sends_each_reminder_exactly_once(app, db, make, register, smtp):
    second = make.agreement(reference="ISA-2024-002", status=S.ACTIVE, review_date=REVIEW, owner=register.owner)
    down = run_sweep(date(2027, 11, 1))
    assert len(down.queued) == 2 and down.sent == [] and len(down.retrying) == 2
    assert "Could not connect to the mail server 127.0.0.1" in down.retrying[0].error
    assert all(r.status == RS.QUEUED and r.attempts == 1 and "Could not connect" in r.last_error for r in reminders(db))

    smtp.start()
    up = run_sweep(date(2027, 11, 2))
    assert up.queued == [] and sorted(o.reference for o in up.sent) == ["ISA-2024-001", second.reference]
    again = run_sweep(date(2027, 11, 3))
    assert again.sent == []
    assert len(smtp.inbox.messages) == 2
    assert all(r.status == RS.SENT and r.attempts == 2 and r.last_error is None for r in reminders(db))


def test_after_the_last_attempt_a_reminder_is_failed_and_an_officer_can_resend_it(app, db, register, smtp, client, login_as):
    app.config["REMINDER_MAX_ATTEMPTS"] = 2
    run_sweep(date(2027, 11, 1))
    report = run_sweep(date(2027, 11, 2))
    assert len(report.failed) == 1 and "Gave up after 2 attempts" in report.failed[0].error
    [reminder] = reminders(db)
    assert reminder.status == RS.FAILED

    login_as("officer")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Gave up after 2 attempts" in page and "Resend" in page
    response = post_form(client, "/reminders/resend", {"reminder_id": reminder.id}, get_url="/dashboard")
    assert response.status_code == 302
    assert reminders(db)[0].status == RS.QUEUED and reminders(db)[0].attempts == 0

    smtp.start()
    assert len(run_sweep(date(2027, 11, 3)).sent) == 1
    assert len(smtp.inbox.messages) == 1


def test_a_refused_recipient_is_retried_alone(app, db, register, inbox):
    inbox.refuse = {POLICE_SPOC}
    first = run_sweep(date(2027, 11, 1))
    assert first.sent == [] and len(first.retrying) == 1 and "dp@police.example.org (550" in first.retrying[0].error
    [reminder] = reminders(db)
    assert reminder.status == RS.QUEUED and reminder.delivered_to == [OWNER, LEAD_SPOC]

    inbox.refuse = set()
    second = run_sweep(date(2027, 11, 2))
    assert len(second.sent) == 1
    assert [m.to for m in inbox.messages] == [sorted([OWNER, LEAD_SPOC]), [POLICE_SPOC]]
    assert reminders(db)[0].status == RS.SENT


def test_every_recipient_refused_stays_queued_with_the_error(app, db, register, inbox):
    inbox.refuse = {OWNER, LEAD_SPOC, POLICE_SPOC}
    report = run_sweep(date(2027, 11, 1))
    assert "refused every recipient" in report.retrying[0].error
    [reminder] = reminders(db)
    assert reminder.status == RS.QUEUED and reminder.attempts == 1 and reminder.delivered_to == []
    assert inbox.messages == []


def test_a_reminder_with_no_one_to_send_to_fails_visibly(app, db, make, inbox):
    orphan = make.agreement(parties=[make.organisation(spoc_email=None), make.organisation(spoc_email=None)], status=S.ACTIVE, review_date=REVIEW)
    report = run_sweep(date(2027, 11, 1))
    assert [o.reference for o in report.failed] == [orphan.reference] and "No one to send it to" in report.failed[0].error
    assert reminders(db)[0].status == RS.FAILED and inbox.messages == []


def test_two_sweeps_started_at_once_send_each_reminder_once(app, db, make, register, inbox):
    for n in range(3):
        make.agreement(reference=f"ISA-2024-1{n}", status=S.ACTIVE, review_date=REVIEW, owner=register.owner)
    inbox.delay = 0.2  # a slow server keeps the first sweep busy while the second starts
    start = threading.Barrier(2)
    reports = []

    def sweep():
        with app.app_context():
            start.wait()
            reports.append(run_sweep(date(2027, 11, 1)))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 2
    assert sorted(report.ran for report in reports) == [False, True]  # the lock let one sweep run
    assert len(inbox.messages) == 4
    assert len({m.message["Subject"] for m in inbox.messages}) == 4
    assert all(r.status == RS.SENT and r.attempts == 1 for r in reminders(db))


def test_the_lock_is_taken_by_one_holder_until_it_expires(app, db):
    now = utcnow()
    assert acquire_lock("first", now, 30)
    assert not acquire_lock("second", now + timedelta(minutes=29), 30)
    assert acquire_lock("second", now + timedelta(minutes=31), 30)  # the first holder died: its lock lapsed
    assert db.session.get(SweepLock, "reminders").holder == "second"


CRASH = textwrap.dedent(
    """
    import os, sys
    from datetime import date
    from isa import create_app
    from isa.reminders import sweep

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                      "SMTP_HOST": "127.0.0.1", "SMTP_PORT": int(sys.argv[2]), "SERVER_NAME_FOR_LINKS": "http://localhost"})

    def die(*args, **kwargs):
        os._exit(9)  # the process is killed after the server accepted the message, before it is recorded

    sweep._record_delivery = die
    with app.app_context():
        sweep.run_sweep(date(2027, 11, 1))
    """
)


def test_a_process_killed_between_sending_and_recording_never_sends_twice(app, db, register, inbox, client, login_as, runner):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    result = subprocess.run([sys.executable, "-c", CRASH, uri, str(app.config["SMTP_PORT"])], cwd=root, env=env, timeout=60, capture_output=True, text=True)
    assert result.returncode == 9, result.stderr
    assert len(inbox.messages) == 1  # delivered…
    [reminder] = reminders(db)
    assert reminder.status == RS.SENDING  # …but not recorded as sent
    assert db.session.get(SweepLock, "reminders").holder.split(":")[1].isdigit()  # the lock names its holder's process

    # The dead process's lock is taken over at once (not after 30 minutes), and the summary counts what it flagged.
    output = runner.invoke(args=["reminders", "run", "--today", "2027-11-01"]).output
    assert "failed    ISA-2024-001" in output and "sent 0," in output and "failed 1," in output, output
    [reminder] = reminders(db)
    assert reminder.status == RS.FAILED and reminder.last_error == INTERRUPTED
    assert run_sweep(date(2027, 11, 3), now=utcnow() + timedelta(hours=2)).sent == []
    assert len(inbox.messages) == 1  # never sent twice

    login_as("officer")
    assert "may or may not have been" in client.get("/dashboard").get_data(as_text=True)


def test_a_lock_held_by_a_live_process_or_another_host_is_respected(app, db):
    from isa.reminders.sweep import lock_holder

    now = utcnow()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        this_host = lock_holder().split(":")[0]
        assert acquire_lock(f"{this_host}:{live.pid}:abcd1234", now, 30)
        assert not acquire_lock(lock_holder(), now, 30)  # its holder is alive
    finally:
        live.kill()
        live.wait()
    assert acquire_lock(lock_holder(), now, 30)  # gone now: taken over before the lock lapses
    release_lock(db.session.get(SweepLock, "reminders").holder)
    assert acquire_lock("elsewhere.example:1:abcd1234", now, 30)
    assert not acquire_lock(lock_holder(), now, 30)  # another host's process cannot be seen: wait for the lapse


class DropsAfterData(Inbox):
    """A mail server that takes the whole message, then drops the connection before it answers
    (for the first `drops` messages): the sender cannot know whether it was delivered."""

    def __init__(self, drops=1):
        super().__init__()
        self.drops = drops

    async def handle_DATA(self, server, session, envelope):
        status = await super().handle_DATA(server, session, envelope)
        if self.drops:
            self.drops -= 1
            server.transport.abort()
        return status


def test_a_message_whose_fate_is_unknown_is_flagged_and_never_resent(app, db, make, smtp, client, login_as):
    smtp.inbox = DropsAfterData(drops=1)
    smtp.start()
    for n in range(3):
        make.agreement(reference=f"ISA-DROP-{n}", status=S.ACTIVE, review_date=REVIEW, owner=make.user(role="officer"))
    first = run_sweep(date(2027, 11, 1))
    assert len(first.queued) == 3
    assert len(smtp.inbox.messages) == 3  # all three reached the server…
    assert len(first.sent) == 2 and len(first.failed) == 1  # …one without an answer
    flagged = [r for r in reminders(db) if r.status == RS.FAILED]
    assert len(flagged) == 1 and "may or may not have been delivered" in flagged[0].last_error
    for day in (2, 3, 9):
        again = run_sweep(date(2027, 11, day))
        assert again.sent == [] and again.retrying == []
    assert len(smtp.inbox.messages) == 3  # none sent twice: as many messages as reminders
    login_as("officer")
    assert "confirmed delivery" in client.get("/dashboard").get_data(as_text=True)


def test_every_attempt_at_a_reminder_carries_the_same_message_id(app, db, register, smtp, client, login_as):
    smtp.inbox = DropsAfterData(drops=1)
    smtp.start()
    run_sweep(date(2027, 11, 1))
    [reminder] = reminders(db)
    assert reminder.status == RS.FAILED
    login_as("officer")
    assert post_form(client, "/reminders/resend", {"reminder_id": reminder.id}, get_url="/dashboard").status_code == 302
    run_sweep(date(2027, 11, 2))
    ids = [m.message["Message-ID"] for m in smtp.inbox.messages]
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0].startswith(f"<isa-reminder-{reminder.id}.")


def test_a_review_recorded_before_sending_cancels_the_queued_reminder(app, db, register, smtp):
    run_sweep(date(2027, 11, 1))  # the server is down: queued for a retry
    agreement = register.agreement
    agreement.review_date = date(2028, 11, 1)
    db.session.commit()
    smtp.start()
    report = run_sweep(date(2027, 11, 2))
    assert report.cancelled == 1 and report.sent == [] and smtp.inbox.messages == []
    assert reminders(db)[0].status == RS.CANCELLED


def test_a_later_stage_replaces_a_reminder_still_waiting(app, db, register, smtp):
    run_sweep(date(2027, 11, 1))  # 30 days before, server down
    smtp.start()
    report = run_sweep(date(2027, 11, 24))  # 7 days before: one reminder, how things stand now
    assert [o.offset_key for o in report.sent] == ["before-7"] and report.cancelled == 1
    assert [m.message["Subject"].split(":")[0] for m in smtp.inbox.messages] == ["Review due in 7 days"]


def test_without_an_smtp_host_reminders_are_logged(app, db, register, caplog):
    app.config["SMTP_HOST"] = None
    with caplog.at_level("WARNING", logger="isa.reminders"):
        report = run_sweep(date(2027, 11, 1))
    assert len(report.logged) == 1 and report.sent == []
    [reminder] = reminders(db)
    assert reminder.status == RS.LOGGED
    assert "No SMTP host is set" in caplog.text and "Review due in 30 days: ISA-2024-001" in caplog.text
    assert run_sweep(date(2027, 11, 1)).logged == []  # logged once, like a send


def test_smtp_login_is_used_when_a_username_is_set(app, db, register, smtp):
    from aiosmtpd.smtp import AuthResult

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    smtp.controller = Controller(smtp.inbox, hostname="127.0.0.1", port=smtp.port, authenticator=authenticator, auth_require_tls=False)
    smtp.controller.start()
    app.config.update(SMTP_USERNAME="isa", SMTP_PASSWORD="wrong")
    report = run_sweep(date(2027, 11, 1))
    assert report.sent == [] and "535" in report.retrying[0].error
    app.config.update(SMTP_PASSWORD="s3cret")
    assert len(run_sweep(date(2027, 11, 2)).sent) == 1
    assert logins[-1] == (b"isa", b"s3cret") and {password for _login, password in logins[:-1]} == {b"wrong"}


# --- the email bodies, compared with snapshot files ---------------------------------------------


def _snapshot(name, actual):
    actual = actual.replace("\r\n", "\n")  # SMTP carries CRLF line ends
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual)
    assert path.exists(), f"no snapshot {path}: run with UPDATE_SNAPSHOTS=1 once and review it"
    assert actual == path.read_text(), f"{name} differs from its snapshot"


@pytest.mark.parametrize(
    "today, name",
    [(date(2027, 11, 1), "reminder_before_30"), (date(2028, 1, 6), "reminder_escalated")],
)
def test_sent_email_bodies_match_their_snapshots(app, db, register, inbox, today, name):
    run_render_queue(app)
    run_sweep(today)
    [received] = inbox.messages
    _snapshot(f"{name}.txt", received.message.get_body("plain").get_content())
    _snapshot(f"{name}.html", received.message.get_body("html").get_content())
    _snapshot(f"{name}.subject", received.message["Subject"] + "\n")


# --- the protocol document in force, linked and attached -----------------------------------------


def _attachments(message):
    return [(part.get_filename(), part.get_content_type(), part.get_content()) for part in message.iter_attachments()]


@pytest.mark.parametrize(
    "today, attached",
    [
        (date(2027, 9, 2), False),  # 90 days before: the link only
        (date(2027, 11, 1), True),  # 30 days before: the PDF in hand for the review
        (date(2027, 11, 24), False),  # 7 days before: the link only
        (date(2027, 12, 2), True),  # overdue
        (date(2027, 12, 31), True),  # escalated
    ],
)
def test_each_reminder_links_to_the_protocol_in_force_and_the_30_day_and_overdue_ones_attach_it(app, db, register, inbox, today, attached):
    run_render_queue(app)
    document = db.session.scalars(sa.select(ProtocolDocument)).one()
    run_sweep(today)
    [received] = inbox.messages
    link = f"http://localhost/agreements/ISA-2024-001/documents/{document.id}.pdf"
    assert link in received.message.get_body("plain").get_content()
    assert f'href="{link}"' in received.message.get_body("html").get_content()
    if attached:
        [(filename, content_type, content)] = _attachments(received.message)
        assert content_type == "application/pdf" and filename == document.filename
        assert content == document.pdf and hashlib.sha256(content).hexdigest() == document.sha256
        assert "ISA-2024-001" in filename and "-v1-" in filename
    else:
        assert _attachments(received.message) == []


def test_the_attached_protocol_is_the_copy_the_parties_signed(app, db, register, inbox, client):
    """A later editorial change stores a new copy of the same version: the reminder still carries the signed one."""
    run_render_queue(app)
    signed = db.session.scalars(sa.select(ProtocolDocument)).one()
    agreement = register.agreement
    for party in agreement.parties:
        party.signed_document_version, party.signed_document_sha256 = 1, signed.sha256
    db.session.commit()
    agreement.title = "Family Safeguarding (typo fixed)"
    db.session.commit()
    run_render_queue(app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProtocolDocument)) == 2
    run_sweep(date(2027, 11, 1))
    [(_name, _type, content)] = _attachments(inbox.messages[0].message)
    assert content == signed.pdf


def test_while_the_protocol_is_being_prepared_the_reminder_says_so_and_still_goes(app, db, register, inbox):
    report = run_sweep(date(2027, 11, 1))  # the scheduler has not produced the document yet
    assert len(report.sent) == 1
    [received] = inbox.messages
    assert "The protocol in force (version 1) is being prepared" in received.message.get_body("plain").get_content()
    assert _attachments(received.message) == []


@pytest.mark.parametrize(
    "offset_key, offsets, attached",
    [("before-90", (30,), False), ("before-30", (30,), True), ("before-7", (30,), False), ("before-7", (30, 7), True),
     ("overdue-1", (30,), True), ("overdue-6", (), True), ("escalated", (30,), True)],
)
def test_which_reminders_attach_the_protocol(offset_key, offsets, attached):
    assert rules.attaches_protocol(offset_key, offsets) is attached


def test_user_text_is_escaped_in_the_html_email_and_kept_out_of_headers(app):
    with app.test_request_context():
        reminder = ReminderMail(
            reminder_id=1, reference="ISA-1", title='Children & <script>alert("x")</script>\nBcc: all@example.org',
            review_date=REVIEW, offset_key="before-30", escalated=False, recipients=("a@example.org",),
            missing_contacts=("<b>School</b>",), lead_organisation="A & B", lead_dpo_name=None, owner_name=None,
            owner_email=None, today=date(2027, 11, 1),
        )
        text, html = render_bodies(reminder)
        from isa.reminders.notifications import reminder_message

        message = reminder_message(reminder, "isa@example.org")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;School&lt;/b&gt;" in html and "A &amp; B" in html
    assert '<script>alert("x")</script>' in text  # plain text is not HTML
    assert "\n" not in message["Subject"] and message["Bcc"] is None


# --- the command line ---------------------------------------------------------------------------


def test_reminders_run_prints_what_it_queued_sent_and_failed(app, db, register, inbox, runner):
    result = runner.invoke(args=["reminders", "run", "--today", "2027-11-01"])
    assert result.exit_code == 0, result.output
    assert "Reminder sweep as of 2027-11-01" in result.output
    assert "queued    ISA-2024-001  before-30  review 2027-12-01  to owner@herts.example.org" in result.output
    assert "sent      ISA-2024-001  before-30" in result.output
    assert "Queued 1, sent 1, logged 0 (no SMTP host), failed 0, waiting to retry 0, cancelled 0." in result.output
    again = runner.invoke(args=["reminders", "run", "--today", "2027-11-01"])
    assert "Queued 0, sent 0" in again.output and len(inbox.messages) == 1


def test_reminders_run_reports_failures(app, db, register, smtp, runner):
    result = runner.invoke(args=["reminders", "run", "--today", "2027-11-01"])
    assert result.exit_code == 0
    assert "retrying  ISA-2024-001  before-30" in result.output and "Could not connect" in result.output
    assert "waiting to retry 1" in result.output


def test_reminders_run_refuses_a_bad_date(app, runner):
    result = runner.invoke(args=["reminders", "run", "--today", "1 November 2027"])
    assert result.exit_code == 2 and "Invalid value for '--today'" in result.output


def test_reminders_run_explains_a_bad_setting(app, runner):
    app.config["REMINDER_OFFSETS"] = "ninety,thirty"
    result = runner.invoke(args=["reminders", "run", "--today", "2027-11-01"])
    assert result.exit_code == 1 and "Reminder offsets must be whole numbers of days" in result.output


def test_reminders_run_says_so_when_another_sweep_holds_the_lock(app, db, register, runner):
    assert acquire_lock("someone else", utcnow(), 30)
    result = runner.invoke(args=["reminders", "run", "--today", "2027-11-01"])
    assert result.exit_code == 1 and "Another reminder sweep is running" in result.output
    assert reminders(db) == []


# --- performance: a fixed number of statements --------------------------------------------------


def _statements_to_decide(db, today):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        queue_due(today, SweepSettings.from_config({"REMINDER_OFFSETS": "90,30,7"}), SimpleNamespace(queued=[]))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_deciding_what_is_due_takes_a_fixed_number_of_statements(app, db, make):
    parties = [make.organisation(), make.organisation()]
    owner = make.user(role="officer")
    for n in range(3):
        make.agreement(parties=parties, status=S.ACTIVE, review_date=REVIEW + timedelta(days=n), owner=owner)
    small = _statements_to_decide(db, date(2027, 11, 1))
    for n in range(30):
        make.agreement(parties=parties, status=S.ACTIVE, review_date=REVIEW - timedelta(days=n * 3), owner=owner)
    large = _statements_to_decide(db, date(2027, 11, 2))
    assert small == large == 4  # agreements, queued keys, contacts, one insert
    assert _statements_to_decide(db, date(2027, 11, 2)) == 2  # nothing new: two reads


# --- the scheduler ------------------------------------------------------------------------------


def test_the_sweep_job_runs_daily_at_the_configured_time_in_london(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    app.config["REMINDER_TIME"] = "06:45"
    scheduler = add_sweep_job(BackgroundScheduler(), app)
    trigger = scheduler.get_job("review-reminders").trigger
    assert str(trigger.timezone) == "Europe/London"
    assert {f.name: str(f) for f in trigger.fields}["hour"] == "6" and {f.name: str(f) for f in trigger.fields}["minute"] == "45"
    summer = trigger.get_next_fire_time(None, __import__("datetime").datetime(2027, 7, 1, 12, tzinfo=trigger.timezone))
    assert (summer.hour, summer.minute, summer.utcoffset()) == (6, 45, timedelta(hours=1))  # BST


def _click_context(name, reload):
    command = click.Command(name, params=[click.Option(["--reload/--no-reload"], default=None)])
    context = click.Context(command)
    context.params["reload"] = reload
    return context


@pytest.mark.parametrize(
    "in_process, testing, command, reload, run_main, starts",
    [
        (True, False, None, None, None, True),  # gunicorn imports the app: no click command
        (False, False, None, None, None, False),  # not configured
        (True, True, None, None, None, False),  # never in tests
        (True, False, "run", False, None, True),  # flask run without the reloader
        (True, False, "run", True, None, False),  # the reloader's parent process
        (True, False, "run", True, "true", True),  # the reloader's child serves requests
        (True, False, "upgrade", None, None, False),  # another command
    ],
)
def test_when_the_scheduler_starts_in_process(app, monkeypatch, in_process, testing, command, reload, run_main, starts):
    app.config.update(SCHEDULER_IN_PROCESS=in_process, TESTING=testing)
    if run_main:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", run_main)
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    if command is None:
        assert should_start_in_process(app) is starts
    else:
        with _click_context(command, reload):
            assert should_start_in_process(app) is starts


def test_create_app_never_starts_the_scheduler_in_tests(app):
    assert "isa_scheduler" not in app.extensions


def test_apscheduler_runs_the_sweep(app, db, make, inbox):
    from apscheduler.schedulers.background import BackgroundScheduler

    make.agreement(status=S.ACTIVE, review_date=clock.today() + timedelta(days=7), owner=make.user(role="officer"))
    scheduler = BackgroundScheduler(timezone="Europe/London")
    scheduler.add_job(daily_sweep, args=[app])  # run once, now
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert [m.message["Subject"].split(":")[0] for m in inbox.messages] == ["Review due in 7 days"]


def test_the_daily_sweep_refreshes_the_query_planners_statistics(app, db, make, inbox):
    make.agreement(status=S.ACTIVE, review_date=clock.today() + timedelta(days=7), owner=make.user(role="officer"))
    forget_planner_statistics(db, "agreements")
    daily_sweep(app)
    assert len(inbox.messages) == 1
    assert planner_statistics(db, "agreements") > 0


def test_flask_scheduler_runs_in_the_foreground(app, db, make, tmp_path):
    """The real process: it says when the sweep runs, produces a queued protocol document and records its heartbeat."""
    from isa.core.heartbeat import last_beat

    agreement = make.agreement(reference="ISA-FG-001")
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, ISA_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], ISA_REMINDER_TIME="05:30", ISA_SECRET_KEY="x",
               ISA_RENDER_POLL_SECONDS="0.5")
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "isa", "scheduler"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()
        deadline = time.monotonic() + 60
        stored = None
        while stored is None and time.monotonic() < deadline:
            time.sleep(0.2)
            db.session.rollback()
            stored = db.session.scalar(sa.select(ProtocolDocument).where(ProtocolDocument.agreement_id == agreement.id))
        beat = last_beat()
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "Scheduler started: protocol documents are produced as they are queued; the review reminder sweep runs daily at 05:30 Europe/London" in line
    assert stored is not None and stored.protocol_version == 1 and stored.pdf.startswith(b"%PDF")
    assert beat is not None and (utcnow() - beat).total_seconds() < 60
