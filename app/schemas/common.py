from marshmallow import Schema, fields


class BaseSchema(Schema):
    """Unknown fields are refused (marshmallow's default RAISE), so a typo never silently drops data."""


class OwnedFields(BaseSchema):
    """Fields every tenant-owned, versioned object shows."""

    id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    created_by = fields.UUID(dump_only=True, allow_none=True)
    updated_by = fields.UUID(dump_only=True, allow_none=True)
    deleted_at = fields.DateTime(dump_only=True, allow_none=True)


class ProblemSchema(BaseSchema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    correlation_id = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class JobSchema(BaseSchema):
    id = fields.UUID()
    job_id = fields.UUID()
    kind = fields.String()
    status = fields.String()
    progress = fields.Dict()
    result = fields.Raw(allow_none=True)
    error = fields.String(allow_none=True)
    status_url = fields.String()
