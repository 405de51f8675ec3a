"""Administration (issue 16 §1): tenant profile, security settings, the tenant-wide audit log and its
export, the integration sync log across connections, the mail log; admins only."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import CloudALMSyncLog, IntegrationConnection, IntegrationSyncRun
from app.utils import tenant_context
from tests.fixtures.app import login


def _patch(api, url, body, version=None):
    version = version if version is not None else api.get(url).json["version"]
    return api.patch(url, json=body, headers={"If-Match": f'"{version}"'})


def test_profile_shows_the_read_only_tier_and_changes_with_if_match(admin_a):
    profile = admin_a.get("/api/v1/admin/tenant")
    assert profile.status_code == 200 and profile.headers["ETag"] == f'"{profile.json["version"]}"'
    assert profile.json["tier"] == "enterprise" and profile.json["rate_limit_per_minute"] == 1000
    changed = _patch(
        admin_a,
        "/api/v1/admin/tenant",
        {
            "name": "Alpha Consulting",
            "logo_initials": "AC",
            "default_timezone": "Europe/Istanbul",
            "working_days": [0, 1, 2, 3, 4, 5],
            "work_start": "08:30",
            "work_end": "17:30",
        },
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["name"] == "Alpha Consulting" and changed.json["version"] == profile.json["version"] + 1
    assert admin_a.get("/api/v1/auth/me").json["tenant"]["name"] == "Alpha Consulting"
    stale = _patch(admin_a, "/api/v1/admin/tenant", {"name": "Late"}, version=profile.json["version"])
    assert stale.status_code == 409
    tier = _patch(admin_a, "/api/v1/admin/tenant", {"tier": "free"})
    assert tier.status_code == 422 and "tier" in tier.json["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"default_timezone": "Mars/Olympus"}, "default_timezone"),
        ({"working_days": []}, "working_days"),
        ({"work_start": "25:00"}, "work_start"),
        ({"work_start": "18:00", "work_end": "09:00"}, "work_end"),
        ({"logo_initials": "ABCD"}, "logo_initials"),
    ],
)
def test_profile_validation(admin_a, body, field):
    response = _patch(admin_a, "/api/v1/admin/tenant", body)
    assert response.status_code == 422 and field in response.json["errors"]
    assert admin_a.get("/api/v1/admin/tenant").json["version"] == 1


def test_a_new_project_takes_the_tenants_time_zone_and_working_calendar(admin_a):
    _patch(
        admin_a,
        "/api/v1/admin/tenant",
        {"default_timezone": "Europe/Berlin", "working_days": [0, 1, 2, 3], "work_start": "07:00", "work_end": "16:00"},
    )
    project = admin_a.post("/api/v1/projects", json={"code": "CAL", "name": "Calendar"}).json
    assert project["timezone"] == "Europe/Berlin"
    sla = admin_a.get(f"/api/v1/projects/{project['id']}/hypercare/sla").json
    assert sla["business_hours"] == {
        "working_days": [0, 1, 2, 3],
        "start": "07:00",
        "end": "16:00",
        "timezone": "Europe/Berlin",
    }
    explicit = admin_a.post("/api/v1/projects", json={"code": "UTC1", "name": "Explicit", "timezone": "UTC"}).json
    assert explicit["timezone"] == "UTC"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"session_idle_minutes": 2}, "session_idle_minutes"),
        ({"session_absolute_minutes": 60, "session_idle_minutes": 90}, "session_idle_minutes"),
        ({"password_min_length": 8}, "password_min_length"),
        ({"mfa_required": "sometimes"}, "mfa_required"),
        ({"invitation_domains": ["not a domain"]}, "invitation_domains"),
        ({"lockout_threshold": 1}, "lockout_threshold"),
    ],
)
def test_security_settings_validation(admin_a, body, field):
    response = _patch(admin_a, "/api/v1/admin/security", body)
    assert response.status_code == 422 and field in response.json["errors"]


def test_security_settings_are_audited(admin_a):
    assert (
        _patch(admin_a, "/api/v1/admin/security", {"mfa_required": "admins", "password_min_length": 14}).status_code
        == 200
    )
    log = admin_a.get("/api/v1/admin/audit", query_string={"entity_type": "Tenant", "action": "updated"}).json
    entry = log["items"][0]
    assert entry["author"]["name"] == "Administrator"
    assert {c["property"]: (c["left"], c["right"]) for c in entry["changes"]} == {
        "mfa_required": ("off", "admins"),
        "password_min_length": (12, 14),
    }


def test_administration_is_for_admins_only(client, tenant_a, make_user):
    make_user(tenant_a["tenant_id"], "pm@alpha.test", role="pm")
    pm = login(client, "pm@alpha.test")
    for url in (
        "/api/v1/admin/tenant",
        "/api/v1/admin/security",
        "/api/v1/admin/audit",
        "/api/v1/admin/sync-log",
        "/api/v1/admin/mail",
    ):
        assert pm.get(url).status_code == 403, url
    assert pm.post("/api/v1/admin/audit/exports", json={"format": "csv"}).status_code == 403


# -- audit log -------------------------------------------------------------------------------------------------


@pytest.fixture
def history(admin_a, make_user, tenant_a):
    """Two projects and a user with a few changes each, by the admin."""
    first = admin_a.post("/api/v1/projects", json={"code": "AUD1", "name": '=HYPERLINK("http://x")'}).json
    admin_a.post("/api/v1/projects", json={"code": "AUD2", "name": "Second"})
    _patch(admin_a, f"/api/v1/projects/{first['id']}", {"name": "Renamed"})
    admin_a.delete(f"/api/v1/projects/{first['id']}", headers={"If-Match": '"2"'})
    return first


def test_the_audit_log_lists_every_change_with_its_diff_and_filters(admin_a, tenant_a, history):
    everything = admin_a.get("/api/v1/admin/audit").json
    assert everything["total"] >= 6 and "Project" in everything["entity_types"]
    projects = admin_a.get("/api/v1/admin/audit", query_string={"entity_type": "project"}).json
    assert [i["action"] for i in projects["items"]][:2] == ["deleted", "updated"]
    renamed = projects["items"][1]
    assert {"property": "name", "left": '=HYPERLINK("http://x")', "right": "Renamed"} in renamed["changes"]
    by_actor = admin_a.get("/api/v1/admin/audit", query_string={"actor_id": str(tenant_a["admin_id"])}).json
    assert by_actor["total"] == everything["total"] - 2  # the tenant and its admin were created by nobody yet
    created = admin_a.get("/api/v1/admin/audit", query_string={"action": "created,deleted", "entity_type": "Project"})
    assert created.json["total"] == 3
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert admin_a.get("/api/v1/admin/audit", query_string={"since": future}).json["total"] == 0
    page = admin_a.get("/api/v1/admin/audit", query_string={"limit": 2, "offset": 1}).json
    assert len(page["items"]) == 2 and page["items"][0]["id"] == everything["items"][1]["id"]


@pytest.mark.parametrize(
    "args",
    [
        {"action": "exploded"},
        {"since": "yesterday"},
        {"since": "2026-02-01T00:00:00", "until": "2026-01-01T00:00:00"},
        {"limit": 500},
        {"actor_id": "nope"},
    ],
)
def test_audit_log_bad_filters_are_422(admin_a, args):
    response = admin_a.get("/api/v1/admin/audit", query_string=args)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_an_unknown_entity_type_is_404(admin_a):
    assert admin_a.get("/api/v1/admin/audit", query_string={"entity_type": "Spaceship"}).status_code == 404


def test_the_audit_log_shows_only_the_own_tenant(admin_a, admin_b, history):
    assert admin_b.get("/api/v1/admin/audit", query_string={"entity_type": "Project"}).json["total"] == 0


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_audit_export_runs_as_a_job_and_downloads(admin_a, admin_b, history, fmt):
    started = admin_a.post("/api/v1/admin/audit/exports", json={"format": fmt, "entity_type": "Project"})
    assert started.status_code == 202
    job = admin_a.get(started.headers["Location"]).json
    assert job["status"] == "succeeded" and job["result"]["rows"] == 4 and job["result"]["truncated"] is False
    download = admin_a.get(f"/api/v1/admin/audit/exports/{job['id']}")
    assert download.status_code == 200
    assert job["result"]["filename"] in download.headers["Content-Disposition"]
    text = download.data.decode("utf-8-sig")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 4 and rows[0]["action"] == "deleted"
        # A cell Excel would run as a formula is neutralised (OWASP CSV injection).
        assert any(row["changes"].startswith("name: ") for row in rows)
        created = next(row for row in rows if row["action"] == "created" and "HYPERLINK" in row["changes"])
        assert not created["changes"].startswith("=")
        formula_rows = [row for row in rows for cell in row.values() if cell.startswith(("=", "+", "-", "@"))]
        assert formula_rows == []
    else:
        lines = [json.loads(line) for line in text.splitlines()]
        assert len(lines) == 4 and lines[0]["action"] == "deleted" and lines[0]["entity_type"] == "Project"
    assert admin_b.get(f"/api/v1/admin/audit/exports/{job['id']}").status_code == 404


def test_audit_export_validation(admin_a):
    assert admin_a.post("/api/v1/admin/audit/exports", json={"format": "xlsx"}).status_code == 422
    assert admin_a.post("/api/v1/admin/audit/exports", json={"format": "csv", "entity_type": "Nope"}).status_code == 404


# -- sync log and mail log ------------------------------------------------------------------------------------


def test_the_sync_log_lists_connection_runs_and_project_syncs_together(app, admin_a, admin_b, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"], "ALM")
    now = datetime.now(UTC)
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        connection = IntegrationConnection(kind="cloud_alm", name="Customer ALM", config={}, secrets={})
        db.session.add(connection)
        db.session.flush()
        for minutes, status in ((30, "succeeded"), (10, "failed")):
            db.session.add(
                IntegrationSyncRun(
                    connection_id=connection.id,
                    operation="push",
                    status=status,
                    started_at=now - timedelta(minutes=minutes),
                    error="boom" if status == "failed" else None,
                )
            )
        for minutes in range(1, 8):  # more than the Explore page's five
            db.session.add(
                CloudALMSyncLog(
                    project_id=project_id,
                    operation="push_requirements",
                    status="succeeded",
                    records_pushed=minutes,
                    created_at=now - timedelta(minutes=minutes, seconds=30),
                    details=[],
                )
            )
        db.session.commit()
    log = admin_a.get("/api/v1/admin/sync-log").json
    assert log["total"] == 9
    assert [i["source"] for i in log["items"][:2]] == ["cloud_alm_project", "cloud_alm_project"]
    assert log["items"][0]["subject"] == "ALM Project ALM"
    failed = admin_a.get("/api/v1/admin/sync-log", query_string={"status": "failed"}).json
    assert (
        failed["total"] == 1
        and failed["items"][0]["error"] == "boom"
        and failed["items"][0]["subject"] == "Customer ALM"
    )
    only_runs = admin_a.get("/api/v1/admin/sync-log", query_string={"source": "connection", "limit": 1, "offset": 1})
    assert only_runs.json["total"] == 2 and only_runs.json["items"][0]["status"] == "succeeded"
    assert admin_b.get("/api/v1/admin/sync-log").json["total"] == 0
    assert admin_a.get("/api/v1/admin/sync-log", query_string={"status": "exploded"}).status_code == 422
