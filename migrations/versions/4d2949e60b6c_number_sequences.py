"""number sequences

Revision ID: 4d2949e60b6c
Revises: c0f831b1d8a3
Create Date: 2026-11-23 09:07:31.308480

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d2949e60b6c'
down_revision = 'c0f831b1d8a3'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed by hand.
    op.create_table('number_sequences',
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_number_sequences_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_number_sequences')),
    sa.UniqueConstraint('tenant_id', 'scope', name=op.f('uq_number_sequences_tenant_id_scope'))
    )
    with op.batch_alter_table('number_sequences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_number_sequences_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    # Reviewed by hand.
    with op.batch_alter_table('number_sequences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_number_sequences_tenant_id'))

    op.drop_table('number_sequences')
