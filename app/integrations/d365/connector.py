"""Microsoft Dynamics 365 (Dataverse Web API, seed 003): Microsoft Entra ID client credentials, then
/api/data/v9.2. The hub's connection test (WhoAmI) and the settings the lead push needs."""

from urllib.parse import urlsplit

from app.integrations.connectors import ConfigField, Connector, TestResult

API = "/api/data/v9.2"
DEFAULT_FIELD_PREFIX = "new_"
DEFAULT_ALTERNATE_KEY = "new_meridiandomain"


def default_token_url(org_url: str) -> str:
    """https://contoso.crm4.dynamics.com -> the Entra ID v2.0 token endpoint of contoso.onmicrosoft.com
    (a directory id in the token URL is the better setting; this covers the common naming)."""
    org = (urlsplit(org_url).hostname or "").split(".")[0]
    return f"https://login.microsoftonline.com/{org}.onmicrosoft.com/oauth2/v2.0/token"


class Dynamics365Connector(Connector):
    kind = "d365"
    title = "Microsoft Dynamics 365"
    vendor = "Microsoft"
    position = 20
    description = "Push qualified leads to Dynamics 365 Sales (upsert by alternate key)."
    fields = (
        ConfigField("org_url", "Environment URL", url=True, help="https://<org>.crm4.dynamics.com"),
        ConfigField(
            "token_url",
            "Token URL",
            url=True,
            required=False,
            help="https://login.microsoftonline.com/<directory id>/oauth2/v2.0/token",
        ),
        ConfigField("client_id", "Application (client) ID"),
        ConfigField("client_secret", "Client secret", secret=True),
        ConfigField(
            "field_prefix",
            "Publisher prefix",
            required=False,
            default=DEFAULT_FIELD_PREFIX,
            help="Prefix of the custom lead columns, e.g. new_ for new_hunterscore",
        ),
        ConfigField(
            "alternate_key",
            "Lead alternate key",
            required=False,
            default=DEFAULT_ALTERNATE_KEY,
            help="Column of the lead alternate key holding the company domain",
        ),
    )

    @classmethod
    def default_headers(cls) -> dict:
        return {"OData-MaxVersion": "4.0", "OData-Version": "4.0"}

    @classmethod
    def build_profile(cls, tenant_id, connection_id, config, secrets):
        org_url = config["org_url"].rstrip("/")
        config = {
            **config,
            "base_url": org_url,
            "token_url": config.get("token_url") or default_token_url(org_url),
            "scope": org_url + "/.default",
        }
        return super().build_profile(tenant_id, connection_id, config, secrets)

    @staticmethod
    def record_url(org_url: str, d365_lead_id: str) -> str:
        return f"{org_url.rstrip('/')}/main.aspx?pagetype=entityrecord&etn=lead&id={d365_lead_id}"

    def test_connection(self) -> TestResult:
        response = self.gateway.request("GET", f"{API}/WhoAmI")
        if response.ok:
            who = response.json() or {}
            return TestResult("ok", "Connected to Dynamics 365.", {"organization_id": who.get("OrganizationId")})
        return TestResult("error", f"Dynamics 365 answered HTTP {response.status_code}.")
