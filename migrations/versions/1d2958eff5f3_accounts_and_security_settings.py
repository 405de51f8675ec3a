"""accounts: tenant settings, invitations, password resets, outgoing mail, TOTP, export files

Issue 16 (administration and accounts) and issue 13 items 1-5 (sessions and accounts):
- tenants: profile (logo initials, default time zone and working calendar for new projects) and security
  settings (session lifetime and idle timeout, password policy, lockout, invitation domains, two-factor
  policy), plus `version`, because the tenant is now edited with If-Match and audited;
- users: `password_changed_at` (the audited trace of a password change), the TOTP second factor and the
  hashed recovery codes;
- four tenant-owned tables: invitations, password_resets, outgoing_mail, export_files.

Existing rows get the model defaults through server defaults, which are dropped again afterwards so the
schema matches the models exactly (tests/services/test_migrations.py).

Row-level security on the four new tables admits only the transaction's own tenant. Unlike the policies
of earlier migrations it has no `meridian.rls_bypass` clause: nothing reads these tables across tenants
(a link carries its tenant id, so even the signed-out acceptance of an invitation or a reset runs inside
that tenant's scope).

Revision ID: 1d2958eff5f3
Revises: 1a23bcbb0c86
Create Date: 2026-12-01 20:13:29.466846

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '1d2958eff5f3'
down_revision = '1a23bcbb0c86'
branch_labels = None
depends_on = None

NEW_TENANT_TABLES = ('invitations', 'password_resets', 'outgoing_mail', 'export_files')
OWN_TENANT_ONLY = "tenant_id = NULLIF(current_setting('meridian.tenant_id', true), '')::uuid"

TENANT_DEFAULTS = (
    ('default_timezone', sa.String(length=64), "'UTC'"),
    ('working_days', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), "'[0, 1, 2, 3, 4]'"),
    ('work_start', sa.String(length=5), "'09:00'"),
    ('work_end', sa.String(length=5), "'18:00'"),
    ('session_absolute_minutes', sa.Integer(), '720'),
    ('session_idle_minutes', sa.Integer(), '30'),
    ('password_min_length', sa.Integer(), '12'),
    ('password_min_score', sa.Integer(), '3'),
    ('lockout_threshold', sa.Integer(), '5'),
    ('lockout_max_delay_minutes', sa.Integer(), '15'),
    ('invitation_domains', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), "'[]'"),
    ('mfa_required', sa.String(length=16), "'off'"),
    ('version', sa.Integer(), '1'),
)


def _enable_row_level_security():
    """PostgreSQL: the tenant_isolation policy on every new tenant-owned table (see migrations/README)."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in NEW_TENANT_TABLES:
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON {table} USING ({OWN_TENANT_ONLY}) WITH CHECK ({OWN_TENANT_ONLY})')


def upgrade():
    op.create_table('outgoing_mail',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_outgoing_mail_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail'))
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_mail_tenant_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_mail_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('export_files',
    sa.Column('job_id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_export_files_job_id_jobs')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_export_files_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_files')),
    sa.UniqueConstraint('job_id', name=op.f('uq_export_files_job_id'))
    )
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_files_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('invitations',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('support_level', sa.String(length=2), nullable=True),
    sa.Column('project_ids', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_user_id', sa.Uuid(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['accepted_user_id'], ['users.id'], name=op.f('fk_invitations_accepted_user_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_invitations_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_email'), ['email'], unique=False)
        batch_op.create_index('ix_invitations_tenant_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('password_resets',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_from', sa.String(length=64), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_password_resets_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo_initials', sa.String(length=3), nullable=True))
        for name, type_, default in TENANT_DEFAULTS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=sa.text(default)))
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        for name, type_, _default in TENANT_DEFAULTS:
            batch_op.alter_column(name, existing_type=type_, existing_nullable=False, server_default=None)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_pending_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('recovery_codes', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                                      nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('recovery_codes', existing_type=sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                              existing_nullable=False, server_default=None)

    _enable_row_level_security()


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('recovery_codes')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_pending_secret')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('password_changed_at')

    with op.batch_alter_table('tenants', schema=None) as batch_op:
        for name, _type, _default in reversed(TENANT_DEFAULTS):
            batch_op.drop_column(name)
        batch_op.drop_column('logo_initials')

    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
        batch_op.drop_index(batch_op.f('ix_password_resets_tenant_id'))

    op.drop_table('password_resets')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_tenant_id'))
        batch_op.drop_index('ix_invitations_tenant_created')
        batch_op.drop_index(batch_op.f('ix_invitations_email'))

    op.drop_table('invitations')
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_files_tenant_id'))

    op.drop_table('export_files')
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_tenant_id'))
        batch_op.drop_index('ix_outgoing_mail_tenant_created')

    op.drop_table('outgoing_mail')
