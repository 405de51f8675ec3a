"""Attachments and discussions in the browser: upload, preview, download and delete (with Undo) on a detail page,
a refused renamed program, a discussion comment with an @mention, a screenshot pasted into (and one dropped on)
the new-incident form, the keyboard path through the panel, and the panels at phone width."""

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.app import login
from tests.fixtures.attachments import EXE, PDF, png_bytes
from tests.fixtures.browser import DEMO_PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("local_store")]


def _api(live_server, email):
    return login(live_server.app.test_client(), email, DEMO_PASSWORD)


def _first(api, url, **match):
    items = api.get(url, query_string={"limit": 200}).json["items"]
    return next(item for item in items if all(item.get(k) == v for k, v in match.items()))


def _requirement_page(page, demo, live_server, email="consultant@demo.test"):
    fin = demo["projects"]["S4-FIN"]
    requirement = _first(_api(live_server, email), f"/api/v1/projects/{fin}/requirements", code="REQ-0001")
    sign_in(page, email)
    page.goto(f"/#/explore?project={fin}&req={requirement['id']}")
    return fin, requirement


def test_upload_preview_download_and_delete_on_a_requirement(page, demo, live_server, tmp_path):
    _requirement_page(page, demo, live_server)
    panel = page.get_by_role("region", name=re.compile(r"^Attachments"))
    expect(panel).to_contain_text("No files attached yet.")
    expect(panel.get_by_text(re.compile(r"Accepted: .*PDF document.*Up to 10\.0 MB per file"))).to_be_visible()

    panel.get_by_label("Add files").set_input_files(
        [
            {"name": "screen.png", "mimeType": "image/png", "buffer": png_bytes(900, 600)},
            {"name": "spec.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ]
    )
    panel.get_by_role("button", name="Upload").click()
    expect(panel.get_by_role("heading", name="Attachments (2)")).to_be_visible()
    expect(panel).to_contain_text("Elif Şahin")

    # Preview: our own thumbnail, in a dialog; Escape closes it and the focus returns to the thumbnail.
    panel.get_by_role("button", name="Preview screen.png").click()
    dialog = page.get_by_role("dialog", name="screen.png")
    image = dialog.get_by_role("img", name="Preview of screen.png")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=image.element_handle())
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(panel.get_by_role("button", name="Preview screen.png")).to_be_focused()

    # Download: the stored bytes, under the uploaded name.
    with page.expect_download() as info:
        panel.get_by_role("link", name="Download spec.pdf").click()
    download = info.value
    assert download.suggested_filename == "spec.pdf"
    saved = tmp_path / "spec.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == PDF

    # Delete, then Undo.
    panel.get_by_role("button", name="Delete spec.pdf").click()
    expect(panel.get_by_role("heading", name="Attachments (1)")).to_be_visible()
    panel.get_by_role("button", name="Undo").click()
    expect(panel.get_by_role("heading", name="Attachments (2)")).to_be_visible()
    expect(panel).to_contain_text("spec.pdf is back.")


def test_a_renamed_program_is_refused_with_the_servers_reason(page, demo, live_server):
    _requirement_page(page, demo, live_server)
    panel = page.get_by_role("region", name=re.compile(r"^Attachments"))
    panel.get_by_label("Add files").set_input_files({"name": "holiday.png", "mimeType": "image/png", "buffer": EXE})
    panel.get_by_role("button", name="Upload").click()
    expect(panel.get_by_role("alert")).to_contain_text("its content is a Windows program")
    expect(panel).to_contain_text("No files attached yet.")


def test_the_panel_works_from_the_keyboard(page, demo, live_server):
    _requirement_page(page, demo, live_server)
    panel = page.get_by_role("region", name=re.compile(r"^Attachments"))
    panel.get_by_label("Add files").set_input_files(
        {"name": "shot.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    panel.get_by_label("Add files").focus()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Upload")).to_be_focused()
    page.keyboard.press("Enter")
    preview = panel.get_by_role("button", name="Preview shot.png")
    expect(preview).to_be_visible()
    preview.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="shot.png")).to_be_visible()
    expect(page.get_by_role("dialog").get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_a_discussion_comment_mentions_a_project_member(page, demo, live_server):
    fin, requirement = _requirement_page(page, demo, live_server)
    thread = page.get_by_role("region", name="Discussion")
    expect(thread).to_contain_text("No comments yet.")
    thread.get_by_label("Comment").fill("Please review the approval steps")
    thread.get_by_label("Mention").select_option(label="Mehmet Kaya (@pm)")
    thread.get_by_role("button", name="Insert mention").click()
    expect(thread.get_by_label("Comment")).to_have_value("Please review the approval steps @pm ")
    thread.get_by_label("Internal note (the customer does not see it)").check()
    thread.get_by_role("button", name="Add comment").click()
    expect(thread).to_contain_text("Please review the approval steps @pm")
    expect(thread).to_contain_text("Notified: Mehmet Kaya")
    expect(thread.get_by_text("Internal", exact=True)).to_be_visible()

    pm = _api(live_server, "pm@demo.test")
    note = pm.get("/api/v1/notifications").json["items"][0]
    assert note["kind"] == "mention" and note["payload"]["object_id"] == requirement["id"]

    # The mentioned member's bell leads to the requirement.
    page.context.clear_cookies()
    sign_in(page, "pm@demo.test")
    page.get_by_role("button", name=re.compile(r"^Notifications, \d+ unread")).click()
    page.get_by_role("button", name=re.compile(r"Elif Şahin mentioned you on REQ-0001")).click()
    page.wait_for_url(re.compile(rf"#/explore\?project={fin}&req={requirement['id']}"))
    expect(page.get_by_role("region", name="Discussion")).to_contain_text("Notified: Mehmet Kaya")


_PASTE = """([base64, name, kind]) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const target = document.querySelector("form[aria-label='New incident'] textarea");
  const event = kind === "paste"
    ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
    : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
}"""


def test_the_incident_form_takes_a_pasted_and_a_dropped_screenshot(page, demo, live_server):
    log = demo["projects"]["S4-LOG"]
    sign_in(page, "customer@demo.test")
    page.goto(f"/#/hypercare?project={log}")
    page.get_by_role("button", name="New incident").click()
    form = page.get_by_role("form", name="New incident")
    form.get_by_label("Title").fill("Goods receipt screen shows an error")
    encoded = base64.b64encode(png_bytes(1200, 700)).decode()
    page.evaluate(_PASTE, [encoded, "image.png", "paste"])  # a clipboard image arrives as "image.png"
    page.evaluate(_PASTE, [encoded, "error-dialog.png", "drop"])
    screenshots = form.get_by_role("group", name="Screenshots")
    expect(screenshots).to_contain_text("screenshot-1.png")
    expect(screenshots).to_contain_text("error-dialog.png")
    expect(form.get_by_label("Title")).to_have_value("Goods receipt screen shows an error")  # nothing pasted as text
    form.get_by_role("button", name="Report incident").click()
    reported = page.get_by_role("alert").filter(has_text="was reported")
    expect(reported).to_be_visible()
    number = re.search(r"INC-\d+", reported.inner_text()).group(0)

    page.get_by_role("link", name=number, exact=True).click()
    panel = page.get_by_role("region", name=re.compile(r"^Attachments"))
    expect(panel.get_by_role("heading", name="Attachments (2)")).to_be_visible()
    expect(panel.get_by_role("button", name="Preview screenshot-1.png")).to_be_visible()


def test_change_request_test_case_and_execution_pages_carry_the_panels(page, demo, live_server):
    log, fin = demo["projects"]["S4-LOG"], demo["projects"]["S4-FIN"]
    consultant = _api(live_server, "consultant@demo.test")
    cr = consultant.post(
        f"/api/v1/projects/{log}/hypercare/change-requests", json={"title": "New storage type", "change_type": "config"}
    ).json
    sign_in(page, "consultant@demo.test")
    page.goto(f"/#/hypercare?project={log}")
    page.get_by_role("link", name=f"Open {cr['cr_number']}: files and discussion").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New storage type")
    page.get_by_role("region", name=re.compile(r"^Attachments")).get_by_label("Add files").set_input_files(
        {"name": "impact.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Attachments (1)")).to_be_visible()
    expect(page.get_by_role("region", name="Discussion")).to_be_visible()

    page.goto(f"/#/testing?project={fin}&tab=cases")
    page.get_by_role("link", name="TC-0001").click()
    expect(page.get_by_role("region", name=re.compile(r"^Attachments"))).to_contain_text("No files attached yet.")

    cycle = _first(consultant, f"/api/v1/projects/{fin}/test-cycles")
    page.goto(f"/#/testing?project={fin}&cycle={cycle['id']}")
    page.locator("tr.execution-row").first.focus()
    page.keyboard.press("e")
    evidence = page.get_by_role("region", name=re.compile(r"^Evidence for TC-"))
    expect(evidence).to_contain_text("No files attached yet.")


def test_the_panels_fit_a_phone(new_page, demo, live_server):
    page = new_page(width=390, height=844)
    _requirement_page(page, demo, live_server)
    panel = page.get_by_role("region", name=re.compile(r"^Attachments"))
    panel.get_by_label("Add files").set_input_files(
        {
            "name": "a-rather-long-file-name-from-the-customers-scanner-2026-03-02.pdf",
            "mimeType": "application/pdf",
            "buffer": PDF,
        }
    )
    panel.get_by_role("button", name="Upload").click()
    expect(panel.get_by_role("heading", name="Attachments (1)")).to_be_visible()
    expect(page.get_by_role("region", name="Discussion").get_by_role("button", name="Add comment")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
