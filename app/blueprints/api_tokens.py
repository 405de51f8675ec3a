"""API tokens (issue 15.4): tenant admins create, list, revoke and delete them (the difference is in
app/services/api_token_service.py). Managing tokens takes a person:
a token cannot mint or revoke tokens, whatever its role."""

from flask import Blueprint, jsonify

from app.models import ApiToken
from app.schemas.api_tokens import ApiTokenCreatedSchema, ApiTokenListArgs, ApiTokenSchema
from app.services import api_token_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import etagged, load_args, load_body
from app.web.openapi import doc

bp = Blueprint("api_tokens", __name__, url_prefix="/api/v1/api-tokens")
_schema = ApiTokenSchema()
_created = ApiTokenCreatedSchema()


def _body(api_token: ApiToken, schema=_schema, **extra) -> dict:
    return schema.dump({**_fields(api_token), **extra})


def _fields(token: ApiToken) -> dict:
    names = ("id", "version", "created_at", "updated_at", "created_by", "updated_by", "deleted_at", "name")
    names += ("project_ids", "expires_at", "rate_limit_per_minute", "prefix", "service_user_id", "last_used_at")
    names += ("revoked_at", "revoked_by", "role")
    return {**{name: getattr(token, name) for name in names}, "status": api_token_service.status(token)}


@bp.get("")
@requires("tenant.manage", people_only=True)
@doc(
    "The tenant's API tokens, newest first (never their secrets)",
    args=ApiTokenListArgs,
    response=ApiTokenSchema,
    many=True,
)
def list_tokens():
    args = load_args(ApiTokenListArgs)
    tokens, total = api_token_service.list_tokens(args["limit"], args["offset"], args["include_deleted"])
    return jsonify({"items": [_body(t) for t in tokens], **page_total(total)})


@bp.post("")
@requires("tenant.manage", people_only=True)
@doc(
    "Create an API token; the answer carries the token itself, this once",
    body=ApiTokenSchema,
    response=ApiTokenCreatedSchema,
    status=201,
)
def create_token():
    token, secret = api_token_service.create_token(load_body(ApiTokenSchema()))
    return etagged(_body(token, _created, token=secret), token.version, 201)


@bp.get("/<uuid:token_id>")
@requires("tenant.manage", people_only=True)
@doc("One API token (never its secret)", response=ApiTokenSchema)
def get_token(token_id):
    token = ApiToken.get_scoped_or_404(token_id)
    return etagged(_body(token), token.version)


@bp.post("/<uuid:token_id>/revoke")
@requires("tenant.manage", people_only=True)
@doc("Revoke an API token: it stops working at once and stays listed, marked revoked", response=ApiTokenSchema)
def revoke_token(token_id):
    token = ApiToken.get_scoped_or_404(token_id)
    api_token_service.revoke_token(token)
    return etagged(_body(token), token.version)


@bp.delete("/<uuid:token_id>")
@requires("tenant.manage", people_only=True)
@doc("Delete an API token: revoked if it still works, then gone from the API (404)", status=204)
def delete_token(token_id):
    api_token_service.delete_token(ApiToken.get_scoped_or_404(token_id))
    return "", 204
