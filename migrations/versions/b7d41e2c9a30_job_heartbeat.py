"""job heartbeat

Issue 13.9. jobs.heartbeat_at: renewed by the process running a job; a running job whose heartbeat is older
than the lease (JOB_LEASE_SECONDS) is marked failed by the reaper. Existing rows start with none: the
reaper then goes by started_at.

Revision ID: b7d41e2c9a30
Revises: ae8eac6d6f64
Create Date: 2026-12-01 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41e2c9a30'
down_revision = 'ae8eac6d6f64'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
