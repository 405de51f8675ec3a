"""Outbound webhook deliveries (issue 15.6), driven through the service with hand-made outbox envelopes and a
local receiver on loopback: idempotent fan-out, Standard Webhooks signatures, the retry schedule, giving up
after a day, auto-disable with a notice to the admins, the retry sweep. Runs on SQLite and PostgreSQL."""

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, WebhookDelivery, WebhookSubscription
from app.models.webhooks import SECRET_FIELD
from app.services import dispatch, webhook_service
from app.services.webhooks import deliveries, on_event
from app.utils import tenant_context
from app.utils.clock import as_utc, utcnow
from app.utils.crypto import encrypt

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def scope(app, tenant_a):
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        yield tenant_a


@pytest.fixture
def queued(monkeypatch):
    """What on_event and the sweep queue, instead of running it (the embedded mode would run it at once)."""
    calls = []
    monkeypatch.setattr(dispatch, "enqueue", lambda name, *args: calls.append((name, *args)))
    return calls


def _subscription(url, event_types=("incident.created",), **fields) -> WebhookSubscription:
    tenant_id = tenant_context.require_tenant_id()
    subscription = WebhookSubscription(
        url=url,
        event_types=list(event_types),
        secret=encrypt(SECRET, tenant_id=tenant_id, field=SECRET_FIELD),
        **fields,
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription


def _envelope(event_type="incident.created", **overrides) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "tenant_id": str(tenant_context.require_tenant_id()),
        "aggregate_type": "incident",
        "aggregate_id": str(uuid.uuid4()),
        "sequence": 7,
        "occurred_at": "2026-12-02T03:00:00Z",
        "data": {"code": "INC-1", "title": "Posting fails"},
        **overrides,
    }


def _publish(envelope: dict) -> None:
    """What the outbox publisher does with one event: call the subscriber, then commit its round."""
    on_event(envelope)
    db.session.commit()


def _deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.execute(select(WebhookDelivery).order_by(WebhookDelivery.created_at)).scalars())


def test_on_event_fans_out_to_matching_enabled_subscriptions_once(scope, queued):
    wanted = _subscription("https://a.example.com/x", ["incident.created", "incident.resolved"])
    _subscription("https://b.example.com/x", ["change_request.approved"])
    _subscription("https://c.example.com/x", ["incident.created"], enabled=False)
    envelope = _envelope()

    _publish(envelope)
    _publish(envelope)  # the outbox published it again: nothing new

    (delivery,) = _deliveries()
    assert delivery.subscription_id == wanted.id and delivery.event_id == envelope["id"]
    assert delivery.payload == envelope and delivery.status == "pending" and delivery.attempts == 0
    assert queued == [("deliver_webhook", str(delivery.id), str(scope["tenant_id"]))]


def test_on_event_delivers_through_the_task_with_a_verifiable_signature(scope, webhook_receiver):
    _subscription(webhook_receiver.url)
    envelope = _envelope()
    _publish(envelope)  # embedded mode: the queued task runs at once

    (request,) = webhook_receiver.received
    assert json.loads(request.body) == envelope
    assert request.headers["webhook-id"] == envelope["id"]
    assert request.headers["content-type"] == "application/json"
    assert webhook_service.verify_signature(
        SECRET, envelope["id"], request.headers["webhook-timestamp"], request.body, request.headers["webhook-signature"]
    )
    assert not webhook_service.verify_signature(
        "whsec_" + "A" * 32,
        envelope["id"],
        request.headers["webhook-timestamp"],
        request.body,
        request.headers["webhook-signature"],
    )
    (delivery,) = _deliveries()
    assert delivery.status == "succeeded" and delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.response_excerpt == '{"ok": true}' and delivery.next_attempt_at is None


def test_a_failure_is_retried_with_backoff_and_the_same_webhook_id(scope, queued, webhook_receiver):
    subscription = _subscription(webhook_receiver.url)
    _publish(_envelope())
    (delivery,) = _deliveries()
    webhook_receiver.statuses.extend([503, 400])

    assert deliveries.deliver(delivery.id, rng=lambda: 0.0) == "pending"
    delivery = _deliveries()[0]
    assert delivery.attempts == 1 and delivery.last_status_code == 503
    wait = (as_utc(delivery.next_attempt_at) - as_utc(delivery.last_attempt_at)).total_seconds()
    assert wait == pytest.approx(30, abs=1)
    assert deliveries.deliver(delivery.id) is None  # not due yet: nothing is sent

    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliveries.deliver(delivery.id, rng=lambda: 1.0) == "pending"  # a 4xx is a failure too
    delivery = _deliveries()[0]
    wait = (as_utc(delivery.next_attempt_at) - as_utc(delivery.last_attempt_at)).total_seconds()
    assert wait == pytest.approx(120 * 1.2, abs=1)  # the second wait, with the most jitter
    assert delivery.last_error == "The endpoint answered HTTP 400."

    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliveries.deliver(delivery.id) == "succeeded"
    ids = {r.headers["webhook-id"] for r in webhook_receiver.received}
    assert ids == {delivery.event_id} and len(webhook_receiver.received) == 3
    db.session.refresh(subscription)
    assert subscription.consecutive_failures == 0 and subscription.failing_since is None


def test_the_schedule_grows_and_is_capped():
    waits = [deliveries.retry_delay(n, rng=lambda: 0.0) for n in range(1, 12)]
    assert waits[:4] == [30, 120, 600, 1800]
    assert waits == sorted(waits) and max(waits) == 6 * 3600


def test_a_delivery_is_given_up_a_day_after_its_first_attempt(scope, queued, webhook_receiver):
    _subscription(webhook_receiver.url)
    _publish(_envelope())
    delivery = _deliveries()[0]
    delivery.attempts, delivery.first_attempt_at = 9, utcnow() - timedelta(hours=23, minutes=59)
    db.session.commit()
    webhook_receiver.statuses.append(500)
    assert deliveries.deliver(delivery.id) == "failed"
    delivery = _deliveries()[0]
    assert delivery.next_attempt_at is None and delivery.attempts == 10
    assert deliveries.due_delivery_ids() == []


def test_an_unreachable_endpoint_is_a_failure_with_the_gateways_reason(scope, queued):
    _subscription("http://127.0.0.1:9/nothing-listens")
    _publish(_envelope())
    assert deliveries.deliver(_deliveries()[0].id) == "pending"
    delivery = _deliveries()[0]
    assert delivery.last_status_code is None and "connect" in delivery.last_error.lower()


def test_a_subscription_failing_for_a_day_is_disabled_and_the_admins_told(admin_a, scope, queued, webhook_receiver):
    subscription = _subscription(webhook_receiver.url)
    _publish(_envelope())
    _publish(_envelope())
    first, second = _deliveries()
    subscription.consecutive_failures = deliveries.DISABLE_AFTER_FAILURES - 1
    subscription.failing_since = utcnow() - timedelta(hours=25)
    db.session.commit()
    webhook_receiver.statuses.append(500)

    deliveries.deliver(first.id)

    db.session.expire_all()
    assert subscription.enabled is False and "Disabled automatically" in subscription.disabled_reason
    (notice,) = db.session.execute(select(Notification)).scalars()
    assert notice.kind == "webhook_disabled" and str(notice.user_id) == admin_a.user_id
    assert notice.payload["subscription_id"] == str(subscription.id)
    # What was still waiting is not sent to the disabled endpoint, and enabling it again resends nothing.
    assert deliveries.deliver(second.id) == "failed"
    assert len(webhook_receiver.received) == 1
    _publish(_envelope())
    assert len(_deliveries()) == 2


def test_a_few_failures_do_not_disable(scope, queued, webhook_receiver):
    subscription = _subscription(webhook_receiver.url)
    _publish(_envelope())
    subscription.consecutive_failures = 50
    subscription.failing_since = utcnow() - timedelta(hours=1)  # many, but not for long
    db.session.commit()
    webhook_receiver.statuses.append(500)
    deliveries.deliver(_deliveries()[0].id)
    db.session.expire_all()
    assert subscription.enabled is True and subscription.consecutive_failures == 51


def test_the_sweep_queues_only_due_deliveries(scope, queued):
    _subscription("https://a.example.com/x")
    _publish(_envelope())
    _publish(_envelope())
    due, later = _deliveries()
    later.next_attempt_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    queued.clear()
    assert deliveries.queue_due() == {"deliveries": 1}
    assert queued == [("deliver_webhook", str(due.id), str(scope["tenant_id"]))]


def test_redeliver_sends_a_failed_delivery_again(scope, queued, webhook_receiver):
    _subscription(webhook_receiver.url)
    _publish(_envelope())
    delivery = _deliveries()[0]
    delivery.status, delivery.next_attempt_at = "failed", None
    db.session.commit()
    assert deliveries.redeliver(delivery).status == "succeeded"
    assert len(webhook_receiver.received) == 1


def test_an_unreadable_secret_is_a_failed_attempt_not_a_crash(scope, queued):
    subscription = _subscription("https://a.example.com/x")
    subscription.secret = "v1:gone:AAAA"  # encrypted with a key ENCRYPTION_KEYS no longer lists
    db.session.commit()
    _publish(_envelope())
    assert deliveries.deliver(_deliveries()[0].id) == "pending"
    delivery = _deliveries()[0]
    assert delivery.attempts == 1 and "cannot be read" in delivery.last_error


def test_beats_sweep_queues_due_deliveries_of_every_tenant(app, tenant_a, tenant_b, queued):
    from app.tasks.webhooks import queue_due_webhooks

    for tenant in (tenant_a, tenant_b):
        with app.app_context(), tenant_context.tenant_scope(tenant["tenant_id"]):
            _subscription("https://a.example.com/x")
            _publish(_envelope())
    queued.clear()
    with app.app_context():
        assert queue_due_webhooks() == {"tenants": 2, "deliveries": 2}
    assert sorted(call[2] for call in queued) == sorted(str(t["tenant_id"]) for t in (tenant_a, tenant_b))


def test_an_incident_created_through_the_api_reaches_the_subscriber(
    app, admin_a, tenant_a, make_project, webhook_receiver
):
    """The whole path: the change writes its outbox event, the publisher (kicked after the commit) hands it to
    the webhook fan-out as a registered subscriber, and the delivery is signed and sent."""
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        _subscription(webhook_receiver.url, ["incident.created"])
    project = make_project(tenant_a["tenant_id"], "P1")

    created = admin_a.post(
        f"/api/v1/projects/{project}/hypercare/incidents", json={"title": "Invoices stuck", "priority": "P3"}
    )
    assert created.status_code == 201, created.json

    (request,) = webhook_receiver.received  # embedded mode: publisher and delivery ran after the commits
    envelope = json.loads(request.body)
    assert envelope["type"] == "incident.created" and envelope["aggregate_id"] == created.json["id"]
    assert envelope["sequence"] == 1 and envelope["tenant_id"] == str(tenant_a["tenant_id"])
    assert request.headers["webhook-id"] == envelope["id"]
    assert webhook_service.verify_signature(
        SECRET, envelope["id"], request.headers["webhook-timestamp"], request.body, request.headers["webhook-signature"]
    )
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        (delivery,) = _deliveries()
        assert delivery.status == "succeeded" and delivery.event_id == envelope["id"]
