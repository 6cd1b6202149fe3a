"""The render queue (issue 15): documents come from the scheduler, never from a web request.

Renders are real (WeasyPrint). Where a render has to fail or a process has to die, the test makes
it so (a renderer that raises, a claim whose lease ran out) and watches what the queue does.
"""
import time
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from isa.agreements.models import AgreementStatus as S
from isa.audit.tracking import acting_as
from isa.core import heartbeat
from isa.core.db import utcnow
from isa.documents import queue, render as rendering
from isa.documents.models import ProtocolDocument, RenderJob, RenderStatus as RS
from isa.documents.queue import QueueSettings, claim_next, run_queue
from isa.reminders.scheduler import JOB_ID, add_jobs, executors
from tests.conftest import count, post_form, run_render_queue
from tests.test_access import ROLES, _rules, _sign_in, _url

SETTINGS = QueueSettings(max_attempts=3, lease_seconds=600, retry_seconds=0, batch_seconds=60)


def jobs(db, agreement=None):
    db.session.expire_all()
    query = sa.select(RenderJob).order_by(RenderJob.id)
    if agreement is not None:
        query = query.where(RenderJob.agreement_id == agreement.id)
    return db.session.scalars(query).all()


def waiting(db, agreement):
    return [job for job in jobs(db, agreement) if job.status == RS.QUEUED]


def documents(db, agreement):
    db.session.expire_all()
    return db.session.scalars(sa.select(ProtocolDocument).where(ProtocolDocument.agreement_id == agreement.id)).all()


# --- queueing: every way in, once ---------------------------------------------------------------


def test_a_new_agreement_is_queued_once_however_many_changes_follow(db, make):
    agreement = make.agreement()
    [job] = jobs(db, agreement)
    assert (job.status, job.protocol_version, job.requested_by) == (RS.QUEUED, 1, "test")
    for title in ("First", "Second", "Third"):
        agreement.title = title
        db.session.commit()
    agreement.flows[0].items = "Names only"
    db.session.commit()
    assert len(jobs(db, agreement)) == 1  # still the one job: it will render what the agreement says then


def test_what_the_protocol_prints_queues_a_render_and_what_it_does_not_print_does_not(app, db, make):
    owner = make.user(role="officer")
    channel = make.channel()
    agreement = make.agreement(owner=owner)
    agreement.flows[0].channel = channel
    db.session.commit()
    other = make.agreement()
    run_render_queue(app)
    assert not waiting(db, agreement) and not waiting(db, other)

    def queued_after(change):
        change()
        db.session.commit()
        queued = bool(waiting(db, agreement))
        run_render_queue(app)
        return queued

    party = agreement.parties[0]
    # printed: the agreement, a party's role, a flow, the organisations, the channel, the owner, a lawful basis
    assert queued_after(lambda: setattr(agreement, "retention", "Six years"))
    assert queued_after(lambda: setattr(party, "role", "discloser"))
    assert queued_after(lambda: setattr(agreement.flows[0], "purposes", ["safeguarding children", "crime"]))
    assert queued_after(lambda: setattr(party.organisation, "name", "Renamed Council"))
    assert queued_after(lambda: setattr(channel, "name", "Egress"))
    assert queued_after(lambda: setattr(owner, "name", "Olive Owner-Smith"))
    from isa.legal.models import LegalBasis
    assert queued_after(lambda: setattr(db.session.get(LegalBasis, "UKGDPR-A6-1E"), "summary", "A clearer summary."))
    # a signature queues a render too (the last one makes the signed copy), and an organisation's slug
    # (it is in the record the document carries)
    assert queued_after(lambda: setattr(party, "signatory_name", "Someone Else"))
    assert queued_after(lambda: setattr(party.organisation, "slug", "renamed-council"))
    # not printed: a sign-in, the owner's password
    assert not queued_after(lambda: setattr(owner, "last_login_at", utcnow()))
    assert not queued_after(lambda: owner.set_password("another password entirely"))
    assert not waiting(db, other)  # an agreement that shares nothing of it


def test_a_page_an_import_and_the_command_line_all_queue_renders(app, db, make, client, login_as, runner, tmp_path):
    from isa.exchange.operations import import_register

    agreement = make.agreement(reference="ISA-WAYS-001")
    run_render_queue(app)
    login_as("officer")
    response = post_form(client, f"/organisations/{agreement.parties[1].organisation.slug}/edit", {
        "slug": agreement.parties[1].organisation.slug, "name": "Hertfordshire Constabulary", "type": "police",
        "ico_registration": "Z7654321"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert waiting(db, agreement)
    run_render_queue(app)
    document = {"organisations": [{"slug": "imp-a", "name": "A", "type": "local_authority"}, {"slug": "imp-b", "name": "B", "type": "police"}],
                "agreements": [{"reference": "ISA-IMP-001", "title": "Imported", "purpose": "Safeguarding", "status": "draft",
                                "start_date": "2024-12-01", "review_date": "2027-12-01",
                                "parties": [{"organisation": "imp-a"}, {"organisation": "imp-b"}], "flows": []}]}
    with acting_as("import"):
        import_register(document)
    db.session.commit()
    from isa.agreements.operations import find_by_reference
    imported = find_by_reference("ISA-IMP-001")
    assert [job.requested_by for job in waiting(db, imported)] == ["import"]


# --- the scheduler's side ---------------------------------------------------------------------


def test_the_scheduler_stores_one_document_per_content(app, db, make):
    agreement = make.agreement(status=S.AWAITING_SIGNATURES, signed=False)
    report = run_render_queue(app)
    assert (report.rendered, report.failed) == (1, 0)
    [document] = documents(db, agreement)
    [job] = jobs(db, agreement)
    assert (job.status, job.document_id, job.content_sha256, job.attempts) == (RS.DONE, document.id, document.content_sha256, 1)
    assert document.generated_by == "test"  # whose change queued it
    # a change the protocol shows, then one it would print the same: one new document only
    agreement.title = "Retitled"
    db.session.commit()
    assert run_render_queue(app).rendered == 1
    agreement.title = "Retitled"  # no change at all
    agreement.parties[0].organisation.ico_registration = agreement.parties[0].organisation.ico_registration
    db.session.commit()
    queue.try_again(agreement)  # a job whose content is already stored renders nothing
    db.session.commit()
    report = run_render_queue(app)
    assert (report.rendered, report.reused) == (0, 1)
    assert len(documents(db, agreement)) == 2
    assert len({d.content_sha256 for d in documents(db, agreement)}) == 2


def test_a_job_is_never_claimed_twice_nor_while_its_agreement_is_being_rendered(app, db, make):
    agreement = make.agreement()
    first = claim_next("scheduler-a", SETTINGS)
    assert first is not None
    assert claim_next("scheduler-b", SETTINGS) is None  # the only job is taken
    agreement.title = "Changed while the first render runs"
    db.session.commit()
    assert len(waiting(db, agreement)) == 1
    assert claim_next("scheduler-b", SETTINGS) is None  # its agreement is being rendered by a
    document, fresh = queue.render_job(first, "scheduler-a", SETTINGS)
    assert fresh and "Changed while the first render runs" in rendering.protocol_html(agreement)
    second = claim_next("scheduler-b", SETTINGS)
    assert second is not None and second != first
    document_b, fresh_b = queue.render_job(second, "scheduler-b", SETTINGS)
    assert document_b.id == document.id and not fresh_b  # a rendered what b would have: nothing twice


def test_a_render_that_fails_is_retried_then_shown_failed_to_officers(app, db, make, client, login_as, monkeypatch):
    agreement = make.agreement(reference="ISA-FAIL-001", status=S.AWAITING_SIGNATURES, signed=False)
    real = rendering.html_to_pdf

    def broken(html, fetcher=None, about=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)
    for attempt in range(1, SETTINGS.max_attempts + 1):
        with app.app_context():
            report = run_queue("scheduler", SETTINGS, max_jobs=1)
        assert report.failed == 1
        [job] = jobs(db, agreement)
        assert job.attempts == attempt and "No space left on device" in job.last_error
    assert job.status == RS.FAILED and job.last_error.startswith("Gave up after 3 attempts")
    assert documents(db, agreement) == []
    # officers see the error and can ask again; partners are told the officers know
    login_as("officer")
    page = client.get("/agreements/ISA-FAIL-001").get_data(as_text=True)
    assert "The protocol for version 1 could not be prepared" in page and "No space left on device" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "1 protocol document could not be prepared" in dashboard and "ISA-FAIL-001" in dashboard
    assert client.get("/agreements/ISA-FAIL-001/protocol.pdf").status_code == 503
    monkeypatch.setattr(rendering, "html_to_pdf", real)
    assert post_form(client, "/agreements/ISA-FAIL-001/protocol/retry", {}, get_url="/agreements/ISA-FAIL-001").status_code == 302
    assert run_render_queue(app).rendered == 1
    assert "could not be prepared" not in client.get("/dashboard").get_data(as_text=True)
    assert client.get("/agreements/ISA-FAIL-001/protocol.pdf").status_code == 200


def test_a_render_whose_process_died_is_taken_over_then_given_up(app, db, make):
    agreement = make.agreement()
    job_id = claim_next("dead-scheduler", SETTINGS)  # ... and the process is killed mid-render
    assert claim_next("live-scheduler", SETTINGS) is None  # its lease still runs
    later = utcnow() + timedelta(seconds=SETTINGS.lease_seconds + 1)
    assert claim_next("live-scheduler", SETTINGS, now=later) == job_id  # the lease ran out: taken over
    job = jobs(db, agreement)[0]
    assert (job.claimed_by, job.attempts) == ("live-scheduler", 2)
    # dying every time: after the last attempt it is failed, with why
    assert claim_next("another", SETTINGS, now=later + timedelta(seconds=SETTINGS.lease_seconds + 1)) == job_id
    queue.give_up_lost(later + timedelta(seconds=3 * SETTINGS.lease_seconds), SETTINGS)
    job = jobs(db, agreement)[0]
    assert job.status == RS.FAILED and "stopped before it finished 3 times" in job.last_error
    # the claim the dead process held cannot finish the job any more
    assert queue.render_job(job_id, "dead-scheduler", SETTINGS) == (None, False)
    assert documents(db, agreement) == []


# --- no web request renders ------------------------------------------------------------------------


def test_rendering_refuses_to_run_inside_a_web_request(app):
    with app.test_request_context("/agreements/ISA-1/protocol.pdf"):
        with pytest.raises(rendering.RenderingInRequest):
            rendering.html_to_pdf("<p>hello</p>")
    pdf, _pages = rendering.html_to_pdf("<p>hello</p>")  # the scheduler and the command line may
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("role", ROLES)
def test_no_page_renders_while_documents_wait(app, make, db, role):
    """Every GET route, as every role, with every agreement's render still queued (the world of
    test_access, without running the queue): rendering fails inside a request (it raises), so a
    page that tried would answer 500."""
    mine, other, outsider = make.organisation(slug="mine"), make.organisation(slug="other"), make.organisation(slug="outsider")
    agreement = make.agreement(parties=[mine, other], reference="ISA-ACCESS-1", status=S.AWAITING_SIGNATURES, signed=False)
    channel = make.channel(slug="secure-email")
    users = {
        "partner_of_party": make.user(role="partner", organisation=mine, email="pp@example.org"),
        "partner_not_party": make.user(role="partner", organisation=outsider, email="pn@example.org"),
        "officer": make.user(role="officer", email="o@example.org"),
        "admin": make.user(role="admin", email="a@example.org"),
    }
    from isa.api.tokens import create_token

    token_record, _token = create_token(users["officer"], "test")
    db.session.commit()
    values = {
        "reference": agreement.reference, "slug": "mine", "party_id": agreement.parties[0].id, "flow_id": agreement.flows[0].id,
        "user_id": users["officer"].id, "code": "UKGDPR-A6-1E", "token_id": token_record.id, "path": "no-such-endpoint", "token": "not-a-reset-token",
        "decision_id": make.decision(discloser=mine, recipient=other, recorded_by=users["officer"]).id, "document_id": 999,
        "risk_id": 999,
    }
    client = app.test_client()
    _sign_in(client, users.get(role))
    errors = []
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        url = _url(rule, values, dict(values, slug=channel.slug))
        status = client.get(url).status_code
        if status >= 500 and rule.endpoint != "core.healthz":  # /healthz: no scheduler has run, 503 by design
            errors.append(f"{url}: {status}")
    assert not errors, errors
    assert documents(db, agreement) == []  # and nothing was rendered by any of them
    if role == "partner_of_party":
        sign = client.get("/agreements/ISA-ACCESS-1/sign").get_data(as_text=True)
        assert "The protocol for version 1 is being prepared" in sign


# --- a backlog never starves the reminder sweep --------------------------------------------------


def test_a_backlog_of_renders_does_not_hold_up_the_daily_sweep(app, db, make):
    """The real scheduler with its three jobs: renders of several Hertfordshire-sized agreements are
    queued, the sweep is due now; the reminder goes out while the renders are still being made."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from isa.exchange.demo import load_demo
    from isa.reminders.scheduler import LONDON
    from tests.test_reminders import SmtpServer, free_port

    smtp = SmtpServer(free_port())
    smtp.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TIMEOUT=5, MAIL_FROM="isa@example.org", RENDER_POLL_SECONDS=0.2)
    try:
        with acting_as("demo"):
            load_demo(date(2025, 1, 15))
        db.session.commit()
        from isa.agreements.operations import find_by_reference
        herts = find_by_reference("ISA-2024-001")
        for n in range(4):  # four more renders of the big one
            herts.title = f"Family Safeguarding {n}"
            db.session.commit()
            queue.try_again(herts)
            db.session.commit()
        make.agreement(status=S.ACTIVE, review_date=date.today() + timedelta(days=7), owner=make.user(role="officer"))
        backlog = len([j for j in jobs(db) if j.status == RS.QUEUED])
        assert backlog >= 3
        scheduler = add_jobs(BackgroundScheduler(timezone=LONDON, executors=executors()), app, holder="test-scheduler")
        scheduler.start()
        try:
            deadline = time.monotonic() + 20
            while not any(j.status == RS.RENDERING for j in jobs(db)) and time.monotonic() < deadline:
                time.sleep(0.05)
            scheduler.modify_job(JOB_ID, next_run_time=datetime.now(LONDON))  # the daily sweep falls due now
            deadline = time.monotonic() + 30
            while not smtp.inbox.messages and time.monotonic() < deadline:
                time.sleep(0.05)
            left = len([j for j in jobs(db) if j.pending])
        finally:
            scheduler.shutdown(wait=True)
        assert "Review due in 7 days" in [m.message["Subject"].split(":")[0] for m in smtp.inbox.messages]
        assert left > 0, "the sweep waited for the whole backlog"
    finally:
        smtp.stop()


# --- the heartbeat ----------------------------------------------------------------------------


def test_healthz_answers_from_the_database_and_the_schedulers_heartbeat(app, db, client):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["scheduler"] == "never ran" and response.json["database"] == "ok"
    heartbeat.beat("scheduler-1")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok" and response.json["scheduler_age_seconds"] < 60
    app.config["HEALTHZ_MAX_HEARTBEAT_AGE"] = 60
    heartbeat.beat("scheduler-1", now=utcnow() - timedelta(seconds=120))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["scheduler"] == "stale"
    heartbeat.beat("scheduler-2")  # another scheduler is alive: healthy again
    assert client.get("/healthz").status_code == 200


def test_healthz_says_so_when_the_database_does_not_answer(tmp_path):
    from isa import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/folder/isa.sqlite"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_the_dashboard_warns_when_the_scheduler_has_not_run_for_a_day(app, db, client, login_as):
    login_as("officer")
    assert "The scheduler has never run" in client.get("/dashboard").get_data(as_text=True)
    heartbeat.beat("scheduler-1", now=utcnow() - timedelta(hours=25))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "The scheduler has not run since" in page
    heartbeat.beat("scheduler-1")
    assert "scheduler-warning" not in client.get("/dashboard").get_data(as_text=True)
    assert count(db, heartbeat.SchedulerHeartbeat) == 1


def test_the_command_line_requeues_and_reports_the_queue(app, db, make, runner):
    agreement = make.agreement(reference="ISA-CLI-Q-001")
    run_render_queue(app)
    result = runner.invoke(args=["documents", "requeue", "ISA-CLI-Q-001"])
    assert result.exit_code == 0 and "Queued 1 agreement" in result.output
    assert "queued 1" in runner.invoke(args=["documents", "status"]).output
    assert run_render_queue(app).reused == 1  # the content had not changed: nothing new stored
    assert len(documents(db, agreement)) == 1
    assert runner.invoke(args=["documents", "requeue", "ISA-NOPE"]).exit_code == 2


def test_the_daily_check_queues_documents_that_no_longer_show_their_agreement(app, db, make, monkeypatch):
    """What changes with no change stored (the day, a new template) is caught once a day."""
    from isa.documents.queue import reconcile

    first, second = make.agreement(), make.agreement()
    run_render_queue(app)
    assert reconcile() == 0  # every document shows its agreement as it stands
    real = rendering.protocol_context

    def next_release(agreement):  # a release whose template prints the first agreement differently
        context = real(agreement)
        if agreement.id == first.id:
            context["golden_rules_source"] += " (as revised)"
        return context

    monkeypatch.setattr(rendering, "protocol_context", next_release)
    assert reconcile() == 1
    assert waiting(db, first) and not waiting(db, second)
    assert run_render_queue(app).rendered == 1
    assert reconcile() == 0
