"""row-level security on tenant-owned tables (PostgreSQL only)

The second line behind the ORM's tenant filter: a policy per tenant-owned table admitting only the rows
of the transaction's `meridian.tenant_id` (app/rls.py sets it), and the plain role `meridian_app` the app
runs as (superusers bypass RLS). A later migration that creates a tenant-owned table enables RLS on it the
same way (see migrations/README); tests/services/test_row_level_security.py checks every one.

Revision ID: 7b1e5c2d9a40
Revises: 4d2949e60b6c
Create Date: 2026-11-23 09:25:00
"""
from alembic import op

revision = '7b1e5c2d9a40'
down_revision = '4d2949e60b6c'
branch_labels = None
depends_on = None

APP_ROLE = 'meridian_app'
TENANT_TABLES = ('users', 'project_members', 'auth_sessions', 'projects', 'audit_commits', 'audit_snapshots',
                 'jobs', 'number_sequences')
TENANT_MATCHES = ("current_setting('meridian.rls_bypass', true) = 'on' "
                  "OR tenant_id = NULLIF(current_setting('meridian.tenant_id', true), '')::uuid")


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    # Roles are cluster-wide: another database on the server may have created it already.
    op.execute(f"""
        DO $$ BEGIN
            CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object THEN NULL;
        END $$""")
    op.execute(f'GRANT USAGE ON SCHEMA public TO {APP_ROLE}')
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}')
    for table in TENANT_TABLES:
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON {table} USING ({TENANT_MATCHES}) WITH CHECK ({TENANT_MATCHES})')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TENANT_TABLES:
        op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON {table}')
        op.execute(f'ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} DISABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {APP_ROLE}')
    op.execute(f'REVOKE SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}')
    op.execute(f'REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}')
