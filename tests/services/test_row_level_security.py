"""PostgreSQL row-level security, the second line behind the ORM filter: raw SQL (which bypasses the
ORM's tenant criteria) still sees only the current tenant's rows, and sees nothing without a tenant."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, ProgrammingError

from app.extensions import db
from app.models import OutgoingMail
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


def test_no_policy_honours_a_setting_the_app_role_could_set(real_services):
    with real_services.app_context():
        loose = db.session.execute(
            text(
                "SELECT tablename FROM pg_policies WHERE schemaname = 'public' "
                "AND (qual LIKE '%rls_bypass%' OR with_check LIKE '%rls_bypass%')"
            )
        ).scalars()
        assert list(loose) == []


def test_the_app_runs_as_the_plain_role(real_services):
    whoami = text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    with real_services.app_context():
        assert db.session.execute(whoami).one() == ("meridian_app", False, False)
        with tenant_context.unscoped():  # the deliberate cross-tenant work: a separate role
            assert db.session.execute(whoami).one() == ("meridian_system", False, True)
        assert db.session.execute(whoami).one() == ("meridian_app", False, False)


def test_the_app_role_cannot_switch_row_level_security_off(real_services, tenant_a, tenant_b, make_project):
    """Issue 13.13: an injected statement that sets the old bypass setting, for the session or the
    transaction, still sees only its own tenant (and nothing without one)."""
    make_project(tenant_a["tenant_id"], "A1")
    make_project(tenant_b["tenant_id"], "B1")
    codes = text("SELECT string_agg(code, ',' ORDER BY code) FROM projects")
    with real_services.app_context():
        try:
            for is_local in (False, True):
                with tenant_context.tenant_scope(tenant_a["tenant_id"]):
                    db.session.execute(
                        text("SELECT set_config('meridian.rls_bypass', 'on', :local)"), {"local": is_local}
                    )
                    assert db.session.execute(codes).scalar() == "A1"
                    other = text("SELECT count(*) FROM projects WHERE tenant_id = :t")
                    assert db.session.execute(other, {"t": tenant_b["tenant_id"]}).scalar() == 0
                db.session.execute(text("SELECT set_config('meridian.rls_bypass', 'on', :local)"), {"local": is_local})
                assert db.session.execute(codes).scalar() is None
                db.session.rollback()
        finally:
            db.session.rollback()
            db.session.execute(text("SELECT set_config('meridian.rls_bypass', '', false)"))  # pooled connection
            db.session.commit()


def test_unscoped_work_reads_every_tenant_even_where_no_policy_ever_had_a_bypass(real_services, tenant_a, tenant_b):
    """The operator's mail outbox lists every tenant's mail; outgoing_mail's policy never honoured the old
    setting, so before the system role it listed nothing on PostgreSQL."""
    for tenant, recipient in ((tenant_a, "a@alpha.test"), (tenant_b, "b@bravo.test")):
        with real_services.app_context(), tenant_context.tenant_scope(tenant["tenant_id"]):
            db.session.add(OutgoingMail(kind="invitation", recipient=recipient, subject=f"Hello {recipient}"))
            db.session.commit()
    result = real_services.test_cli_runner().invoke(args=["mail-outbox"])
    assert result.exit_code == 0, result.output
    assert "a@alpha.test" in result.output and "b@bravo.test" in result.output


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


def test_a_failed_savepoint_rolls_back_and_the_transaction_goes_on(real_services, tenant_a, make_project):
    """SQLAlchemy fires `rollback_savepoint` before it sends ROLLBACK TO SAVEPOINT, so the tenant settings
    were re-applied inside the aborted transaction and the rollback itself failed ("current transaction is
    aborted"): two first uploads of a tenant at once answered 500 instead of the second reading the first
    one's attachment settings (CI, tests/e2e/test_attachments.py)."""
    make_project(tenant_a["tenant_id"], "A1")
    codes = text("SELECT string_agg(code, ',' ORDER BY code) FROM projects")
    with real_services.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert db.session.execute(codes).scalar() == "A1"
        with pytest.raises(DataError), db.session.begin_nested():
            db.session.execute(text("SELECT 1 / 0"))
        assert db.session.execute(codes).scalar() == "A1"  # same transaction, settings still in force
        db.session.rollback()
