"""api tokens and service users

Issue 15.4. api_tokens (tenant-owned, row-level security on PostgreSQL): one row per token, holding the
SHA-256 of its secret, never the secret; key_id is the token's public lookup key, unique across tenants.
users.kind: 'person' (every existing user: the server default fills them) or 'service', the user that
stands behind one token.

Revision ID: 1ed119beaf2f
Revises: b7d41e2c9a30
Create Date: 2026-12-01 23:53:57.997356

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '1ed119beaf2f'
down_revision = 'b7d41e2c9a30'
branch_labels = None
depends_on = None

TENANT_TABLES = ('api_tokens',)
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
    op.create_table('api_tokens',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('service_user_id', sa.Uuid(), nullable=False),
    sa.Column('project_ids', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.Uuid(), nullable=True),
    sa.Column('rate_limit_per_minute', sa.Integer(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_user_id'], ['users.id'], name=op.f('fk_api_tokens_service_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_tokens_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('key_id', name=op.f('uq_api_tokens_key_id'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_service_user_id'), ['service_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='person', nullable=False))

    _enable_row_level_security()


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_api_tokens_service_user_id'))
        batch_op.drop_index(batch_op.f('ix_api_tokens_deleted_at'))

    op.drop_table('api_tokens')  # its policy goes with it
