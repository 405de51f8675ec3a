"""Outbound webhooks (issue 15.6): tenant admins manage the endpoints Meridian sends events to, and read
and redeliver what was sent. Paths sit apart from the inbound /api/v1/webhooks/<connection_id>. Like API
tokens, this takes a person: a token cannot point the tenant's events somewhere else."""

from flask import Blueprint, jsonify

from app.models import WebhookDelivery, WebhookSubscription
from app.schemas.webhooks import (
    DeliveryListArgs,
    DeliverySchema,
    SubscriptionListArgs,
    SubscriptionSchema,
    SubscriptionSecretSchema,
    SubscriptionUpdateSchema,
)
from app.services.pagination import page_total
from app.services.webhooks import deliveries, subscriptions
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc

bp = Blueprint("event_subscriptions", __name__, url_prefix="/api/v1")
_schema = SubscriptionSchema()
_with_secret = SubscriptionSecretSchema()
_delivery = DeliverySchema()


def _answer(subscription: WebhookSubscription, secret: str | None = None, status: int = 200):
    body = (
        _schema.dump(subscription) if secret is None else _with_secret.dump({**_fields(subscription), "secret": secret})
    )
    return etagged(body, subscription.version, status)


def _fields(subscription: WebhookSubscription) -> dict:
    return {name: getattr(subscription, name) for name in _schema.fields}


@bp.get("/event-subscriptions")
@requires("tenant.manage", people_only=True)
@doc(
    "The tenant's webhook subscriptions, newest first (never their secrets)",
    args=SubscriptionListArgs,
    response=SubscriptionSchema,
    many=True,
)
def list_subscriptions():
    args = load_args(SubscriptionListArgs)
    items, total = subscriptions.list_subscriptions(args["limit"], args["offset"])
    return jsonify({"items": [_schema.dump(s) for s in items], **page_total(total)})


@bp.post("/event-subscriptions")
@requires("tenant.manage", people_only=True)
@doc(
    "Subscribe an https endpoint to event types; the answer carries the signing secret, this once",
    body=SubscriptionSchema,
    response=SubscriptionSecretSchema,
    status=201,
)
def create_subscription():
    subscription, secret = subscriptions.create_subscription(load_body(SubscriptionSchema()))
    return _answer(subscription, secret, 201)


@bp.get("/event-subscriptions/<uuid:subscription_id>")
@requires("tenant.manage", people_only=True)
@doc("One webhook subscription (never its secret)", response=SubscriptionSchema)
def get_subscription(subscription_id):
    return _answer(WebhookSubscription.get_scoped_or_404(subscription_id))


@bp.patch("/event-subscriptions/<uuid:subscription_id>")
@requires("tenant.manage", people_only=True)
@doc(
    "Change a subscription; enabling it again clears its failures",
    body=SubscriptionUpdateSchema,
    response=SubscriptionSchema,
)
def update_subscription(subscription_id):
    subscription = WebhookSubscription.get_scoped_or_404(subscription_id)
    data = load_body(SubscriptionUpdateSchema())
    return _answer(subscriptions.update_subscription(subscription, data, if_match_version()))


@bp.delete("/event-subscriptions/<uuid:subscription_id>")
@requires("tenant.manage", people_only=True)
@doc("Delete a subscription: nothing more is sent; its delivery log stays", status=204)
def delete_subscription(subscription_id):
    subscriptions.delete_subscription(WebhookSubscription.get_scoped_or_404(subscription_id), if_match_version())
    return "", 204


@bp.post("/event-subscriptions/<uuid:subscription_id>/rotate-secret")
@requires("tenant.manage", people_only=True)
@doc("Replace the signing secret; the answer carries the new one, this once", response=SubscriptionSecretSchema)
def rotate_secret(subscription_id):
    subscription, secret = subscriptions.rotate_secret(WebhookSubscription.get_scoped_or_404(subscription_id))
    return _answer(subscription, secret)


@bp.post("/event-subscriptions/<uuid:subscription_id>/test")
@requires("tenant.manage", people_only=True)
@doc("Send a webhook.test event now (once, logged); the answer is its delivery", response=DeliverySchema)
def send_test(subscription_id):
    delivery = deliveries.send_test(WebhookSubscription.get_scoped_or_404(subscription_id))
    return jsonify(_delivery.dump(delivery))


@bp.get("/event-deliveries")
@requires("tenant.manage", people_only=True)
@doc("The delivery log, newest first", args=DeliveryListArgs, response=DeliverySchema, many=True)
def list_deliveries():
    args = load_args(DeliveryListArgs)
    items, total = deliveries.list_deliveries(
        args["limit"], args["offset"], args.get("subscription_id"), args.get("status")
    )
    return jsonify({"items": [_delivery.dump(d) for d in items], **page_total(total)})


@bp.get("/event-deliveries/<uuid:delivery_id>")
@requires("tenant.manage", people_only=True)
@doc("One delivery", response=DeliverySchema)
def get_delivery(delivery_id):
    return jsonify(_delivery.dump(WebhookDelivery.get_scoped_or_404(delivery_id)))


@bp.post("/event-deliveries/<uuid:delivery_id>/redeliver")
@requires("tenant.manage", people_only=True)
@doc("Send a delivery again now, once; the answer is the delivery afterwards", response=DeliverySchema)
def redeliver(delivery_id):
    return jsonify(_delivery.dump(deliveries.redeliver(WebhookDelivery.get_scoped_or_404(delivery_id))))
