"""API tokens (issue 15.4): create (the secret answered once), list, revoke, delete, and the check every
request presenting `Authorization: Bearer mrd_…` runs.

Revoking keeps the token in the list, marked revoked, as a record of what once had access. Deleting revokes
it too and then takes it out of the API (a soft delete): reading it answers 404, as after any DELETE, and
the list shows it only with `include_deleted`. The row itself stays, because its service user is the author
of everything the token changed.

A token is `mrd_<key_id>_<secret>`. key_id is random and unique across tenants, so the token is found by
one indexed read before its tenant is known (one of the few deliberate cross-tenant reads, like sign-in by
e-mail); the secret is then compared, in constant time, with the stored SHA-256. The secret has 256 bits of
entropy, so a fast hash is enough: there is nothing to guess from the hash.

Each token has its own service user: the identity permissions, project visibility and the audit trail
see. It carries the token's role, is named after the token and has no usable password."""

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

from sqlalchemy import select, update

from app.extensions import db
from app.models import ApiToken, Project, Tenant, User
from app.models.api_token import TOKEN_PREFIX
from app.services import api_token_cache, identity_cache
from app.services.pagination import paginate
from app.utils import tenant_context
from app.utils.clock import as_utc, utcnow
from app.utils.errors import Conflict, ValidationFailed

LAST_USED_RESOLUTION_SECONDS = 60
# Never a password hash werkzeug can match: a service user cannot sign in with any password.
UNUSABLE_PASSWORD = "!api-token"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def list_tokens(limit: int, offset: int, include_deleted: bool = False) -> tuple[list[ApiToken], int]:
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id)
    return paginate(stmt, limit, offset, include_deleted)


def _check_projects(project_ids: list) -> list[str]:
    wanted = {uuid.UUID(str(p)) for p in project_ids}
    if not wanted:
        return []
    found = set(db.session.execute(select(Project.id).where(Project.id.in_(wanted))).scalars())
    if found != wanted:
        raise ValidationFailed("The token could not be created.", errors={"project_ids": ["Unknown project."]})
    return sorted(str(p) for p in wanted)


def create_token(data: dict) -> tuple[ApiToken, str]:
    """The token and its full secret; the secret is not kept and cannot be shown again."""
    expires_at = data.get("expires_at")
    if expires_at is not None and as_utc(expires_at) <= utcnow():
        raise ValidationFailed("The token could not be created.", errors={"expires_at": ["Must be in the future."]})
    project_ids = _check_projects(data.get("project_ids") or [])
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    service_user = User(
        email=f"token-{key_id}@api-tokens.invalid",
        name=f"API token: {data['name']}"[:200],
        role=data["role"],
        kind="service",
        password_hash=UNUSABLE_PASSWORD,
        created_by=tenant_context.current_actor_id(),
    )
    db.session.add(service_user)
    db.session.flush()
    token = ApiToken(
        name=data["name"],
        key_id=key_id,
        secret_hash=_hash(secret),
        service_user_id=service_user.id,
        project_ids=project_ids,
        expires_at=expires_at,
        rate_limit_per_minute=data.get("rate_limit_per_minute"),
        created_by=tenant_context.current_actor_id(),
    )
    token.service_user = service_user
    db.session.add(token)
    db.session.commit()
    return token, f"{TOKEN_PREFIX}{key_id}_{secret}"


def revoke_token(token: ApiToken) -> None:
    """Stops working at the next request: the check reads revoked_at every time. The service user is
    deactivated too, so nothing else can act as it."""
    if token.revoked_at is not None:
        raise Conflict("This token is already revoked.")
    _revoke(token)
    db.session.commit()


def delete_token(token: ApiToken) -> None:
    """Revokes the token if it still works, then removes it from the API (kept as a soft-deleted row)."""
    if token.revoked_at is None:
        _revoke(token)
    token.soft_delete(tenant_context.current_actor_id())
    db.session.commit()


def _revoke(token: ApiToken) -> None:
    token.revoked_at = utcnow()
    token.revoked_by = tenant_context.current_actor_id()
    token.service_user.active = False


def status(token: ApiToken, now: datetime | None = None) -> str:
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and as_utc(token.expires_at) <= now:
        return "expired"
    return "active"


def authenticate(presented: str) -> tuple[User, Tenant, ApiToken] | None:
    """The identity behind a presented token if it may be used now, else None (unknown, wrong secret,
    revoked, expired, service user or tenant deactivated). Binds the tenant context on success. The rows come
    from a snapshot while nothing about the token changed (app/services/api_token_cache.py)."""
    parts = presented[len(TOKEN_PREFIX) :].split("_", 1) if presented.startswith(TOKEN_PREFIX) else []
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    key_id, secret = parts
    lookup = api_token_cache.load(key_id, presented, lambda: _read(key_id))
    if lookup.row is None:
        return None
    # A snapshot is found only with the exact token it was stored for, after its secret matched.
    if not lookup.hit and not hmac.compare_digest(lookup.row[0].secret_hash, _hash(secret)):
        return None
    token, user, tenant = lookup.row
    now = utcnow()
    if status(token, now) != "active" or not user.active or user.is_deleted or not tenant.active:
        return None
    tenant_context.set_tenant(tenant.id, user.id)
    user.token_project_ids = list(token.project_ids) or None
    if not _note_use(presented, lookup, now) and not lookup.hit:
        api_token_cache.store(presented, lookup)
    return user, tenant, token


def _read(key_id: str):
    with tenant_context.unscoped():
        return db.session.execute(
            select(ApiToken, User, Tenant)
            .join(User, User.id == ApiToken.service_user_id)
            .join(Tenant, Tenant.id == ApiToken.tenant_id)
            .where(ApiToken.key_id == key_id[:32])
        ).first()


def _note_use(presented: str, lookup, now: datetime) -> bool:
    """Written at most once a minute per token, as a bulk UPDATE: a use is not an edit (no version bump,
    no audit snapshot), and it keeps the token's snapshot, stored again with the new clock. True if written."""
    token = lookup.row[0]
    if (
        token.last_used_at is not None
        and (now - as_utc(token.last_used_at)).total_seconds() < LAST_USED_RESOLUTION_SECONDS
    ):
        return False
    api_token_cache.store(presented, lookup, last_used_at=now)
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now),
        execution_options={identity_cache.NEUTRAL: True},
    )
    db.session.commit()
    return True
