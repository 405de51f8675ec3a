"""PostgreSQL row-level security, the second line behind the ORM filter: raw SQL (which bypasses the
ORM's tenant criteria) still sees only the current tenant's rows, and sees nothing without a tenant."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from app.extensions import db
from app.tenancy import is_tenant_scoped
from app.utils import tenant_context

pytestmark = pytest.mark.services


def test_every_tenant_owned_table_has_the_policy(real_services):
    with real_services.app_context():
        tables = sorted(m.local_table.name for m in db.Model.registry.mappers if is_tenant_scoped(m.class_))
        rows = db.session.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "       EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = 'tenant_isolation') "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relname = ANY(:tables)"
            ),
            {"tables": tables},
        ).all()
    found = {name: (enabled, forced, policy) for name, enabled, forced, policy in rows}
    missing = [t for t in tables if found.get(t) != (True, True, True)]
    assert not missing, f"tenant-owned tables without row-level security (see migrations/README): {missing}"


def test_the_app_runs_as_the_plain_role(real_services):
    with real_services.app_context():
        row = db.session.execute(
            text("SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
        ).one()
    assert row == ("meridian_app", False)


def test_raw_sql_sees_only_the_current_tenant(real_services, tenant_a, tenant_b, make_project):
    make_project(tenant_a["tenant_id"], "A1")
    make_project(tenant_b["tenant_id"], "B1")
    count = text("SELECT string_agg(code, ',' ORDER BY code) FROM projects")
    with real_services.app_context():
        with tenant_context.tenant_scope(tenant_a["tenant_id"]):
            assert db.session.execute(count).scalar() == "A1"
        with tenant_context.tenant_scope(tenant_b["tenant_id"]):  # same transaction, context changed
            assert db.session.execute(count).scalar() == "B1"
        db.session.commit()
        assert db.session.execute(count).scalar() is None  # no tenant: nothing, not everything
        with tenant_context.unscoped():
            assert db.session.execute(count).scalar() == "A1,B1"


def test_raw_sql_cannot_write_into_another_tenant(real_services, tenant_a, tenant_b):
    with real_services.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        with pytest.raises(ProgrammingError, match="row-level security"):
            db.session.execute(
                text(
                    "INSERT INTO projects (id, tenant_id, code, name, customer_name, description, phase, timezone, "
                    "version, created_at, updated_at) VALUES (:id, :tenant, 'X', 'x', '', '', 'explore', 'UTC', 1, now(), now())"
                ),
                {"id": uuid.uuid4(), "tenant": tenant_b["tenant_id"]},
            )
        db.session.rollback()
