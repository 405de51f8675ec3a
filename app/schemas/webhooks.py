"""Contracts of outbound webhooks (issue 15.6). The signing secret appears in two answers only: the
creation's and the rotation's."""

from marshmallow import fields, validate

from app.models.webhooks import DELIVERY_STATUSES
from app.schemas.common import BaseSchema, CommaSeparated, OwnedFields, PageArgs, one_of
from app.services.webhooks.subscriptions import EVENT_TYPES, TEST_EVENT


class SubscriptionSchema(OwnedFields):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "The https endpoint Meridian POSTs signed events to"},
    )
    description = fields.String(load_default="", validate=validate.Length(max=500))
    event_types = fields.List(
        one_of(EVENT_TYPES),
        required=True,
        validate=validate.Length(min=1, max=len(EVENT_TYPES), error="Pick at least one event type."),
    )
    enabled = fields.Boolean(load_default=True)
    disabled_reason = fields.String(dump_only=True, allow_none=True)
    disabled_at = fields.DateTime(dump_only=True, allow_none=True)
    consecutive_failures = fields.Integer(
        dump_only=True, metadata={"description": "Failed automatic attempts since the last success"}
    )
    failing_since = fields.DateTime(dump_only=True, allow_none=True)
    secret_rotated_at = fields.DateTime(dump_only=True, allow_none=True)


class SubscriptionUpdateSchema(BaseSchema):
    """PATCH: any of these; what is left out stays (no defaults). Enabling again clears the failure run."""

    url = fields.String(validate=validate.Length(min=1, max=2000))
    description = fields.String(validate=validate.Length(max=500))
    event_types = fields.List(
        one_of(EVENT_TYPES),
        validate=validate.Length(min=1, max=len(EVENT_TYPES), error="Pick at least one event type."),
    )
    enabled = fields.Boolean()


class SubscriptionSecretSchema(SubscriptionSchema):
    secret = fields.String(
        dump_only=True,
        metadata={"description": "The signing secret (whsec_…): shown in this answer only, never again"},
    )


class SubscriptionListArgs(PageArgs):
    pass


class DeliverySchema(BaseSchema):
    id = fields.UUID(dump_only=True)
    subscription_id = fields.UUID(dump_only=True)
    event_id = fields.String(dump_only=True, metadata={"description": "Sent as webhook-id, the same on every attempt"})
    event_type = fields.String(dump_only=True, metadata={"enum": [*EVENT_TYPES, TEST_EVENT]})
    payload = fields.Dict(dump_only=True, metadata={"description": "The envelope sent as the body"})
    status = fields.String(dump_only=True, metadata={"enum": list(DELIVERY_STATUSES)})
    attempts = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    first_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    last_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    next_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    succeeded_at = fields.DateTime(dump_only=True, allow_none=True)
    last_status_code = fields.Integer(dump_only=True, allow_none=True)
    last_error = fields.String(dump_only=True, allow_none=True)
    response_excerpt = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "The start of the endpoint's answer, redacted"}
    )
    duration_ms = fields.Integer(dump_only=True, allow_none=True)


class DeliveryListArgs(PageArgs):
    subscription_id = fields.UUID(metadata={"description": "Only this subscription's deliveries"})
    status = CommaSeparated(one_of(DELIVERY_STATUSES), metadata={"description": "Any of these statuses"})
