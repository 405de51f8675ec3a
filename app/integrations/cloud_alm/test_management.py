"""SAP Cloud ALM Test Management (OData, /api/calm-testmanagement/v1/) as SAP's notebook
calm-tm-manual-test-cases-api-v1 uses it:

- a ManualTestCase is created by deep insert (title, projectId, scopeId, toActivities with toActions);
- a PATCH of a case changes its direct properties only ("Deep Updates are Not Allowed"), with
  If-Match: <modifiedAt> read just before; steps change through their own resources (Activities/{id},
  Activities/{id}/toActions, Actions/{id}), each write with its own If-Match;
- a stale If-Match answers 412: the entity is read again and the write tried once more.
Only properties the notebook shows are sent. The creating POST is sent once; after an unknown outcome the
case is looked up (by its title, which starts with our code: the notebook shows no externalId on cases)."""

from app.integrations.alm_gateway import ALMGateway
from app.integrations.cloud_alm.client import CloudALMClient, OutcomeUnknown, single_attempt
from app.integrations.errors import UpstreamUnavailable

BASE = "/api/calm-testmanagement/v1"
PAGE_SIZE = 100


class TestManagementClient:
    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, gateway: ALMGateway, page_size: int = PAGE_SIZE):
        self.gateway, self.page_size = gateway, page_size
        self.once = single_attempt(gateway)

    # -- cases ---------------------------------------------------------------------------------------

    def iter_cases(self, project_id: str):
        skip = 0
        while True:
            params = {"$filter": f"projectId eq '{project_id}'", "$top": self.page_size, "$skip": skip}
            page = (self._ok(self.gateway.request("GET", f"{BASE}/ManualTestCases", params=params)) or {}).get(
                "value", []
            )
            yield from page
            if len(page) < self.page_size:  # OData $top is honoured exactly ($skip/$top paging)
                return
            skip += len(page)

    def find_case(self, project_id: str, title_prefix: str) -> dict | None:
        return next((c for c in self.iter_cases(project_id) if str(c.get("title", "")).startswith(title_prefix)), None)

    def get_case(self, case_uuid: str) -> dict:
        return self._ok(self.gateway.request("GET", f"{BASE}/ManualTestCases/{case_uuid}"))

    def create_case(self, body: dict) -> dict:
        try:
            return self._ok(self.once.request("POST", f"{BASE}/ManualTestCases", json_body=body))
        except UpstreamUnavailable as exc:
            raise OutcomeUnknown(f"Creating a test case got no clear answer: {exc}", exc.status_code) from None

    def create_case_once(self, body: dict, title_prefix: str) -> tuple[dict, bool]:
        """(case, adopted), like CloudALMClient.create_task_once."""
        try:
            return self.create_case(body), False
        except OutcomeUnknown:
            found = self.find_case(body["projectId"], title_prefix)
            if found is not None:
                return found, True
            return self.create_case(body), False

    def update_case(self, case_uuid: str, body: dict) -> dict:
        return self._patch(f"ManualTestCases/{case_uuid}", body)

    # -- activities and actions ------------------------------------------------------------------------

    def list_activities(self, case_uuid: str) -> list[dict]:
        answer = self._ok(self.gateway.request("GET", f"{BASE}/ManualTestCases/{case_uuid}/toActivities"))
        return sorted((answer or {}).get("value", []), key=lambda a: a.get("sequence") or 0)

    def create_activity(self, case_uuid: str, body: dict) -> dict:
        path = f"{BASE}/ManualTestCases/{case_uuid}/toActivities"
        return self._ok(self.once.request("POST", path, json_body={**body, "parent_ID": case_uuid}))

    def list_actions(self, activity_uuid: str) -> list[dict]:
        answer = self._ok(self.gateway.request("GET", f"{BASE}/Activities/{activity_uuid}/toActions"))
        return sorted((answer or {}).get("value", []), key=lambda a: a.get("sequence") or 0)

    def create_action(self, activity_uuid: str, body: dict) -> dict:
        path = f"{BASE}/Activities/{activity_uuid}/toActions"
        return self._ok(self.once.request("POST", path, json_body={**body, "parent_ID": activity_uuid}))

    def update_action(self, action: dict, body: dict) -> dict:
        return self._patch(f"Actions/{action['uuid']}", body, etag=action.get("modifiedAt"))

    def delete_action(self, action: dict) -> None:
        path = f"{BASE}/Actions/{action['uuid']}"
        for attempt in (1, 2):
            etag = (
                action.get("modifiedAt") if attempt == 1 else self._ok(self.gateway.request("GET", path))["modifiedAt"]
            )
            response = self.gateway.request("DELETE", path, headers={"If-Match": str(etag)})
            if response.status_code != 412 or attempt == 2:
                self._ok(response)
                return

    # -- the parts ----------------------------------------------------------------------------------

    def _patch(self, tail: str, body: dict, etag: str | None = None) -> dict:
        """PATCH with If-Match: the entity's modifiedAt (read now unless given); one re-read on 412."""
        path = f"{BASE}/{tail}"
        if etag is None:
            etag = self._ok(self.gateway.request("GET", path))["modifiedAt"]
        response = self.gateway.request("PATCH", path, json_body=body, headers={"If-Match": str(etag)})
        if response.status_code == 412:  # changed since we read it: read the new modifiedAt, try once more
            etag = self._ok(self.gateway.request("GET", path))["modifiedAt"]
            response = self.gateway.request("PATCH", path, json_body=body, headers={"If-Match": str(etag)})
        return self._ok(response)

    _ok = staticmethod(CloudALMClient._ok)
