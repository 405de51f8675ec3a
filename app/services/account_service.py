"""Self-service: change one's own password, reset a forgotten one by e-mail, see and end one's own sessions.

"Forgot password" answers the same whether or not the address has an account (no enumeration); a link
works once, for PASSWORD_RESET_VALID_MINUTES, and a newer request or any password change voids older
links. A changed or reset password ends the user's other sessions (a reset ends all of them) and leaves an
audit entry (`password_changed_at`, never the hash); the user gets an e-mail saying so.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db, kv
from app.models import AuthSession, PasswordReset, Tenant, User
from app.services import auth_service, link_tokens, mail_service, mail_templates, mfa_service, password_policy
from app.utils import tenant_context
from app.utils.clock import as_utc, utcnow
from app.utils.errors import NotFound, RateLimited, ValidationFailed

FORGOT_PER_ADDRESS_PER_HOUR = 5


def _current_password_ok(user: User, password: str | None, field: str = "current_password") -> None:
    if not password or not user.check_password(password):
        raise ValidationFailed(
            "The current password is not right.", errors={field: ["This is not your current password."]}
        )


def _void_reset_links(user: User) -> None:
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _notify_changed(user: User, tenant: Tenant) -> None:
    mail = mail_templates.password_changed(tenant.name, user.name, utcnow().strftime("%Y-%m-%d %H:%M"))
    mail_service.send("password_changed", user.email, mail.subject, mail.text, mail.html)


def change_password(user: User, tenant: Tenant, session: AuthSession, current: str, new: str) -> int:
    """Answers how many other sessions were ended."""
    _current_password_ok(user, current)
    password_policy.check(new, email=user.email, tenant=tenant, field="new_password", context=(user.name,))
    if user.check_password(new):
        raise ValidationFailed("Choose a new password.", errors={"new_password": ["This is your current password."]})
    user.set_password(new)
    ended = auth_service.end_sessions(user.id, keep_session_id=session.id)
    _void_reset_links(user)
    db.session.commit()
    _notify_changed(user, tenant)
    return ended


# -- forgot password ----------------------------------------------------------------------------------------


def request_reset(email: str, address: str) -> None:
    """Mail a reset link if the address belongs to an active account; answer nothing either way. At most
    FORGOT_PER_ADDRESS_PER_HOUR requests per client address, and one live link per account at a time
    (a new request voids the older link), so the feature cannot be used to flood a mailbox."""
    count, retry_after = kv.incr(f"forgot:addr:{address}", 3600)
    if count > FORGOT_PER_ADDRESS_PER_HOUR:
        raise RateLimited("Too many reset requests from here. Try again later.", headers={"Retry-After": retry_after})
    email = auth_service.normalise_email(email)
    user, tenant = auth_service.find_account(email)
    if user is None or not user.active or not tenant.active:
        return
    tenant_context.set_tenant(tenant.id)
    _void_reset_links(user)
    secret, token_hash = link_tokens.new_secret()
    minutes = current_app.config["PASSWORD_RESET_VALID_MINUTES"]
    reset = PasswordReset(
        user_id=user.id,
        token_hash=token_hash,
        expires_at=utcnow() + timedelta(minutes=minutes),
        requested_from=address[:64],
    )
    db.session.add(reset)
    db.session.flush()
    url = mail_templates.link("reset-password", link_tokens.build(tenant.id, reset.id, secret))
    mail = mail_templates.password_reset(tenant.name, user.name, url, minutes)
    mail_service.send("password_reset", user.email, mail.subject, mail.text, mail.html)


def _open_reset(token: str) -> tuple[PasswordReset, User, Tenant]:
    tenant_id, reset_id, secret = link_tokens.parse(token, "password reset")
    tenant_context.set_tenant(tenant_id)
    tenant = db.session.get(Tenant, tenant_id)
    reset = db.session.execute(select(PasswordReset).where(PasswordReset.id == reset_id)).scalar_one_or_none()
    if tenant is None or reset is None or not link_tokens.matches(secret, reset.token_hash):
        raise link_tokens.LinkInvalid("This password reset link is not valid. Ask for a new one.")
    if reset.used_at is not None:
        raise link_tokens.LinkUsed("This password reset link was used already (or replaced by a newer one).")
    if as_utc(reset.expires_at) <= utcnow():
        raise link_tokens.LinkExpired("This password reset link has expired. Ask for a new one.")
    user = db.session.get(User, reset.user_id)
    if user is None or not user.active or not tenant.active:
        raise link_tokens.LinkInvalid("This password reset link is not valid. Ask for a new one.")
    return reset, user, tenant


def check_reset(token: str) -> dict:
    _reset, user, tenant = _open_reset(token)
    return {"email": user.email, "tenant": {"name": tenant.name}, "password_min_length": tenant.password_min_length}


def reset_password(token: str, password: str) -> None:
    """Set the new password, end every session (whoever holds one may be the reason for the reset) and
    void the link. A second factor stays required at the next sign-in."""
    reset, user, tenant = _open_reset(token)
    tenant_context.set_tenant(tenant.id, user.id)
    password_policy.check(password, email=user.email, tenant=tenant, context=(user.name,))
    user.set_password(password)
    auth_service.end_sessions(user.id)
    _void_reset_links(user)
    reset.used_at = utcnow()
    db.session.commit()
    _notify_changed(user, tenant)


# -- own sessions and second factor -------------------------------------------------------------------------


def list_sessions(user: User, tenant: Tenant) -> list[AuthSession]:
    """The user's sessions that still work, newest first."""
    now = utcnow()
    rows = db.session.execute(
        select(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
        .order_by(AuthSession.last_used_at.desc(), AuthSession.id)
        .limit(200)
    ).scalars()
    return [s for s in rows if not auth_service.session_timed_out(s, tenant, now)]


def end_session(user: User, session_id) -> None:
    """End one of one's own sessions; anyone else's (or another tenant's) is a 404."""
    session = db.session.execute(
        select(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user.id)
    ).scalar_one_or_none()
    if session is None:
        raise NotFound("No such session.")
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        db.session.commit()


def end_other_sessions(user: User, session: AuthSession) -> int:
    ended = auth_service.end_sessions(user.id, keep_session_id=session.id)
    db.session.commit()
    return ended


def start_mfa_setup(user: User, tenant: Tenant, current_password: str) -> dict:
    _current_password_ok(user, current_password)
    return mfa_service.start_enrolment(user, tenant)


def disable_mfa(user: User, tenant: Tenant, current_password: str) -> None:
    _current_password_ok(user, current_password)
    mfa_service.disable(user, tenant)


def regenerate_recovery_codes(user: User, current_password: str) -> list[str]:
    _current_password_ok(user, current_password)
    return mfa_service.new_recovery_codes(user)


def mfa_status(user: User, tenant: Tenant) -> dict:
    return {
        "enabled": user.mfa_enabled,
        "enabled_at": user.totp_enabled_at,
        "required": tenant.requires_mfa(user.role),
        "recovery_codes_left": len(user.recovery_codes or []) if user.mfa_enabled else 0,
    }
