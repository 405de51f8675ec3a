"""Shared set-up for the hypercare tests: a live project in Europe/Berlin with a PM, support engineers, an
approver and a customer key user as members, and a frozen clock on a Monday morning."""
from datetime import datetime, timezone

import pytest

from app.extensions import db
from app.models import ProjectMember
from app.utils import clock, tenant_context
from tests.conftest import login

MONDAY_0800_UTC = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)  # 09:00 in Berlin


@pytest.fixture
def frozen():
    with clock.freeze(MONDAY_0800_UTC):
        yield clock


@pytest.fixture
def war_room(app, client, tenant_a, make_user, make_project):
    """{"project_id", "url", "users": {role: id}, "api": {role: Api}}."""
    tenant_id = tenant_a["tenant_id"]
    project_id = make_project(tenant_id, "LIVE", timezone="Europe/Berlin", phase="run")
    users = {"admin": tenant_a["admin_id"]}
    for role in ("pm", "support", "support2", "approver", "customer", "consultant", "viewer"):
        users[role] = make_user(tenant_id, f"{role}@alpha.test", role.rstrip("2"),
                                support_level="L2" if role.startswith("support") else None)
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        for role in ("pm", "support", "support2", "approver", "customer"):
            db.session.add(ProjectMember(project_id=project_id, user_id=users[role]))
        db.session.commit()
    api = {"admin": login(client, tenant_a["admin_email"])}
    for role in users:
        if role != "admin":
            api[role] = login(client, f"{role}@alpha.test")
    return {"project_id": project_id, "url": f"/api/v1/projects/{project_id}/hypercare", "users": users,
            "api": api, "tenant_id": tenant_id}


def new_incident(room, priority="p1", by="support", **fields):
    body = {"title": fields.pop("title", f"{priority.upper()} incident"), "priority": priority,
            "affected_module": fields.pop("affected_module", "MM"), **fields}
    response = room["api"][by].post(f"{room['url']}/incidents", json=body)
    assert response.status_code == 201, response.json
    return response.json
