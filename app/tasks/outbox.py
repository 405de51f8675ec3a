"""The outbox publisher and its prune sweep (app/services/outbox). Kicked after every commit that wrote
events, for that tenant; beat runs it over every tenant each minute as the safety net for a lost kick or a
crashed worker, and prunes daily."""

from app.extensions import celery
from app.services.outbox import publisher
from app.tasks.per_tenant import sweep_tenants


@celery.task(name="meridian.outbox.publish", acks_late=True)
def publish(tenant_id: str | None = None) -> dict:
    return sweep_tenants(
        publisher.publish_pending,
        counts=("published", "failed"),
        what="Outbox publisher",
        tenant_ids=None if tenant_id is None else [tenant_id],
    )


@celery.task(name="meridian.outbox.prune", acks_late=True)
def prune() -> dict:
    return sweep_tenants(publisher.prune, counts=("pruned",), what="Outbox prune")
