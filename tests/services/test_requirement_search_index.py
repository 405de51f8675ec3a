"""On PostgreSQL the requirement search runs on the GIN index the migration creates (not a scan)."""
import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import ExploreRequirement
from app.services.delivery_query import text_search
from app.models.explore.requirement import SEARCH_DOCUMENT_SQL
from app.utils import tenant_context

pytestmark = pytest.mark.services


def test_full_text_search_uses_the_gin_index(real_services, tenant_a, make_project):
    make_project(tenant_a["tenant_id"])
    with real_services.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        # The app's own search predicate (the expression must match the index's, or the index is dead weight).
        stmt = text_search(select(ExploreRequirement.id), ExploreRequirement, "clearing", SEARCH_DOCUMENT_SQL)
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.execute(text("EXPLAIN " + str(compiled).replace("%%", "%"))).scalars().all()
        db.session.rollback()
    assert any("ix_explore_requirements_search" in line for line in plan), plan
