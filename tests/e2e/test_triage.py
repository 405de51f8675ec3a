"""The triage assistant in the browser (issue 19): suggestions and similar incidents while a new incident is
typed in the war room's form, "link as duplicate" from its warning, and the assistant's card on an incident's
page where a suggestion is accepted with a click. The demo war room's history comes from the triage corpus."""

import re

import pytest
from playwright.sync_api import expect

from app.demo import triage as triage_demo
from app.demo.triage_corpus import demo_incidents
from tests.fixtures.app import login
from tests.fixtures.browser import ARTIFACTS, DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e


def _open_demo_incident(app, demo):
    """The demo's one open report of a recurring problem (the duplicate candidate), and an API client."""
    api = login(app.test_client(), "support2@demo.test", DEMO_PASSWORD)
    url = f"/api/v1/projects/{demo['projects']['S4-LOG']}/hypercare"
    titles = {c.title: c for c in demo_incidents(triage_demo.COUNT)}
    listed = api.get(f"{url}/incidents", query_string={"limit": 200}).json["items"]
    still_open = next(i for i in listed if i["title"] in titles and i["status"] not in ("resolved", "closed"))
    # `flask seed-demo` builds the index before anyone types; the test's demo is seeded without it.
    assert api.post(f"{url}/triage/suggestions", json={"title": "warm up"}).json["index"]["state"] == "ready"
    return api, url, still_open, titles[still_open["title"]]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_new_incident_form_suggests_while_typing_and_links_a_duplicate(new_page, app, demo, width):
    api, url, still_open, labelled = _open_demo_incident(app, demo)
    page = new_page(width=width, height=900)
    sign_in(page, "support2@demo.test")
    page.goto(f"/#/hypercare?project={demo['projects']['S4-LOG']}")
    expect(page.get_by_role("heading", level=1, name="Hypercare war room")).to_be_visible()
    page.get_by_role("button", name="New incident").click()
    form = page.get_by_role("form", name="New incident")
    form.get_by_label("Title").fill(labelled.title)
    form.get_by_label("What happened?").fill("Same again this morning, now for another purchase order.")

    panel = form.locator(".triage-panel")
    expect(panel.locator(".triage-duplicate")).to_contain_text(
        f"Possible duplicate: {still_open['number']}", timeout=15_000
    )  # after the typing pause, on a busy machine
    expect(panel.locator(".triage-similar-item").first).to_be_visible()
    expect(panel.get_by_role("status")).to_contain_text(re.compile(r"\d+ similar incidents?"))
    module = panel.locator(".triage-suggestion[data-field=module]")
    expect(module).to_contain_text(f"Module: {labelled.module}")
    expect(module).to_contain_text("confident")
    expect(form.get_by_label("Module")).to_have_value("")  # nothing is filled in until asked
    module.get_by_role("button", name="Use").click()
    expect(form.get_by_label("Module")).to_have_value(labelled.module)
    resolved = panel.locator(".triage-similar-item").filter(has=page.get_by_text("Resolved", exact=True)).first
    resolved.locator("summary").click()
    expect(resolved).to_contain_text("Root cause:")
    if width == 390:
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the form with the assistant scrolls sideways by {overflow}px at 390px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"triage-form-{width}.png"), full_page=True)

    panel.get_by_role("button", name=f"Report and link as duplicate of {still_open['number']}").click()
    expect(page.locator(".alert-success")).to_contain_text(
        re.compile(rf"INC-\d+ was reported. Linked as a duplicate of {still_open['number']}")
    )
    number = re.search(r"(INC-\d+) was reported", page.locator(".alert-success").inner_text()).group(1)

    links = api.get(f"{url}/incidents/{still_open['id']}/links").json["items"]
    assert [link["incident"]["number"] for link in links] == [number]
    report = {f["field"]: f for f in api.get(f"{url}/triage/acceptance").json["fields"]}
    assert report["module"]["accepted"] == 1 and report["duplicate"]["accepted"] == 1


def test_the_incident_page_shows_similar_incidents_and_accepts_a_suggestion_with_a_click(new_page, app, demo):
    api, url, still_open, labelled = _open_demo_incident(app, demo)
    created = api.post(
        f"{url}/incidents",
        json={
            "title": labelled.title,
            "description": labelled.description,
            "priority": "p4",
            "affected_module": "OTHER",
        },
    )
    assert created.status_code == 201, created.json
    incident = created.json

    page = new_page()
    sign_in(page, "support2@demo.test")
    page.goto(f"/#/hypercare?project={demo['projects']['S4-LOG']}&incident={incident['id']}")
    card = page.locator(".triage-card")
    expect(card.get_by_role("heading", name="Triage assistant")).to_be_visible()
    expect(card.locator(".triage-similar-item").first).to_be_visible()
    expect(card.locator(".triage-duplicate")).to_contain_text(still_open["number"])
    suggestion = card.locator(".triage-suggestion[data-field=module]")
    expect(suggestion).to_contain_text(f"Module: {labelled.module}")
    suggestion.get_by_role("button", name="Accept").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Module: {labelled.module} accepted")
    expect(page.locator(".facts")).to_contain_text(labelled.module)
    expect(card.locator(".triage-suggestion[data-field=module]")).to_have_count(0)  # nothing left to accept

    card.get_by_role("button", name=f"Link as duplicate of {still_open['number']}").click()
    expect(card.locator(".triage-links")).to_contain_text(f"Duplicate of {still_open['number']}")
    expect(page.locator(".timeline")).to_contain_text(f"Linked as a duplicate of {still_open['number']}")
    saved = api.get(f"{url}/incidents/{incident['id']}").json
    assert saved["affected_module"] == labelled.module and saved["priority"] == "p4", "only what was accepted changed"
    report = {f["field"]: f for f in api.get(f"{url}/triage/acceptance").json["fields"]}
    assert report["module"]["accepted"] == 1 and report["duplicate"]["accepted"] == 1
