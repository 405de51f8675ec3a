"""Issue 14: indexes that serve ORDER BY ... LIMIT and the capped totals as projects grow. Two partial indexes
of what is still open (the war room, sorted by next deadline then number; the breach list, sorted by
priority, next deadline, number), and the inbox sorted newest first. Indexes only: nothing to fill.

Revision ID: ae8eac6d6f64
Revises: 73fb95bcd272
Create Date: 2026-12-01 23:13:18.472000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae8eac6d6f64'
down_revision = '73fb95bcd272'
branch_labels = None
depends_on = None

# The same predicates as app/models/hypercare.py (still_open, sla_breached), as the ORM renders them: the
# planner uses a partial index only when the query's WHERE implies the index's.
STILL_OPEN = "(status NOT IN ('resolved', 'closed')) AND deleted_at IS NULL"
BREACHED = "(sla_response_breached IS true OR sla_resolution_breached IS true)"


def upgrade():
    with op.batch_alter_table('hypercare_incidents', schema=None) as batch_op:
        batch_op.create_index(
            'ix_hypercare_incidents_open_queue',
            ['tenant_id', 'project_id', 'sla_next_deadline', 'number', 'status'],
            unique=False,
            postgresql_where=sa.text(STILL_OPEN),
            sqlite_where=sa.text(STILL_OPEN),
        )
        batch_op.create_index(
            'ix_hypercare_incidents_open_breaches',
            ['tenant_id', 'project_id', 'priority', 'sla_next_deadline', 'number'],
            unique=False,
            postgresql_where=sa.text(f"{STILL_OPEN} AND {BREACHED}"),
            sqlite_where=sa.text(f"{STILL_OPEN} AND {BREACHED}"),
        )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_feed', ['tenant_id', 'user_id', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_feed')
    with op.batch_alter_table('hypercare_incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_hypercare_incidents_open_breaches')
        batch_op.drop_index('ix_hypercare_incidents_open_queue')
