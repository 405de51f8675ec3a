"""Issue 13.16: `%` and `_` in a search term are the characters themselves, never LIKE wildcards, in every
list that searches with LIKE (projects, users, invitations, leads, incidents, requirements)."""

import ast
from pathlib import Path

from tests.fixtures.hypercare import new_incident


def _total(api, url, q):
    response = api.get(url, query_string={"q": q})
    assert response.status_code == 200, response.json
    return response.json["total"]


def test_projects(admin_a, tenant_a, make_project):
    make_project(tenant_a["tenant_id"], "P1", name="Wave_1 100% rollout")
    make_project(tenant_a["tenant_id"], "P2", name="WaveX1 rollout")
    assert _total(admin_a, "/api/v1/projects", "%") == 1
    assert _total(admin_a, "/api/v1/projects", "e_1") == 1
    assert _total(admin_a, "/api/v1/projects", "100%") == 1
    assert _total(admin_a, "/api/v1/projects", "wave") == 2


def test_users_and_invitations(admin_a, tenant_a, make_user):
    make_user(tenant_a["tenant_id"], "a_b@alpha.test", name="Under Score")
    make_user(tenant_a["tenant_id"], "axb@alpha.test", name="Plain Name")
    assert _total(admin_a, "/api/v1/users", "a_b") == 1
    assert _total(admin_a, "/api/v1/users", "%") == 0
    assert _total(admin_a, "/api/v1/users", "@alpha.test") >= 2
    for email in ("x_y@alpha.test", "xzy@alpha.test"):
        assert admin_a.post("/api/v1/invitations", json={"email": email, "role": "viewer"}).status_code == 201
    assert _total(admin_a, "/api/v1/invitations", "x_y") == 1
    assert _total(admin_a, "/api/v1/invitations", "x%y") == 0


def test_leads(admin_a):
    for domain, name in (("hundred.com", "100% Foods"), ("other.com", "Other Foods")):
        assert admin_a.post("/api/v1/leads", json={"domain": domain, "company_name": name}).status_code == 201
    assert _total(admin_a, "/api/v1/leads", "%") == 1
    assert _total(admin_a, "/api/v1/leads", "_") == 0
    assert _total(admin_a, "/api/v1/leads", "foods") == 2


def test_incidents(war_room):
    new_incident(war_room, "p3", title="Discount of 50% not applied")
    new_incident(war_room, "p3", title="Slow ATP check")
    api, url = war_room["api"]["pm"], f"{war_room['url']}/incidents"
    assert _total(api, url, "%") == 1
    assert _total(api, url, "_") == 0


def test_requirements_both_backends(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    url = f"/api/v1/projects/{project_id}/requirements"
    for title in ("Discount 5% rule", "Discount 5 rule"):
        assert admin_a.post(url, json={"title": title, "module": "SD"}).status_code == 201
    assert _total(admin_a, url, "%") == 1  # PostgreSQL: no word to search the index for, so a literal "%"
    assert _total(admin_a, url, "_") == 0
    assert _total(admin_a, url, "discount") == 2


def test_every_like_in_the_app_goes_through_the_escaping_helper():
    """A new search that calls .like()/.ilike()/.contains() itself would make % and _ wildcards again."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in (root / "app").rglob("*.py"):
        if path == root / "app/utils/like.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = node.func.attr
                receiver = node.func.value
                if isinstance(receiver, ast.Name) and receiver.id == "event":
                    continue  # sqlalchemy.event.contains(): is a listener installed, not a LIKE
                if name in ("like", "ilike", "notlike", "notilike", "contains", "icontains"):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
