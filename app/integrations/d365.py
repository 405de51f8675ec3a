"""Microsoft Dynamics 365 (Dataverse Web API, seed 003): Microsoft Entra ID client credentials, then
/api/data/v9.2. For now the connection test (WhoAmI); the lead push arrives with its issue."""
from app.integrations.connectors import ConfigField, Connector, TestResult, register

API = "/api/data/v9.2"


@register
class Dynamics365Connector(Connector):
    kind = "d365"
    title = "Microsoft Dynamics 365"
    vendor = "Microsoft"
    position = 20
    description = "Push qualified leads to Dynamics 365 Sales (upsert by alternate key)."
    fields = (
        ConfigField("base_url", "Environment URL", url=True, help="https://<org>.crm4.dynamics.com"),
        ConfigField("token_url", "Token URL", url=True,
                    help="https://login.microsoftonline.com/<directory id>/oauth2/v2.0/token"),
        ConfigField("client_id", "Application (client) ID"),
        ConfigField("client_secret", "Client secret", secret=True),
        ConfigField("scope", "Scope", required=False, help="Defaults to <environment URL>/.default"),
    )

    @classmethod
    def default_headers(cls) -> dict:
        return {"OData-MaxVersion": "4.0", "OData-Version": "4.0"}

    @classmethod
    def build_profile(cls, tenant_id, connection_id, config, secrets):
        config = {**config, "scope": config.get("scope") or config["base_url"].rstrip("/") + "/.default"}
        return super().build_profile(tenant_id, connection_id, config, secrets)

    def test_connection(self) -> TestResult:
        response = self.gateway.request("GET", f"{API}/WhoAmI")
        if response.ok:
            who = response.json() or {}
            return TestResult("ok", "Connected to Dynamics 365.", {"organization_id": who.get("OrganizationId")})
        return TestResult("error", f"Dynamics 365 answered HTTP {response.status_code}.")
