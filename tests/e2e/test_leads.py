"""Leads in the browser: push one lead to the Dynamics 365 sandbox and watch its badge turn Synced; with
the feature flag off the push buttons are not there."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.integrations.sandbox import Dynamics365Sandbox
from app.models import IntegrationConnection
from app.utils import tenant_context
from tests.fixtures.browser import ARTIFACTS, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_sandbox(app, demo):
    """The demo's Dynamics 365 connection, pointed at a sandbox on an ephemeral port (same credentials)."""
    server = Dynamics365Sandbox().start()
    with app.app_context(), tenant_context.tenant_scope(demo["tenant_id"]):
        connection = db.session.execute(
            select(IntegrationConnection).where(IntegrationConnection.kind == "d365")
        ).scalar_one()
        connection.config = {
            **connection.config,
            "org_url": server.url,
            "token_url": server.url + "/rheinwerk.onmicrosoft.com/oauth2/v2.0/token",
        }
        db.session.commit()
    yield server
    server.stop()


@pytest.mark.parametrize("width", [1280, 390])
def test_push_a_lead_and_watch_the_badge_turn_synced(new_page, app, demo_sandbox, monkeypatch, width):
    monkeypatch.setitem(app.config, "D365_ENABLED", True)
    page = new_page(width=width, height=900)
    sign_in(page)
    page.goto("/#/leads")
    expect(page.get_by_role("heading", level=1, name="Leads")).to_be_visible()
    row = page.locator("tr", has_text="Nordlicht Logistik GmbH")
    expect(row.locator(".d365-badge")).to_have_text("Not synced")
    row.get_by_role("button", name="Push Nordlicht Logistik GmbH to Dynamics").click()
    expect(row.locator(".d365-badge")).to_have_text("Synced", timeout=10000)
    assert len(demo_sandbox.leads) == 1

    page.get_by_role("button", name="Details of Nordlicht Logistik GmbH").click()
    panel = page.locator(".lead-panel")
    expect(panel).to_contain_text("Synced")
    expect(panel.get_by_role("link", name="Open in Dynamics 365")).to_have_attribute(
        "href", f"{demo_sandbox.url}/main.aspx?pagetype=entityrecord&etn=lead&id={next(iter(demo_sandbox.leads))}"
    )
    page.get_by_role("button", name="Details of Baltic Pharma UAB").click()
    expect(panel).to_contain_text("not a valid e-mail address")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"leads-{width}.png"), full_page=True)


def test_flag_off_hides_the_push_buttons(page, app, demo):
    sign_in(page)
    page.goto("/#/leads")
    expect(page.locator("tr", has_text="Anatolia Foods")).to_be_visible()
    expect(page.get_by_role("button", name="Push Anatolia Foods A.Ş. to Dynamics")).to_have_count(0)
    expect(page.get_by_role("button", name="Push selected to Dynamics")).to_have_count(0)


def test_sales_adds_a_lead_and_a_bad_csv_import_names_the_row(new_page, demo, tmp_path):
    page = new_page(width=1280, height=900)
    sign_in(page)
    page.goto("/#/leads")
    page.get_by_role("button", name="New lead").click()
    form = page.get_by_role("form", name="New lead")
    form.get_by_label("Company").fill("Bosporus Tekstil A.Ş.")
    form.get_by_label("Domain").fill("not a domain")
    form.get_by_role("button", name="Create lead").click()
    expect(form.locator(".field-error")).to_contain_text("domain")  # the field-level message, next to Domain
    form.get_by_label("Domain").fill("https://www.Bosporus-Tekstil.com.tr/")
    form.get_by_role("button", name="Create lead").click()
    row = page.locator("tr", has_text="Bosporus Tekstil A.Ş.")
    expect(row).to_contain_text("bosporus-tekstil.com.tr")
    expect(row.locator(".d365-badge")).to_have_text("Not synced")

    bad = tmp_path / "leads.csv"
    bad.write_text("domain,company_name\nanadolu-gida.com.tr,Anadolu Gıda\n,Nameless Co\n", encoding="utf-8")
    page.locator("#lead-import-file").set_input_files(str(bad))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was imported")
    expect(alert).to_contain_text("row 3.domain")
    expect(page.locator("tr", has_text="Anadolu Gıda")).to_have_count(0)
