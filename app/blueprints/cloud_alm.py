"""SAP Cloud ALM endpoints (seed 000 §5): tenant configuration (admin), project sync jobs, sync log."""

from flask import Blueprint, jsonify

from app.schemas.cloud_alm import (
    AlmProjectSchema,
    AlmScopeArgs,
    AlmScopeSchema,
    CloudALMConfigInSchema,
    CloudALMConfigReplaceSchema,
    CloudALMConfigSchema,
    CloudALMSyncLogSchema,
    ConflictResolvedSchema,
    ConflictVersionsSchema,
    ConnectionTestResultSchema,
    ProjectMappingOutSchema,
    ProjectMappingSchema,
    PushRequirementsSchema,
    ResolveConflictSchema,
    StatusMappingRowSchema,
    StatusMappingSchema,
)
from app.schemas.jobs import JobSchema
from app.services.cloud_alm import config, conflicts, jobs, projects, status_mapping, sync_log, test_results
from app.services.pagination import page_total
from app.utils import tenant_context
from app.utils.errors import NotFound
from app.web import upstream
from app.web.auth import requires
from app.web.http import accepted, etagged, if_match_version, load_args, load_body
from app.web.openapi import doc
from app.web.scope import project_for

bp = Blueprint("cloud_alm", __name__, url_prefix="/api/v1")
upstream.guard(bp)  # other systems' error text: raw for admins only


def _own_tenant(tenant_id) -> None:
    """Another tenant's id in the path is indistinguishable from a tenant that does not exist."""
    if str(tenant_id) != str(tenant_context.require_tenant_id()):
        raise NotFound("Tenant not found.")


def _config_response(connection, status=200):
    return etagged(config.to_dict(connection), connection.version, status)


@bp.get("/tenants/<uuid:tenant_id>/integrations/cloud-alm/config")
@requires("integrations.manage")
@doc(
    "The tenant's SAP Cloud ALM configuration (never the secret)", response=CloudALMConfigSchema, tags=["integrations"]
)
def get_config(tenant_id):
    _own_tenant(tenant_id)
    return _config_response(config.require_connection())


@bp.post("/tenants/<uuid:tenant_id>/integrations/cloud-alm/config")
@requires("integrations.manage")
@doc(
    "Configure SAP Cloud ALM (the secret is stored encrypted, never returned)",
    body=CloudALMConfigInSchema,
    response=CloudALMConfigSchema,
    status=201,
    tags=["integrations"],
)
def create_config(tenant_id):
    _own_tenant(tenant_id)
    return _config_response(config.create_config(load_body(CloudALMConfigInSchema())), 201)


@bp.put("/tenants/<uuid:tenant_id>/integrations/cloud-alm/config")
@requires("integrations.manage")
@doc(
    "Replace the SAP Cloud ALM configuration (omit client_secret to keep it; If-Match)",
    body=CloudALMConfigReplaceSchema,
    response=CloudALMConfigSchema,
    tags=["integrations"],
)
def update_config(tenant_id):
    _own_tenant(tenant_id)
    config.require_connection()
    data = load_body(CloudALMConfigReplaceSchema())
    return _config_response(config.update_config(data, if_match_version()))


@bp.post("/tenants/<uuid:tenant_id>/integrations/cloud-alm/test-connection")
@requires("integrations.manage")
@doc(
    "Fetch an OAuth2 token and read the Cloud ALM project list: {ok, error}; success activates the configuration",
    response=ConnectionTestResultSchema,
    tags=["integrations"],
)
def test_connection(tenant_id):
    _own_tenant(tenant_id)
    return jsonify(ConnectionTestResultSchema().dump(config.run_connection_test()))


@bp.get("/tenants/<uuid:tenant_id>/integrations/cloud-alm/projects")
@requires("integrations.manage")
@doc(
    "The projects SAP Cloud ALM lists for this connection, to pick a Meridian project's from",
    response=AlmProjectSchema,
    many=True,
    tags=["integrations"],
    problems=(409,),  # no active connection, or Cloud ALM could not answer
)
def list_alm_projects(tenant_id):
    _own_tenant(tenant_id)
    items = projects.alm_projects()
    return jsonify({"items": AlmProjectSchema(many=True).dump(items), **page_total(len(items))})


@bp.get("/tenants/<uuid:tenant_id>/integrations/cloud-alm/scopes")
@requires("integrations.manage")
@doc(
    "The scopes of a Cloud ALM project (?project_id=), where its manual test cases go",
    args=AlmScopeArgs,
    response=AlmScopeSchema,
    many=True,
    tags=["integrations"],
    problems=(409,),  # no active connection, or Cloud ALM could not answer
)
def list_alm_scopes(tenant_id):
    _own_tenant(tenant_id)
    items = projects.alm_scopes(load_args(AlmScopeArgs)["project_id"])
    return jsonify({"items": AlmScopeSchema(many=True).dump(items), **page_total(len(items))})


@bp.put("/projects/<uuid:project_id>/integrations/cloud-alm/mapping")
@requires("integrations.manage")
@doc(
    "Map a project to a Cloud ALM project (and scope) from Cloud ALM's lists; null clears (If-Match)",
    body=ProjectMappingSchema,
    response=ProjectMappingOutSchema,
    tags=["integrations"],
)
def put_mapping(project_id):
    project = project_for(project_id)
    project = projects.map_project(project, load_body(ProjectMappingSchema()), if_match_version())
    return etagged(projects.mapping_dict(project), project.version)


@bp.get("/projects/<uuid:project_id>/integrations/cloud-alm/sync-log")
@requires("integrations.read")
@doc(
    "Connection state and the project's last 50 Cloud ALM sync operations",
    response=CloudALMSyncLogSchema,
    tags=["integrations"],
)
def get_sync_log(project_id):
    return jsonify(CloudALMSyncLogSchema().dump(sync_log.for_project(project_for(project_id))))


@bp.post("/projects/<uuid:project_id>/integrations/cloud-alm/push-requirements")
@requires("delivery.manage")
@doc(
    "Push requirements (all with `{}`, or requirement_ids) to Cloud ALM in the background (202 + job)",
    body=PushRequirementsSchema,
    response=JobSchema,
    status=202,
    tags=["integrations"],
)
def push_requirements(project_id):
    project = project_for(project_id)
    data = load_body(PushRequirementsSchema())  # `{}` pushes all: the body is required, as documented
    return accepted(jobs.start_push(project, data.get("requirement_ids")))


@bp.post("/projects/<uuid:project_id>/integrations/cloud-alm/pull-requirements")
@requires("delivery.manage")
@doc(
    "Pull requirement changes from Cloud ALM in the background (202 + job)",
    response=JobSchema,
    status=202,
    tags=["integrations"],
)
def pull_requirements(project_id):
    return accepted(jobs.start_pull(project_for(project_id)))


@bp.post("/projects/<uuid:project_id>/integrations/cloud-alm/push-test-results/<uuid:cycle_id>")
@requires("delivery.manage")
@doc(
    "Push a test cycle's cases and failed executions' defects to Cloud ALM (202 + job)",
    response=JobSchema,
    status=202,
    tags=["integrations"],
)
def push_test_results(project_id, cycle_id):
    project = project_for(project_id)
    cycle = test_results.cycle_of_project(project, cycle_id)
    return accepted(jobs.start_push_test_results(project, cycle))


@bp.get("/tenants/<uuid:tenant_id>/integrations/cloud-alm/status-mapping")
@requires("integrations.manage")
@doc(
    "Meridian requirement status -> Cloud ALM status/subStatus (defaults and this tenant's overrides)",
    response=StatusMappingRowSchema,
    many=True,
    tags=["integrations"],
)
def get_status_mapping(tenant_id):
    _own_tenant(tenant_id)
    return _status_rows(status_mapping.items())


def _status_rows(items):
    return jsonify({"items": StatusMappingRowSchema(many=True).dump(items), **page_total(len(items))})


@bp.put("/tenants/<uuid:tenant_id>/integrations/cloud-alm/status-mapping")
@requires("integrations.manage")
@doc(
    "Change the status mapping (rows equal to the default drop the override)",
    body=StatusMappingSchema,
    response=StatusMappingRowSchema,
    many=True,
    tags=["integrations"],
)
def put_status_mapping(tenant_id):
    _own_tenant(tenant_id)
    return _status_rows(status_mapping.replace(load_body(StatusMappingSchema())["items"]))


@bp.get("/projects/<uuid:project_id>/integrations/cloud-alm/conflicts/<uuid:requirement_id>")
@requires("delivery.read")
@doc(
    "Both versions of a requirement (Meridian's and Cloud ALM's live one) to resolve a conflict",
    response=ConflictVersionsSchema,
    tags=["integrations"],
    problems=(409,),  # no active connection, or Cloud ALM could not answer
)
def conflict_versions(project_id, requirement_id):
    requirement = conflicts.requirement_of(project_for(project_id), requirement_id)
    return jsonify(ConflictVersionsSchema().dump(conflicts.both_versions(requirement)))


@bp.post("/projects/<uuid:project_id>/integrations/cloud-alm/conflicts/<uuid:requirement_id>")
@requires("delivery.manage")
@doc(
    "Resolve a conflict: keep 'meridian' (pushed to Cloud ALM) or 'cloud_alm' (applied here)",
    body=ResolveConflictSchema,
    response=ConflictResolvedSchema,
    tags=["integrations"],
)
def resolve_conflict(project_id, requirement_id):
    requirement = conflicts.requirement_of(project_for(project_id), requirement_id)  # 404 before the body
    requirement = conflicts.resolve(requirement, load_body(ResolveConflictSchema())["keep"])
    return jsonify(ConflictResolvedSchema().dump(requirement))
