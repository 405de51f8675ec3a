from tests.fixtures.app import login


def _create(api, **fields):
    body = {
        "name": "S/4 Finance",
        "code": "fin-1",
        "customer_name": "Anatolia Foods",
        "go_live_date": "2027-03-01",
        **fields,
    }
    return api.post("/api/v1/projects", json=body)


def test_create_project_normalises_code_and_carries_id(admin_a):
    response = _create(admin_a)
    assert response.status_code == 201
    project = response.json
    assert project["id"] and project["code"] == "FIN-1" and project["version"] == 1
    assert project["phase"] == "explore" and project["timezone"] == "UTC"
    assert response.headers["ETag"] == '"1"'
    assert admin_a.get(f"/api/v1/projects/{project['id']}").json["name"] == "S/4 Finance"


def test_code_is_unique_per_tenant_only(admin_a, admin_b):
    assert _create(admin_a).status_code == 201
    duplicate = _create(admin_a)
    assert duplicate.status_code == 422 and "code" in duplicate.json["errors"]
    assert _create(admin_b).status_code == 201


def test_hypercare_window_must_be_ordered_and_timezone_known(admin_a):
    bad = _create(admin_a, hypercare_start="2027-03-10", hypercare_end="2027-03-01")
    assert bad.status_code == 422 and "hypercare_end" in bad.json["errors"]
    bad_tz = _create(admin_a, timezone="Mars/Olympus")
    assert bad_tz.status_code == 422 and "timezone" in bad_tz.json["errors"]


def test_list_filters_and_paginates(admin_a):
    for index in range(5):
        _create(admin_a, code=f"P{index}", name=f"Project {index}", phase="run" if index % 2 else "explore")
    page = admin_a.get("/api/v1/projects?limit=2&offset=2").json
    assert page["total"] == 5 and [p["code"] for p in page["items"]] == ["P2", "P3"]
    assert admin_a.get("/api/v1/projects?phase=run").json["total"] == 2
    assert admin_a.get("/api/v1/projects?q=project 4").json["total"] == 1


def test_stale_if_match_is_a_409_and_changes_nothing(admin_a):
    project = _create(admin_a).json
    url = f"/api/v1/projects/{project['id']}"
    assert admin_a.patch(url, json={"name": "First"}, headers={"If-Match": '"1"'}).json["version"] == 2
    stale = admin_a.patch(url, json={"name": "Second"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json["current_version"] == 2
    assert admin_a.get(url).json["name"] == "First"
    assert admin_a.delete(url, headers={"If-Match": '"1"'}).status_code == 409


def test_soft_delete_hides_and_restore_brings_back(admin_a):
    project = _create(admin_a).json
    url = f"/api/v1/projects/{project['id']}"
    assert admin_a.delete(url).status_code == 204
    assert admin_a.get(url).status_code == 404
    assert admin_a.get("/api/v1/projects").json["total"] == 0
    listed = admin_a.get("/api/v1/projects?include_deleted=true").json["items"]
    assert listed[0]["deleted_at"] is not None
    assert admin_a.patch(url, json={"name": "ghost"}).status_code == 404
    restored = admin_a.post(f"{url}/restore")
    assert restored.status_code == 200 and restored.json["deleted_at"] is None
    assert admin_a.get("/api/v1/projects").json["total"] == 1
    assert admin_a.post(f"{url}/restore").status_code == 409


def test_audit_history_records_every_change_with_diffs(admin_a):
    project = _create(admin_a).json
    url = f"/api/v1/projects/{project['id']}"
    admin_a.patch(url, json={"name": "Renamed", "phase": "realize"})
    admin_a.delete(url)
    admin_a.post(f"{url}/restore")
    history = admin_a.get(f"/api/v1/audit/Project/{project['id']}/history").json
    assert history["total"] == 4
    assert [v["change_type"] for v in history["items"]] == ["RESTORE", "DELETE", "UPDATE", "INITIAL"]
    assert [v["version"] for v in history["items"]] == [4, 3, 2, 1]
    update = history["items"][2]
    assert {(c["property"], c["left"], c["right"]) for c in update["changes"]} == {
        ("name", "S/4 Finance", "Renamed"),
        ("phase", "explore", "realize"),
    }
    assert update["author"]["id"] == admin_a.user_id
    snapshot = admin_a.get(f"/api/v1/audit/project/{project['id']}/snapshots/1").json
    assert snapshot["state"]["name"] == "S/4 Finance"


def test_audit_is_written_in_the_same_transaction(app, admin_a, tenant_a):
    """A change that rolls back leaves no audit snapshot behind."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import AuditSnapshot, Project
    from app.utils import tenant_context

    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.add(Project(code="RB", name="Rolled back"))
        db.session.flush()
        assert (
            db.session.execute(
                select(func.count(AuditSnapshot.id)).where(AuditSnapshot.entity_type == "Project")
            ).scalar()
            == 1
        )
        db.session.rollback()
        assert (
            db.session.execute(
                select(func.count(AuditSnapshot.id)).where(AuditSnapshot.entity_type == "Project")
            ).scalar()
            == 0
        )


def test_an_edit_that_changes_nothing_writes_no_version(admin_a):
    project = _create(admin_a).json
    admin_a.patch(f"/api/v1/projects/{project['id']}", json={"name": project["name"]})
    assert admin_a.get(f"/api/v1/audit/Project/{project['id']}/history").json["total"] == 1


def test_customer_sees_only_member_projects(client, admin_a, tenant_a, make_user):
    mine = _create(admin_a, code="MINE").json
    other = _create(admin_a, code="OTHER").json
    customer_id = make_user(tenant_a["tenant_id"], "key.user@alpha.test", role="customer")
    assert admin_a.post(f"/api/v1/projects/{mine['id']}/members", json={"user_id": str(customer_id)}).status_code == 201
    customer = login(client, "key.user@alpha.test")
    assert [p["code"] for p in customer.get("/api/v1/projects").json["items"]] == ["MINE"]
    assert customer.get(f"/api/v1/projects/{other['id']}").status_code == 404
    assert customer.get(f"/api/v1/projects/{mine['id']}/members").json["total"] == 1
    assert customer.get(f"/api/v1/audit/Project/{mine['id']}/history").status_code == 403


def test_members_can_be_added_once_and_removed(admin_a, tenant_a, make_user):
    project = _create(admin_a).json
    user_id = str(make_user(tenant_a["tenant_id"], "c1@alpha.test"))
    url = f"/api/v1/projects/{project['id']}/members"
    assert admin_a.post(url, json={"user_id": user_id}).status_code == 201
    assert admin_a.post(url, json={"user_id": user_id}).status_code == 409
    assert admin_a.get(url).json["items"][0]["email"] == "c1@alpha.test"
    assert admin_a.delete(f"{url}/{user_id}").status_code == 204
    assert admin_a.delete(f"{url}/{user_id}").status_code == 404


def test_export_runs_as_a_job(admin_a):
    project = _create(admin_a).json
    started = admin_a.post(f"/api/v1/projects/{project['id']}/export")
    assert started.status_code == 202
    assert started.headers["Location"] == started.json["status_url"]
    job = admin_a.get(started.json["status_url"]).json
    assert job["status"] == "succeeded" and job["progress"] == {"done": 3, "total": 3}
    assert job["result"]["project"]["code"] == "FIN-1"
    assert job["result"]["history"][0]["change_type"] == "INITIAL"


def test_a_failing_job_reports_failed_with_a_reason(app, admin_a, tenant_a, monkeypatch):
    from app.services import job_service

    def explode(job, report_progress):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(job_service._HANDLERS, "project_export", explode)
    project = _create(admin_a).json
    job = admin_a.get(admin_a.post(f"/api/v1/projects/{project['id']}/export").json["status_url"]).json
    assert job["status"] == "failed"
    assert "disk on fire" not in job["error"] and job["error"]


def test_project_and_user_lists_do_not_grow_queries_with_rows(
    admin_a, tenant_a, make_project, make_user, count_queries, row_snapshots_off
):
    def measure():
        with count_queries() as counter:
            assert admin_a.get("/api/v1/projects?limit=200").status_code == 200
            assert admin_a.get("/api/v1/users?limit=200").status_code == 200
            assert admin_a.get(f"/api/v1/projects/{first}/members").status_code == 200
        return counter.count

    first = make_project(tenant_a["tenant_id"], "Q0")
    few = measure()
    for index in range(1, 30):
        make_project(tenant_a["tenant_id"], f"Q{index}")
        user_id = make_user(tenant_a["tenant_id"], f"u{index}@alpha.test")
        admin_a.post(f"/api/v1/projects/{first}/members", json={"user_id": str(user_id)})
    assert measure() == few


def test_a_manager_can_open_a_deleted_project(admin_a):
    project = _create(admin_a).json
    admin_a.delete(f"/api/v1/projects/{project['id']}")
    opened = admin_a.get(f"/api/v1/projects/{project['id']}?include_deleted=true")
    assert opened.status_code == 200 and opened.json["deleted_at"]
