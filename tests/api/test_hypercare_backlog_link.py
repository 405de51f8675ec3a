"""Incidents linked to the WRICEF item that caused them (seed 002 §4.1 linked_backlog_item_id): same project and
tenant only (a field error otherwise, never a 500 and never a leak), visible in the audit history and the
timeline, filterable in the war room, and counted on the backlog item."""

from datetime import timedelta

from tests.fixtures.hypercare import new_incident


def _item(api, project_id, title="Output determination for deliveries", wricef_type="enhancement"):
    response = api.post(
        f"/api/v1/projects/{project_id}/backlog-items",
        json={"wricef_type": wricef_type, "title": title, "module": "SD"},
    )
    assert response.status_code == 201, response.json
    return response.json


def test_link_on_create_shows_the_item_and_counts_on_the_backlog(war_room, frozen):
    pm, project_id = war_room["api"]["pm"], war_room["project_id"]
    item = _item(pm, project_id)
    incident = new_incident(war_room, "p2", linked_backlog_item_id=item["id"])
    assert incident["linked_backlog_item_id"] == item["id"]
    assert incident["linked_backlog_item"] == {
        "id": item["id"],
        "code": item["code"],
        "title": item["title"],
        "status": "new",
    }
    plain = new_incident(war_room, "p3")
    assert plain["linked_backlog_item_id"] is None and plain["linked_backlog_item"] is None
    read = pm.get(f"/api/v1/projects/{project_id}/backlog-items/{item['id']}")
    assert read.json["incident_count"] == 1
    other = _item(pm, project_id, "Route determination", "interface")
    page = pm.get(f"/api/v1/projects/{project_id}/backlog-items").json["items"]
    listed = {i["code"]: i["incident_count"] for i in page}
    assert listed == {item["code"]: 1, other["code"]: 0}


def test_link_and_unlink_on_update_are_in_the_history_and_the_timeline(war_room, frozen):
    api, url, project_id = war_room["api"], war_room["url"], war_room["project_id"]
    item = _item(api["pm"], project_id)
    incident = new_incident(war_room, "p3")
    linked = api["support"].patch(f"{url}/incidents/{incident['id']}", json={"linked_backlog_item_id": item["id"]})
    assert linked.status_code == 200, linked.json
    assert linked.json["linked_backlog_item"]["code"] == item["code"]
    frozen.advance(timedelta(minutes=1))
    unlinked = api["support"].patch(f"{url}/incidents/{incident['id']}", json={"linked_backlog_item_id": None})
    assert unlinked.status_code == 200, unlinked.json
    assert unlinked.json["linked_backlog_item_id"] is None and unlinked.json["linked_backlog_item"] is None
    history = api["pm"].get(f"/api/v1/audit/HypercareIncident/{incident['id']}/history").json["items"]
    moves = [
        (c["left"], c["right"])
        for version in history
        for c in version["changes"]
        if c["property"] == "linked_backlog_item_id"
    ]
    assert (None, item["id"]) in moves and (item["id"], None) in moves
    timeline = [
        e["text"]
        for e in api["pm"].get(f"{url}/incidents/{incident['id']}").json["timeline"]
        if e["type"] == "linked_backlog_item_id"
    ]
    assert timeline == [f"backlog item: none → {item['code']}", f"backlog item: {item['code']} → none"]


def test_another_projects_item_is_a_field_error(war_room, frozen, make_project):
    api, url = war_room["api"], war_room["url"]
    other_project = make_project(war_room["tenant_id"], "OTHER")
    foreign = _item(api["admin"], other_project)
    created = api["support"].post(f"{url}/incidents", json={"title": "x", "linked_backlog_item_id": foreign["id"]})
    assert created.status_code == 422 and "linked_backlog_item_id" in created.json["errors"], created.json
    incident = new_incident(war_room, "p3")
    updated = api["support"].patch(f"{url}/incidents/{incident['id']}", json={"linked_backlog_item_id": foreign["id"]})
    assert updated.status_code == 422 and "linked_backlog_item_id" in updated.json["errors"], updated.json
    assert (
        api["support"].patch(f"{url}/incidents/{incident['id']}", json={"linked_backlog_item_id": "nope"}).status_code
        == 422
    )


def test_another_tenants_item_is_the_same_field_error_never_a_500(war_room, frozen, admin_b, tenant_b, make_project):
    api, url = war_room["api"], war_room["url"]
    b_item = _item(admin_b, make_project(tenant_b["tenant_id"], "BLIVE"))
    created = api["support"].post(f"{url}/incidents", json={"title": "x", "linked_backlog_item_id": b_item["id"]})
    assert created.status_code == 422, created.json
    assert created.json["errors"] == {"linked_backlog_item_id": ["No such backlog item in this project."]}
    incident = new_incident(war_room, "p3")
    updated = api["support"].patch(f"{url}/incidents/{incident['id']}", json={"linked_backlog_item_id": b_item["id"]})
    assert updated.status_code == 422 and updated.json["errors"] == created.json["errors"]
    # tenant B's backlog read never counts tenant A's incidents, and A's filter on B's id finds nothing
    assert (
        admin_b.get(f"/api/v1/projects/{b_item['project_id']}/backlog-items/{b_item['id']}").json["incident_count"] == 0
    )
    assert api["pm"].get(f"{url}/incidents?backlog_item={b_item['id']}").json["total"] == 0


def test_customers_report_but_do_not_link(war_room, frozen):
    item = _item(war_room["api"]["pm"], war_room["project_id"])
    refused = war_room["api"]["customer"].post(
        f"{war_room['url']}/incidents", json={"title": "x", "linked_backlog_item_id": item["id"]}
    )
    assert refused.status_code == 403


def test_list_filter_by_backlog_item_without_n_plus_one(war_room, frozen, count_queries):
    pm, url, project_id = war_room["api"]["pm"], war_room["url"], war_room["project_id"]
    items = [_item(pm, project_id, f"Item {n}") for n in range(5)]
    linked = [
        new_incident(war_room, "p3", linked_backlog_item_id=item["id"], title=f"Caused by {n}")
        for n, item in enumerate(items)
    ]
    new_incident(war_room, "p3", title="Unrelated")
    only = pm.get(f"{url}/incidents?backlog_item={items[2]['id']}").json
    assert [i["id"] for i in only["items"]] == [linked[2]["id"]] and only["total"] == 1
    assert pm.get(f"{url}/incidents?backlog_item=not-a-uuid").status_code == 422
    with count_queries() as few:
        pm.get(f"{url}/incidents?limit=1")
    with count_queries() as many:
        pm.get(f"{url}/incidents?limit=6")
    assert many.count == few.count, "linked items must load with the page"
    with count_queries() as few:
        pm.get(f"/api/v1/projects/{project_id}/backlog-items?limit=1")
    with count_queries() as many:
        pm.get(f"/api/v1/projects/{project_id}/backlog-items?limit=5")
    assert many.count == few.count, "incident counts must be one query per page"
    counts = [i["incident_count"] for i in pm.get(f"/api/v1/projects/{project_id}/backlog-items").json["items"]]
    assert counts == [1] * 5


def test_a_link_survives_the_items_soft_delete(war_room, frozen):
    api, url, project_id = war_room["api"], war_room["url"], war_room["project_id"]
    item = _item(api["pm"], project_id)
    incident = new_incident(war_room, "p3", linked_backlog_item_id=item["id"])
    deleted = api["pm"].delete(
        f"/api/v1/projects/{project_id}/backlog-items/{item['id']}", headers={"If-Match": f'"{item["version"]}"'}
    )
    assert deleted.status_code == 204, deleted.json
    for body in (
        api["pm"].get(f"{url}/incidents/{incident['id']}").json,
        api["pm"].get(f"{url}/incidents").json["items"][0],
    ):
        assert body["linked_backlog_item_id"] == item["id"] and body["linked_backlog_item"] is None
    # re-sending the unchanged link (a form that sends every field) is fine; a new link to it is not
    again = api["support"].patch(
        f"{url}/incidents/{incident['id']}", json={"linked_backlog_item_id": item["id"], "priority": "p2"}
    )
    assert again.status_code == 200, again.json
    other = new_incident(war_room, "p3")
    refused = api["support"].patch(f"{url}/incidents/{other['id']}", json={"linked_backlog_item_id": item["id"]})
    assert refused.status_code == 422
