"""Login, refresh-token rotation, logout, and the JWT checks every authenticated request runs.

A login opens an `AuthSession`. Access and refresh tokens carry the session id (`sid`), the tenant
(`tid`) and the role. Each request re-checks, in one query, that the session is open, the user active
and the tenant active — so logout and deactivation take effect at once. A refresh token may be used
once: using an old one again is treated as theft and closes the session.
"""

import uuid

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import select, update

from app.extensions import db, kv
from app.models import AuthSession, Tenant, User
from app.utils import tenant_context
from app.utils.clock import utcnow
from app.utils.errors import RateLimited, Unauthorized
from app.utils.observability import LOGIN_FAILURES


def _throttle_keys(email: str, address: str) -> list[tuple[str, int]]:
    cfg = current_app.config
    return [
        (f"login_fail:acct:{email}", cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (f"login_fail:addr:{address}", cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ]


def _check_throttle(email: str, address: str) -> None:
    window = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    for key, limit in _throttle_keys(email, address):
        count = int(kv.get(key) or 0)
        if count >= limit:
            LOGIN_FAILURES.labels("throttled").inc()
            raise RateLimited(
                "Too many failed sign-in attempts. Wait a few minutes and try again.", headers={"Retry-After": window}
            )


def _record_failure(email: str, address: str, reason: str) -> None:
    LOGIN_FAILURES.labels(reason).inc()
    window = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    for key, _ in _throttle_keys(email, address):
        kv.incr(key, window)


def login(email: str, password: str, address: str, user_agent: str | None) -> tuple[dict, User, Tenant]:
    email = email.strip().lower()
    _check_throttle(email, address)
    with tenant_context.unscoped():  # no tenant is known before the user is found
        row = db.session.execute(
            select(User, Tenant).join(Tenant, Tenant.id == User.tenant_id).where(User.email == email)
        ).first()
    user, tenant = row if row else (None, None)
    if user is None or not user.check_password(password):
        _record_failure(email, address, "bad_credentials")
        raise Unauthorized("E-mail or password is wrong.")
    if not user.active or not tenant.active:
        _record_failure(email, address, "inactive")
        raise Unauthorized("This account is deactivated.")
    kv.delete(f"login_fail:acct:{email}")
    tenant_context.set_tenant(user.tenant_id, user.id)
    session = AuthSession(
        tenant_id=user.tenant_id,
        user_id=user.id,
        refresh_jti="pending",
        expires_at=utcnow() + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
        ip_address=address[:64],
        user_agent=(user_agent or "")[:300],
    )
    db.session.add(session)
    db.session.flush()
    tokens = _issue_tokens(user, session)
    # A bulk UPDATE: a login is not an edit of the user, so no version bump and no audit snapshot.
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=utcnow()))
    db.session.commit()
    return tokens, user, tenant


def _issue_tokens(user: User, session: AuthSession) -> dict:
    claims = {"tid": str(user.tenant_id), "role": user.role, "sid": str(session.id)}
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(identity=str(user.id), additional_claims=claims)
    session.refresh_jti = decode_token(refresh)["jti"]
    session.last_used_at = utcnow()
    return {"access_token": access, "refresh_token": refresh}


def refresh(user: User, session: AuthSession) -> dict:
    """Rotate: the old refresh token is spent the moment the new one is issued."""
    tokens = _issue_tokens(user, session)
    db.session.commit()
    return tokens


def logout(session: AuthSession | None) -> None:
    if session is not None and session.revoked_at is None:
        session.revoked_at = utcnow()
        db.session.commit()


def _load_identity(jwt_payload: dict) -> tuple[User, Tenant, AuthSession] | None:
    try:
        tenant_id = uuid.UUID(jwt_payload["tid"])
        user_id = uuid.UUID(jwt_payload["sub"])
        session_id = uuid.UUID(jwt_payload["sid"])
    except (KeyError, ValueError):
        return None
    tenant_context.set_tenant(tenant_id, user_id)
    return db.session.execute(
        select(User, Tenant, AuthSession)
        .join(Tenant, Tenant.id == User.tenant_id)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(User.id == user_id, AuthSession.id == session_id)
    ).first()


def check_token(jwt_payload: dict) -> tuple[User, Tenant, AuthSession] | None:
    """The identity behind a token if it may still be used, else None. Runs on every authenticated
    request: session open, user active, tenant active, in one query. A refresh token that was already
    spent means someone holds a copy: the whole session is closed."""
    row = _load_identity(jwt_payload)
    if row is None:
        return None
    user, tenant, session = row
    if not user.active or not tenant.active or session.revoked_at is not None:
        return None
    if jwt_payload.get("type") == "refresh" and jwt_payload.get("jti") != session.refresh_jti:
        session.revoked_at = utcnow()
        db.session.commit()
        return None
    return user, tenant, session
