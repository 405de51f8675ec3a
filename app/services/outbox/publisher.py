"""The outbox publisher: hands the current tenant's unpublished events to the subscribers, at least once
and in `sequence` order per aggregate. Run per tenant by the Celery task (app/tasks/outbox.py).

One round claims the *heads* - the earliest unpublished event of each aggregate, when it is due - with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two publishers never work on one aggregate: whoever holds an
aggregate's head owns the aggregate until it commits, and the events behind a locked head are not heads.
It then delivers each claimed aggregate's events in order, each in a savepoint (the subscribers' writes and
the `published_at` stamp commit together), stops an aggregate at its first failure (which backs off), and
commits once at the end of the round. A publisher killed mid-round commits nothing: the whole round is
delivered again by the next one - at least once, never a gap.
"""

import logging
from datetime import timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import OutboxMessage
from app.services.outbox import subscribers
from app.utils.clock import utcnow

log = logging.getLogger(__name__)

HEADS_PER_ROUND = 50  # aggregates claimed at once
MESSAGES_PER_ROUND = 200  # the most a killed round delivers twice
MAX_ROUNDS = 20  # then the task ends and the next kick (or beat) goes on
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP_SECONDS = 3600  # retried hourly from the ~10th failure on, never dropped
RETENTION_DAYS = 7  # published events are pruned after a week (the webhook log keeps its own history)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def publish_pending(max_rounds: int = MAX_ROUNDS) -> dict:
    """Deliver what is due for the current tenant. Answers how many events were published and failed."""
    totals = {"published": 0, "failed": 0}
    for _ in range(max_rounds):
        published, failed, claimed = _round()
        totals["published"] += published
        totals["failed"] += failed
        if not claimed:
            break
    return totals


def _round() -> tuple[int, int, int]:
    now = utcnow()
    heads = _claim_heads(now)
    if not heads:
        db.session.rollback()
        return 0, 0, 0
    queues = _queues(heads)
    published = failed = 0
    budget = MESSAGES_PER_ROUND
    for head in heads:
        for message in queues[(head.aggregate_type, head.aggregate_id)]:
            if budget <= 0:
                break
            budget -= 1
            if _deliver(message):
                published += 1
            else:
                failed += 1
                break  # the later events of this aggregate wait for this one
    db.session.commit()
    return published, failed, len(heads)


def _claim_heads(now) -> list[OutboxMessage]:
    o, earlier = OutboxMessage, aliased(OutboxMessage)
    stmt = (
        select(o)
        .where(
            o.published_at.is_(None),
            o.next_attempt_at <= now,
            ~exists().where(
                earlier.aggregate_type == o.aggregate_type,
                earlier.aggregate_id == o.aggregate_id,
                earlier.published_at.is_(None),
                earlier.sequence < o.sequence,
            ),
        )
        .order_by(o.next_attempt_at, o.occurred_at, o.sequence)
        .limit(HEADS_PER_ROUND)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Skip the heads another publisher holds; SQLite serialises writers anyway.
        stmt = stmt.with_for_update(skip_locked=True, of=o)
    return list(db.session.execute(stmt).scalars())


def _queues(heads: list[OutboxMessage]) -> dict:
    """Each claimed aggregate's unpublished events from its head on, in order (one query for all of them)."""
    o = OutboxMessage
    queues = {(h.aggregate_type, h.aggregate_id): [h] for h in heads}
    followers = db.session.execute(
        select(o)
        .where(
            o.published_at.is_(None),
            o.aggregate_id.in_({h.aggregate_id for h in heads}),
        )
        .order_by(o.aggregate_type, o.aggregate_id, o.sequence)
    ).scalars()
    heads_at = {key: queue[0].sequence for key, queue in queues.items()}
    for message in followers:
        key = (message.aggregate_type, message.aggregate_id)
        if key in queues and message.sequence > heads_at[key]:
            queues[key].append(message)
    return queues


def _deliver(message: OutboxMessage) -> bool:
    envelope = message.envelope()
    try:
        with db.session.begin_nested():
            for subscriber in subscribers.all():
                subscriber(envelope)
    except Exception as exc:  # a subscriber's failure is the event's, retried; BaseException (a kill) is not
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.next_attempt_at = utcnow() + backoff(message.attempts)
        log.warning("outbox event %s (%s) failed, attempt %s", message.id, message.event_type, message.attempts)
        return False
    message.attempts += 1
    message.published_at = utcnow()
    message.last_error = None
    return True


def prune(retention_days: int = RETENTION_DAYS) -> dict:
    """Published events older than the retention go; unpublished ones never do."""
    cutoff = utcnow() - timedelta(days=retention_days)
    result = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.published_at.is_not(None), OutboxMessage.published_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return {"pruned": result.rowcount or 0}


def health() -> dict:
    """For the admin: how many events wait, how many of them are failing, and the oldest one's age."""
    o = OutboxMessage
    pending, failing, oldest = db.session.execute(
        select(
            func.count(o.id),
            func.count(o.id).filter(o.attempts > 0),
            func.min(o.occurred_at),
        ).where(o.published_at.is_(None))
    ).one()
    if oldest is not None and oldest.tzinfo is None:  # SQLite's aggregate loses the type's tz handling
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    age = int((utcnow() - oldest).total_seconds()) if oldest is not None else 0
    return {"pending": pending, "failing": failing, "oldest_pending_seconds": max(age, 0)}
