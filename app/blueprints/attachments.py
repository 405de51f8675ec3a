"""Attachments (issue 17): `GET|POST .../<work item>/attachments` under each work item's own URL, one
attachment at /api/v1/attachments/<id> (its content, thumbnail, delete and restore), and the tenant's
attachment policy at /api/v1/attachment-settings. Thin: the project and the work item are loaded first (404
for another tenant's ids before any body is read), the file part is read, the service decides."""

from flask import Blueprint, g, jsonify

from app.blueprints.work_items import WORK_ITEMS, noun
from app.schemas.attachments import (
    AttachmentListArgs,
    AttachmentSchema,
    AttachmentSettingsSchema,
    AttachmentUploadSchema,
    known_types,
)
from app.services.attachments import files, owners, policy, sniff
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.files import file_download, inline_image, multipart_file
from app.web.http import etagged, if_match_version, load_args, load_body
from app.web.openapi import doc
from app.web.scope import may_see_deleted, project_for

bp = Blueprint("attachments", __name__, url_prefix="/api/v1")
_schema = AttachmentSchema()
_settings = AttachmentSettingsSchema()
TAGS = ["attachments"]


def _register(owner_type: str, path: str, load) -> None:
    rule = owners.RULES[owner_type]

    def list_attachments(project_id, **ids):
        project = project_for(project_id)
        owner = load(project, ids)
        args = load_args(AttachmentListArgs)
        items, total = files.list_for(owner_type, owner, args["limit"], args["offset"], may_see_deleted(args))
        return jsonify({"items": _schema.dump(items, many=True), **page_total(total)})

    def upload_attachment(project_id, **ids):
        project = project_for(project_id)
        owner = load(project, ids)
        filename, data = multipart_file(files.too_large)
        attachment = files.upload(project, owner_type, owner, g.current_user, filename, data)
        response = etagged(_schema.dump(attachment), attachment.version, 201)
        response.headers["Location"] = f"/api/v1/attachments/{attachment.id}"
        return response

    list_view = requires(rule.read)(
        doc(
            f"Files attached to the {noun(owner_type)}, oldest first (?include_deleted=1: staff, to restore)",
            args=AttachmentListArgs,
            response=AttachmentSchema,
            many=True,
            tags=TAGS,
        )(list_attachments)
    )
    upload_view = requires(rule.write)(
        doc(
            f"Attach a file to the {noun(owner_type)} (multipart field `file`): its type is decided from its bytes "
            "and must be on the tenant's list and agree with the name (422); over the per-file limit is 413, "
            "over the tenant's quota 422, both with the numbers",
            body=AttachmentUploadSchema,
            body_type="multipart/form-data",
            response=AttachmentSchema,
            status=201,
            tags=TAGS,
        )(upload_attachment)
    )
    bp.add_url_rule(f"{path}/attachments", f"list_{owner_type}", list_view, methods=["GET"])
    bp.add_url_rule(f"{path}/attachments", f"upload_{owner_type}", upload_view, methods=["POST"])


for _owner_type, (_path, _load) in WORK_ITEMS.items():
    _register(_owner_type, _path, _load)


@bp.get("/attachments/<uuid:attachment_id>")
@requires()
@doc("One attachment's details", response=AttachmentSchema, tags=TAGS)
def get_attachment(attachment_id):
    attachment = files.find(g.current_user, attachment_id)
    return etagged(_schema.dump(attachment), attachment.version)


@bp.get("/attachments/<uuid:attachment_id>/content")
@requires()
@doc(
    "Download the file: Content-Disposition attachment, the stored type, X-Content-Type-Options nosniff",
    produces=sniff.ALLOWABLE,  # the type stored is the one its bytes showed at upload, one of these
    tags=TAGS,
)
def download(attachment_id):
    attachment = files.find(g.current_user, attachment_id)
    return file_download(
        files.content(attachment), attachment.filename, attachment.content_type, attachment.size, attachment.sha256
    )


@bp.get("/attachments/<uuid:attachment_id>/thumbnail")
@requires()
@doc("An image attachment's thumbnail (PNG, at most 320 px), shown inline", produces="image/png", tags=TAGS)
def thumbnail(attachment_id):
    attachment = files.find(g.current_user, attachment_id)
    return inline_image(files.thumbnail(attachment), f"{attachment.filename}.png")


@bp.delete("/attachments/<uuid:attachment_id>")
@requires()
@doc("Delete (soft, audited; restorable until the tenant's retention passes)", status=204, tags=TAGS)
def delete_attachment(attachment_id):
    attachment = files.find(g.current_user, attachment_id)
    files.delete(g.current_user, attachment, if_match_version())
    return "", 204


@bp.post("/attachments/<uuid:attachment_id>/restore")
@requires()
@doc("Restore a deleted attachment", response=AttachmentSchema, tags=TAGS)
def restore_attachment(attachment_id):
    attachment = files.restore(g.current_user, files.find(g.current_user, attachment_id, include_deleted=True))
    return etagged(_schema.dump(attachment), attachment.version)


def _settings_body(row):
    body = _settings.dump(row)
    body.update(used_bytes=policy.used_bytes(), max_upload_bytes=policy.ceiling(), known_types=known_types())
    return etagged(body, row.version)


@bp.get("/attachment-settings")
@requires("tenant.read")
@doc("The organisation's attachment policy and how much storage it uses", response=AttachmentSettingsSchema, tags=TAGS)
def get_settings():
    return _settings_body(policy.read())


@bp.route("/attachment-settings", methods=["PUT", "PATCH"])
@requires("attachments.settings.manage")
@doc(
    "Change the accepted types, the per-file limit, the quota or the retention (If-Match)",
    body=AttachmentSettingsSchema,
    response=AttachmentSettingsSchema,
    tags=TAGS,
)
def put_settings():
    data = load_body(AttachmentSettingsSchema(), partial=True)
    return _settings_body(policy.update(data, if_match_version()))
