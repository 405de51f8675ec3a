"""Discussion threads on requirements, backlog items, defects and change requests: the incident comments'
shape and rules (sanitised, internal notes hidden from customers), @mentions that notify project members."""

import pytest

DISCUSSED = ["requirement", "backlog_item", "defect", "change_request"]


@pytest.mark.parametrize("object_type", DISCUSSED)
def test_a_thread_in_the_shape_of_incident_comments(work_items, object_type):
    api, url = work_items["api"], work_items["urls"][object_type]
    public = api["consultant"].post(f"{url}/comments", json={"content": "<p>Looks right</p><script>x()</script>"})
    assert public.status_code == 201, public.json
    assert public.json["content"] == "<p>Looks right</p>"  # the same sanitiser as incident comments
    assert public.json["author"]["name"] == "Consultant" and public.json["is_internal"] is False
    assert public.json["kind"] == "comment" and public.json["object_type"] == object_type
    internal = api["pm"].post(f"{url}/comments", json={"content": "Budget is tight", "is_internal": True})
    assert internal.status_code == 201

    staff_view = api["pm"].get(f"{url}/comments").json
    assert [c["content"] for c in staff_view["items"]] == ["<p>Looks right</p>", "Budget is tight"]
    customer_view = api["customer"].get(f"{url}/comments").json
    assert [c["content"] for c in customer_view["items"]] == ["<p>Looks right</p>"]
    assert customer_view["total"] == 1


def test_customers_comment_publicly_but_never_internally_and_viewers_only_read(work_items):
    api, url = work_items["api"], work_items["urls"]["requirement"]
    assert api["customer"].post(f"{url}/comments", json={"content": "Agreed"}).status_code == 201
    assert api["customer"].post(f"{url}/comments", json={"content": "psst", "is_internal": True}).status_code == 403
    assert api["viewer"].post(f"{url}/comments", json={"content": "hi"}).status_code == 403
    assert api["viewer"].get(f"{url}/comments").status_code == 200
    assert api["outsider"].get(f"{url}/comments").status_code == 404  # not a member of the project
    empty = api["pm"].post(f"{url}/comments", json={"content": "<script>only()</script>"})
    assert empty.status_code == 422 and "content" in empty.json["errors"]


def test_a_mention_notifies_the_mentioned_project_member(work_items):
    api, url = work_items["api"], work_items["urls"]["defect"]
    posted = api["consultant"].post(
        f"{url}/comments", json={"content": "@pm please check, and @customer@alpha.test can retest. @nobody"}
    )
    assert posted.status_code == 201, posted.json
    assert sorted(m["name"] for m in posted.json["mentions"]) == ["Customer", "Pm"]

    inbox = api["pm"].get("/api/v1/notifications").json
    assert inbox["unread"] == 1
    note = inbox["items"][0]
    assert note["kind"] == "mention" and note["title"].startswith("Consultant mentioned you on DEF-0001")
    assert note["payload"] == {
        "object_type": "defect",
        "object_id": str(work_items["ids"]["defect"]),
        "comment_id": posted.json["id"],
    }
    assert note["project_id"] == str(work_items["project_id"])
    assert api["customer"].get("/api/v1/notifications").json["unread"] == 1
    assert api["support"].get("/api/v1/notifications").json["unread"] == 0


def test_mentions_reach_only_members_who_may_read_it(work_items):
    api, url = work_items["api"], work_items["urls"]["change_request"]
    # The viewer is not a member of the project: the handle stays plain text.
    plain = api["pm"].post(f"{url}/comments", json={"content": "cc @viewer"}).json
    assert plain["mentions"] == []
    refused = api["pm"].post(f"{url}/comments", json={"content": "@customer look", "is_internal": True})
    assert refused.status_code == 422 and "internal" in refused.json["errors"]["content"][0]
    assert api["customer"].get("/api/v1/notifications").json["unread"] == 0
    # Writing your own name notifies nobody.
    mine = api["pm"].post(f"{url}/comments", json={"content": "note to self @pm"}).json
    assert [m["name"] for m in mine["mentions"]] == ["Pm"]
    assert api["pm"].get("/api/v1/notifications").json["unread"] == 0


def test_a_handle_two_members_share_must_be_written_in_full(app, work_items, make_user):
    from app.extensions import db
    from app.models import ProjectMember
    from app.utils import tenant_context

    twin = make_user(work_items["tenant_id"], "pm@beta-partner.test", "consultant", name="Other Pm")
    with app.app_context(), tenant_context.tenant_scope(work_items["tenant_id"]):
        db.session.add(ProjectMember(project_id=work_items["project_id"], user_id=twin))
        db.session.commit()
    api, url = work_items["api"], work_items["urls"]["backlog_item"]
    refused = api["consultant"].post(f"{url}/comments", json={"content": "@pm?"})
    assert refused.status_code == 422 and "whole e-mail" in refused.json["errors"]["content"][0]
    handles = api["consultant"].get(f"/api/v1/projects/{work_items['project_id']}/mentionable").json["items"]
    assert {h["handle"] for h in handles if h["name"] in ("Pm", "Other Pm")} == {
        "pm@alpha.test",
        "pm@beta-partner.test",
    }
    assert any(h["handle"] == "consultant" for h in handles)
    ok = api["consultant"].post(f"{url}/comments", json={"content": "@pm@beta-partner.test fine"})
    assert ok.status_code == 201 and [m["name"] for m in ok.json["mentions"]] == ["Other Pm"]


def test_a_deleted_work_item_hides_its_thread(work_items):
    api, url = work_items["api"]["admin"], work_items["urls"]["requirement"]
    api.post(f"{url}/comments", json={"content": "first"})
    api.delete(url)
    assert api.get(f"{url}/comments").status_code == 404
    assert api.post(f"{url}/comments", json={"content": "late"}).status_code == 404


def test_incident_comments_keep_their_own_api(work_items):
    api, url = work_items["api"], work_items["urls"]["incident"]
    posted = api["support"].post(f"{url}/comments", json={"content": "On it", "is_internal": False})
    assert posted.status_code == 201 and posted.json["incident_id"] == str(work_items["ids"]["incident"])
    assert api["customer"].get(f"{url}/comments").json["total"] == 1


def test_another_tenant_cannot_read_or_write_a_thread(work_items, admin_b):
    url = work_items["urls"]["defect"]
    work_items["api"]["admin"].post(f"{url}/comments", json={"content": "secret"})
    assert admin_b.get(f"{url}/comments").status_code == 404
    assert admin_b.post(f"{url}/comments", json={"content": "hi"}).status_code == 404
    assert admin_b.get(f"/api/v1/projects/{work_items['project_id']}/mentionable").status_code == 404


def test_threads_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    base = "/api/v1/projects/{project_id}"
    for path in (
        f"{base}/requirements/{{requirement_id}}/comments",
        f"{base}/backlog-items/{{item_id}}/comments",
        f"{base}/defects/{{defect_id}}/comments",
        f"{base}/hypercare/change-requests/{{cr_id}}/comments",
    ):
        assert {"get", "post"} <= set(paths[path]), path
        assert "application/json" in paths[path]["post"]["requestBody"]["content"]
