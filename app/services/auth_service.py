"""Sign-in, sessions, refresh-token rotation, logout, and the JWT checks every authenticated request runs.

A sign-in opens an `AuthSession`. Access and refresh tokens carry the session id (`sid`), the tenant (`tid`)
and the role. Each request re-checks that the session is open, the user active and the tenant active, so logout,
deactivation, a password or role change take effect at once: in one query, or from the identity cache while no
write has touched those rows (app/services/identity_cache.py). The tenant's
security settings (loaded by that same query) bound every session: an absolute lifetime from sign-in and
an idle timeout since the last refresh.

A refresh token may be used once. Presenting a spent one is treated as theft and closes the session —
except within REFRESH_GRACE_SECONDS of its rotation, when the same new pair is answered again (two tabs
refreshing at the same moment).
"""

import functools
import json
import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db, kv
from app.models import AuthSession, Tenant, User
from app.services import identity_cache, login_throttle, mfa_service
from app.utils import crypto, tenant_context
from app.utils.clock import as_utc, utcnow
from app.utils.errors import Conflict, Unauthorized, ValidationFailed

_DUMMY_HASHES: dict[str, str] = {}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(email: str) -> tuple[User | None, Tenant | None]:
    """The user behind a sign-in name, and their tenant. No tenant is known before the user is found, so
    this is one of the few deliberate cross-tenant reads (login, forgot password). An API token's service
    user is nobody's account: it is not found, so it can neither sign in nor reset a password."""
    with tenant_context.unscoped():
        row = db.session.execute(
            select(User, Tenant)
            .join(Tenant, Tenant.id == User.tenant_id)
            .where(User.email == email, User.kind == "person")
        ).first()
    return (row[0], row[1]) if row else (None, None)


def _verify_password(user: User | None, password: str) -> bool:
    """Hash even when there is no such user, against a dummy of the same cost, so the time taken does not
    tell which e-mail addresses have accounts."""
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASHES:
            _DUMMY_HASHES[method] = generate_password_hash(uuid.uuid4().hex, method=method)
        check_password_hash(_DUMMY_HASHES[method], password)
        return False
    return user.check_password(password)


def login(email: str, password: str, address: str, user_agent: str | None) -> dict:
    """Check the password (and the throttle). Answers either {"tokens", "user", "tenant"} or, when a
    second factor is needed, {"mfa": challenge} and no session yet."""
    email = normalise_email(email)
    user, tenant = find_account(email)
    login_throttle.check(email, address, tenant)
    if not _verify_password(user, password):
        login_throttle.record_failure(email, address, tenant, "bad_credentials")
        raise Unauthorized("E-mail or password is wrong.")
    if not user.active or not tenant.active:
        login_throttle.record_failure(email, address, tenant, "inactive")
        raise Unauthorized("This account is deactivated.")
    if user.mfa_enabled or tenant.requires_mfa(user.role):
        return {"mfa": mfa_service.challenge_for(user, tenant)}
    return complete_login(user, tenant, address, user_agent)


def enrol_during_login(mfa_token: str) -> dict:
    """A user whose tenant requires a second factor they do not have yet sets it up between the password
    and the session: the challenge token stands in for the session."""
    user, tenant, _nonce = mfa_service.open_challenge(mfa_token)
    if user.mfa_enabled:
        raise Conflict("Two-factor sign-in is already set up; enter a code from your app.")
    return mfa_service.start_enrolment(user, tenant)


def login_second_factor(
    mfa_token: str, code: str | None, recovery_code: str | None, address: str, user_agent: str | None
) -> dict:
    """The second step: a TOTP code (or a recovery code) for the challenge the password step issued. A
    first code also completes an enrolment begun during sign-in; the answer then carries the recovery
    codes. Wrong codes count towards the account's sign-in delays like wrong passwords."""
    user, tenant, nonce = mfa_service.open_challenge(mfa_token)
    login_throttle.check(user.email, address, tenant)
    recovery_codes = None
    try:
        if user.mfa_enabled:
            if not mfa_service.verify(user, code, recovery_code):
                field = "recovery_code" if recovery_code and not code else "code"
                raise ValidationFailed(
                    "The code is not right.", errors={field: ["This code is not valid (or was used already)."]}
                )
        else:
            recovery_codes = mfa_service.confirm_enrolment(user, code or "")
    except ValidationFailed:
        mfa_service.note_failure(nonce)
        login_throttle.record_failure(user.email, address, tenant, "bad_second_factor")
        raise
    if not mfa_service.spend_challenge(nonce):
        raise Unauthorized("The sign-in step has expired; sign in again.")
    result = complete_login(user, tenant, address, user_agent)
    if recovery_codes is not None:
        result["recovery_codes"] = recovery_codes
    return result


def complete_login(user: User, tenant: Tenant, address: str, user_agent: str | None) -> dict:
    """Every factor passed: clear the account's failures and open the session."""
    login_throttle.record_success(user.email)
    tenant_context.set_tenant(user.tenant_id, user.id)
    tokens = open_session(user, tenant, address, user_agent)
    return {"tokens": tokens, "user": user, "tenant": tenant}


def open_session(user: User, tenant: Tenant, address: str, user_agent: str | None) -> dict:
    now = utcnow()
    session = AuthSession(
        tenant_id=user.tenant_id,
        user_id=user.id,
        refresh_jti="pending",
        expires_at=now + timedelta(minutes=tenant.session_absolute_minutes),
        ip_address=(address or "-")[:64],
        user_agent=(user_agent or "")[:300],
    )
    db.session.add(session)
    db.session.flush()
    tokens = _issue_tokens(user, session)
    # A bulk UPDATE: a sign-in is not an edit of the user, so no version bump and no audit snapshot.
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=now))
    db.session.commit()
    return tokens


def _issue_tokens(user: User, session: AuthSession) -> dict:
    claims = {"tid": str(user.tenant_id), "role": user.role, "sid": str(session.id)}
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    # The refresh token dies with the session; JWT_REFRESH_TOKEN_EXPIRES stays the outer cap.
    lifetime = min(as_utc(session.expires_at) - utcnow(), current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])
    refresh_token = create_refresh_token(
        identity=str(user.id), additional_claims=claims, expires_delta=max(lifetime, timedelta(seconds=1))
    )
    session.refresh_jti = decode_token(refresh_token)["jti"]
    session.last_used_at = utcnow()
    return {"access_token": access, "refresh_token": refresh_token}


# -- refresh with a grace window ---------------------------------------------------------------------------


def _grace_key(jti: str) -> str:
    return f"refresh_grace:{jti}"


def _grace_pair(jti: str, tenant_id) -> dict | None:
    """The pair a refresh token was just rotated into, while the grace window lasts."""
    stored = kv.get(_grace_key(jti))
    if not stored:
        return None
    entry = json.loads(crypto.decrypt(stored, tenant_id=tenant_id, field="refresh_grace"))
    rotated_at = as_utc(datetime.fromisoformat(entry["rotated_at"]))
    if (utcnow() - rotated_at).total_seconds() > current_app.config["REFRESH_GRACE_SECONDS"]:
        return None
    return entry["tokens"]


def refresh(user: User, session: AuthSession, presented_jti: str) -> dict:
    """Rotate: the presented refresh token is spent and a new pair issued. The first of several parallel
    refreshes wins (an atomic add in the key-value store); the others get the winner's pair."""
    again = _grace_pair(presented_jti, user.tenant_id)
    if again is not None:
        return again
    tokens = _issue_tokens(user, session)
    grace = current_app.config["REFRESH_GRACE_SECONDS"]
    entry = json.dumps({"tokens": tokens, "rotated_at": utcnow().isoformat()})
    sealed = crypto.encrypt(entry, tenant_id=user.tenant_id, field="refresh_grace")
    if grace > 0 and not kv.add(_grace_key(presented_jti), sealed, grace + 5):
        db.session.rollback()  # another request rotated this token a moment ago: answer its pair
        winner = _grace_pair(presented_jti, user.tenant_id)
        if winner is None:
            raise Unauthorized("This session has ended; sign in again.")
        return winner
    db.session.commit()
    return tokens


def logout(session: AuthSession | None) -> None:
    if session is not None and session.revoked_at is None:
        session.revoked_at = utcnow()
        db.session.commit()


def end_sessions(user_id, keep_session_id=None) -> int:
    """Close every open session of a user (password or role change, deactivation, delete, a reset second
    factor), except `keep_session_id` (the one that changed its own password). Part of the caller's
    transaction; answers how many were closed."""
    stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if keep_session_id is not None:
        stmt = stmt.where(AuthSession.id != keep_session_id)
    return db.session.execute(stmt.values(revoked_at=utcnow())).rowcount


# -- the per-request check -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _claimed_id(text: str) -> uuid.UUID:
    """A claim's id, parsed once per worker: the same few tenants, users and sessions sign every request, and a
    UUID is immutable, so sharing one between requests is safe."""
    return uuid.UUID(text)


def _load_identity(jwt_payload: dict) -> identity_cache.Lookup | None:
    try:
        tenant_id = _claimed_id(jwt_payload["tid"])
        user_id = _claimed_id(jwt_payload["sub"])
        session_id = _claimed_id(jwt_payload["sid"])
    except (KeyError, ValueError, TypeError, AttributeError):  # a claim missing, malformed, or not text
        return None
    tenant_context.set_tenant(tenant_id, user_id)

    def query():
        return db.session.execute(
            select(User, Tenant, AuthSession)
            .join(Tenant, Tenant.id == User.tenant_id)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(User.id == user_id, AuthSession.id == session_id)
        ).first()

    if jwt_payload.get("type") == "refresh":  # rare, and it writes: always the database
        return identity_cache.Lookup(query(), None, False)
    return identity_cache.load(tenant_id, user_id, session_id, query)


ACTIVITY_RESOLUTION_SECONDS = 60


def session_timed_out(session: AuthSession, tenant: Tenant, now: datetime) -> bool:
    """The tenant's session limits, checked on the rows already loaded (no query): the absolute lifetime
    counts from sign-in, the idle timeout from the last request. A shortened setting applies to open
    sessions at once; `expires_at` keeps the lifetime that applied at sign-in, so a longer one applies to
    new sessions only."""
    absolute = as_utc(session.created_at) + timedelta(minutes=tenant.session_absolute_minutes)
    idle = as_utc(session.last_used_at) + timedelta(minutes=tenant.session_idle_minutes)
    return now >= min(absolute, idle, as_utc(session.expires_at))


def _note_activity(lookup: identity_cache.Lookup, now: datetime) -> None:
    """The idle timeout counts from the last request. Written at most once a minute per session, so a busy
    session costs one small UPDATE a minute, not one per request. The cached identity keeps its epoch and takes
    the new clock (app/services/identity_cache.py)."""
    _user, _tenant, session = lookup.row
    if (now - as_utc(session.last_used_at)).total_seconds() >= ACTIVITY_RESOLUTION_SECONDS:
        identity_cache.store(session.id, lookup.row, lookup.epochs, last_used_at=now)
        db.session.execute(
            update(AuthSession).where(AuthSession.id == session.id).values(last_used_at=now),
            execution_options={identity_cache.NEUTRAL: True},
        )
        db.session.commit()


def check_token(jwt_payload: dict) -> tuple[User, Tenant, AuthSession] | None:
    """The identity behind a token if it may still be used, else None. Runs on every authenticated
    request: session open and within its limits, user active, tenant active, in one query. A refresh token
    that was already spent, outside the grace window, means someone holds a copy: the session is closed."""
    lookup = _load_identity(jwt_payload)
    if lookup is None or lookup.row is None:
        return None
    user, tenant, session = lookup.row
    if not user.active or not tenant.active or session.revoked_at is not None:
        return None
    now = utcnow()
    if session_timed_out(session, tenant, now):
        return None
    if jwt_payload.get("type") == "refresh":
        if jwt_payload.get("jti") != session.refresh_jti:
            if _grace_pair(jwt_payload.get("jti", ""), user.tenant_id) is not None:
                return user, tenant, session
            session.revoked_at = now
            db.session.commit()
            return None
    else:
        _note_activity(lookup, now)
    return user, tenant, session
