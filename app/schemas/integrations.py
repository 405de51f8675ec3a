from marshmallow import fields, validate

from app.models.integrations import SYNC_OPERATIONS, SYNC_STATUSES
from app.schemas.common import BaseSchema, OwnedFields, PageArgs, one_of

_NAME = validate.Length(min=1, max=120)


class ConnectionInSchema(BaseSchema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=_NAME)
    config = fields.Dict(keys=fields.String(), load_default=dict)
    secrets = fields.Dict(keys=fields.String(), load_default=dict, load_only=True)


class ConnectionUpdateSchema(BaseSchema):
    """PUT sends the whole editable connection (name and config; secrets only when they change); PATCH any."""

    name = fields.String(required=True, validate=_NAME)
    config = fields.Dict(keys=fields.String(), required=True)
    secrets = fields.Dict(keys=fields.String(), load_only=True)


class ConnectionStatusSchema(BaseSchema):
    active = fields.Boolean()
    last_sync_at = fields.DateTime(allow_none=True)
    last_test_at = fields.DateTime(allow_none=True)
    last_test_status = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    last_error_at = fields.DateTime(allow_none=True)
    error_count = fields.Integer()
    breaker_state = fields.String()


class ConnectionSchema(OwnedFields):
    """What the API shows of a connection: never a secret, only whether each one is set."""

    kind = fields.String()
    name = fields.String()
    config = fields.Dict()
    is_active = fields.Boolean()
    last_test_at = fields.DateTime(allow_none=True)
    last_test_status = fields.String(allow_none=True)
    last_test_message = fields.String(allow_none=True)
    last_sync_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    error_count = fields.Integer()
    secrets_set = fields.Dict(keys=fields.String(), values=fields.Boolean())
    webhook_url = fields.String()
    status = fields.Nested(ConnectionStatusSchema)
    webhook_secret = fields.String(metadata={"description": "Only in the answer to the create call."})


class TestResultSchema(BaseSchema):
    status = fields.String(validate=validate.OneOf(("ok", "error", "timeout")))
    message = fields.String()
    details = fields.Dict()
    tested_at = fields.DateTime()
    kind = fields.String()


class SyncRunSchema(BaseSchema):
    id = fields.UUID()
    connection_id = fields.UUID()
    operation = fields.String(validate=validate.OneOf(SYNC_OPERATIONS))
    status = fields.String(validate=validate.OneOf(SYNC_STATUSES))
    triggered_by = fields.String()
    records_pushed = fields.Integer()
    records_pulled = fields.Integer()
    error = fields.String(allow_none=True)
    started_by = fields.UUID(allow_none=True)
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)


class CallLogSchema(BaseSchema):
    id = fields.UUID()
    connection_id = fields.UUID(allow_none=True)
    connection_kind = fields.String()
    user_id = fields.UUID(allow_none=True)
    method = fields.String()
    path = fields.String()
    payload_hash = fields.String(allow_none=True)
    response_code = fields.Integer(allow_none=True)
    latency_ms = fields.Integer()
    attempt = fields.Integer()
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CatalogEntrySchema(BaseSchema):
    kind = fields.String()
    title = fields.String()
    vendor = fields.String()
    description = fields.String()
    state = fields.String()
    single_per_tenant = fields.Boolean()
    fields_ = fields.List(fields.Dict(), data_key="fields")
    operations = fields.List(fields.String())
    connections = fields.List(fields.Dict())


class WebhookAckSchema(BaseSchema):
    id = fields.UUID()
    status = fields.String()
    duplicate = fields.Boolean()


class SyncRunListArgs(PageArgs):
    connection_id = fields.UUID()
    operation = one_of(SYNC_OPERATIONS)
    status = one_of(SYNC_STATUSES)


class CallLogListArgs(PageArgs):
    connection_id = fields.UUID()
    outcome = one_of(("ok", "error"))
