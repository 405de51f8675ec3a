"""Test cycles, cases, executions and defects; coverage and cycle progress on a known data set."""

from datetime import UTC, datetime, timedelta

from app.utils import clock
from tests.fixtures.app import login


def _p(project_id, path):
    return f"/api/v1/projects/{project_id}/{path}"


def _post(api, url, body, status=201):
    response = api.post(url, json=body)
    assert response.status_code == status, response.json
    return response.json


def _record(api, project_id, cycle_id, execution, status, **extra):
    url = _p(project_id, f"test-cycles/{cycle_id}/executions/{execution['id']}")
    response = api.patch(url, json={"status": status, **extra}, headers={"If-Match": f'"{execution["version"]}"'})
    assert response.status_code == 200, response.json
    return response.json


def _known_data_set(api, project_id):
    """R1 <- TC1, TC2; R2 <- TC2, TC3; R3 untested. SIT: TC1 passed, TC2 failed (+ p2 defect), TC3 not run."""
    reqs = [_post(api, _p(project_id, "requirements"), {"title": f"R{n}", "module": "FI"}) for n in (1, 2, 3)]
    tc1 = _post(
        api, _p(project_id, "test-cases"), {"title": "Post invoice", "module": "FI", "requirement_ids": [reqs[0]["id"]]}
    )
    tc2 = _post(
        api,
        _p(project_id, "test-cases"),
        {"title": "Clear GR/IR", "module": "FI", "requirement_ids": [reqs[0]["id"], reqs[1]["id"]]},
    )
    tc3 = _post(
        api, _p(project_id, "test-cases"), {"title": "Pay vendor", "module": "FI", "requirement_ids": [reqs[1]["id"]]}
    )
    sit = _post(api, _p(project_id, "test-cycles"), {"name": "SIT 1", "cycle_type": "sit"})
    planned = _post(
        api, _p(project_id, f"test-cycles/{sit['id']}/executions"), {"test_case_ids": [tc1["id"], tc2["id"], tc3["id"]]}
    )["items"]
    by_case = {e["test_case_id"]: e for e in planned}
    _record(api, project_id, sit["id"], by_case[tc1["id"]], "passed")
    clock.advance(timedelta(minutes=5))
    failed = _record(
        api,
        project_id,
        sit["id"],
        by_case[tc2["id"]],
        "failed",
        notes="GR/IR not cleared",
        new_defect={"title": "GR/IR clearing leaves residue", "severity": "p2"},
    )
    return reqs, (tc1, tc2, tc3), sit, failed


def _signed_in_now(api):
    """A session opened at the (moved) clock: sessions end by the app clock after 12 h (issue 13 item 2), so one
    opened at the real present is over in a clock moved months ahead."""
    return login(api.client, "admin@alpha.test")


def test_coverage_and_cycle_progress_on_a_known_data_set(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    with clock.freeze(datetime(2027, 3, 1, 9, 0, tzinfo=UTC)):
        admin_a = _signed_in_now(admin_a)
        reqs, (_tc1, tc2, _tc3), sit, failed = _known_data_set(admin_a, project_id)

        listed = {r["code"]: r["coverage"] for r in admin_a.get(_p(project_id, "requirements")).json["items"]}
        assert listed == {
            "REQ-0001": {"cases": 2, "passed": 1, "failed": 1, "blocked": 0, "not_run": 0},
            "REQ-0002": {"cases": 2, "passed": 0, "failed": 1, "blocked": 0, "not_run": 1},
            "REQ-0003": {"cases": 0, "passed": 0, "failed": 0, "blocked": 0, "not_run": 0},
        }
        cycle = admin_a.get(_p(project_id, f"test-cycles/{sit['id']}")).json
        assert cycle["status"] == "in_progress"  # the first result started it
        progress = cycle["progress"]
        assert (progress["total"], progress["executed"], progress["passed"], progress["failed"]) == (3, 2, 1, 1)
        assert progress["executed_pct"] == 66.7 and progress["pass_rate"] == 50.0
        assert progress["open_defects"] == {"p1": 0, "p2": 1, "p3": 0, "p4": 0}

        # A retest in UAT later passes TC2: the latest execution decides coverage.
        clock.advance(timedelta(days=7))
        admin_a = _signed_in_now(admin_a)  # a week later is a new working session
        uat = _post(admin_a, _p(project_id, "test-cycles"), {"name": "UAT", "cycle_type": "uat"})
        retest = _post(admin_a, _p(project_id, f"test-cycles/{uat['id']}/executions"), {"test_case_ids": [tc2["id"]]})
        _record(admin_a, project_id, uat["id"], retest["items"][0], "passed")
        trace = admin_a.get(_p(project_id, f"requirements/{reqs[0]['id']}/trace")).json
        assert trace["coverage"] == {"cases": 2, "passed": 2, "failed": 0, "blocked": 0, "not_run": 0}
        tc2_trace = next(c for c in trace["test_cases"] if c["code"] == tc2["code"])
        assert tc2_trace["latest_execution"]["cycle"]["name"] == "UAT"
        assert tc2_trace["latest_execution"]["status"] == "passed"

        # The SIT failure and its defect stay traceable from that execution.
        defect = failed["defects"][0]
        assert defect["code"] == "DEF-0001" and defect["severity"] == "p2"
        closed = admin_a.patch(_p(project_id, f"defects/{defect['id']}"), json={"status": "closed"})
        assert closed.status_code == 200
        assert admin_a.get(_p(project_id, f"test-cycles/{sit['id']}")).json["progress"]["open_defects"]["p2"] == 0


def test_recording_stamps_who_and_when_and_not_run_clears_them(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    case = _post(admin_a, _p(project_id, "test-cases"), {"title": "t", "module": "SD"})
    cycle = _post(admin_a, _p(project_id, "test-cycles"), {"name": "Unit", "cycle_type": "unit"})
    execution = _post(
        admin_a, _p(project_id, f"test-cycles/{cycle['id']}/executions"), {"test_case_ids": [case["id"]]}
    )["items"][0]
    with clock.freeze(datetime(2027, 1, 5, 10, 0, tzinfo=UTC)):
        passed = _record(_signed_in_now(admin_a), project_id, cycle["id"], execution, "passed")
    assert passed["executed_by"] == admin_a.user_id and passed["executed_at"].startswith("2027-01-05T10:00")
    assert passed["executor"]["id"] == admin_a.user_id
    reset = _record(admin_a, project_id, cycle["id"], passed, "not_run")
    assert reset["executed_by"] is None and reset["executed_at"] is None
    stale = admin_a.patch(
        _p(project_id, f"test-cycles/{cycle['id']}/executions/{execution['id']}"),
        json={"status": "failed"},
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 409
    bad = admin_a.patch(
        _p(project_id, f"test-cycles/{cycle['id']}/executions/{execution['id']}"), json={"status": "ok"}
    )
    assert bad.status_code == 422 and "status" in bad.json["errors"]
    # Planning the same case again keeps the one execution.
    again = _post(admin_a, _p(project_id, f"test-cycles/{cycle['id']}/executions"), {"test_case_ids": [case["id"]]})
    assert again["items"][0]["id"] == execution["id"]
    assert admin_a.get(_p(project_id, f"test-cycles/{cycle['id']}/executions")).json["total"] == 1


def test_execution_of_another_cycle_is_404(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    case = _post(admin_a, _p(project_id, "test-cases"), {"title": "t", "module": "SD"})
    one = _post(admin_a, _p(project_id, "test-cycles"), {"name": "One"})
    two = _post(admin_a, _p(project_id, "test-cycles"), {"name": "Two"})
    execution = _post(admin_a, _p(project_id, f"test-cycles/{one['id']}/executions"), {"test_case_ids": [case["id"]]})
    url = _p(project_id, f"test-cycles/{two['id']}/executions/{execution['items'][0]['id']}")
    assert admin_a.patch(url, json={"status": "passed"}).status_code == 404


def test_test_case_links_must_be_requirements_of_the_project(admin_a, tenant_a, make_project):
    first, second = make_project(tenant_a["tenant_id"], "P1"), make_project(tenant_a["tenant_id"], "P2")
    foreign = _post(admin_a, _p(second, "requirements"), {"title": "elsewhere", "module": "FI"})
    response = admin_a.post(
        _p(first, "test-cases"), json={"title": "t", "module": "FI", "requirement_ids": [foreign["id"]]}
    )
    assert response.status_code == 422 and "requirement_ids" in response.json["errors"]
    own = _post(admin_a, _p(first, "requirements"), {"title": "here", "module": "FI"})
    case = _post(admin_a, _p(first, "test-cases"), {"title": "t", "module": "FI", "requirement_ids": [own["id"]]})
    assert [r["code"] for r in case["requirements"]] == ["REQ-0001"] and case["code"] == "TC-0001"
    unlinked = admin_a.patch(_p(first, f"test-cases/{case['id']}"), json={"requirement_ids": []}).json
    assert unlinked["requirements"] == []
    filtered = admin_a.get(_p(first, "test-cases"), query_string={"requirement_id": own["id"]}).json
    assert filtered["total"] == 0


def test_defects_use_the_hypercare_severity_scale_and_filters(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    assert (
        admin_a.post(_p(project_id, "defects"), json={"title": "x", "module": "FI", "severity": "high"}).status_code
        == 422
    )
    a = _post(admin_a, _p(project_id, "defects"), {"title": "Tax code missing", "module": "FI", "severity": "p1"})
    _post(admin_a, _p(project_id, "defects"), {"title": "Typo on form", "module": "SD", "severity": "p4"})
    assert a["code"] == "DEF-0001" and a["status"] == "new"
    body = admin_a.get(_p(project_id, "defects"), query_string={"severity": "p1,p2"}).json
    assert [d["code"] for d in body["items"]] == ["DEF-0001"]
    assert admin_a.get(_p(project_id, "defects"), query_string={"q": "typo"}).json["total"] == 1
    bulk = admin_a.post(_p(project_id, "defects/bulk-status"), json={"ids": [a["id"]], "status": "closed"})
    assert bulk.status_code == 200
    assert (
        admin_a.post(_p(project_id, "defects/bulk-status"), json={"ids": [a["id"]], "status": "gone"}).status_code
        == 422
    )


def test_backlog_items_number_per_wricef_type_and_trace_to_requirements(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    req = _post(
        admin_a, _p(project_id, "requirements"), {"title": "Custom credit check", "module": "SD", "fit_gap": "gap"}
    )
    enh = _post(
        admin_a,
        _p(project_id, "backlog-items"),
        {
            "wricef_type": "enhancement",
            "title": "BAdI credit check",
            "module": "SD",
            "effort_days": 4.5,
            "requirement_id": req["id"],
        },
    )
    intf = _post(
        admin_a,
        _p(project_id, "backlog-items"),
        {"wricef_type": "interface", "title": "Bank statement", "module": "FI"},
    )
    enh2 = _post(
        admin_a,
        _p(project_id, "backlog-items"),
        {"wricef_type": "enhancement", "title": "Pricing exit", "module": "SD"},
    )
    assert (enh["code"], intf["code"], enh2["code"]) == ("ENH-0001", "INT-0001", "ENH-0002")
    assert enh["requirement"]["code"] == "REQ-0001" and enh["effort_days"] == 4.5
    body = admin_a.get(
        _p(project_id, "backlog-items"), query_string={"wricef_type": "enhancement", "sort": "-code"}
    ).json
    assert [i["code"] for i in body["items"]] == ["ENH-0002", "ENH-0001"]
    url = _p(project_id, f"backlog-items/{enh['id']}")
    assert admin_a.delete(url).status_code == 204 and admin_a.get(url).status_code == 404
    assert admin_a.post(url + "/restore").json["code"] == "ENH-0001"
    other = make_project(tenant_a["tenant_id"], "P2")
    response = admin_a.post(
        _p(other, "backlog-items"),
        json={"wricef_type": "form", "title": "x", "module": "SD", "requirement_id": req["id"]},
    )
    assert response.status_code == 422 and "requirement_id" in response.json["errors"]


def test_customer_key_user_records_uat_results_but_cannot_plan(app, client, admin_a, tenant_a, make_project, make_user):
    from app.extensions import db
    from app.models import ProjectMember
    from app.utils import tenant_context
    from tests.fixtures.app import login

    project_id = make_project(tenant_a["tenant_id"])
    customer = make_user(tenant_a["tenant_id"], "key.user@alpha.test", role="customer")
    with app.app_context(), tenant_context.tenant_scope(tenant_a["tenant_id"]):
        db.session.add(ProjectMember(project_id=project_id, user_id=customer))
        db.session.commit()
    case = _post(admin_a, _p(project_id, "test-cases"), {"title": "t", "module": "SD"})
    uat = _post(admin_a, _p(project_id, "test-cycles"), {"name": "UAT", "cycle_type": "uat"})
    execution = _post(admin_a, _p(project_id, f"test-cycles/{uat['id']}/executions"), {"test_case_ids": [case["id"]]})
    key_user = login(client, "key.user@alpha.test")
    assert _record(key_user, project_id, uat["id"], execution["items"][0], "passed")["status"] == "passed"
    assert key_user.post(_p(project_id, "test-cycles"), json={"name": "x"}).status_code == 403


def test_grid_and_case_lists_query_count_does_not_grow_with_rows(admin_a, tenant_a, make_project, count_queries):
    project_id = make_project(tenant_a["tenant_id"])
    req = _post(admin_a, _p(project_id, "requirements"), {"title": "R", "module": "FI"})
    cycle = _post(admin_a, _p(project_id, "test-cycles"), {"name": "SIT"})

    def grow(n):
        ids = [
            _post(
                admin_a,
                _p(project_id, "test-cases"),
                {"title": f"c{i}", "module": "FI", "requirement_ids": [req["id"]]},
            )["id"]
            for i in range(n)
        ]
        planned = _post(admin_a, _p(project_id, f"test-cycles/{cycle['id']}/executions"), {"test_case_ids": ids})[
            "items"
        ]
        for execution in planned[::2]:
            _record(
                admin_a, project_id, cycle["id"], execution, "failed", new_defect={"title": "broken", "severity": "p3"}
            )

    def measure():
        counts = []
        for path in (f"test-cycles/{cycle['id']}/executions", "test-cases", "test-cycles", "defects", "backlog-items"):
            with count_queries() as counter:
                assert admin_a.get(_p(project_id, path), query_string={"limit": 200}).status_code == 200
            counts.append(counter.count)
        return counts

    grow(2)
    small = measure()
    grow(12)
    assert measure() == small, "a list issues more queries as rows grow (N+1)"


def test_alm_sync_status_is_not_writable_through_the_api(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    req = _post(admin_a, _p(project_id, "requirements"), {"title": "R", "module": "FI"})
    response = admin_a.patch(_p(project_id, f"requirements/{req['id']}"), json={"alm_sync_status": "synced"})
    assert response.status_code == 422 and "alm_sync_status" in response.json["errors"]


def test_deleted_cases_and_cycles_drop_out_of_progress_and_coverage(admin_a, tenant_a, make_project):
    project_id = make_project(tenant_a["tenant_id"])
    with clock.freeze(datetime(2027, 3, 1, 9, 0, tzinfo=UTC)):
        reqs, (_tc1, _tc2, tc3), sit, _failed = _known_data_set(_signed_in_now(admin_a), project_id)
    assert admin_a.delete(_p(project_id, f"test-cases/{tc3['id']}")).status_code == 204
    progress = admin_a.get(_p(project_id, f"test-cycles/{sit['id']}")).json["progress"]
    assert (progress["total"], progress["executed_pct"]) == (2, 100.0)
    assert admin_a.get(_p(project_id, f"test-cycles/{sit['id']}/executions")).json["total"] == 2
    assert admin_a.delete(_p(project_id, f"test-cycles/{sit['id']}")).status_code == 204
    coverage = admin_a.get(_p(project_id, f"requirements/{reqs[0]['id']}")).json["coverage"]
    assert coverage == {"cases": 2, "passed": 0, "failed": 0, "blocked": 0, "not_run": 2}
