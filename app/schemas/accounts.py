"""Contracts of sign-in (second factor, forgotten password, invitation links), self-service account
pages and invitations."""

from marshmallow import ValidationError, fields, validate, validates_schema

from app.models.accounts import INVITATION_STATUSES
from app.models.user import ROLES, SUPPORT_LEVELS
from app.schemas.common import BaseSchema, Flag, OwnedFields, PageArgs, one_of
from app.schemas.users import MeSchema

_TOKEN = validate.Length(min=1, max=300)
_SECRET = validate.Length(min=1, max=200)
_CODE = validate.Length(min=1, max=20)
# The policy itself (app/services/password_policy.py) decides; the schema only bounds the input.
_NEW_PASSWORD = validate.Length(min=1, max=200)


class LoginResultSchema(BaseSchema):
    """Either the session (tokens and user) or, when a second factor is needed, the challenge for it."""

    access_token = fields.String()
    refresh_token = fields.String()
    user = fields.Nested(MeSchema)
    mfa_required = fields.Boolean()
    mfa_token = fields.String(metadata={"description": "Send with the code to /auth/login/mfa"})
    mfa_enrolment_required = fields.Boolean(metadata={"description": "Set up an authenticator first"})
    methods = fields.List(fields.String())
    recovery_codes = fields.List(fields.String(), metadata={"description": "Shown once, after enrolment"})


class MfaLoginSchema(BaseSchema):
    mfa_token = fields.String(required=True, validate=_TOKEN)
    code = fields.String(validate=_CODE)
    recovery_code = fields.String(validate=_CODE)

    @validates_schema
    def _one_code(self, data, **_kwargs):
        if not data.get("code") and not data.get("recovery_code"):
            raise ValidationError("Enter the code from your app, or a recovery code.", "code")


class MfaTokenSchema(BaseSchema):
    mfa_token = fields.String(required=True, validate=_TOKEN)


class TotpSetupSchema(BaseSchema):
    secret = fields.String(metadata={"description": "Base32, for typing into an app"})
    otpauth_uri = fields.String()
    qr_svg = fields.String(metadata={"description": "data: URI of an SVG QR code"})


class ForgotPasswordSchema(BaseSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class LinkTokenSchema(BaseSchema):
    token = fields.String(required=True, validate=_TOKEN)


class ResetPasswordSchema(LinkTokenSchema):
    password = fields.String(required=True, load_only=True, validate=_NEW_PASSWORD)


class LinkInfoSchema(BaseSchema):
    email = fields.String()
    name = fields.String(allow_none=True)
    role = fields.String()
    tenant = fields.Dict()
    expires_at = fields.DateTime()
    password_min_length = fields.Integer()
    mfa_required = fields.Boolean()


class AcceptInvitationSchema(LinkTokenSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=_NEW_PASSWORD)


class MessageSchema(BaseSchema):
    detail = fields.String()
    ended_sessions = fields.Integer()


# -- self-service -------------------------------------------------------------------------------------------


class ChangePasswordSchema(BaseSchema):
    current_password = fields.String(required=True, load_only=True, validate=_SECRET)
    new_password = fields.String(required=True, load_only=True, validate=_NEW_PASSWORD)


class CurrentPasswordSchema(BaseSchema):
    current_password = fields.String(required=True, load_only=True, validate=_SECRET)


class TotpCodeSchema(BaseSchema):
    code = fields.String(required=True, validate=_CODE)


class RecoveryCodesSchema(BaseSchema):
    recovery_codes = fields.List(fields.String())


class MfaStatusSchema(BaseSchema):
    enabled = fields.Boolean()
    enabled_at = fields.DateTime(allow_none=True)
    required = fields.Boolean()
    recovery_codes_left = fields.Integer()


class AccountSchema(BaseSchema):
    user = fields.Nested(MeSchema)
    mfa = fields.Nested(MfaStatusSchema)
    password_changed_at = fields.DateTime(allow_none=True)


class SessionSchema(BaseSchema):
    id = fields.UUID()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime()
    expires_at = fields.DateTime()
    ip_address = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    current = fields.Boolean()


# -- invitations --------------------------------------------------------------------------------------------


class InvitationSchema(OwnedFields):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(allow_none=True, validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    support_level = fields.String(allow_none=True, validate=validate.OneOf(SUPPORT_LEVELS))
    project_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=100))
    status = fields.String(dump_only=True, metadata={"enum": list(INVITATION_STATUSES)})
    expires_at = fields.DateTime(dump_only=True)
    sent_count = fields.Integer(dump_only=True)
    last_sent_at = fields.DateTime(dump_only=True, allow_none=True)
    accepted_at = fields.DateTime(dump_only=True, allow_none=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)
    invited_by = fields.Dict(dump_only=True, allow_none=True)


class InvitationListArgs(PageArgs):
    status = one_of(INVITATION_STATUSES)
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Part of the e-mail address"})
    include_deleted = Flag(load_default=False, metadata={"description": "Show deleted invitations too"})
