"""Browser tests: the real SPA in headless Chromium (Debian's /usr/bin/chromium driven by Playwright)
against the session `app` served over a real socket.

- `live_server`: the same app object as the rest of the suite (SQLite file, or PostgreSQL when
  TEST_DATABASE_URL is set), served by werkzeug in a background thread.
- `demo`: the demo tenant from `build_demo()`, seeded per test (tests/conftest.py empties every table
  after each test).
- `page` / `new_page`: a fresh browser context per test; console errors (CSP violations included) and
  uncaught page errors fail the test; on failure a screenshot goes to test-artifacts/.
"""
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEMO_ADMIN = "admin@demo.test"
DEMO_PASSWORD = "Demo-Pass-2026!"

# Chromium logs every non-2xx fetch as a console error; an expected 401/409/422 is not a bug of the page.
_EXPECTED_CONSOLE = re.compile(r"^Failed to load resource: the server responded with a status of (401|409|422|429)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


class _InFlight:
    """WSGI middleware counting the requests being served, so a test's teardown can wait for the page's last
    fetches to finish before the tables are emptied (TRUNCATE against a running request deadlocks)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.count = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.count += 1
        try:
            return list(self.wsgi_app(environ, start_response))  # the whole response, then "done"
        finally:
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count == 0, timeout)


@dataclass
class LiveServer:
    app: object
    url: str
    in_flight: _InFlight


@pytest.fixture(scope="session")
def live_server(app):
    in_flight = _InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", in_flight=in_flight)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def demo(app):
    """The demo tenant: admin@demo.test and friends (password Demo-Pass-2026!), projects S4-FIN and S4-LOG."""
    from app.cli import build_demo
    from app.extensions import db
    from app.models import Project
    from app.utils import tenant_context

    with app.app_context():
        tenant = build_demo()
        with tenant_context.tenant_scope(tenant.id):
            projects = {project.code: str(project.id) for project in db.session.query(Project).all()}
        info = {"tenant_id": str(tenant.id), "tenant_name": tenant.name, "projects": projects}
        db.session.remove()
    tenant_context.clear()
    return info


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """new_page(width=1280, height=800) -> a Page in a fresh context (no cookies shared with other pages)."""
    contexts = []
    problems = []

    def _new(width: int = 1280, height: int = 800):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height},
                                      accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
                if message.type == "error" and not _EXPECTED_CONSOLE.match(message.text) else None)
        return page

    yield _new

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{index}-{number}.png"), full_page=True)
                except Exception:  # a screenshot must not hide the real failure
                    pass
    for context in contexts:
        context.close()
    live_server.in_flight.wait_idle()  # the pages' last fetches finish before the tables are emptied
    if report is not None and report.passed and problems:
        pytest.fail("the page logged errors:\n" + "\n".join(problems))


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, email: str = DEMO_ADMIN, password: str = DEMO_PASSWORD) -> None:
    """Open the app, sign in through the login form and wait for the projects list."""
    page.goto("/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"#/projects"))
    page.get_by_role("heading", level=1, name="Projects").wait_for()
