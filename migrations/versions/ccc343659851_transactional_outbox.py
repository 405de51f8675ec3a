"""transactional outbox

Issue 15.5. outbox_messages (tenant-owned, row-level security on PostgreSQL): one domain event per row,
written in the transaction of the change it describes; `sequence` orders the events of one aggregate
(unique per aggregate). ix_outbox_messages_due is partial (unpublished rows only): the publisher's scan
stays as small as the backlog, however many published rows wait for the prune.

Revision ID: ccc343659851
Revises: 1ed119beaf2f
Create Date: 2026-12-02 03:06:30.523115

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'ccc343659851'
down_revision = '1ed119beaf2f'
branch_labels = None
depends_on = None

TENANT_TABLES = ('outbox_messages',)
TENANT_MATCHES = "tenant_id = NULLIF(current_setting('meridian.tenant_id', true), '')::uuid"


def _enable_row_level_security():
    """PostgreSQL: the tenant_isolation policy on every new tenant-owned table (see migrations/README)."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TENANT_TABLES:
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON {table} USING ({TENANT_MATCHES}) WITH CHECK ({TENANT_MATCHES})')


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('aggregate_type', sa.String(length=40), nullable=False),
    sa.Column('aggregate_id', sa.Uuid(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_outbox_messages_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('aggregate_type', 'aggregate_id', 'sequence', name=op.f('uq_outbox_messages_aggregate_type_aggregate_id_sequence'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_due', ['tenant_id', 'next_attempt_at'], unique=False, postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))
        batch_op.create_index('ix_outbox_messages_published_at', ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_tenant_id'), ['tenant_id'], unique=False)

    _enable_row_level_security()


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_tenant_id'))
        batch_op.drop_index('ix_outbox_messages_published_at')
        batch_op.drop_index('ix_outbox_messages_due', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.drop_table('outbox_messages')  # its policy goes with it
