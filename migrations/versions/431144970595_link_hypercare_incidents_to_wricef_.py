"""link hypercare incidents to WRICEF backlog items

Seed 002 §4.1 linked_backlog_item_id ("if the cause is a WRICEF item"): a nullable column, its index and a
foreign key that nulls the link if the backlog row is ever hard-deleted (the app only soft-deletes).
No new table, so no row-level-security block: hypercare_incidents already has its tenant_isolation policy.
batch_alter_table because SQLite cannot ALTER TABLE ... ADD CONSTRAINT (it recreates the table there).

Revision ID: 431144970595
Revises: 34883953db8c
Create Date: 2026-11-23 12:55:45.620829

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '431144970595'
down_revision = '34883953db8c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hypercare_incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('linked_backlog_item_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_hypercare_incidents_linked_backlog_item_id'), ['linked_backlog_item_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_hypercare_incidents_linked_backlog_item_id_backlog_items'), 'backlog_items', ['linked_backlog_item_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('hypercare_incidents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_hypercare_incidents_linked_backlog_item_id_backlog_items'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_hypercare_incidents_linked_backlog_item_id'))
        batch_op.drop_column('linked_backlog_item_id')
