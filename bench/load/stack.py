"""The production stack on loopback: a throwaway PostgreSQL database migrated like production, a Redis db,
and gunicorn processes (the app as the RLS role, and the bare-Flask yardstick) that are always stopped."""

import atexit
import base64
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from settings import ROOT, Settings

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn") if (ROOT / ".venv" / "bin" / "gunicorn").exists() else "gunicorn"
_RUNNING: list["Server"] = []


def throwaway_secrets() -> dict:
    """Production refuses the development secrets; these live only as long as the run."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": f"bench:{key}",
    }


def app_env(settings: Settings, keys: dict, app_role: bool, metrics_dir: Path) -> dict:
    """The environment docker-compose gives the web service, pointed at the bench's database and Redis db.
    Without `app_role` statements run as the owner (migrations, seeding); with it, as `meridian_app`."""
    env = {
        "MERIDIAN_ENV": "production",
        "DATABASE_URL": settings.pg_url,
        "DATABASE_APP_ROLE": "meridian_app" if app_role else "",
        "REDIS_URL": settings.redis_url,
        "CELERY_BROKER_URL": "",
        # The tenant limit (enterprise: 1,000 requests a minute) would answer 429 within a second of wrk;
        # the benchmark measures the reads, so it is off unless BENCH_RATELIMIT=1 (then non-2xx are reported).
        "RATELIMIT_ENABLED": "true" if settings.rate_limit else "false",
        "JWT_ACCESS_MINUTES": "120",  # one token lasts the whole run
        "LOG_JSON": "true",
        "LOG_LEVEL": "INFO",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        **keys,
    }
    return env


def check_prerequisites(settings: Settings) -> None:
    missing = [tool for tool in ("wrk",) if not _which(tool)]
    if missing:
        sys.exit(f"bench-load needs {', '.join(missing)}: apt-get install -y {' '.join(missing)}")
    if "bench" not in settings.database:
        sys.exit(f"refusing to drop database {settings.database!r}: its name must contain 'bench'")


def _which(tool: str) -> bool:
    return any(os.access(os.path.join(d, tool), os.X_OK) for d in os.environ.get("PATH", "").split(os.pathsep))


def _pg_params(settings: Settings) -> dict:
    parts = urlsplit(settings.pg_url.replace("postgresql+psycopg", "postgresql", 1))
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password,
        "connect_timeout": 5,
    }


def pg_connect(settings: Settings, database: str | None = None, autocommit: bool = True):
    import psycopg

    return psycopg.connect(dbname=database or settings.database, autocommit=autocommit, **_pg_params(settings))


def recreate_database(settings: Settings) -> None:
    with pg_connect(settings, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{settings.database}"')


def drop_database(settings: Settings) -> None:
    with pg_connect(settings, "postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{settings.database}" WITH (FORCE)')


def clear_redis(settings: Settings) -> None:
    import redis

    redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3).flushdb()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master (and its workers) in a process group of its own, stopped on exit whatever happens."""

    def __init__(
        self, name: str, target: str, env: dict, settings: Settings, log_path: Path, pythonpath: Path | None = None
    ):
        self.name, self.log_path = name, log_path
        self.port = free_port()
        command = [
            GUNICORN,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(settings.workers),
            "--threads",
            str(settings.threads),
            "--chdir",
            str(ROOT),
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ]
        if pythonpath:
            command += ["--pythonpath", str(pythonpath)]
        command.append(target)
        self.command = command
        self._log = open(log_path, "wb")
        clean_env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ")}
        self.process = subprocess.Popen(
            command,
            env={**clean_env, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        _RUNNING.append(self)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str = "/healthz/live", timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _ = Http(self.port).get(path, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer {path} within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)  # the master stops its workers gracefully
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers in the group, if any
        except ProcessLookupError:
            pass
        self.process.wait()
        self._log.close()
        if self in _RUNNING:
            _RUNNING.remove(self)


def stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


def _on_signal(signum, _frame):
    if signum == signal.SIGALRM:
        raise SystemExit("the run took longer than BENCH_DEADLINE; stopped")
    raise SystemExit(f"stopped by signal {signum}")


def install_cleanup() -> None:
    """gunicorn never outlives the run: normal exit, an exception, Ctrl-C, SIGTERM or the deadline."""
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGALRM, _on_signal)


class Http:
    """A keep-alive HTTP/1.1 connection to one loopback port, as a browser or API client would hold it."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.token = port, token
        self.conn = None

    def _connection(self, timeout: float):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        self.conn.timeout = timeout
        return self.conn

    def request(
        self, method: str, path: str, body=None, timeout: float = 60.0, headers: dict | None = None
    ) -> tuple[int, bytes]:
        headers = {"Accept": "application/json", **(headers or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
            conn = self._connection(timeout)
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str, timeout: float = 60.0, headers: dict | None = None) -> tuple[int, bytes]:
        return self.request("GET", path, timeout=timeout, headers=headers)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def sign_in(port: int, email: str, password: str) -> str:
    status, body = Http(port).request("POST", "/api/v1/auth/login", {"email": email, "password": password})
    if status != 200:
        raise RuntimeError(f"login of {email} answered {status}: {body[:300]!r}")
    return json.loads(body)["access_token"]
