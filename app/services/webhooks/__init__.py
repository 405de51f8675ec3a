"""Outbound webhooks (issue 15.6): subscriptions (subscriptions.py), deliveries and their retries
(deliveries.py), the signed send through the gateway (sender.py). `on_event` is what the outbox publisher
calls with each domain event's envelope, inside that tenant's scope."""

from app.services.webhooks.deliveries import on_event

__all__ = ["on_event"]
