"""The SAP Cloud ALM API calls Meridian makes, over the tenant's ALMGateway (token cache, retries,
breaker, call log). Non-2xx answers become CloudALMError with Cloud ALM's own message."""

from app.integrations.alm_gateway import ALMGateway
from app.integrations.errors import GatewayError

TASKS = "/api/calm-tasks/v1/tasks"
MANUAL_TEST_CASES = "/api/calm-testmanagement/v1/ManualTestCases"


class CloudALMError(GatewayError):
    """Cloud ALM answered, but refused the call (4xx) - a per-record failure, not an outage."""


class CloudALMClient:
    def __init__(self, gateway: ALMGateway):
        self.gateway = gateway

    def list_tasks(self, project_id: str, task_type: str | None = None) -> list[dict]:
        tasks = self._ok(self.gateway.request("GET", TASKS, params={"projectId": project_id}))
        tasks = tasks if isinstance(tasks, list) else (tasks or {}).get("value", [])
        return [t for t in tasks if task_type is None or t.get("type") == task_type]

    def get_task(self, task_id: str) -> dict:
        return self._ok(self.gateway.request("GET", f"{TASKS}/{task_id}"))

    def create_task(self, body: dict) -> dict:
        return self._ok(self.gateway.request("POST", TASKS, json_body=body))

    def update_task(self, task_id: str, body: dict) -> dict:
        return self._ok(self.gateway.request("PATCH", f"{TASKS}/{task_id}", json_body=body))

    def create_test_case(self, body: dict) -> dict:
        return self._ok(self.gateway.request("POST", MANUAL_TEST_CASES, json_body=body))

    def update_test_case(self, case_uuid: str, body: dict) -> dict:
        """OData PATCH needs If-Match with the current modifiedAt: read it, then write."""
        current = self._ok(self.gateway.request("GET", f"{MANUAL_TEST_CASES}/{case_uuid}"))
        return self._ok(
            self.gateway.request(
                "PATCH",
                f"{MANUAL_TEST_CASES}/{case_uuid}",
                json_body=body,
                headers={"If-Match": str(current.get("modifiedAt", "*"))},
            )
        )

    @staticmethod
    def _ok(response):
        if response.ok:
            return response.json() if response.status_code != 204 else None
        raise CloudALMError(
            f"SAP Cloud ALM answered HTTP {response.status_code}: {_error_text(response)}",
            status_code=response.status_code,
        )


def _error_text(response) -> str:
    try:
        error = (response.json() or {}).get("error") or {}
    except ValueError:
        return "no details"
    if not isinstance(error, dict):
        return str(error)[:300]
    details = "; ".join(
        f"{d.get('target')}: {d.get('message')}" for d in error.get("details") or [] if isinstance(d, dict)
    )
    return (str(error.get("message") or "no details") + (f" ({details})" if details else ""))[:500]
