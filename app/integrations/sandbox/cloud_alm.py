"""SAP Cloud ALM stand-in, following SAP's public samples (github.com/SAP-samples/cloud-alm-api-examples:
the Postman collection and the notebooks calm-project-task-api, calm-project-task-2022-02-updates,
calm-requirements-api, calm-tm-manual-test-cases-api-v1; docs/vendor-contracts.md lists what comes from
which file and what we decided where they are silent):

  POST /oauth/token                          XSUAA client credentials
  GET  /api/calm-projects/v1/projects        [{id, name, status}] (no paging shown in the samples)
  GET  /api/calm-processmanagement/v1/scopes?projectId=   {"value": [{id, name, projectId}]}
  GET  /api/calm-tasks/v1/tasks?projectId=   projectId required; offset/limit paging, filters type,
                                             status, subStatus, lastChangedDate=gt:YYYY-MM-DD; the
                                             list schema is narrower than the detail (no description)
  POST/GET/PATCH/DELETE .../tasks[/{id}]     201 / 200 / 200 / 204
  /api/calm-testmanagement/v1/...            ManualTestCases with Activities and Actions (cloud_alm_tm.py)
"""

import uuid
from datetime import UTC, datetime

from app.integrations.sandbox.cloud_alm_tm import TestManagementStore
from app.integrations.sandbox.server import SandboxServer, form_of, json_of, new_id

TASK_TYPES = ("CALMTASK", "CALMREQU", "CALMUS", "CALMDEF", "CALMST", "CALMQGATE", "CALMTMPL")
PROJECTS = "/api/calm-projects/v1/projects"
SCOPES = "/api/calm-processmanagement/v1/scopes"
TASKS = "/api/calm-tasks/v1/tasks"
TEST_MANAGEMENT = "/api/calm-testmanagement/v1/"
# Docs silent on the page sizes: a small default makes a client that forgets to page visibly wrong.
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# The list schema of calm-project-task-api.ipynb ("Read Task list"), subStatus as the requirements notebook
# groups the list by it, and lastChangedDate, the list filter of the 2022-02 notebook.
LIST_FIELDS = (
    "id",
    "projectId",
    "title",
    "type",
    "status",
    "subStatus",
    "externalId",
    "dueDate",
    "priorityId",
    "assigneeId",
    "assigneeName",
    "lastChangedDate",
)
WRITABLE = ("title", "status", "subStatus", "description", "priorityId", "externalId", "dueDate", "assigneeId")
PATCHABLE = (*WRITABLE, "obsolete", "approvalState")


def error(status: int, message: str, details=None):
    """Docs silent on the Tasks API's error body; this is the shape the OData services of Cloud ALM use."""
    return status, {"error": {"code": str(status), "message": message, "details": details or []}}, {}


class CloudALMSandbox(SandboxServer):
    name = "cloud-alm-sandbox"

    def __init__(self, client_id="meridian-demo", client_secret="sandbox-secret-alm", **kwargs):
        super().__init__(client_id, client_secret, **kwargs)
        self.project_id = "d1c6c8e4-0f4a-4a44-9d1b-5a0e7c0a1001"
        self.scope_id = "5c0f3e1a-2b7d-4e0a-9c51-7d1a0f3e1002"
        self.projects: dict[str, dict] = {
            self.project_id: {"id": self.project_id, "name": "S/4HANA Finance Rollout", "status": "O"}
        }
        self.scopes: dict[str, dict] = {
            self.scope_id: {"id": self.scope_id, "name": "Finance core scope", "projectId": self.project_id}
        }
        self.tasks: dict[str, dict] = {}
        self.tm = TestManagementStore(self)

    @property
    def test_cases(self) -> dict:
        return self.tm.cases

    def add_project(self, name: str, status: str = "O") -> str:
        project_id = new_id()
        self.projects[project_id] = {"id": project_id, "name": name, "status": status}
        return project_id

    def is_token_path(self, path: str) -> bool:
        return path == "/oauth/token"

    def unauthorized(self):
        return error(401, "Unauthorized: the access token is missing, invalid or expired.")

    def route(self, handler, method, path, query, body):
        if path == "/oauth/token":
            return self._token(handler, method, body)
        if not self.token_valid(handler.headers.get("Authorization")):
            return self.unauthorized()
        if path == PROJECTS and method == "GET":
            return 200, list(self.projects.values()), {}
        if path == SCOPES and method == "GET":
            return self._scopes(query)
        if path == TASKS:
            if method == "GET":
                return self._list_tasks(query)
            if method == "POST":
                return self._create_task(body)
            return error(405, "Method not allowed")
        if path.startswith(TASKS + "/"):
            return self._one_task(method, path[len(TASKS) + 1 :], body)
        if path.startswith(TEST_MANAGEMENT):
            with self.lock:
                return self.tm.route(handler, method, path[len(TEST_MANAGEMENT) :], query, body)
        return error(404, f"Resource not found: {path}")

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
                "scope": "calm-api.tasks.read calm-api.tasks.write calm-api.testcases.write uaa.resource",
                "jti": uuid.uuid4().hex,
            },
            {},
        )

    def _scopes(self, query):
        if not query.get("projectId"):
            return error(400, "projectId is required", [{"target": "projectId", "message": "required"}])
        return 200, {"value": [s for s in self.scopes.values() if s["projectId"] == query["projectId"]]}, {}

    # -- tasks ----------------------------------------------------------------------------------------

    def _list_tasks(self, query):
        if not query.get("projectId"):  # every sample lists tasks of one project
            return error(400, "Query parameter projectId is required", [{"target": "projectId", "message": "required"}])
        try:
            offset = int(query.get("offset", 0))
            limit = min(int(query.get("limit", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
        except ValueError:
            return error(400, "offset and limit must be integers")
        if offset < 0 or limit < 1:
            return error(400, "offset must be >= 0 and limit >= 1")
        changed = _date_filter(query.get("lastChangedDate"))
        if changed is False:
            return error(400, "lastChangedDate must look like gt:YYYY-MM-DD")
        with self.lock:
            rows = [
                t
                for t in self.tasks.values()
                if t["projectId"] == query["projectId"]
                and all(not query.get(k) or t.get(k) == query[k] for k in ("type", "status", "subStatus"))
                and (changed is None or changed(t["lastChangedDate"]))
            ]
            page = [{k: t.get(k) for k in LIST_FIELDS} for t in rows[offset : offset + limit]]
        return 200, page, {}

    def _create_task(self, body):
        doc = json_of(body)
        if not isinstance(doc, dict):
            return error(400, "Invalid request body")
        details = [
            {"target": name, "message": f"{name} is required"}
            for name in ("projectId", "title", "type")
            if not doc.get(name)
        ]
        if doc.get("type") and doc["type"] not in TASK_TYPES:
            details.append({"target": "type", "message": f"type must be one of {', '.join(TASK_TYPES)}"})
        if doc.get("projectId") and doc["projectId"] not in self.projects:
            details.append({"target": "projectId", "message": "No project with this id"})
        if details:
            return error(400, "Invalid request body", details)
        requirement = doc["type"] == "CALMREQU"
        task = {
            "id": new_id(),
            "projectId": doc["projectId"],
            "title": doc["title"],
            "type": doc["type"],
            "status": doc.get("status") or ("CIPREQUOPEN" if requirement else "CIPTKOPEN"),
            "subStatus": doc.get("subStatus") or ("CREATED" if requirement else None),
            "externalId": doc.get("externalId"),
            "dueDate": doc.get("dueDate"),
            "priorityId": doc.get("priorityId", 30),
            "assigneeId": doc.get("assigneeId"),
            "assigneeName": doc.get("assigneeId"),
            "description": doc.get("description", ""),
            "lastChangedDate": _today(),
        }
        with self.lock:
            self.tasks[task["id"]] = task
        return 201, dict(task), {"Location": f"{TASKS}/{task['id']}"}

    def _one_task(self, method, task_id, body):
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return error(404, f"Task {task_id} not found")
            if method == "GET":
                return 200, dict(task), {}
            if method == "PATCH":
                doc = json_of(body)
                if not isinstance(doc, dict):
                    return error(400, "Invalid request body")
                task.update({k: v for k, v in doc.items() if k in PATCHABLE})
                task["lastChangedDate"] = _today()
                return 200, dict(task), {}
            if method == "DELETE":
                del self.tasks[task_id]
                return 204, None, {}
        return error(405, "Method not allowed")

    def edit_task(self, task_id: str, **changes) -> dict:
        """What a user editing the task in Cloud ALM does (tests and demos)."""
        with self.lock:
            self.tasks[task_id].update(changes, lastChangedDate=_today())
            return dict(self.tasks[task_id])


def _today() -> str:
    """lastChangedDate is a date in the samples (filter `gt:2022-02-01`), not an instant."""
    return datetime.now(UTC).date().isoformat()


def _date_filter(value):
    """`gt:YYYY-MM-DD`, `ge:`, `lt:`, `le:`, `eq:`; None without a filter, False when malformed."""
    if not value:
        return None
    op, _, day = value.partition(":")
    tests = {
        "gt": lambda d: d > day,
        "ge": lambda d: d >= day,
        "lt": lambda d: d < day,
        "le": lambda d: d <= day,
        "eq": lambda d: d == day,
    }
    if op not in tests or len(day) != 10:
        return False
    return lambda stamp: bool(stamp) and tests[op](stamp[:10])
