"""Scale-out on PostgreSQL, as in production: two gunicorn web servers and two scheduler processes
sharing one database (issue 15). Runs with ISA_TEST_BACKEND=postgresql (`make test` does).

An officer amends one agreement through both web servers at the same moment, several times over;
the two schedulers share the render queue and both sweep for reminders at once. Afterwards there
is exactly one stored document per content of the agreement, the current one among them, and
exactly one reminder (and one email to each recipient) per due date.
"""
import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from isa import create_app
from isa.agreements.models import AgreementStatus as S
from isa.audit.tracking import acting_as
from isa.documents.models import ProtocolDocument, RenderJob, RenderStatus as RS
from isa.extensions import db
from isa.legal.catalogue import sync_catalogue
from isa.reminders.models import Reminder
from tests.factories import PASSWORD, Factory, totp_code
from tests.servers import last_totp_step
from tests.test_reminders import SmtpServer, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    os.environ.get("ISA_TEST_BACKEND") != "postgresql", reason="scale-out runs on PostgreSQL (ISA_TEST_BACKEND=postgresql)"
)


@pytest.fixture
def scale_database(database_server):
    """A database of its own on the test run's PostgreSQL server, built by `flask db upgrade`."""
    admin = sa.create_engine(database_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("DROP DATABASE IF EXISTS isa_scale"))
        connection.execute(sa.text("CREATE DATABASE isa_scale"))
    uri = database_server.replace("/isa_test?", "/isa_scale?")
    subprocess.run([sys.executable, "-m", "flask", "--app", "isa", "db", "upgrade"], cwd=ROOT, check=True, capture_output=True,
                   env=dict(os.environ, ISA_SQLALCHEMY_DATABASE_URI=uri, ISA_SECRET_KEY="scale"))
    yield uri
    with admin.connect() as connection:
        connection.execute(sa.text("DROP DATABASE IF EXISTS isa_scale WITH (FORCE)"))
    admin.dispose()


class Browser:
    """A signed-in officer talking to one web server over HTTP, with its own cookies."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def post(self, path, data, form_path=None):
        status, page = self.get(form_path or path)
        data = dict(data, csrf_token=re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1))
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def sign_in(self, email, last_step=0):
        assert self.post("/login", {"email": email, "password": PASSWORD}) == 302
        assert self.post("/login/code", {"code": totp_code(last_step)}) == 302


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_until(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _serving(port):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).close()
        return True
    except (OSError, urllib.error.URLError):
        return False


def _logs(folder):
    """The servers' and schedulers' logs, for the failure message."""
    return "\n".join(f"--- {path.name}\n{path.read_text()[-6000:]}" for path in sorted(folder.glob("*.log")))


def test_two_web_servers_and_two_schedulers_on_one_postgresql(scale_database, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scale_database, "SECRET_KEY": "scale"})
    smtp = SmtpServer(free_port())
    smtp.start()
    env = dict(
        os.environ, ISA_SQLALCHEMY_DATABASE_URI=scale_database, ISA_SECRET_KEY="scale", ISA_DEVELOPMENT="true",
        ISA_ARGON2_TIME_COST="1", ISA_ARGON2_MEMORY_COST="1024", ISA_SMTP_HOST="127.0.0.1", ISA_SMTP_PORT=str(smtp.port),
        ISA_MAIL_FROM="isa@example.org", ISA_RENDER_POLL_SECONDS="0.3", ISA_HEARTBEAT_SECONDS="1",
    )
    processes = []
    try:
        with app.app_context():
            sync_catalogue(db.session.connection())
            db.session.commit()
            with acting_as("test"):
                make = Factory(db)
                officer = make.user(role="officer", email="officer@scale.example.org")
                agreement = make.agreement(reference="ISA-SCALE-001", status=S.ACTIVE, owner=officer,
                                           review_date=date.today() + timedelta(days=30))
                others = [make.agreement(status=S.ACTIVE, owner=officer, review_date=date.today() + timedelta(days=7)) for _ in range(3)]
            flow = agreement.flows[0]
            flow_form = {
                "from_organisation": flow.from_organisation.slug, "to_organisation": flow.to_organisation.slug,
                "categories": ["personal"], "purposes": "safeguarding children", "lawful_bases": ["UKGDPR-A6-1E"],
                "channel": "", "frequency": "ad_hoc", "consent": "no_consent_lawful_basis",
            }
            agreement_form = {
                "reference": "ISA-SCALE-001", "purpose": "Safeguarding children", "lead_organisation": agreement.lead_organisation.slug,
                "owner": str(officer.id), "start_date": ["1", "12", "2024"],
                "review_date": [str(agreement.review_date.day), str(agreement.review_date.month), str(agreement.review_date.year)],
                "end_date": ["", "", ""], "review_interval_months": "12", "data_location": "uk", "supersedes": "",
            }
            agreement_id, flow_id = agreement.id, flow.id

        ports = [free_port(), free_port()]
        for port in ports:
            processes.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}", "isa:create_app()"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"web-{port}.log", "w")))
        for n in range(2):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "isa", "scheduler"], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"scheduler-{n}.log", "w")))
        for port in ports:
            _wait_until(lambda: _serving(port), 60, f"gunicorn on port {port}")
        browsers = [Browser(f"http://127.0.0.1:{port}") for port in ports]
        for browser in browsers:
            with app.app_context():
                last_step = last_totp_step("officer@scale.example.org")
            browser.sign_in("officer@scale.example.org", last_step)

        def version():
            with app.app_context():
                return db.session.scalar(sa.text("SELECT version FROM agreements WHERE id = :id"), {"id": agreement_id})

        statuses = []
        for round_ in range(4):
            expected = str(version())
            barrier = threading.Barrier(2)

            def amend_flow(browser=browsers[0], n=round_):
                barrier.wait()
                statuses.append(browser.post(f"/agreements/ISA-SCALE-001/flows/{flow_id}/edit",
                                             dict(flow_form, items=f"Names, round {n}", version=expected)))

            def amend_title(browser=browsers[1], n=round_):
                barrier.wait()
                statuses.append(browser.post("/agreements/ISA-SCALE-001/edit",
                                             dict(agreement_form, title=f"Scale-out, round {n}", version=expected)))

            threads = [threading.Thread(target=amend_flow), threading.Thread(target=amend_title)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            time.sleep(0.1 * round_)  # sometimes the schedulers are mid-render when the next round lands
        assert all(status in (200, 302, 409) for status in statuses), (statuses, _logs(tmp_path))
        assert 302 in statuses  # some amendments were saved

        def settled():
            with app.app_context():
                pending = db.session.scalar(sa.select(sa.func.count()).select_from(RenderJob).where(
                    RenderJob.status.in_([RS.QUEUED, RS.RENDERING])))
                sent = db.session.scalar(sa.select(sa.func.count()).select_from(Reminder).where(Reminder.status == "sent"))
                db.session.rollback()
                return pending == 0 and sent == 1 + len(others)

        try:
            _wait_until(settled, 180, "the schedulers to render every queued document and send the reminders")
        except AssertionError:
            raise AssertionError(_logs(tmp_path))

        with app.app_context():
            from isa.documents.queue import protocol_state
            from isa.documents.render import content_fingerprint

            stored = db.session.scalars(sa.select(ProtocolDocument).where(ProtocolDocument.agreement_id == agreement_id)).all()
            contents = [d.content_sha256 for d in stored]
            assert len(contents) == len(set(contents)), "a content was rendered twice"
            current = db.session.get(type(agreement), agreement_id)
            state = protocol_state(current)
            assert state.document is not None and state.document.content_sha256 == content_fingerprint(current)
            failed = db.session.scalars(sa.select(RenderJob).where(RenderJob.status == RS.FAILED)).all()
            assert failed == [], [j.last_error for j in failed]
            holders = {j.claimed_by.rsplit(":", 1)[0] for j in db.session.scalars(sa.select(RenderJob)) if j.claimed_by}
            reminders = db.session.scalars(sa.select(Reminder)).all()
            keys = [(r.agreement_id, r.review_date, r.offset_key) for r in reminders]
            assert len(keys) == len(set(keys)) == 1 + len(others)
        # one email per reminder, to each of its recipients once, although both schedulers swept
        deliveries = smtp.inbox.deliveries()
        assert len(smtp.inbox.messages) == len(reminders)
        assert len(deliveries) == len(set(deliveries))
        assert len(holders) >= 1
        # both web servers serve the stored document, and both say the service is healthy
        for browser in browsers:
            status, _ = browser.get("/agreements/ISA-SCALE-001/protocol.pdf")
            assert status == 200
            assert browser.get("/healthz")[0] == 200
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
