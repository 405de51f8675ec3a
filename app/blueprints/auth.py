"""Signing in and out, and what a signed-out person can do: the second sign-in step, "forgot password" and
its link, and an invitation link. Every answer that opens a session sets the browser's cookies too."""

from flask import Blueprint, g, jsonify, request
from flask_jwt_extended import (
    get_jwt,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from app.blueprints.serializers import me_dict
from app.schemas.accounts import (
    AcceptInvitationSchema,
    ForgotPasswordSchema,
    LinkInfoSchema,
    LinkTokenSchema,
    LoginResultSchema,
    MessageSchema,
    MfaLoginSchema,
    MfaTokenSchema,
    ResetPasswordSchema,
    TotpSetupSchema,
)
from app.schemas.users import LoginSchema, MeSchema, TokenSchema
from app.services import account_service, auth_service, invitation_service
from app.utils import input_guard
from app.utils.errors import problem_response
from app.web.auth import requires
from app.web.http import load_body
from app.web.openapi import doc

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")

_link_info = LinkInfoSchema()


def _with_cookies(tokens: dict, body: dict, status: int = 200):
    """API clients read the tokens from the body; the browser gets HttpOnly cookies plus the
    readable CSRF cookies for the double-submit header."""
    response = jsonify(body)
    response.status_code = status
    set_access_cookies(response, tokens["access_token"])
    set_refresh_cookies(response, tokens["refresh_token"])
    return response


def _client():
    agent = request.headers.get("User-Agent")
    return request.remote_addr or "-", input_guard.without_unstorable(agent) if agent else agent


def _signed_in_or_challenge(result: dict):
    """A completed sign-in (session + cookies) or the second-factor challenge (no session yet)."""
    if "mfa" in result:
        return jsonify(result["mfa"])
    tokens = result["tokens"]
    body = {**tokens, "user": me_dict(result["user"], result["tenant"])}
    if "recovery_codes" in result:
        body["recovery_codes"] = result["recovery_codes"]
    return _with_cookies(tokens, body)


@bp.post("/login")
@doc(
    "Sign in with e-mail and password (may answer a second-factor challenge)",
    body=LoginSchema,
    response=LoginResultSchema,
)
def login():
    data = load_body(LoginSchema())
    return _signed_in_or_challenge(auth_service.login(data["email"], data["password"], *_client()))


@bp.post("/login/mfa")
@doc(
    "Second sign-in step: a TOTP code or a recovery code for the challenge",
    body=MfaLoginSchema,
    response=LoginResultSchema,
)
def login_mfa():
    data = load_body(MfaLoginSchema())
    result = auth_service.login_second_factor(
        data["mfa_token"], data.get("code"), data.get("recovery_code"), *_client()
    )
    return _signed_in_or_challenge(result)


@bp.post("/login/mfa/setup")
@doc("Set up an authenticator during sign-in (the tenant requires one)", body=MfaTokenSchema, response=TotpSetupSchema)
def login_mfa_setup():
    data = load_body(MfaTokenSchema())
    return jsonify(auth_service.enrol_during_login(data["mfa_token"]))


@bp.post("/refresh")
@doc("Rotate the refresh token and get a new access token", response=TokenSchema)
def refresh():
    verify_jwt_in_request(refresh=True)
    tokens = auth_service.refresh(g.current_user, g.auth_session, get_jwt()["jti"])
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


# -- forgotten password -------------------------------------------------------------------------------------

_FORGOT_ANSWER = "If this address belongs to an account, a link to choose a new password is on its way."


@bp.post("/password/forgot")
@doc(
    "Mail a password reset link (same answer whether or not the address has an account)",
    body=ForgotPasswordSchema,
    response=MessageSchema,
    status=202,
)
def forgot_password():
    data = load_body(ForgotPasswordSchema())
    account_service.request_reset(data["email"], request.remote_addr or "-")
    return jsonify({"detail": _FORGOT_ANSWER}), 202


@bp.post("/password/reset/check")
@doc("Whether a password reset link is still good, and for whom", body=LinkTokenSchema, response=LinkInfoSchema)
def check_reset():
    return jsonify(_link_info.dump(account_service.check_reset(load_body(LinkTokenSchema())["token"])))


@bp.post("/password/reset")
@doc("Choose a new password with a reset link (ends every session)", body=ResetPasswordSchema, status=204)
def reset_password():
    data = load_body(ResetPasswordSchema())
    account_service.reset_password(data["token"], data["password"])
    return "", 204


# -- invitation links ---------------------------------------------------------------------------------------


@bp.post("/invitation")
@doc("Who an invitation link is for (and whether it is still good)", body=LinkTokenSchema, response=LinkInfoSchema)
def inspect_invitation():
    return jsonify(_link_info.dump(invitation_service.inspect(load_body(LinkTokenSchema())["token"])))


@bp.post("/invitation/accept")
@doc(
    "Accept an invitation: choose name and password, then sign in",
    body=AcceptInvitationSchema,
    response=LoginResultSchema,
)
def accept_invitation():
    data = load_body(AcceptInvitationSchema())
    return _signed_in_or_challenge(invitation_service.accept(data["token"], data["name"], data["password"], *_client()))
