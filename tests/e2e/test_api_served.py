"""The API served over HTTP by the real app, with the scheduler running in the server's process (as
`make run` has it): what a client program sees, not what the test client sees."""
import hashlib
import time
import urllib.request

from isa.api.tokens import create_token
from isa.audit.tracking import acting_as
from isa.extensions import db
from isa.users.models import User

WAIT_SECONDS = 120  # the scheduler polls every half second here; a render takes seconds on a busy host


def _get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # 2xx only: anything else raises
        return response.status, response.headers, response.read()


def test_the_processing_record_pdf_is_made_by_the_scheduler_and_arrives_whole(live_server, seed):
    app, base = live_server
    agreement = seed("agreement", reference="ISA-SERVED-001", title="Served safeguarding")
    slug = agreement.parties[0].organisation.slug
    officer = seed("user", role="officer", email="served-api@example.org")
    with app.app_context(), acting_as("test"):
        _record, token = create_token(db.session.get(User, officer.id), "served API test")
        db.session.commit()
    url = f"{base}/api/v1/organisations/{slug}/processing-record.pdf"

    status, headers, _body = _get(url, token)
    assert status == 202 and int(headers["Retry-After"]) > 0  # asked for: queued for the scheduler
    deadline = time.monotonic() + WAIT_SECONDS
    while status == 202 and time.monotonic() < deadline:
        time.sleep(min(int(headers["Retry-After"]), 1))
        status, headers, body = _get(url, token)

    assert status == 200, f"still {status} after {WAIT_SECONDS} seconds"
    assert headers["Content-Type"] == "application/pdf" and len(body) == int(headers["Content-Length"])
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(body).hexdigest() == headers["X-Content-SHA256"]
