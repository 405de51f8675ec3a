"""Deliveries (issue 15.6): one row per event and subscription, attempted until a 2xx or a day has passed.

Flow: `on_event` (an outbox subscriber, registered in app/services/job_handlers.py) writes the rows inside
the publisher's transaction, and one `deliver_webhook` task per row is queued after that transaction commits. An attempt first *claims* the row (a conditional UPDATE that pushes next_attempt_at
past the send's timeout), so a task and the sweep, or two workers, never send the same attempt twice. A
failure schedules the next attempt with exponential backoff and jitter; beat's sweep (every 30 s) queues the
rows that are due. Retries are therefore rows with a time, not sleeping workers or Celery countdowns, and a
lost task message only delays a delivery until the next sweep.

A subscription whose automatic attempts have failed without a success for DISABLE_AFTER (and at least
DISABLE_AFTER_FAILURES times) is disabled, and every admin of the tenant is notified. Manual sends (redeliver,
test ping) run in the request, once, so the admin sees the outcome; they never disable a subscription, and a
success resets its run of failures."""

import random
import uuid
from datetime import timedelta

from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Notification, User, WebhookDelivery, WebhookSubscription
from app.services import dispatch
from app.services.pagination import paginate
from app.services.webhooks import sender
from app.services.webhooks.subscriptions import TEST_EVENT, read_secret
from app.tenancy import TenantSession, after_real_commit
from app.utils import tenant_context
from app.utils.clock import as_utc, utcnow
from app.utils.errors import Conflict

# Waits after the 1st, 2nd, ... failed attempt; the last repeats. About ten attempts fit in the day.
RETRY_DELAYS = (30, 120, 600, 1800, 3600, 7200, 14400, 21600)
JITTER = 0.2  # up to +20%: receivers coming back up are not hit by every sender at the same second
RETRY_WINDOW = timedelta(hours=24)  # from the first attempt; then the delivery is failed
CLAIM_SECONDS = 120  # longer than any send (10 s timeout, 10 s outbound-rate wait): a crashed worker's
# attempt is picked up by the sweep after this
DISABLE_AFTER = timedelta(hours=24)
DISABLE_AFTER_FAILURES = 10
SWEEP_BATCH = 200


def retry_delay(failed_attempts: int, rng=random.random) -> float:
    base = RETRY_DELAYS[min(failed_attempts, len(RETRY_DELAYS)) - 1]
    return base * (1 + JITTER * rng())


# -- the outbox subscriber ------------------------------------------------------------------------


def on_event(envelope: dict) -> None:
    """One delivery per enabled subscription of the current tenant that wants `envelope["type"]`, written
    idempotently (the same envelope again adds nothing). An outbox subscriber: it runs inside a savepoint of
    the publisher's transaction and never commits (app/services/outbox/subscribers.py); the new rows are
    queued once that transaction commits, so a publisher killed before its commit leaves neither rows nor
    tasks behind, and the republished envelope writes them then."""
    event_id, event_type = str(envelope["id"]), str(envelope["type"])
    subscriptions = db.session.execute(
        select(WebhookSubscription).where(WebhookSubscription.enabled.is_(True))
    ).scalars()
    now = utcnow()
    created = []
    for subscription in subscriptions:
        if event_type not in (subscription.event_types or []):
            continue  # a JSON list: filtered here, a tenant has a handful of subscriptions
        delivery = WebhookDelivery(
            subscription_id=subscription.id,
            event_id=event_id,
            event_type=event_type,
            payload=envelope,
            next_attempt_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(delivery)
        except IntegrityError:
            continue  # delivered (or being delivered) already: the outbox published this envelope before
        created.append((str(delivery.id), str(delivery.tenant_id)))
    db.session.info.setdefault(_TO_QUEUE, []).extend(created)


_TO_QUEUE = "meridian_webhook_deliveries_to_queue"


@after_real_commit
def _queue_committed_deliveries(session) -> None:
    # A delivery whose savepoint was rolled back afterwards is still listed: its task finds no row to claim.
    # Beat's sweep (queue_due) is the safety net for a task lost here.
    for delivery_id, tenant_id in session.info.pop(_TO_QUEUE, ()):
        dispatch.enqueue("deliver_webhook", delivery_id, tenant_id)


@event.listens_for(TenantSession, "after_rollback")
def _forget_rolled_back_deliveries(session) -> None:
    session.info.pop(_TO_QUEUE, None)


# -- automatic attempts ---------------------------------------------------------------------------


def _claim(delivery_id, now) -> bool:
    result = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver(delivery_id, rng=random.random) -> str | None:
    """One automatic attempt of a due delivery; its status afterwards, or None when it was not due (another
    worker has it, or it is settled)."""
    now = utcnow()
    delivery_id = uuid.UUID(str(delivery_id))  # tasks pass it as text
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.get_scoped_or_404(delivery_id)
    subscription = WebhookSubscription.get_scoped_or_404(delivery.subscription_id, include_deleted=True)
    if not subscription.enabled or subscription.is_deleted:
        # Nothing is sent to a switched-off endpoint; enabling it again does not resend on its own either.
        delivery.status, delivery.next_attempt_at = "failed", None
        delivery.last_error = "Not sent: the subscription is disabled or deleted."
        delivery.updated_at = now
        db.session.commit()
        return delivery.status
    outcome = _send(delivery, subscription)
    _record(delivery, outcome, now)
    if outcome.ok:
        delivery.status, delivery.next_attempt_at, delivery.succeeded_at = "succeeded", None, now
        _reset_failures(subscription)
    else:
        wait = timedelta(seconds=retry_delay(delivery.attempts, rng))
        if now + wait - as_utc(delivery.first_attempt_at) > RETRY_WINDOW:
            delivery.status, delivery.next_attempt_at = "failed", None
        else:
            delivery.status, delivery.next_attempt_at = "pending", now + wait
        _count_failure(subscription, now)
    db.session.commit()
    if not outcome.ok:
        _maybe_disable(subscription.id, now, delivery.id)
    return delivery.status


def _send(delivery: WebhookDelivery, subscription: WebhookSubscription) -> sender.Outcome:
    """The call, outside any transaction (the rows are read again afterwards, by id)."""
    try:
        secret = read_secret(subscription)
    except Conflict as exc:  # a key missing from ENCRYPTION_KEYS: a failed attempt the admin can read, not a crash
        db.session.commit()
        return sender.Outcome(False, None, exc.detail[:500])
    target = sender.Target(subscription.tenant_id, subscription.id, subscription.url, secret)
    event_id, payload = delivery.event_id, delivery.payload
    db.session.commit()
    return sender.send(target, event_id, payload)


def _record(delivery: WebhookDelivery, outcome: sender.Outcome, now) -> None:
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.last_attempt_at = delivery.updated_at = now
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.response_excerpt = outcome.excerpt
    delivery.duration_ms = outcome.duration_ms


# Counters are bulk UPDATEs: no version bump (an admin's If-Match stays valid) and no lost increments when
# two workers deliver to the same endpoint at once.


def _reset_failures(subscription: WebhookSubscription) -> None:
    db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription.id)
        .values(consecutive_failures=0, failing_since=None)
        .execution_options(synchronize_session=False)
    )


def _count_failure(subscription: WebhookSubscription, now) -> None:
    db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription.id)
        .values(
            consecutive_failures=WebhookSubscription.consecutive_failures + 1,
            failing_since=db.func.coalesce(WebhookSubscription.failing_since, now),
        )
        .execution_options(synchronize_session=False)
    )


def _maybe_disable(subscription_id, now, delivery_id) -> None:
    db.session.expire_all()
    subscription = WebhookSubscription.get_scoped_or_404(subscription_id, include_deleted=True)
    if not subscription.enabled or subscription.failing_since is None:
        return
    if subscription.consecutive_failures < DISABLE_AFTER_FAILURES:
        return
    if now - as_utc(subscription.failing_since) < DISABLE_AFTER:
        return
    hours = int(DISABLE_AFTER.total_seconds() // 3600)
    subscription.enabled, subscription.disabled_at = False, now
    subscription.disabled_reason = (
        f"Disabled automatically: {subscription.consecutive_failures} attempts in a row failed over "
        f"more than {hours} hours."
    )
    admins = db.session.execute(
        select(User.id).where(User.role == "admin", User.active.is_(True), User.kind == "person")
    ).scalars()
    title = f"Webhook endpoint disabled after repeated failures: {subscription.url}"
    for admin_id in admins:
        db.session.add(
            Notification(
                user_id=admin_id,
                kind="webhook_disabled",
                subject_id=delivery_id,  # the delivery that tipped it: a second disablement is a second notice
                title=title[:400],
                payload={"subscription_id": str(subscription.id), "url": subscription.url[:500]},
            )
        )
    try:
        db.session.commit()
    except StaleDataError:  # an admin changed the subscription meanwhile: the next failure decides again
        db.session.rollback()


def due_delivery_ids(now=None) -> list:
    now = now or utcnow()
    stmt = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(SWEEP_BATCH)
    )
    return list(db.session.execute(stmt).scalars())


def queue_due() -> dict:
    """Beat's sweep, per tenant: queue every due delivery (each attempt claims its row first)."""
    ids = due_delivery_ids()
    tenant_id = str(tenant_context.require_tenant_id())
    for delivery_id in ids:
        dispatch.enqueue("deliver_webhook", str(delivery_id), tenant_id)
    return {"deliveries": len(ids)}


# -- manual sends ---------------------------------------------------------------------------------


def _send_now(delivery: WebhookDelivery, subscription: WebhookSubscription, once: bool = False) -> WebhookDelivery:
    now = utcnow()
    outcome = _send(delivery, subscription)
    _record(delivery, outcome, now)
    if outcome.ok:
        delivery.status, delivery.next_attempt_at, delivery.succeeded_at = "succeeded", None, now
        _reset_failures(subscription)
    elif once or delivery.status != "pending":  # a pending one keeps its schedule; a settled one failed again
        delivery.status = "failed"
    db.session.commit()
    return delivery


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, once, with the same webhook-id (the receiver may drop it as a duplicate
    if it had it). A disabled subscription is refused, not re-enabled behind the admin's back."""
    subscription = WebhookSubscription.get_scoped_or_404(delivery.subscription_id, include_deleted=True)
    if subscription.is_deleted:
        raise Conflict("The subscription of this delivery was deleted.")
    if not subscription.enabled:
        raise Conflict("The subscription is disabled; enable it first, then redeliver.")
    return _send_now(delivery, subscription)


def send_test(subscription: WebhookSubscription) -> WebhookDelivery:
    """A `webhook.test` ping, sent now and logged like any delivery (never retried)."""
    event_id = str(uuid.uuid4())
    now = utcnow()
    payload = {
        "id": event_id,
        "type": TEST_EVENT,
        "tenant_id": str(subscription.tenant_id),
        "occurred_at": now.isoformat().replace("+00:00", "Z"),
        "data": {"subscription_id": str(subscription.id), "message": "A test event from Meridian."},
    }
    delivery = WebhookDelivery(
        subscription_id=subscription.id, event_id=event_id, event_type=TEST_EVENT, payload=payload, status="pending"
    )  # no next_attempt_at: never swept, a test ping is sent this once
    db.session.add(delivery)
    return _send_now(delivery, subscription, once=True)


def list_deliveries(limit: int, offset: int, subscription_id=None, status=None) -> tuple[list, int]:
    stmt = select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    if subscription_id is not None:
        stmt = stmt.where(WebhookDelivery.subscription_id == subscription_id)
    if status:
        stmt = stmt.where(WebhookDelivery.status.in_(status))
    return paginate(stmt, limit, offset, False)
