"""API tokens in the browser (issue 15.4/15.7): an admin creates a token in Administration › API and events,
copies the secret shown once, a machine uses it (within its project scope), and after a revoke in the UI the API refuses it; a delete then takes it off the list."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.e2e


def _get(base_url: str, path: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_an_admin_creates_uses_revokes_and_deletes_an_api_token(page, demo, live_server):
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    page.get_by_role("navigation", name="Administration sections").get_by_role("link", name="API and events").click()
    expect(page.get_by_text("No API tokens yet.")).to_be_visible()

    form = page.get_by_role("form", name="New API token")
    form.get_by_label("Name").fill("BI export")
    form.get_by_label("Role").select_option("viewer")
    form.get_by_label("Projects").select_option(demo["projects"]["S4-FIN"])  # scoped to one project
    form.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("alert").filter(has_text="shown only this once")).to_be_visible()
    secret = page.get_by_label("The token BI export").input_value()
    assert secret.startswith("mrd_")
    table = page.get_by_role("region", name="API tokens table")
    expect(table).to_contain_text("BI export")
    expect(table).to_contain_text("active")
    expect(table).not_to_contain_text(secret)

    status, body = _get(live_server.url, "/api/v1/projects", secret)
    assert status == 200
    assert [p["code"] for p in body["items"]] == ["S4-FIN"]
    expect(table).to_contain_text("S4-FIN")

    page.get_by_role("button", name="I have stored it").click()
    expect(page.get_by_label("The token BI export")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    table.get_by_role("button", name="Revoke BI export").click()
    expect(page.get_by_role("alert").filter(has_text="was revoked")).to_be_visible()
    expect(table).to_contain_text("revoked")

    status, body = _get(live_server.url, "/api/v1/projects", secret)
    assert status == 401 and body["status"] == 401

    # A revoked token stays listed until it is deleted; then the list no longer shows it.
    page.once("dialog", lambda dialog: dialog.accept())
    table.get_by_role("button", name="Delete BI export").click()
    expect(page.get_by_role("alert").filter(has_text="was deleted")).to_be_visible()
    expect(page.get_by_text("No API tokens yet.")).to_be_visible()
