"""Explore requirements: numbering, workflow, filters, search, sanitising, soft delete, bulk status,
customer visibility and a constant query count on the list."""

import threading

from sqlalchemy import select

from app.extensions import db
from app.models import ExploreRequirement, Project, ProjectMember
from app.services import requirement_service
from app.utils import tenant_context
from tests.fixtures.app import login


def _url(project_id, suffix=""):
    return f"/api/v1/projects/{project_id}/requirements{suffix}"


def _create(api, project_id, **fields):
    body = {"title": "Three-way match for stock POs", "module": "MM", **fields}
    response = api.post(_url(project_id), json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_create_numbers_per_project_and_sanitises_description(admin_a, tenant_a, make_project):
    first, second = make_project(tenant_a["tenant_id"], "P1"), make_project(tenant_a["tenant_id"], "P2")
    a = _create(admin_a, first, description="<p>Keep <b>this</b></p><script>alert(1)</script><img src=x onerror=1>")
    b = _create(admin_a, first)
    c = _create(admin_a, second)
    assert (a["code"], b["code"], c["code"]) == ("REQ-0001", "REQ-0002", "REQ-0001")
    assert a["description"] == "<p>Keep <b>this</b></p>"
    assert a["status"] == "draft" and a["fit_gap"] == "fit" and a["alm_sync_status"] == "not_synced"
    assert a["coverage"] == {"cases": 0, "passed": 0, "failed": 0, "blocked": 0, "not_run": 0}


def test_validation_errors_name_fields(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    response = admin_a.post(_url(project_id), json={"title": "", "module": "XX", "fit_gap": "maybe"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"title", "module", "fit_gap"}


def test_concurrent_creation_gets_distinct_codes(app, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    codes, errors = [], []
    barrier = threading.Barrier(2)

    def create(index):
        try:
            with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
                project = Project.get_scoped_or_404(project_id)
                barrier.wait(timeout=5)
                for n in range(5):
                    codes.append(
                        requirement_service.create_requirement(
                            project, {"title": f"thread {index} #{n}", "module": "FI"}
                        ).code
                    )
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(codes) == [f"REQ-{i:04d}" for i in range(1, 11)]


def test_status_workflow_and_illegal_move_names_the_allowed_ones(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    req = _create(admin_a, project_id)
    url = _url(project_id, f"/{req['id']}")
    response = admin_a.patch(url, json={"status": "approved"})
    assert response.status_code == 409
    assert "allowed: in_review" in response.json["detail"]
    assert response.json["allowed_transitions"] == ["in_review"]
    for status in ("in_review", "approved", "realized", "verified"):
        response = admin_a.patch(url, json={"status": status})
        assert response.status_code == 200, response.json
    assert response.json["status"] == "verified" and response.json["version"] == 5
    assert admin_a.patch(url, json={"status": "draft"}).status_code == 409


def test_stale_if_match_is_409(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    req = _create(admin_a, project_id)
    url = _url(project_id, f"/{req['id']}")
    assert admin_a.patch(url, json={"title": "v2"}, headers={"If-Match": '"1"'}).status_code == 200
    assert admin_a.patch(url, json={"title": "v3"}, headers={"If-Match": '"1"'}).status_code == 409


def test_filters_sorting_pagination(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _create(admin_a, project_id, title="A", module="FI", fit_gap="gap", priority="high")
    _create(admin_a, project_id, title="B", module="SD", fit_gap="fit", priority="low")
    _create(admin_a, project_id, title="C", module="FI", fit_gap="partial_fit", priority="high")
    body = admin_a.get(_url(project_id), query_string={"module": "FI", "sort": "-title"}).json
    assert [r["title"] for r in body["items"]] == ["C", "A"] and body["total"] == 2
    body = admin_a.get(_url(project_id), query_string={"fit_gap": "gap,partial_fit", "priority": "high"}).json
    assert body["total"] == 2
    body = admin_a.get(_url(project_id), query_string={"limit": 1, "offset": 1, "sort": "code"}).json
    assert body["total"] == 3 and [r["code"] for r in body["items"]] == ["REQ-0002"]
    bad = admin_a.get(_url(project_id), query_string={"status": "nope", "sort": "colour"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"status", "sort"}  # every bad parameter at once
    assert admin_a.get(_url(project_id), query_string={"sort": "colour"}).json["errors"].keys() == {"sort"}


def test_search_finds_words_in_the_description(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _create(
        admin_a, project_id, title="Vendor invoices", description="<p>Automatic clearing of GR/IR accounts monthly</p>"
    )
    _create(admin_a, project_id, title="Customer credit", description="Credit limit check on sales orders")
    body = admin_a.get(_url(project_id), query_string={"q": "clearing monthly"}).json
    assert [r["title"] for r in body["items"]] == ["Vendor invoices"]
    body = admin_a.get(_url(project_id), query_string={"q": "credit sales"}).json
    assert [r["title"] for r in body["items"]] == ["Customer credit"]
    assert admin_a.get(_url(project_id), query_string={"q": "clearing credit"}).json["total"] == 0
    assert admin_a.get(_url(project_id), query_string={"q": "invoic"}).json["total"] == 1  # prefix as you type


def test_soft_delete_restore_and_history(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    req = _create(admin_a, project_id)
    url = _url(project_id, f"/{req['id']}")
    assert admin_a.delete(url).status_code == 204
    assert admin_a.get(url).status_code == 404
    assert admin_a.get(_url(project_id)).json["total"] == 0
    assert admin_a.get(_url(project_id), query_string={"include_deleted": "1"}).json["total"] == 1
    assert admin_a.post(url + "/restore").status_code == 200
    assert admin_a.post(url + "/restore").status_code == 409
    history = admin_a.get(f"/api/v1/audit/ExploreRequirement/{req['id']}/history").json
    assert [v["change_type"] for v in history["items"]] == ["RESTORE", "DELETE", "INITIAL"]


def test_bulk_status_is_all_or_nothing(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    a, b = _create(admin_a, project_id), _create(admin_a, project_id)
    admin_a.patch(_url(project_id, f"/{b['id']}"), json={"status": "in_review"})
    response = admin_a.post(_url(project_id, "/bulk-status"), json={"ids": [a["id"], b["id"]], "status": "approved"})
    assert response.status_code == 409
    assert any("REQ-0001: draft -> approved" in line for line in response.json["refused"])
    assert admin_a.get(_url(project_id, f"/{b['id']}")).json["status"] == "in_review"
    response = admin_a.post(_url(project_id, "/bulk-status"), json={"ids": [a["id"], b["id"]], "status": "in_review"})
    assert response.status_code == 200 and response.json == {"updated": 2}


def test_owner_must_belong_to_the_tenant(admin_a, tenant_a, tenant_b, make_project, make_user):
    project_id = make_project(tenant_a["tenant_id"])
    outsider = make_user(tenant_b["tenant_id"], "x@bravo.test")
    insider = make_user(tenant_a["tenant_id"], "elif@alpha.test", name="Elif")
    response = admin_a.post(_url(project_id), json={"title": "t", "module": "FI", "owner_id": str(outsider)})
    assert response.status_code == 422 and "owner_id" in response.json["errors"]
    req = _create(admin_a, project_id, owner_id=str(insider))
    assert req["owner"]["name"] == "Elif"


def test_customer_sees_only_their_projects(app, client, admin_a, tenant_a, make_project, make_user):
    mine, other = make_project(tenant_a["tenant_id"], "MINE"), make_project(tenant_a["tenant_id"], "OTHER")
    customer = make_user(tenant_a["tenant_id"], "key.user@alpha.test", role="customer")
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.add(ProjectMember(project_id=mine, user_id=customer))
        db.session.commit()
    _create(admin_a, mine)
    secret = _create(admin_a, other)
    api = login(client, "key.user@alpha.test")
    assert api.get(_url(mine)).json["total"] == 1
    assert api.get(_url(other)).status_code == 404
    assert api.get(_url(other, f"/{secret['id']}")).status_code == 404
    assert api.get(f"/api/v1/projects/{other}/test-cycles").status_code == 404
    assert api.post(_url(mine), json={"title": "t", "module": "FI"}).status_code == 403


def test_requirement_of_another_project_is_404(admin_a, tenant_a, make_project):
    first, second = make_project(tenant_a["tenant_id"], "P1"), make_project(tenant_a["tenant_id"], "P2")
    req = _create(admin_a, first)
    assert admin_a.get(_url(second, f"/{req['id']}")).status_code == 404


def test_list_query_count_does_not_grow_with_rows(
    app, admin_a, tenant_a, make_project, make_user, count_queries, row_snapshots_off
):
    project_id = make_project(tenant_a["tenant_id"])
    owner = make_user(tenant_a["tenant_id"], "owner@alpha.test")

    def add(rows):
        with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
            project = Project.get_scoped_or_404(project_id)
            for n in range(rows):
                requirement_service.build_requirement(project, {"title": f"R{n}", "module": "FI", "owner_id": owner})
            db.session.commit()

    def measure():
        with count_queries() as counter:
            body = admin_a.get(_url(project_id), query_string={"limit": 200}).json
        assert all(r["owner"]["id"] == str(owner) for r in body["items"])
        return body["total"], counter.count

    add(3)
    small = measure()
    add(40)
    large = measure()
    assert (small[0], large[0]) == (3, 43)
    assert small[1] == large[1], "the requirements list issues more queries as rows grow (N+1)"
    assert large[1] <= 10


def test_stats_count_fit_gap_and_status(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    _create(admin_a, project_id, fit_gap="gap")
    _create(admin_a, project_id, fit_gap="gap")
    _create(admin_a, project_id, fit_gap="fit")
    stats = admin_a.get(_url(project_id, "/stats")).json
    assert stats["by_fit_gap"] == {"fit": 1, "partial_fit": 0, "gap": 2} and stats["by_status"]["draft"] == 3


def test_rows_are_stored_for_the_right_tenant(app, admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    req = _create(admin_a, project_id)
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        row = db.session.execute(select(ExploreRequirement)).scalar_one()
        assert str(row.id) == req["id"] and row.tenant_id == tenant_a["tenant_id"]
