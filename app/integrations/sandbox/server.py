"""The sandbox server base: a threaded HTTP server on 127.0.0.1 with OAuth2 client-credentials tokens
and switchable faults.

Faults (set from Python with `set_fault`, or `POST /_sandbox/fault {"mode": ..., "count": n}`):
  expire_tokens  every token issued so far is rejected with 401 (a refresh fixes it)
  rate_limit     429 with Retry-After: `retry_after_seconds` (1)
  server_error   500 (503 on the token endpoint)
  slow           answers after `slow_seconds`
  refuse         stops listening (connection refused) until `clear_fault()` / `resume()`
  echo_credentials  API calls (not the token endpoint) answer 400 with an error message that repeats the
                 caller's Authorization header, its bare token and the client secret, as careless services do
`count` limits a fault to the next n requests; without it the fault stays until cleared.
`GET /_sandbox/stats` says how many requests came and how many were in flight at most.

`latency_seconds` delays every API answer (not the token endpoint's), the way a distant tenant would, so
benchmarks measure what concurrency buys (bench/cloud_alm_push.py).
"""

import base64
import json
import logging
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)
FAULTS = ("expire_tokens", "rate_limit", "server_error", "slow", "refuse", "echo_credentials")


class SandboxServer:
    name = "sandbox"
    token_lifetime = 3599
    retry_after_seconds = 1

    def __init__(
        self, client_id: str, client_secret: str, port: int = 0, slow_seconds: float = 2.0, latency_seconds: float = 0.0
    ):
        self.client_id, self.client_secret = client_id, client_secret
        self.slow_seconds, self.latency_seconds = slow_seconds, latency_seconds
        self.tokens: dict[str, float] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, for tests
        self.queries: list[tuple[str, str, dict]] = []  # (method, path, query) of every request, for tests
        self.in_flight = self.max_in_flight = 0  # concurrent API requests, now and at most (benchmarks, tests)
        self.fault: str | None = None
        self.fault_remaining: int | None = None
        self.lock = threading.RLock()
        self._port = port
        self._httpd = None
        self._thread = None

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> "SandboxServer":
        handler = type("Handler", (_Handler,), {"sandbox": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler)
        self._httpd.daemon_threads = True
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"{self.name}-{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def serve_forever(self) -> None:
        self.start()
        self._thread.join()

    # -- faults -------------------------------------------------------------------------------------

    def set_fault(self, mode: str | None, count: int | None = None) -> None:
        if mode is not None and mode not in FAULTS:
            raise ValueError(f"unknown fault {mode!r}; one of {FAULTS}")
        with self.lock:
            self.fault, self.fault_remaining = mode, count
            if mode == "expire_tokens":
                self.tokens.clear()
        if mode == "refuse":
            self.stop()

    def clear_fault(self) -> None:
        refused = self.fault == "refuse"
        self.set_fault(None)
        if refused:
            self.start()

    def _take_fault(self) -> str | None:
        with self.lock:
            mode = self.fault
            if mode is None or mode == "expire_tokens":
                return None
            if self.fault_remaining is not None:
                self.fault_remaining -= 1
                if self.fault_remaining <= 0:
                    self.fault, self.fault_remaining = None, None
            return mode

    # -- tokens -------------------------------------------------------------------------------------

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_lifetime
        return token

    def token_valid(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        with self.lock:
            expires = self.tokens.get(header[7:])
        return expires is not None and expires > time.monotonic()

    def client_credentials(self, handler, form: dict) -> tuple[str | None, str | None]:
        auth = handler.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
                return client_id, client_secret
            except ValueError:
                return None, None
        return form.get("client_id"), form.get("client_secret")

    # -- subclasses implement -----------------------------------------------------------------------

    def route(self, handler, method: str, path: str, query: dict, body: bytes):
        raise NotImplementedError

    def is_token_path(self, path: str) -> bool:
        """The token endpoint answers without `latency_seconds` (a stand-in overrides this)."""
        return False

    def unauthorized(self):
        raise NotImplementedError

    def server_error(self):
        return 500, {"error": {"code": "500", "message": "Internal Server Error"}}, {}


class _Handler(BaseHTTPRequestHandler):
    sandbox: SandboxServer = None
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm and the client's delayed ACK each
    # answer would stall ~40 ms, a delay no real service adds (latency is `latency_seconds`' job).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet: tests and `make run` would drown in access lines
        log.debug("%s %s", self.sandbox.name, fmt % args)

    def _handle(self):
        box = self.sandbox
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with box.lock:
            box.requests.append((self.command, parts.path))
            box.queries.append((self.command, parts.path, query))
        if parts.path == "/_sandbox/stats" and self.command == "GET":
            return self._send(200, {"requests": len(box.requests), "max_in_flight": box.max_in_flight}, {})
        if parts.path == "/_sandbox/fault" and self.command == "POST":
            try:
                doc = json.loads(body or b"{}")
                box.set_fault(doc.get("mode"), doc.get("count"))
                return self._send(200, {"fault": box.fault, "remaining": box.fault_remaining}, {})
            except (ValueError, AttributeError) as exc:
                return self._send(400, {"error": str(exc)}, {})
        mode = box._take_fault() if not (box.fault == "echo_credentials" and box.is_token_path(parts.path)) else None
        if mode == "echo_credentials":
            header = self.headers.get("Authorization", "")
            bare = header.partition(" ")[2]
            message = (
                f"Request rejected. Authorization: {header}; token {bare} is not valid here; "
                f"client secret {box.client_secret} is on file for this client."
            )
            return self._send(400, {"error": {"code": "400", "message": message}}, {})
        if mode == "slow":
            time.sleep(box.slow_seconds)
        elif mode == "rate_limit":
            return self._send(
                429,
                {"error": {"code": "429", "message": "Too Many Requests"}},
                {"Retry-After": str(box.retry_after_seconds)},
            )
        elif mode == "server_error":
            return self._send(*box.server_error())
        with box.lock:
            box.in_flight += 1
            box.max_in_flight = max(box.max_in_flight, box.in_flight)
        try:
            if box.latency_seconds and not box.is_token_path(parts.path):
                time.sleep(box.latency_seconds)
            status, payload, headers = box.route(self, self.command, parts.path, query, body)
        finally:
            with box.lock:
                box.in_flight -= 1
        self._send(status, payload, headers)
        return None

    def _send(self, status: int, payload, headers: dict):
        if isinstance(payload, bytes):  # a body the sandbox built itself (e.g. a multipart $batch answer)
            data = bytes(payload)
        else:
            data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle


def form_of(body: bytes) -> dict:
    return {k: v[-1] for k, v in parse_qs(body.decode(errors="replace")).items()}


def json_of(body: bytes):
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


def new_id() -> str:
    return str(uuid.uuid4())
