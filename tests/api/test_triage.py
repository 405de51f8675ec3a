"""The triage assistant through the API (issue 19): similar incidents with their resolution for text being
typed and for an existing incident, suggestions with confidences (and who may see which), the duplicate
warning, tenant and project isolation of the index, and bad input."""

from app.extensions import db
from app.models import ProjectMember
from app.utils import tenant_context
from tests.fixtures.app import login
from tests.fixtures.triage import canonical, report, reports, solved


def _suggest(room, by="support", **body):
    response = room["api"][by].post(f"{room['url']}/triage/suggestions", json=body)
    assert response.status_code == 200, response.json
    return response.json


def _history(room):
    """Three solved reports each of three problems; two of them are about a closed period (FI and MM), so
    matching on "period closed" alone is not enough."""
    made = {}
    for key in ("fi_period_closed", "mm_period_closed", "sd_credit_block"):
        made[key] = solved(room, reports(key, "en", 2) + reports(key, "tr", 1))
    return made


def test_typed_report_finds_the_solved_incidents_of_its_problem_with_their_resolution(war_room):
    history = _history(war_room)
    fi_ids = {i["id"] for i in history["fi_period_closed"]}
    new = reports("fi_period_closed", "tr", 1, seed=7)[0]  # a new Turkish report, other numbers and noise

    answer = _suggest(war_room, title=new.title, description=new.description)

    assert answer["index"]["state"] == "ready" and answer["index"]["documents"] == 9
    top = answer["similar"][0]
    assert top["id"] in fi_ids, [s["title"] for s in answer["similar"]]
    assert top["root_cause"] and top["resolution_notes"] and top["status"] == "resolved"
    assert top["project_code"] == "LIVE" and 0 < top["score"] <= 1
    by_field = {s["field"]: s for s in answer["suggestions"]}
    assert by_field["module"]["value"] == "FI" and by_field["module"]["confidence"] >= 0.5
    assert by_field["priority"]["value"] == canonical("fi_period_closed")["priority"]
    assert by_field["assignee"]["value"] == str(war_room["users"]["support2"])
    assert by_field["assignee"]["label"] == "Support2"  # named, so the form can show who
    assert not any(s["current"] for s in answer["suggestions"])
    assert answer["duplicate"] is None  # everything of that problem is resolved


def test_suggestions_depend_on_what_the_user_may_change(war_room):
    _history(war_room)
    new = reports("sd_credit_block", "en", 1, seed=9)[0]
    customer = _suggest(war_room, by="customer", title=new.title, description=new.description)
    assert {s["field"] for s in customer["suggestions"]} == {"module", "priority"}  # customers do not assign
    assert customer["similar"], "customers see how their project solved it before"
    viewer = war_room["api"]["viewer"].post(f"{war_room['url']}/triage/suggestions", json={"title": new.title})
    assert viewer.status_code == 403


def test_too_little_text_asks_nothing(war_room):
    answer = _suggest(war_room, title="ab")
    assert answer["similar"] == [] and answer["suggestions"] == [] and answer["duplicate"] is None


def test_a_near_copy_in_another_tenant_is_never_suggested(app, war_room, tenant_b, make_user, make_project):
    """Tenant B holds the very report tenant A types; A's index is built from A's incidents only."""
    from app.services.hypercare_triage import store
    from app.services.triage.documents import ScopeMismatch
    from app.services.triage.tfidf import TfidfIndex

    _history(war_room)
    secret = reports("fi_period_closed", "en", 1, seed=3)[0]
    project_b = make_project(tenant_b["tenant_id"], "BRAVO", phase="run")
    make_user(tenant_b["tenant_id"], "support@bravo.test", "support")
    room_b = {
        "api": {"support": login(war_room["api"]["support"].client, "support@bravo.test")},
        "url": f"/api/v1/projects/{project_b}/hypercare",
    }
    b_incident = report(room_b, secret)
    _suggest(room_b, title=secret.title)  # B's own index is built too, beside A's

    answer = _suggest(war_room, title=secret.title, description=secret.description)
    assert answer["similar"], "A's own FI incidents are found"
    assert b_incident["id"] not in {s["id"] for s in answer["similar"]}
    assert answer["duplicate"] is None or answer["duplicate"]["id"] != b_incident["id"]

    with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"]):
        state_a = store.state()
        assert b_incident["id"] not in store.manifest(state_a)
        blob = b"".join(
            row.data
            for row in db.session.execute(
                db.select(store.TriageIndexChunk).order_by(store.TriageIndexChunk.seq)
            ).scalars()
        )
    assert TfidfIndex.load(blob, str(war_room["tenant_id"])).ids()  # A's blob loads under A's scope ...
    try:
        TfidfIndex.load(blob, str(tenant_b["tenant_id"]))  # ... and never under B's
        raise AssertionError("A's index loaded as B's")
    except ScopeMismatch:
        pass
    # B asking with A's wording finds only B's incident.
    mine = _suggest(room_b, title=reports("fi_period_closed", "en", 1, seed=4)[0].title)
    assert {s["id"] for s in mine["similar"]} <= {b_incident["id"]}


def test_a_customer_never_sees_incidents_of_a_project_they_are_not_a_member_of(app, war_room, make_project):
    other = make_project(war_room["tenant_id"], "OTHER", phase="run")
    hidden = solved(war_room, reports("sd_credit_block", "en", 2), project_url=f"/api/v1/projects/{other}/hypercare")
    new = reports("sd_credit_block", "en", 1, seed=11)[0]

    staff = _suggest(war_room, by="support", title=new.title, description=new.description)
    assert {s["id"] for s in staff["similar"]} & {h["id"] for h in hidden}, "staff see every project of the firm"
    assert staff["similar"][0]["project_code"] == "OTHER"
    customer = _suggest(war_room, by="customer", title=new.title, description=new.description)
    assert not {s["id"] for s in customer["similar"]} & {h["id"] for h in hidden}
    with app.app_context(), tenant_context.tenant_scope(war_room["tenant_id"]):
        db.session.add(ProjectMember(project_id=other, user_id=war_room["users"]["customer"]))
        db.session.commit()
    member = _suggest(war_room, by="customer", title=new.title, description=new.description)
    assert {s["id"] for s in member["similar"]} & {h["id"] for h in hidden}


def test_the_incident_page_offers_its_open_twin_as_duplicate_and_not_itself(war_room, make_project):
    _history(war_room)
    first, second = reports("ewm_task_not_created", "en", 2, seed=5)
    original = report(war_room, first)
    duplicate = report(war_room, second, by="customer")
    other = make_project(war_room["tenant_id"], "OTHER", phase="run")
    elsewhere = report(war_room, first, project_url=f"/api/v1/projects/{other}/hypercare")  # same text, other go-live

    answer = war_room["api"]["support"].get(f"{war_room['url']}/incidents/{duplicate['id']}/triage").json
    assert duplicate["id"] not in {s["id"] for s in answer["similar"]}
    assert answer["duplicate"]["id"] == original["id"] and answer["duplicate"]["number"] == original["number"]
    assert elsewhere["id"] in {s["id"] for s in answer["similar"]}, "similar spans projects; duplicates do not"
    module = next(s for s in answer["suggestions"] if s["field"] == "module")
    assert module["value"] == "EWM" and module["current"] is True  # reported as EWM already

    typed = _suggest(war_room, by="customer", title=first.title, description=first.description)
    assert typed["duplicate"]["id"] in {original["id"], duplicate["id"]}

    linked = war_room["api"]["customer"].post(
        f"{war_room['url']}/incidents/{duplicate['id']}/links", json={"target_id": original["id"]}
    )
    assert linked.status_code == 201, linked.json
    again = war_room["api"]["support"].get(f"{war_room['url']}/incidents/{duplicate['id']}/triage").json
    assert again["duplicate"] is None, "an incident already linked is not offered again"


def test_customers_see_no_suggestions_on_an_existing_incident(war_room):
    _history(war_room)
    mine = report(war_room, reports("sd_credit_block", "en", 1, seed=2)[0], by="customer")
    answer = war_room["api"]["customer"].get(f"{war_room['url']}/incidents/{mine['id']}/triage").json
    assert answer["suggestions"] == [] and answer["similar"]


def test_resolving_and_reopening_moves_an_incident_in_and_out_of_the_duplicate_candidates(war_room):
    first, second = reports("basis_printer", "en", 2, seed=6)
    original = report(war_room, first)
    ask = {"title": first.title, "description": second.description}  # the same failure, told by someone else
    assert _suggest(war_room, **ask)["duplicate"]["id"] == original["id"]
    war_room["api"]["support"].post(
        f"{war_room['url']}/incidents/{original['id']}/resolve",
        json={"root_cause": "Spool", "root_cause_category": "config"},
    )
    assert _suggest(war_room, **ask)["duplicate"] is None
    current = war_room["api"]["support"].get(f"{war_room['url']}/incidents/{original['id']}")
    reopened = war_room["api"]["support"].patch(
        f"{war_room['url']}/incidents/{original['id']}",
        json={"status": "in_progress"},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert reopened.status_code == 200, reopened.json
    assert _suggest(war_room, **ask)["duplicate"]["id"] == original["id"]


def test_bad_input_is_refused_with_field_errors(war_room):
    url = f"{war_room['url']}/triage/suggestions"
    too_long = war_room["api"]["support"].post(url, json={"title": "x" * 256})
    assert too_long.status_code == 422 and "title" in too_long.json["errors"]
    unknown = war_room["api"]["support"].post(url, json={"title": "Printer", "severity": "p1"})
    assert unknown.status_code == 422 and "severity" in unknown.json["errors"]
    module = war_room["api"]["support"].post(url, json={"title": "Printer", "affected_module": "not a module!"})
    assert module.status_code == 422 and "affected_module" in module.json["errors"]
    not_json = war_room["api"]["support"].post(url, data="title=x", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 415


def test_the_openapi_document_describes_the_triage_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    base = "/api/v1/projects/{project_id}/hypercare"
    suggestions = spec["paths"][f"{base}/triage/suggestions"]["post"]
    assert suggestions["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TriageText")
    assert suggestions["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/TriageAdvice")
    assert "similar" in spec["components"]["schemas"]["TriageAdvice"]["properties"]
    for path, method in (
        (f"{base}/incidents/{{incident_id}}/triage", "get"),
        (f"{base}/incidents/{{incident_id}}/triage/outcomes", "post"),
        (f"{base}/triage/acceptance", "get"),
        (f"{base}/incidents/{{incident_id}}/links", "post"),
        (f"{base}/incidents/{{incident_id}}/links/{{link_id}}", "delete"),
    ):
        assert spec["paths"][path][method]["tags"] == ["hypercare-triage"]
    assert spec["paths"][f"{base}/incidents/{{incident_id}}/links"]["post"]["responses"]["201"]
