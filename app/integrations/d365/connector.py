"""Microsoft Dynamics 365 (Dataverse Web API, seed 003): Microsoft Entra ID client credentials, then
/api/data/v9.2. The hub's connection test (WhoAmI) and the settings the lead push needs.

The Entra tenant is never guessed from the environment's host name: contoso.crm4.dynamics.com says nothing
about the directory that issues its tokens. The admin gives the directory (tenant) id or the full token
URL ("Use OAuth authentication with Microsoft Dataverse")."""

import re
from dataclasses import replace

from app.integrations.connectors import ConfigField, Connector, TestResult

API = "/api/data/v9.2"
DEFAULT_FIELD_PREFIX = "new_"
DEFAULT_ALTERNATE_KEY = "new_meridiandomain"
DEFAULT_BATCH_SIZE = 100
_TENANT = re.compile(r"^(?:[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")


def token_url_for(tenant_id: str) -> str:
    return f"https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"


class Dynamics365Connector(Connector):
    kind = "d365"
    title = "Microsoft Dynamics 365"
    vendor = "Microsoft"
    position = 20
    description = "Push qualified leads to Dynamics 365 Sales (upsert by alternate key)."
    fields = (
        ConfigField("org_url", "Environment URL", url=True, help="https://<org>.crm4.dynamics.com"),
        ConfigField(
            "tenant_id",
            "Directory (tenant) ID",
            required=False,
            help="Microsoft Entra directory id (a GUID) or its domain; or give the token URL instead",
        ),
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
        ConfigField(
            "batch_size",
            "Leads per $batch request",
            required=False,
            default=str(DEFAULT_BATCH_SIZE),
            help="1-1000; Microsoft advises small batches (start around 10-100)",
        ),
    )

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = {}
        if not config.get("tenant_id") and not config.get("token_url"):
            message = "Give the directory (tenant) ID or the token URL; the tenant is not guessed from the URL."
            errors["config.tenant_id"] = [message]
        elif config.get("tenant_id") and not _TENANT.match(config["tenant_id"]):
            errors["config.tenant_id"] = ["A directory id (GUID) or a domain such as contoso.onmicrosoft.com."]
        size = config.get("batch_size")
        if size is not None and (not str(size).isdigit() or not 1 <= int(size) <= 1000):
            errors["config.batch_size"] = ["A whole number from 1 to 1000."]
        return errors

    @classmethod
    def default_headers(cls) -> dict:
        # "Compose HTTP requests and handle errors": every request carries these (If-None-Match: null keeps
        # caches out of the way); an explicit If-None-Match: * (create only) replaces the null.
        return {"OData-MaxVersion": "4.0", "OData-Version": "4.0", "If-None-Match": "null"}

    @classmethod
    def build_profile(cls, tenant_id, connection_id, config, secrets):
        org_url = config["org_url"].rstrip("/")
        config = {
            **config,
            "base_url": org_url,
            "token_url": config.get("token_url") or token_url_for(config["tenant_id"]),
            "scope": org_url + "/.default",
        }
        profile = super().build_profile(tenant_id, connection_id, config, secrets)
        return replace(profile, reschedule_on_429=True)  # a 429 reschedules the push job, nobody sleeps

    @staticmethod
    def record_url(org_url: str, d365_lead_id: str) -> str:
        return f"{org_url.rstrip('/')}/main.aspx?pagetype=entityrecord&etn=lead&id={d365_lead_id}"

    def test_connection(self) -> TestResult:
        response = self.gateway.request("GET", f"{API}/WhoAmI")
        if response.ok:
            who = response.json() or {}
            return TestResult("ok", "Connected to Dynamics 365.", {"organization_id": who.get("OrganizationId")})
        return TestResult("error", f"Dynamics 365 answered HTTP {response.status_code}.")
