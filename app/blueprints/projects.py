from flask import Blueprint, current_app, g, jsonify, request

from app.blueprints.serializers import page
from app.schemas.common import IncludeDeletedArgs
from app.schemas.jobs import JobSchema
from app.schemas.projects import ProjectListArgs, ProjectSchema
from app.schemas.users import MemberSchema
from app.services import project_cache, project_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import accepted, etagged, if_match_version, json_text, load_args, load_body
from app.web.openapi import doc

bp = Blueprint("projects", __name__, url_prefix="/api/v1/projects")
_schema = ProjectSchema()


STAFF_WHO_SEE_DELETED_PROJECTS = ("admin", "pm")


def _etagged(project, status=200):
    return etagged(_schema.dump(project), project.version, status)


def _include_deleted(args) -> bool:
    return args["include_deleted"] and g.principal.role in STAFF_WHO_SEE_DELETED_PROJECTS


def _page_keys_ahead(tenant_id) -> tuple[str, ...]:
    """The shared page a member of staff would get, read along with the session check."""
    args = load_args(ProjectListArgs)
    if args["include_deleted"]:
        return ()  # whether it counts depends on the role, known only after the check
    return project_cache.list_page_keys(tenant_id, {**args, "include_deleted": False})


@bp.get("")
@requires("projects.read", read_ahead=_page_keys_ahead)
@doc("List projects (customers see only their own)", args=ProjectListArgs, response=ProjectSchema, many=True)
def list_projects():
    """Staff of a tenant all see the same list, so its pages are shared between them until a project of the
    tenant is written (project_cache.list_page); customers and project-scoped tokens see part of it, read
    from the database. `Cache-Control: no-cache` asks for a page read now."""
    args = load_args(ProjectListArgs)
    query = {**args, "include_deleted": _include_deleted(args)}

    def render() -> str:
        projects, total = project_service.list_projects(
            g.current_user,
            query["limit"],
            query["offset"],
            phase=query.get("phase"),
            q=query.get("q"),
            include_deleted=query["include_deleted"],
        )
        return current_app.json.dumps(page(projects, total, _schema))

    if not project_service.sees_whole_tenant(g.principal):
        return json_text(render())
    return json_text(project_cache.list_page(query, render, refresh=bool(request.cache_control.no_cache)))


@bp.post("")
@requires("projects.manage")
@doc("Create a project", body=ProjectSchema, response=ProjectSchema, status=201)
def create_project():
    return _etagged(project_service.create_project(load_body(ProjectSchema())), 201)


@bp.get("/<uuid:project_id>")
@requires("projects.read")
@doc("One project", args=IncludeDeletedArgs, response=ProjectSchema)
def get_project(project_id):
    include_deleted = _include_deleted(load_args(IncludeDeletedArgs))
    return _etagged(project_service.get_project(g.current_user, project_id, include_deleted=include_deleted))


@bp.route("/<uuid:project_id>", methods=["PUT", "PATCH"])
@requires("projects.manage")
@doc("Change a project (If-Match: version)", body=ProjectSchema, response=ProjectSchema)
def update_project(project_id):
    project = project_service.get_project(g.current_user, project_id)
    data = load_body(ProjectSchema(), partial=True)
    return _etagged(project_service.update_project(project, data, if_match_version()))


@bp.delete("/<uuid:project_id>")
@requires("projects.manage")
@doc("Soft-delete a project", status=204)
def delete_project(project_id):
    project_service.delete_project(project_service.get_project(g.current_user, project_id), if_match_version())
    return "", 204


@bp.post("/<uuid:project_id>/restore")
@requires("projects.manage")
@doc("Restore a soft-deleted project", response=ProjectSchema)
def restore_project(project_id):
    project = project_service.get_project(g.current_user, project_id, include_deleted=True)
    return _etagged(project_service.restore_project(project))


def _member_dict(member) -> dict:
    return {
        "user_id": str(member.user_id),
        "email": member.user.email,
        "name": member.user.name,
        "role": member.user.role,
        "added_at": member.created_at.isoformat(),
    }


@bp.get("/<uuid:project_id>/members")
@requires("projects.read")
@doc("Project members", response=MemberSchema, many=True)
def list_members(project_id):
    members = project_service.list_members(project_service.get_project(g.current_user, project_id))
    return jsonify({"items": [_member_dict(m) for m in members], **page_total(len(members))})


@bp.post("/<uuid:project_id>/members")
@requires("projects.members.manage")
@doc("Add a member", body=MemberSchema, response=MemberSchema, status=201)
def add_member(project_id):
    project = project_service.get_project(g.current_user, project_id)
    data = load_body(MemberSchema())
    return jsonify(_member_dict(project_service.add_member(project, data["user_id"]))), 201


@bp.delete("/<uuid:project_id>/members/<uuid:user_id>")
@requires("projects.members.manage")
@doc("Remove a member", status=204)
def remove_member(project_id, user_id):
    project_service.remove_member(project_service.get_project(g.current_user, project_id), user_id)
    return "", 204


@bp.post("/<uuid:project_id>/export")
@requires("projects.export")
@doc("Export the project as JSON in the background (202 + job)", response=JobSchema, status=202)
def export_project(project_id):
    return accepted(project_service.start_export(project_service.get_project(g.current_user, project_id)))
