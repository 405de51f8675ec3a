"""The load benchmark's knobs: every one an environment variable with a default that fits the 2-core machine
and finishes `make bench-load` in well under 10 minutes (README "Load benchmark")."""

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    pg_url: str = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/meridian_bench")
    redis_url: str = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
    small: int = _int("BENCH_SMALL", 1_000)  # incidents of the baseline project
    large: int = _int("BENCH_LARGE", 100_000)  # incidents of the production-scale project
    noise: int = _int("BENCH_NOISE", 20_000)  # incidents of another tenant, never read
    workers: int = _int("BENCH_WORKERS", 4)  # gunicorn workers, the review's setting
    threads: int = _int("BENCH_THREADS", 1)  # 1 = gunicorn's sync worker, as docker-compose runs it
    connections: int = _int("BENCH_CONNECTIONS", 16)
    wrk_threads: int = _int("BENCH_WRK_THREADS", 2)
    duration: int = _int("BENCH_DURATION", 10)  # seconds of wrk per read and size
    wrk_timeout: int = _int("BENCH_WRK_TIMEOUT", 30)  # seconds; wrk drops slower answers from its statistics
    share_rounds: int = _int("BENCH_SHARE_ROUNDS", 3)  # alternating app/bare pairs of a read whose share is a goal
    samples: int = _int("BENCH_SAMPLES", 15)  # sequential requests per read and size (median)
    sample_budget: float = _float("BENCH_SAMPLE_SECONDS", 12.0)  # ...but stop sampling one read after this
    rate_limit: bool = os.environ.get("BENCH_RATELIMIT", "0") == "1"
    explain: bool = os.environ.get("BENCH_EXPLAIN", "1") == "1"
    deadline: int = _int("BENCH_DEADLINE", 900)  # seconds; the run aborts (and cleans up) past this
    results_dir: Path = Path(os.environ.get("BENCH_RESULTS_DIR", ROOT / "bench" / "results"))
    keep_db: bool = os.environ.get("BENCH_KEEP_DB", "0") == "1"
    password: str = "Bench-Load-Pass-2026!"

    @property
    def database(self) -> str:
        return self.pg_url.rsplit("/", 1)[1].split("?")[0]


# Goals of issue 14, as measured by the outside review (production stack, wrk, 16 connections on loopback).
GOALS = {
    "flat_ratio": 1.5,  # cost at the large size / cost at the small size, single request
    "list_p95_ms": 50.0,  # war-room and SLA-breaches lists under load, as polled
    "list_share_of_bare": 0.25,  # the same lists' req/s / bare Flask req/s, same JSON shape
    "metrics_p95_ms": 100.0,  # metrics under load
    "projects_share_of_bare": 0.40,  # GET /api/v1/projects req/s / bare Flask req/s
}
