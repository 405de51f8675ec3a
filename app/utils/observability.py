"""Correlation ids, JSON logs and Prometheus metrics for every request."""

import functools
import json
import logging
import os
import re
import sys
import time

from flask import g, request
from prometheus_client import CollectorRegistry, Counter, Histogram

from app.utils import tenant_context
from app.utils.redact import redact

_SAFE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

REGISTRY = CollectorRegistry(auto_describe=True)
# No tenant label on any metric: the scrape would list every tenant's id, and the label set would grow with
# every tenant signed up.
HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RATE_LIMIT_EXCEEDED = Counter(
    "rate_limit_exceeded_total", "Requests refused by the tenant rate limit", ["tier"], registry=REGISTRY
)
LOGIN_FAILURES = Counter("auth_login_failures_total", "Failed logins", ["reason"], registry=REGISTRY)


def _context_record_factory(base_factory):
    """Stamp every log record, whoever emits it, with the correlation id and the acting tenant, and cut
    credentials out of its message and traceback (app/utils/redact.py) before any handler sees it."""

    def factory(*args, **kwargs):
        record = base_factory(*args, **kwargs)
        try:
            record.correlation_id = g.get("correlation_id")
        except RuntimeError:  # outside a request
            record.correlation_id = None
        tenant_id = tenant_context.current_tenant_id()
        record.tenant_id = str(tenant_id) if tenant_id else None
        _redact_record(record, tenant_id)
        return record

    factory._meridian = True
    return factory


def _redact_record(record: logging.LogRecord, tenant_id) -> None:
    # With the tenant, the credentials the gateway sent for it are cut out too (an upstream may echo them).
    try:
        message = record.getMessage()
    except Exception:  # a malformed call is logging's own problem to report; never lose the record here
        return
    cleaned = redact(message, tenant_id=tenant_id)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and record.exc_info[0] is not None:
        # Rendered now, so every formatter uses this text (`exc_text`) rather than the raw exception.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info), tenant_id=tenant_id)


class JSONFormatter(logging.Formatter):
    # One encoder, and the time text once a second: json.dumps built an encoder per line, and formatting the time
    # was a good part of the access log's cost on a busy worker.
    _encoder = json.JSONEncoder(default=str)
    _second = (None, "")  # (the second, its text): one tuple, so threads never pair a second with another's text

    def _timestamp(self, record) -> str:
        second, text = self._second
        if second != int(record.created):
            text = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
            self._second = (int(record.created), text)
        return f"{text}.{int(record.msecs):03d}Z"

    def format(self, record):
        entry = {
            "ts": self._timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None),
            "tenant_id": getattr(record, "tenant_id", None),
        }
        for key in ("path", "method", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return self._encoder.encode(entry)


def configure_logging(app):
    if not getattr(logging.getLogRecordFactory(), "_meridian", False):
        logging.setLogRecordFactory(_context_record_factory(logging.getLogRecordFactory()))
    handler = logging.StreamHandler(sys.stderr)
    handler._meridian = True
    handler.setFormatter(
        JSONFormatter()
        if app.config["LOG_JSON"]
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s")
    )
    root = logging.getLogger()
    # Replace only our own handler, so test capture and embedding servers keep theirs.
    root.handlers = [h for h in root.handlers if not getattr(h, "_meridian", False)] + [handler]
    root.setLevel(app.config["LOG_LEVEL"])


@functools.lru_cache(maxsize=4096)
def _request_metrics(method: str, route: str, status: int):
    """The request counter and latency histogram of one method, route (the rule, not the path: bounded) and status.
    Remembered: finding a labelled child takes a lock and a lookup, twice per request."""
    return HTTP_REQUESTS.labels(method, route, str(status)), HTTP_LATENCY.labels(method, route)


def new_correlation_id() -> str:
    """A random (version 4) UUID as text, made from 16 random bytes without building a UUID object (a per-request
    cost on every answer)."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def init_request_tracking(app):
    access_log = logging.getLogger("meridian.access")

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Correlation-ID", "")
        g.correlation_id = incoming if _SAFE_CORRELATION_ID.match(incoming) else new_correlation_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Correlation-ID"] = g.get("correlation_id", "")
        for key, value in (g.get("rate_limit_headers") or {}).items():
            response.headers[key] = str(value)
        elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        counted, timed = _request_metrics(request.method, route, response.status_code)
        counted.inc()
        timed.observe(elapsed)
        if not request.path.startswith("/static") and access_log.isEnabledFor(logging.INFO):
            # The record is made here rather than by `access_log.info`, which walks the stack for the caller's file
            # and line on every answer: the access line never shows them.
            record = access_log.makeRecord(
                access_log.name,
                logging.INFO,
                __file__,
                0,
                "%s %s %s",
                (request.method, request.path, response.status_code),
                None,
                extra={
                    "path": request.path,
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            access_log.handle(record)
        return response

    @app.teardown_request
    def _clear_context(_exc):
        tenant_context.clear()
