"""POST /api/v1/d365/push-lead and /push-leads (seed 003 §2.1): behind the D365_ENABLED flag; answer 202
with the platform job (GET /api/v1/jobs/<id> shows progress)."""
from flask import Blueprint, current_app, jsonify, url_for
from marshmallow import fields, validate

from app.permissions import requires
from app.schemas.common import BaseSchema, JobSchema
from app.services import job_service, lead_service
from app.tasks import d365_push
from app.utils.errors import Forbidden, NotFound, ValidationFailed
from app.utils.http import load_body
from app.utils.openapi import doc

bp = Blueprint("d365", __name__, url_prefix="/api/v1/d365")
MAX_BULK = 5000


class PushLeadSchema(BaseSchema):
    lead_id = fields.UUID()
    domain = fields.String(validate=validate.Length(min=3, max=253))


class PushLeadsSchema(BaseSchema):
    lead_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_BULK))


class D365Disabled(Forbidden):
    slug, title = "d365-disabled", "Dynamics 365 Integration Disabled"


def _require_enabled():
    if not current_app.config.get("D365_ENABLED"):
        raise D365Disabled("The Dynamics 365 integration is switched off (D365_ENABLED=false); no push was started.")


def _accepted(job):
    response = jsonify(job_service.to_dict(job))
    response.status_code = 202
    response.headers["Location"] = url_for("jobs.get_job", job_id=job.id)
    return response


@bp.post("/push-lead")
@requires("leads.push")
@doc("Push one lead to Dynamics 365 (by lead_id or domain); 202 with the job", body=PushLeadSchema,
     response=JobSchema, status=202)
def push_lead():
    _require_enabled()
    data = load_body(PushLeadSchema())
    if "lead_id" in data:
        lead = lead_service.get_lead(data["lead_id"])
    elif "domain" in data:
        lead = lead_service.find_by_domain(data["domain"])
        if lead is None:
            raise NotFound("No lead with this domain.")
    else:
        raise ValidationFailed("Say which lead.", errors={"lead_id": ["Give lead_id or domain."]})
    return _accepted(d365_push.request_push([lead]))


@bp.post("/push-leads")
@requires("leads.push")
@doc("Push a selection of leads to Dynamics 365 ($batch); 202 with the job", body=PushLeadsSchema,
     response=JobSchema, status=202)
def push_leads():
    _require_enabled()
    ids = list(dict.fromkeys(load_body(PushLeadsSchema())["lead_ids"]))
    leads = d365_push.leads_by_ids(ids)
    if len(leads) != len(ids):
        raise ValidationFailed("Some leads do not exist.", errors={"lead_ids": ["Unknown lead id(s)."]})
    return _accepted(d365_push.request_push(leads))
