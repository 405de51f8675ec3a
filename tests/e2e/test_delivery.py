"""Explore and Testing in the browser, on the demo tenant's S/4HANA Finance project."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.e2e


def test_tester_records_three_results_from_the_keyboard_and_sees_the_pass_rate_change(page, demo):
    sign_in(page, "consultant@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Testing").click()
    page.get_by_role("link", name="SIT 1 – Finance core").click()

    pass_rate = page.locator("#pass-rate")
    expect(pass_rate).to_have_text("Pass rate 80% · executed 5 of 8")  # demo: 4 passed, 1 failed

    # Keyboard only: Tab reaches the grid's active row (the first one not run), then P, F, P.
    grid = page.get_by_role("region", name="Execution grid")
    first_open = grid.get_by_role("row", name=re.compile(r"^TC-0006 .*: Not run$"))
    for _ in range(60):
        page.keyboard.press("Tab")
        if first_open.evaluate("row => row === document.activeElement"):
            break
    expect(first_open).to_be_focused()
    page.keyboard.press("p")
    expect(pass_rate).to_have_text("Pass rate 83.3% · executed 6 of 8")
    expect(grid.get_by_role("row", name=re.compile(r"^TC-0007 "))).to_be_focused()  # focus moved on
    page.keyboard.press("f")
    expect(pass_rate).to_have_text("Pass rate 71.4% · executed 7 of 8")
    page.keyboard.press("p")
    expect(pass_rate).to_have_text("Pass rate 75% · executed 8 of 8")

    expect(grid.get_by_role("row", name=re.compile(r"^TC-0006 .*: Passed$"))).to_be_visible()
    expect(grid.get_by_role("row", name=re.compile(r"^TC-0007 .*: Failed$"))).to_contain_text("Elif Şahin")
    expect(grid.get_by_role("row", name=re.compile(r"^TC-0008 .*: Passed$"))).to_be_visible()

    # The results were stored: the cycle list shows the new numbers after a reload.
    page.get_by_role("link", name="← All cycles").click()
    sit = page.get_by_role("region", name="SIT 1 – Finance core")
    expect(sit.get_by_role("meter", name="Pass rate")).to_have_attribute("aria-valuenow", "75")
    expect(sit.get_by_role("meter", name="Executed (8 of 8)")).to_have_attribute("aria-valuenow", "100")


def test_consultant_filters_requirements_opens_one_and_moves_it_through_review(page, demo):
    sign_in(page, "consultant@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Explore").click()
    expect(page.get_by_role("img", name="Fit/gap of 12 requirements: Fit 4, Partial fit 4, Gap 4")).to_be_visible()
    table = page.get_by_role("region", name="Requirements table")
    expect(table.get_by_role("row")).to_have_count(13)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export for Excel").click()
    download = download_info.value
    with open(download.path(), "rb") as exported:
        content = exported.read()
    assert content.startswith(b"\xef\xbb\xbf") and "Turkish cheque and promissory note portfolio" in content.decode(
        "utf-8-sig"
    )

    page.get_by_label("Search").fill("promissory")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(table.get_by_role("row")).to_have_count(2)
    table.get_by_role("link", name="REQ-0002").click()

    expect(page.get_by_role("heading", name=re.compile("Turkish cheque and promissory note portfolio"))).to_be_visible()
    trace = page.get_by_role("region", name="Trace: tests and defects")
    expect(trace).to_contain_text("TC-0004")
    expect(trace).to_contain_text("DEF-0001")
    page.get_by_role("button", name="Mark realized").click()
    expect(page.get_by_role("alert")).to_contain_text("REQ-0002 is now Realized")
    expect(page.get_by_role("button", name="Mark verified")).to_be_visible()
    history = page.get_by_role("region", name="Change history")
    expect(history).to_contain_text("Version 2")
    expect(history).to_contain_text("Status: Approved → Realized")

    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Priority").select_option("high")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("region", name=re.compile(r"^REQ-0002 "))).to_contain_text("High")
    expect(history).to_contain_text("Priority: Critical → High")


def test_delivery_views_fit_a_phone(new_page, demo):
    page = new_page(390, 844)
    sign_in(page)
    fin = demo["projects"]["S4-FIN"]
    for hash_ in (f"#/explore?project={fin}", f"#/testing?project={fin}", f"#/testing?project={fin}&tab=defects"):
        page.goto("/" + hash_)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, hash_
    page.get_by_role("link", name="Test cycles").click()
    page.get_by_role("link", name="SIT 1 – Finance core").click()
    button = page.get_by_role("group", name="Record TC-0006").get_by_role("button", name="Pass")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box and box["x"] + box["width"] <= 390
    button.click()
    expect(page.locator("#pass-rate")).to_have_text("Pass rate 83.3% · executed 6 of 8")


def test_customer_key_user_sees_only_their_project_and_runs_the_regression(page, demo):
    sign_in(page, "customer@demo.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Testing").click()
    picker = page.get_by_label("Project")
    expect(picker.locator("option")).to_have_count(1)
    expect(picker).to_contain_text("S4-LOG")
    expect(page.get_by_text("New test cycle")).to_have_count(0)  # customers do not plan cycles
    page.get_by_role("link", name="Regression – hypercare fixes").click()
    page.get_by_role("group", name="Record TC-0001").get_by_role("button", name="Pass").click()
    expect(page.locator("#pass-rate")).to_have_text("Pass rate 100% · executed 1 of 3")
    page.goto(f"/#/explore?project={demo['projects']['S4-FIN']}")  # not a member: falls back to their own
    expect(page.get_by_label("Project")).to_contain_text("S4-LOG")
    expect(page.get_by_role("region", name="Requirements table")).not_to_contain_text("Turkish cheque")


def test_import_with_a_bad_row_shows_row_and_field_and_imports_nothing(page, demo):
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/explore?project={demo['projects']['S4-FIN']}")
    table = page.get_by_role("region", name="Requirements table")
    expect(table.get_by_role("row")).to_have_count(13)
    csv = "title,module,fit_gap\nTreasury cash pooling,FI,gap\nIntercompany netting,XX,gap\n"
    page.locator("#req-import-file").set_input_files(
        files=[{"name": "workshop.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}]
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("nothing was imported")
    expect(alert).to_contain_text("row 3: module")
    expect(table.get_by_role("row")).to_have_count(13)

    good = "title,module,fit_gap\nTreasury cash pooling,FI,gap\n"
    page.locator("#req-import-file").set_input_files(
        files=[{"name": "workshop.csv", "mimeType": "text/csv", "buffer": good.encode("utf-8")}]
    )
    expect(page.get_by_role("alert")).to_contain_text("Imported: 1 created, 0 updated, 0 unchanged.")
    expect(page.get_by_role("region", name="Requirements table").get_by_role("row")).to_have_count(14)


def test_consultant_captures_a_requirement_and_sends_drafts_to_review_in_bulk(page, demo):
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/explore?project={demo['projects']['S4-FIN']}")
    page.get_by_role("button", name="New requirement").click()
    form = page.get_by_role("form", name="New requirement")
    form.get_by_label("Title").fill("Down payment requests for vendors")
    form.get_by_label("Module").select_option("FI")
    form.get_by_label("Fit/gap").select_option("partial_fit")
    form.get_by_label("Description").fill("<p>Requests <script>alert(1)</script>approved by the CFO</p>")
    form.get_by_role("button", name="Create requirement").click()
    expect(page.get_by_role("alert")).to_contain_text("REQ-0013 was created.")
    expect(page.get_by_role("heading", name=re.compile("Down payment requests for vendors"))).to_be_visible()
    expect(page.locator(".requirement-detail .prose")).to_have_text("Requests approved by the CFO")

    page.get_by_role("link", name="← All requirements").click()
    page.get_by_role("link", name=re.compile(r"^Draft")).click()  # the status chip filters the list
    table = page.get_by_role("region", name="Requirements table")
    expect(table.get_by_role("row")).to_have_count(4)  # header + REQ-0006, REQ-0012, REQ-0013
    for code in ("REQ-0006", "REQ-0012", "REQ-0013"):
        page.get_by_label(f"Select {code}").check()
    page.get_by_label("Move selected to").select_option("in_review")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("alert")).to_contain_text("3 requirements moved to In review.")
    expect(page.get_by_role("region", name="Requirement list")).to_contain_text("No requirement matches these filters.")


def test_test_cases_import_from_csv_in_the_testing_view(page, demo):
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/testing?project={demo['projects']['S4-FIN']}&tab=cases")
    expect(page.get_by_role("region", name="Test cases table")).to_be_visible()
    csv = "title,module,expected_result\nPost a vendor invoice with withholding tax,FI,Invoice posted\n"
    page.locator("#case-import-file").set_input_files(
        files=[{"name": "cases.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}]
    )
    expect(page.get_by_role("alert")).to_contain_text("Imported: 1 created")
    expect(page.get_by_role("region", name="Test cases table")).to_contain_text("withholding tax")
