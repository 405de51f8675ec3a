"""delivery domain: requirements, backlog, testing, defects

Revision ID: 5754fae3c893
Revises: 01a5c3ef6a97
Create Date: 2026-11-23 09:29:14.758457

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5754fae3c893'
down_revision = '01a5c3ef6a97'
branch_labels = None
depends_on = None


TENANT_TABLES = ('explore_requirements', 'test_cases', 'test_cycles', 'backlog_items', 'test_case_requirements', 'test_executions', 'defects')
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
    # Reviewed by hand.
    op.create_table('explore_requirements',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('module', sa.String(length=10), nullable=False),
    sa.Column('scope_item', sa.String(length=40), nullable=False),
    sa.Column('fit_gap', sa.String(length=12), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('workshop_ref', sa.String(length=100), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('alm_sync_status', sa.String(length=12), nullable=False),
    sa.Column('alm_last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_explore_requirements_owner_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_explore_requirements_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_explore_requirements_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_explore_requirements')),
    sa.UniqueConstraint('project_id', 'code', name=op.f('uq_explore_requirements_project_id_code'))
    )
    with op.batch_alter_table('explore_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_explore_requirements_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_explore_requirements_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_explore_requirements_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_explore_requirements_project_alm_sync', ['project_id', 'alm_sync_status'], unique=False)
        batch_op.create_index('ix_explore_requirements_project_created', ['project_id', 'created_at'], unique=False)
        batch_op.create_index('ix_explore_requirements_project_fit_gap', ['project_id', 'fit_gap'], unique=False)
        batch_op.create_index(batch_op.f('ix_explore_requirements_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_explore_requirements_project_module', ['project_id', 'module'], unique=False)
        batch_op.create_index('ix_explore_requirements_project_priority', ['project_id', 'priority'], unique=False)
        batch_op.create_index('ix_explore_requirements_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index('ix_explore_requirements_project_title', ['project_id', 'title'], unique=False)
        batch_op.create_index('ix_explore_requirements_project_updated', ['project_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_explore_requirements_tenant_id'), ['tenant_id'], unique=False)

    # Full-text search over title + description (PostgreSQL only; SQLite searches with LIKE). The
    # expression must stay identical to app/models/explore/requirement.py SEARCH_DOCUMENT_SQL.
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_explore_requirements_search', 'explore_requirements',
                        [sa.text("to_tsvector('simple'::regconfig, (COALESCE(title, ''::character varying)::text "
                                 "|| ' '::text) || COALESCE(description, ''::text))")],
                        unique=False, postgresql_using='gin')

    op.create_table('test_cases',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('steps', sa.Text(), nullable=False),
    sa.Column('expected_result', sa.Text(), nullable=False),
    sa.Column('module', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_test_cases_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_test_cases_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_cases')),
    sa.UniqueConstraint('project_id', 'code', name=op.f('uq_test_cases_project_id_code'))
    )
    with op.batch_alter_table('test_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_cases_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_cases_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_test_cases_project_module', ['project_id', 'module'], unique=False)
        batch_op.create_index('ix_test_cases_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index('ix_test_cases_project_title', ['project_id', 'title'], unique=False)
        batch_op.create_index('ix_test_cases_project_updated', ['project_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_cases_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('test_cycles',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('cycle_type', sa.String(length=12), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_test_cycles_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_test_cycles_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_cycles'))
    )
    with op.batch_alter_table('test_cycles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_cycles_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_cycles_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_test_cycles_project_name', ['project_id', 'name'], unique=False)
        batch_op.create_index('ix_test_cycles_project_start', ['project_id', 'start_date'], unique=False)
        batch_op.create_index('ix_test_cycles_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index('ix_test_cycles_project_type', ['project_id', 'cycle_type'], unique=False)
        batch_op.create_index('ix_test_cycles_project_updated', ['project_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_cycles_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('backlog_items',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('wricef_type', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('module', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('effort_days', sa.Numeric(precision=7, scale=1), nullable=True),
    sa.Column('requirement_id', sa.Uuid(), nullable=True),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_backlog_items_assignee_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_backlog_items_project_id_projects')),
    sa.ForeignKeyConstraint(['requirement_id'], ['explore_requirements.id'], name=op.f('fk_backlog_items_requirement_id_explore_requirements')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_backlog_items_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backlog_items')),
    sa.UniqueConstraint('project_id', 'code', name=op.f('uq_backlog_items_project_id_code'))
    )
    with op.batch_alter_table('backlog_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_backlog_items_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_backlog_items_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_backlog_items_project_effort', ['project_id', 'effort_days'], unique=False)
        batch_op.create_index(batch_op.f('ix_backlog_items_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_backlog_items_project_module', ['project_id', 'module'], unique=False)
        batch_op.create_index('ix_backlog_items_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index('ix_backlog_items_project_title', ['project_id', 'title'], unique=False)
        batch_op.create_index('ix_backlog_items_project_type', ['project_id', 'wricef_type'], unique=False)
        batch_op.create_index('ix_backlog_items_project_updated', ['project_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_backlog_items_requirement_id'), ['requirement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_backlog_items_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('test_case_requirements',
    sa.Column('test_case_id', sa.Uuid(), nullable=False),
    sa.Column('requirement_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['requirement_id'], ['explore_requirements.id'], name=op.f('fk_test_case_requirements_requirement_id_explore_requirements')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_test_case_requirements_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['test_case_id'], ['test_cases.id'], name=op.f('fk_test_case_requirements_test_case_id_test_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_case_requirements')),
    sa.UniqueConstraint('test_case_id', 'requirement_id', name=op.f('uq_test_case_requirements_test_case_id_requirement_id'))
    )
    with op.batch_alter_table('test_case_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_case_requirements_requirement_id'), ['requirement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_case_requirements_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_case_requirements_test_case_id'), ['test_case_id'], unique=False)

    op.create_table('test_executions',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('cycle_id', sa.Uuid(), nullable=False),
    sa.Column('test_case_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('executed_by', sa.Uuid(), nullable=True),
    sa.Column('executed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['test_cycles.id'], name=op.f('fk_test_executions_cycle_id_test_cycles')),
    sa.ForeignKeyConstraint(['executed_by'], ['users.id'], name=op.f('fk_test_executions_executed_by_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_test_executions_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_test_executions_tenant_id_tenants')),
    sa.ForeignKeyConstraint(['test_case_id'], ['test_cases.id'], name=op.f('fk_test_executions_test_case_id_test_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_executions')),
    sa.UniqueConstraint('cycle_id', 'test_case_id', name=op.f('uq_test_executions_cycle_id_test_case_id'))
    )
    with op.batch_alter_table('test_executions', schema=None) as batch_op:
        batch_op.create_index('ix_test_executions_case_executed', ['test_case_id', 'executed_at'], unique=False)
        batch_op.create_index('ix_test_executions_cycle_executed', ['cycle_id', 'executed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_executions_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index('ix_test_executions_cycle_status', ['cycle_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_executions_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_executions_executed_by'), ['executed_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_executions_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_executions_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_executions_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_test_executions_test_case_id'), ['test_case_id'], unique=False)

    op.create_table('defects',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('module', sa.String(length=10), nullable=False),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('execution_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_defects_assignee_id_users')),
    sa.ForeignKeyConstraint(['execution_id'], ['test_executions.id'], name=op.f('fk_defects_execution_id_test_executions')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_defects_project_id_projects')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defects_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defects')),
    sa.UniqueConstraint('project_id', 'code', name=op.f('uq_defects_project_id_code'))
    )
    with op.batch_alter_table('defects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defects_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defects_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_defects_execution_id'), ['execution_id'], unique=False)
        batch_op.create_index('ix_defects_project_created', ['project_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_defects_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_defects_project_module', ['project_id', 'module'], unique=False)
        batch_op.create_index('ix_defects_project_severity', ['project_id', 'severity'], unique=False)
        batch_op.create_index('ix_defects_project_status', ['project_id', 'status'], unique=False)
        batch_op.create_index('ix_defects_project_title', ['project_id', 'title'], unique=False)
        batch_op.create_index('ix_defects_project_updated', ['project_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_defects_tenant_id'), ['tenant_id'], unique=False)
    _enable_row_level_security()


def downgrade():
    # Reviewed by hand.
    with op.batch_alter_table('defects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defects_tenant_id'))
        batch_op.drop_index('ix_defects_project_updated')
        batch_op.drop_index('ix_defects_project_title')
        batch_op.drop_index('ix_defects_project_status')
        batch_op.drop_index('ix_defects_project_severity')
        batch_op.drop_index('ix_defects_project_module')
        batch_op.drop_index(batch_op.f('ix_defects_project_id'))
        batch_op.drop_index('ix_defects_project_created')
        batch_op.drop_index(batch_op.f('ix_defects_execution_id'))
        batch_op.drop_index(batch_op.f('ix_defects_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_defects_assignee_id'))

    op.drop_table('defects')
    with op.batch_alter_table('test_executions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_executions_test_case_id'))
        batch_op.drop_index(batch_op.f('ix_test_executions_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_test_executions_project_id'))
        batch_op.drop_index(batch_op.f('ix_test_executions_external_id'))
        batch_op.drop_index(batch_op.f('ix_test_executions_executed_by'))
        batch_op.drop_index(batch_op.f('ix_test_executions_deleted_at'))
        batch_op.drop_index('ix_test_executions_cycle_status')
        batch_op.drop_index(batch_op.f('ix_test_executions_cycle_id'))
        batch_op.drop_index('ix_test_executions_cycle_executed')
        batch_op.drop_index('ix_test_executions_case_executed')

    op.drop_table('test_executions')
    with op.batch_alter_table('test_case_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_case_requirements_test_case_id'))
        batch_op.drop_index(batch_op.f('ix_test_case_requirements_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_test_case_requirements_requirement_id'))

    op.drop_table('test_case_requirements')
    with op.batch_alter_table('backlog_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_backlog_items_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_backlog_items_requirement_id'))
        batch_op.drop_index('ix_backlog_items_project_updated')
        batch_op.drop_index('ix_backlog_items_project_type')
        batch_op.drop_index('ix_backlog_items_project_title')
        batch_op.drop_index('ix_backlog_items_project_status')
        batch_op.drop_index('ix_backlog_items_project_module')
        batch_op.drop_index(batch_op.f('ix_backlog_items_project_id'))
        batch_op.drop_index('ix_backlog_items_project_effort')
        batch_op.drop_index(batch_op.f('ix_backlog_items_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_backlog_items_assignee_id'))

    op.drop_table('backlog_items')
    with op.batch_alter_table('test_cycles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_cycles_tenant_id'))
        batch_op.drop_index('ix_test_cycles_project_updated')
        batch_op.drop_index('ix_test_cycles_project_type')
        batch_op.drop_index('ix_test_cycles_project_status')
        batch_op.drop_index('ix_test_cycles_project_start')
        batch_op.drop_index('ix_test_cycles_project_name')
        batch_op.drop_index(batch_op.f('ix_test_cycles_project_id'))
        batch_op.drop_index(batch_op.f('ix_test_cycles_deleted_at'))

    op.drop_table('test_cycles')
    with op.batch_alter_table('test_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_cases_tenant_id'))
        batch_op.drop_index('ix_test_cases_project_updated')
        batch_op.drop_index('ix_test_cases_project_title')
        batch_op.drop_index('ix_test_cases_project_status')
        batch_op.drop_index('ix_test_cases_project_module')
        batch_op.drop_index(batch_op.f('ix_test_cases_project_id'))
        batch_op.drop_index(batch_op.f('ix_test_cases_deleted_at'))

    op.drop_table('test_cases')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_explore_requirements_search', table_name='explore_requirements')
    with op.batch_alter_table('explore_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_explore_requirements_tenant_id'))
        batch_op.drop_index('ix_explore_requirements_project_updated')
        batch_op.drop_index('ix_explore_requirements_project_title')
        batch_op.drop_index('ix_explore_requirements_project_status')
        batch_op.drop_index('ix_explore_requirements_project_priority')
        batch_op.drop_index('ix_explore_requirements_project_module')
        batch_op.drop_index(batch_op.f('ix_explore_requirements_project_id'))
        batch_op.drop_index('ix_explore_requirements_project_fit_gap')
        batch_op.drop_index('ix_explore_requirements_project_created')
        batch_op.drop_index('ix_explore_requirements_project_alm_sync')
        batch_op.drop_index(batch_op.f('ix_explore_requirements_owner_id'))
        batch_op.drop_index(batch_op.f('ix_explore_requirements_external_id'))
        batch_op.drop_index(batch_op.f('ix_explore_requirements_deleted_at'))

    op.drop_table('explore_requirements')
