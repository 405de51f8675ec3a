"""The integrations hub in the browser: configure a sandbox connection, test it, see it active."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.integrations.sandbox import Dynamics365Sandbox
from app.models import IntegrationConnection
from app.utils import tenant_context
from tests.fixtures.browser import ARTIFACTS, sign_in

pytestmark = pytest.mark.e2e
SECRET = "browser-sandbox-secret-77"


@pytest.fixture
def d365_sandbox():
    server = Dynamics365Sandbox(client_id="browser-client", client_secret=SECRET).start()
    yield server
    server.stop()


def _drop_demo_connection(app, demo, kind):
    with app.app_context(), tenant_context.tenant_scope(demo["tenant_id"]):
        connection = db.session.execute(
            select(IntegrationConnection).where(IntegrationConnection.kind == kind)
        ).scalar_one()
        db.session.delete(connection)
        db.session.commit()


@pytest.mark.parametrize("width", [1280, 390])
def test_admin_configures_a_sandbox_connection_tests_it_and_activates_it(new_page, app, demo, d365_sandbox, width):
    _drop_demo_connection(app, demo, "d365")
    page = new_page(width=width, height=900)
    sign_in(page)
    page.goto("/#/integrations")
    expect(page.get_by_role("heading", level=1, name="Integrations")).to_be_visible()

    alm = page.locator('[data-kind="cloud_alm"]')
    expect(alm).to_contain_text("Active")
    d365 = page.locator('[data-kind="d365"]')
    expect(d365).to_contain_text("Not configured")
    d365.get_by_role("button", name="Configure").click()

    form = page.locator("#connection-panel")
    form.get_by_label("Environment URL").fill(d365_sandbox.url)
    form.get_by_label("Token URL").fill(d365_sandbox.url + "/contoso.onmicrosoft.com/oauth2/v2.0/token")
    form.get_by_label("Application (client) ID").fill("browser-client")
    secret_box = form.get_by_label("Client secret")
    expect(secret_box).to_have_attribute("type", "password")
    secret_box.fill(SECRET)
    form.get_by_role("button", name="Save connection").click()

    expect(form).to_contain_text("The signing secret is shown only now")
    expect(form.locator("code.secret-value").nth(1)).to_contain_text("whsec_")
    if width == 1280:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "integrations-webhook-secret-1280.png"), full_page=True)
    form.get_by_role("button", name="I have stored the secret").click()

    expect(d365).to_contain_text("Configured, inactive")
    d365.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("alert")).to_contain_text("Connection works")
    expect(d365).to_contain_text("Connected to Dynamics 365")
    d365.get_by_role("button", name="Activate").click()
    expect(d365.locator(".chip").first).to_have_text("Active")
    expect(d365.get_by_role("button", name="Deactivate")).to_be_focused()

    history = page.locator("#sync-history")
    expect(history).to_contain_text("Dynamics 365")
    history.get_by_label("Status").select_option("failed")
    expect(history).to_contain_text("The service answered HTTP 503")  # the demo's old failed ALM test
    call_log = page.get_by_role("region", name="Gateway call log table")
    expect(call_log).to_contain_text("GET /api/data/v9.2/WhoAmI")
    assert SECRET not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"integrations-{width}.png"), full_page=True)


def test_a_consultant_sees_status_but_cannot_manage(new_page, demo):
    page = new_page()
    sign_in(page, "consultant@demo.test")
    page.goto("/#/integrations")
    alm = page.locator('[data-kind="cloud_alm"]')
    expect(alm).to_contain_text("Active")
    expect(alm.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("region", name="Gateway call log table")).to_have_count(0)
