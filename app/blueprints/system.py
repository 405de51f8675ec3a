"""Health, metrics, the OpenAPI document and the current tenant."""

import hmac
import os

from flask import Blueprint, Response, current_app, g, jsonify, request
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from sqlalchemy import text

from app.blueprints.serializers import me_dict
from app.extensions import db, kv
from app.schemas.users import TenantSchema
from app.utils.errors import NotFound, Unauthorized
from app.utils.observability import REGISTRY
from app.web.auth import requires
from app.web.openapi import build_spec, doc

bp = Blueprint("system", __name__)


@bp.get("/healthz/live")
def live():
    return jsonify({"status": "ok"})


@bp.get("/healthz/ready")
def ready():
    """Our own dependencies only; never an external integration (seed 003)."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # report, do not crash
        db.session.rollback()
        checks["database"] = "unavailable"
    if current_app.config["REDIS_URL"]:
        try:
            kv.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return jsonify({"status": "ok" if healthy else "unavailable", **checks}), 200 if healthy else 503


@bp.get("/metrics")
def metrics():
    _check_metrics_access()
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # gunicorn workers: sum every worker's numbers
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")


_LOOPBACK = {"127.0.0.1", "::1"}


def _check_metrics_access() -> None:
    """The numbers describe every tenant's traffic, so nobody reads them without being the scraper."""
    token = current_app.config["METRICS_TOKEN"]
    if token:
        scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(supplied.strip().encode(), token.encode()):
            raise Unauthorized("A valid metrics token is required.", headers={"WWW-Authenticate": "Bearer"})
        return
    if current_app.config["METRICS_OPEN_ON_LOOPBACK"] and request.remote_addr in _LOOPBACK:
        return
    raise NotFound("No such resource.")  # unconfigured: the endpoint does not exist for the caller


@bp.get("/api/v1/openapi.json")
def openapi():
    if "openapi_spec" not in current_app.extensions:
        current_app.extensions["openapi_spec"] = build_spec(current_app)
    return jsonify(current_app.extensions["openapi_spec"])


@bp.get("/api/v1/tenant")
@requires("tenant.read")
@doc("The current tenant", response=TenantSchema)
def tenant():
    return jsonify(me_dict(g.current_user, g.current_tenant)["tenant"])
