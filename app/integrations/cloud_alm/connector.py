"""The SAP Cloud ALM connection as the integrations hub sees it: its fields and its connection test, plus
what a Cloud ALM webhook means. Push and pull live in app/services/cloud_alm/."""

from app.integrations.connectors import ConfigField, Connector, TestResult

TASKS_PATH = "/api/calm-tasks/v1/tasks"


class CloudALMConnector(Connector):
    kind = "cloud_alm"
    title = "SAP Cloud ALM"
    vendor = "SAP"
    position = 10
    description = "Requirement and test synchronisation with SAP Cloud ALM."
    single_per_tenant = True  # seed 000: one configuration per tenant; its token key is per tenant
    fields = (
        ConfigField("base_url", "API URL", url=True, help="https://<tenant>.<region>.alm.cloud.sap"),
        ConfigField(
            "token_url",
            "Token URL",
            url=True,
            help="https://<subaccount>.authentication.<region>.hana.ondemand.com/oauth/token",
        ),
        ConfigField("client_id", "Client ID"),
        ConfigField("client_secret", "Client secret", secret=True),
        ConfigField(
            "project_id", "Cloud ALM project ID", required=False, help="The Cloud ALM project requirements sync with."
        ),
        ConfigField("sync_requirements", "Sync requirements (true/false)", required=False, default="true"),
        ConfigField("sync_test_results", "Sync test results (true/false)", required=False, default="false"),
        ConfigField("sync_interval_minutes", "Scheduled sync every (minutes)", required=False, default="60"),
    )

    def handle_webhook(self, event_type: str | None, payload: dict) -> dict:
        """Cloud ALM task events: ask for a pull of the Cloud ALM project the event names."""
        data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
        project_id = data.get("projectId") if isinstance(data, dict) else None
        return {
            "handled": bool(project_id),
            "event_type": event_type,
            "follow_up": "pull_requirements",
            "alm_project_id": project_id,
        }

    def test_connection(self) -> TestResult:
        params = {"projectId": self.config["project_id"]} if self.config.get("project_id") else None
        response = self.gateway.request("GET", TASKS_PATH, params=params)
        if response.ok:
            tasks = response.json()
            count = len(tasks) if isinstance(tasks, list) else len((tasks or {}).get("value", []))
            return TestResult("ok", f"Connected to SAP Cloud ALM; {count} task(s) visible.", {"tasks": count})
        return TestResult("error", f"SAP Cloud ALM answered HTTP {response.status_code}: {_error_text(response)}")


def _error_text(response) -> str:
    try:
        error = (response.json() or {}).get("error") or {}
        return str(error.get("message") or error)[:200]
    except ValueError:
        return "no details"
