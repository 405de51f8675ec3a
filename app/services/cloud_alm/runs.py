"""The bookkeeping of one Cloud ALM operation (push, pull, test results, a conflict resolution): counters,
per-record outcomes, the fatal error if any, and the CloudALMSyncLog row written whatever happens - with
the same outcome on the connection (last sync, error count, sync history) where the Integrations page
shows it."""

from datetime import datetime

from app.extensions import db
from app.integrations.errors import GatewayError, Throttled
from app.models import CloudALMSyncLog
from app.models.run_status import FAILED, PARTIAL, SUCCEEDED
from app.services import integration_history
from app.services.cloud_alm import config
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Conflict

HUB_OPERATIONS = {"push_requirements": "push", "pull_requirements": "pull", "push_test_results": "push"}


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
        becomes a 409 after the log is written; a 429 (Throttled) is logged and raised as it is, so the job
        runs again after Retry-After; a refusal (Conflict) is logged and raised as it is; anything
        unexpected is logged as such and re-raised. `count()` gives the records moved, for the log."""
        try:
            body()
        except Throttled as exc:
            db.session.rollback()
            self.fatal, self.http_status = f"{exc} The {action} resumes by itself.", 429
            self.write_log(**{direction: count()})
            raise
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

    @property
    def status(self) -> str:
        if self.fatal:
            return FAILED
        return PARTIAL if self.result["errors"] else SUCCEEDED

    def summary(self) -> str | None:
        if self.fatal:
            return self.fatal[:500]
        if self.result["errors"]:
            first = self.result["error_details"][0]
            return f"{self.result['errors']} record(s) refused; first: {first.get('code')}: {first.get('error')}"[:500]
        return None

    def write_log(self, pushed: int | None = None, pulled: int | None = None) -> CloudALMSyncLog:
        finished = utcnow()
        log = CloudALMSyncLog(
            project_id=self.project_id,
            operation=self.operation,
            status=self.status,
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
        connection = config.find_connection()
        if connection is not None and self.operation in HUB_OPERATIONS:
            integration_history.record_sync(
                connection,
                HUB_OPERATIONS[self.operation],
                self.status,
                started=self.started,
                triggered_by=self.triggered_by if self.triggered_by in ("manual", "scheduled", "webhook") else "manual",
                pushed=pushed or 0,
                pulled=pulled or 0,
                error=self.summary(),
                project_id=self.project_id,
            )
        db.session.commit()
        return log


def synced_at() -> datetime:
    """The sync stamp: now. (Cloud ALM's lastChangedDate is a date; the pull compares field digests.)"""
    return utcnow()
