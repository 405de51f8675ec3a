"""Marketplace stores and order-flow monitoring (issue 20): stores of a project, their sync (202 + job),
packages, the order-flow rules and the war-room panel; the tenant's marketplace sync status for the
Integrations view; and the Basic-auth order webhook Hepsiburada calls. Thin: the project (and object) is
looked up first, so another tenant's ids answer 404 before any body is read."""

import uuid

from flask import Blueprint, current_app, jsonify, request

from app.schemas.jobs import JobSchema
from app.schemas.marketplace import (
    MarketplaceConnectionStatusSchema,
    MarketplaceWebhookAckSchema,
    OrderFlowSchema,
    PackageListArgs,
    PackageSchema,
    RuleSchema,
    RuleUpdateSchema,
    StoreSchema,
    StoreUpdateSchema,
    SyncRequestSchema,
)
from app.services import webhook_service
from app.services.marketplace import monitoring, panel, stores, sync, webhooks
from app.services.pagination import page_total
from app.utils.errors import NotFound
from app.utils.tenant_context import tenant_scope
from app.web import upstream
from app.web.auth import requires
from app.web.http import accepted, etagged, if_match_version, load_args, load_body
from app.web.openapi import doc
from app.web.scope import project_for

bp = Blueprint("marketplace", __name__, url_prefix="/api/v1")
upstream.guard(bp)  # other systems' error text: raw for admins only
PROJECT = "/projects/<uuid:project_id>/marketplace"
_store, _rule = StoreSchema(), RuleSchema()


@bp.get(PROJECT + "/stores")
@requires("integrations.read")
@doc("The project's marketplace stores", response=StoreSchema, many=True)
def list_stores(project_id):
    items = stores.list_stores(project_for(project_id))
    return jsonify({"items": _store.dump(items, many=True), **page_total(len(items))})


@bp.post(PROJECT + "/stores")
@requires("projects.manage")
@doc(
    "Attach a Trendyol or Hepsiburada connection to the project as a store",
    body=StoreSchema,
    response=StoreSchema,
    status=201,
)
def create_store(project_id):
    project = project_for(project_id)
    store = stores.create_store(project, load_body(StoreSchema()))
    return etagged(_store.dump(store), store.version, 201)


@bp.get(PROJECT + "/stores/<uuid:store_id>")
@requires("integrations.read")
@doc("One store", response=StoreSchema)
def get_store(project_id, store_id):
    store = stores.get_store(project_for(project_id), store_id)
    return etagged(_store.dump(store), store.version)


@bp.patch(PROJECT + "/stores/<uuid:store_id>")
@requires("projects.manage")
@doc("Change a store's name or business hours (If-Match)", body=StoreUpdateSchema, response=StoreSchema)
def update_store(project_id, store_id):
    store = stores.get_store(project_for(project_id), store_id)
    store = stores.update_store(store, load_body(StoreUpdateSchema()), if_match_version())
    return etagged(_store.dump(store), store.version)


@bp.delete(PROJECT + "/stores/<uuid:store_id>")
@requires("projects.manage")
@doc("Detach a store (If-Match); its connection stays", status=204)
def delete_store(project_id, store_id):
    stores.delete_store(stores.get_store(project_for(project_id), store_id), if_match_version())
    return "", 204


@bp.post(PROJECT + "/stores/<uuid:store_id>/sync")
@requires("hypercare.work")
@doc(
    "Sync the store now (mode full or delta); 202 with the job", body=SyncRequestSchema, response=JobSchema, status=202
)
def sync_store(project_id, store_id):
    store = stores.get_store(project_for(project_id), store_id)
    return accepted(sync.request_sync(store, load_body(SyncRequestSchema())["mode"]))


@bp.get(PROJECT + "/stores/<uuid:store_id>/packages")
@requires("integrations.read")
@doc(
    "The store's order packages, newest order first; filter status",
    args=PackageListArgs,
    response=PackageSchema,
    many=True,
)
def list_packages(project_id, store_id):
    store = stores.get_store(project_for(project_id), store_id)
    args = load_args(PackageListArgs)
    items, total = stores.list_packages(store, args.get("status"), args["limit"], args["offset"])
    return jsonify({"items": PackageSchema().dump(items, many=True), **page_total(total)})


@bp.get(PROJECT + "/order-flow")
@requires("integrations.read")
@doc(
    "The war room's order-flow panel: orders per hour vs previous weeks, waiting packages, sync health",
    response=OrderFlowSchema,
)
def order_flow(project_id):
    data = panel.order_flow(project_for(project_id), current_app.extensions["kv"])
    return jsonify(OrderFlowSchema().dump(data))


@bp.get(PROJECT + "/rules")
@requires("integrations.read")
@doc("The project's order-flow rules", response=RuleSchema, many=True)
def list_rules(project_id):
    items = monitoring.list_rules(project_for(project_id))
    return jsonify({"items": _rule.dump(items, many=True), **page_total(len(items))})


@bp.post(PROJECT + "/rules")
@requires("hypercare.sla.manage")
@doc("Set an order-flow rule (no_orders or unshipped_backlog)", body=RuleSchema, response=RuleSchema, status=201)
def create_rule(project_id):
    project = project_for(project_id)
    rule = monitoring.create_rule(project, load_body(RuleSchema()))
    return etagged(_rule.dump(rule), rule.version, 201)


@bp.get(PROJECT + "/rules/<uuid:rule_id>")
@requires("integrations.read")
@doc("One order-flow rule", response=RuleSchema)
def get_rule(project_id, rule_id):
    rule = monitoring.get_rule(project_for(project_id), rule_id)
    return etagged(_rule.dump(rule), rule.version)


@bp.patch(PROJECT + "/rules/<uuid:rule_id>")
@requires("hypercare.sla.manage")
@doc("Change an order-flow rule (If-Match)", body=RuleUpdateSchema, response=RuleSchema)
def update_rule(project_id, rule_id):
    project = project_for(project_id)
    rule = monitoring.get_rule(project, rule_id)
    rule = monitoring.update_rule(project, rule, load_body(RuleUpdateSchema()), if_match_version())
    return etagged(_rule.dump(rule), rule.version)


@bp.delete(PROJECT + "/rules/<uuid:rule_id>")
@requires("hypercare.sla.manage")
@doc("Delete an order-flow rule (If-Match)", status=204)
def delete_rule(project_id, rule_id):
    monitoring.delete_rule(monitoring.get_rule(project_for(project_id), rule_id), if_match_version())
    return "", 204


@bp.get("/marketplace/sync-status")
@requires("integrations.read")
@doc(
    "Every marketplace connection: store, high-water marks, counts and errors",
    response=MarketplaceConnectionStatusSchema,
    many=True,
)
def sync_status():
    items = stores.connection_status()
    return jsonify({"items": MarketplaceConnectionStatusSchema().dump(items, many=True), **page_total(len(items))})


@bp.post("/marketplace/webhooks/<connection_id>/orders")
@doc("Hepsiburada order webhook (Create Order, HTTP Basic)", response=MarketplaceWebhookAckSchema, status=202)
def order_webhook(connection_id):
    try:
        connection_uuid = uuid.UUID(connection_id)
    except ValueError:
        raise NotFound("No such webhook endpoint.") from None
    if request.content_length and request.content_length > webhooks.MAX_BODY_BYTES:
        raise webhook_service.PayloadTooLarge(f"Webhook bodies are limited to {webhooks.MAX_BODY_BYTES // 1024} KiB.")
    tenant_id = webhook_service.tenant_of_connection(connection_uuid)
    with tenant_scope(tenant_id):
        body, status = webhooks.receive(
            connection_uuid, request.headers.get("Authorization"), request.get_data(cache=False)
        )
    return jsonify(body), status


order_webhook._tenant_agnostic = True  # no JWT: HTTP Basic with the connection's webhook credentials
