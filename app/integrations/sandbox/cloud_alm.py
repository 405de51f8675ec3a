"""SAP Cloud ALM stand-in: the XSUAA token endpoint, the Tasks API and the Test Management OData API,
with Cloud ALM's error body {"error": {"code", "message", "details"}}."""

import uuid
from datetime import UTC, datetime

from app.integrations.sandbox.server import SandboxServer, form_of, json_of, new_id

TASK_TYPES = ("CALMTASK", "CALMREQU", "CALMUS", "CALMDEF", "CALMQGATE")
TASKS = "/api/calm-tasks/v1/tasks"
TEST_CASES = "/api/calm-testmanagement/v1/ManualTestCases"


def _error(status: int, message: str, details=None):
    return status, {"error": {"code": str(status), "message": message, "details": details or []}}, {}


class CloudALMSandbox(SandboxServer):
    name = "cloud-alm-sandbox"

    def __init__(self, client_id="meridian-demo", client_secret="sandbox-secret-alm", **kwargs):
        super().__init__(client_id, client_secret, **kwargs)
        self.tasks: dict[str, dict] = {}
        self.test_cases: dict[str, dict] = {}
        self.project_id = "d1c6c8e4-0f4a-4a44-9d1b-5a0e7c0a1001"

    def unauthorized(self):
        return _error(401, "Unauthorized: the access token is missing, invalid or expired.")

    def route(self, handler, method, path, query, body):
        if path == "/oauth/token":
            return self._token(handler, method, body)
        if not self.token_valid(handler.headers.get("Authorization")):
            return self.unauthorized()
        if path == TASKS:
            return (
                self._list_tasks(query)
                if method == "GET"
                else self._create_task(body)
                if method == "POST"
                else _error(405, "Method not allowed")
            )
        if path.startswith(TASKS + "/"):
            return self._one_task(method, path[len(TASKS) + 1 :], body)
        if path == TEST_CASES:
            if method == "GET":
                return 200, {"@odata.context": "$metadata#ManualTestCases", "value": list(self.test_cases.values())}, {}
            if method == "POST":
                return self._create_test_case(body)
        if path.startswith(TEST_CASES + "/"):
            return self._one_test_case(handler, method, path[len(TEST_CASES) + 1 :].strip("()'"), body)
        return _error(404, f"Resource not found: {path}")

    def _token(self, handler, method, body):
        if method != "POST":
            return 405, {"error": "method_not_allowed"}, {}
        form = form_of(body)
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}, {}
        client_id, client_secret = self.client_credentials(handler, form)
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "unauthorized", "error_description": "Bad credentials"}, {}
        return (
            200,
            {
                "access_token": self.issue_token(),
                "token_type": "bearer",
                "expires_in": self.token_lifetime,
                "scope": "calm-api.tasks.read calm-api.tasks.write uaa.resource",
                "jti": uuid.uuid4().hex,
            },
            {},
        )

    def _list_tasks(self, query):
        tasks = [t for t in self.tasks.values() if not query.get("projectId") or t["projectId"] == query["projectId"]]
        return 200, tasks, {}

    def _create_task(self, body):
        doc = json_of(body)
        details = []
        if not isinstance(doc, dict):
            return _error(400, "Invalid request body")
        for required in ("projectId", "title", "type"):
            if not doc.get(required):
                details.append({"target": required, "message": f"{required} is required"})
        if doc.get("type") and doc["type"] not in TASK_TYPES:
            details.append({"target": "type", "message": f"type must be one of {', '.join(TASK_TYPES)}"})
        if details:
            return _error(400, "Invalid request body", details)
        now = datetime.now(UTC).isoformat()
        default_status = "CIPREQUOPEN" if doc["type"] == "CALMREQU" else "CIPTKOPEN"
        task = {
            "id": new_id(),
            "displayId": f"{len(self.tasks) + 1:06d}",
            "projectId": doc["projectId"],
            "title": doc["title"],
            "type": doc["type"],
            "status": doc.get("status", default_status),
            "subStatus": doc.get("subStatus", "CREATED" if doc["type"] == "CALMREQU" else None),
            "description": doc.get("description", ""),
            "priorityId": doc.get("priorityId", 30),
            "externalId": doc.get("externalId"),
            "createdAt": now,
            "lastChangedAt": now,
            "lastChangedDate": now,
        }
        self.tasks[task["id"]] = task
        return 201, task, {"Location": f"{TASKS}/{task['id']}"}

    def _one_task(self, method, task_id, body):
        task = self.tasks.get(task_id)
        if task is None:
            return _error(404, f"Task {task_id} not found")
        if method == "GET":
            return 200, task, {}
        if method == "PATCH":
            doc = json_of(body)
            if not isinstance(doc, dict):
                return _error(400, "Invalid request body")
            task.update(
                {
                    k: v
                    for k, v in doc.items()
                    if k in ("title", "status", "subStatus", "description", "priorityId", "externalId")
                }
            )
            task["lastChangedAt"] = task["lastChangedDate"] = datetime.now(UTC).isoformat()
            return 200, task, {}
        if method == "DELETE":
            del self.tasks[task_id]
            return 204, None, {}
        return _error(405, "Method not allowed")

    def _create_test_case(self, body):
        doc = json_of(body)
        if not isinstance(doc, dict) or not doc.get("title"):
            return _error(400, "Invalid request body", [{"target": "title", "message": "required"}])
        case = {
            "uuid": new_id(),
            "title": doc["title"],
            "projectId": doc.get("projectId", self.project_id),
            "description": doc.get("description", ""),
            "externalId": doc.get("externalId"),
            "toActivities": doc.get("toActivities", doc.get("activities", [])),
            "modifiedAt": datetime.now(UTC).isoformat(),
        }
        self.test_cases[case["uuid"]] = case
        return 201, case, {}

    def _one_test_case(self, handler, method, case_id, body):
        case = self.test_cases.get(case_id)
        if case is None:
            return _error(404, f"ManualTestCase {case_id} not found")
        if method == "GET":
            return 200, case, {"ETag": case["modifiedAt"]}
        if method == "PATCH":  # OData optimistic concurrency: If-Match must carry the current modifiedAt
            if handler.headers.get("If-Match") != case["modifiedAt"]:
                return _error(412, "Precondition failed: If-Match does not match modifiedAt.")
            doc = json_of(body)
            if not isinstance(doc, dict):
                return _error(400, "Invalid request body")
            case.update({k: v for k, v in doc.items() if k in ("title", "description", "externalId", "toActivities")})
            case["modifiedAt"] = datetime.now(UTC).isoformat()
            return 200, case, {}
        return _error(405, "Method not allowed")
