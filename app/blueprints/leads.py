"""The leads API (pre-sales pipeline). Each lead carries its Dynamics 365 sync state and a link to the
record there; pushing lives in the integration zone (app/integrations/d365/routes.py)."""

from flask import Blueprint, jsonify, request

from app.schemas.leads import LeadD365Schema, LeadListArgs, LeadSchema
from app.schemas.results import CsvUploadSchema, LeadImportResultSchema
from app.services import lead_service
from app.services.pagination import page_total
from app.web import upstream
from app.web.auth import requires
from app.web.http import etagged, if_match_version, load_args, load_body, uploaded_file
from app.web.openapi import doc

bp = Blueprint("leads", __name__, url_prefix="/api/v1/leads")
_schema = LeadSchema()
_d365 = LeadD365Schema()
_D365_LABELS = {
    None: "Not synced",
    "pending": "Syncing",
    "in_progress": "Syncing",
    "synced": "Synced",
    "error": "Error",
}


def _lead_dict(lead, org_url) -> dict:
    body = _schema.dump(lead)
    body["d365"] = _d365.dump(
        {
            "status": lead.d365_sync_status or "not_synced",
            "label": _D365_LABELS[lead.d365_sync_status],
            "lead_id": lead.d365_lead_id,
            "last_synced_at": lead.d365_sync_last_at,
            "error": upstream.text_for_caller(lead.d365_sync_error, f"lead {lead.id}"),
            "url": lead_service.d365_record_url(org_url, lead),
        }
    )
    return body


def _etagged(lead, status=200):
    return etagged(_lead_dict(lead, lead_service.d365_org_url()), lead.version, status)


@bp.get("")
@requires("leads.read")
@doc("List leads (filters: status, segment, d365_status, q; sort)", args=LeadListArgs, response=LeadSchema, many=True)
def list_leads():
    args = load_args(LeadListArgs)
    leads, total = lead_service.list_leads(
        args["limit"],
        args["offset"],
        status=args.get("status"),
        segment=args.get("segment"),
        d365_status=args.get("d365_status"),
        q=args.get("q"),
        sort=args["sort"],
    )
    org_url = lead_service.d365_org_url()
    # The page only: the D365 feature flag the list once repeated is the session's (GET /auth/me `features`).
    return jsonify({"items": [_lead_dict(lead, org_url) for lead in leads], **page_total(total)})


@bp.post("")
@requires("leads.manage")
@doc("Create a lead", body=LeadSchema, response=LeadSchema, status=201)
def create_lead():
    return _etagged(lead_service.create_lead(load_body(LeadSchema())), 201)


@bp.post("/import")
@requires("leads.manage")
@doc(
    "Import leads from CSV (text/csv body or multipart 'file'); all rows or none; a known domain changes only the file's columns",
    body=CsvUploadSchema,
    body_type="multipart/form-data",
    response=LeadImportResultSchema,
)
def import_leads():
    text = uploaded_file().decode("utf-8-sig", errors="replace")
    return jsonify(LeadImportResultSchema().dump(lead_service.import_csv(text, LeadSchema())))


@bp.get("/<uuid:lead_id>")
@requires("leads.read")
@doc("One lead with its Dynamics 365 status, last sync time and record link", response=LeadSchema)
def get_lead(lead_id):
    return _etagged(lead_service.get_lead(lead_id))


@bp.route("/<uuid:lead_id>", methods=["PUT", "PATCH"])
@requires("leads.manage")
@doc("Change a lead (If-Match: version)", body=LeadSchema, response=LeadSchema)
def update_lead(lead_id):
    lead = lead_service.get_lead(lead_id)
    data = load_body(LeadSchema(), partial=request.method == "PATCH")
    return _etagged(lead_service.update_lead(lead, data, if_match_version()))


@bp.delete("/<uuid:lead_id>")
@requires("leads.manage")
@doc("Delete a lead (If-Match: version)", status=204)
def delete_lead(lead_id):
    lead_service.delete_lead(lead_service.get_lead(lead_id), if_match_version())
    return "", 204


@bp.post("/<uuid:lead_id>/restore")
@requires("leads.manage")
@doc("Restore a deleted lead (offered when a new lead or an import names its domain)", response=LeadSchema)
def restore_lead(lead_id):
    return _etagged(lead_service.restore_lead(lead_service.get_lead(lead_id, include_deleted=True)))
