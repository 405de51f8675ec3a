"""Full and delta sync of marketplace stores through the API and the sync service, against the stand-ins."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import MarketplacePackage, MarketplaceProduct, MarketplaceStore, MarketplaceSyncState, WebhookEvent
from app.services.marketplace import sync
from app.utils import clock, tenant_context
from tests.fixtures.marketplaces import (
    HB_HOOK_PASSWORD,
    HB_HOOK_USER,
    add_store,
    hepsiburada_connection_body,
    trendyol_connection_body,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


def _store(app, tenant, store_id):
    return MarketplaceStore.get_scoped_or_404(store_id)


def _count(model, **where):
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.execute(stmt).scalar_one()


def _sync(app, tenant_id, store_id, mode):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        return sync.sync_store(MarketplaceStore.get_scoped_or_404(store_id), mode)


def test_full_then_delta_sync_of_trendyol(app, admin_a, tenant_a, make_project, trendyol_sandbox):
    project_id = make_project(tenant_a["tenant_id"], "MP1")
    trendyol_sandbox.seed_packages(3000, NOW - timedelta(days=60), NOW - timedelta(minutes=10))  # none in the overlap
    for index in range(30):
        trendyol_sandbox.add_product(f"B{index:04d}", f"Product {index}", NOW - timedelta(days=2))
    store = add_store(admin_a, project_id, trendyol_connection_body(trendyol_sandbox))

    full = _sync(app, tenant_a["tenant_id"], store["id"], "full")
    assert (full["packages"], full["products"]) == (3000, 30)
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert _count(MarketplacePackage) == 3000
        mark = db.session.execute(
            select(MarketplaceSyncState.high_water_mark).where(MarketplaceSyncState.resource == "packages")
        ).scalar_one()
        assert mark == NOW
    category_reads = trendyol_sandbox.requests.count(("GET", "/integration/product/product-categories"))

    # Later: three packages ship, two new orders arrive, one product is removed, one is changed.
    later = NOW + timedelta(hours=2)
    clock.advance(timedelta(hours=2))
    shipped = list(trendyol_sandbox.packages)[:3]
    for package_id in shipped:
        trendyol_sandbox.set_status(package_id, "Shipped", later - timedelta(minutes=30))
    trendyol_sandbox.add_package(1, later - timedelta(minutes=20))
    trendyol_sandbox.add_package(2, later - timedelta(minutes=10))
    trendyol_sandbox.add_product("B0001", "Product 1 renamed", later - timedelta(minutes=5))
    before = len(trendyol_sandbox.requests)

    delta = _sync(app, tenant_a["tenant_id"], store["id"], "delta")
    assert delta["packages"] == 5 and delta["products"] == 1
    assert len(trendyol_sandbox.requests) - before <= 3  # one stream page, one product page (+ categories cached)
    assert trendyol_sandbox.requests.count(("GET", "/integration/product/product-categories")) == category_reads
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert _count(MarketplacePackage) == 3002
        statuses = dict(db.session.execute(select(MarketplacePackage.package_id, MarketplacePackage.status)).all())
        assert {statuses[p] for p in shipped} == {"Shipped"}
        renamed = db.session.execute(select(MarketplaceProduct.title).where(MarketplaceProduct.product_id == "B0001"))
        assert renamed.scalar_one() == "Product 1 renamed"

    # Running the same delta again changes nothing (idempotent upsert, no duplicates).
    _sync(app, tenant_a["tenant_id"], store["id"], "delta")
    trendyol_sandbox.remove_product("B0002")
    full_again = _sync(app, tenant_a["tenant_id"], store["id"], "full")
    assert full_again["removed_products"] == 1
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert _count(MarketplacePackage) == 3002
        removed = db.session.execute(
            select(MarketplaceProduct.removed_at).where(MarketplaceProduct.product_id == "B0002")
        )
        assert removed.scalar_one() is not None


def test_an_older_page_never_moves_a_status_back(app, admin_a, tenant_a, make_project, trendyol_sandbox):
    project_id = make_project(tenant_a["tenant_id"], "MP2")
    trendyol_sandbox.add_package(10, NOW - timedelta(hours=5), "Shipped", NOW - timedelta(hours=1))
    store = add_store(admin_a, project_id, trendyol_connection_body(trendyol_sandbox))
    _sync(app, tenant_a["tenant_id"], store["id"], "full")
    trendyol_sandbox.set_status(10, "Created", NOW - timedelta(hours=3))  # a stale copy of the package
    _sync(app, tenant_a["tenant_id"], store["id"], "full")
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert db.session.execute(select(MarketplacePackage.status)).scalar_one() == "Shipped"


def test_a_failed_sync_keeps_the_mark_and_reports_on_the_connection(
    app, admin_a, tenant_a, make_project, trendyol_sandbox
):
    project_id = make_project(tenant_a["tenant_id"], "MP3")
    store = add_store(admin_a, project_id, trendyol_connection_body(trendyol_sandbox))
    _sync(app, tenant_a["tenant_id"], store["id"], "full")
    trendyol_sandbox.client_secret = "rotated-on-the-marketplace"
    clock.advance(timedelta(minutes=5))
    with pytest.raises(sync.SyncFailed, match="401"):
        _sync(app, tenant_a["tenant_id"], store["id"], "delta")
    status = admin_a.get("/api/v1/marketplace/sync-status").json["items"][0]
    packages = next(r for r in status["resources"] if r["resource"] == "packages")
    assert packages["last_status"] == "failed" and "401" in packages["last_error"]
    assert packages["high_water_mark"].startswith("2026-11-20T12:00")
    assert status["error_count"] == 1 and "401" in status["last_error"]


def test_sync_through_the_api_answers_202_with_a_job(admin_a, tenant_a, make_project, trendyol_sandbox):
    project_id = make_project(tenant_a["tenant_id"], "MP4")
    trendyol_sandbox.seed_packages(50, NOW - timedelta(days=3), NOW - timedelta(minutes=1))
    store = add_store(admin_a, project_id, trendyol_connection_body(trendyol_sandbox))
    started = admin_a.post(
        f"/api/v1/projects/{project_id}/marketplace/stores/{store['id']}/sync", json={"mode": "full"}
    )
    assert started.status_code == 202
    job = admin_a.get(started.json["status_url"]).json
    assert job["status"] == "succeeded" and job["result"]["packages"] == 50
    listed = admin_a.get(
        f"/api/v1/projects/{project_id}/marketplace/stores/{store['id']}/packages?limit=10&status=Created,Picking"
    )
    assert listed.status_code == 200 and all(p["status"] in ("Created", "Picking") for p in listed.json["items"])


def test_hepsiburada_lines_are_synced_and_packed_lines_leave_the_waiting_list(
    app, admin_a, tenant_a, make_project, hepsiburada_sandbox
):
    project_id = make_project(tenant_a["tenant_id"], "MP5")
    for index in range(5):
        hepsiburada_sandbox.add_line(f"line-{index}", NOW - timedelta(hours=30 - index))
    for index in range(3):
        hepsiburada_sandbox.add_listing(f"HBV{index}", f"SKU-{index}")
    store = add_store(admin_a, project_id, hepsiburada_connection_body(hepsiburada_sandbox))
    full = _sync(app, tenant_a["tenant_id"], store["id"], "full")
    assert (full["packages"], full["products"]) == (5, 3)

    clock.advance(timedelta(days=3))  # the mark is old, but lines still waiting are read again
    hepsiburada_sandbox.pack("line-0")
    hepsiburada_sandbox.remove_listing("HBV2")
    delta = _sync(app, tenant_a["tenant_id"], store["id"], "delta")
    assert delta["packed"] == 1 and delta["removed_products"] == 1
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        statuses = dict(db.session.execute(select(MarketplacePackage.package_id, MarketplacePackage.status)).all())
    assert statuses["line-0"] == "Packaged" and statuses["line-1"] == "Created"


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_hepsiburada_order_webhook_with_basic_auth(app, client, admin_a, tenant_a, make_project, hepsiburada_sandbox):
    # "Create Order" webhook: POST <base>/orders, Basic auth, {"items": [...]}; idempotent handling advised.
    project_id = make_project(tenant_a["tenant_id"], "MP6")
    store = add_store(admin_a, project_id, hepsiburada_connection_body(hepsiburada_sandbox))
    line = hepsiburada_sandbox.add_line("hook-line-1", NOW - timedelta(minutes=3))
    url = f"/api/v1/marketplace/webhooks/{store['connection_id']}/orders"
    body = {"items": [line]}
    wrong = client.post(url, json=body, headers={"Authorization": _basic(HB_HOOK_USER, "nope")})
    assert wrong.status_code == 401 and wrong.content_type == "application/problem+json"
    first = client.post(url, json=body, headers={"Authorization": _basic(HB_HOOK_USER, HB_HOOK_PASSWORD)})
    assert first.status_code == 202
    again = client.post(url, json=body, headers={"Authorization": _basic(HB_HOOK_USER, HB_HOOK_PASSWORD)})
    assert again.status_code == 200 and again.json["duplicate"] is True
    bad = client.post(url, json={"orders": []}, headers={"Authorization": _basic(HB_HOOK_USER, HB_HOOK_PASSWORD)})
    assert bad.status_code == 400
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        row = db.session.execute(select(MarketplacePackage)).scalar_one()
    assert (row.package_id, row.status, row.order_date) == ("hook-line-1", "Created", NOW - timedelta(minutes=3))


@pytest.mark.parametrize(
    "body",
    [b'{"items": [{"id": "a\\u0000b"}]}', b'{"items": ["\\ud800"]}', b'{"items": ' + b"[" * 100_000 + b"]" * 100_001],
    ids=["NUL", "lone surrogate", "nested 100,000 deep"],
)
def test_an_unstorable_order_webhook_is_a_400(app, client, admin_a, tenant_a, make_project, hepsiburada_sandbox, body):
    project_id = make_project(tenant_a["tenant_id"], "MP7")
    store = add_store(admin_a, project_id, hepsiburada_connection_body(hepsiburada_sandbox))
    response = client.post(
        f"/api/v1/marketplace/webhooks/{store['connection_id']}/orders",
        data=body,
        content_type="application/json",
        headers={"Authorization": _basic(HB_HOOK_USER, HB_HOOK_PASSWORD)},
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        assert db.session.execute(select(WebhookEvent)).first() is None
