"""The harness's own logic, without the stack: `.venv/bin/python -m pytest -q bench/load` (a second or two).
The full run (`make bench-load`) is the end-to-end check; these pin what would silently mislead a reader of its
table: the verdicts, the wrk parsing, the bare app's answers and the SQL placeholder escaping."""

import json
import os
import stat

import pytest

import bare_app
import measure
import report
import seed
from settings import Settings


def _run(rps=100.0, p95=10.0, non_2xx=0):
    return {"rps": rps, "p50_ms": p95 / 2, "p95_ms": p95, "non_2xx": non_2xx, "socket_errors": 0}


def _results(list_large, bare, metrics_p95=50.0, projects_rps=500.0, ratio=1.2):
    """Both polled lists (war room, SLA breaches) answer `list_large` against `bare` at the large size."""
    single = {r.key: {"small": {"median_ms": 10.0}, "large": {"median_ms": 10.0 * ratio}} for r in measure.READS}
    report.single_ratios(single)
    return {
        "meta": {"sizes": {"small": 1000, "large": 100000, "noise": 20000}},
        "single": single,
        "load": {
            "war_room": {"small": _run(), "large": list_large, "bare": bare},
            "sla_breaches": {"small": _run(), "large": dict(list_large), "bare": dict(bare)},
            "metrics": {"small": _run(), "large": _run(p95=metrics_p95), "bare": _run()},
            "projects": {"small": _run(), "large": _run(rps=projects_rps), "bare": _run(rps=1000.0)},
        },
    }


def _verdicts(results):
    return {(g["read"], g["goal"]): g["result"] for g in report.judge(results)}


def test_every_goal_passes_at_its_limit():
    verdicts = _verdicts(
        _results(_run(rps=250.0, p95=50.0), _run(rps=1000.0), metrics_p95=100.0, projects_rps=400.0, ratio=1.5)
    )
    assert set(verdicts.values()) == {"PASS"}
    assert ("war_room", "100k/1k single-request cost") in verdicts
    assert ("metrics", "p95 under load, 100k") in verdicts
    assert ("sla_breaches", "req/s share of bare Flask, 100k") in verdicts  # the list goals: both lists
    assert ("sla_breaches_rendered", "100k/1k single-request cost") in verdicts


def test_each_goal_fails_just_past_its_limit():
    verdicts = _verdicts(
        _results(_run(rps=249.0, p95=50.1), _run(rps=1000.0), metrics_p95=100.1, projects_rps=399.0, ratio=1.51)
    )
    assert verdicts[("war_room", "p95 under load, 100k")] == "FAIL"
    assert verdicts[("war_room", "req/s share of bare Flask, 100k")] == "FAIL"
    assert verdicts[("sla_breaches", "p95 under load, 100k")] == "FAIL"
    assert verdicts[("sla_breaches", "req/s share of bare Flask, 100k")] == "FAIL"
    assert verdicts[("metrics", "p95 under load, 100k")] == "FAIL"
    assert verdicts[("projects", "req/s share of bare Flask (2 rows)")] == "FAIL"
    assert verdicts[("call_log", "100k/1k single-request cost")] == "FAIL"


def test_a_load_run_with_error_answers_is_invalid_not_fast():
    verdicts = _verdicts(_results(_run(rps=5000.0, p95=1.0, non_2xx=12), _run(rps=1000.0)))
    assert verdicts[("war_room", "clean load run (large)")] == "INVALID"


def test_the_table_names_every_read_and_the_machine_load():
    results = _results(_run(), _run(rps=1000.0))
    results["meta"].update(
        commit="abc",
        workers=4,
        threads=1,
        connections=16,
        duration_s=10,
        samples=15,
        cpus=2,
        loadavg_before=(1.0, 1.0, 1.0),
        loadavg_after=(2.0, 2.0, 2.0),
        elapsed_s=300,
    )
    for read in measure.READS:
        results["single"][read.key]["small"]["total"] = 100
        results["single"][read.key]["large"]["total"] = 10000
    results["load"]["projects"]["rounds"] = [{"large": _run(rps=450.0), "bare": _run(rps=1000.0), "share": 0.45}]
    results["goals"] = report.judge(results)
    table = report.render(results)
    assert all(read.label in table for read in measure.READS)
    assert "1 alternating pairs (app/bare req/s), median shown: 450/1000 = 45.0%" in table
    assert "load average 1.0 / 1.0 / 1.0 before the run" in table


def test_wrk_output_becomes_rates_and_milliseconds(tmp_path, monkeypatch):
    fake = tmp_path / "wrk"
    line = {
        "requests": 500,
        "duration_us": 10_000_000,
        "bytes": 1,
        "p50_us": 12_000,
        "p90_us": 20_000,
        "p95_us": 25_500,
        "p99_us": 40_000,
        "max_us": 90_000,
        "mean_us": 13_000.0,
        "connect_errors": 0,
        "read_errors": 0,
        "write_errors": 0,
        "status_errors": 3,
        "timeouts": 1,
    }
    fake.write_text(f"#!/bin/sh\necho 'Running 10s test'\necho 'BENCHJSON {json.dumps(line)}'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    run = measure.wrk("http://127.0.0.1:9/x", Settings(), token="t")
    assert run == {
        "rps": 50.0,
        "requests": 500,
        "p50_ms": 12.0,
        "p90_ms": 20.0,
        "p95_ms": 25.5,
        "p99_ms": 40.0,
        "max_ms": 90.0,
        "non_2xx": 3,
        "socket_errors": 1,
    }


def test_wrk_without_its_report_line_is_an_error(tmp_path, monkeypatch):
    fake = tmp_path / "wrk"
    fake.write_text("#!/bin/sh\necho 'unable to connect' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(RuntimeError, match="unable to connect"):
        measure.wrk("http://127.0.0.1:9/x", Settings())


def test_the_bare_app_answers_the_captured_bodies_at_their_paths(tmp_path):
    body = {"items": [{"id": "a", "sla": {"state": "ok"}}], "total": 1}
    payloads = tmp_path / "payloads.json"
    payloads.write_text(json.dumps({"routes": {"/api/v1/projects/p1/hypercare/incidents": body}}))
    bare_app._load(str(payloads))
    client = bare_app.app.test_client()
    response = client.get("/api/v1/projects/p1/hypercare/incidents?limit=50&status=open")
    assert response.status_code == 200 and response.get_json() == body
    assert client.get("/healthz/live").status_code == 200


def test_modulo_in_seeding_sql_survives_psycopg_placeholders():
    assert seed._percent_safe("SELECT g % 3, %(t)s, 'a%b'") == "SELECT g %% 3, %(t)s, 'a%%b'"


def test_a_share_goal_runs_alternating_pairs_and_takes_the_median_pair():
    calls = []
    app_rates, bare_rates = iter([400.0, 300.0, 500.0]), iter([1000.0, 1000.0, 1000.0])

    def run_app():
        calls.append("app")
        return _run(rps=next(app_rates), p95=len(calls))

    def run_bare():
        calls.append("bare")
        return _run(rps=next(bare_rates))

    runs = measure.paired_rounds(run_app, run_bare, 3)
    assert calls == ["app", "bare", "bare", "app", "app", "bare"]  # neither side always goes first
    assert [pair["share"] for pair in runs["rounds"]] == [0.4, 0.3, 0.5]
    assert runs["share"] == 0.4 and runs["large"]["rps"] == 400.0
    assert runs["worst_p95_ms"] == 5  # the slowest pair's p95, not the median pair's


def test_an_even_number_of_pairs_takes_the_lower_middle():
    rates = iter([300.0, 500.0])
    runs = measure.paired_rounds(lambda: _run(rps=next(rates)), lambda: _run(rps=1000.0), 2)
    assert runs["share"] == 0.3


def test_the_verdicts_use_the_median_share_and_the_worst_p95_of_the_pairs():
    results = _results(_run(rps=250.0, p95=10.0), _run(rps=1000.0))
    results["load"]["projects"].update(share=0.39)
    results["load"]["war_room"].update(worst_p95_ms=51.0)
    verdicts = _verdicts(results)
    assert verdicts[("projects", "req/s share of bare Flask (2 rows)")] == "FAIL"  # although large/bare is 0.5
    assert verdicts[("war_room", "p95 under load, 100k")] == "FAIL"


def test_an_error_in_any_pair_invalidates_the_read():
    results = _results(_run(rps=250.0), _run(rps=1000.0))
    results["load"]["projects"]["rounds"] = [{"large": _run(non_2xx=3), "bare": _run(), "share": 0.5}]
    assert _verdicts(results)[("projects", "clean load run (pair 1 large)")] == "INVALID"
