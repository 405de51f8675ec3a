"""The SAP Cloud ALM Projects and Tasks API calls Meridian makes, over the tenant's ALMGateway (token cache,
retries, breaker, call log), as SAP's samples make them (github.com/SAP-samples/cloud-alm-api-examples):

- projects: GET /api/calm-projects/v1/projects; scopes: GET /api/calm-processmanagement/v1/scopes?projectId=
- tasks are always listed by project (`projectId`), paged with offset/limit (2022-02 notebook) and filtered
  on the server (`type=CALMREQU`); a page shorter than asked for may still not be the last (a server may
  cap `limit`), so reading stops at the first empty page;
- a creating POST is not idempotent: it is sent once (no gateway retry). When its outcome is unknown
  (timeout, 5xx) it raises OutcomeUnknown and the caller looks the record up by externalId before any
  second POST (`create_task_once`).
Non-2xx answers become CloudALMError with Cloud ALM's own message."""

import copy

from app.integrations.alm_gateway import ALMGateway
from app.integrations.errors import GatewayError, UpstreamUnavailable

PROJECTS = "/api/calm-projects/v1/projects"
SCOPES = "/api/calm-processmanagement/v1/scopes"
TASKS = "/api/calm-tasks/v1/tasks"
PAGE_SIZE = 100  # docs silent on the maximum; a capped server only makes pages shorter (see iter_tasks)
MAX_PAGES = 1000  # 100,000 tasks: beyond that something is wrong (an offset the server ignores)


class CloudALMError(GatewayError):
    """Cloud ALM answered, but refused the call (4xx) - a per-record failure, not an outage."""


class OutcomeUnknown(UpstreamUnavailable):
    """A creating call timed out or hit a 5xx: the record may exist now. Reconcile before resending."""


def single_attempt(gateway: ALMGateway) -> ALMGateway:
    """The same gateway (session, token cache, breaker, budget) without its retries, for calls that must
    not be sent twice blindly."""
    once = copy.copy(gateway)
    once.MAX_RETRIES = 0
    return once


class CloudALMClient:
    def __init__(self, gateway: ALMGateway, page_size: int = PAGE_SIZE):
        self.gateway, self.page_size = gateway, page_size
        self.once = single_attempt(gateway)

    def collect_log_rows(self) -> list:
        """Both gateways (with and without retries) keep their call-log rows in one list for the caller."""
        rows = self.gateway.collect_log_rows()
        self.once.log_rows = rows
        return rows

    # -- projects and scopes ---------------------------------------------------------------------------

    def list_projects(self) -> list[dict]:
        projects = self._ok(self.gateway.request("GET", PROJECTS))
        return projects if isinstance(projects, list) else (projects or {}).get("value", [])

    def list_scopes(self, project_id: str) -> list[dict]:
        scopes = self._ok(self.gateway.request("GET", SCOPES, params={"projectId": project_id}))
        return scopes if isinstance(scopes, list) else (scopes or {}).get("value", [])

    # -- tasks -------------------------------------------------------------------------------------------

    def iter_tasks(self, project_id: str, task_type: str | None = None, **filters):
        """Every task of the project (of `task_type`), page by page."""
        seen: set[str] = set()
        offset = 0
        for _page in range(MAX_PAGES):
            params = {"projectId": project_id, "offset": offset, "limit": self.page_size, **filters}
            if task_type:
                params["type"] = task_type
            page = self._ok(self.gateway.request("GET", TASKS, params=params))
            page = page if isinstance(page, list) else (page or {}).get("value", [])
            if not page:
                return
            fresh = [t for t in page if str(t.get("id")) not in seen]
            if not fresh:
                raise CloudALMError("SAP Cloud ALM returned the same page of tasks twice (offset ignored?).")
            for task in fresh:
                seen.add(str(task.get("id")))
                if task_type is None or task.get("type") == task_type:
                    yield task
            offset += len(page)
        raise CloudALMError(f"More than {MAX_PAGES} pages of tasks; stopped reading.")

    def list_tasks(self, project_id: str, task_type: str | None = None) -> list[dict]:
        return list(self.iter_tasks(project_id, task_type))

    def find_task(self, project_id: str, task_type: str, external_id: str) -> dict | None:
        """The task whose externalId is ours (docs silent on an externalId filter: read the type's pages)."""
        return next((t for t in self.iter_tasks(project_id, task_type) if t.get("externalId") == external_id), None)

    def get_task(self, task_id: str) -> dict:
        return self._ok(self.gateway.request("GET", f"{TASKS}/{task_id}"))

    def create_task(self, body: dict) -> dict:
        try:
            return self._ok(self.once.request("POST", TASKS, json_body=body))
        except UpstreamUnavailable as exc:
            raise OutcomeUnknown(f"Creating a task got no clear answer: {exc}", exc.status_code) from None

    def create_task_once(self, body: dict) -> tuple[dict, bool]:
        """(task, adopted): POST once; after an unknown outcome, adopt the task carrying our externalId, or
        send the POST a second (and last) time when Cloud ALM has none."""
        try:
            return self.create_task(body), False
        except OutcomeUnknown:
            found = self.find_task(body["projectId"], body["type"], body["externalId"])
            if found is not None:
                return found, True
            return self.create_task(body), False

    def update_task(self, task_id: str, body: dict) -> dict:
        return self._ok(self.gateway.request("PATCH", f"{TASKS}/{task_id}", json_body=body))

    @staticmethod
    def _ok(response):
        if response.ok:
            return response.json() if response.status_code != 204 else None
        raise CloudALMError(
            f"SAP Cloud ALM answered HTTP {response.status_code}: {error_text(response)}",
            status_code=response.status_code,
        )


def error_text(response) -> str:
    try:
        error = (response.json() or {}).get("error") or {}
    except (ValueError, AttributeError):
        return "no details"
    if not isinstance(error, dict):
        return str(error)[:300]
    details = "; ".join(
        f"{d.get('target')}: {d.get('message')}" for d in error.get("details") or [] if isinstance(d, dict)
    )
    return (str(error.get("message") or "no details") + (f" ({details})" if details else ""))[:500]
