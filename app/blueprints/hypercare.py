"""Run / hypercare API (seed 002 §6): incidents with SLA clocks, the SLA table, breaches and metrics.
Thin: the project (and object) is looked up first, so another tenant's ids answer 404 before any body check."""
import uuid

from flask import Blueprint, g, jsonify, request

from app.models.cutover import INCIDENT_STATUSES, PRIORITIES
from app.permissions import requires
from app.schemas.hypercare import (CommentSchema, EscalateSchema, IncidentSchema, IncidentUpdateSchema, ResolveSchema,
                                   SatisfactionSchema, SLASettingsSchema)
from app.services import project_service
from app.services.hypercare import incidents, metrics, sla
from app.utils.clock import utcnow
from app.utils.errors import ValidationFailed
from app.utils.http import if_match_version, load_body, page_params
from app.utils.openapi import doc

bp = Blueprint("hypercare", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/hypercare")
_incident = IncidentSchema()
_comment = CommentSchema()


def _project(project_id):
    return project_service.get_project(g.current_user, project_id)


def _dump(items, project, many=False):
    """Incidents with their live SLA clock (state, due, minutes left) from the project's calendar."""
    project_sla = sla.load(project)
    now = utcnow()
    rows = items if many else [items]
    out = []
    for incident, data in zip(rows, _incident.dump(rows, many=True)):
        data["sla"] = sla.clock_state(incident, project_sla, now)
        out.append(data)
    return out if many else out[0]


def _etagged(incident, project, status=200):
    response = jsonify(_dump(incident, project))
    response.status_code = status
    response.headers["ETag"] = f'"{incident.version}"'
    return response


def _list_arg(name: str, allowed) -> list[str] | None:
    raw = request.args.get(name)
    if not raw:
        return None
    values = [v.strip().lower() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValidationFailed(f"Unknown {name} filter.", errors={name: [f"One of {', '.join(allowed)}."]})
    return values


def _uuid_arg(name: str, message: str):
    raw = request.args.get(name) or None
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        raise ValidationFailed(f"Unknown {name}.", errors={name: [message]}) from None


def _filters() -> dict:
    breached = request.args.get("breached")
    assignee = request.args.get("assignee") or None
    if assignee not in (None, "me", "none"):
        assignee = _uuid_arg("assignee", "A user id, 'me' or 'none'.")
    sort = request.args.get("sort", "deadline")
    if sort not in incidents.SORTS:
        raise ValidationFailed("Unknown sort.", errors={"sort": [f"One of {', '.join(incidents.SORTS)}."]})
    return {"status": _list_arg("status", INCIDENT_STATUSES), "priority": _list_arg("priority", PRIORITIES),
            "module": (request.args.get("module") or "").strip().upper() or None, "assignee": assignee,
            "breached": None if breached in (None, "") else breached.lower() in ("1", "true", "yes"),
            "q": request.args.get("q") or None, "sort": sort,
            "backlog_item": _uuid_arg("backlog_item", "A backlog item id.")}


@bp.get("/incidents")
@requires("hypercare.read")
@doc("Incidents, next SLA deadline first; filters status, priority, module, assignee, breached, backlog_item, q",
     response=IncidentSchema, many=True)
def list_incidents(project_id):
    project = _project(project_id)
    limit, offset = page_params()
    filters = _filters()
    items, total = incidents.list_incidents(project, g.current_user, filters, limit, offset, filters.pop("sort"))
    return jsonify({"items": _dump(items, project, many=True), "total": total})


@bp.post("/incidents")
@requires("hypercare.report")
@doc("Report an incident; SLA deadlines are computed from the priority", body=IncidentSchema,
     response=IncidentSchema, status=201)
def create_incident(project_id):
    project = _project(project_id)
    data = load_body(IncidentSchema())
    data.pop("status", None)
    return _etagged(incidents.create_incident(project, g.current_user, data), project, 201)


@bp.get("/incidents/<uuid:incident_id>")
@requires("hypercare.read")
@doc("One incident with its SLA clock and timeline", response=IncidentSchema)
def get_incident(project_id, incident_id):
    project = _project(project_id)
    incident = incidents.read_incident(project, incident_id)
    response = _etagged(incident, project)
    body = response.get_json()
    body["timeline"] = incidents.timeline(incident, g.current_user)
    response.set_data(jsonify(body).get_data())
    return response


@bp.route("/incidents/<uuid:incident_id>", methods=["PUT", "PATCH"])
@requires("hypercare.work")
@doc("Change an incident (If-Match): priority recomputes the SLA, waiting_customer pauses it",
     body=IncidentUpdateSchema, response=IncidentSchema)
def update_incident(project_id, incident_id):
    project = _project(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(IncidentUpdateSchema(), partial=True)
    return _etagged(incidents.update_incident(project, incident, data, if_match_version(), g.current_user), project)


@bp.post("/incidents/<uuid:incident_id>/first-response")
@requires("hypercare.work")
@doc("Record the first response (stops the response clock)", response=IncidentSchema)
def first_response(project_id, incident_id):
    project = _project(project_id)
    incident = incidents.get_incident(project, incident_id)
    return _etagged(incidents.add_first_response(project, incident, g.current_user), project)


@bp.post("/incidents/<uuid:incident_id>/resolve")
@requires("hypercare.work")
@doc("Resolve with root cause (stops the resolution clock)", body=ResolveSchema, response=IncidentSchema)
def resolve(project_id, incident_id):
    project = _project(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(ResolveSchema())
    return _etagged(incidents.resolve_incident(project, incident, data, g.current_user), project)


@bp.post("/incidents/<uuid:incident_id>/escalate")
@requires("hypercare.work")
@doc("Escalate one level (optionally to another assignee)", body=EscalateSchema, response=IncidentSchema)
def escalate(project_id, incident_id):
    project = _project(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(EscalateSchema())
    return _etagged(incidents.escalate(project, incident, data, g.current_user), project)


@bp.post("/incidents/<uuid:incident_id>/satisfaction")
@requires("hypercare.report")
@doc("Rate the support 1-5 (the reporter, after resolution)", body=SatisfactionSchema, response=IncidentSchema)
def satisfaction(project_id, incident_id):
    project = _project(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(SatisfactionSchema())
    return _etagged(incidents.rate(incident, g.current_user, data), project)


@bp.get("/incidents/<uuid:incident_id>/comments")
@requires("hypercare.read")
@doc("Comments, oldest first (customers never see internal notes)", response=CommentSchema, many=True)
def list_comments(project_id, incident_id):
    incident = incidents.get_incident(_project(project_id), incident_id)
    items = incidents.list_comments(incident, g.current_user)
    return jsonify({"items": _comment.dump(items, many=True), "total": len(items)})


@bp.post("/incidents/<uuid:incident_id>/comments")
@requires("hypercare.report")
@doc("Add a comment (public, or an internal note for staff)", body=CommentSchema, response=CommentSchema, status=201)
def add_comment(project_id, incident_id):
    project = _project(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(CommentSchema())
    return jsonify(_comment.dump(incidents.add_comment(project, incident, g.current_user, data))), 201


@bp.get("/sla-breaches")
@requires("hypercare.read")
@doc("Open incidents whose response or resolution SLA was breached", response=IncidentSchema, many=True)
def sla_breaches(project_id):
    project = _project(project_id)
    limit, offset = page_params()
    items, total = incidents.list_breaches(project, limit, offset)
    return jsonify({"items": _dump(items, project, many=True), "total": total})


@bp.get("/metrics")
@requires("hypercare.read")
@doc("War-room metrics (SQL aggregates)")
def get_metrics(project_id):
    return jsonify(metrics.incident_metrics(_project(project_id)))


@bp.get("/sla")
@requires("hypercare.read")
@doc("The SLA targets per priority and the support calendar", response=SLASettingsSchema)
def get_sla(project_id):
    return jsonify(sla.load(_project(project_id)).to_dict())


@bp.put("/sla")
@requires("hypercare.sla.manage")
@doc("Replace SLA targets, support hours and holidays", body=SLASettingsSchema, response=SLASettingsSchema)
def put_sla(project_id):
    project = _project(project_id)
    data = load_body(SLASettingsSchema())
    return jsonify(sla.save(project, data).to_dict())
