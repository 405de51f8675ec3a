"""attachments, attachment settings and discussion comments (issue 17)

Three tenant-owned tables, each with the row-level-security policy of every tenant table.

Revision ID: 3699ab5310ea
Revises: 1d2958eff5f3
Create Date: 2026-12-01 20:17:56.558084

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '3699ab5310ea'
down_revision = '1d2958eff5f3'
branch_labels = None
depends_on = None

TENANT_TABLES = ('attachment_settings', 'attachments', 'discussion_comments')
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
    op.create_table('attachment_settings',
    sa.Column('allowed_types', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('max_file_bytes', sa.BigInteger(), nullable=False),
    sa.Column('quota_bytes', sa.BigInteger(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_attachment_settings_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment_settings')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_attachment_settings_tenant_id'))
    )
    with op.batch_alter_table('attachment_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_settings_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_settings_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('attachments',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('owner_type', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=200), nullable=True),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_attachments_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_attachments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachments_storage_key'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_attachments_owner', ['tenant_id', 'owner_type', 'owner_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_attachments_purge', ['tenant_id', 'purged_at', 'deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('discussion_comments',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('is_internal', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('mentions', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_discussion_comments_author_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_discussion_comments_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_discussion_comments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_comments'))
    )
    with op.batch_alter_table('discussion_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_comments_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_discussion_comments_object', ['tenant_id', 'object_type', 'object_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_discussion_comments_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discussion_comments_tenant_id'), ['tenant_id'], unique=False)

    _enable_row_level_security()


def downgrade():
    # Dropping a table drops its policy with it.
    with op.batch_alter_table('discussion_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_comments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_discussion_comments_project_id'))
        batch_op.drop_index('ix_discussion_comments_object')
        batch_op.drop_index(batch_op.f('ix_discussion_comments_deleted_at'))

    op.drop_table('discussion_comments')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_tenant_id'))
        batch_op.drop_index('ix_attachments_purge')
        batch_op.drop_index(batch_op.f('ix_attachments_project_id'))
        batch_op.drop_index('ix_attachments_owner')
        batch_op.drop_index(batch_op.f('ix_attachments_deleted_at'))

    op.drop_table('attachments')
    with op.batch_alter_table('attachment_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_settings_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_settings_deleted_at'))

    op.drop_table('attachment_settings')
