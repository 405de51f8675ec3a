"""cloud alm sync log and project mapping (seed 000 Phase A)

Revision ID: 34883953db8c
Revises: b0002aabdffa
Create Date: 2026-11-23 10:15:33.626961

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '34883953db8c'
down_revision = 'b0002aabdffa'
branch_labels = None
depends_on = None

TENANT_TABLES = ('cloud_alm_sync_logs', 'cloud_alm_status_mappings')
TENANT_MATCHES = ("current_setting('meridian.rls_bypass', true) = 'on' "
                  "OR tenant_id = NULLIF(current_setting('meridian.tenant_id', true), '')::uuid")


def _enable_row_level_security():
    """PostgreSQL: the tenant_isolation policy on every new tenant-owned table (see migrations/README)."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TENANT_TABLES:
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON {table} USING ({TENANT_MATCHES}) WITH CHECK ({TENANT_MATCHES})')


def upgrade():
    op.create_table('cloud_alm_sync_logs',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('operation', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('http_status_code', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('records_pushed', sa.Integer(), nullable=True),
    sa.Column('records_pulled', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('triggered_by', sa.String(length=20), nullable=True, comment='manual | scheduled | webhook'),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('started_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_cloud_alm_sync_logs_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cloud_alm_sync_logs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloud_alm_sync_logs'))
    )
    with op.batch_alter_table('cloud_alm_sync_logs', schema=None) as batch_op:
        batch_op.create_index('ix_cloud_alm_sync_logs_project_created', ['project_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cloud_alm_sync_logs_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cloud_alm_sync_logs_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cloud_alm_project_id', sa.String(length=100), nullable=True))

    op.create_table('cloud_alm_status_mappings',
    sa.Column('meridian_status', sa.String(length=12), nullable=False),
    sa.Column('alm_status', sa.String(length=40), nullable=False),
    sa.Column('alm_sub_status', sa.String(length=60), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cloud_alm_status_mappings_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloud_alm_status_mappings')),
    sa.UniqueConstraint('tenant_id', 'meridian_status', name=op.f('uq_cloud_alm_status_mappings_tenant_id_meridian_status'))
    )
    with op.batch_alter_table('cloud_alm_status_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cloud_alm_status_mappings_tenant_id'), ['tenant_id'], unique=False)

    for table in ('test_cases', 'defects'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('external_id', sa.String(length=100), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_external_id'), ['external_id'], unique=False)

    _enable_row_level_security()


def downgrade():
    for table in ('defects', 'test_cases'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_external_id'))
            batch_op.drop_column('external_id')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('cloud_alm_project_id')

    with op.batch_alter_table('cloud_alm_sync_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cloud_alm_sync_logs_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_cloud_alm_sync_logs_project_id'))
        batch_op.drop_index('ix_cloud_alm_sync_logs_project_created')

    op.drop_table('cloud_alm_sync_logs')
    with op.batch_alter_table('cloud_alm_status_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cloud_alm_status_mappings_tenant_id'))

    op.drop_table('cloud_alm_status_mappings')
