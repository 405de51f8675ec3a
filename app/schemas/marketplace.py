"""Marketplace stores, packages, sync status, order-flow rules and the war-room panel (issue 20)."""

from marshmallow import ValidationError, fields, validate, validates_schema

from app.models.marketplace import PACKAGE_STATUSES, PRIORITIES, RULE_KINDS
from app.schemas.common import BaseSchema, CommaSeparated, OwnedFields, PageArgs, one_of

_HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", error="HH:MM, 00:00 to 24:00.")


class StoreSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    connection_id = fields.UUID(required=True)
    marketplace = fields.String(dump_only=True)
    name = fields.String(validate=validate.Length(min=1, max=120))
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    business_days = fields.List(fields.Integer(validate=validate.Range(0, 6)), validate=validate.Length(min=1, max=7))
    opens_at = fields.String(validate=_HHMM)
    closes_at = fields.String(validate=_HHMM)


class StoreUpdateSchema(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    business_days = fields.List(fields.Integer(validate=validate.Range(0, 6)), validate=validate.Length(min=1, max=7))
    opens_at = fields.String(validate=_HHMM)
    closes_at = fields.String(validate=_HHMM)


class SyncRequestSchema(BaseSchema):
    mode = one_of(("full", "delta"), load_default="delta")


class PackageSchema(BaseSchema):
    id = fields.UUID()
    marketplace = fields.String()
    seller_id = fields.String()
    package_id = fields.String()
    order_number = fields.String()
    status = fields.String()
    order_date = fields.DateTime()
    last_modified_at = fields.DateTime()
    # Money as exact text ("149.90"), so the document says string, not number.
    total_price = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})
    currency = fields.String()
    line_count = fields.Integer()


PackageListArgs = PageArgs.from_dict(
    {"status": CommaSeparated(one_of(PACKAGE_STATUSES), metadata={"description": "Comma-separated: any of these"})},
    name="PackageListArgs",
)


class SyncStateSchema(BaseSchema):
    resource = fields.String()
    high_water_mark = fields.DateTime(allow_none=True)
    last_mode = fields.String(allow_none=True)
    last_status = fields.String(allow_none=True)
    last_started_at = fields.DateTime(allow_none=True)
    last_finished_at = fields.DateTime(allow_none=True)
    last_count = fields.Integer()
    last_error = fields.String(allow_none=True)
    error_count = fields.Integer()


class MarketplaceConnectionStatusSchema(BaseSchema):
    connection_id = fields.UUID()
    connection_name = fields.String()
    kind = fields.String()
    active = fields.Boolean()
    store_id = fields.UUID(allow_none=True)
    project_id = fields.UUID(allow_none=True)
    packages = fields.Integer()
    products = fields.Integer()
    last_error = fields.String(allow_none=True)
    error_count = fields.Integer()
    resources = fields.List(fields.Nested(SyncStateSchema))


class RuleSchema(OwnedFields):
    project_id = fields.UUID(dump_only=True)
    store_id = fields.UUID(allow_none=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = one_of(RULE_KINDS, required=True)
    minutes = fields.Integer(allow_none=True, validate=validate.Range(1, 7 * 24 * 60))
    max_packages = fields.Integer(allow_none=True, validate=validate.Range(0, 1_000_000))
    age_hours = fields.Integer(allow_none=True, validate=validate.Range(1, 24 * 30))
    priority = one_of(PRIORITIES, load_default="p2")
    is_active = fields.Boolean(load_default=True)


class RuleUpdateSchema(BaseSchema):
    store_id = fields.UUID(allow_none=True)
    name = fields.String(validate=validate.Length(min=1, max=120))
    minutes = fields.Integer(allow_none=True, validate=validate.Range(1, 7 * 24 * 60))
    max_packages = fields.Integer(allow_none=True, validate=validate.Range(0, 1_000_000))
    age_hours = fields.Integer(allow_none=True, validate=validate.Range(1, 24 * 30))
    priority = one_of(PRIORITIES)
    is_active = fields.Boolean()

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Change at least one field.", "_schema")


class HourPointSchema(BaseSchema):
    hour = fields.DateTime()
    orders = fields.Integer()
    previous_weeks_avg = fields.Float()


class WaitingSchema(BaseSchema):
    older_than_hours = fields.Integer()
    count = fields.Integer()
    oldest_order_at = fields.DateTime(allow_none=True)


class StoreSyncHealthSchema(BaseSchema):
    high_water_mark = fields.DateTime(allow_none=True)
    last_status = fields.String(allow_none=True)
    last_finished_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    error_count = fields.Integer()
    breaker_state = fields.String()
    lag_minutes = fields.Integer(allow_none=True)


class AlertSchema(BaseSchema):
    rule_id = fields.UUID()
    rule_name = fields.String()
    incident_id = fields.UUID()
    incident_number = fields.String(allow_none=True)
    opened_at = fields.DateTime()


class StoreFlowSchema(BaseSchema):
    store_id = fields.UUID()
    name = fields.String()
    marketplace = fields.String()
    last_order_at = fields.DateTime(allow_none=True)
    hourly = fields.List(fields.Nested(HourPointSchema))
    waiting = fields.Nested(WaitingSchema)
    sync = fields.Nested(StoreSyncHealthSchema)
    alerts = fields.List(fields.Nested(AlertSchema))


class OrderFlowSchema(BaseSchema):
    generated_at = fields.DateTime()
    stores = fields.List(fields.Nested(StoreFlowSchema))


class MarketplaceWebhookAckSchema(BaseSchema):
    id = fields.String()
    status = fields.String()
    duplicate = fields.Boolean()
