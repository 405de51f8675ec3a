"""Dynamics 365 (Dataverse Web API v9.2) stand-in: the Microsoft Entra ID v2.0 token endpoint, WhoAmI
and leads with upsert by alternate key, the way the real Web API behaves:

  PATCH leads(<key>='<value>')   creates or updates; 204 + OData-EntityId, or with
                                 `Prefer: return=representation` 201 (created) / 200 (updated) + the record
  If-None-Match: *               create only: 412 when the record exists
  If-Match: *                    update only: 404 when it does not
  POST $batch                    multipart/mixed, up to 1000 requests, each answered in order
                                 (odata.continue-on-error), the whole batch throttled as one request
  rate_limit fault               429 with Retry-After (`retry_after_seconds`)

An `emailaddress1` without '@' is refused with Dataverse's 400 body, for validation tests.
"""

import json
import re
import uuid

from app.integrations.sandbox.server import SandboxServer, form_of, json_of, new_id

API = "/api/data/v9.2"
ODATA = {"OData-Version": "4.0", "Content-Type": "application/json; odata.metadata=minimal"}
_TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
_LEAD_KEY = re.compile(r"^leads\((?:(?P<guid>[0-9a-fA-F-]{36})|(?P<key>\w+)='(?P<value>(?:[^']|'')*)')\)$")
ALTERNATE_KEY = "new_meridiandomain"
BATCH_LIMIT = 1000


def _error(status: int, code: str, message: str):
    return status, {"error": {"code": code, "message": message}}, dict(ODATA)


class Dynamics365Sandbox(SandboxServer):
    name = "d365-sandbox"

    def __init__(
        self,
        client_id="7d1e5f3a-demo-4c1b-9b1e-meridian0365",
        client_secret="sandbox-secret-d365",
        alternate_key=ALTERNATE_KEY,
        **kwargs,
    ):
        super().__init__(client_id, client_secret, **kwargs)
        self.alternate_key = alternate_key
        self.leads: dict[str, dict] = {}
        self.organization_id = str(uuid.uuid4())

    def unauthorized(self):
        return (
            401,
            None,
            {
                "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The access token '
                'is expired or invalid"'
            },
        )

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
        resource = path[len(API) + 1 :]
        if resource == "$batch" and method == "POST":
            return self._batch(handler.headers.get("Content-Type", ""), body)
        return self._entity(method, resource, body, {k.lower(): v for k, v in handler.headers.items()})

    def _entity(self, method, resource, body, headers):
        if resource == "WhoAmI" and method == "GET":
            return (
                200,
                {
                    "@odata.context": f"{self.url}{API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                    "BusinessUnitId": "3f2a5c1e-0000-4000-8000-000000000001",
                    "UserId": "3f2a5c1e-0000-4000-8000-000000000002",
                    "OrganizationId": self.organization_id,
                },
                dict(ODATA),
            )
        if resource == "leads":
            if method == "GET":
                with self.lock:
                    return (
                        200,
                        {
                            "@odata.context": f"{self.url}{API}/$metadata#leads",
                            "value": [dict(lead) for lead in self.leads.values()],
                        },
                        dict(ODATA),
                    )
            if method == "POST":
                return self._upsert(new_id(), None, body, headers, created_only=True)
        match = _LEAD_KEY.match(resource)
        if match and method == "PATCH":
            if match.group("guid"):
                return self._upsert(match.group("guid"), None, body, headers)
            if match.group("key") != self.alternate_key:
                return _error(400, "0x80060891", f"'{match.group('key')}' is not an alternate key of lead.")
            value = match.group("value").replace("''", "'")
            with self.lock:
                existing = next(
                    (lid for lid, lead in self.leads.items() if lead.get(self.alternate_key) == value), None
                )
            return self._upsert(existing, value, body, headers)
        return _error(404, "0x80060888", f"Resource not found for the segment '{resource}'.")

    def _token(self, handler, method, body):
        form = form_of(body)
        if method != "POST" or form.get("grant_type") != "client_credentials":
            return (
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "AADSTS70003: The app requested an unsupported grant type.",
                },
                {},
            )
        client_id, client_secret = self.client_credentials(handler, form)
        if client_id != self.client_id or client_secret != self.client_secret:
            return (
                401,
                {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."},
                {},
            )
        return (
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "ext_expires_in": self.token_lifetime,
                "access_token": self.issue_token(),
            },
            {},
        )

    def _upsert(self, lead_id, alternate_value, body, headers, created_only=False):
        doc = json_of(body)
        if not isinstance(doc, dict):
            return _error(400, "0x80040203", "The request body is not a JSON object.")
        exists = lead_id is not None
        if exists and headers.get("if-none-match") == "*":
            return _error(412, "0x80040237", "A record with matching key values already exists.")
        if not exists and headers.get("if-match") == "*":
            return _error(404, "0x80040217", "lead With Ids = ... Does Not Exist")
        if not exists and created_only and not doc.get("lastname") and not doc.get("subject"):
            return _error(400, "0x80040203", "Attribute 'lastname' or 'subject' is required.")
        email = doc.get("emailaddress1")
        if email and "@" not in str(email):
            return _error(
                400,
                "0x80040203",
                "A validation error occurred. The value of 'emailaddress1' is not a valid e-mail address.",
            )
        with self.lock:
            lead_id = lead_id or new_id()
            lead = self.leads.setdefault(lead_id, {"leadid": lead_id})
            lead.update(doc)
            if alternate_value is not None:
                lead[self.alternate_key] = alternate_value
            record = dict(lead)
        answer = {"OData-Version": "4.0", "OData-EntityId": f"{self.url}{API}/leads({lead_id})"}
        if "return=representation" in headers.get("prefer", ""):
            return (200 if exists else 201), record, {**ODATA, **answer}
        return 204, None, answer

    def _batch(self, content_type: str, body: bytes):
        boundary = next(
            (
                p.split("=", 1)[1].strip('"')
                for p in content_type.split(";")
                if p.strip().lower().startswith("boundary=")
            ),
            None,
        )
        if not content_type.startswith("multipart/mixed") or not boundary:
            return _error(400, "0x80048d19", "The $batch request must be multipart/mixed with a boundary.")
        requests = []
        for part in body.decode(errors="replace").split(f"--{boundary}")[1:]:
            if part.startswith("--"):
                break
            _mime, _, http = part.lstrip("\r\n").partition("\r\n\r\n")
            head, _, payload = http.partition("\r\n\r\n")
            lines = head.split("\r\n")
            method, url = lines[0].split(" ")[:2]
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            requests.append((method, url, headers, payload.strip().encode()))
        if len(requests) > BATCH_LIMIT:
            return _error(400, "0x80048d19", f"The number of requests in a batch exceeds {BATCH_LIMIT}.")
        out_boundary = f"batchresponse_{uuid.uuid4()}"
        chunks = []
        for index, (method, url, headers, payload) in enumerate(requests, start=1):
            path = url.split(API + "/", 1)[-1]
            status, doc, answer = self._entity(method, path, payload, headers)
            answer = {k: v for k, v in answer.items() if k != "Content-Type"}
            lines = [
                f"--{out_boundary}",
                "Content-Type: application/http",
                "Content-Transfer-Encoding: binary",
                f"Content-ID: {index}",
                "",
                f"HTTP/1.1 {status} {_REASONS.get(status, '')}",
            ]
            lines += [f"{k}: {v}" for k, v in answer.items()]
            if doc is not None:
                lines += ["Content-Type: application/json; odata.metadata=minimal", "", json.dumps(doc)]
            else:
                lines += [""]
            chunks.append("\r\n".join(lines) + "\r\n")
        raw = "".join(chunks) + f"--{out_boundary}--\r\n"
        return (
            200,
            _Raw(raw.encode()),
            {"Content-Type": f"multipart/mixed; boundary={out_boundary}", "OData-Version": "4.0"},
        )


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    404: "Not Found",
    412: "Precondition Failed",
}


class _Raw(bytes):
    """A body the server sends as it is (not JSON-encoded)."""
