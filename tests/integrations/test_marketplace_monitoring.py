"""Order-flow rules with a moving clock: an outage opens exactly one incident, de-duplicated while open,
and recovery annotates it; the unshipped-backlog rule counts only old waiting packages."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.integrations.marketplace_connector import PackageRecord
from app.models import HypercareIncident, IncidentComment, MarketplaceStore, OrderFlowAlert
from app.services.marketplace import monitoring, upsert
from app.utils import clock, tenant_context
from tests.fixtures.app import keep_sessions, login
from tests.fixtures.marketplaces import add_store, trendyol_connection_body

MONDAY_NOON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # 12:00 in Istanbul


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(MONDAY_NOON):
        yield


def _order(store, number, at, status="Created"):
    record = PackageRecord(str(number), f"O{number}", status, at, at, Decimal("10"))
    upsert.packages(store, "2738", [record], clock.utcnow())
    db.session.commit()


def _sweep(app, tenant_id):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return monitoring.sweep()


@pytest.fixture
def shop(app, client, tenant_a, make_project, make_user, trendyol_sandbox):
    project_id = make_project(tenant_a["tenant_id"], "FLOW")
    make_user(tenant_a["tenant_id"], "lead@alpha.test", role="pm")
    keep_sessions(app, tenant_a["tenant_id"])  # the tests move the clock hours between requests
    admin = login(client, tenant_a["admin_email"])
    lead = login(client, "lead@alpha.test")
    store = add_store(
        admin, project_id, trendyol_connection_body(trendyol_sandbox), opens_at="09:00", closes_at="22:00"
    )
    return {"project_id": project_id, "store_id": store["id"], "lead": lead, "admin": admin}


def test_an_outage_opens_one_incident_and_recovery_annotates_it(app, tenant_a, shop):
    rules = f"/api/v1/projects/{shop['project_id']}/marketplace/rules"
    made = shop["lead"].post(rules, json={"name": "Quiet store", "kind": "no_orders", "minutes": 60, "priority": "p1"})
    assert made.status_code == 201, made.json
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        store = MarketplaceStore.get_scoped_or_404(shop["store_id"])
        _order(store, 1, MONDAY_NOON - timedelta(minutes=5))

    assert _sweep(app, tenant_a["tenant_id"])["opened"] == 0
    clock.advance(timedelta(minutes=70))  # 65 quiet business minutes
    assert _sweep(app, tenant_a["tenant_id"])["opened"] == 1
    for _ in range(3):  # still quiet: the open alert de-duplicates
        clock.advance(timedelta(minutes=10))
        assert _sweep(app, tenant_a["tenant_id"])["opened"] == 0

    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        incident = db.session.execute(select(HypercareIncident)).scalar_one()
        assert incident.priority == "p1" and incident.incident_type == "interface"
        assert "no order for" in incident.title
        comments = db.session.execute(select(IncidentComment.content)).scalars().all()
        assert len(comments) == 1 and "quiet business minutes" in comments[0]
        store = MarketplaceStore.get_scoped_or_404(shop["store_id"])
        _order(store, 2, clock.utcnow() - timedelta(minutes=1))  # orders flow again

    assert _sweep(app, tenant_a["tenant_id"])["recovered"] == 1
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert len(db.session.execute(select(HypercareIncident)).scalars().all()) == 1
        notes = db.session.execute(select(IncidentComment.content).order_by(IncidentComment.created_at)).scalars().all()
        assert len(notes) == 2 and "Order flow recovered" in notes[1]
        alert = db.session.execute(select(OrderFlowAlert)).scalar_one()
        assert alert.recovered_at == clock.utcnow()
    panel = shop["admin"].get(f"/api/v1/projects/{shop['project_id']}/marketplace/order-flow").json
    assert panel["stores"][0]["alerts"] == []


def test_silence_outside_business_hours_does_not_count(app, tenant_a, shop):
    shop["lead"].post(
        f"/api/v1/projects/{shop['project_id']}/marketplace/rules",
        json={"name": "Quiet store", "kind": "no_orders", "minutes": 60},
    )
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        store = MarketplaceStore.get_scoped_or_404(shop["store_id"])
        _order(store, 1, MONDAY_NOON + timedelta(hours=9, minutes=50))  # 21:50 Istanbul
        clock.advance(timedelta(hours=10))  # to 22:00 Istanbul, closing time: ten quiet business minutes
        assert monitoring.business_minutes(store, MONDAY_NOON + timedelta(hours=9, minutes=50), clock.utcnow()) == 10
    assert _sweep(app, tenant_a["tenant_id"])["opened"] == 0
    clock.advance(timedelta(hours=11))  # 09:00 next morning: the night does not count
    assert _sweep(app, tenant_a["tenant_id"])["opened"] == 0
    clock.advance(timedelta(hours=1))  # 10:00: 10 + 60 business minutes without an order
    assert _sweep(app, tenant_a["tenant_id"])["opened"] == 1


def test_unshipped_backlog_counts_only_old_waiting_packages(app, tenant_a, shop):
    shop["lead"].post(
        f"/api/v1/projects/{shop['project_id']}/marketplace/rules",
        json={"name": "Backlog", "kind": "unshipped_backlog", "max_packages": 2, "age_hours": 4, "priority": "p3"},
    )
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        store = MarketplaceStore.get_scoped_or_404(shop["store_id"])
        for number in range(3):
            _order(store, 10 + number, MONDAY_NOON - timedelta(hours=5), "Picking")
        _order(store, 20, MONDAY_NOON - timedelta(hours=5), "Shipped")
        _order(store, 21, MONDAY_NOON - timedelta(hours=1), "Created")
    assert _sweep(app, tenant_a["tenant_id"])["opened"] == 1
    panel = shop["admin"].get(f"/api/v1/projects/{shop['project_id']}/marketplace/order-flow").json["stores"][0]
    assert panel["waiting"] == {
        "older_than_hours": 4,
        "count": 3,
        "oldest_order_at": panel["waiting"]["oldest_order_at"],
    }
    assert panel["alerts"][0]["rule_name"] == "Backlog" and panel["alerts"][0]["incident_number"].startswith("INC")
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        store = MarketplaceStore.get_scoped_or_404(shop["store_id"])
        upsert.packages(
            store,
            "2738",
            [PackageRecord("10", "O10", "Shipped", MONDAY_NOON - timedelta(hours=5), clock.utcnow())],
            clock.utcnow(),
        )
        db.session.commit()
    assert _sweep(app, tenant_a["tenant_id"])["recovered"] == 1
