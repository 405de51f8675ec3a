"""Beat's sweeps run tenant by tenant: each under its own scope, and one tenant's failure neither stops the
others nor leaves its half-done work behind."""

import logging

from sqlalchemy import select

from app.extensions import db
from app.models import Project
from app.tasks.per_tenant import sweep_tenants
from app.utils import tenant_context


def test_a_failing_tenant_is_rolled_back_and_logged_while_the_others_are_swept(
    app, tenant_a, tenant_b, make_project, caplog
):
    make_project(tenant_a["tenant_id"], "A1")
    make_project(tenant_b["tenant_id"], "B1")
    failing = tenant_a["tenant_id"]

    def work():
        codes = db.session.execute(select(Project.code)).scalars().all()  # the scope is this tenant's only
        if str(tenant_context.current_tenant_id()) == str(failing):
            db.session.execute(select(Project)).scalars().first().name = "half-done"
            raise RuntimeError("boom")
        return {"projects": len(codes)}

    with app.app_context(), caplog.at_level(logging.ERROR, logger="app.tasks.per_tenant"):
        totals = sweep_tenants(work, counts=("projects",), what="test sweep")
        assert totals == {"tenants": 1, "projects": 1}
        assert f"test sweep failed for a tenant ({failing})" in caplog.text
        with tenant_context.tenant_scope(failing):
            assert db.session.execute(select(Project.name)).scalar_one() != "half-done"


def test_no_tenant_still_answers_every_count(app):
    with app.app_context():
        assert sweep_tenants(dict, counts=("a", "b"), what="empty", tenant_ids=[]) == {"tenants": 0, "a": 0, "b": 0}
