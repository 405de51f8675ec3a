"""Cloud ALM: the scope a project's manual test cases go to (Test Management needs one per case), and
per requirement a digest of the Cloud ALM fields as they stood at the last sync, so a pull tells remote
changes from local ones without trusting a date-granular lastChangedDate. Both nullable: nothing to fill.

Revision ID: 570328f2fb61
Revises: 01bce66abb63
Create Date: 2026-12-01 20:02:17.008096

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '570328f2fb61'
down_revision = '01bce66abb63'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('explore_requirements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alm_remote_digest', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True))

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cloud_alm_scope_id', sa.String(length=100), nullable=True))



def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('cloud_alm_scope_id')

    with op.batch_alter_table('explore_requirements', schema=None) as batch_op:
        batch_op.drop_column('alm_remote_digest')

