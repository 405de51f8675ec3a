"""Dynamics 365 (Dataverse Web API v9.2) stand-in: the Microsoft Entra ID v2.0 token endpoint, WhoAmI
and leads with upsert by alternate key (PATCH leads(key='value') -> 204 + OData-EntityId), OData headers
and Dataverse's error body {"error": {"code": "0x...", "message"}}."""
import re
import uuid

from app.integrations.sandbox.server import SandboxServer, form_of, json_of, new_id

API = "/api/data/v9.2"
ODATA = {"OData-Version": "4.0", "Content-Type": "application/json; odata.metadata=minimal"}
_TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
_LEAD_KEY = re.compile(r"^leads\((?:(?P<guid>[0-9a-fA-F-]{36})|(?P<key>\w+)='(?P<value>[^']*)')\)$")
ALTERNATE_KEY = "meridian_externalid"


def _error(status: int, code: str, message: str):
    return status, {"error": {"code": code, "message": message}}, dict(ODATA)


class Dynamics365Sandbox(SandboxServer):
    name = "d365-sandbox"

    def __init__(self, client_id="7d1e5f3a-demo-4c1b-9b1e-meridian0365", client_secret="sandbox-secret-d365",
                 **kwargs):
        super().__init__(client_id, client_secret, **kwargs)
        self.leads: dict[str, dict] = {}
        self.organization_id = str(uuid.uuid4())

    def unauthorized(self):
        return 401, None, {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="The access token '
                                               'is expired or invalid"'}

    def server_error(self):
        return _error(503, "0x80072321", "The service is temporarily unavailable.")

    def route(self, handler, method, path, query, body):
        match = _TOKEN_PATH.match(path)
        if match:
            return self._token(handler, method, body)
        if not self.token_valid(handler.headers.get("Authorization")):
            return self.unauthorized()
        if not path.startswith(API + "/"):
            return _error(404, "0x80060888", f"Resource not found for the segment '{path}'.")
        resource = path[len(API) + 1:]
        if resource == "WhoAmI" and method == "GET":
            return 200, {"@odata.context": f"{self.url}{API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                         "BusinessUnitId": "3f2a5c1e-0000-4000-8000-000000000001",
                         "UserId": "3f2a5c1e-0000-4000-8000-000000000002",
                         "OrganizationId": self.organization_id}, dict(ODATA)
        if resource == "leads":
            if method == "GET":
                return 200, {"@odata.context": f"{self.url}{API}/$metadata#leads",
                             "value": list(self.leads.values())}, dict(ODATA)
            if method == "POST":
                return self._upsert(new_id(), None, body, created_only=True)
        match = _LEAD_KEY.match(resource)
        if match and method == "PATCH":
            if match.group("guid"):
                return self._upsert(match.group("guid"), None, body)
            if match.group("key") != ALTERNATE_KEY:
                return _error(400, "0x80060891", f"'{match.group('key')}' is not an alternate key of lead.")
            existing = next((lid for lid, lead in self.leads.items()
                             if lead.get(ALTERNATE_KEY) == match.group("value")), None)
            return self._upsert(existing or new_id(), match.group("value"), body)
        return _error(404, "0x80060888", f"Resource not found for the segment '{resource}'.")

    def _token(self, handler, method, body):
        form = form_of(body)
        if method != "POST" or form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type",
                         "error_description": "AADSTS70003: The app requested an unsupported grant type."}, {}
        client_id, client_secret = self.client_credentials(handler, form)
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "invalid_client",
                         "error_description": "AADSTS7000215: Invalid client secret provided."}, {}
        return 200, {"token_type": "Bearer", "expires_in": self.token_lifetime, "ext_expires_in": self.token_lifetime,
                     "access_token": self.issue_token()}, {}

    def _upsert(self, lead_id, alternate_value, body, created_only=False):
        doc = json_of(body)
        if not isinstance(doc, dict):
            return _error(400, "0x80040203", "The request body is not a JSON object.")
        if created_only and not doc.get("lastname") and not doc.get("subject"):
            return _error(400, "0x80040203", "Attribute 'lastname' or 'subject' is required.")
        lead = self.leads.setdefault(lead_id, {"leadid": lead_id})
        lead.update(doc)
        if alternate_value is not None:
            lead[ALTERNATE_KEY] = alternate_value
        headers = {"OData-Version": "4.0", "OData-EntityId": f"{self.url}{API}/leads({lead_id})"}
        return 204, None, headers
