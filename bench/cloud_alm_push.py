"""SAP Cloud ALM push throughput (issue 12, point 12), measured in one run as a ratio against the ideal.

N requirements are pushed to the Cloud ALM sandbox, whose `latency_seconds` delays every API answer the way
a distant tenant would. With 8 calls in flight the ideal is N x latency / 8; the target is >= 70 % of it
(elapsed <= ideal / 0.7). One call at a time would need N x latency; the first line says that too.

The whole push is timed as the job runs it: the orphan check (one list call), the creates, the per-group
commits and the call log. For scale, the same N creates are also sent with bare `requests` on 8 threads
(no gateway, no database): what this machine can do at best right now. The sandbox runs in a process of its own, as a remote service would: its HTTP
and JSON work does not compete with Meridian's threads for one interpreter. Run:
  .venv/bin/python bench/cloud_alm_push.py [N=300] [latency=0.05]
  BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/cloud_alm_push.py
"""

import json
import multiprocessing
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import requests

from common import bench_app, bench_tenant, drop

from app.extensions import db
from app.integrations.sandbox import CloudALMSandbox
from app.models import ExploreRequirement, Project
from app.services import integration_service
from app.services.cloud_alm import sync
from app.utils import tenant_context

SECRET = "bench-secret-alm"


def serve_sandbox(latency: float, pipe) -> None:
    sandbox = CloudALMSandbox(client_id="meridian-bench", client_secret=SECRET, latency_seconds=latency).start()
    pipe.send({"url": sandbox.url, "project_id": sandbox.project_id, "scope_id": sandbox.scope_id})
    sandbox._thread.join()


def start_sandbox(latency: float):
    """(process, facts): the sandbox in a child process; facts has its url, project_id and scope_id."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(target=serve_sandbox, args=(latency, theirs), daemon=True)
    process.start()
    return process, type("Sandbox", (), ours.recv())


def peak_in_flight(url: str) -> int:
    with urllib.request.urlopen(url + "/_sandbox/stats") as response:
        return json.loads(response.read())["max_in_flight"]


def bare_creates(sandbox, n: int) -> float:
    """The same creates with plain requests, 8 at a time, nothing else: the machine's own best."""
    session = requests.Session()
    form = {"grant_type": "client_credentials", "client_id": "meridian-bench", "client_secret": SECRET}
    token = session.post(sandbox.url + "/oauth/token", data=form).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def create(i):
        body = {
            "projectId": sandbox.project_id,
            "title": f"BARE-{i:04d}",
            "type": "CALMREQU",
            "externalId": f"BARE-{i}",
        }
        assert session.post(sandbox.url + "/api/calm-tasks/v1/tasks", json=body, headers=headers).status_code == 201

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(n)))
    return time.perf_counter() - started


def setup(app, sandbox, n: int):
    with app.app_context():
        tenant_id, admin_id = bench_tenant("calm")
        with tenant_context.tenant_scope(tenant_id, admin_id):
            connection, _ = integration_service.create_connection(
                {
                    "kind": "cloud_alm",
                    "name": "SAP Cloud ALM (bench)",
                    "config": {
                        "base_url": sandbox.url,
                        "token_url": sandbox.url + "/oauth/token",
                        "client_id": "meridian-bench",
                        "calls_per_second": "500",  # the bench measures concurrency, not the rate budget
                    },
                    "secrets": {"client_secret": SECRET},
                }
            )
            assert integration_service.test_connection(connection)["status"] == "ok"
            integration_service.set_active(connection, True)
            project = Project(
                code="BENCH", name="Bench", cloud_alm_project_id=sandbox.project_id, cloud_alm_scope_id=sandbox.scope_id
            )
            db.session.add(project)
            db.session.flush()
            db.session.add_all(
                ExploreRequirement(project_id=project.id, code=f"REQ-{i:04d}", title=f"Requirement {i}", module="FI")
                for i in range(1, n + 1)
            )
            db.session.commit()
            return tenant_id, admin_id, project.id


def timed_push(app, scope, project_id) -> tuple[float, dict]:
    with app.app_context(), tenant_context.tenant_scope(*scope):
        project = Project.get_scoped_or_404(project_id)
        started = time.perf_counter()
        result = sync.push_requirements(project)
        return time.perf_counter() - started, result


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
    process, sandbox = start_sandbox(latency)
    app, url = bench_app()
    try:
        tenant_id, admin_id, project_id = setup(app, sandbox, n)
        first, created = timed_push(app, (tenant_id, admin_id), project_id)
        peak = peak_in_flight(sandbox.url)
        second, updated = timed_push(app, (tenant_id, admin_id), project_id)
        bare = bare_creates(sandbox, n)
    finally:
        process.terminate()
        drop(app)
    ideal = n * latency / 8
    print(f"database: {url.split(':')[0]}; {n} requirements, {latency * 1000:.0f} ms per Cloud ALM call")
    print(f"one call at a time would take {n * latency:.2f} s; ideal with 8 in flight (N x latency / 8): {ideal:.2f} s")
    print(f"first push (creates): {first:.2f} s, {created['pushed']} created, peak {peak} in flight")
    print(f"  ratio ideal/elapsed: {ideal / first:.0%} (target >= 70%)")
    print(f"second push (updates): {second:.2f} s, {updated['updated']} updated")
    print(f"  ratio ideal/elapsed: {ideal / second:.0%} (target >= 70%)")
    print(f"bare requests, 8 threads, same creates: {bare:.2f} s = {ideal / bare:.0%} of the ideal on this machine now")


if __name__ == "__main__":
    main()
