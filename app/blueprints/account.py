"""The signed-in user's own account: password, second factor, sessions."""

from flask import Blueprint, g, jsonify

from app.blueprints.serializers import me_dict
from app.schemas.accounts import (
    AccountSchema,
    ChangePasswordSchema,
    CurrentPasswordSchema,
    MessageSchema,
    RecoveryCodesSchema,
    SessionSchema,
    TotpCodeSchema,
    TotpSetupSchema,
)
from app.services import account_service, mfa_service
from app.services.pagination import page_total
from app.web.auth import requires
from app.web.http import load_body
from app.web.openapi import doc

bp = Blueprint("account", __name__, url_prefix="/api/v1/account")
_account = AccountSchema()
_session = SessionSchema()


@bp.get("")
@requires(people_only=True)
@doc("My account: who I am, my second factor, when my password changed", response=AccountSchema)
def get_account():
    user, tenant = g.current_user, g.current_tenant
    body = _account.dump(
        {"mfa": account_service.mfa_status(user, tenant), "password_changed_at": user.password_changed_at}
    )
    return jsonify({**body, "user": me_dict(user, tenant)})


@bp.post("/password")
@requires(people_only=True)
@doc(
    "Change my password (the current one is required; my other sessions end)",
    body=ChangePasswordSchema,
    response=MessageSchema,
)
def change_password():
    data = load_body(ChangePasswordSchema())
    ended = account_service.change_password(
        g.current_user, g.current_tenant, g.auth_session, data["current_password"], data["new_password"]
    )
    return jsonify({"detail": "Your password was changed.", "ended_sessions": ended})


@bp.get("/sessions")
@requires(people_only=True)
@doc("My sessions that are still open", response=SessionSchema, many=True)
def list_sessions():
    sessions = account_service.list_sessions(g.current_user, g.current_tenant)
    items = [{**_session.dump(s), "current": s.id == g.auth_session.id} for s in sessions]
    return jsonify({"items": items, **page_total(len(items))})


@bp.delete("/sessions/<uuid:session_id>")
@requires(people_only=True)
@doc("Sign out one of my sessions", status=204)
def end_session(session_id):
    account_service.end_session(g.current_user, session_id)
    return "", 204


@bp.post("/sessions/end-others")
@requires(people_only=True)
@doc("Sign out everywhere else (every session but this one)", response=MessageSchema)
def end_other_sessions():
    ended = account_service.end_other_sessions(g.current_user, g.auth_session)
    return jsonify({"detail": f"{ended} other session(s) signed out.", "ended_sessions": ended})


@bp.post("/mfa/setup")
@requires(people_only=True)
@doc(
    "Start setting up an authenticator app (current password required)",
    body=CurrentPasswordSchema,
    response=TotpSetupSchema,
)
def start_mfa_setup():
    data = load_body(CurrentPasswordSchema())
    return jsonify(account_service.start_mfa_setup(g.current_user, g.current_tenant, data["current_password"]))


@bp.post("/mfa/confirm")
@requires(people_only=True)
@doc(
    "Confirm the authenticator with a code: two-factor sign-in is on; answers the recovery codes once",
    body=TotpCodeSchema,
    response=RecoveryCodesSchema,
)
def confirm_mfa():
    data = load_body(TotpCodeSchema())
    return jsonify({"recovery_codes": mfa_service.confirm_enrolment(g.current_user, data["code"])})


@bp.post("/mfa/disable")
@requires(people_only=True)
@doc("Switch two-factor sign-in off (not where the tenant requires it)", body=CurrentPasswordSchema, status=204)
def disable_mfa():
    data = load_body(CurrentPasswordSchema())
    account_service.disable_mfa(g.current_user, g.current_tenant, data["current_password"])
    return "", 204


@bp.post("/mfa/recovery-codes")
@requires(people_only=True)
@doc("New recovery codes (the old ones stop working)", body=CurrentPasswordSchema, response=RecoveryCodesSchema)
def new_recovery_codes():
    data = load_body(CurrentPasswordSchema())
    return jsonify(
        {"recovery_codes": account_service.regenerate_recovery_codes(g.current_user, data["current_password"])}
    )
