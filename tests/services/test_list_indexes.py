"""Issue 14: on PostgreSQL, as the RLS role, the war room's and the breach list's page and capped count can be
served by their partial indexes. The statements are the ones a real request runs (the ORM adds the tenant and
soft-delete criteria); the planner is told to avoid sequential and bitmap scans, so the test proves each query
still implies its index's predicate (a query spelled differently makes the index dead weight)."""

import pytest
from sqlalchemy import event

from app.extensions import db
from app.utils import tenant_context
from tests.fixtures.hypercare import new_incident

pytestmark = pytest.mark.services


def _statements_of(app, get, url) -> list:
    seen = []

    def grab(_conn, _cursor, statement, parameters, _context, _executemany):
        if "FROM hypercare_incidents" in statement and statement.lstrip().startswith("SELECT"):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        assert get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return seen


def _plans(app, tenant_id, statements) -> list[str]:
    plans = []
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        connection = db.session.connection()
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        for statement, parameters in statements:
            plans.append("\n".join(connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars()))
        db.session.rollback()
    return plans


@pytest.mark.parametrize(
    ("path", "index"),
    [
        ("incidents?limit=1&status=open,in_progress,waiting_customer", "ix_hypercare_incidents_open_queue"),
        ("sla-breaches?limit=1", "ix_hypercare_incidents_open_breaches"),
    ],
)
def test_the_page_and_the_capped_count_use_the_partial_index(real_services, war_room, frozen, path, index):
    from datetime import timedelta

    for priority in ("p1", "p1", "p2"):
        new_incident(war_room, priority)
    frozen.advance(timedelta(hours=9))  # every one breached: both lists have a full first page and a count
    statements = _statements_of(real_services, war_room["api"]["pm"].get, f"{war_room['url']}/{path}")
    page = [s for s in statements if "LIMIT" in s[0] and "count(" not in s[0]]
    count = [s for s in statements if "count(" in s[0]]
    assert page and count, statements
    for plan in _plans(real_services, war_room["tenant_id"], page[:1] + count[:1]):
        assert index in plan, plan
