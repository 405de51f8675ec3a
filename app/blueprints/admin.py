"""Administration (tenant admins): the tenant's profile and security settings, the audit log and its
export, the integration sync log across every connection, the outgoing-mail log and the outbox's backlog."""

from flask import Blueprint, Response, current_app, g, jsonify
from marshmallow import fields

from app.models import Tenant
from app.schemas.admin import (
    AuditEntrySchema,
    AuditExportSchema,
    AuditLogArgs,
    MailLogArgs,
    MailLogSchema,
    OutboxHealthSchema,
    SecuritySettingsSchema,
    SyncLogArgs,
    SyncLogEntrySchema,
    TenantProfileSchema,
)
from app.schemas.jobs import JobSchema
from app.services import audit_export, audit_service, mail_service, sync_log_service, tenant_service
from app.services.outbox import publisher as outbox_publisher
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import accepted, etagged, if_match_version, load_args, load_body
from app.web.openapi import doc

bp = Blueprint("admin", __name__, url_prefix="/api/v1/admin")
_profile = TenantProfileSchema()
_security = SecuritySettingsSchema()
_mail = MailLogSchema()
_sync = SyncLogEntrySchema()


def _profile_body(tenant: Tenant):
    body = _profile.dump(tenant)
    body["rate_limit_per_minute"] = current_app.config["RATE_LIMITS"].get(tenant.tier)
    return etagged(body, tenant.version)


@bp.get("/tenant")
@requires("tenant.manage")
@doc("The tenant's profile (tier read-only)", response=TenantProfileSchema)
def get_profile():
    return _profile_body(g.current_tenant)


@bp.patch("/tenant")
@requires("tenant.manage")
@doc("Change the tenant's profile (If-Match: version)", body=TenantProfileSchema, response=TenantProfileSchema)
def update_profile():
    data = load_body(TenantProfileSchema(), partial=True)
    tenant = tenant_service.update_settings(g.current_tenant, data, if_match_version(), tenant_service.PROFILE_FIELDS)
    return _profile_body(tenant)


@bp.get("/security")
@requires("tenant.manage")
@doc("The tenant's security settings", response=SecuritySettingsSchema)
def get_security():
    return etagged(_security.dump(g.current_tenant), g.current_tenant.version)


@bp.patch("/security")
@requires("tenant.manage")
@doc("Change the security settings (If-Match: version)", body=SecuritySettingsSchema, response=SecuritySettingsSchema)
def update_security():
    data = load_body(SecuritySettingsSchema(), partial=True)
    tenant = tenant_service.update_settings(g.current_tenant, data, if_match_version(), tenant_service.SECURITY_FIELDS)
    return etagged(_security.dump(tenant), tenant.version)


@bp.get("/audit")
@requires("tenant.manage")
@doc(
    "Every audited change in the tenant, newest first, with its diff",
    args=AuditLogArgs,
    response=AuditEntrySchema,
    many=True,
    envelope={"entity_types": fields.List(fields.String(), metadata={"description": "What the filter offers"})},
)
def audit_log():
    args = load_args(AuditLogArgs)
    limit, offset = args.pop("limit"), args.pop("offset")
    items, total = audit_service.audit_log(args, limit, offset)
    return jsonify({"items": items, **page_total(total), "entity_types": audit_service.entity_types()})


@bp.post("/audit/exports")
@requires("tenant.manage")
@doc(
    "Export the filtered audit log (CSV or JSON Lines) in the background",
    body=AuditExportSchema,
    response=JobSchema,
    status=202,
)
def export_audit_log():
    data = load_body(AuditExportSchema())
    fmt = data.pop("format")
    if data.get("entity_type"):
        data["entity_type"] = audit_service.resolve_entity_type(data["entity_type"])
    return accepted(audit_export.start(data, fmt))


@bp.get("/audit/exports/<uuid:job_id>")
@requires("tenant.manage")
@doc("Download a finished audit log export", produces=["text/csv", "application/x-ndjson"])
def download_audit_export(job_id):
    file = audit_export.download(job_id)
    return Response(
        file.content,
        mimetype=file.content_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


@bp.get("/sync-log")
@requires("tenant.manage")
@doc(
    "Every integration sync of the tenant: connection runs and Cloud ALM project syncs",
    args=SyncLogArgs,
    response=SyncLogEntrySchema,
    many=True,
)
def sync_log():
    args = load_args(SyncLogArgs)
    limit, offset = args.pop("limit"), args.pop("offset")
    items, total = sync_log_service.sync_log(limit, offset, args)
    return jsonify({"items": _sync.dump(items, many=True), **page_total(total)})


@bp.get("/mail")
@requires("tenant.manage")
@doc(
    "E-mail the platform sent (or failed to send) for the tenant",
    args=MailLogArgs,
    response=MailLogSchema,
    many=True,
    envelope={
        "smtp_configured": fields.Boolean(),
        "sink_url": fields.String(allow_none=True, metadata={"description": "The demo mail sink's inbox"}),
    },
)
def mail_log():
    args = load_args(MailLogArgs)
    items, total = mail_service.list_mail(args["limit"], args["offset"], args.get("status"), args.get("kind"))
    return jsonify(
        {
            "items": _mail.dump(items, many=True),
            **page_total(total),
            "smtp_configured": bool(current_app.config["SMTP_URL"]),
            "sink_url": current_app.config["MAIL_SINK_URL"] or None,
        }
    )


@bp.get("/outbox")
@requires("tenant.manage")
@doc(
    "How many domain events wait for delivery, how many are failing, the oldest one's age", response=OutboxHealthSchema
)
def outbox_health():
    return jsonify(OutboxHealthSchema().dump(outbox_publisher.health()))
