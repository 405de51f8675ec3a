"""invitations are soft-deleted

DELETE /api/v1/invitations/{id} used to revoke and keep the invitation readable, so the resource answered
200 after a DELETE. Revoking is now POST …/revoke (kept, listed as revoked); DELETE revokes and hides the
row (deleted_at), as every other soft-deleted object. Existing rows stay visible (deleted_at NULL).

Revision ID: a7b53adb4c83
Revises: 857ed877b496
Create Date: 2026-12-02 16:18:21.262946

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7b53adb4c83'
down_revision = '857ed877b496'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invitations_deleted_at'), ['deleted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_deleted_at'))
        batch_op.drop_column('deleted_by')
        batch_op.drop_column('deleted_at')
