"""Triage assistant API (issue 19): similar incidents, suggested module / priority / assignee and the
duplicate warning, for text being typed and for an existing incident; suggestion outcomes and their
acceptance report; incidents linked as duplicates. Thin: the project (and incident) are looked up first, so
another tenant's ids answer 404 before any body is read."""

from flask import Blueprint, g, jsonify

from app.schemas.triage import (
    AcceptanceSchema,
    IncidentLinkSchema,
    LinkCreateSchema,
    OutcomeRecordSchema,
    OutcomesSchema,
    TriageAdviceSchema,
    TriageTextSchema,
)
from app.services.hypercare import incidents
from app.services.hypercare_triage import advice, links, outcomes
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import load_body
from app.web.openapi import doc
from app.web.scope import project_for

bp = Blueprint("triage", __name__, url_prefix="/api/v1/projects/<uuid:project_id>/hypercare")
_advice = TriageAdviceSchema()
_outcome = OutcomeRecordSchema()
_link = IncidentLinkSchema()
TAGS = ["hypercare-triage"]


@bp.post("/triage/suggestions")
@requires("hypercare.report")
@doc(
    "Similar incidents, suggested module, priority and assignee, and a possible duplicate for an incident "
    "being typed (nothing is saved)",
    body=TriageTextSchema,
    response=TriageAdviceSchema,
    tags=TAGS,
)
def suggest_for_text(project_id):
    project = project_for(project_id)
    data = load_body(TriageTextSchema())
    return jsonify(_advice.dump(advice.for_text(project, g.current_user, data)))


@bp.get("/incidents/<uuid:incident_id>/triage")
@requires("hypercare.read")
@doc(
    "Similar incidents, suggestions and a possible duplicate for an existing incident",
    response=TriageAdviceSchema,
    tags=TAGS,
)
def suggest_for_incident(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    return jsonify(_advice.dump(advice.for_incident(project, g.current_user, incident)))


@bp.post("/incidents/<uuid:incident_id>/triage/outcomes")
@requires("hypercare.report")
@doc(
    "Record whether suggestions shown for this incident were accepted (one per field; the last decision counts)",
    body=OutcomesSchema,
    response=OutcomeRecordSchema,
    many=True,
    tags=TAGS,
)
def record_outcomes(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(OutcomesSchema())
    saved = outcomes.record(project, incident, g.current_user, data["outcomes"])
    return jsonify({"items": _outcome.dump(saved, many=True), **page_total(len(saved))})


@bp.get("/triage/acceptance")
@requires("hypercare.work")
@doc(
    "How often the project's suggestions were accepted, per field and confidence tenth",
    response=AcceptanceSchema,
    tags=TAGS,
)
def acceptance(project_id):
    project = project_for(project_id)
    return jsonify(AcceptanceSchema().dump(outcomes.acceptance(project)))


@bp.get("/incidents/<uuid:incident_id>/links")
@requires("hypercare.read")
@doc("Duplicate links from and to this incident", response=IncidentLinkSchema, many=True, tags=TAGS)
def list_links(project_id, incident_id):
    incident = incidents.get_incident(project_for(project_id), incident_id)
    items = links.list_links(incident)
    return jsonify({"items": _link.dump(items, many=True), **page_total(len(items))})


@bp.post("/incidents/<uuid:incident_id>/links")
@requires("hypercare.report")
@doc(
    "Link this incident as a duplicate of another of the project",
    body=LinkCreateSchema,
    response=IncidentLinkSchema,
    status=201,
    tags=TAGS,
)
def create_link(project_id, incident_id):
    project = project_for(project_id)
    incident = incidents.get_incident(project, incident_id)
    data = load_body(LinkCreateSchema())
    return jsonify(_link.dump(links.link_duplicate(project, incident, g.current_user, data))), 201


@bp.delete("/incidents/<uuid:incident_id>/links/<uuid:link_id>")
@requires("hypercare.work")
@doc("Remove a duplicate link", status=204, tags=TAGS)
def delete_link(project_id, incident_id, link_id):
    incident = incidents.get_incident(project_for(project_id), incident_id)
    links.unlink(incident, links.get_link(incident, link_id), g.current_user)
    return "", 204
