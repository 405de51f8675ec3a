"""Push a test cycle's results to SAP Cloud ALM (seed 000 Phase B).

Cloud ALM's public Test Management API takes ManualTestCases but has no endpoint for manual test-run
results. So: every case of the cycle is pushed as a ManualTestCase (its uuid kept in TestCase.external_id),
every defect of a failed execution becomes a CALMDEF task (its id kept in Defect.external_id), and the
execution's own pass/fail stays in Meridian - recorded per execution in the sync log, and said in the UI.

As SAP's notebook shows: a new case is one deep insert into the project's scope; an existing case gets its
title by PATCH (direct properties only) and its steps through the Activities/Actions resources, each write
with If-Match. A case created by the API is neither Prepared nor are its activities In Scope: the log says
what each pushed case still needs in Cloud ALM before it can be executed there."""

from collections import defaultdict

from sqlalchemy import select

from app.extensions import db
from app.integrations.cloud_alm import mapping
from app.integrations.cloud_alm.client import CloudALMClient, CloudALMError
from app.integrations.cloud_alm.test_management import TestManagementClient
from app.models import Defect, Project, TestCase, TestCycle, TestExecution
from app.services.cloud_alm import config
from app.services.cloud_alm.runs import SyncRun
from app.services.cloud_alm.sync import client_for, require_mapped
from app.utils.errors import Conflict, NotFound

RESULT_NOT_SENT = "Cloud ALM has no public API for manual test-run results; the result stays in Meridian."
NEEDS_PREPARED = "mark it Prepared"
NEEDS_IN_SCOPE = "set its activities In Scope"
STEP_FIELDS = ("title", "description", "expectedResult")


def cycle_of_project(project: Project, cycle_id) -> TestCycle:
    cycle = TestCycle.get_scoped_or_404(cycle_id)
    if cycle.project_id != project.id:
        raise NotFound("Test cycle not found.")
    return cycle


def push_test_results(project: Project, cycle: TestCycle, *, triggered_by="manual", progress=None) -> dict:
    counters = {"pushed": 0, "updated": 0, "defects_pushed": 0, "cases_needing_work": 0, "needing_work": []}
    run = SyncRun(project.id, "push_test_results", triggered_by, counters)

    def push():
        connection = config.active_connection()
        if not config.flag(connection, "sync_test_results"):
            raise Conflict("Test-result sync is switched off in the SAP Cloud ALM settings.")
        alm_project = require_mapped(project).cloud_alm_project_id
        tasks = client_for(connection)
        cases = TestManagementClient(tasks.gateway)
        executions = list(
            db.session.execute(
                select(TestExecution).where(TestExecution.cycle_id == cycle.id).order_by(TestExecution.created_at)
            ).scalars()
        )
        if not project.cloud_alm_scope_id and any(e.test_case.external_id is None for e in executions):
            raise Conflict(
                f"Pick the Cloud ALM scope for project {project.code} first: Test Management creates every "
                "test case in a scope (Integrations, project mapping)."
            )
        failed_ids = [e.id for e in executions if e.status == "failed"]
        defects_by_execution = defaultdict(list)
        if failed_ids:
            for defect in db.session.execute(select(Defect).where(Defect.execution_id.in_(failed_ids))).scalars():
                defects_by_execution[defect.execution_id].append(defect.id)
        plan = [
            (e.id, e.test_case_id, e.test_case.code, e.status, defects_by_execution.get(e.id, [])) for e in executions
        ]
        target = (alm_project, project.cloud_alm_scope_id)
        for done, item in enumerate(plan, start=1):
            _push_execution(tasks, cases, target, item, run)
            if progress:
                progress(done, len(plan))

    return run.guarded(
        push,
        action="push",
        direction="pushed",
        count=lambda: run.result["pushed"] + run.result["updated"] + run.result["defects_pushed"],
    )


def _push_execution(tasks: CloudALMClient, cases: TestManagementClient, target, item, run: SyncRun) -> None:
    alm_project, scope_id = target
    execution_id, case_id, case_code, status, defect_ids = item
    record = {"execution_id": str(execution_id), "test_case": case_code, "execution_status": status}
    try:
        case = TestCase.get_scoped_or_404(case_id)
        if case.external_id:
            needs = _update_case(cases, case)
            run.result["updated"] += 1
        else:
            body = mapping.case_to_manual_test_case(case, alm_project, scope_id)
            created, _adopted = cases.create_case_once(body, title_prefix=f"{case.code} ")
            case.external_id = str(created["uuid"])
            activities = created.get("toActivities") or cases.list_activities(case.external_id)
            needs = _needs(created, activities)
            run.result["pushed"] += 1
        db.session.commit()
        if needs:  # what the UI lists: the case and what Cloud ALM still wants for it
            run.result["cases_needing_work"] += 1
            if len(run.result["needing_work"]) < 200:
                run.result["needing_work"].append({"test_case": case_code, "needs": needs})
        defects = [_push_defect(tasks, alm_project, defect_id, case_code, run) for defect_id in defect_ids]
        run.details.append(
            {
                **record,
                "outcome": "pushed",
                "test_case_uuid": case.external_id,
                "needs": needs,
                "defects": defects,
                "note": RESULT_NOT_SENT,
            }
        )
    except CloudALMError as exc:
        db.session.rollback()
        run.refused(record, exc)


def _update_case(cases: TestManagementClient, case: TestCase) -> list[str]:
    """Title by PATCH of the case (direct property); steps through the activity's actions."""
    current = cases.update_case(case.external_id, {"title": mapping.case_title(case)})
    activities = cases.list_activities(case.external_id)
    steps = next(
        (a for a in activities if a.get("sequence") == 1 and a.get("title") == mapping.STEPS_ACTIVITY["title"]),
        None,
    )
    wanted = mapping.case_steps(case)
    if steps is None:
        activities.append(cases.create_activity(case.external_id, {**mapping.STEPS_ACTIVITY, "toActions": wanted}))
        return _needs(current, activities)
    have = {a.get("sequence"): a for a in cases.list_actions(steps["uuid"])}
    for step in wanted:
        action = have.pop(step["sequence"], None)
        if action is None:
            cases.create_action(steps["uuid"], step)
        elif any(action.get(k) != step[k] for k in STEP_FIELDS):
            cases.update_action(action, {k: step[k] for k in STEP_FIELDS})
    for extra in have.values():
        cases.delete_action(extra)
    return _needs(current, activities)


def _needs(case: dict, activities: list[dict]) -> list[str]:
    """What Cloud ALM still wants before the case can be executed there."""
    needs = [] if case.get("isPrepared") else [NEEDS_PREPARED]
    if any(not a.get("isInScope") for a in activities):
        needs.append(NEEDS_IN_SCOPE)
    return needs


def _push_defect(tasks: CloudALMClient, alm_project: str, defect_id, case_code: str, run: SyncRun) -> dict:
    defect = Defect.get_scoped_or_404(defect_id)
    body = mapping.defect_to_task(defect, alm_project, case_code)
    if defect.external_id:
        body.pop("projectId")
        body.pop("type")
        tasks.update_task(defect.external_id, body)
    else:
        created, _adopted = tasks.create_task_once(body)
        defect.external_id = str(created["id"])
        run.result["defects_pushed"] += 1
    db.session.commit()
    return {"code": defect.code, "external_id": defect.external_id}
