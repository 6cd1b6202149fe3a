"""The app as it runs in production, for the tests whose fault needs a real server: gunicorn with
two workers on a free port of 127.0.0.1, on the test's own database, and a small HTTP client
that keeps cookies like a browser and shows the raw response (the Location header as sent)."""
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.factories import totp_code

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, database_uri, workers=2, threads=1, **settings):
        self.port = free_port()
        self.env = dict(os.environ)
        self.env.update(
            ISA_SQLALCHEMY_DATABASE_URI=database_uri, ISA_SECRET_KEY="test", ISA_DEVELOPMENT="true",
            ISA_ARGON2_TIME_COST="1", ISA_ARGON2_MEMORY_COST="1024", ISA_SERVER_NAME_FOR_LINKS="http://localhost",
        )
        self.env.update({f"ISA_{name}": str(value) for name, value in settings.items()})
        self.workers, self.threads = workers, threads
        self.process = None

    def start(self):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, "-w", str(self.workers), "--threads", str(self.threads), "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "isa:create_app()"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 90  # a busy shared machine can be slow to start two workers
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped: " + self.process.stderr.read().decode(errors="replace")[-2000:])
            try:
                if Browser(self.port).get("/login").status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 90 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Response:
    def __init__(self, raw):
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read()

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def location(self):
        return self.headers.get("Location")


class Browser:
    """One visitor: a cookie jar of name → value, and every request on a fresh connection."""

    def __init__(self, port, headers=None):
        self.port = port
        self.cookies = {}
        self.headers = dict(headers or {})

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = dict(self.headers)
        sent.update(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = Response(connection.getresponse())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in header and "expires=Thu, 01 Jan 1970" not in header:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def csrf_token(self, path):
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post_form(self, path, data, get_path=None, headers=None):
        data = dict(data)
        data["csrf_token"] = self.csrf_token(get_path or path)
        sent = {"Content-Type": "application/x-www-form-urlencoded"}
        sent.update(headers or {})
        return self.request("POST", path, body=urlencode(data), headers=sent)

    def sign_in(self, email, password, path="/login", headers=None):
        """Sign in through `path` (the login page, with any ?next= exactly as given), then with the
        code from the authenticator when the account has one (factory users: tests.factories.TOTP_SECRET)."""
        response = self.post_form(path, {"email": email, "password": password}, get_path="/login", headers=headers)
        if response.status == 302 and response.location.endswith("/login/code"):
            response = self.post_form("/login/code", {"code": totp_code(last_totp_step(email))}, headers=headers)
        return response


def last_totp_step(email):
    """The user's last accepted time step, read from the test's database (0 without an app context)."""
    import sqlalchemy as sa
    from flask import has_app_context

    from isa.extensions import db
    from isa.users.models import User

    if not has_app_context():
        return 0
    db.session.expire_all()
    return db.session.scalar(sa.select(User.totp_last_step).where(User.email == email.strip().lower())) or 0


def form_fields(html):
    """The fields of the page's main form (the POST form with the most fields: not the sign-out
    button), as a browser would submit them unchanged: a list of (name, value), as names repeat
    (a date is three inputs of one name)."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.fields, self.select, self.textarea, self.in_form = [], None, None, False
            self.forms = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form" and a.get("method", "").lower() == "post":
                self.in_form, self.fields = True, []
            elif not self.in_form:
                return
            elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    return
                self.fields.append((a["name"], a.get("value", "")))
            elif tag == "select":
                self.select = a.get("name")
                self.fields.append((self.select, None))
            elif tag == "option" and self.select and ("selected" in a or self.fields[-1][1] is None):
                self.fields[-1] = (self.select, a.get("value", ""))
            elif tag == "textarea":
                self.textarea = a.get("name")
                self.fields.append((self.textarea, ""))

        def handle_data(self, data):
            if self.textarea:
                self.fields[-1] = (self.textarea, self.fields[-1][1] + data)

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None
            elif tag == "form" and self.in_form:
                self.in_form = False
                self.forms.append(self.fields)

    parser = Fields()
    parser.feed(html)
    return max(parser.forms, key=len)
