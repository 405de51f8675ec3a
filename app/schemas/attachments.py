"""Attachments, the tenant's attachment policy and discussion comments (issue 17)."""

from marshmallow import fields, validate

from app.models.attachments import OWNER_TYPES
from app.schemas.common import BaseSchema, Flag, OwnedFields, PageArgs, one_of
from app.services.attachments.sniff import ALLOWABLE, TYPES


class _UserRef(BaseSchema):
    id = fields.UUID()
    name = fields.String()


class AttachmentUploadSchema(BaseSchema):
    """The multipart body of an upload (documented; the view reads the part itself)."""

    file = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "The file. Its type is decided from its bytes; the part's Content-Type is ignored.",
        },
    )


class AttachmentSchema(BaseSchema):
    id = fields.UUID()
    filename = fields.String()
    content_type = fields.String(metadata={"description": "Decided from the file's bytes"})
    size = fields.Integer(metadata={"description": "Bytes"})
    sha256 = fields.String(metadata={"description": "Hex SHA-256 of the content"})
    created_at = fields.DateTime()
    created_by = fields.UUID(allow_none=True)
    uploader = fields.Nested(_UserRef, allow_none=True)
    project_id = fields.UUID()
    owner_type = one_of(OWNER_TYPES)
    owner_id = fields.UUID()
    deleted_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    has_thumbnail = fields.Function(lambda a: a.thumbnail_key is not None, metadata={"type": "boolean"})
    content_url = fields.Function(lambda a: f"/api/v1/attachments/{a.id}/content")
    thumbnail_url = fields.Function(
        lambda a: f"/api/v1/attachments/{a.id}/thumbnail" if a.thumbnail_key else None, allow_none=True
    )


class AttachmentListArgs(PageArgs):
    include_deleted = Flag(load_default=False, metadata={"description": "Show deleted ones too (staff), to restore"})


class _KnownType(BaseSchema):
    mime = fields.String()
    label = fields.String()
    extensions = fields.List(fields.String())


class AttachmentSettingsSchema(OwnedFields):
    allowed_types = fields.List(
        one_of(ALLOWABLE),
        validate=validate.Length(max=len(ALLOWABLE)),
        metadata={"description": "MIME types accepted (programs and active content never are)"},
    )
    max_file_bytes = fields.Integer(
        validate=validate.Range(min=1, error="At least 1 byte."),
        metadata={"description": "Largest file, bytes (at most ATTACHMENT_MAX_UPLOAD_BYTES)"},
    )
    quota_bytes = fields.Integer(
        validate=validate.Range(min=0, max=2**62, error="Between 0 and 2^62 bytes."),
        metadata={"description": "Storage for all the tenant's files, deleted ones until purged"},
    )
    retention_days = fields.Integer(
        validate=validate.Range(min=0, max=3650, error="Between 0 and 3650 days."),
        metadata={"description": "Days a deleted file stays restorable before its content is purged"},
    )
    used_bytes = fields.Integer(dump_only=True)
    max_upload_bytes = fields.Integer(dump_only=True, metadata={"description": "The installation's ceiling"})
    known_types = fields.List(fields.Nested(_KnownType), dump_only=True)


def known_types() -> list[dict]:
    return [
        {"mime": mime, "label": TYPES[mime].label, "extensions": list(TYPES[mime].extensions)} for mime in ALLOWABLE
    ]


class MentionableSchema(BaseSchema):
    """A project member and the @handle that mentions them (discussion_service.member_handles)."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    handle = fields.String(required=True, metadata={"description": "The e-mail's local part, or the whole address"})


class DiscussionCommentSchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    object_type = fields.String(dump_only=True)
    object_id = fields.UUID(dump_only=True)
    content = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20000),
        metadata={"description": "Sanitised HTML; @name.surname or @e-mail mentions a project member"},
    )
    is_internal = fields.Boolean(load_default=False)
    kind = fields.String(dump_only=True)
    author = fields.Nested(_UserRef, dump_only=True, allow_none=True)
    mentions = fields.List(fields.Nested(_UserRef), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
