"""The API reference page (issue 15.1): any signed-in person opens it from the navigation, filters the
operations of the generated OpenAPI 3.1 document and reads one: a PUT's body has its required fields, the
PATCH of the same object none, and every answer is listed, problem documents included."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e
REQUIRED = re.compile(r"^required$")


def test_the_api_reference_is_browsable(page, demo):
    sign_in(page, "viewer@demo.test", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API reference").click()
    expect(page.get_by_role("heading", level=1, name="API reference")).to_be_visible()
    expect(page.get_by_text("OpenAPI 3.1.0")).to_be_visible()

    page.get_by_label("Filter").fill("/api/v1/projects/{project_id}")
    put = page.locator("details[data-operation-id='projects.update_project.put']")
    put.locator("summary").click()
    body = put.locator(".api-operation-body")
    expect(body).to_contain_text("Replaces the object")
    expect(body.locator(".api-body td", has_text=REQUIRED).first).to_be_visible()
    expect(body).to_contain_text("409")
    expect(body).to_contain_text("application/problem+json")

    patch = page.locator("details[data-operation-id='projects.update_project.patch']")
    patch.locator("summary").click()
    patch_body = patch.locator(".api-operation-body")
    expect(patch_body).to_contain_text("Partial update")
    expect(patch_body.locator(".api-body table")).to_be_visible()
    expect(patch_body.locator(".api-body td", has_text=REQUIRED)).to_have_count(0)

    page.get_by_label("Filter").fill("no such operation anywhere")
    expect(page.get_by_text("No operation matches.")).to_be_visible()
