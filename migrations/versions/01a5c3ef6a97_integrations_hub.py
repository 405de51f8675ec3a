"""integrations hub: connections (encrypted secrets), gateway call log, sync runs, webhook events

Revision ID: 01a5c3ef6a97
Revises: 7b1e5c2d9a40
Create Date: 2026-11-23 09:12:24.139519

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '01a5c3ef6a97'
down_revision = '7b1e5c2d9a40'
branch_labels = None
depends_on = None


TENANT_TABLES = ('gateway_call_logs', 'integration_connections', 'integration_sync_runs', 'webhook_events')
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
    op.create_table('gateway_call_logs',
    sa.Column('connection_id', sa.Uuid(), nullable=True),
    sa.Column('connection_kind', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=True),
    sa.Column('response_code', sa.Integer(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_gateway_call_logs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gateway_call_logs'))
    )
    with op.batch_alter_table('gateway_call_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gateway_call_logs_connection_id'), ['connection_id'], unique=False)
        batch_op.create_index('ix_gateway_call_logs_tenant_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gateway_call_logs_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('integration_connections',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('config', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('secrets', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('last_test_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_test_status', sa.String(length=16), nullable=True),
    sa.Column('last_test_message', sa.String(length=500), nullable=True),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_integration_connections_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_connections'))
    )
    with op.batch_alter_table('integration_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_connections_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_integration_connections_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_integration_connections_tenant_kind', ['tenant_id', 'kind'], unique=False)

    op.create_table('integration_sync_runs',
    sa.Column('connection_id', sa.Uuid(), nullable=False),
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('triggered_by', sa.String(length=16), nullable=False),
    sa.Column('records_pushed', sa.Integer(), nullable=False),
    sa.Column('records_pulled', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('started_by', sa.Uuid(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['integration_connections.id'], name=op.f('fk_integration_sync_runs_connection_id_integration_connections')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_integration_sync_runs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_sync_runs'))
    )
    with op.batch_alter_table('integration_sync_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integration_sync_runs_connection_id'), ['connection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_integration_sync_runs_operation'), ['operation'], unique=False)
        batch_op.create_index(batch_op.f('ix_integration_sync_runs_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_integration_sync_runs_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_integration_sync_runs_tenant_started', ['tenant_id', 'started_at'], unique=False)

    op.create_table('webhook_events',
    sa.Column('connection_id', sa.Uuid(), nullable=False),
    sa.Column('webhook_id', sa.String(length=200), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['integration_connections.id'], name=op.f('fk_webhook_events_connection_id_integration_connections')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_webhook_events_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events')),
    sa.UniqueConstraint('connection_id', 'webhook_id', name=op.f('uq_webhook_events_connection_id_webhook_id'))
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_events_connection_id'), ['connection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_events_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_events_tenant_id'), ['tenant_id'], unique=False)
    _enable_row_level_security()


def downgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_events_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_events_status'))
        batch_op.drop_index(batch_op.f('ix_webhook_events_connection_id'))

    op.drop_table('webhook_events')
    with op.batch_alter_table('integration_sync_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_integration_sync_runs_tenant_started')
        batch_op.drop_index(batch_op.f('ix_integration_sync_runs_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_integration_sync_runs_status'))
        batch_op.drop_index(batch_op.f('ix_integration_sync_runs_operation'))
        batch_op.drop_index(batch_op.f('ix_integration_sync_runs_connection_id'))

    op.drop_table('integration_sync_runs')
    with op.batch_alter_table('integration_connections', schema=None) as batch_op:
        batch_op.drop_index('ix_integration_connections_tenant_kind')
        batch_op.drop_index(batch_op.f('ix_integration_connections_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_integration_connections_deleted_at'))

    op.drop_table('integration_connections')
    with op.batch_alter_table('gateway_call_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gateway_call_logs_tenant_id'))
        batch_op.drop_index('ix_gateway_call_logs_tenant_created')
        batch_op.drop_index(batch_op.f('ix_gateway_call_logs_connection_id'))

    op.drop_table('gateway_call_logs')
