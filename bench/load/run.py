"""`make bench-load`: issue 14's reads on the production stack at 1,000 vs 100,000 incidents, against bare Flask.

1. a fresh PostgreSQL database (BENCH_PG_URL, default meridian_bench), migrated with the app's migrations (which
   create the `meridian_app` role and the RLS policies), and an emptied Redis db (BENCH_REDIS_URL, default db 6);
2. set-based seeding (seed.py): three tenants, 1,000 / 100,000 / 20,000 incidents plus every other growing list;
3. gunicorn serving wsgi:app with MERIDIAN_ENV=production, throwaway secrets, DATABASE_APP_ROLE=meridian_app and
   Redis; a second gunicorn with the same settings serving bare_app.py with the app's own answers;
4. single requests (median of sequential GETs) of every read at both sizes, then wrk on the war-room list,
   the SLA-breaches list, the metrics and GET /api/v1/projects at both sizes and on the bare app;
5. EXPLAIN (ANALYZE, BUFFERS) of every statement of the three hypercare reads and of GET /api/v1/projects, as
   the app role with RLS (BENCH_EXPLAIN=0 skips it);
6. one table on stdout, and the same numbers as JSON in bench/results/ (with the EXPLAIN file and server logs).
Every knob is an environment variable (settings.py; README "Load benchmark"). The exit code is 0 when the run
completed, whatever the goals say, unless BENCH_STRICT=1.
"""

import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository: `app`, `wsgi`

import explain  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
import seed  # noqa: E402
import stack  # noqa: E402
from settings import HERE, ROOT, Settings  # noqa: E402

STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _strip_query(path: str) -> str:
    return path.split("?", 1)[0]


def prepare(settings: Settings, workdir: Path):
    """Database, migrations, seed; returns (tenants, the throwaway secrets the servers must share)."""
    keys = stack.throwaway_secrets()
    for name in ("inproc", "app"):
        (workdir / name).mkdir()
    os.environ.update(stack.app_env(settings, keys, app_role=False, metrics_dir=workdir / "inproc"))
    log(f"database {settings.database} (re)created, Redis {settings.redis_url} emptied")
    stack.recreate_database(settings)
    stack.clear_redis(settings)
    from flask_migrate import upgrade

    from app import create_app

    owner_app = create_app("production", {"LOG_LEVEL": "WARNING"})
    with owner_app.app_context():
        upgrade()
    log("migrated (flask db upgrade: schema, meridian_app role, RLS policies)")
    tenants = seed.seed(owner_app, settings, log)
    return tenants, keys


def capture_payloads(client_for, tenants, path: Path) -> dict:
    """The app's own answers at the large size, for the bare app to serve."""
    routes, totals = {}, {}
    for read in measure.READS:
        if not read.loaded:
            continue
        status, body = client_for("large").get(read.path(tenants["large"]))
        if status != 200:
            raise RuntimeError(f"{read.key} answered {status}: {body[:300]!r}")
        payload = json.loads(body)
        routes[_strip_query(read.path(tenants["large"]))] = payload
        totals[read.key] = payload.get("total")
    path.write_text(json.dumps({"routes": routes}))
    return totals


def run(settings: Settings, workdir: Path) -> dict:
    tenants, keys = prepare(settings, workdir)
    app_server = stack.Server(
        "app",
        "wsgi:app",
        stack.app_env(settings, keys, True, workdir / "app"),
        settings,
        settings.results_dir / "gunicorn-app.log",
    )
    app_server.wait_ready()
    tokens = {
        size: stack.sign_in(app_server.port, tenants[size].admin_email, settings.password)
        for size in ("small", "large")
    }
    clients = {size: stack.Http(app_server.port, tokens[size]) for size in ("small", "large")}
    log(f"app on {app_server.base} (gunicorn {settings.workers} workers x {settings.threads} threads, meridian_app)")

    payloads = workdir / "payloads.json"
    totals = capture_payloads(lambda size: clients[size], tenants, payloads)
    log(
        f"large project as the app reports it: {totals.get('war_room')} unresolved, "
        f"{totals.get('sla_breaches')} open breached"
    )
    bare_server = stack.Server(
        "bare",
        "bare_app:app",
        {"BENCH_BARE_PAYLOADS": str(payloads)},
        settings,
        settings.results_dir / "gunicorn-bare.log",
        pythonpath=HERE,
    )
    bare_server.wait_ready()
    log(f"bare Flask on {bare_server.base}, same gunicorn settings")

    single = {}
    for read in measure.READS:
        single[read.key] = measure.sequential(
            clients, {size: read.path(tenants[size]) for size in ("small", "large")}, settings, read.headers
        )
        log(
            f"single {read.key}: {single[read.key]['small']['median_ms']} ms vs {single[read.key]['large']['median_ms']} ms"
        )
    for client in clients.values():
        client.close()
    report.single_ratios(single)

    load = {}
    for read in measure.READS:
        if not read.loaded:
            continue

        def app_run(size, read=read):
            return measure.wrk(app_server.base + read.path(tenants[size]), settings, tokens[size], read.headers)

        def bare_run(read=read):
            return measure.wrk(bare_server.base + read.path(tenants["large"]), settings, headers=read.headers)

        runs = {"small": app_run("small")}
        if read.share_goal:
            runs.update(measure.paired_rounds(lambda: app_run("large"), bare_run, settings.share_rounds))
        else:
            runs.update(large=app_run("large"), bare=bare_run())
        load[read.key] = runs
        log(
            f"wrk {read.key}: "
            + ", ".join(f"{size} {runs[size]['rps']} req/s p95 {runs[size]['p95_ms']} ms" for size in measure.SIZES)
            + "".join(
                f"; pair {i + 1}: {pair['large']['rps']} vs {pair['bare']['rps']} req/s = {pair['share']:.1%}"
                for i, pair in enumerate(runs.get("rounds", ()))
            )
        )
    bare_server.stop()
    app_server.stop()

    if settings.explain:
        explain_path = settings.results_dir / "explain.md"
        explain_path.write_text(explain_file(settings, tenants, tokens))
        log(f"EXPLAIN (ANALYZE, BUFFERS) written to {explain_path}")
    return {
        "single": single,
        "load": load,
        "tenants": {k: str(t.tenant_id) for k, t in tenants.items()},
        "table_rows": seed.table_sizes(settings),
    }


def explain_file(settings: Settings, tenants, tokens) -> str:
    from app import create_app

    role_app = create_app("production", {"DATABASE_APP_ROLE": "meridian_app", "LOG_LEVEL": "WARNING"})
    keys = [r for r in measure.READS if r.key in ("war_room", "metrics", "sla_breaches", "projects")]
    empty_store = partial(stack.clear_redis, settings)  # the servers are stopped: nothing else uses this Redis db
    baseline = {r.key: explain.capture(role_app, r.path(tenants["small"]), tokens["small"], empty_store) for r in keys}
    cases = [(r.key, r.label, r.path(tenants["large"]), tokens["large"]) for r in keys]
    header = (
        f"# EXPLAIN of the hypercare reads (and GET /api/v1/projects) at {settings.large:,} incidents\n\n"
        f"Captured by `make bench-load` ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {_git_commit()}): "
        f"every statement one request runs when Redis holds nothing for it (no shared page, tiles or row "
        f"snapshot: the page or tiles rebuilt as after a write, the session checked as after an expiry; a cached "
        f"read runs none), as `meridian_app` "
        f"with row-level security (tenant set per "
        f"transaction by app/rls.py), replayed with EXPLAIN (ANALYZE, BUFFERS) in a rolled-back transaction. "
        f"Small = the {settings.small:,}-incident project of another tenant; {settings.noise:,} more "
        f"incidents belong to a third tenant.\n\n"
    )
    return header + explain.markdown(role_app, cases, baseline, empty_store)


def main() -> int:
    settings = Settings()
    stack.check_prerequisites(settings)
    stack.install_cleanup()
    signal.alarm(settings.deadline)
    settings.results_dir.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="meridian-bench-") as tmp:
        try:
            results = run(settings, Path(tmp))
        finally:
            stack.stop_all()
            if not settings.keep_db:
                stack.drop_database(settings)
    signal.alarm(0)
    results["meta"] = {
        "commit": _git_commit(),
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sizes": {"small": settings.small, "large": settings.large, "noise": settings.noise},
        "workers": settings.workers,
        "threads": settings.threads,
        "connections": settings.connections,
        "duration_s": settings.duration,
        "samples": settings.samples,
        "share_rounds": settings.share_rounds,
        "rate_limit": settings.rate_limit,
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "python": platform.python_version(),
        "elapsed_s": round(time.monotonic() - STARTED, 1),
    }
    results["goals"] = report.judge(results)
    table = report.render(results)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"load-{stamp}", "load-latest"):
        (settings.results_dir / f"{name}.json").write_text(json.dumps(results, indent=2, default=str))
        (settings.results_dir / f"{name}.txt").write_text(table + "\n")
    print("\n" + table)
    print(f"\nresults: {settings.results_dir / f'load-{stamp}.json'}")
    failed = any(g["result"] != "PASS" for g in results["goals"])
    return 1 if failed and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
