"""Two-factor sign-in with TOTP (RFC 6238) and single-use recovery codes.

- Codes are 6 digits over 30-second steps (what every authenticator app uses). One step either side is
  accepted for clock drift, and a step once used is never accepted again for that user (replay within the
  window is refused). The last used step is stored with a conditional UPDATE, so two requests racing with
  the same code cannot both win.
- The secret is encrypted with the tenant's key material (app/utils/crypto.py) and never shown again after
  enrolment. Ten recovery codes are shown once and stored as SHA-256 hashes (they are random, so a slow
  hash adds nothing); each works once.
- Between the password and the second factor the client holds a *challenge*: a signed token naming the
  user, valid MFA_CHALLENGE_MINUTES, dead after 5 wrong codes and once used.
"""

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

import pyotp
import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from app.extensions import db, kv
from app.models import Tenant, User
from app.utils import crypto, tenant_context
from app.utils.clock import utcnow
from app.utils.errors import Conflict, Unauthorized, ValidationFailed

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
CHALLENGE_ATTEMPTS = 5
_SECRET_FIELD = "totp_secret"


# -- secrets and codes --------------------------------------------------------------------------------------


def _seal(user: User, secret: str) -> str:
    return crypto.encrypt(secret, tenant_id=user.tenant_id, field=_SECRET_FIELD)


def _open(user: User, sealed: str) -> str:
    return crypto.decrypt(sealed, tenant_id=user.tenant_id, field=_SECRET_FIELD)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step `code` belongs to, within the drift window; None when it matches none."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def provisioning(user: User, tenant: Tenant, secret: str) -> dict:
    """What an authenticator app needs: the secret, the otpauth:// URI and the same as a QR code."""
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=f"Meridian ({tenant.name})"
    )
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": segno.make(uri, error="m").svg_data_uri(scale=5, border=2)}


def start_enrolment(user: User, tenant: Tenant) -> dict:
    """A fresh secret, pending until a code from it is confirmed."""
    secret = pyotp.random_base32()
    user.totp_pending_secret = _seal(user, secret)
    db.session.commit()
    return provisioning(user, tenant, secret)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """The first code proves the app has the secret: 2FA is on; answers the recovery codes (shown once)."""
    if not user.totp_pending_secret:
        raise Conflict("Start the set-up first: there is no pending authenticator secret.")
    secret = _open(user, user.totp_pending_secret)
    step = _matching_step(secret, code, utcnow())
    if step is None:
        raise ValidationFailed(
            "The code is not right.", errors={"code": ["Enter the 6-digit code your app shows now."]}
        )
    codes = _new_recovery_codes()
    user.totp_secret = user.totp_pending_secret
    user.totp_pending_secret = None
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    user.recovery_codes = [_hash_code(c) for c in codes]
    db.session.commit()
    return codes


def new_recovery_codes(user: User) -> list[str]:
    if not user.mfa_enabled:
        raise Conflict("Two-factor sign-in is not on for this account.")
    codes = _new_recovery_codes()
    user.recovery_codes = [_hash_code(c) for c in codes]
    db.session.commit()
    return codes


def disable(user: User, tenant: Tenant) -> None:
    if tenant.requires_mfa(user.role):
        raise Conflict("Your organisation requires two-factor sign-in for your role; it cannot be switched off.")
    clear(user)
    db.session.commit()


def clear(user: User) -> None:
    """Switch the second factor off (self-service, or an admin's reset); the caller commits."""
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_codes = []


def verify(user: User, code: str | None, recovery_code: str | None) -> bool:
    """A current TOTP code (each time step once) or an unused recovery code. Writes with conditional bulk
    UPDATEs: using a code is not an edit of the user (no version bump), and a race has one winner."""
    if code and user.totp_secret:
        step = _matching_step(_open(user, user.totp_secret), code, utcnow())
        if step is None:
            return False
        used = db.session.execute(
            update(User)
            .where(User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        return used == 1
    if recovery_code:
        hashed = _hash_code(recovery_code)
        if not any(hmac.compare_digest(h, hashed) for h in user.recovery_codes or []):
            return False
        # Two requests with the same code: the atomic add lets exactly one through.
        if not kv.add(f"recovery_used:{user.id}:{hashed}", "1", 3600):
            return False
        remaining = [h for h in user.recovery_codes if h != hashed]
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(recovery_codes=remaining)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return True
    return False


# -- the sign-in challenge ----------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="meridian-mfa-challenge")


def challenge_for(user: User, tenant: Tenant) -> dict:
    token = _serializer().dumps(
        {"uid": str(user.id), "tid": str(user.tenant_id), "iat": utcnow().timestamp(), "n": uuid.uuid4().hex}
    )
    enrolled = user.mfa_enabled
    return {
        "mfa_required": True,
        "mfa_token": token,
        "mfa_enrolment_required": not enrolled,
        "methods": ["totp", "recovery_code"] if enrolled else ["totp"],
    }


def open_challenge(token: str) -> tuple[User, Tenant, str]:
    """The user a challenge was issued to, if it is still good: signed by us, young enough, not used, fewer
    than 5 wrong codes, user and tenant still active. Answers (user, tenant, nonce)."""
    try:
        data = _serializer().loads(token)
        tenant_id, user_id, nonce = uuid.UUID(data["tid"]), uuid.UUID(data["uid"]), str(data["n"])
        issued = float(data["iat"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise Unauthorized("The sign-in step has expired; sign in again.") from None
    age = utcnow().timestamp() - issued
    if age > current_app.config["MFA_CHALLENGE_MINUTES"] * 60 or age < -60:
        raise Unauthorized("The sign-in step has expired; sign in again.")
    if kv.get(f"mfa_done:{nonce}") or int(kv.get(f"mfa_fail:{nonce}") or 0) >= CHALLENGE_ATTEMPTS:
        raise Unauthorized("The sign-in step has expired; sign in again.")
    tenant_context.set_tenant(tenant_id, user_id)
    user = db.session.get(User, user_id)
    tenant = db.session.get(Tenant, tenant_id)
    if user is None or tenant is None or not user.active or not tenant.active:
        raise Unauthorized("The sign-in step has expired; sign in again.")
    return user, tenant, nonce


def note_failure(nonce: str) -> None:
    kv.incr(f"mfa_fail:{nonce}", current_app.config["MFA_CHALLENGE_MINUTES"] * 60 + 60)


def spend_challenge(nonce: str) -> bool:
    """Once per challenge: False when another request already completed it."""
    return kv.add(f"mfa_done:{nonce}", "1", current_app.config["MFA_CHALLENGE_MINUTES"] * 60 + 60)
