"""Marketplace stores and order-flow rules through the API: foreign ids, validation, If-Match, roles, and
the OpenAPI document."""

from app.extensions import db
from app.models import IntegrationConnection
from app.utils import tenant_context
from tests.fixtures.app import login


def _connection(app, tenant_id, kind="trendyol"):
    with app.app_context(), tenant_context.tenant_scope(tenant_id):
        config = (
            {"base_url": "https://apigw.example.test", "seller_id": "1", "api_key": "k"}
            if kind == "trendyol"
            else {"base_url": "https://alm.example.test", "token_url": "https://alm.example.test/t", "client_id": "x"}
        )
        connection = IntegrationConnection(kind=kind, name=f"{kind} {tenant_id}", config=config, secrets={})
        db.session.add(connection)
        db.session.commit()
        return str(connection.id)


def test_store_needs_a_marketplace_connection_of_this_tenant(app, admin_a, tenant_a, tenant_b, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    url = f"/api/v1/projects/{project_id}/marketplace/stores"
    foreign = admin_a.post(url, json={"connection_id": _connection(app, tenant_b["tenant_id"])})
    assert foreign.status_code == 422 and "connection_id" in foreign.json["errors"]
    alm = admin_a.post(url, json={"connection_id": _connection(app, tenant_a["tenant_id"], "cloud_alm")})
    assert alm.status_code == 422
    connection_id = _connection(app, tenant_a["tenant_id"])
    bad_hours = admin_a.post(url, json={"connection_id": connection_id, "opens_at": "18:00", "closes_at": "09:00"})
    assert bad_hours.status_code == 422 and "closes_at" in bad_hours.json["errors"]
    created = admin_a.post(url, json={"connection_id": connection_id, "name": "Outlet", "timezone": "Europe/Istanbul"})
    assert created.status_code == 201 and created.json["marketplace"] == "trendyol"
    again = admin_a.post(url, json={"connection_id": connection_id})
    assert again.status_code == 422
    store_url = f"{url}/{created.json['id']}"
    assert admin_a.patch(store_url, json={"name": "X"}, headers={"If-Match": '"9"'}).status_code == 409
    renamed = admin_a.patch(store_url, json={"name": "Outlet TR"}, headers={"If-Match": created.headers["ETag"]})
    assert renamed.status_code == 200 and renamed.json["name"] == "Outlet TR"
    assert admin_a.get(url).json["total"] == 1


def test_a_deleted_stores_connection_is_a_field_error_not_a_500(app, admin_a, tenant_a, make_project):
    """Found by schemathesis in CI: the unique (tenant, connection) constraint also holds deleted stores, which the
    in-use check did not see, so creating a store on a deleted store's connection was an IntegrityError (500)."""
    url = f"/api/v1/projects/{make_project(tenant_a['tenant_id'])}/marketplace/stores"
    connection_id = _connection(app, tenant_a["tenant_id"])
    created = admin_a.post(url, json={"connection_id": connection_id})
    assert created.status_code == 201
    deleted = admin_a.delete(f"{url}/{created.json['id']}", headers={"If-Match": created.headers["ETag"]})
    assert deleted.status_code in (200, 204)
    again = admin_a.post(url, json={"connection_id": connection_id})
    assert again.status_code == 422
    assert again.json["errors"]["connection_id"] == ["A deleted store still holds this connection."]


def test_rules_validate_their_kind_and_take_if_match(app, admin_a, tenant_a, make_project, make_user, client):
    project_id = make_project(tenant_a["tenant_id"])
    url = f"/api/v1/projects/{project_id}/marketplace/rules"
    missing = admin_a.post(url, json={"name": "Backlog", "kind": "unshipped_backlog"})
    assert missing.status_code == 422 and {"max_packages", "age_hours"} <= set(missing.json["errors"])
    unknown = admin_a.post(url, json={"name": "X", "kind": "sometimes"})
    assert unknown.status_code == 422 and "kind" in unknown.json["errors"]
    made = admin_a.post(url, json={"name": "Quiet", "kind": "no_orders", "minutes": 30})
    assert made.status_code == 201 and made.json["priority"] == "p2"
    rule_url = f"{url}/{made.json['id']}"
    assert admin_a.patch(rule_url, json={"minutes": 45}, headers={"If-Match": '"7"'}).status_code == 409
    changed = admin_a.patch(rule_url, json={"minutes": 45}, headers={"If-Match": made.headers["ETag"]})
    assert changed.status_code == 200 and changed.json["minutes"] == 45
    make_user(tenant_a["tenant_id"], "support@alpha.test", role="support")
    support = login(client, "support@alpha.test")
    assert support.post(url, json={"name": "Mine", "kind": "no_orders", "minutes": 5}).status_code == 403
    assert support.get(url).status_code == 200
    assert admin_a.delete(rule_url, headers={"If-Match": changed.headers["ETag"]}).status_code == 204
    assert admin_a.get(rule_url).status_code == 404


def test_customers_do_not_see_marketplace_data(app, admin_a, tenant_a, make_project, make_user, client):
    project_id = make_project(tenant_a["tenant_id"])
    make_user(tenant_a["tenant_id"], "key.user@alpha.test", role="customer")
    customer = login(client, "key.user@alpha.test")
    assert customer.get(f"/api/v1/projects/{project_id}/marketplace/order-flow").status_code == 403


def test_the_panel_of_a_project_without_stores_is_empty(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    panel = admin_a.get(f"/api/v1/projects/{project_id}/marketplace/order-flow")
    assert panel.status_code == 200 and panel.json["stores"] == []


def test_every_marketplace_route_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    marketplace = {p for p in paths if "marketplace" in p}
    assert {
        "/api/v1/projects/{project_id}/marketplace/stores/{store_id}/sync",
        "/api/v1/projects/{project_id}/marketplace/order-flow",
        "/api/v1/projects/{project_id}/marketplace/rules/{rule_id}",
        "/api/v1/marketplace/sync-status",
        "/api/v1/marketplace/webhooks/{connection_id}/orders",
    } <= marketplace
    flow = paths["/api/v1/projects/{project_id}/marketplace/order-flow"]["get"]
    assert "OrderFlow" in str(flow["responses"])
