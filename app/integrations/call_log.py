"""Writes GatewayCallLog rows on a connection of their own, committed at once, so the record of an
outbound call survives when the caller's transaction rolls back (a failed push is exactly when the log
matters). A failure to write the log is reported and never breaks the call itself."""

import logging

from sqlalchemy import insert

from app.models.integrations import GatewayCallLog
from app.utils import tenant_context
from app.utils.redact import redact

log = logging.getLogger(__name__)


def record(engine, **fields) -> None:
    _clean(fields)
    try:
        # The row belongs to the profile's tenant; stamping it under that tenant keeps row-level security
        # satisfied even on this separate connection.
        with tenant_context.tenant_scope(fields["tenant_id"], fields.get("user_id")), engine.begin() as connection:
            connection.execute(insert(GatewayCallLog.__table__).values(**fields))
    except Exception:
        log.exception("could not write the gateway call log row for %s %s", fields.get("method"), fields["path"])


def record_many(engine, rows: list) -> None:
    """Rows a busy caller collected (ALMGateway.collect_log_rows), written in one transaction per tenant and
    taken off the list; like `record`, a failure is reported and never breaks the caller."""
    taken = list(rows)
    del rows[: len(taken)]
    by_tenant: dict = {}
    for fields in taken:
        _clean(fields)
        by_tenant.setdefault(fields["tenant_id"], []).append(fields)
    for tenant_id, group in by_tenant.items():
        try:
            with tenant_context.tenant_scope(tenant_id), engine.begin() as connection:
                connection.execute(insert(GatewayCallLog.__table__), group)
        except Exception:
            log.exception("could not write %d gateway call log rows", len(group))


def _clean(fields: dict) -> None:
    """An error may quote the service's answer, and the answer may echo a credential we sent."""
    error = fields.get("error") or None
    fields["error"] = error and redact(str(error), tenant_id=fields.get("tenant_id"))[:500]
    fields["path"] = str(fields["path"])[:500]
