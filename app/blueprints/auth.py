from flask import Blueprint, g, jsonify, request
from flask_jwt_extended import set_access_cookies, set_refresh_cookies, unset_jwt_cookies, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from app.blueprints.serializers import me_dict
from app.schemas.users import LoginSchema, MeSchema, TokenSchema
from app.services import auth_service
from app.utils.errors import problem_response
from app.web.auth import requires
from app.web.http import load_body
from app.web.openapi import doc

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


def _with_cookies(tokens: dict, body: dict, status: int = 200):
    """API clients read the tokens from the body; the browser gets HttpOnly cookies plus the
    readable CSRF cookies for the double-submit header."""
    response = jsonify(body)
    response.status_code = status
    set_access_cookies(response, tokens["access_token"])
    set_refresh_cookies(response, tokens["refresh_token"])
    return response


@bp.post("/login")
@doc("Sign in with e-mail and password", body=LoginSchema, response=TokenSchema)
def login():
    data = load_body(LoginSchema())
    tokens, user, tenant = auth_service.login(
        data["email"], data["password"], request.remote_addr or "-", request.headers.get("User-Agent")
    )
    return _with_cookies(tokens, {**tokens, "user": me_dict(user, tenant)})


@bp.post("/refresh")
@doc("Rotate the refresh token and get a new access token", response=TokenSchema)
def refresh():
    verify_jwt_in_request(refresh=True)
    tokens = auth_service.refresh(g.current_user, g.auth_session)
    return _with_cookies(tokens, {**tokens, "user": me_dict(g.current_user, g.current_tenant)})


@bp.post("/logout")
@doc("End this session (revokes its tokens) and clear the cookies", status=204)
def logout():
    """Accepts the access token or, once that has expired, the refresh token of the session."""
    session = _session_from_token(refresh=False) or _session_from_token(refresh=True)
    if session is None:
        response = problem_response(401, "Unauthorized", "No valid session token was sent.", "unauthorized")
    else:
        auth_service.logout(session)
        response = jsonify({})
        response.status_code = 204
    unset_jwt_cookies(response)
    return response


def _session_from_token(refresh: bool):
    try:
        verify_jwt_in_request(refresh=refresh)
    except (JWTExtendedException, PyJWTError):
        return None
    return g.get("auth_session")


@bp.get("/me")
@requires()
@doc("The signed-in user, their tenant and permissions", response=MeSchema)
def me():
    return jsonify(me_dict(g.current_user, g.current_tenant))
