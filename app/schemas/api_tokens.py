"""Contracts of API tokens (issue 15.4). The secret appears in exactly one answer, the creation's."""

from marshmallow import fields, validate

from app.models.user import ROLES
from app.schemas.common import Flag, OwnedFields, PageArgs

# A token acts without project membership, which is what a customer's visibility rests on.
TOKEN_ROLES = tuple(role for role in ROLES if role != "customer")


class ApiTokenSchema(OwnedFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=validate.OneOf(TOKEN_ROLES))
    project_ids = fields.List(
        fields.UUID(),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "Only these projects; empty: every project the role may see"},
    )
    expires_at = fields.AwareDateTime(
        allow_none=True, load_default=None, metadata={"description": "None: until revoked"}
    )
    rate_limit_per_minute = fields.Integer(
        allow_none=True,
        load_default=None,
        validate=validate.Range(1, 100000),
        metadata={"description": "The token's own limit, within the plan's; None: the plan's only"},
    )
    prefix = fields.String(dump_only=True, metadata={"description": "The token's public start, to recognise it"})
    status = fields.String(dump_only=True, metadata={"enum": ["active", "expired", "revoked"]})
    service_user_id = fields.UUID(dump_only=True, metadata={"description": "The actor its changes are audited as"})
    last_used_at = fields.DateTime(dump_only=True, allow_none=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)
    revoked_by = fields.UUID(dump_only=True, allow_none=True)


class ApiTokenCreatedSchema(ApiTokenSchema):
    token = fields.String(dump_only=True, metadata={"description": "The full token: shown this once, never again"})


class ApiTokenListArgs(PageArgs):
    include_deleted = Flag(load_default=False, metadata={"description": "Show deleted tokens too (always revoked)"})
