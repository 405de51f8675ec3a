"""Bodies of the push endpoints; here, not in app/schemas/, because core never imports this package."""

from marshmallow import fields, validate

from app.schemas.common import BaseSchema

MAX_BULK = 5000


class PushLeadSchema(BaseSchema):
    lead_id = fields.UUID()
    domain = fields.String(validate=validate.Length(min=3, max=253))


class PushLeadsSchema(BaseSchema):
    lead_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_BULK))
