"""Tenant B never reaches tenant A's objects: every route with an id, every method, answers 404.

The routes are read from the app's URL map, so every route a later capability adds is covered
automatically (register its id factory in tests/isolation_registry.py)."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditSnapshot, Project
from app.tenancy import TenantMismatch
from app.utils import tenant_context
from app.utils.tenant_context import TenantContextMissing
from tests.fixtures.isolation_registry import FACTORIES

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _routes_with_ids(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        params = _PARAM.findall(rule.rule)
        if getattr(app.view_functions[rule.endpoint], "_tenant_agnostic", False):
            continue  # no caller tenant (signed webhooks); their own tests cover cross-tenant use
        if rule.rule.startswith("/api/v1") and any(p != "entity_type" for p in params):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method, params


def test_every_route_with_an_id_answers_404_across_tenants(app, tenant_a, admin_b):
    routes = list(_routes_with_ids(app))
    assert len(routes) >= 15, "the walk found suspiciously few routes"
    unknown = sorted({p for _, _, params in routes for p in params if p not in FACTORIES})
    assert not unknown, f"register id factories in tests/isolation_registry.py for: {unknown}"

    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        ctx = {}
        values = {}
        for _, _, params in routes:
            for name in params:
                if name not in values:
                    values[name] = FACTORIES[name](ctx)
        db.session.commit()
        values = {k: str(v) for k, v in values.items()}

    failures = []
    for rule, method, _params in routes:
        url = _PARAM.sub(lambda m: values[m.group(1)], rule.rule)
        response = admin_b.open(url, method, json={})
        if response.status_code != 404:
            failures.append(f"{method} {rule.rule} -> {response.status_code}")
        elif response.mimetype != "application/problem+json":
            failures.append(f"{method} {rule.rule} -> 404 without problem+json")
    assert not failures, "cross-tenant access did not answer 404:\n" + "\n".join(failures)

    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        project = db.session.execute(select(Project)).scalar_one()
        assert project.version == 1 and project.deleted_at is None, "tenant B changed tenant A's data"


def test_querying_a_tenant_owned_model_without_context_raises(app, tenant_a, make_project):
    make_project(tenant_a["tenant_id"])
    with app.app_context():
        with pytest.raises(TenantContextMissing):
            db.session.execute(select(Project)).all()
        with pytest.raises(TenantContextMissing):  # hidden inside a subquery
            db.session.execute(select(db.func.count()).select_from(select(Project.id).subquery())).scalar()
        with pytest.raises(TenantContextMissing):
            db.session.execute(select(AuditSnapshot.id).where(AuditSnapshot.version == 1)).all()


def test_identity_map_does_not_leak_across_tenants(app, tenant_a, tenant_b, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    with app.app_context():
        with tenant_context.tenant_scope(tenant_a["tenant_id"]):
            assert db.session.get(Project, project_id) is not None  # now in the identity map
        with tenant_context.tenant_scope(tenant_b["tenant_id"]):
            assert db.session.get(Project, project_id) is None
            with pytest.raises(Exception) as excinfo:
                Project.get_scoped_or_404(project_id)
            assert getattr(excinfo.value, "status", None) == 404


def test_writing_a_row_for_another_tenant_is_refused(app, tenant_a, tenant_b):
    with app.app_context(), tenant_context.tenant_scope(tenant_b["tenant_id"]):
        db.session.add(Project(tenant_id=tenant_a["tenant_id"], code="X1", name="Smuggled"))
        with pytest.raises(TenantMismatch):
            db.session.flush()
        db.session.rollback()


def test_bulk_update_is_scoped_to_the_current_tenant(app, tenant_a, tenant_b, make_project):
    a_project = make_project(tenant_a["tenant_id"], "SAME")
    make_project(tenant_b["tenant_id"], "SAME")
    with app.app_context():
        with tenant_context.tenant_scope(tenant_b["tenant_id"]):
            db.session.execute(db.update(Project).values(name="renamed by B"))
            db.session.commit()
        with tenant_context.tenant_scope(tenant_a["tenant_id"]):
            assert db.session.get(Project, a_project).name == "Project SAME"


def test_another_tenants_user_cannot_be_added_as_member(tenant_a, tenant_b, admin_a, make_user, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    outsider = make_user(tenant_b["tenant_id"], "outsider@bravo.test")
    response = admin_a.post(f"/api/v1/projects/{project_id}/members", json={"user_id": str(outsider)})
    assert response.status_code == 404
