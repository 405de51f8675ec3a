"""Push a test cycle's results to SAP Cloud ALM (seed 000 Phase B).

Cloud ALM's public Test Management API takes ManualTestCases (created by deep insert, updated with
If-Match) but has no endpoint for manual test-run results. So: every case of the cycle is pushed as a
ManualTestCase (its uuid kept in TestCase.external_id), every defect of a failed execution becomes a
CALMDEF task (its id kept in Defect.external_id), and the execution's own pass/fail stays in Meridian -
recorded per execution in the sync log, and said plainly in the UI."""

from collections import defaultdict

from sqlalchemy import select

from app.extensions import db
from app.integrations.cloud_alm import mapping
from app.integrations.cloud_alm.client import CloudALMError
from app.models import Defect, Project, TestCase, TestCycle, TestExecution
from app.services.cloud_alm import config
from app.services.cloud_alm.runs import SyncRun
from app.services.cloud_alm.sync import client_for, require_mapped
from app.utils.errors import Conflict, NotFound

RESULT_NOT_SENT = "Cloud ALM has no public API for manual test-run results; the result stays in Meridian."


def cycle_of_project(project: Project, cycle_id) -> TestCycle:
    cycle = TestCycle.get_scoped_or_404(cycle_id)
    if cycle.project_id != project.id:
        raise NotFound("Test cycle not found.")
    return cycle


def push_test_results(project: Project, cycle: TestCycle, *, triggered_by="manual", progress=None) -> dict:
    run = SyncRun(project.id, "push_test_results", triggered_by, {"pushed": 0, "updated": 0, "defects_pushed": 0})

    def push():
        connection = config.active_connection()
        if not config.flag(connection, "sync_test_results"):
            raise Conflict("Test-result sync is switched off in the SAP Cloud ALM settings.")
        client, alm_project = client_for(connection), require_mapped(project).cloud_alm_project_id
        executions = list(
            db.session.execute(
                select(TestExecution).where(TestExecution.cycle_id == cycle.id).order_by(TestExecution.created_at)
            ).scalars()
        )
        failed_ids = [e.id for e in executions if e.status == "failed"]
        defects_by_execution = defaultdict(list)
        if failed_ids:
            for defect in db.session.execute(select(Defect).where(Defect.execution_id.in_(failed_ids))).scalars():
                defects_by_execution[defect.execution_id].append(defect.id)
        plan = [
            (e.id, e.test_case_id, e.test_case.code, e.status, defects_by_execution.get(e.id, [])) for e in executions
        ]
        for done, item in enumerate(plan, start=1):
            _push_execution(client, alm_project, item, run)
            if progress:
                progress(done, len(plan))

    return run.guarded(
        push,
        action="push",
        direction="pushed",
        count=lambda: run.result["pushed"] + run.result["updated"] + run.result["defects_pushed"],
    )


def _push_execution(client, alm_project, item, run) -> None:
    execution_id, case_id, case_code, status, defect_ids = item
    record = {"execution_id": str(execution_id), "test_case": case_code, "execution_status": status}
    try:
        case = TestCase.get_scoped_or_404(case_id)
        body = mapping.case_to_manual_test_case(case, alm_project)
        if case.external_id:
            body.pop("projectId")
            client.update_test_case(case.external_id, body)
            run.result["updated"] += 1
        else:
            created = client.create_test_case(body)
            case.external_id = str(created["uuid"])
            run.result["pushed"] += 1
        db.session.commit()
        defects = []
        for defect_id in defect_ids:
            defect = Defect.get_scoped_or_404(defect_id)
            body = mapping.defect_to_task(defect, alm_project, case_code)
            if defect.external_id:
                body.pop("projectId")
                body.pop("type")
                client.update_task(defect.external_id, body)
            else:
                defect.external_id = str(client.create_task(body)["id"])
                run.result["defects_pushed"] += 1
            db.session.commit()
            defects.append({"code": defect.code, "external_id": defect.external_id})
        run.details.append(
            {
                **record,
                "outcome": "pushed",
                "test_case_uuid": case.external_id,
                "defects": defects,
                "note": RESULT_NOT_SENT,
            }
        )
    except CloudALMError as exc:
        db.session.rollback()
        run.refused(record, exc)
