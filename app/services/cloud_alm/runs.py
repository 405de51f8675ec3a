"""The bookkeeping of one Cloud ALM operation (push, pull, test results, a conflict resolution): counters,
per-record outcomes, the fatal error if any, and the CloudALMSyncLog row written whatever happens."""

from datetime import datetime

from app.extensions import db
from app.integrations.cloud_alm import mapping
from app.integrations.errors import GatewayError
from app.models import CloudALMSyncLog
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Conflict


class SyncRun:
    def __init__(self, project_id, operation: str, triggered_by: str, counters: dict):
        self.project_id, self.operation, self.triggered_by = project_id, operation, triggered_by
        self.started = utcnow()
        self.result = {**counters, "errors": 0, "error_details": []}
        self.details: list[dict] = []
        self.fatal: str | None = None
        self.http_status: int | None = None

    def refused(self, record: dict, exc: Exception) -> None:
        """Cloud ALM refused one record: counted and kept in the log; the run goes on."""
        self.result["errors"] += 1
        status = getattr(exc, "status_code", None)
        self.http_status = status or self.http_status
        detail = {**record, "error": str(exc)[:500], "http_status": status}
        self.result["error_details"].append(detail)
        self.details.append({**detail, "outcome": "error"})

    def guarded(self, body, *, action: str, direction: str, count) -> dict:
        """Run `body()` and write the sync log whatever happens. An outage (GatewayError) stops the run and
        becomes a 409 after the log is written; a refusal (Conflict) is logged and raised as it is; anything
        unexpected is logged as such and re-raised. `count()` gives the records moved, for the log."""
        try:
            body()
        except GatewayError as exc:  # outage, breaker open, credentials refused: stop, say why
            db.session.rollback()
            self.fatal, self.http_status = str(exc)[:500], exc.status_code
        except Conflict as exc:
            self.fatal = exc.detail
            self.write_log(**{direction: 0})
            raise
        except Exception:
            db.session.rollback()
            self.fatal = f"The {action} stopped unexpectedly; see the server log."
            self.write_log(**{direction: count()})
            raise
        self.write_log(**{direction: count()})
        if self.fatal:
            raise Conflict(f"SAP Cloud ALM {action} failed: {self.fatal}", result=self.result)
        return self.result

    def write_log(self, pushed: int | None = None, pulled: int | None = None) -> CloudALMSyncLog:
        finished = utcnow()
        if self.fatal:
            status = "failed"
        elif self.result["errors"]:
            status = "partial"
        else:
            status = "succeeded"
        log = CloudALMSyncLog(
            project_id=self.project_id,
            operation=self.operation,
            status=status,
            http_status_code=self.http_status,
            error_message=self.fatal
            or (f"{self.result['errors']} record(s) refused" if self.result["errors"] else None),
            records_pushed=pushed,
            records_pulled=pulled,
            triggered_by=self.triggered_by,
            duration_ms=int((finished - self.started).total_seconds() * 1000),
            details=self.details[:1000],
            started_by=tenant_context.current_actor_id(),
        )
        db.session.add(log)
        db.session.commit()
        return log


def synced_at(remote: dict | None) -> datetime:
    """The sync stamp after writing or reading `remote`: never earlier than Cloud ALM's own change stamp,
    so our write does not look like a later remote change on the next pull."""
    now = utcnow()
    remote_at = mapping.remote_changed_at(remote or {})
    return max(now, remote_at) if remote_at else now
