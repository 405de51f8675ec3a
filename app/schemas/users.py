from marshmallow import ValidationError, fields, validate, validates_schema

from app.models.user import ROLES, SUPPORT_LEVELS, USER_KINDS
from app.schemas.common import BaseSchema, OwnedFields, SearchPageArgs, one_of

_NAME = validate.Length(min=1, max=200)
# 10 is the floor of every tenant's policy; the rest (its own minimum, the breach list, strength) is checked by
# app/services/password_policy.py.
_PASSWORD = validate.Length(min=10, max=200, error="Use 10 to 200 characters.")


class TenantSchema(BaseSchema):
    id = fields.UUID()
    name = fields.String()
    slug = fields.String()
    tier = fields.String()


class UserSchema(OwnedFields):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=_NAME)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    support_level = fields.String(allow_none=True, validate=validate.OneOf(SUPPORT_LEVELS))
    active = fields.Boolean(load_default=True)
    password = fields.String(load_only=True, required=True, validate=_PASSWORD)
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)
    mfa_enabled = fields.Boolean(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": list(USER_KINDS), "description": "service: an API token"})

    @validates_schema
    def _support_level_only_for_support(self, data, **_kwargs):
        # On a partial update without a role, the service checks against the stored role.
        if data.get("support_level") and "role" in data and data["role"] != "support":
            raise ValidationError("Only support staff have a support level.", "support_level")


class UserUpdateSchema(UserSchema):
    """A PUT replaces name, role, level and active; the password is only sent to change it."""

    password = fields.String(load_only=True, validate=_PASSWORD)

    class Meta:
        exclude = ("email",)


class MeSchema(UserSchema):
    """Only ever dumped: without the exclude the document listed UserSchema's load-only `password` as a
    required field of every sign-in answer, and a generated client refused them (issue 15.3)."""

    class Meta:
        exclude = ("password",)

    tenant = fields.Nested(TenantSchema)
    permissions = fields.List(fields.String())
    features = fields.Dict(keys=fields.String(), values=fields.Boolean())


class LoginSchema(BaseSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class TokenSchema(BaseSchema):
    access_token = fields.String()
    refresh_token = fields.String()
    user = fields.Nested(MeSchema)


class MemberSchema(BaseSchema):
    user_id = fields.UUID(required=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    added_at = fields.DateTime(dump_only=True)


class UserListArgs(SearchPageArgs):
    role = one_of(ROLES)
    kind = one_of(USER_KINDS)
