"""The war room's order-flow panel and the Integrations view's marketplace facts, in the browser."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo.marketplace import TRENDYOL, fill_sandboxes
from app.extensions import db
from app.integrations.sandbox import HepsiburadaSandbox, TrendyolSandbox
from app.models import IntegrationConnection
from app.utils import tenant_context
from app.utils.clock import utcnow
from tests.fixtures.browser import ARTIFACTS, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_trendyol(app, demo):
    """The demo's Trendyol stand-in on an ephemeral port, with one order more than the demo database."""
    server, _ = fill_sandboxes(
        TrendyolSandbox(
            seller_id=TRENDYOL["seller_id"], api_key=TRENDYOL["api_key"], api_secret=TRENDYOL["api_secret"]
        ),
        HepsiburadaSandbox(),
    )
    server.add_package(1, utcnow() - timedelta(minutes=2))
    server.start()
    with app.app_context(), tenant_context.tenant_scope(demo["tenant_id"]):
        connection = db.session.execute(
            select(IntegrationConnection).where(IntegrationConnection.kind == "trendyol")
        ).scalar_one()
        connection.config = {**connection.config, "base_url": server.url}
        db.session.commit()
    yield server
    server.stop()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_war_room_shows_each_store_and_syncs_one(new_page, demo, demo_trendyol, width):
    page = new_page(width=width, height=1000)
    sign_in(page)
    page.goto(f"/#/hypercare?project={demo['projects']['S4-LOG']}")
    panel = page.locator("#order-flow")
    expect(panel.get_by_role("heading", name="Marketplace order flow")).to_be_visible()
    trendyol = panel.get_by_role("article", name="Rheinwerk Outlet (Trendyol)")
    expect(trendyol).to_contain_text("Last order")
    expect(panel.get_by_role("article", name="Rheinwerk Outlet (Hepsiburada)")).to_contain_text("Waiting over 24 h")
    expect(trendyol.locator("svg[role=img]")).to_have_attribute("aria-label", re.compile("orders in the last 24 hours"))
    if width == 1280:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "war-room-order-flow-1280.png"), full_page=True)
    sync = trendyol.get_by_role("button", name="Sync now")
    sync.focus()
    sync.press("Enter")
    expect(page.get_by_text("package(s) read")).to_be_visible(timeout=15000)


def test_the_integrations_view_shows_high_water_marks_and_counts(page, demo):
    sign_in(page)
    page.goto("/#/integrations")
    card = page.locator('[data-kind="trendyol"]')
    expect(card).to_contain_text("High-water mark (packages)")
    expect(card).to_contain_text("Packages / products")
    expect(page.locator('[data-kind="hepsiburada"]')).to_contain_text("Active")
