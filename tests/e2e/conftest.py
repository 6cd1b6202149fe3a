"""End-to-end tests: the app served on 127.0.0.1, driven in Debian's Chromium by Playwright.

Every page visited is checked with axe-core (from node_modules, installed by `npm ci`) for
WCAG 2.2 A and AA violations. Screenshots of the pages visited are kept in
test-artifacts/screenshots/ when a test fails.
"""
import os
import shutil
import subprocess
import threading
from types import SimpleNamespace
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from isa import create_app
from isa.audit.tracking import acting_as
from isa.extensions import db
from isa.legal.catalogue import sync_catalogue
from tests.factories import PASSWORD, Factory, totp_code

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
SHOTS_FOLDER = Path(os.environ["ISA_E2E_SHOTS"]) if os.environ.get("ISA_E2E_SHOTS") else None  # to look at them
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _ensure_chromium():
    if not os.path.exists(CHROMIUM):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True)
    if not AXE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app on a free port of 127.0.0.1, in a thread, with its own SQLite database."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "e2e", "DEVELOPMENT": True,
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024})
    with app.app_context():
        db.drop_all()
        db.create_all()
        sync_catalogue(db.session.connection())
        db.session.commit()
    Visitor.live_app = app  # where a Visitor reads a user's last accepted code (tests made without passing it)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheduler = _scheduler(app)  # as `make run` does: the render queue and the sweep in the server's process
    yield app, f"http://127.0.0.1:{server.server_port}"
    scheduler.shutdown(wait=False)
    server.shutdown()


def _scheduler(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    from isa.reminders.scheduler import LONDON, add_jobs, executors

    app.config["RENDER_POLL_SECONDS"] = 0.5
    scheduler = add_jobs(BackgroundScheduler(timezone=LONDON, executors=executors()), app)
    scheduler.start()
    return scheduler


@pytest.fixture(scope="session")
def browser():
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """A person in the browser: visits pages, and checks each one for accessibility."""

    live_app = None

    def __init__(self, page, base, shots, app=None):
        self.page, self.base, self.shots, self.app = page, base, shots, app

    def goto(self, path):
        self.page.goto(self.base + path)
        self.checked()

    def checked(self):
        """Run axe-core on the current page: no WCAG 2.2 A/AA violation allowed, and no page wider
        than the screen (WCAG 2.2 reflow: wide tables scroll in their own region)."""
        self.page.wait_for_load_state("load")
        self.shots.append(self.page.screenshot(full_page=True))
        if SHOTS_FOLDER:
            SHOTS_FOLDER.mkdir(parents=True, exist_ok=True)
            width = self.page.viewport_size["width"]
            (SHOTS_FOLDER / f"{width}-{len(self.shots):03d}-{self.page.url.split('/', 3)[-1].replace('/', '_')[:60]}.png").write_bytes(self.shots[-1])
        page_width = self.page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= self.page.viewport_size["width"], f"{self.page.url} is {page_width} px wide"
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]
        ]
        assert not violations, f"accessibility violations on {self.page.url}:\n" + "\n".join(violations)

    def sign_in(self, email, password=PASSWORD):
        """The password, then (officers, admins, partners who chose it) the code from the authenticator
        app: factory users' key is tests.factories.TOTP_SECRET."""
        self.goto("/login")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("button:has-text('Sign in'), input[value='Sign in']")
        self.checked()
        if self.page.url.endswith("/login/code"):
            self.page.fill("#code", totp_code(self.last_totp_step(email)))
            self.page.click("button:has-text('Continue'), input[value='Continue']")
            self.checked()

    def last_totp_step(self, email):
        import sqlalchemy as sa

        from isa.users.models import User

        with (self.app or self.live_app).app_context():
            return db.session.scalar(sa.select(User.totp_last_step).where(User.email == email.strip().lower())) or 0

    def sign_out(self):
        self.open_menu()
        self.page.click("button:has-text('Sign out')")
        self.checked()

    def open_menu(self):
        """On a phone the navigation is folded behind its Menu button."""
        toggle = self.page.locator(".govuk-service-navigation__toggle")
        if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()

    def navigate(self, label):
        self.open_menu()
        self.page.click(f".govuk-service-navigation__link:has-text('{label}')")
        self.checked()


@pytest.fixture
def visitor(browser, live_server, request):
    app, base = live_server
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, accept_downloads=True)  # CSP would block axe's injected script
    page = context.new_page()
    shots = []
    yield Visitor(page, base, shots, app)
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        folder = ARTIFACTS / request.node.name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for n, png in enumerate(shots, 1):
            (folder / f"{n:02d}.png").write_bytes(png)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def seed(live_server):
    """Make records directly in the live server's database (users to sign in with, say)."""
    app, _ = live_server

    def plain(obj):
        """The record's column values (and an agreement's parties) as plain attributes."""
        from sqlalchemy import inspect

        values = {attr.key: getattr(obj, attr.key) for attr in inspect(obj).mapper.column_attrs}
        if hasattr(obj, "parties"):
            values["parties"] = [SimpleNamespace(organisation=plain(p.organisation), signed_on=p.signed_on) for p in obj.parties]
        return SimpleNamespace(**values)

    def seed(kind, **values):
        with app.app_context(), acting_as("test"):
            return plain(getattr(Factory(db), kind)(**values))

    return seed
