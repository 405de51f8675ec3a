"""On PostgreSQL the requirement search predicate matches the GIN index the migration creates.

Checked as the schema owner: under row-level security PostgreSQL evaluates the policy before any
non-leakproof predicate (`@@` is not leakproof), so as `meridian_app` the planner filters the tenant's
rows (tenant_id index) and then matches text. The index serves owner-run reporting and keeps the
expression honest; docs/decisions.md records the trade-off."""

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import ExploreRequirement
from app.models.explore.requirement import SEARCH_DOCUMENT_SQL
from app.rls import owner_connection
from app.services.delivery_query import text_search

pytestmark = pytest.mark.services


def test_full_text_search_uses_the_gin_index(real_services, tenant_a, make_project):
    make_project(tenant_a["tenant_id"])
    with real_services.app_context(), owner_connection(db.engine) as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        # The app's own search predicate (the expression must match the index's, or the index is dead weight).
        stmt = text_search(select(ExploreRequirement.id), ExploreRequirement, "clearing", SEARCH_DOCUMENT_SQL)
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = conn.execute(text("EXPLAIN " + str(compiled).replace("%%", "%"))).scalars().all()
        conn.rollback()
    assert any("ix_explore_requirements_search" in line for line in plan), plan
