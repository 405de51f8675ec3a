"""Cutover runbooks (issue 18): runbooks and their activities, rehearsal and production runs with what
happened to each activity, and the go/no-go checklist. Five tenant-owned tables, each with row-level
security on PostgreSQL like every tenant table (see migrations/README).

Revision ID: 01bce66abb63
Revises: 3699ab5310ea
Create Date: 2026-12-01 20:23:50.976511

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '01bce66abb63'
down_revision = '3699ab5310ea'
branch_labels = None
depends_on = None

TENANT_TABLES = ('cutover_runbooks', 'cutover_activities', 'cutover_check_items', 'cutover_runs',
                 'cutover_run_activities')
TENANT_MATCHES = ("current_setting('meridian.rls_bypass', true) = 'on' "
                  "OR tenant_id = NULLIF(current_setting('meridian.tenant_id', true), '')::uuid")


def _enable_row_level_security():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TENANT_TABLES:
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON {table} USING ({TENANT_MATCHES}) WITH CHECK ({TENANT_MATCHES})')


def upgrade():
    op.create_table('cutover_runbooks',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('planned_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('decision_notes', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_cutover_runbooks_decided_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_cutover_runbooks_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cutover_runbooks_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cutover_runbooks'))
    )
    with op.batch_alter_table('cutover_runbooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cutover_runbooks_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_runbooks_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_cutover_runbooks_project_start', ['tenant_id', 'project_id', 'planned_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_runbooks_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('cutover_activities',
    sa.Column('runbook_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('team', sa.String(length=120), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('system', sa.String(length=120), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('planned_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('depends_on', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_cutover_activities_owner_id_users')),
    sa.ForeignKeyConstraint(['runbook_id'], ['cutover_runbooks.id'], name=op.f('fk_cutover_activities_runbook_id_cutover_runbooks')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cutover_activities_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cutover_activities'))
    )
    with op.batch_alter_table('cutover_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cutover_activities_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_activities_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_activities_runbook_id'), ['runbook_id'], unique=False)
        batch_op.create_index('ix_cutover_activities_runbook_position', ['tenant_id', 'runbook_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_activities_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('uq_cutover_activities_runbook_code', ['tenant_id', 'runbook_id', 'code'], unique=True, postgresql_where=sa.text('deleted_at IS NULL'), sqlite_where=sa.text('deleted_at IS NULL'))

    op.create_table('cutover_check_items',
    sa.Column('runbook_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=500), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('evidence_url', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('signed_off_by_id', sa.Uuid(), nullable=True),
    sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_cutover_check_items_owner_id_users')),
    sa.ForeignKeyConstraint(['runbook_id'], ['cutover_runbooks.id'], name=op.f('fk_cutover_check_items_runbook_id_cutover_runbooks')),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['users.id'], name=op.f('fk_cutover_check_items_signed_off_by_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cutover_check_items_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cutover_check_items'))
    )
    with op.batch_alter_table('cutover_check_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cutover_check_items_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_check_items_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_check_items_runbook_id'), ['runbook_id'], unique=False)
        batch_op.create_index('ix_cutover_check_items_runbook_position', ['tenant_id', 'runbook_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_check_items_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('cutover_runs',
    sa.Column('runbook_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('board_revision', sa.Integer(), nullable=False),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('adopted_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['users.id'], name=op.f('fk_cutover_runs_adopted_by_id_users')),
    sa.ForeignKeyConstraint(['runbook_id'], ['cutover_runbooks.id'], name=op.f('fk_cutover_runs_runbook_id_cutover_runbooks')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cutover_runs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cutover_runs'))
    )
    with op.batch_alter_table('cutover_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cutover_runs_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_runs_runbook_id'), ['runbook_id'], unique=False)
        batch_op.create_index('ix_cutover_runs_runbook_started', ['tenant_id', 'runbook_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_runs_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('uq_cutover_runs_one_running', ['runbook_id'], unique=True, postgresql_where=sa.text("status = 'running'"), sqlite_where=sa.text("status = 'running'"))

    op.create_table('cutover_run_activities',
    sa.Column('run_id', sa.Uuid(), nullable=False),
    sa.Column('activity_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('actual_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_finish', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['cutover_activities.id'], name=op.f('fk_cutover_run_activities_activity_id_cutover_activities')),
    sa.ForeignKeyConstraint(['run_id'], ['cutover_runs.id'], name=op.f('fk_cutover_run_activities_run_id_cutover_runs')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cutover_run_activities_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cutover_run_activities')),
    sa.UniqueConstraint('run_id', 'activity_id', name=op.f('uq_cutover_run_activities_run_id_activity_id'))
    )
    with op.batch_alter_table('cutover_run_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cutover_run_activities_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_run_activities_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_run_activities_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cutover_run_activities_tenant_id'), ['tenant_id'], unique=False)

    _enable_row_level_security()


def downgrade():
    # Dropping a table drops its policy with it.
    with op.batch_alter_table('cutover_run_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cutover_run_activities_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_cutover_run_activities_run_id'))
        batch_op.drop_index(batch_op.f('ix_cutover_run_activities_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_cutover_run_activities_activity_id'))

    op.drop_table('cutover_run_activities')
    with op.batch_alter_table('cutover_runs', schema=None) as batch_op:
        batch_op.drop_index('uq_cutover_runs_one_running', postgresql_where=sa.text("status = 'running'"), sqlite_where=sa.text("status = 'running'"))
        batch_op.drop_index(batch_op.f('ix_cutover_runs_tenant_id'))
        batch_op.drop_index('ix_cutover_runs_runbook_started')
        batch_op.drop_index(batch_op.f('ix_cutover_runs_runbook_id'))
        batch_op.drop_index(batch_op.f('ix_cutover_runs_deleted_at'))

    op.drop_table('cutover_runs')
    with op.batch_alter_table('cutover_check_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cutover_check_items_tenant_id'))
        batch_op.drop_index('ix_cutover_check_items_runbook_position')
        batch_op.drop_index(batch_op.f('ix_cutover_check_items_runbook_id'))
        batch_op.drop_index(batch_op.f('ix_cutover_check_items_owner_id'))
        batch_op.drop_index(batch_op.f('ix_cutover_check_items_deleted_at'))

    op.drop_table('cutover_check_items')
    with op.batch_alter_table('cutover_activities', schema=None) as batch_op:
        batch_op.drop_index('uq_cutover_activities_runbook_code', postgresql_where=sa.text('deleted_at IS NULL'), sqlite_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_cutover_activities_tenant_id'))
        batch_op.drop_index('ix_cutover_activities_runbook_position')
        batch_op.drop_index(batch_op.f('ix_cutover_activities_runbook_id'))
        batch_op.drop_index(batch_op.f('ix_cutover_activities_owner_id'))
        batch_op.drop_index(batch_op.f('ix_cutover_activities_deleted_at'))

    op.drop_table('cutover_activities')
    with op.batch_alter_table('cutover_runbooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cutover_runbooks_tenant_id'))
        batch_op.drop_index('ix_cutover_runbooks_project_start')
        batch_op.drop_index(batch_op.f('ix_cutover_runbooks_project_id'))
        batch_op.drop_index(batch_op.f('ix_cutover_runbooks_deleted_at'))

    op.drop_table('cutover_runbooks')
