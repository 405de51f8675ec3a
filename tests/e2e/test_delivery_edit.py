"""Editing delivery objects in the browser: defects, backlog items, test cycles, and restoring requirements.
Each edit persists across a reload; a stale version (changed through the API between load and save) shows
the conflict and the latest version; a validation error appears next to its field."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.app import login
from tests.fixtures.browser import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e


def _api(live_server, email="pm@demo.test"):
    """Someone else, editing through the API (Bearer token)."""
    return login(live_server.app.test_client(), email, DEMO_PASSWORD)


def _find(api, url, **match):
    items = api.get(url, query_string={"limit": 200}).json["items"]
    return next(item for item in items if all(item.get(k) == v for k, v in match.items()))


# ----------------------------------------------------------------------------------------------- defects


def test_defect_detail_moves_through_its_lifecycle_edits_and_links_back_to_the_test_run(page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/testing?project={fin}&tab=defects")
    page.get_by_role("region", name="Defects table").get_by_role("link", name="DEF-0001").click()

    facts = page.get_by_role("region", name=re.compile(r"^DEF-0001 "))
    expect(facts).to_contain_text("Cheque status not updated after bank collection")
    expect(facts).to_contain_text("SIT 1 – Finance core")
    expect(facts).to_contain_text("TC-0004")
    expect(facts).to_contain_text("The portfolio still shows 'in portfolio' after sending to the bank.")

    steps = page.get_by_role("group", name="Next step")
    steps.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("DEF-0001 is now Open.")
    steps.get_by_role("button", name="Start work").click()
    expect(page.get_by_role("alert")).to_contain_text("DEF-0001 is now In progress.")

    steps.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit DEF-0001")
    form.get_by_label("Severity").select_option("p1")
    form.get_by_label("Assignee").select_option(label="Jonas Weber")
    form.get_by_label("Title").fill("Cheque stays in portfolio after bank collection")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("DEF-0001 was saved.")
    history = page.get_by_role("region", name="Change history")
    expect(history).to_contain_text("Severity: P2 – high → P1 – critical")
    expect(history).to_contain_text("Status: Open → In progress")

    page.reload()
    facts = page.get_by_role("region", name=re.compile(r"^DEF-0001 "))
    expect(facts).to_contain_text("Cheque stays in portfolio after bank collection")
    expect(facts).to_contain_text("P1 – critical")
    expect(facts).to_contain_text("In progress")
    expect(facts).to_contain_text("Jonas Weber")

    facts.get_by_role("link", name="SIT 1 – Finance core").click()
    row = page.get_by_role("region", name="Execution grid").get_by_role("row", name=re.compile(r"^TC-0004 "))
    expect(row).to_be_focused()
    row.get_by_role("link", name="DEF-0001").click()
    expect(page.get_by_role("region", name=re.compile(r"^DEF-0001 "))).to_be_visible()


def test_defect_edit_on_a_stale_version_reloads_and_says_so_and_field_errors_sit_by_the_field(page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    other = _api(live_server)
    defect = _find(other, f"/api/v1/projects/{fin}/defects", code="DEF-0002")
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/testing?project={fin}&tab=defects&defect={defect['id']}")
    page.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit DEF-0002")

    title = form.get_by_label("Title")
    title.fill("")
    form.get_by_role("button", name="Save changes").click()
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field:has([name=title]) .field-error")).to_be_visible()
    expect(title).to_be_focused()

    changed = other.patch(
        f"/api/v1/projects/{fin}/defects/{defect['id']}",
        json={"severity": "p1"},
        headers={"If-Match": f'"{defect["version"]}"'},
    )
    assert changed.status_code == 200
    title.fill("MT940 rejected: field 86")
    form.get_by_role("button", name="Save changes").click()
    expect(form.get_by_role("alert")).to_contain_text("Someone else changed this defect")
    expect(form.get_by_label("Severity")).to_have_value("p1")  # the form shows the latest version
    expect(form.get_by_label("Title")).to_have_value("MT940 sample file rejected: wrong field 86 format")
    expect(form).to_contain_text(f"You are editing version {defect['version'] + 1}.")
    expect(page.get_by_role("region", name=re.compile(r"^DEF-0002 "))).to_contain_text("P1 – critical")

    form.get_by_label("Title").fill("MT940 rejected: field 86")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("DEF-0002 was saved.")
    saved = other.get(f"/api/v1/projects/{fin}/defects/{defect['id']}").json
    assert (saved["title"], saved["severity"]) == ("MT940 rejected: field 86", "p1")


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
    assert (
        other.patch(
            f"/api/v1/projects/{fin}/test-cycles/{cycle['id']}",
            json={"status": "cancelled"},
            headers={"If-Match": f'"{cycle["version"]}"'},
        ).status_code
        == 200
    )
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


# ----------------------------------------------------------------------------------------------- backlog


def test_backlog_item_is_edited_from_the_backlog_and_keeps_its_code(page, demo):
    fin = demo["projects"]["S4-FIN"]
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/explore?project={fin}&tab=backlog")
    page.get_by_role("region", name="Backlog table").get_by_role("link", name="ENH-0001").click()
    facts = page.get_by_role("region", name=re.compile(r"^ENH-0001 "))
    expect(facts).to_contain_text("12 person-days")
    expect(facts.get_by_role("link", name=re.compile(r"^REQ-0002 "))).to_be_visible()

    page.get_by_role("button", name="Move to Unit test").click()
    expect(page.get_by_role("alert")).to_contain_text("ENH-0001 is now Unit test.")

    page.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit ENH-0001")
    effort = form.get_by_label("Effort (days)")
    effort.fill("-3")
    form.get_by_role("button", name="Save changes").click()
    expect(effort).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field:has([name=effort_days]) .field-error")).to_be_visible()

    effort.fill("14.5")
    form.get_by_label("Type").select_option("workflow")
    form.get_by_label("Assignee").select_option(label="Elif Şahin")
    form.get_by_label("Description").fill("Status per cheque: in portfolio, at bank, collected, bounced.")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("ENH-0001 was saved.")
    history = page.get_by_role("region", name="Change history")
    expect(history).to_contain_text("Effort (days): 12 → 14.5")
    expect(history).to_contain_text("Assignee: Jonas Weber → Elif Şahin")

    page.reload()
    facts = page.get_by_role("region", name=re.compile(r"^ENH-0001 "))  # a new type, the same code
    for text in ("Workflow", "Unit test", "14.5 person-days", "Elif Şahin", "in portfolio, at bank, collected"):
        expect(facts).to_contain_text(text)
    page.get_by_role("link", name="← WRICEF backlog").click()
    row = page.get_by_role("region", name="Backlog table").get_by_role("row", name=re.compile(r"ENH-0001"))
    expect(row).to_contain_text("Workflow")
    expect(row).to_contain_text("14.5")


def test_backlog_edit_on_a_stale_version_shows_the_conflict_and_the_latest_values(page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    other = _api(live_server)
    item = _find(other, f"/api/v1/projects/{fin}/backlog-items", code="INT-0001")
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/explore?project={fin}&tab=backlog&item={item['id']}")
    page.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit INT-0001")
    assert (
        other.patch(
            f"/api/v1/projects/{fin}/backlog-items/{item['id']}",
            json={"status": "build"},
            headers={"If-Match": f'"{item["version"]}"'},
        ).status_code
        == 200
    )
    form.get_by_label("Effort (days)").fill("25")
    form.get_by_role("button", name="Save changes").click()
    expect(form.get_by_role("alert")).to_contain_text("Someone else changed this backlog item")
    expect(form.get_by_label("Status")).to_have_value("build")
    expect(form.get_by_label("Effort (days)")).to_have_value("20")
    expect(page.get_by_role("region", name=re.compile(r"^INT-0001 "))).to_contain_text("Build")


# ----------------------------------------------------------------------------------------------- read-only roles

_STRAY_NULL = (
    "[...document.querySelectorAll('main, main *')].flatMap((e) => [...e.childNodes])"
    ".filter((n) => n.nodeType === 3 && n.textContent.trim() === 'null').length"
)


def test_a_viewer_reads_the_detail_pages_without_edit_controls_or_stray_text(page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    other = _api(live_server)
    defect = _find(other, f"/api/v1/projects/{fin}/defects", code="DEF-0001")
    item = _find(other, f"/api/v1/projects/{fin}/backlog-items", code="ENH-0001")
    cycle = _find(other, f"/api/v1/projects/{fin}/test-cycles", name="SIT 1 – Finance core")
    sign_in(page, "viewer@demo.test")
    page.goto(f"/#/testing?project={fin}&tab=defects&defect={defect['id']}")
    expect(page.get_by_role("region", name="Change history")).to_contain_text("Version 1")  # viewers are staff
    for hash_, heading in (
        (f"#/testing?project={fin}&tab=defects&defect={defect['id']}", r"^DEF-0001 "),
        (f"#/explore?project={fin}&tab=backlog&item={item['id']}", r"^ENH-0001 "),
        (f"#/testing?project={fin}&cycle={cycle['id']}", r"^SIT 1 – Finance core"),
        (f"#/testing?project={fin}", r"^SIT 1 – Finance core"),
        (f"#/explore?project={fin}&tab=backlog", None),
    ):
        page.goto("/" + hash_)
        if heading:
            expect(page.get_by_role("heading", level=2, name=re.compile(heading))).to_be_visible()
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("button", name=re.compile(r"^(Edit|Edit cycle|Confirm|Move to .*)$"))).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile(r"^Remove "))).to_have_count(0)
        assert page.evaluate(_STRAY_NULL) == 0, hash_


# ----------------------------------------------------------------------------------------------- requirements


def test_deleted_requirements_are_shown_on_request_and_restored_from_the_list_or_the_page(page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/explore?project={fin}")
    table = page.get_by_role("region", name="Requirements table")
    table.get_by_role("link", name="REQ-0012").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    notice = page.get_by_role("alert").filter(has_text="REQ-0012 is deleted")
    expect(notice).to_be_visible()
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    expect(page.get_by_role("region", name="Trace: tests and defects")).to_have_count(0)

    page.get_by_role("link", name="← All requirements").click()
    expect(table.get_by_role("row")).to_have_count(12)  # header + 11
    expect(table).not_to_contain_text("REQ-0012")
    page.get_by_label("Show deleted").check()
    page.get_by_role("button", name="Apply", exact=True).click()
    row = table.get_by_role("row", name=re.compile("REQ-0012"))
    expect(row).to_contain_text("Deleted")
    expect(page).to_have_url(re.compile(r"deleted=1"))
    row.get_by_role("button", name="Restore REQ-0012").click()
    expect(page.get_by_role("alert")).to_contain_text("REQ-0012 was restored.")
    expect(row).not_to_contain_text("Deleted")
    expect(row).to_contain_text("Draft")

    # Deleted elsewhere, opened from a bookmark: the page says so and restores it.
    other = _api(live_server)
    req = _find(other, f"/api/v1/projects/{fin}/requirements", code="REQ-0011")
    assert (
        other.delete(
            f"/api/v1/projects/{fin}/requirements/{req['id']}", headers={"If-Match": f'"{req["version"]}"'}
        ).status_code
        == 204
    )
    page.goto(f"/#/explore?project={fin}&req={req['id']}")
    page.get_by_role("button", name="Restore REQ-0011").click()
    expect(page.get_by_role("alert")).to_contain_text("REQ-0011 was restored.")
    expect(page.get_by_role("region", name="Trace: tests and defects")).to_be_visible()
    page.reload()
    expect(page.get_by_role("group", name="Workflow")).to_be_visible()
    expect(page.get_by_text("REQ-0011 is deleted")).to_have_count(0)


def test_requirement_edit_on_a_stale_version_reloads_and_says_so(page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    other = _api(live_server)
    req = _find(other, f"/api/v1/projects/{fin}/requirements", code="REQ-0005")
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/explore?project={fin}&req={req['id']}")
    page.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit REQ-0005")
    assert (
        other.patch(
            f"/api/v1/projects/{fin}/requirements/{req['id']}",
            json={"priority": "critical"},
            headers={"If-Match": f'"{req["version"]}"'},
        ).status_code
        == 200
    )
    form.get_by_label("Scope item").fill("J55")
    form.get_by_role("button", name="Save changes").click()
    expect(form.get_by_role("alert")).to_contain_text("Someone else changed this requirement")
    expect(form.get_by_label("Priority")).to_have_value("critical")
    expect(form.get_by_label("Scope item")).to_have_value("J54")


def test_the_edit_screens_fit_a_phone(new_page, demo, live_server):
    fin = demo["projects"]["S4-FIN"]
    other = _api(live_server)
    defect = _find(other, f"/api/v1/projects/{fin}/defects", code="DEF-0001")
    item = _find(other, f"/api/v1/projects/{fin}/backlog-items", code="ENH-0001")
    cycle = _find(other, f"/api/v1/projects/{fin}/test-cycles", name="SIT 1 – Finance core")
    page = new_page(390, 844)
    sign_in(page, "consultant@demo.test")
    for hash_, button in (
        (f"#/testing?project={fin}&tab=defects&defect={defect['id']}", "Edit"),
        (f"#/explore?project={fin}&tab=backlog&item={item['id']}", "Edit"),
        (f"#/testing?project={fin}&cycle={cycle['id']}", "Edit cycle"),
    ):
        page.goto("/" + hash_)
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_role("button", name="Save changes")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, hash_
