"""The Cutover view's runbooks in the browser (issue 18): the demo runbook's activity table and Gantt chart with
its critical path, a refused cycle shown next to the predecessors, a new rehearsal worked from the live board by
keyboard, the board refreshing itself with another owner's move, adopting Mock 1's durations, and the go/no-go
with segregation of duties — at desktop and phone width."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.app import login
from tests.fixtures.browser import ARTIFACTS, DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e


def _runbook(page, demo, section="plan"):
    page.goto(f"/#/cutover?project={demo['projects']['S4-FIN']}&tab=runbooks")
    expect(page.get_by_role("link", name="Runbooks")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Go-live weekend").click()
    expect(page.get_by_role("heading", level=2, name="Go-live weekend")).to_be_visible()
    if section != "plan":
        page.get_by_role("navigation", name="Runbook sections").get_by_role("link", name=section).click()


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_plan_shows_every_activity_its_dependencies_and_the_critical_path(new_page, demo, width):
    page = new_page(width=width, height=900)
    sign_in(page, "pm@demo.test")
    _runbook(page, demo)
    table = page.get_by_role("region", name="Activities")
    expect(table.locator("tbody tr")).to_have_count(60)
    load = table.locator("tr[data-code='MIG-13']")
    expect(load).to_contain_text("Load customer open items")
    expect(load).to_contain_text("MIG-10, MIG-12")  # its predecessors, by code
    expect(table.locator("tr[data-code='PRE-07']")).to_contain_text("Critical path")
    expect(table.locator("tr[data-code='SYS-03']")).to_contain_text("Not before")
    chart = page.get_by_role("img", name=re.compile(r"Gantt chart of the plan: 60 activities"))
    expect(chart).to_have_attribute("aria-label", re.compile(r"critical path PRE-07, PRE-08, .*GNG-07"))
    expect(chart.locator(".on-path")).to_have_count(20)  # ties make a few more activities critical
    expect(page.locator(".gantt-note")).to_contain_text("Now is before the plan")
    expect(page.locator(".facts").last).to_contain_text("30 h 15 min")
    scroller = page.get_by_role("region", name=re.compile("Gantt chart of the plan"))
    scroller.focus()
    expect(scroller).to_be_focused()  # reachable by keyboard, scrolls sideways on a phone
    overflow = page.evaluate(
        "(() => { const m = document.querySelector('main'); return m.scrollWidth - m.clientWidth; })()"
    )
    assert overflow <= 1, "the view itself must not scroll sideways; only the chart and the table do"
    _shot(page, f"cutover-plan-{width}")


def test_a_dependency_cycle_is_refused_next_to_the_predecessors_and_a_new_activity_joins_the_plan(new_page, demo):
    page = new_page()
    sign_in(page, "pm@demo.test")
    _runbook(page, demo)
    page.get_by_role("button", name="Edit PRE-02").click()
    form = page.get_by_role("form", name="Edit PRE-02")
    form.get_by_label("Predecessors").select_option(label="GNG-07 · Go-live")  # the very end: a cycle
    form.get_by_role("button", name="Save activity").click()
    error = form.locator(".field-error")
    expect(error).to_contain_text("cycle")
    expect(error).to_contain_text("PRE-02")
    expect(form.get_by_label("Predecessors")).to_have_attribute("aria-invalid", "true")
    form.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Edit PRE-02")).to_be_focused()  # back where the user was
    table = page.get_by_role("region", name="Activities")
    expect(table.locator("tr[data-code='PRE-02']")).to_contain_text("PRE-01")

    page.get_by_role("button", name="New activity").click()
    form = page.get_by_role("form", name="New activity")
    form.get_by_label("Title").fill("Archive the cutover log")
    form.get_by_label("Duration (minutes)").fill("15")
    form.get_by_label("Predecessors").select_option(label="GNG-07 · Go-live")
    form.get_by_role("button", name="Add activity").click()
    expect(page.locator(".alert-success")).to_contain_text("CUT-001 was added")
    expect(table.locator("tr[data-code='CUT-001']")).to_contain_text("GNG-07")
    expect(table.locator("tbody tr")).to_have_count(61)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rehearsal_is_worked_from_the_board_by_keyboard_and_it_refreshes_itself(new_page, app, demo, width):
    page = new_page(width=width, height=900)
    page.clock.install()
    sign_in(page, "pm@demo.test")
    _runbook(page, demo, "Runs")
    expect(page.get_by_role("heading", name="Mock 1 · Completed")).to_be_visible()
    page.get_by_role("button", name="Start a rehearsal").click()
    expect(page.locator(".alert-success")).to_contain_text("Mock 2 is under way")
    expect(page.get_by_role("heading", name="Mock 2 · Under way")).to_be_visible()
    board = page.get_by_role("region", name="Board")
    finish = board.get_by_role("button", name="Finish PRE-01")
    finish.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("PRE-01 is done")
    expect(board.locator("tr[data-code='PRE-01']")).to_have_attribute("data-status", "done")
    start = board.get_by_role("button", name="Start PRE-02")
    start.focus()
    page.keyboard.press("Enter")
    expect(board.locator("tr[data-code='PRE-02']")).to_have_attribute("data-status", "running")
    expect(page.locator(".tile-running")).to_contain_text("PRE-02")
    expect(board.locator("tr[data-code='PRE-04']")).to_contain_text("Waits for its predecessors")
    run_chart = page.get_by_role("img", name=re.compile("Mock 2: forecast against now"))
    expect(run_chart.locator(".gantt-now")).to_have_count(1)  # the today line of a run under way

    # The go/no-go owner finishes PRE-02 from elsewhere; the board shows it at the next self-refresh.
    runbook_url = page.evaluate("location.hash")
    run_id = re.search(r"run=([0-9a-f-]{36})", page.locator("a[aria-current='true']").get_attribute("href")).group(1)
    project_id = demo["projects"]["S4-FIN"]
    runbook_id = re.search(r"runbook=([0-9a-f-]{36})", runbook_url).group(1)
    pm_api = login(app.test_client(), "pm@demo.test", DEMO_PASSWORD)
    plan = pm_api.get(f"/api/v1/projects/{project_id}/cutover/runbooks/{runbook_id}/schedule").json
    pre02 = next(a for a in plan["activities"] if a["code"] == "PRE-02")
    moved = pm_api.post(
        f"/api/v1/projects/{project_id}/cutover/runbooks/{runbook_id}/runs/{run_id}/activities/{pre02['id']}/finish"
    )
    assert moved.status_code == 200, moved.json
    page.get_by_role("heading", name="Mock 2 · Under way").click()  # focus off the buttons
    page.clock.run_for(21_000)
    expect(board.locator("tr[data-code='PRE-02']")).to_have_attribute("data-status", "done")
    expect(board.get_by_role("button", name="Start PRE-04")).to_be_visible()
    _shot(page, f"cutover-board-{width}")


def test_mock_ones_durations_are_adopted_into_the_plan(new_page, demo):
    page = new_page()
    sign_in(page, "consultant@demo.test")
    _runbook(page, demo, "Runs")
    panel = page.locator(".adopt-panel")
    panel.locator("summary").click()
    expect(panel).to_contain_text("MIG-13")
    panel.get_by_role("button", name="Adopt actual durations").click()
    expect(page.locator(".alert-success")).to_contain_text("planned durations now follow Mock 1")
    expect(page.locator(".adopt-panel")).to_have_count(0)
    expect(page.get_by_text(re.compile("Actual durations adopted into the plan"))).to_be_visible()
    page.get_by_role("navigation", name="Runbook sections").get_by_role("link", name="Plan").click()
    expect(page.get_by_role("region", name="Activities").locator("tr[data-code='MIG-13']")).to_contain_text(
        "4 h 48 min"
    )


def test_go_no_go_signed_by_owners_and_decided_by_an_approver_who_did_not_write_it(new_page, demo):
    pm = new_page()
    sign_in(pm, "pm@demo.test")
    _runbook(pm, demo, "Go / no-go")
    expect(pm.get_by_role("table", name="Go/no-go criteria").locator("tbody tr")).to_have_count(7)
    expect(pm.get_by_role("form", name="Go/no-go decision")).to_have_count(0)  # the PM is no decider

    finance = new_page()
    sign_in(finance, "fi.consultant@demo.test")
    _runbook(finance, demo, "Go / no-go")
    finance.get_by_role(
        "button", name="Met: Trial balance reconciled without unexplained differences", exact=True
    ).click()
    expect(finance.locator(".alert-success")).to_contain_text("Signed off as met")
    expect(finance.get_by_role("button", name=re.compile("Met: Rollback plan"))).to_have_count(0)  # not theirs

    approver = new_page(width=390, height=900)
    sign_in(approver, "approver@demo.test")
    _runbook(approver, demo, "Go / no-go")
    form = approver.get_by_role("form", name="Go/no-go decision")
    expect(form.get_by_label("Decision")).to_have_value("no_go")
    form.get_by_role("button", name="Record the decision").click()
    expect(form.locator(".field-error")).to_contain_text("why not")
    form.get_by_label("Conditions or reasons").fill("Customer open items not reconciled yet")
    form.get_by_role("button", name="Record the decision").click()
    expect(approver.locator(".alert-success")).to_contain_text("No-go recorded")
    expect(approver.locator(".runbook-head")).to_contain_text("No-go")
    _shot(approver, "cutover-gonogo-390")


def test_the_runbook_goes_out_to_excel_and_back_unchanged(new_page, demo, tmp_path):
    from openpyxl import load_workbook

    page = new_page()
    sign_in(page, "pm@demo.test")
    _runbook(page, demo)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export .xlsx").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "S4-FIN-Go-live-weekend.xlsx"
    sheet = load_workbook(saved)["Runbook"]
    assert sheet.max_row == 61 and sheet["A2"].value == "PRE-01"
    page.locator("#runbook-import-file").set_input_files(str(saved))
    expect(page.locator(".alert-success")).to_contain_text("0 new, 0 updated, 60 unchanged")
