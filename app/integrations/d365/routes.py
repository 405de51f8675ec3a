"""POST /api/v1/d365/push-lead and /push-leads (seed 003 §2.1): behind the D365_ENABLED flag; answer 202
with the platform job (GET /api/v1/jobs/<id> shows progress)."""

from flask import Blueprint, current_app

from app.integrations.d365 import push as d365_push
from app.integrations.d365.schemas import PushLeadSchema, PushLeadsSchema
from app.schemas.jobs import JobSchema
from app.services import lead_service
from app.utils.errors import Forbidden, NotFound, ValidationFailed
from app.web.auth import requires
from app.web.http import accepted, load_body
from app.web.openapi import doc

bp = Blueprint("d365", __name__, url_prefix="/api/v1/d365")


class D365Disabled(Forbidden):
    slug, title = "d365-disabled", "Dynamics 365 Integration Disabled"


def _require_enabled():
    if not current_app.config.get("D365_ENABLED"):
        raise D365Disabled("The Dynamics 365 integration is switched off (D365_ENABLED=false); no push was started.")


@bp.post("/push-lead")
@requires("leads.push")
@doc(
    "Push one lead to Dynamics 365 (by lead_id or domain); 202 with the job",
    body=PushLeadSchema,
    response=JobSchema,
    status=202,
)
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
    return accepted(d365_push.request_push([lead]))


@bp.post("/push-leads")
@requires("leads.push")
@doc(
    "Push a selection of leads to Dynamics 365 ($batch); 202 with the job",
    body=PushLeadsSchema,
    response=JobSchema,
    status=202,
)
def push_leads():
    _require_enabled()
    ids = list(dict.fromkeys(load_body(PushLeadsSchema())["lead_ids"]))
    leads = d365_push.leads_by_ids(ids)
    if len(leads) != len(ids):
        raise ValidationFailed("Some leads do not exist.", errors={"lead_ids": ["Unknown lead id(s)."]})
    return accepted(d365_push.request_push(leads))
