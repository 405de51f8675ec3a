"""Post-go-live change requests and the change board (seed 002 §6)."""

from flask import Blueprint, g, jsonify, request

from app.schemas.hypercare import ChangeRequestListArgs, ChangeRequestSchema, RaiseChangeRequestSchema, RejectSchema
from app.services.hypercare import change_requests, incidents
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc
from app.web.scope import project_for

bp = Blueprint("change_requests", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/hypercare")
_schema = ChangeRequestSchema()


def _etagged(cr, status=200):
    return etagged(_schema.dump(cr), cr.version, status)


@bp.get("/change-requests")
@requires("changes.read")
@doc("Change requests, newest first; ?status=a,b", args=ChangeRequestListArgs, response=ChangeRequestSchema, many=True)
def list_change_requests(project_id):
    project = project_for(project_id)
    args = load_args(ChangeRequestListArgs)
    items, total = change_requests.list_change_requests(project, args["limit"], args["offset"], args.get("status"))
    return jsonify({"items": _schema.dump(items, many=True), **page_total(total)})


@bp.post("/change-requests")
@requires("changes.request")
@doc("Raise a change request (CR-001 per project)", body=ChangeRequestSchema, response=ChangeRequestSchema, status=201)
def create_change_request(project_id):
    project = project_for(project_id)
    data = load_body(ChangeRequestSchema())
    data.pop("status", None)
    return _etagged(change_requests.create_change_request(project, g.current_user, data), 201)


@bp.post("/incidents/<uuid:incident_id>/change-request")
@requires("changes.request")
@doc(
    "Raise a change request from an incident (linked both ways)",
    body=RaiseChangeRequestSchema,
    response=ChangeRequestSchema,
    status=201,
)
def raise_from_incident(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(RaiseChangeRequestSchema())
    data.pop("status", None)
    return _etagged(change_requests.raise_from_incident(project, incident, g.current_user, data), 201)


@bp.get("/change-requests/<uuid:cr_id>")
@requires("changes.read")
@doc("One change request", response=ChangeRequestSchema)
def get_change_request(project_id, cr_id):
    return _etagged(change_requests.get_change_request(project_for(project_id), cr_id))


@bp.route("/change-requests/<uuid:cr_id>", methods=["PUT", "PATCH"])
@requires("changes.request")
@doc(
    "Edit a draft, or move it on (in_progress, implemented, closed); If-Match",
    body=ChangeRequestSchema,
    response=ChangeRequestSchema,
)
def update_change_request(project_id, cr_id):
    cr = change_requests.get_change_request(project_for(project_id), cr_id)
    data = load_body(ChangeRequestSchema(), partial=request.method == "PATCH")
    return _etagged(change_requests.update_change_request(cr, data, if_match_version()))


@bp.post("/change-requests/<uuid:cr_id>/submit")
@requires("changes.request")
@doc("Submit a draft to the change board", response=ChangeRequestSchema)
def submit(project_id, cr_id):
    return _etagged(change_requests.submit(change_requests.get_change_request(project_for(project_id), cr_id)))


@bp.post("/change-requests/<uuid:cr_id>/approve")
@requires("changes.approve")
@doc("Approve (approver/admin, never the requester)", response=ChangeRequestSchema)
def approve(project_id, cr_id):
    cr = change_requests.get_change_request(project_for(project_id), cr_id)
    return _etagged(change_requests.approve(cr, g.current_user))


@bp.post("/change-requests/<uuid:cr_id>/reject")
@requires("changes.approve")
@doc("Reject with a reason (approver/admin, never the requester)", body=RejectSchema, response=ChangeRequestSchema)
def reject(project_id, cr_id):
    cr = change_requests.get_change_request(project_for(project_id), cr_id)
    data = load_body(RejectSchema())
    return _etagged(change_requests.reject(cr, g.current_user, data["reason"]))
