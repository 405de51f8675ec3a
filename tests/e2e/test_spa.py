"""The SPA shell, driven in headless Chromium against the live server with the demo tenant."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.fixtures.app import login
from tests.fixtures.browser import DEMO_ADMIN, DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e


def _projects_table(page):
    return page.get_by_role("region", name="Projects table").get_by_role("table")


def test_admin_signs_in_sees_projects_opens_one_and_signs_out(page, demo):
    sign_in(page)

    header = page.get_by_role("banner")
    expect(header).to_contain_text("Ayşe Demir")
    expect(header).to_contain_text("Admin")
    expect(header).to_contain_text("Demo Systems Integrator")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Users")).to_be_visible()
    expect(nav.get_by_role("link", name="Projects")).to_have_attribute("aria-current", "page")

    table = _projects_table(page)
    expect(table.get_by_role("row")).to_have_count(3)  # header + two projects
    expect(table).to_contain_text("S4-FIN")
    expect(table).to_contain_text("S4-LOG")
    expect(table).to_contain_text("Rheinwerk Logistik GmbH")
    expect(page.get_by_text("Showing 1–2 of 2 projects")).to_be_visible()

    table.get_by_role("link", name="S/4HANA Finance Transformation").click()
    expect(page).to_have_url(re.compile(rf"#/projects/{demo['projects']['S4-FIN']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("S/4HANA Finance Transformation")
    details = page.get_by_role("region", name="Details", exact=True)
    expect(details).to_contain_text("Anatolia Foods A.Ş.")
    expect(details).to_contain_text("Europe/Istanbul")
    expect(details).to_contain_text("Realize")
    members = page.get_by_role("region", name="Members", exact=True)
    expect(members).to_contain_text("Mehmet Kaya")
    history = page.get_by_role("region", name="Change history", exact=True)
    expect(history).to_contain_text("Version 1")
    expect(history).to_contain_text("Created")
    expect(history).to_contain_text("Ayşe Demir")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"#/login$"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page.get_by_role("banner")).to_be_hidden()

    # The session really ended on the server: a protected page sends us back to the login form.
    page.goto("/#/projects")
    expect(page).to_have_url(re.compile(r"#/login$"))
    expect(page.get_by_label("E-mail")).to_be_visible()


def test_wrong_password_shows_the_problem_detail(page, demo):
    page.goto("/")
    page.get_by_label("E-mail").fill(DEMO_ADMIN)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Unauthorized")
    expect(alert).to_contain_text("E-mail or password is wrong.")
    expect(alert).to_contain_text(re.compile(r"Reference: [0-9a-f-]{36}"))
    expect(page).to_have_url(re.compile(r"#/login$"))
    expect(page.get_by_label("Password")).to_have_value("")

    alert.get_by_role("button", name="Dismiss message").click()
    expect(page.get_by_role("alert")).to_have_count(0)


def test_projects_page_is_usable_at_390px(new_page, demo):
    page = new_page(390, 844)
    sign_in(page)

    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390px"
    expect(_projects_table(page)).to_contain_text("S4-LOG")
    # The table scrolls inside its own region instead of widening the page.
    region = page.get_by_role("region", name="Projects table")
    box = region.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390

    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Users")).to_be_visible()
    nav.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1, name="Users")).to_be_visible()
    expect(nav).to_be_hidden()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the users page scrolls sideways by {overflow}px at 390px"
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_admin_creates_a_user_and_sees_it_listed(page, demo):
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1, name="Users")).to_be_visible()

    page.get_by_role("button", name="New user").click()
    form = page.get_by_role("form", name="New user")
    expect(form.get_by_label("Support level")).to_be_hidden()
    form.get_by_label("E-mail").fill("Nora.Quinn@demo.test")
    form.get_by_label("Name").fill("Nora Quinn")
    form.get_by_label("Role").select_option("support")
    expect(form.get_by_label("Support level")).to_be_visible()
    form.get_by_label("Support level").select_option("L2")
    form.get_by_label("Initial password").fill("short")
    form.get_by_role("button", name="Create user").click()

    # The server's field error sits next to the password input.
    password = form.get_by_label("Initial password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("Use 10 to 200 characters.")

    password.fill("Long-Enough-Pass-1")
    form.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("alert")).to_contain_text("User created")
    row = page.get_by_role("row").filter(has_text="nora.quinn@demo.test")
    expect(row).to_contain_text("Nora Quinn")
    expect(row).to_contain_text("Support L2")
    expect(row).to_contain_text("Active")


def test_stale_edit_shows_the_conflict_and_reload_shows_the_other_change(page, demo, client):
    sign_in(page)
    _projects_table(page).get_by_role("link", name="S/4HANA Logistics Rollout").click()
    page.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit project")
    form.get_by_label("Name").fill("Logistics Rollout (my edit)")

    # Meanwhile someone else changes the project through the API.
    api = login(client, "pm@demo.test", DEMO_PASSWORD)
    project_id = demo["projects"]["S4-LOG"]
    changed = api.patch(
        f"/api/v1/projects/{project_id}", json={"name": "Logistics Rollout (their edit)"}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.json

    form.get_by_role("button", name="Save changes").click()
    conflict = form.get_by_role("alert")
    expect(conflict).to_contain_text("Someone else changed this project")
    expect(conflict).to_contain_text("Your changes were not saved")
    assert api.get(f"/api/v1/projects/{project_id}").json["name"] == "Logistics Rollout (their edit)"

    conflict.get_by_role("button", name="Reload project").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Logistics Rollout (their edit)")
    expect(page.get_by_role("form", name="Edit project").get_by_label("Name")).to_have_value(
        "Logistics Rollout (their edit)"
    )
    history = page.get_by_role("region", name="Change history", exact=True)
    expect(history).to_contain_text("Version 2")
    expect(history).to_contain_text("Mehmet Kaya")


def test_customer_sees_only_their_project_and_no_users_link(page, demo):
    sign_in(page, "customer@demo.test")

    table = _projects_table(page)
    expect(table).to_contain_text("S4-LOG")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).not_to_contain_text("S4-FIN")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Projects")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    expect(page.get_by_role("button", name="New project")).to_have_count(0)
    expect(page.get_by_role("banner")).to_contain_text("Customer")

    # Typing the address does not help either: the page says so, and no Users table appears.
    page.goto("/#/users")
    expect(page.get_by_role("heading", level=1, name="Not available")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)

    # Her project's page has no manager actions and no audit history.
    page.goto(f"/#/projects/{demo['projects']['S4-LOG']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("S/4HANA Logistics Rollout")
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    expect(page.get_by_role("region", name="Change history", exact=True)).to_have_count(0)


def test_new_project_shows_field_errors_then_opens_the_created_project(page, demo):
    sign_in(page)
    page.get_by_role("button", name="New project").click()
    form = page.get_by_role("form", name="New project")
    form.get_by_label("Name").fill("Central Finance")
    form.get_by_label("Code").fill("S4-FIN")  # taken
    form.get_by_label("Time zone").fill("Mars/Olympus")
    form.get_by_role("button", name="Create project").click()

    # Each server-side field error sits next to its input, linked by aria-describedby.
    timezone = form.get_by_label("Time zone")
    expect(timezone).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("Unknown time zone")
    expect(form.get_by_role("alert")).to_contain_text("Validation Failed")

    timezone.fill("Europe/Berlin")
    form.get_by_role("button", name="Create project").click()
    code = form.get_by_label("Code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(timezone).not_to_have_attribute("aria-invalid", "true")
    error_id = code.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_have_text("A project with this code already exists.")

    code.fill("cfin-1")
    form.get_by_label("Phase").select_option("deploy")
    form.get_by_label("Go-live date").fill("2027-03-01")
    form.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Central Finance")
    expect(page.get_by_role("alert")).to_contain_text("Project CFIN-1 was created.")
    expect(page.get_by_role("region", name="Details", exact=True)).to_contain_text("Deploy")

    page.get_by_role("link", name="Projects").first.click()
    page.get_by_label("Search").fill("cfin")
    table = _projects_table(page)
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("Central Finance")


def test_export_shows_progress_and_offers_the_json_download(page, demo):
    sign_in(page)
    _projects_table(page).get_by_role("link", name="S/4HANA Finance Transformation").click()
    page.get_by_role("button", name="Export").click()
    expect(page.get_by_role("status").filter(has_text="Export ready.")).to_be_visible()
    expect(page.locator("progress")).to_have_attribute("max", "3")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download S4-FIN-export.json").click()
    download = download_info.value
    assert download.suggested_filename == "S4-FIN-export.json"
    document = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert document["project"]["code"] == "S4-FIN"
    assert {member["email"] for member in document["members"]} >= {"pm@demo.test", "approver@demo.test"}


def test_a_lost_access_token_is_renewed_and_a_lost_session_returns_to_the_page_after_sign_in(page, demo):
    sign_in(page)
    page.context.clear_cookies(name="access_token_cookie")
    page.get_by_label("Search").fill("logistics")
    table = _projects_table(page)
    expect(table.get_by_role("row")).to_have_count(2)  # the refresh cookie bought a new access token
    expect(table).to_contain_text("S4-LOG")
    assert "access_token_cookie" in {cookie["name"] for cookie in page.context.cookies()}

    page.context.clear_cookies()  # the whole session is gone
    project_id = demo["projects"]["S4-FIN"]
    page.goto(f"/#/projects/{project_id}")
    expect(page).to_have_url(re.compile(r"#/login$"))
    expect(page.get_by_role("banner")).to_be_hidden()
    page.get_by_label("E-mail").fill(DEMO_ADMIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"#/projects/{project_id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("S/4HANA Finance Transformation")


def test_manager_adds_and_removes_a_project_member(page, demo):
    sign_in(page)
    _projects_table(page).get_by_role("link", name="S/4HANA Finance Transformation").click()
    members = page.get_by_role("region", name="Members", exact=True)
    expect(members).to_contain_text("Mehmet Kaya")
    expect(members.get_by_role("row").filter(has_text="Laura Schmidt")).to_have_count(0)

    members.get_by_label("User to add").select_option(label="Laura Schmidt (Customer)")
    members.get_by_role("button", name="Add member").click()
    row = members.get_by_role("row").filter(has_text="Laura Schmidt")
    expect(row).to_contain_text("customer@demo.test")
    expect(members.get_by_label("User to add").locator("option", has_text="Laura Schmidt")).to_have_count(0)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Remove Laura Schmidt").click()
    expect(members.get_by_role("row").filter(has_text="Laura Schmidt")).to_have_count(0)
    expect(members.get_by_label("User to add").locator("option", has_text="Laura Schmidt")).to_have_count(1)


def test_project_soft_delete_and_restore(page, demo):
    sign_in(page)
    _projects_table(page).get_by_role("link", name="S/4HANA Logistics Rollout").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    notice = page.get_by_role("alert").filter(has_text="This project is deleted")
    expect(notice).to_be_visible()
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    notice.get_by_role("button", name="Restore project").click()
    expect(page.get_by_role("alert")).to_contain_text("Project S4-LOG was restored.")
    expect(page.get_by_role("button", name="Edit")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("alert").filter(has_text="This project is deleted")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    table = _projects_table(page)
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).not_to_contain_text("S4-LOG")

    page.get_by_label("Show deleted").check()
    deleted_row = table.get_by_role("row").filter(has_text="S4-LOG")
    expect(deleted_row).to_contain_text("Deleted")
    deleted_row.get_by_role("button", name="Restore S/4HANA Logistics Rollout").click()
    expect(page.get_by_role("alert")).to_contain_text("Project S4-LOG was restored.")
    expect(table.get_by_role("link", name="S/4HANA Logistics Rollout")).to_be_visible()


def test_admin_edits_deletes_and_restores_a_user(page, demo):
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    row = page.get_by_role("row").filter(has_text="viewer@demo.test")
    row.get_by_role("button", name="Edit Tom Becker").click()
    form = page.get_by_role("form", name="Edit Tom Becker")
    form.get_by_label("Name").fill("Thomas Becker")
    form.get_by_label("Role").select_option("approver")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("Thomas Becker was updated.")
    expect(row).to_contain_text("Thomas Becker")
    expect(row).to_contain_text("Change approver")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete Thomas Becker").click()
    expect(page.get_by_role("alert")).to_contain_text("Thomas Becker was deleted.")
    expect(row).to_have_count(0)

    page.get_by_label("Show deleted").check()
    expect(row).to_contain_text("Deleted")
    row.get_by_role("button", name="Restore Thomas Becker").click()
    expect(page.get_by_role("alert")).to_contain_text("Thomas Becker was restored.")
    expect(row).to_contain_text("Active")


def test_keyboard_users_can_skip_to_the_content_and_see_where_focus_is(page, demo):
    sign_in(page)
    # After a route change focus sits on the page heading.
    expect(page.get_by_role("heading", level=1, name="Projects")).to_be_focused()

    page.reload()  # a fresh page load leaves focus at the top of the document
    expect(_projects_table(page)).to_contain_text("S4-FIN")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#/projects$"))  # the skip link does not disturb the router

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"


def test_every_area_in_the_nav_opens_and_none_is_a_placeholder(page, demo):
    sign_in(page)
    nav = page.get_by_role("navigation", name="Main")
    areas = {
        "Explore": "Explore",
        "Testing": "Testing",
        "Cutover": "Cutover",
        "Hypercare": "Hypercare war room",
        "Administration": "Administration",
    }
    for area, heading in areas.items():
        nav.get_by_role("link", name=area, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        expect(nav.get_by_role("link", name=area, exact=True)).to_have_attribute("aria-current", "page")
        expect(page.locator("main")).not_to_contain_text(re.compile("coming soon|Nothing here is available", re.I))
        if area != "Administration":  # the project areas show the project picker
            expect(page.get_by_label("Project")).to_be_visible()
            continue
        expect(page.get_by_role("navigation", name="Administration sections")).to_be_visible()
    nav.get_by_role("link", name="Projects", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Projects")).to_be_visible()
    page.goto("/#/no-such-page")
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
