"""Dynamics 365 (Dataverse Web API v9.2) stand-in: the Microsoft Entra ID v2.0 token endpoint, WhoAmI and
the lead table, as Microsoft's pages describe them (docs/vendor-contracts.md cites each):

  PATCH leads(<alternate key>='<value>')   upsert ("Use Upsert to Create or Update a record"): 204 with
                                           OData-EntityId in the KEY form, the same for create and update;
                                           with `Prefer: return=representation` 201 (created) / 200
                                           (updated) and the record, `$select` honoured
  If-None-Match: * / If-Match: *           412 when it exists / 404 when it does not ("Perform
                                           conditional operations"); `If-None-Match: null` is no condition
  unknown column, over-length value        400 with {"error": {"code", "message"}} (troubleshooting page,
                                           batch page)
  GET leads?$select=..&$filter=k eq 'v' or k eq 'w'
  POST $batch                              multipart/mixed, at most 1000 requests, answered in order; without
                                           `Prefer: odata.continue-on-error` processing stops at the first
                                           failure and the batch answers 400; change sets are atomic
"""

import json
import re
from urllib.parse import parse_qsl

from app.integrations.d365 import batch as mime
from app.integrations.sandbox.server import SandboxServer, form_of, json_of, new_id

API = "/api/data/v9.2"
ODATA = {"OData-Version": "4.0", "Content-Type": "application/json; odata.metadata=minimal"}
_TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
_LEAD_KEY = re.compile(r"^leads\((?:(?P<guid>[0-9a-fA-F-]{36})|(?P<key>\w+)='(?P<value>(?:[^']|'')*)')\)$")
_EQ = re.compile(r"^(?P<name>\w+) eq '(?P<value>(?:[^']|'')*)'$")
ALTERNATE_KEY = "new_meridiandomain"
BATCH_LIMIT = 1000
# The lead columns and their MaxLength (None: not text). Standard ones from the lead table reference; the
# new_ columns are the Meridian solution's (docs silent: they are ours, documented in the vendor notes).
LEAD_COLUMNS = {
    "leadid": None,
    "subject": 300,
    "companyname": 100,
    "firstname": 50,
    "lastname": 50,
    "emailaddress1": 100,
    "websiteurl": 200,
    "new_meridiandomain": 253,
    "new_hunterscore": None,
    "new_hunterpriority": None,
    "new_huntersegment": 100,
    "new_hunterprovider": 100,
    "new_huntertenantsize": 50,
    "new_hunterinfrastructure": 2000,
    "new_hunterpartnerreferral": None,
    "new_hunterreferralid": 100,
}
REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 404: "Not Found"}
REASONS.update({412: "Precondition Failed", 429: "Too Many Requests", 503: "Service Unavailable"})


def error(status: int, code: str, message: str):
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
        self.columns = dict(LEAD_COLUMNS)  # tests shorten or drop a column the way an environment may
        self.leads: dict[str, dict] = {}
        self.organization_id = new_id()
        self._version = 1000

    def is_token_path(self, path: str) -> bool:
        return bool(_TOKEN_PATH.match(path))

    def unauthorized(self):
        challenge = 'Bearer error="invalid_token", error_description="The access token is expired or invalid"'
        return 401, None, {"WWW-Authenticate": challenge}

    def server_error(self):
        return error(503, "0x80072321", "The service is temporarily unavailable.")

    def route(self, handler, method, path, query, body):
        if _TOKEN_PATH.match(path):
            return self._token(handler, method, body)
        if not self.token_valid(handler.headers.get("Authorization")):
            return self.unauthorized()
        if not path.startswith(API + "/"):
            return error(404, "0x8006088a", f"Resource not found for the segment '{path}'.")
        headers = {k.lower(): v for k, v in handler.headers.items()}
        resource = path[len(API) + 1 :]
        if resource == "$batch" and method == "POST":
            return self._batch(headers, body)
        with self.lock:
            return self._entity(method, resource, query, body, headers)

    # -- one request ---------------------------------------------------------------------------------

    def _entity(self, method, resource, query, body, headers):
        if resource == "WhoAmI" and method == "GET":
            who = {
                "@odata.context": f"{self.url}{API}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                "BusinessUnitId": "3f2a5c1e-0000-4000-8000-000000000001",
                "UserId": "3f2a5c1e-0000-4000-8000-000000000002",
                "OrganizationId": self.organization_id,
            }
            return 200, who, dict(ODATA)
        select = _select(query)
        if resource == "leads" and method == "GET":
            return self._query(select, query.get("$filter"))
        match = _LEAD_KEY.match(resource)
        if match and method == "PATCH":
            if match.group("guid"):
                lead_id = match.group("guid").lower()
                entity_id = f"{self.url}{API}/leads({lead_id})"
                return self._upsert(
                    lead_id if lead_id in self.leads else None, lead_id, None, entity_id, body, headers, select
                )
            if match.group("key") != self.alternate_key:
                return error(400, "0x80060891", f"'{match.group('key')}' is not an alternate key of lead.")
            value = match.group("value").replace("''", "'")
            existing = next((i for i, lead in self.leads.items() if lead.get(self.alternate_key) == value), None)
            entity_id = f"{self.url}{API}/{resource}"  # the key form, as the upsert page shows
            return self._upsert(existing, None, value, entity_id, body, headers, select)
        return error(404, "0x8006088a", f"Resource not found for the segment '{resource}'.")

    def _upsert(self, existing, new_guid, key_value, entity_id, body, headers, select):
        doc = json_of(body)
        if not isinstance(doc, dict):
            return error(400, "0x80040203", "The request body is not a JSON object.")
        if existing and headers.get("if-none-match") == "*":
            return error(412, "", "A record with matching key values already exists.")
        if not existing and headers.get("if-match") == "*":
            return error(404, "", f"lead With Id = {key_value or new_guid} Does Not Exist")
        problem = self._validate(doc)
        if problem:
            return problem
        lead_id = existing or new_guid or new_id()
        lead = self.leads.setdefault(lead_id, {"leadid": lead_id})
        if existing and key_value is not None:  # key columns of the URL win over the body on update
            doc = {k: v for k, v in doc.items() if k != self.alternate_key}
        lead.update(doc)
        if key_value is not None and self.alternate_key not in lead:
            lead[self.alternate_key] = key_value
        self._version += 1
        lead["@odata.etag"] = f'W/"{self._version}"'
        answer = {"OData-Version": "4.0", "OData-EntityId": entity_id}
        if "return=representation" in headers.get("prefer", ""):
            record = _project(lead, select)
            record = {"@odata.context": f"{self.url}{API}/$metadata#leads/$entity", **record}
            extra = {"ETag": lead["@odata.etag"], "Preference-Applied": "return=representation"}
            return (200 if existing else 201), record, {**ODATA, **extra}
        return 204, None, answer

    def _validate(self, doc):
        for name, value in doc.items():
            if name not in self.columns:
                return error(
                    400,
                    "0x0",
                    "An error occurred while validating input parameters: Microsoft.Crm.CrmException: "
                    f"Invalid property '{name}' was found in entity 'Microsoft.Dynamics.CRM.lead'.",
                )
            limit = self.columns[name]
            if limit is not None and isinstance(value, str) and len(value) > limit:
                return error(
                    400,
                    "0x80044331",
                    f"A validation error occurred.  The length of the '{name}' attribute of the 'lead' entity "
                    f"exceeded the maximum allowed length of '{limit}'.",
                )
        return None

    def _query(self, select, odata_filter):
        rows = list(self.leads.values())
        if odata_filter:
            wanted = []
            for clause in odata_filter.split(" or "):
                match = _EQ.match(clause.strip())
                if not match or match.group("name") not in self.columns:
                    return error(400, "0x0", f"Could not parse the $filter clause '{clause.strip()[:80]}'.")
                wanted.append((match.group("name"), match.group("value").replace("''", "'")))
            rows = [r for r in rows if any(r.get(name) == value for name, value in wanted)]
        context = f"{self.url}{API}/$metadata#leads"
        return 200, {"@odata.context": context, "value": [_project(r, select) for r in rows]}, dict(ODATA)

    def _token(self, handler, method, body):
        form = form_of(body)
        if method != "POST" or form.get("grant_type") != "client_credentials":
            unsupported = "AADSTS70003: The app requested an unsupported grant type."
            return 400, {"error": "unsupported_grant_type", "error_description": unsupported}, {}
        client_id, client_secret = self.client_credentials(handler, form)
        if client_id != self.client_id or client_secret != self.client_secret:
            invalid = "AADSTS7000215: Invalid client secret provided."
            return 401, {"error": "invalid_client", "error_description": invalid}, {}
        token = self.issue_token()
        lifetime = self.token_lifetime
        return (
            200,
            {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token},
            {},
        )

    # -- $batch --------------------------------------------------------------------------------------

    def _batch(self, headers, body):
        try:
            parts = mime.parse_multipart(headers.get("content-type", ""), body)
        except mime.MalformedBatch as exc:
            return error(400, "0x80048d19", f"The $batch request is not a valid multipart/mixed body: {exc}")
        if len(parts) > BATCH_LIMIT:
            return error(400, "0x80048d19", f"The number of requests in a batch exceeds {BATCH_LIMIT}.")
        continue_on_error = "odata.continue-on-error" in headers.get("prefer", "")
        answers, failed = [], False
        with self.lock:
            index = 0
            while index < len(parts):
                if parts[index].changeset is None:
                    result = [self._run_part(parts[index])]
                    index += 1
                else:
                    group = [p for p in parts[index:] if p.changeset == parts[index].changeset]
                    result = self._run_changeset(group)
                    index += len(group)
                answers.append(result)
                if any(status >= 400 for status, *_ in result):
                    failed = True
                    if not continue_on_error:
                        break
        boundary = mime.new_boundary("batchresponse")
        payloads = []
        for result in answers:
            if len(result) == 1 and result[0][4] is None:
                payloads.append(mime.application_http(_http(*result[0][:4])))
            else:  # a change set answers as a nested multipart, each part with its Content-ID
                inner = mime.new_boundary("changesetresponse")
                nested = mime.multipart(inner, [mime.application_http(_http(*r[:4]), r[4]) for r in result])
                payloads.append(({"Content-Type": f"multipart/mixed; boundary={inner}"}, nested.rstrip(mime.CRLF)))
        raw = mime.multipart(boundary, payloads)
        status = 400 if failed and not continue_on_error else 200
        return status, _Raw(raw), {"Content-Type": f"multipart/mixed; boundary={boundary}", "OData-Version": "4.0"}

    def _run_part(self, part):
        status, doc, answer = self._dispatch(part)
        return status, doc, answer, part.headers, None

    def _run_changeset(self, group):
        """All or nothing: on the first failure the leads return to their state before the change set and
        the change set answers with that one error (OData 4.0 part 1, 11.7.4)."""
        snapshot = {lead_id: dict(lead) for lead_id, lead in self.leads.items()}
        results = []
        for part in group:
            status, doc, answer = self._dispatch(part)
            if status >= 400:
                self.leads = snapshot
                return [(status, doc, answer, part.headers, None)]
            results.append((status, doc, answer, part.headers, part.content_id or str(len(results) + 1)))
        return results

    def _dispatch(self, part):
        target = part.target or ""
        path, _, query_string = target.partition("?")
        resource = path.split(API + "/", 1)[-1]
        query = dict(parse_qsl(query_string))
        return self._entity(part.method, resource, query, part.body, part.headers)


def _select(query) -> list[str] | None:
    value = (query or {}).get("$select")
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


def _project(lead: dict, select: list[str] | None) -> dict:
    """The record as the Web API returns it: the primary key and the etag always, `$select` columns only."""
    if select is None:
        return dict(lead)
    return {"@odata.etag": lead.get("@odata.etag"), "leadid": lead["leadid"], **{c: lead.get(c) for c in select}}


def _http(status, doc, answer, _request_headers) -> bytes:
    headers = {k: v for k, v in answer.items() if k != "Content-Type"}
    body = None
    if doc is not None:
        headers["Content-Type"] = "application/json; odata.metadata=minimal"
        body = json.dumps(doc).encode()
    return mime.http_response(status, REASONS.get(status, ""), headers, body)


class _Raw(bytes):
    """A body the server sends as it is (not JSON-encoded)."""
