"""What is measured and how: the reads (paths per tenant), wrk under load, and sequential single requests."""

import json
import statistics
import subprocess
import time
from dataclasses import dataclass

from settings import HERE, Settings
from stack import Http


@dataclass(frozen=True)
class Read:
    key: str
    label: str
    template: str  # formatted with the tenant's ids: p (live project), cycle, incident
    loaded: bool = False  # also run under wrk, at both sizes, and against the bare app
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request of this read
    share_goal: bool = False  # its share of bare Flask is a goal: measured in alternating rounds (`paired_rounds`)

    def path(self, tenant) -> str:
        return self.template.format(p=tenant.project_id, cycle=tenant.uat_cycle_id, incident=tenant.hot_incident_id)


HYPERCARE = "/api/v1/projects/{p}/hypercare"
WAR_ROOM = HYPERCARE + "/incidents?limit=50&status=open,in_progress,waiting_customer"
BREACHES = HYPERCARE + "/sla-breaches?limit=50"
# The war room's list pages are shared by every reader for a few seconds (war_room_cache.page): "war_room" and
# "sla_breaches" are the polls as every screen sends them, the "_rendered" twins ask for a page rendered now
# (`Cache-Control: no-cache`), the cost of the first poll after a write.
RENDER_NOW = (("Cache-Control", "no-cache"),)
SIZES = ("small", "large", "bare")  # the wrk runs of a loaded read: the app at both sizes, and bare Flask
READS = (
    Read("war_room", "war-room list", WAR_ROOM, True, share_goal=True),
    Read("war_room_rendered", "war-room list, no-cache", WAR_ROOM, True, RENDER_NOW),
    Read("sla_breaches", "SLA breaches", BREACHES, True, share_goal=True),
    Read("sla_breaches_rendered", "SLA breaches, no-cache", BREACHES, True, RENDER_NOW),
    Read("metrics", "war-room metrics", HYPERCARE + "/metrics", True),
    Read("projects", "GET /api/v1/projects", "/api/v1/projects", True, share_goal=True),
    Read("requirements", "requirements", "/api/v1/projects/{p}/requirements?limit=50"),
    Read("backlog", "backlog (WRICEF)", "/api/v1/projects/{p}/backlog-items?limit=50"),
    Read("test_cases", "test cases", "/api/v1/projects/{p}/test-cases?limit=50"),
    Read("executions", "executions (one cycle)", "/api/v1/projects/{p}/test-cycles/{cycle}/executions?limit=50"),
    Read("defects", "defects", "/api/v1/projects/{p}/defects?limit=50"),
    Read("change_requests", "change requests", HYPERCARE + "/change-requests?limit=50"),
    Read("leads", "leads", "/api/v1/leads?limit=50"),
    Read(
        "audit_history", "audit history (one incident)", "/api/v1/audit/HypercareIncident/{incident}/history?limit=50"
    ),
    Read("notifications", "notifications (admin)", "/api/v1/notifications?limit=50"),
    Read("call_log", "gateway call log", "/api/v1/integrations/call-log?limit=50"),
    Read("sync_runs", "sync runs", "/api/v1/integrations/sync-runs?limit=50"),
)


def sequential(
    clients: dict[str, Http], paths: dict[str, str], settings: Settings, headers: tuple = ()
) -> dict[str, dict]:
    """Per size: median (and spread) of single requests one after another, the cost of one read with the server
    otherwise idle. The sizes take turns request by request (in alternating order), so load from elsewhere on
    the machine falls on both alike and their ratio stays honest. gunicorn's sync workers close the connection
    after each answer, so any worker may take a request: the warm-up sends a few more requests than there are
    workers, so that each has compiled the read's statements."""
    sizes = list(paths)
    bodies = {}
    for size in sizes:
        for _ in range(settings.workers + 2):
            bodies[size] = _get(clients[size], paths[size], headers)[1]
    samples: dict[str, list[float]] = {size: [] for size in sizes}
    started = time.monotonic()
    for round_ in range(settings.samples):
        for size in sizes if round_ % 2 == 0 else reversed(sizes):
            elapsed, bodies[size] = _get(clients[size], paths[size], headers)
            samples[size].append(elapsed)
        if round_ >= 4 and time.monotonic() - started > settings.sample_budget * len(sizes):
            break
    out = {}
    for size, values in samples.items():
        values.sort()
        payload = json.loads(bodies[size])
        out[size] = {
            "median_ms": round(statistics.median(values), 2),
            "min_ms": round(values[0], 2),
            "max_ms": round(values[-1], 2),
            "samples": len(values),
            "bytes": len(bodies[size]),
            "total": payload.get("total") if isinstance(payload, dict) else None,
            "total_capped": bool(payload.get("total_capped")) if isinstance(payload, dict) else False,
        }
    return out


def paired_rounds(run_app, run_bare, rounds: int) -> dict:
    """The app and bare Flask under wrk in `rounds` alternating pairs (app first, then bare first, ...), and the
    share of bare taken as the median of the pairs' shares. On this shared 2-core machine the bare app's own rate
    moved by a third between runs minutes apart, so one pair decided the verdict by chance; pairs run back to back
    see the same machine, and the median of several is not moved by one disturbed pair. Every pair is kept in the
    results. `large` and `bare` are the median pair's runs; `worst_p95_ms` is the app's highest p95 of any pair."""
    pairs = []
    for index in range(max(1, rounds)):
        if index % 2 == 0:
            app = run_app()
            bare = run_bare()
        else:
            bare = run_bare()
            app = run_app()
        share = round(app["rps"] / bare["rps"], 3) if bare["rps"] else 0.0
        pairs.append({"large": app, "bare": bare, "share": share})
    ordered = sorted(pairs, key=lambda pair: pair["share"])
    median = ordered[(len(ordered) - 1) // 2]  # the lower middle of an even count: never flattering
    return {
        "large": median["large"],
        "bare": median["bare"],
        "share": median["share"],
        "worst_p95_ms": max(pair["large"]["p95_ms"] for pair in pairs),
        "rounds": pairs,
    }


def _get(client: Http, path: str, headers: tuple = ()) -> tuple[float, bytes]:
    began = time.perf_counter()
    status, body = client.get(path, headers=dict(headers))
    elapsed = (time.perf_counter() - began) * 1000
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:400]!r}")
    return elapsed, body


def wrk(url: str, settings: Settings, token: str | None = None, headers: tuple = ()) -> dict:
    """One wrk run: fixed duration, `connections` concurrent connections (gunicorn's sync workers close each after
    one answer and wrk reconnects, as in the review); req/s and latency percentiles."""
    command = [
        "wrk",
        f"-t{min(settings.wrk_threads, settings.connections)}",
        f"-c{settings.connections}",
        f"-d{settings.duration}s",
        f"--timeout={settings.wrk_timeout}s",
        "--latency",
        "-s",
        str(HERE / "report.lua"),
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    for name, value in headers:
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=settings.duration + settings.wrk_timeout + 30
    )
    line = next((l for l in completed.stdout.splitlines() if l.startswith("BENCHJSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed ({completed.returncode}): {completed.stderr.strip() or completed.stdout[-500:]}"
        )
    raw = json.loads(line.removeprefix("BENCHJSON "))
    seconds = raw["duration_us"] / 1e6
    errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    return {
        "rps": round(raw["requests"] / seconds, 1),
        "requests": raw["requests"],
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p90_ms": round(raw["p90_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "non_2xx": raw["status_errors"],
        "socket_errors": errors,
    }
