"""Run / hypercare API (seed 002 §6): incidents with SLA clocks, the SLA table, breaches and metrics.
Thin: the project (and object) is looked up first, so another tenant's ids answer 404 before any body check."""

from flask import Blueprint, current_app, g, jsonify, request

from app.schemas.common import PageArgs
from app.schemas.hypercare import (
    CommentSchema,
    EscalateSchema,
    IncidentDetailSchema,
    IncidentListArgs,
    IncidentSchema,
    IncidentUpdateSchema,
    MetricsSchema,
    ResolveSchema,
    SatisfactionSchema,
    SLAClockSchema,
    SLASettingsSchema,
)
from app.services.hypercare import breaches, incidents, metrics, sla, war_room_cache
from app.services.pagination import page_total
from app.utils.clock import utcnow
from app.web.auth import requires
from app.web.http import etagged, if_match_version, json_text, load_args, load_body
from app.web.openapi import doc
from app.web.scope import project_for

bp = Blueprint("hypercare", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/hypercare")
_incident = IncidentSchema()
_detail = IncidentDetailSchema(only=("timeline",))
_clock = SLAClockSchema()
_comment = CommentSchema()
_metrics = MetricsSchema()


def _dump(items, project, many=False):
    """Incidents with their live SLA clock (state, due, minutes left) from the project's calendar."""
    project_sla = sla.load(project)
    now = utcnow()
    rows = items if many else [items]
    out = []
    for incident, data in zip(rows, _incident.dump(rows, many=True)):
        data["sla"] = _clock.dump(sla.clock_state(incident, project_sla, now))
        out.append(data)
    return out if many else out[0]


def _shared_page(project, query: dict, read):
    """A list page every reader of the project shares for a few seconds (war_room_cache.page): the war room polls
    the same pages from every screen. The lazy breach sweep still runs first, so the flags are as fresh as
    without the cache; `Cache-Control: no-cache` asks for a page rendered now."""

    def render() -> str:
        items, total = read()
        return current_app.json.dumps({"items": _dump(items, project, many=True), **page_total(total)})

    refresh = bool(request.cache_control.no_cache)
    text = war_room_cache.page(project.id, query, render, lambda: breaches.sweep(project.id), refresh)
    return json_text(text)


def _etagged(incident, project, status=200, **extra):
    return etagged({**_dump(incident, project), **extra}, incident.version, status)


@bp.get("/incidents")
@requires("hypercare.read")
@doc(
    "Incidents, next SLA deadline first; filters status, priority, module, assignee, breached, backlog_item, q",
    args=IncidentListArgs,
    response=IncidentSchema,
    many=True,
)
def list_incidents(project_id):
    project = project_for(project_id)
    args = load_args(IncidentListArgs)
    limit, offset, sort = args.pop("limit"), args.pop("offset"), args.pop("sort")
    filters = {
        name: args.get(name) for name in ("status", "priority", "module", "assignee", "breached", "q", "backlog_item")
    }
    # "assignee=me" is a different page for each reader
    me = g.current_user.id if filters["assignee"] == "me" else None
    query = {"list": "incidents", **filters, "limit": limit, "offset": offset, "sort": sort, "me": me}
    return _shared_page(
        project, query, lambda: incidents.list_incidents(project, g.current_user, filters, limit, offset, sort)
    )


@bp.post("/incidents")
@requires("hypercare.report")
@doc(
    "Report an incident; SLA deadlines are computed from the priority",
    body=IncidentSchema,
    response=IncidentSchema,
    status=201,
)
def create_incident(project_id):
    project = project_for(project_id)
    data = load_body(IncidentSchema())
    data.pop("status", None)
    return _etagged(incidents.create_incident(project, g.current_user, data), project, 201)


@bp.get("/incidents/<uuid:incident_id>")
@requires("hypercare.read")
@doc("One incident with its SLA clock and timeline", response=IncidentDetailSchema)
def get_incident(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.read_incident(project, incident_id)
    return _etagged(incident, project, **_detail.dump({"timeline": incidents.timeline(incident, g.current_user)}))


@bp.route("/incidents/<uuid:incident_id>", methods=["PUT", "PATCH"])
@requires("hypercare.work")
@doc(
    "Change an incident (If-Match): priority recomputes the SLA, waiting_customer pauses it",
    body=IncidentUpdateSchema,
    response=IncidentSchema,
)
def update_incident(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(IncidentUpdateSchema(), partial=request.method == "PATCH")
    return _etagged(incidents.update_incident(project, incident, data, if_match_version(), g.current_user), project)


@bp.post("/incidents/<uuid:incident_id>/first-response")
@requires("hypercare.work")
@doc("Record the first response (stops the response clock)", response=IncidentSchema)
def first_response(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    return _etagged(incidents.add_first_response(project, incident, g.current_user), project)


@bp.post("/incidents/<uuid:incident_id>/resolve")
@requires("hypercare.work")
@doc("Resolve with root cause (stops the resolution clock)", body=ResolveSchema, response=IncidentSchema)
def resolve(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(ResolveSchema())
    return _etagged(incidents.resolve_incident(project, incident, data, g.current_user), project)


@bp.post("/incidents/<uuid:incident_id>/escalate")
@requires("hypercare.work")
@doc("Escalate one level (optionally to another assignee)", body=EscalateSchema, response=IncidentSchema)
def escalate(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(EscalateSchema())
    return _etagged(incidents.escalate(project, incident, data, g.current_user), project)


@bp.post("/incidents/<uuid:incident_id>/satisfaction")
@requires("hypercare.report")
@doc("Rate the support 1-5 (the reporter, after resolution)", body=SatisfactionSchema, response=IncidentSchema)
def satisfaction(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(SatisfactionSchema())
    return _etagged(incidents.rate(incident, g.current_user, data), project)


@bp.get("/incidents/<uuid:incident_id>/comments")
@requires("hypercare.read")
@doc("Comments, oldest first (customers never see internal notes)", response=CommentSchema, many=True)
def list_comments(project_id, incident_id):
    incident = incidents.get_incident(project_for(project_id), incident_id)
    items = incidents.list_comments(incident, g.current_user)
    return jsonify({"items": _comment.dump(items, many=True), **page_total(len(items))})


@bp.post("/incidents/<uuid:incident_id>/comments")
@requires("hypercare.report")
@doc("Add a comment (public, or an internal note for staff)", body=CommentSchema, response=CommentSchema, status=201)
def add_comment(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(CommentSchema())
    return jsonify(_comment.dump(incidents.add_comment(project, incident, g.current_user, data))), 201


@bp.get("/sla-breaches")
@requires("hypercare.read")
@doc("Open incidents whose response or resolution SLA was breached", args=PageArgs, response=IncidentSchema, many=True)
def sla_breaches(project_id):
    project = project_for(project_id)
    args = load_args(PageArgs)
    query = {"list": "breaches", "limit": args["limit"], "offset": args["offset"]}
    return _shared_page(project, query, lambda: incidents.list_breaches(project, args["limit"], args["offset"]))


@bp.get("/metrics")
@requires("hypercare.read")
@doc("War-room metrics (SQL aggregates)", response=MetricsSchema)
def get_metrics(project_id):
    project = project_for(project_id)
    return json_text(metrics.incident_metrics(project, lambda tiles: current_app.json.dumps(_metrics.dump(tiles))))


@bp.get("/sla")
@requires("hypercare.read")
@doc("The SLA targets per priority and the support calendar", response=SLASettingsSchema)
def get_sla(project_id):
    return jsonify(sla.load(project_for(project_id)).to_dict())


@bp.put("/sla")
@requires("hypercare.sla.manage")
@doc("Replace SLA targets, support hours and holidays", body=SLASettingsSchema, response=SLASettingsSchema)
def put_sla(project_id):
    project = project_for(project_id)
    data = load_body(SLASettingsSchema())
    return jsonify(sla.save(project, data).to_dict())
