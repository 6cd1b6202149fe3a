"""Every download in the product, fetched from a served app and read to its last byte, as a browser does.

The test client hides streaming mistakes: a body produced after the request's database session
has closed works there and dies half-way in a real server. So the app runs in werkzeug's threaded
server on a free port, and each download is read whole over HTTP.
"""
import csv
import http.cookiejar
import io
import json
import re
import threading
import urllib.parse
import urllib.request
import zipfile
from datetime import date, timedelta

import pytest
from werkzeug.serving import make_server

from isa.agreements.models import AgreementStatus
from isa.api.tokens import create_token
from isa.audit.tracking import acting_as
from tests.conftest import run_render_queue
from tests.factories import PASSWORD, totp_code
from tests.servers import last_totp_step


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


class Browser:
    """Cookies, a CSRF token from each form, and whole bodies."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path, headers=None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with self.opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()  # the whole body

    def post(self, path, data, form_page=None):
        _status, _headers, html = self.get(form_page or path)
        data = dict(data, csrf_token=re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html).group(1).decode())
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=30) as response:
            return response.status, response.read()

    def sign_in(self, email):
        _status, page = self.post("/login", {"email": email, "password": PASSWORD})
        if b"Enter your code" in page:  # officers and admins: then the code from their authenticator
            self.post("/login/code", {"code": totp_code(last_totp_step(email))})


@pytest.fixture
def register(make, db):
    police = make.organisation(slug="herts-police", name="Hertfordshire Constabulary", type="police")
    council = make.organisation(slug="herts-cc", name="Hertfordshire County Council")
    # enough rows that every body comes in several chunks
    for n in range(1, 121):
        make.agreement(parties=[police, council], reference=f"ISA-2024-{n:03d}", title=f"Family safeguarding {n}",
                       status=AgreementStatus.ACTIVE, review_date=date.today() + timedelta(days=400))
    officer = make.user(role="officer", email="officer@example.org")
    make.user(role="admin", email="admin@example.org")
    for n in range(120):
        make.decision(discloser=police, recipient=council, recorded_by=officer, case_reference=f"CS-{n:05d}")
    return police, council


def _whole_zip(body):
    """A workbook or a zip file, which opens only when its last bytes (the central directory) arrived."""
    return zipfile.ZipFile(io.BytesIO(body))


def _csv_rows(headers, body):
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))


def test_the_agreements_list_downloads_whole(served, register):
    browser = Browser(served)
    browser.sign_in("officer@example.org")
    status, headers, body = browser.get("/agreements.csv")
    rows = _csv_rows(headers, body)
    assert status == 200 and len(rows) == 121
    assert rows[-1][0] == "ISA-2024-120"


def test_the_check_log_downloads_whole(served, register):
    browser = Browser(served)
    browser.sign_in("officer@example.org")
    for n in range(30):
        browser.post("/check", {"discloser": "herts-police", "recipient": "herts-cc", "category": "personal",
                                "purpose": f"purpose {n}", "on": ["", "", ""]})
    status, headers, body = browser.get("/check/log.csv")
    rows = _csv_rows(headers, body)
    assert status == 200 and len(rows) == 31
    assert {row[6] for row in rows[1:]} == {f"purpose {n}" for n in range(30)}


def test_the_sharing_decisions_download_whole(served, register):
    browser = Browser(served)
    browser.sign_in("officer@example.org")
    status, headers, body = browser.get("/decisions/export.csv")
    rows = _csv_rows(headers, body)
    assert status == 200 and len(rows) == 121


def test_the_register_export_downloads_whole(served, register):
    browser = Browser(served)
    browser.sign_in("admin@example.org")
    status, headers, body = browser.get("/admin/exchange/export.json")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    assert len(json.loads(body)["agreements"]) == 120


def test_the_protocol_pdf_downloads_whole(served, register, app):
    browser = Browser(served)
    browser.sign_in("officer@example.org")
    status, _headers, _body = browser.get("/agreements/ISA-2024-001/protocol.pdf")
    assert status == 202  # queued: the scheduler renders it
    run_render_queue(app)
    status, headers, body = browser.get("/agreements/ISA-2024-001/protocol.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert len(body) == int(headers["Content-Length"])


def test_the_api_downloads_whole(served, register, make, db, app):
    officer = make.user(role="officer", email="api-officer@example.org")
    with acting_as("test"):
        _record, token = create_token(officer, "downloads")
        db.session.commit()
    browser = Browser(served)
    auth = {"Authorization": f"Bearer {token}"}
    status, headers, body = browser.get("/api/v1/calendar.ics", auth)
    assert status == 200 and body.startswith(b"BEGIN:VCALENDAR") and body.rstrip().endswith(b"END:VCALENDAR")
    status, _headers, _body = browser.get("/api/v1/agreements/ISA-2024-001/protocol.pdf", auth)
    assert status == 202
    run_render_queue(app)
    status, headers, body = browser.get("/api/v1/agreements/ISA-2024-001/protocol.pdf", auth)
    assert status == 200 and body.rstrip().endswith(b"%%EOF")


def test_the_records_download_whole(served, register):
    browser = Browser(served)
    browser.sign_in("officer@example.org")
    for kind in ("processing-record", "sharing-register"):
        status, headers, body = browser.get(f"/records/herts-police/{kind}.csv")
        rows = _csv_rows(headers, body)
        assert status == 200 and len(rows) > 120  # a row per agreement at least, after the header
        status, headers, body = browser.get(f"/records/herts-police/{kind}.xlsx")
        assert status == 200 and _whole_zip(body).testzip() is None
    status, headers, body = browser.get("/records/herts-police/exit-pack.zip")
    assert status == 200 and _whole_zip(body).testzip() is None


def test_the_open_data_feed_downloads_whole(served, register):
    browser = Browser(served)  # the public: no sign-in
    status, headers, body = browser.get("/register.csv")
    rows = _csv_rows(headers, body)
    assert status == 200 and len(rows) == 121
    assert rows[-1][0] == "ISA-2024-120"
    status, headers, body = browser.get("/register.json")
    assert status == 200 and json.loads(body)["count"] == 120
