"""Ids in the address bar become API paths: one that is not a UUID must never reach the API as another path.
Before, `#/explore?req=../../../users/<id>` made the requirement view fetch /api/v1/users/<id>."""

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.e2e


def _record_api_requests(page) -> list[str]:
    seen = []
    page.on("request", lambda request: seen.append(request.url) if "/api/" in request.url else None)
    return seen


def _own_user_id(page) -> str:
    return page.request.get("/api/v1/auth/me").json()["id"]


@pytest.mark.parametrize(
    "address",
    [
        "#/explore?req=../../../users/{user}",
        "#/explore?tab=backlog&item=..%2F..%2F..%2Fusers%2F{user}",
        "#/hypercare?incident=../../../../users/{user}",
        "#/testing?tab=defects&defect=../../users/{user}",
        "#/explore?project=../users/{user}",
    ],
)
def test_an_id_that_is_not_a_uuid_fetches_nothing_and_shows_not_found(page, demo, address):
    sign_in(page)
    user = _own_user_id(page)
    requests = _record_api_requests(page)

    page.goto("/" + address.format(user=user))

    expect(page.get_by_role("heading", level=1, name="Not found")).to_be_visible()
    expect(page.get_by_text("Nothing was found at this address")).to_be_visible()
    assert [url for url in requests if "/api/v1/users" in url] == []


def test_api_js_refuses_a_path_that_climbs_or_hides_a_slash(page, demo):
    sign_in(page)
    requests = _record_api_requests(page)
    outcome = page.evaluate(
        """async () => {
          const { api, apiPath } = await import("/static/js/api.js");
          const results = [];
          for (const path of ["/api/v1/projects/x/requirements/../../../users/y", "/api/v1/projects/a%2Fb",
                              "/api/v1/projects/a%2e%2e/users"]) {
            try { await api.get(path); results.push("sent"); } catch (error) { results.push(error.status); }
          }
          for (const id of ["../users", "a/b", "x%2Fy", "a\\\\b"]) {
            try { apiPath`/api/v1/projects/${id}`; results.push("built"); } catch (error) { results.push(error.status); }
          }
          results.push(apiPath`/api/v1/projects/${"a b?c"}`);
          return results;
        }"""
    )
    assert outcome == [404] * 7 + ["/api/v1/projects/a%20b%3Fc"]
    assert requests == []
