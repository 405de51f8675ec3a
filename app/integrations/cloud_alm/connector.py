"""The SAP Cloud ALM connection as the integrations hub sees it: its fields and its connection test, plus
what a Cloud ALM webhook means. Push and pull live in app/services/cloud_alm/.

The connection test reads the project list (GET /api/calm-projects/v1/projects, the first call of SAP's
Postman collection): tasks are only ever listed by project, so the test does not list tasks."""

from dataclasses import replace

from app.integrations.cloud_alm.client import PROJECTS, error_text
from app.integrations.connectors import ConfigField, Connector, TestResult

DEFAULT_CALLS_PER_SECOND = 20
DEFAULT_PARALLEL_CALLS = 8


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
            "project_id",
            "Cloud ALM project the connection test checks",
            required=False,
            help="Optional: the test then also checks this project is visible. Each Meridian project picks "
            "its own Cloud ALM project from the list.",
        ),
        ConfigField("sync_requirements", "Sync requirements (true/false)", required=False, default="true"),
        ConfigField("sync_test_results", "Sync test results (true/false)", required=False, default="false"),
        ConfigField("sync_interval_minutes", "Scheduled sync every (minutes)", required=False, default="60"),
        ConfigField(
            "calls_per_second",
            "Calls per second (rate budget)",
            required=False,
            default=str(DEFAULT_CALLS_PER_SECOND),
            help="1-500. SAP publishes no number; a 429 from Cloud ALM makes the sync wait as told.",
        ),
        ConfigField(
            "parallel_calls",
            "Calls in flight during a push",
            required=False,
            default=str(DEFAULT_PARALLEL_CALLS),
            help="1-16",
        ),
    )

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = {}
        for name, low, high in (("calls_per_second", 1, 500), ("parallel_calls", 1, 16)):
            value = config.get(name)
            if value is not None and (not str(value).isdigit() or not low <= int(value) <= high):
                errors[f"config.{name}"] = [f"A whole number from {low} to {high}."]
        return errors

    @classmethod
    def build_profile(cls, tenant_id, connection_id, config, secrets):
        profile = super().build_profile(tenant_id, connection_id, config, secrets)
        rate = float(config.get("calls_per_second") or DEFAULT_CALLS_PER_SECOND)
        return replace(profile, rate_per_second=rate, burst=max(1, int(rate * 2)), reschedule_on_429=True)

    @staticmethod
    def parallel_calls(config: dict) -> int:
        return int(config.get("parallel_calls") or DEFAULT_PARALLEL_CALLS)

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
        response = self.gateway.request("GET", PROJECTS)
        if not response.ok:
            return TestResult("error", f"SAP Cloud ALM answered HTTP {response.status_code}: {error_text(response)}")
        projects = response.json()
        projects = projects if isinstance(projects, list) else (projects or {}).get("value", [])
        wanted = self.config.get("project_id")
        if wanted and not any(str(p.get("id")) == wanted for p in projects):
            return TestResult("error", f"Connected, but the Cloud ALM project {wanted} is not visible to this client.")
        return TestResult(
            "ok", f"Connected to SAP Cloud ALM; {len(projects)} project(s) visible.", {"projects": len(projects)}
        )
