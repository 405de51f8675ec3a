"""system role bypasses row-level security, the app role cannot (PostgreSQL only)

Until now every tenant_isolation policy also admitted any row while the custom setting
`meridian.rls_bypass` was 'on'. Any role may set a custom setting, so one injected
`SELECT set_config('meridian.rls_bypass', 'on', false)` turned row-level security off for the app role.

Now the policies admit only the transaction's own tenant, and the deliberate cross-tenant work of
`tenant_context.unscoped()` runs as a separate role, `meridian_system` (NOLOGIN, BYPASSRLS, the same table
grants as `meridian_app`), which app/rls.py switches to with `SET LOCAL ROLE`. Creating a BYPASSRLS role
takes a superuser: where migrations run as a lesser owner, a superuser creates the role beforehand and
this migration finds it (it refuses to go on if the existing role lacks BYPASSRLS, because the unscoped
reads would then silently see nothing).

The upgrade rewrites every policy that still carries the bypass clause, whichever migration made it, so a
tenant-owned table merged in before this revision is covered too. The downgrade puts the clause back on
the tables that had it at 8cee6a452ea6, and leaves the cluster-wide role in place (another database on
the server may use it) with its grants in this database revoked.

Revision ID: 73fb95bcd272
Revises: 8cee6a452ea6
Create Date: 2026-12-01 23:01:54.226952

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '73fb95bcd272'
down_revision = '8cee6a452ea6'
branch_labels = None
depends_on = None

SYSTEM_ROLE = 'meridian_system'
OWN_TENANT_ONLY = "tenant_id = NULLIF(current_setting('meridian.tenant_id', true), '')::uuid"
WITH_BYPASS = f"current_setting('meridian.rls_bypass', true) = 'on' OR {OWN_TENANT_ONLY}"
TABLES_WITH_BYPASS_AT_8cee6a452ea6 = (
    'attachment_settings', 'attachments', 'audit_commits', 'audit_snapshots', 'auth_sessions', 'backlog_items',
    'cloud_alm_status_mappings', 'cloud_alm_sync_logs', 'cutover_activities', 'cutover_check_items',
    'cutover_run_activities', 'cutover_runbooks', 'cutover_runs', 'd365_push_jobs', 'defects',
    'discussion_comments', 'explore_requirements', 'gateway_call_logs', 'hypercare_calendars',
    'hypercare_incident_links', 'hypercare_incidents', 'hypercare_slas', 'incident_comments',
    'integration_connections', 'integration_sync_runs', 'jobs', 'leads', 'marketplace_packages',
    'marketplace_products', 'marketplace_stores', 'marketplace_sync_states', 'notifications', 'number_sequences',
    'order_flow_alerts', 'order_flow_rules', 'post_golive_change_requests', 'project_members', 'projects',
    'test_case_requirements', 'test_cases', 'test_cycles', 'test_executions', 'triage_index_chunks',
    'triage_index_states', 'triage_outcomes', 'users', 'webhook_events',
)
TABLE_RIGHTS = 'SELECT, INSERT, UPDATE, DELETE'


def _on_postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def _set_policy(table: str, matches: str) -> None:
    op.execute(f'ALTER POLICY tenant_isolation ON {table} USING ({matches}) WITH CHECK ({matches})')


def upgrade():
    if not _on_postgres():
        return
    # Roles are cluster-wide: another database on the server may have created it already
    # (unique_violation: two databases migrating at the same moment).
    op.execute(f"""
        DO $$ BEGIN
            CREATE ROLE {SYSTEM_ROLE} NOLOGIN NOSUPERUSER BYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$""")
    op.execute(f"""
        DO $$ BEGIN
            IF NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = '{SYSTEM_ROLE}') THEN
                RAISE EXCEPTION 'role {SYSTEM_ROLE} exists without BYPASSRLS; a superuser must run: ALTER ROLE {SYSTEM_ROLE} BYPASSRLS';
            END IF;
        END $$""")
    op.execute(f'GRANT USAGE ON SCHEMA public TO {SYSTEM_ROLE}')
    op.execute(f'GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA public TO {SYSTEM_ROLE}')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {TABLE_RIGHTS} ON TABLES TO {SYSTEM_ROLE}')
    tables = op.get_bind().execute(sa.text(
        "SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation' "
        "AND (qual LIKE '%meridian.rls_bypass%' OR with_check LIKE '%meridian.rls_bypass%') ORDER BY tablename"
    )).scalars().all()
    for table in tables:
        _set_policy(table, OWN_TENANT_ONLY)


def downgrade():
    if not _on_postgres():
        return
    for table in TABLES_WITH_BYPASS_AT_8cee6a452ea6:
        _set_policy(table, WITH_BYPASS)
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE {TABLE_RIGHTS} ON TABLES FROM {SYSTEM_ROLE}')
    op.execute(f'REVOKE {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA public FROM {SYSTEM_ROLE}')
    op.execute(f'REVOKE USAGE ON SCHEMA public FROM {SYSTEM_ROLE}')
