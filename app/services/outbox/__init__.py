"""The transactional outbox (issue 15.5; docs/decisions.md "Transactional outbox").

A service that changes something a subscriber cares about calls `emit(...)` with the session it is about to
commit: the event row is written in that same transaction and never commits on its own. After the commit a
publisher task is kicked (and beat runs it every minute as a safety net); it hands each event to the
subscribers of `app.services.outbox.subscribers` at least once, in order per aggregate.
"""

import uuid

from sqlalchemy import event, func, select

from app.extensions import db
from app.models import OutboxMessage
from app.tenancy import TenantSession, after_real_commit
from app.utils import tenant_context
from app.utils.clock import utcnow

EVENT_TYPES = frozenset(
    {
        "incident.created",
        "incident.updated",
        "incident.breached",
        "incident.resolved",
        "change_request.submitted",
        "change_request.approved",
        "change_request.rejected",
        "requirement.status_changed",
        "sync_run.finished",
    }
)
_KICK = "meridian_outbox_kick"  # session.info: tenants whose transaction wrote events


def emit(aggregate_type: str, aggregate_id, event_type: str, payload: dict) -> OutboxMessage:
    """Add one event to the current transaction (no commit). The session is flushed first: the aggregate's
    own row is then written (new rows get their id; an UPDATE holds the row lock until commit), so two
    transactions changing the same aggregate number its events one after the other, never both `max + 1`."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown outbox event type {event_type!r}")
    db.session.flush()
    aggregate_id = aggregate_id if isinstance(aggregate_id, uuid.UUID) else uuid.UUID(str(aggregate_id))
    last = db.session.execute(
        select(func.max(OutboxMessage.sequence)).where(
            OutboxMessage.aggregate_type == aggregate_type, OutboxMessage.aggregate_id == aggregate_id
        )
    ).scalar_one()
    now = utcnow()
    message = OutboxMessage(
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        sequence=(last or 0) + 1,
        event_type=event_type,
        payload=payload,
        occurred_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    db.session.flush()  # the next emit of this aggregate in this transaction sees it in max()
    note_written(db.session)
    return message


def note_written(session) -> None:
    """Events were written by this transaction (also said by set-based writers, e.g. the breach sweep)."""
    session.info.setdefault(_KICK, set()).add(tenant_context.require_tenant_id())


@after_real_commit
def _kick_publisher(session):
    tenant_ids = session.info.pop(_KICK, None)
    if not tenant_ids:
        return
    from flask import current_app

    if not current_app.config["OUTBOX_PUBLISH_ON_COMMIT"]:
        return
    from app.services import dispatch

    for tenant_id in tenant_ids:
        try:
            dispatch.enqueue("outbox_publish", str(tenant_id))
        except Exception:  # the commit stands; beat's run picks the events up
            import logging

            logging.getLogger(__name__).warning("could not kick the outbox publisher", exc_info=True)


@event.listens_for(TenantSession, "after_rollback")
def _rolled_back(session):
    session.info.pop(_KICK, None)
