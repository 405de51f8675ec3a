"""Editing delivery objects in the browser: defects, backlog items, test cycles, and restoring requirements.
Each edit persists across a reload; a stale version (changed through the API between load and save) shows
the conflict and the latest version; a validation error appears next to its field."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import login
from tests.e2e.conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e


def _api(live_server, email="pm@demo.test"):
    """Someone else, editing through the API (Bearer token)."""
    return login(live_server.app.test_client(), email, DEMO_PASSWORD)


def _find(api, url, **match):
    items = api.get(url, query_string={"limit": 200}).json["items"]
    return next(item for item in items if all(item.get(k) == v for k, v in match.items()))


# ----------------------------------------------------------------------------------------------- test cycles

def _open_cycle(page, fin, name="SIT 1 – Finance core"):
    page.goto(f"/#/testing?project={fin}")
    page.get_by_role("link", name=name).click()
    expect(page.locator("#pass-rate")).to_be_visible()


def test_cycle_edit_checks_dates_by_the_field_and_persists(page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    sign_in(page, "consultant@demo.test")
    _open_cycle(page, fin)
    page.get_by_role("button", name="Edit cycle").click()
    form = page.get_by_role("form", name="Edit SIT 1 – Finance core")
    start = form.get_by_label("Start").input_value()
    form.get_by_label("Name").fill("SIT 1 – Finance core (extended)")
    form.get_by_label("End").fill("2020-01-31")  # before the start
    form.get_by_role("button", name="Save changes").click()
    end = form.get_by_label("End")
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field:has([name=end_date]) .field-error")).to_contain_text("on or after")

    end.fill("2030-06-30")
    form.get_by_label("Type").select_option("regression")
    form.get_by_label("Status").select_option("completed")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("SIT 1 – Finance core (extended) was saved.")

    page.reload()
    summary = page.get_by_role("region", name=re.compile(r"^SIT 1 – Finance core \(extended\)"))
    expect(summary).to_contain_text("Completed")
    expect(summary).to_contain_text("Regression")
    expect(summary).to_contain_text(re.compile(r"Jun 30, 2030|30 Jun 2030"))
    page.get_by_role("button", name="Edit cycle").click()
    expect(page.get_by_label("Start")).to_have_value(start)


def test_cycle_edit_on_a_stale_version_shows_the_conflict_and_the_latest_values(page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    other = _api(live_server)
    cycle = _find(other, f"/api/v1/projects/{fin}/test-cycles", name="UAT – Key users")
    sign_in(page, "consultant@demo.test")
    _open_cycle(page, fin, "UAT – Key users")
    page.get_by_role("button", name="Edit cycle").click()
    form = page.get_by_role("form", name="Edit UAT – Key users")
    assert other.patch(f"/api/v1/projects/{fin}/test-cycles/{cycle['id']}", json={"status": "cancelled"},
                       headers={"If-Match": f'"{cycle["version"]}"'}).status_code == 200
    form.get_by_label("Name").fill("UAT 1 – Key users")
    form.get_by_role("button", name="Save changes").click()
    expect(form.get_by_role("alert")).to_contain_text("Someone else changed this test cycle")
    expect(form.get_by_label("Status")).to_have_value("cancelled")
    expect(form.get_by_label("Name")).to_have_value("UAT – Key users")
    expect(page.get_by_role("region", name=re.compile(r"^UAT – Key users"))).to_contain_text("Cancelled")


def test_remove_a_case_from_the_cycle_after_confirming_and_undo_it(page, demo):
    fin = demo["projects"]["S4-FIN"]
    sign_in(page, "consultant@demo.test")
    _open_cycle(page, fin)
    grid = page.get_by_role("region", name="Execution grid")
    pass_rate = page.locator("#pass-rate")

    page.once("dialog", lambda dialog: dialog.dismiss())  # changed their mind: nothing happens
    grid.get_by_role("button", name="Remove TC-0008 from this cycle").click()
    expect(grid.get_by_role("row", name=re.compile(r"^TC-0008 "))).to_have_count(1)

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    grid.get_by_role("button", name="Remove TC-0002 from this cycle").click()
    expect(grid.get_by_role("row", name=re.compile(r"^TC-0002 "))).to_have_count(0)
    assert "Its result (Passed) will no longer count" in messages[0]
    expect(pass_rate).to_have_text("Pass rate 75% · executed 4 of 7")
    expect(page.get_by_role("alert")).to_contain_text("TC-0002 was removed from SIT 1 – Finance core.")

    page.get_by_role("button", name="Undo").click()
    expect(pass_rate).to_have_text("Pass rate 80% · executed 5 of 8")
    expect(grid.get_by_role("row", name=re.compile(r"^TC-0002 .*: Passed$"))).to_be_focused()

    # From the keyboard: Delete on a row, confirmed; the removal is stored.
    page.once("dialog", lambda dialog: dialog.accept())
    grid.get_by_role("row", name=re.compile(r"^TC-0007 ")).focus()
    page.keyboard.press("Delete")
    expect(pass_rate).to_have_text("Pass rate 80% · executed 5 of 7")
    page.reload()
    expect(page.locator("#pass-rate")).to_have_text("Pass rate 80% · executed 5 of 7")
    page.get_by_text("Plan test cases").click()
    expect(page.get_by_label(re.compile(r"^TC-0007 · "))).to_be_visible()  # can be planned in again
