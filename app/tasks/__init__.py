"""Celery wiring: tasks run inside the Flask app context; with no broker configured they run eagerly
in-process (the embedded default). Tasks are thin: they set the tenant scope and call a service."""

from celery import Task
from flask import current_app, has_app_context


def init_celery(app, celery) -> None:
    broker = app.config["CELERY_BROKER_URL"]
    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=app.config["CELERY_RESULT_BACKEND"] or None,
        task_always_eager=not broker,
        task_eager_propagates=False,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule={
            "hypercare-sla-sweep": {"task": "meridian.hypercare.sweep_sla_breaches", "schedule": 60.0},
            "cloud-alm-scheduled-sync": {"task": "meridian.cloud_alm_scheduled_sync", "schedule": 300.0},
            "attachments-purge": {"task": "meridian.attachments.purge_expired", "schedule": 3600.0},
            "marketplace-delta-sync": {"task": "meridian.marketplace.delta_sync", "schedule": 300.0},
            "marketplace-order-flow-sweep": {"task": "meridian.marketplace.order_flow_sweep", "schedule": 60.0},
            "jobs-reap-stale": {"task": "meridian.jobs.reap_stale", "schedule": 60.0},
            # The safety net of the after-commit kick (app/services/outbox): a lost kick waits a minute at most.
            "outbox-publish": {"task": "meridian.outbox.publish", "schedule": 60.0},
            "outbox-prune": {"task": "meridian.outbox.prune", "schedule": 86400.0},
            "webhooks-queue-due": {"task": "meridian.webhooks.queue_due", "schedule": 30.0},
        },
    )

    reset_broker_connections(celery)

    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            # Eager tasks run inside a request: give them a fresh context (and session) of that same app.
            target = current_app._get_current_object() if has_app_context() else app
            with target.app_context():
                return self.run(*args, **kwargs)

    celery.Task = AppContextTask
    app.extensions["celery"] = celery

    _wire_dispatch()


def _wire_dispatch() -> None:
    """Services enqueue background work by name (app/services/dispatch.py); these are the names."""
    from flask import current_app

    from app.services import dispatch
    from app.tasks import (  # noqa: F401  (beat's tasks, on import)
        attachments,
        hypercare,
        integrations,
        jobs,
        jobs_reaper,
        mail,
        marketplace,
        outbox,
        triage,
        webhooks,
    )

    dispatch.wire("run_job", jobs.run_job.delay, jobs.run_job_later)
    dispatch.wire("send_mail", mail.send_mail.delay)
    dispatch.wire("process_webhook", integrations.process_webhook.delay)
    dispatch.wire("marketplace_webhook", marketplace.process_webhook.delay)
    dispatch.wire("outbox_publish", outbox.publish.delay)
    dispatch.wire("deliver_webhook", webhooks.deliver_webhook.delay)
    # Delayed, so a burst of incident changes is folded into one index write (app/services/hypercare_triage).
    dispatch.wire(
        "triage_sync",
        lambda tenant_id: triage.sync_index.apply_async(
            (tenant_id,), countdown=current_app.config["TRIAGE_SYNC_DELAY_SECONDS"]
        ),
    )


def reset_broker_connections(celery) -> None:
    """Drop pooled broker connections and producers, so a changed broker_url takes effect. Celery caches
    them on first use (even eager tasks create the pool), and a process may create more than one app."""
    from kombu import pools

    pool = celery.__dict__.get("_pool")
    if pool is not None:
        pool.force_close_all()
        celery._pool = None
    if "amqp" in celery.__dict__:
        celery.amqp._producer_pool = None
    pools.reset()  # kombu keeps producer pools per connection in a process-wide registry
