"""SAP Cloud ALM endpoints (seed 000 §5): tenant configuration (admin), project sync jobs, sync log."""
from flask import Blueprint, jsonify, request
from marshmallow import Schema, fields, validate

from app.blueprints.delivery_helpers import project_for
from app.models.explore.requirement import STATUSES as REQUIREMENT_STATUSES
from app.permissions import requires
from app.schemas.common import JobSchema
from app.services import cloud_alm_config, cloud_alm_conflicts, cloud_alm_jobs, cloud_alm_service, job_service
from app.utils import tenant_context
from app.utils.errors import NotFound
from app.utils.http import if_match_version, load_body
from app.utils.openapi import doc

bp = Blueprint("cloud_alm", __name__, url_prefix="/api/v1")


class CloudALMConfigInSchema(Schema):
    alm_url = fields.Url(required=True, validate=validate.Length(max=500))
    token_url = fields.Url(required=True, validate=validate.Length(max=500))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_secret = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=2000))
    sync_requirements = fields.Boolean(load_default=True)
    sync_test_results = fields.Boolean(load_default=False)


class CloudALMConfigSchema(Schema):
    id = fields.String()
    tenant_id = fields.String()
    alm_url = fields.String()
    token_url = fields.String()
    client_id = fields.String()
    sync_requirements = fields.Boolean()
    sync_test_results = fields.Boolean()
    is_active = fields.Boolean()
    last_test_at = fields.String(allow_none=True)
    last_test_status = fields.String(allow_none=True)
    secret_set = fields.Boolean()
    version = fields.Integer()


class PushRequirementsSchema(Schema):
    requirement_ids = fields.List(fields.UUID(), load_default=None, validate=validate.Length(max=5000))


def _own_tenant(tenant_id) -> None:
    """Another tenant's id in the path is indistinguishable from a tenant that does not exist."""
    if str(tenant_id) != str(tenant_context.require_tenant_id()):
        raise NotFound("Tenant not found.")


def _config_response(connection, status=200):
    body = cloud_alm_config.to_dict(connection)
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = f'"{connection.version}"'
    return response


def _accepted(job):
    body = job_service.to_dict(job)
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = body["status_url"]
    return response


@bp.get("/tenants/<uuid:tenant_id>/integrations/cloud-alm/config")
@requires("integrations.manage")
@doc("The tenant's SAP Cloud ALM configuration (never the secret)", response=CloudALMConfigSchema,
     tags=["integrations"])
def get_config(tenant_id):
    _own_tenant(tenant_id)
    return _config_response(cloud_alm_config.require_connection())


@bp.post("/tenants/<uuid:tenant_id>/integrations/cloud-alm/config")
@requires("integrations.manage")
@doc("Configure SAP Cloud ALM (the secret is stored encrypted, never returned)", body=CloudALMConfigInSchema,
     response=CloudALMConfigSchema, status=201, tags=["integrations"])
def create_config(tenant_id):
    _own_tenant(tenant_id)
    return _config_response(cloud_alm_config.create_config(load_body(CloudALMConfigInSchema())), 201)


@bp.put("/tenants/<uuid:tenant_id>/integrations/cloud-alm/config")
@requires("integrations.manage")
@doc("Change the SAP Cloud ALM configuration (omit client_secret to keep it; If-Match)",
     body=CloudALMConfigInSchema, response=CloudALMConfigSchema, tags=["integrations"])
def update_config(tenant_id):
    _own_tenant(tenant_id)
    cloud_alm_config.require_connection()
    data = load_body(CloudALMConfigInSchema(), partial=True)
    return _config_response(cloud_alm_config.update_config(data, if_match_version()))


@bp.post("/tenants/<uuid:tenant_id>/integrations/cloud-alm/test-connection")
@requires("integrations.manage")
@doc("Fetch an OAuth2 token and read tasks: {ok, error}; success activates the configuration",
     tags=["integrations"])
def test_connection(tenant_id):
    _own_tenant(tenant_id)
    return jsonify(cloud_alm_config.test_connection())


@bp.get("/projects/<uuid:project_id>/integrations/cloud-alm/sync-log")
@requires("integrations.read")
@doc("Connection state and the project's last 50 Cloud ALM sync operations", tags=["integrations"])
def sync_log(project_id):
    project = project_for(project_id)
    return jsonify(cloud_alm_service.get_sync_log(project.id))


@bp.post("/projects/<uuid:project_id>/integrations/cloud-alm/push-requirements")
@requires("delivery.manage")
@doc("Push requirements (all, or requirement_ids) to Cloud ALM in the background (202 + job)",
     body=PushRequirementsSchema, response=JobSchema, status=202, tags=["integrations"])
def push_requirements(project_id):
    project = project_for(project_id)
    data = load_body(PushRequirementsSchema()) if _has_body() else {}
    return _accepted(cloud_alm_jobs.start_push(project.id, data.get("requirement_ids")))


@bp.post("/projects/<uuid:project_id>/integrations/cloud-alm/pull-requirements")
@requires("delivery.manage")
@doc("Pull requirement changes from Cloud ALM in the background (202 + job)", response=JobSchema, status=202,
     tags=["integrations"])
def pull_requirements(project_id):
    project = project_for(project_id)
    return _accepted(cloud_alm_jobs.start_pull(project.id))


@bp.post("/projects/<uuid:project_id>/integrations/cloud-alm/push-test-results/<uuid:cycle_id>")
@requires("delivery.manage")
@doc("Push a test cycle's cases and failed executions' defects to Cloud ALM (202 + job)", response=JobSchema,
     status=202, tags=["integrations"])
def push_test_results(project_id, cycle_id):
    project = project_for(project_id)
    return _accepted(cloud_alm_jobs.start_push_test_results(project.id, cycle_id))


class StatusMappingItemSchema(Schema):
    meridian_status = fields.String(required=True, validate=validate.OneOf(REQUIREMENT_STATUSES))
    alm_status = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9_]{1,40}$"))
    alm_sub_status = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9_]{1,60}$"))


class StatusMappingSchema(Schema):
    items = fields.List(fields.Nested(StatusMappingItemSchema), required=True,
                        validate=validate.Length(max=len(REQUIREMENT_STATUSES)))


@bp.get("/tenants/<uuid:tenant_id>/integrations/cloud-alm/status-mapping")
@requires("integrations.manage")
@doc("Meridian requirement status -> Cloud ALM status/subStatus (defaults and this tenant's overrides)",
     tags=["integrations"])
def get_status_mapping(tenant_id):
    _own_tenant(tenant_id)
    items = cloud_alm_service.status_mapping_items()
    return jsonify({"items": items, "total": len(items)})


@bp.put("/tenants/<uuid:tenant_id>/integrations/cloud-alm/status-mapping")
@requires("integrations.manage")
@doc("Change the status mapping (rows equal to the default drop the override)", body=StatusMappingSchema,
     tags=["integrations"])
def put_status_mapping(tenant_id):
    _own_tenant(tenant_id)
    items = cloud_alm_service.replace_status_mapping(load_body(StatusMappingSchema())["items"])
    return jsonify({"items": items, "total": len(items)})


class ResolveConflictSchema(Schema):
    keep = fields.String(required=True, validate=validate.OneOf(("meridian", "cloud_alm")))


@bp.get("/projects/<uuid:project_id>/integrations/cloud-alm/conflicts/<uuid:requirement_id>")
@requires("delivery.read")
@doc("Both versions of a requirement (Meridian's and Cloud ALM's live one) to resolve a conflict",
     tags=["integrations"])
def conflict_versions(project_id, requirement_id):
    project = project_for(project_id)
    return jsonify(cloud_alm_conflicts.both_versions(project.id, requirement_id))


@bp.post("/projects/<uuid:project_id>/integrations/cloud-alm/conflicts/<uuid:requirement_id>")
@requires("delivery.manage")
@doc("Resolve a conflict: keep 'meridian' (pushed to Cloud ALM) or 'cloud_alm' (applied here)",
     body=ResolveConflictSchema, tags=["integrations"])
def resolve_conflict(project_id, requirement_id):
    project = project_for(project_id)
    cloud_alm_conflicts._requirement_of(project.id, requirement_id)  # 404 before the body is judged
    data = load_body(ResolveConflictSchema())
    requirement = cloud_alm_conflicts.resolve(project.id, requirement_id, data["keep"])
    return jsonify({"requirement_id": str(requirement.id), "alm_sync_status": requirement.alm_sync_status,
                    "version": requirement.version})


def _has_body() -> bool:
    return bool(request.get_data(cache=True))
