"""Partial indexes for the breach sweep: only incidents whose SLA clock can still breach.

An incident answered (or resolved) in time can never breach that clock again; after a few weeks of
hypercare that is almost every incident. These indexes hold only the others, so the sweep (every minute,
and on every war-room read) reads the live ones instead of the whole project. The predicates are written
per dialect exactly as the models render them (app/models/hypercare.py `unsettled_clock`).

Revision ID: b64ce9743705
Revises: 431144970595
Create Date: 2026-11-23 14:24:10.495229
"""
from alembic import op
import sqlalchemy as sa

revision = 'b64ce9743705'
down_revision = '431144970595'
branch_labels = None
depends_on = None

STOPPED = {"response": "first_response_at", "resolution": "resolved_at"}


def _predicates(clock):
    stopped, deadline = STOPPED[clock], f"sla_{clock}_deadline"
    running = f"({stopped} IS NULL OR {stopped} > {deadline})"
    return {"postgresql_where": sa.text(f"sla_{clock}_breached IS false AND {running}"),
            "sqlite_where": sa.text(f"sla_{clock}_breached IS 0 AND {running}")}


def upgrade():
    with op.batch_alter_table('hypercare_incidents', schema=None) as batch_op:
        for clock in ("resolution", "response"):
            batch_op.create_index(f'ix_hypercare_incidents_{clock}_watch',
                                  ['tenant_id', 'project_id', f'sla_{clock}_deadline'], unique=False,
                                  **_predicates(clock))


def downgrade():
    with op.batch_alter_table('hypercare_incidents', schema=None) as batch_op:
        for clock in ("response", "resolution"):
            batch_op.drop_index(f'ix_hypercare_incidents_{clock}_watch')
