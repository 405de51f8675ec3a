"""One status vocabulary for every run table: Cloud ALM sync logs say succeeded / partial / failed, as
jobs, push jobs and integration sync runs do (app/models/run_status.py). Data only; no column changes.

Revision ID: e3a1c9d07b52
Revises: b64ce9743705
Create Date: 2026-12-01 20:10:00
"""
from alembic import op

revision = 'e3a1c9d07b52'
down_revision = 'b64ce9743705'
branch_labels = None
depends_on = None

RENAMED = {"success": "succeeded", "error": "failed"}


def _all_tenants():
    """The table forces row-level security; a data fix crosses tenants on purpose."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT set_config('meridian.rls_bypass', 'on', true)")


def upgrade():
    _all_tenants()
    for old, new in RENAMED.items():
        op.execute(f"UPDATE cloud_alm_sync_logs SET status = '{new}' WHERE status = '{old}'")


def downgrade():
    _all_tenants()
    for old, new in RENAMED.items():
        op.execute(f"UPDATE cloud_alm_sync_logs SET status = '{old}' WHERE status = '{new}'")
